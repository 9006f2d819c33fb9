"""Turning the reader's spans into citations: the sentences that contain or support the answer.

A citation is always a whole sentence of its document, found by offsets, so it is verbatim by
construction; ``verify`` re-checks that against the document text before anything is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from rag.fusion import load_fusion
from rag.metrics import normalize_answer
from rag.types import Citation, Document, Hit, Sentence, Span, Window

SUPPORT_RATIO = 0.3    # a same-answer span this close to the best one also counts as support
CONFLICT_RATIO = 0.6   # a different answer from another document this close means sources differ; compared
#   on each span's own-window score (``Span.own_score``): a jointly normalised reader splits its
#   confidence between windows, so its joint scores would make a second source look unsure
# Shown to people (the UI may use these): what a related passage's score means, and what to say
# when no passage is related enough to offer.
RELATED_SCORE_NOTE = ("Score: how likely the passage is about what you asked, from 0 to 1 "
                      "(estimated from its wording and meaning; not whether it answers).")
NOTHING_RELATED = "Nothing in the documents seems related to this question."
# The reranker's P(the sentence answers) from which a sentence is related whatever the fused estimate
# says: that estimate, fitted on SQuAD's long questions, stays low for short ones ("What did the analyst
# say?": 0.07 beside the reranker's 0.25). 800 SQuAD train questions asked of two corpora on other
# subjects never reached 0.06 (`python -m rag.tools.related_check`, docs/EVALUATION.md session 23).
RERANK_RELATED = 0.1


@dataclass(frozen=True)
class Cited:
    """The evidence for an answer and whether the sources disagree."""

    citations: list[Citation]
    conflict: bool
    alternative: Span | None = None    # the other source's answer when they disagree


def _sentences_of(span: Span, window: Window) -> list[Sentence]:
    return [s for s in window.sentences if s.start < span.end and span.start < s.end]


def citation_for(sentence: Sentence, doc: Document, span: Span) -> Citation:
    """The citation of ``sentence`` as the source of ``span`` (answer offsets set when inside it)."""
    return _citation(sentence, doc, span.score, span)


def _citation(sentence: Sentence, doc: Document, score: float, span: Span | None) -> Citation:
    inside = span is not None and sentence.start <= span.start and span.end <= sentence.end
    return Citation(doc_id=sentence.doc_id, title=doc.title, sentence=sentence.text, start=sentence.start,
                    end=sentence.end, score=round(float(score), 4),
                    answer_start=span.start if inside else None, answer_end=span.end if inside else None,
                    index=sentence.index)


_TITLES = frozenset("mr mrs ms miss dr sir dame prof professor mp hon".split())


def _words(text: str) -> set[str]:
    return {w for w in normalize_answer(text).split() if w not in _TITLES}


def same_answer(a: str, b: str) -> bool:
    """The same thing said two ways: one contains the other, or (titles such as "Mr" and "Dr"
    aside) one's words are all in the other ("Mr McAnulty" / "Kieran McAnulty") or they share
    most words ("Hamilton West" / "West Hamilton")."""
    na, nb = normalize_answer(a), normalize_answer(b)
    if not (na and nb):
        return False
    if na == nb or f" {na} " in f" {nb} " or f" {nb} " in f" {na} ":
        return True
    wa, wb = _words(a), _words(b)
    if not (wa and wb):
        return False
    return wa <= wb or wb <= wa or len(wa & wb) / len(wa | wb) >= 0.5



def cite(spans: Sequence[Span], windows: Sequence[Window], documents: dict[str, Document],
         max_citations: int = 3, same_type: Callable[[Span, Span], bool] | None = None) -> Cited:
    """Citations for the best span (first), then sentences from other windows giving the same
    answer, then (when another document gives a different, nearly as likely answer) that one.

    Sources differ only when the other answer is as confident, each read in its own window
    (``CONFLICT_RATIO`` of ``Span.own_score``), from another
    document, not the same thing said two ways (``same_answer``), and of the same type as the
    best one (``same_type``, e.g. both a person; a name against a title such as "MP" is not a
    disagreement). Without ``same_type`` every pair counts as the same type."""
    if not spans:
        return Cited([], False)
    by_rank = {w.rank: w for w in windows}
    best = spans[0]
    citations: list[Citation] = []
    seen: set[tuple[str, int]] = set()

    def add(span: Span) -> None:
        for sentence in _sentences_of(span, by_rank[span.window_rank]):
            if (sentence.doc_id, sentence.index) not in seen and len(citations) < max_citations:
                seen.add((sentence.doc_id, sentence.index))
                citations.append(_citation(sentence, documents[sentence.doc_id], span.score, span))

    add(best)
    alternative = None
    best_window = by_rank[best.window_rank]
    for span in spans[1:]:
        if span.score < SUPPORT_RATIO * best.score:
            continue   # (spans may be reordered by answer type, so not sorted by score)
        if same_answer(span.text, best.text):
            add(span)
        elif (alternative is None and span.doc_id != best.doc_id and span.own_score >= CONFLICT_RATIO * best.own_score
              and normalize_answer(span.text) not in normalize_answer(best_window.text)
              and normalize_answer(best.text) not in normalize_answer(by_rank[span.window_rank].text)
              and (same_type is None or same_type(best, span))):
            alternative = span
    if alternative is not None:
        if len(citations) >= max_citations:
            citations = citations[:max_citations - 1]
        add(alternative)
    return Cited(citations, alternative is not None, alternative)


def off_subject(hits: Sequence[Hit], below: float | None = None) -> bool:
    """Whether no hit is even likely to be on the question's subject (best ``Hit.relatedness`` under
    ``below``; None: the level fitted in rag/fusion.json), so that "nothing related" can be said.
    A hit between that level and the floor of ``related`` is not offered, but may be on the subject:
    then nothing is claimed either way."""
    below = load_fusion().nothing_below if below is None else below
    return max((h.relatedness for h in hits), default=0.0) < below


def mentions(text: str, word: str) -> bool:
    """Whether ``text`` holds ``word`` as a whole word, in any case."""
    return re.search(rf"\b{re.escape(word)}\b", text, flags=re.IGNORECASE) is not None


def related(hits: Sequence[Hit], documents: dict[str, Document], limit: int = 3,
            floor: float | None = None, names: Sequence[str] = ()) -> list[Citation]:
    """Sentences offered when abstaining, marked related, never evidence: those whose likelihood of
    being on the question's subject (``Hit.relatedness``, rag.fusion) reaches ``floor`` (None: the
    one fitted with it, rag/fusion.json), those the reranker finds likely to answer (``RERANK_RELATED``),
    and those that name all the question ``names`` ("Tom", "Reilly"): a sentence about whom the question
    asks is on its subject whatever the fitted likelihood says of a short question. Best first, scored
    by the higher of the two likelihoods (answering implies being on the subject); none when nothing
    qualifies (``NOTHING_RELATED`` is said only when ``off_subject``)."""
    floor = load_fusion().floor if floor is None else floor

    def score(hit: Hit) -> float:
        return max(hit.relatedness, hit.rerank_score or 0.0)

    def qualifies(hit: Hit) -> bool:
        return (hit.relatedness >= floor or (hit.rerank_score or 0.0) >= RERANK_RELATED
                or (bool(names) and all(mentions(hit.sentence.text, n) for n in names)))

    chosen = sorted((h for h in hits if qualifies(h)), key=lambda h: -score(h))[:limit]
    out = []
    for hit in chosen:
        c = _citation(hit.sentence, documents[hit.sentence.doc_id], score(hit), None)
        out.append(Citation(**{**c.__dict__, "kind": "related"}))
    return out


def verify(citations: Sequence[Citation], documents: dict[str, Document]) -> None:
    """Raise AssertionError-free ValueError if any citation is not verbatim in its document."""
    for c in citations:
        doc = documents.get(c.doc_id)
        if doc is None or doc.text[c.start:c.end] != c.sentence:
            raise ValueError(f"citation not verbatim in document {c.doc_id!r} at {c.start}:{c.end}: {c.sentence!r}")
        if c.answer_start is not None and not (c.start <= c.answer_start < c.answer_end <= c.end):
            raise ValueError(f"answer offsets {c.answer_start}:{c.answer_end} outside cited sentence in {c.doc_id!r}")
