"""Unit tests for rag.citing: spans -> verbatim sentence citations, related sentences, verify.

Hand-made Documents, Sentences, Windows and Spans only (no model, no index), so each rule of
``cite``/``related``/``verify`` is pinned on concrete offsets. The "sources differ" logic
(CONFLICT_RATIO, ``Cited.alternative``) is deliberately not covered here: every non-best span
below gives the same answer as the best one.
"""

from __future__ import annotations

import re

import pytest

from rag.citing import SUPPORT_RATIO, cite, related, verify
from rag.types import Citation, Document, Hit, Sentence, Span, Window

TEXTS = {
    "acme": "Alice founded Acme in 1999. She moved to Paris in 2005. The company grew fast.",
    "news": "Reports agree on the date. Acme was founded in 1999 by Alice. Nobody disputes it.",
    "blog": "Alice talks about the early days. Her firm started in 1999 in a garage.",
    "wiki": "Acme is a toolmaker. Founded: 1999. Headquarters: Paris.",
}


def _split(doc: Document) -> list[Sentence]:
    """Sentences ending at '. ' (enough for TEXTS), with exact document offsets."""
    return [Sentence(doc.doc_id, i, m.start(), m.end(), m.group(0))
            for i, m in enumerate(re.finditer(r"[^ ][^.]*\.", doc.text))]


DOCS = {doc_id: Document(doc_id, f"Title of {doc_id}", text) for doc_id, text in TEXTS.items()}
SENTENCES = {doc_id: _split(doc) for doc_id, doc in DOCS.items()}


def window(doc_id: str, rank: int, first: int = 0, last: int | None = None) -> Window:
    """The window over sentences first..last (inclusive) of a document."""
    sentences = SENTENCES[doc_id]
    chosen = tuple(sentences[first:(len(sentences) if last is None else last + 1)])
    start, end = chosen[0].start, chosen[-1].end
    return Window(doc_id=doc_id, title=DOCS[doc_id].title, text=DOCS[doc_id].text[start:end], start=start,
                  end=end, sentences=chosen, center=0, rank=rank, retrieval_score=1.0 / (rank + 1))


def span(doc_id: str, text: str, score: float, rank: int, occurrence: int = 0) -> Span:
    """A span of ``text`` at its ``occurrence``-th place in the document, in document offsets."""
    starts = [m.start() for m in re.finditer(re.escape(text), TEXTS[doc_id])]
    start = starts[occurrence]
    return Span(text=text, doc_id=doc_id, start=start, end=start + len(text), score=score, window_rank=rank)


def test_the_fixture_sentences_are_verbatim() -> None:
    assert [s.text for s in SENTENCES["acme"]] == [
        "Alice founded Acme in 1999.", "She moved to Paris in 2005.", "The company grew fast."]
    for doc_id, sentences in SENTENCES.items():
        for s in sentences:
            assert DOCS[doc_id].text[s.start:s.end] == s.text


def test_best_span_cites_its_sentence_first_with_answer_offsets_inside() -> None:
    best = span("acme", "1999", 0.9, rank=0)
    cited = cite([best], [window("acme", 0)], DOCS)

    assert len(cited.citations) == 1
    c = cited.citations[0]
    sentence = SENTENCES["acme"][0]
    assert (c.doc_id, c.title, c.index, c.kind) == ("acme", "Title of acme", 0, "evidence")
    assert (c.start, c.end, c.sentence) == (0, 27, "Alice founded Acme in 1999.")
    assert (c.start, c.end) == (sentence.start, sentence.end)
    assert (c.answer_start, c.answer_end) == (22, 26)
    assert DOCS["acme"].text[c.answer_start:c.answer_end] == "1999"
    assert c.start <= c.answer_start < c.answer_end <= c.end
    assert c.score == 0.9
    verify(cited.citations, DOCS)


def test_the_best_span_is_cited_first_even_from_a_later_window() -> None:
    """The first span is the best whatever the window order; its window is found by rank."""
    windows = [window("news", 0), window("acme", 1)]
    best = span("acme", "Paris", 0.8, rank=1)
    cited = cite([best], windows, DOCS)
    assert [(c.doc_id, c.index, c.sentence) for c in cited.citations] == [("acme", 1, "She moved to Paris in 2005.")]
    assert (cited.citations[0].answer_start, cited.citations[0].answer_end) == (best.start, best.end)


def test_score_is_rounded_to_four_places() -> None:
    cited = cite([span("acme", "1999", 0.123456, rank=0)], [window("acme", 0)], DOCS)
    assert cited.citations[0].score == 0.1235


