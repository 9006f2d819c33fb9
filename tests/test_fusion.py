"""Fusion (rag.fusion) and relatedness: features, names, the fitted weights, and the related floor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import FakeEmbedder, fake_split
from rag.citing import NOTHING_RELATED, off_subject, related
from rag.corpus import load_corpus
from rag.fusion import FEATURES, Linear, feature_matrix, load_fusion, name_words, rrf_scores
from rag.index import open_index
from rag.retrieval import HybridRetriever, rrf_fuse
from rag.settings import FUSIONS, Settings
from rag.types import Document, Hit, Sentence


def _retriever(mini_corpus: Path, tmp_path: Path) -> HybridRetriever:
    corpus = load_corpus(mini_corpus)
    embedder = FakeEmbedder()
    index, _ = open_index(corpus, embedder, tmp_path / "idx", fake_split, splitter="fake")
    return HybridRetriever(index, embedder, corpus.documents)


def test_features_make_bm25_comparable_across_questions() -> None:
    x = feature_matrix(np.array([0.5, 0.2, 0.1]), np.array([4.0, 2.0, 0.0]), 8.0, np.zeros((3, 3)), 0.75)
    assert x.shape == (3, len(FEATURES))
    np.testing.assert_allclose(x[:, FEATURES.index("names_known")], 0.75)
    np.testing.assert_allclose(x[:, FEATURES.index("names_unknown")], 0.25)
    np.testing.assert_allclose(x[:, FEATURES.index("bm25_cover")], [0.5, 0.25, 0.0])
    np.testing.assert_allclose(x[:, FEATURES.index("bm25_rel")], [1.0, 0.5, 0.0])
    none = feature_matrix(np.array([0.3]), np.array([0.0]), 0.0, np.zeros((1, 3)))   # no known term
    assert np.all(np.isfinite(none)) and none[0, 1] == none[0, 2] == 0.0
    assert none[0, FEATURES.index("names_known")] == none[0, FEATURES.index("names_unknown")] == 0.0   # names nothing


def test_rrf_scores_match_rrf_fuse() -> None:
    fused = dict(rrf_fuse([[1, 2, 3], [3, 1, 4]], k=60))
    rows = [1, 2, 3, 4]
    dense_rank = [0, 1, 2, None]
    bm25_rank = [1, None, 0, 2]
    np.testing.assert_allclose(rrf_scores(dense_rank, bm25_rank, 60), [fused[r] for r in rows])


@pytest.mark.parametrize("question, names", [
    ("Who is Miriam Tolland?", ["Miriam", "Tolland"]),
    ("What is the capital of France?", ["France"]),
    ("In 1995, where did Tom's dog go?", ["1995", "Tom"]),
    ("Tolland chairs which board?", ["Tolland"]),
    ("how old is he?", []),
])
def test_name_words_are_capitalised_words_and_numbers_not_question_words(question: str, names: list[str]) -> None:
    assert name_words(question) == names


def test_name_cover_weights_rare_names_and_counts_absent_ones(mini_corpus: Path, tmp_path: Path) -> None:
    retriever = _retriever(mini_corpus, tmp_path)
    sentences = retriever.index.sentences

    def name_cover(question: str) -> np.ndarray:
        return retriever.bm25.name_features(question, sentences)[:, 0]

    cover = name_cover("Where does Rex live?")
    # only the sentences that name Rex themselves, not the one after (which BM25 sees with its predecessor)
    holding = {s.text for s, c in zip(sentences, cover) if c == 1.0}
    assert holding == {"The dog Rex was born in 2015.", "Rex lives in Berlin."}
    assert cover.sum() == 2.0
    half = name_cover("Did Rex ever visit Atlantis?")   # Atlantis is nowhere
    assert 0.0 < half.max() < 0.6
    assert not retriever.bm25.name_features("where does he live?", sentences).any()
    tom = retriever.bm25.name_features("What did Tom like in Paris?", sentences)
    assert {s.text for s, c in zip(sentences, tom[:, 0]) if c} == {"A cat named Tom lived in Paris.", "Tom liked fish."}
    # Tom and Paris occur in cats.txt only: unique names; the document holds both wherever they are
    assert {s.text for s, c in zip(sentences, tom[:, 1]) if c == 1.0} == {"A cat named Tom lived in Paris."}
    assert {s.doc_id for s, c in zip(sentences, tom[:, 2]) if c == 1.0} == {"cats"}
    rex_berlin = retriever.bm25.name_features("Rex in Berlin or Paris?", sentences)
    assert rex_berlin[:, 1].max() < 1.0          # no sentence holds all three
    assert retriever.bm25.names_known("Where does Rex live?") == 1.0
    assert 0.0 < retriever.bm25.names_known("Did Rex ever visit Atlantis?") < 0.6
    assert retriever.bm25.names_known("where does he live?") is None


def test_shipped_weights_let_one_strong_signal_beat_two_weak_ones() -> None:
    """Issue 12: a sentence that only BM25 finds, and finds best, under two that both find weakly."""
    dense = np.array([0.45, 0.44, 0.25])           # the third: the dense retriever barely sees it
    bm25 = np.array([1.0, 1.0, 9.0])               # ... but it holds the question's rare terms
    dense_rank, bm25_rank = [0, 1, None], [1, 2, 0]
    names = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    x = feature_matrix(dense, bm25, 10.0, names)
    assert int(np.argmax(rrf_scores(dense_rank, bm25_rank))) != 2
    params = load_fusion()
    for name in ("weighted", "weighted+boost"):
        assert int(np.argmax(params.rankers[name].score(x))) == 2, name


def test_fusion_file_records_its_provenance() -> None:
    import json

    from rag.fusion import FUSION_FILE

    data = json.loads(FUSION_FILE.read_text())
    assert "SQuAD v1.1 train" in data["fitted_on"] and "xquad" not in " ".join(data["articles"]["fit"]).lower()
    assert 0.0 < data["related"]["floor"] < 1.0 and data["related"]["floor"] == load_fusion().floor
    assert set(data["rankers"]) == set(FUSIONS) - {"rrf"}


def test_linear_model_rejects_unknown_features() -> None:
    with pytest.raises(ValueError, match="bad fusion model"):
        Linear(("dense", "nonsense"), (1.0, 2.0))
    with pytest.raises(ValueError, match="bad fusion model"):
        Linear(("dense",), (1.0, 2.0))


@pytest.mark.parametrize("fusion", FUSIONS)
def test_every_fusion_ranks_the_same_candidates_with_relatedness_in_0_1(mini_corpus: Path, tmp_path: Path,
                                                                        fusion: str) -> None:
    retriever = _retriever(mini_corpus, tmp_path)
    hits, timings = retriever.rank("When was Rex born?", fusion=fusion)
    rrf, _ = retriever.rank("When was Rex born?", fusion="rrf")
    assert {h.sentence for h in hits} == {h.sentence for h in rrf}
    assert hits[0].sentence.text == "The dog Rex was born in 2015."
    assert all(0.0 <= h.relatedness <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "fusion" in timings


def test_settings_name_the_bad_fusion() -> None:
    with pytest.raises(ValueError, match="fusion"):
        Settings(fusion="max")


# --- related passages -------------------------------------------------------------------------
DOC = Document("d", "Doc", "One here. Two here. Three here.")
SENTS = [Sentence("d", 0, 0, 9, "One here."), Sentence("d", 1, 10, 19, "Two here."), Sentence("d", 2, 20, 31, "Three here.")]


def _hit(i: int, relatedness: float) -> Hit:
    return Hit(SENTS[i], score=1.0 - i, dense_score=-0.2, relatedness=relatedness)


def test_related_keeps_only_passages_above_the_floor_best_first_scored_in_0_1() -> None:
    hits = [_hit(0, 0.55), _hit(1, 0.2), _hit(2, 0.9)]
    out = related(hits, {"d": DOC}, floor=0.5)
    assert [c.sentence for c in out] == ["Three here.", "One here."]
    assert [c.score for c in out] == [0.9, 0.55]
    assert all(c.kind == "related" and 0.0 <= c.score <= 1.0 for c in out)


def test_nothing_related_below_the_floor() -> None:
    floor = load_fusion().floor
    assert related([_hit(0, 0.1), _hit(1, floor - 1e-6)], {"d": DOC}) == []
    assert len(related([_hit(0, floor)], {"d": DOC})) == 1
    assert "Nothing" in NOTHING_RELATED


def test_a_sentence_naming_everyone_the_question_names_is_related_whatever_its_likelihood() -> None:
    """"Who is Tom Reilly?" is short, so its fitted likelihood of being on a sentence's subject stays low;
    the sentence that names Tom Reilly is still about what was asked, and "nothing related" is not said."""
    doc = Document("r", "Harbour", "Chair Tom Reilly welcomed it. Tom Smith left. The ferry runs.")
    sents = [Sentence("r", 0, 0, 29, "Chair Tom Reilly welcomed it."), Sentence("r", 1, 30, 45, "Tom Smith left."),
             Sentence("r", 2, 46, 61, "The ferry runs.")]
    hits = [Hit(s, score=1.0, dense_score=0.1, relatedness=0.05) for s in sents]
    out = related(hits, {"r": doc}, floor=0.9, names=["Tom", "reilly"])
    assert [c.sentence for c in out] == ["Chair Tom Reilly welcomed it."] and out[0].kind == "related"
    assert out[0].score == 0.05                    # the likelihood is still what is shown
    assert related(hits, {"r": doc}, floor=0.9) == [] and related(hits, {"r": doc}, floor=0.9, names=["Reil"]) == []


def test_a_sentence_the_reranker_finds_likely_to_answer_is_related_scored_by_that() -> None:
    """"What did the analyst say?": the fused estimate 0.07, the reranker 0.25 for the analyst's
    sentence. Answering implies being on the subject, so it is offered, scored by the higher one."""
    from dataclasses import replace

    from rag.citing import RERANK_RELATED

    hits = [replace(_hit(0, 0.07), rerank_score=0.25), replace(_hit(1, 0.2), rerank_score=RERANK_RELATED / 2),
            _hit(2, 0.3)]
    out = related(hits, {"d": DOC}, floor=0.9)
    assert [(c.sentence, c.score) for c in out] == [("One here.", 0.25)]
    assert not off_subject(hits) or out       # "nothing related" is said only when nothing is offered


def test_nothing_related_is_said_only_below_a_lower_fitted_level() -> None:
    """Between the two levels a passage is not offered as related, but "nothing is related" is not
    claimed either: on SQuAD, 20% of on-topic questions with their answer hidden had no passage over the
    floor, while at most 1% fall under the lower level (rag/fusion.json, nothing_rule)."""
    params = load_fusion()
    assert 0.0 < params.nothing_below < params.floor
    between = (params.nothing_below + params.floor) / 2
    assert related([_hit(0, between)], {"d": DOC}) == [] and not off_subject([_hit(0, between)])
    assert off_subject([_hit(0, params.nothing_below - 1e-6), _hit(1, 0.01)]) and off_subject([])
    assert not off_subject([_hit(0, 0.1)], below=0.05)


def test_the_nothing_level_tells_at_most_the_allowed_share_of_on_topic_questions_so() -> None:
    import numpy as np

    from rag.tools.fit_fusion import choose_nothing_level, nothing_rates

    best = {"on_topic": np.array([0.05, 0.3, 0.5, 0.9, 0.95]), "off_topic": np.array([0.0, 0.01, 0.2, 0.6])}
    level = choose_nothing_level(best, miss=0.2)           # one on-topic question in five may be under it
    assert level == 0.3 and nothing_rates(best, level) == {"on_topic_told_nothing": 0.2, "off_topic_told_nothing": 0.75}
    assert choose_nothing_level(best, miss=0.0) == 0.05    # none may: just at the lowest on-topic question


@pytest.mark.slow
def test_questions_on_another_subject_stay_under_the_rerankers_related_level(assistant) -> None:
    """The claim "nothing related" must stay true: the reranker, asked questions on nothing the shipped
    articles speak of, scores no sentence at RERANK_RELATED, so those questions are still told so."""
    from rag.citing import RERANK_RELATED
    from rag.tools.related_check import check

    questions = ["What is the boiling point of mercury?", "Who painted the ceiling of the Sistine Chapel?",
                 "In what year did the Berlin Wall fall?", "How many moons does Jupiter have?"]
    found = check(assistant, questions)
    assert max(found.best_rerank) < RERANK_RELATED
    assert found.told_nothing_now == found.told_nothing_before
