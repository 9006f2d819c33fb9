"""Reciprocal rank fusion and sentence windows, on the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FakeEmbedder, fake_split
from rag.corpus import load_corpus
from rag.index import open_index
from rag.retrieval import HybridRetriever, rrf_fuse


def test_rrf_rewards_agreement() -> None:
    fused = dict(rrf_fuse([[1, 2, 3], [3, 1, 4]], k=60))
    assert fused[1] == 1 / 61 + 1 / 62
    assert max(fused, key=fused.get) == 1 and fused[3] > fused[2] and 4 in fused


def _retriever(mini_corpus: Path, tmp_path: Path) -> HybridRetriever:
    corpus = load_corpus(mini_corpus)
    embedder = FakeEmbedder()
    index, _ = open_index(corpus, embedder, tmp_path / "idx", fake_split, splitter="fake")
    return HybridRetriever(index, embedder, corpus.documents)


def test_hybrid_finds_the_sentence_and_windows_are_verbatim(mini_corpus: Path, tmp_path: Path) -> None:
    retriever = _retriever(mini_corpus, tmp_path)
    docs = {d: (mini_corpus / f"{d}.txt") for d in ("cats", "dogs")}
    for mode in ("bm25", "dense", "hybrid"):
        result = retriever.retrieve("When was Rex born?", top_k=3, window=1, mode=mode)
        # BM25 sees each sentence with the one before it, so the next sentence ties with it
        top = [h.sentence.text for h in result.hits[:2 if mode == "bm25" else 1]]
        assert "The dog Rex was born in 2015." in top, mode
    window = result.windows[0]
    text = docs["dogs"].read_text()
    assert text[window.start:window.end] == window.text
    assert [s.text for s in window.sentences] == ["Dogs bark at the postman.", "The dog Rex was born in 2015.",
                                                  "Rex lives in Berlin."]
    assert window.center == 1


def test_window_at_document_edge(mini_corpus: Path, tmp_path: Path) -> None:
    retriever = _retriever(mini_corpus, tmp_path)
    hit = retriever.rank("postman bark", mode="bm25")[0][0]
    window = retriever.window(hit, radius=2, rank=0)
    assert window.sentences[0].index == 0 and window.center == 0 and len(window.sentences) == 3


def test_question_with_no_known_words_returns_no_bm25_hits(mini_corpus: Path, tmp_path: Path) -> None:
    retriever = _retriever(mini_corpus, tmp_path)
    assert retriever.bm25.search("zzzz qqqq", 5) == []


def _long_retriever(tmp_path: Path) -> HybridRetriever:
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "a.txt").write_text(" ".join(f"Alpha fact {k} is here." for k in range(12)), encoding="utf-8")
    (folder / "b.txt").write_text(" ".join(f"Beta fact {k} is here." for k in range(6)), encoding="utf-8")
    corpus = load_corpus(folder)
    embedder = FakeEmbedder()
    index, _ = open_index(corpus, embedder, tmp_path / "idx", fake_split, splitter="fake")
    return HybridRetriever(index, embedder, corpus.documents)


def _hits(retriever: HybridRetriever, *where: tuple[str, int]):
    from rag.types import Hit

    return [Hit(retriever.index.doc_sentences(doc)[i], score=1.0 / (n + 1)) for n, (doc, i) in enumerate(where)]


def test_windows_share_no_sentence_and_neighbouring_hits_widen_one(tmp_path: Path) -> None:
    """The reader never reads a sentence twice (its joint softmax would split an answer between two
    copies): hits next to each other widen one window, up to 5 sentences; the rest are cut."""
    r = _long_retriever(tmp_path)
    hits = _hits(r, ("a", 5), ("a", 6), ("b", 0), ("a", 3), ("a", 1), ("a", 8), ("a", 10), ("b", 4), ("a", 11))
    ranges = lambda ws: [(w.doc_id, w.sentences[0].index, w.sentences[-1].index + 1, w.center) for w in ws]

    windows = r.distinct_windows(hits, top_k=5, radius=1)
    # a5 -> [4,7); a6 is inside it; b0 -> [0,2); a3 widens a[4,7) to [2,7) (5 sentences); a1 would make
    # it [0,7) (7 > 5), so it gets [0,2) of its own; then, filling: a8 -> [7,10), a10 widens it to
    # [7,12), b4 -> [3,6); five windows, so a11 is not reached
    assert ranges(windows) == [("a", 2, 7, 3), ("b", 0, 2, 0), ("a", 0, 2, 1), ("a", 7, 12, 1), ("b", 3, 6, 1)]
    seen = [(w.doc_id, s.index) for w in windows for s in w.sentences]
    assert len(seen) == len(set(seen)) and len(windows) == 5
    for w in windows:
        text = (tmp_path / "long" / f"{w.doc_id}.txt").read_text()
        assert text[w.start:w.end] == w.text and w.sentences[w.center] in [h.sentence for h in hits]
    assert [w.rank for w in windows] == list(range(5))

    merged = r.distinct_windows(hits, top_k=5, radius=1, fill=False)      # only the first 5 hits
    assert ranges(merged) == [("a", 2, 7, 3), ("b", 0, 2, 0), ("a", 0, 2, 1)]
    overlap = r.retrieve("Alpha fact", top_k=5, window=1, windows_mode="overlap").windows
    assert len(overlap) == 5
    with pytest.raises(ValueError, match="windows_mode"):
        r.retrieve("Alpha fact", windows_mode="merged")


def test_settings_check_the_windows_mode() -> None:
    from rag.settings import Settings

    assert Settings().windows == "merge"
    with pytest.raises(ValueError, match="windows"):
        Settings(windows="all")


@pytest.mark.parametrize("scan_rows", [50_000, 1])
def test_only_retrieves_from_the_named_documents_even_when_others_match_better(
        mini_corpus: Path, tmp_path: Path, monkeypatch, scan_rows: int) -> None:
    """The best sentences of the named documents, not the corpus's best filtered (which may hold none
    of them); many named documents' sentences are found through the index, a few scanned whole."""
    import rag.retrieval

    monkeypatch.setattr(rag.retrieval, "SCAN_ROWS", scan_rows)
    retriever = _retriever(mini_corpus, tmp_path)
    everywhere = retriever.retrieve("When was Rex born?", top_k=2, candidates=2)
    assert everywhere.hits[0].sentence.doc_id == "dogs"
    only = retriever.retrieve("When was Rex born?", top_k=2, candidates=2, only=frozenset({"cats"}))
    assert only.hits and {h.sentence.doc_id for h in only.hits} == {"cats"}
    assert {w.doc_id for w in only.windows} == {"cats"}
    assert retriever.retrieve("When was Rex born?", only=frozenset({"nowhere"})).hits == []