def test_a_span_crossing_two_sentences_cites_both_in_order() -> None:
    text = "1999. She moved"
    best = span("acme", text, 0.7, rank=0)
    assert DOCS["acme"].text[best.start:best.end] == text
    cited = cite([best], [window("acme", 0)], DOCS)

    assert [(c.index, c.sentence) for c in cited.citations] == [
        (0, "Alice founded Acme in 1999."), (1, "She moved to Paris in 2005.")]
    # the answer lies inside neither sentence, so neither claims answer offsets
    assert [(c.answer_start, c.answer_end) for c in cited.citations] == [(None, None), (None, None)]
    verify(cited.citations, DOCS)


def test_a_crossing_span_is_capped_by_max_citations() -> None:
    best = span("acme", "1999. She moved", 0.7, rank=0)
    cited = cite([best], [window("acme", 0)], DOCS, max_citations=1)
    assert [c.index for c in cited.citations] == [0]


def test_same_answer_spans_from_other_windows_are_support_after_the_best() -> None:
    windows = [window("acme", 0), window("news", 1), window("blog", 2)]
    spans = [span("acme", "1999", 0.9, 0), span("news", "1999", 0.6, 1), span("blog", "1999", 0.5, 2)]
    cited = cite(spans, windows, DOCS)

    assert [(c.doc_id, c.index) for c in cited.citations] == [("acme", 0), ("news", 1), ("blog", 1)]
    assert [c.sentence for c in cited.citations] == [
        "Alice founded Acme in 1999.", "Acme was founded in 1999 by Alice.", "Her firm started in 1999 in a garage."]
    assert [c.score for c in cited.citations] == [0.9, 0.6, 0.5]
    assert all(c.kind == "evidence" for c in cited.citations)
    # each support citation highlights its own span, not the best one's offsets
    for c, s in zip(cited.citations, spans):
        assert (c.answer_start, c.answer_end) == (s.start, s.end)
        assert DOCS[c.doc_id].text[c.answer_start:c.answer_end] == "1999"
    verify(cited.citations, DOCS)


def test_support_matches_answers_after_normalisation() -> None:
    """"in 1999." and "1999" are the same answer (SQuAD normalisation, whole-token containment)."""
    windows = [window("acme", 0), window("news", 1)]
    spans = [span("acme", "1999", 0.9, 0), span("news", "in 1999", 0.8, 1)]
    cited = cite(spans, windows, DOCS)
    assert [(c.doc_id, c.index) for c in cited.citations] == [("acme", 0), ("news", 1)]


def test_support_stops_at_max_citations() -> None:
    windows = [window("acme", 0), window("news", 1), window("blog", 2), window("wiki", 3)]
    spans = [span("acme", "1999", 0.9, 0), span("news", "1999", 0.8, 1), span("blog", "1999", 0.7, 2),
             span("wiki", "1999", 0.6, 3)]

    assert [c.doc_id for c in cite(spans, windows, DOCS).citations] == ["acme", "news", "blog"]   # default 3
    assert [c.doc_id for c in cite(spans, windows, DOCS, max_citations=2).citations] == ["acme", "news"]
    assert [c.doc_id for c in cite(spans, windows, DOCS, max_citations=1).citations] == ["acme"]
    assert [c.doc_id for c in cite(spans, windows, DOCS, max_citations=4).citations] == [
        "acme", "news", "blog", "wiki"]


def test_a_sentence_is_cited_once_even_when_two_spans_fall_in_it() -> None:
    windows = [window("acme", 0), window("news", 1)]
    spans = [span("acme", "1999", 0.9, 0), span("acme", "in 1999", 0.8, 0), span("news", "1999", 0.7, 1)]
    cited = cite(spans, windows, DOCS)
    assert [(c.doc_id, c.index) for c in cited.citations] == [("acme", 0), ("news", 1)]
    assert (cited.citations[0].answer_start, cited.citations[0].answer_end) == (22, 26)   # the best span's


def test_same_answer_spans_far_below_support_ratio_are_ignored() -> None:
    windows = [window("acme", 0), window("news", 1), window("blog", 2)]
    best = span("acme", "1999", 0.9, 0)
    weak = [span("news", "1999", 0.9 * SUPPORT_RATIO * 0.5, 1), span("blog", "1999", 0.01, 2)]
    cited = cite([best, *weak], windows, DOCS)
    assert [(c.doc_id, c.index) for c in cited.citations] == [("acme", 0)]


def test_support_ratio_is_the_boundary() -> None:
    """Just above SUPPORT_RATIO x best counts as support; just below does not."""
    windows = [window("acme", 0), window("news", 1)]
    best = span("acme", "1999", 0.8, 0)
    above = span("news", "1999", 0.8 * SUPPORT_RATIO + 0.01, 1)
    below = span("news", "1999", 0.8 * SUPPORT_RATIO - 0.01, 1)
    assert [c.doc_id for c in cite([best, above], windows, DOCS).citations] == ["acme", "news"]
    assert [c.doc_id for c in cite([best, below], windows, DOCS).citations] == ["acme"]


