"""Reciprocal rank fusion and sentence windows, on the fake embedder."""

from __future__ import annotations

from pathlib import Path

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