def test_empty_spans_give_no_citations() -> None:
    assert cite([], [window("acme", 0)], DOCS).citations == []
    assert cite([], [], DOCS).citations == []


def _hit(doc_id: str, index: int, dense: float) -> Hit:
    return Hit(sentence=SENTENCES[doc_id][index], score=0.03, dense_score=dense, dense_rank=0, bm25_rank=None,
               relatedness=dense)


def test_related_marks_sentences_related_without_answer_offsets() -> None:
    hits = [_hit("acme", 1, 0.5), _hit("wiki", 2, 0.654321), _hit("news", 0, 0.25), _hit("blog", 0, 0.125)]
    out = related(hits, DOCS, floor=0.0)

    assert len(out) == 3    # default limit
    assert [(c.doc_id, c.index, c.sentence) for c in out] == [
        ("wiki", 2, "Headquarters: Paris."), ("acme", 1, "She moved to Paris in 2005."),
        ("news", 0, "Reports agree on the date.")]
    assert [c.kind for c in out] == ["related"] * 3
    assert [(c.answer_start, c.answer_end) for c in out] == [(None, None)] * 3
    assert [c.score for c in out] == [0.6543, 0.5, 0.25]     # the relatedness in [0, 1], best first
    assert [c.title for c in out] == ["Title of wiki", "Title of acme", "Title of news"]
    assert (out[0].start, out[0].end) == (SENTENCES["wiki"][2].start, SENTENCES["wiki"][2].end)
    verify(out, DOCS)


def test_related_respects_its_limit_its_floor_and_empty_hits() -> None:
    hits = [_hit("acme", 0, 0.9), _hit("news", 1, 0.8)]
    assert [c.doc_id for c in related(hits, DOCS, limit=1, floor=0.0)] == ["acme"]
    assert [c.doc_id for c in related(hits, DOCS, floor=0.85)] == ["acme"]    # under the floor: not offered
    assert related(hits, DOCS, floor=0.95) == []
    assert related([], DOCS) == []


def _good() -> Citation:
    s = SENTENCES["news"][1]     # "Acme was founded in 1999 by Alice."
    answer = DOCS["news"].text.index("1999")
    return Citation(doc_id="news", title="Title of news", sentence=s.text, start=s.start, end=s.end, score=0.9,
                    answer_start=answer, answer_end=answer + 4, index=s.index)


def test_verify_passes_good_citations() -> None:
    good = _good()
    assert DOCS["news"].text[good.answer_start:good.answer_end] == "1999"
    assert verify([good], DOCS) is None
    whole = Citation(**{**good.__dict__, "answer_start": good.start, "answer_end": good.end})   # the whole sentence
    verify([whole, Citation(**{**good.__dict__, "answer_start": None, "answer_end": None})], DOCS)
    verify([], DOCS)


@pytest.mark.parametrize("change, message", [
    ({"sentence": "Acme was founded in 2001 by Alice."}, "not verbatim"),        # text altered
    ({"start": 0, "end": 34}, "not verbatim"),                                    # offsets of another slice
    ({"doc_id": "acme"}, "not verbatim"),                                         # other document
    ({"doc_id": "missing"}, "not verbatim"),                                      # unknown document
    ({"sentence": "Acme was founded in 1999 by Alice"}, "not verbatim"),         # truncated
])
def test_verify_rejects_a_citation_not_verbatim_in_its_document(change: dict, message: str) -> None:
    bad = Citation(**{**_good().__dict__, **change})
    with pytest.raises(ValueError, match=message):
        verify([bad], DOCS)


@pytest.mark.parametrize("answer", [
    (0, 4),             # before the sentence, in "Reports"
    (20, 31),           # starts before the sentence (which begins at 27)
    (50, 70),           # runs past the sentence's end (61)
    (40, 40),           # empty
    (44, 40),           # reversed
])
def test_verify_rejects_answer_offsets_outside_the_sentence(answer: tuple[int, int]) -> None:
    good = _good()
    assert (good.start, good.end) == (27, 61)
    bad = Citation(**{**good.__dict__, "answer_start": answer[0], "answer_end": answer[1]})
    with pytest.raises(ValueError, match="outside cited sentence"):
        verify([bad], DOCS)


def test_verify_checks_every_citation_not_only_the_first() -> None:
    good = _good()
    bad = Citation(**{**good.__dict__, "sentence": "made up"})
    with pytest.raises(ValueError, match="not verbatim"):
        verify([good, good, bad], DOCS)
