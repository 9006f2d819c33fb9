"""Hybrid retrieval: dense (FAISS cosine) and BM25 candidates fused into one ranking (``rag.fusion``),
optionally reranked (``rag.rerank``).

Each hit is widened into a sentence window (its neighbours on both sides) for the reader:
neighbours carry the names that pronouns in the hit sentence refer to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.bm25 import BM25, bm25_texts, top_rows  # noqa: F401  (re-exported: tools and tests import them from here)
from rag.fusion import feature_matrix, load_fusion, rrf_scores
from rag.index import SentenceIndex
from rag.settings import WINDOW_MODES, Settings
from rag.types import Document, Embedder, Hit, Reranker, Sentence, Window

# The longest window the reader was trained on (rag.tools.train_reader --max-sentences); merged windows stop there.
MAX_WINDOW_SENTENCES = 5


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank(d)), rank from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Candidates:
    """A question's candidate rows (dense top-k, then BM25's that are not among them) with their
    FEATURES (one row each, ``rag.fusion``), raw BM25 scores and each retriever's 0-based rank."""

    rows: list[int]
    features: np.ndarray
    bm25: np.ndarray
    dense_rank: list[int | None]
    bm25_rank: list[int | None]


@dataclass(frozen=True)
class Retrieval:
    """The ranked hits for a question and the windows built around the best of them."""

    hits: list[Hit]
    windows: list[Window]
    timings: dict[str, float]


def _clear_of(taken: Sequence[list], lo: int, hi: int, keep_lo: int, keep_hi: int) -> tuple[int, int] | None:
    """[lo, hi) cut so that it shares no sentence with the ``taken`` windows ([doc, lo, hi, hit]) while
    still holding [keep_lo, keep_hi); None when a taken window lies inside what must be kept."""
    for _, t_lo, t_hi, _ in taken:
        if t_hi <= keep_lo:
            lo = max(lo, t_hi)
        elif t_lo >= keep_hi:
            hi = min(hi, t_lo)
        else:
            return None
    return lo, hi


SCAN_ROWS = 50_000   # documents named by a question with at most this many sentences are scanned whole


class HybridRetriever:
    """Dense + BM25 retrieval over a SentenceIndex, fused ("hybrid", see ``rag.fusion``), or either alone."""

    def __init__(self, index: SentenceIndex, embedder: Embedder, documents: Sequence[Document]) -> None:
        self.index = index
        self.embedder = embedder
        self.documents = {d.doc_id: d for d in documents}
        # the index persists its BM25 (memory-mapped on reopen); an index object without one gets it built here
        bm25 = getattr(index, "bm25", None)
        self.bm25 = bm25 if bm25 is not None else BM25(bm25_texts(index.sentences),
                                                        [s.doc_id for s in index.sentences])

    def candidates(self, question: str, *, mode: str = "hybrid", candidates: int = 30,
                   query_vector: np.ndarray | None = None, only: frozenset[str] | None = None
                   ) -> tuple[Candidates, dict[str, float]]:
        """The union of each retriever's top ``candidates`` rows with their FEATURES (rag.fusion),
        and per-stage timings in seconds; ``only``: rows of these documents alone (each retriever's
        best among them, not the corpus's best filtered, which may hold none of them)."""
        timings: dict[str, float] = {}
        dense: list[tuple[int, float]] = []
        sparse: list[tuple[int, float]] = []
        bm25_all, bm25_ideal = None, 0.0
        allowed = self.index.rows_of(only) if only is not None else None
        if mode in ("hybrid", "dense"):
            t = time.perf_counter()
            if query_vector is None:
                query_vector = self.embedder.embed([question])[0]
            timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            if allowed is None:
                dense = self.index.search(query_vector, candidates)
            elif len(allowed) <= SCAN_ROWS:        # a few documents' vectors, scored directly
                cosine = self.index.vectors_at(allowed) @ query_vector
                best = np.argsort(-cosine, kind="stable")[:candidates]
                dense = [(int(allowed[i]), float(cosine[i])) for i in best]
            else:                                  # many: the index's best, deeper, then kept to them
                found = self.index.search(query_vector, candidates * 20)
                keep = np.isin([r for r, _ in found], allowed)
                dense = [hit for hit, k in zip(found, keep) if k][:candidates]
            timings["search"] = time.perf_counter() - t
        if mode in ("hybrid", "bm25"):
            t = time.perf_counter()
            bm25_all, bm25_ideal = self.bm25.scores(question)
            if allowed is None:
                sparse = top_rows(bm25_all, candidates)
            else:
                kept = np.zeros_like(bm25_all)
                kept[allowed] = bm25_all[allowed]
                sparse = top_rows(kept, candidates)
            timings["search"] = timings.get("search", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        rows = list(dict.fromkeys([r for r, _ in dense] + [r for r, _ in sparse]))
        dense_score = dict(dense)
        if mode != "bm25" and query_vector is not None:
            # dense cosine of rows only BM25 found, so every hit has a comparable similarity
            missing = [row for row in rows if row not in dense_score]
            if missing:
                dense_score.update(zip(missing, (self.index.vectors_at(missing) @ query_vector).tolist()))
        bm25 = bm25_all[rows].astype(np.float64) if bm25_all is not None and rows else np.zeros(len(rows))
        x = feature_matrix(np.array([dense_score.get(row, 0.0) for row in rows]), bm25, bm25_ideal,
                           self.bm25.name_features(question, [self.index.sentences[r] for r in rows]),
                           self.bm25.names_known(question))
        dense_rank = {row: i for i, (row, _) in enumerate(dense)}
        bm25_rank = {row: i for i, (row, _) in enumerate(sparse)}
        found = Candidates(rows, x, bm25, [dense_rank.get(r) for r in rows], [bm25_rank.get(r) for r in rows])
        timings["features"] = time.perf_counter() - t
        return found, timings

    def rank(self, question: str, *, mode: str = "hybrid", candidates: int = 30, rrf_k: int = 60,
             fusion: str = Settings.fusion, query_vector: np.ndarray | None = None,
             only: frozenset[str] | None = None) -> tuple[list[Hit], dict[str, float]]:
        """All candidates, best first by ``fusion`` ("rrf", "weighted" or "weighted+boost"; a single
        mode keeps its retriever's order), each with its relatedness; and per-stage timings in seconds."""
        found, timings = self.candidates(question, mode=mode, candidates=candidates, query_vector=query_vector,
                                         only=only)
        t = time.perf_counter()
        params = load_fusion()
        if fusion == "rrf" or mode != "hybrid":
            scores = rrf_scores(found.dense_rank, found.bm25_rank, rrf_k)
        else:
            scores = params.rankers[fusion].score(found.features)
        related = params.relatedness(found.features)
        rows, x = found.rows, found.features
        order = sorted(range(len(rows)), key=lambda i: (-scores[i], rows[i]))
        hits = [Hit(self.index.sentences[rows[i]], float(scores[i]), float(x[i, 0]), found.dense_rank[i],
                    found.bm25_rank[i], bm25_score=float(found.bm25[i]), relatedness=float(related[i]))
                for i in order]
        timings["fusion"] = time.perf_counter() - t + timings.pop("features")
        return hits, timings

    def window(self, hit: Hit, radius: int, rank: int) -> Window:
        """The hit sentence with ``radius`` neighbours on each side, as one verbatim slice."""
        i, doc_sentences = hit.sentence.index, self.index.doc_sentences(hit.sentence.doc_id)
        return self._window(hit, doc_sentences, max(0, i - radius), min(len(doc_sentences), i + radius + 1), rank)

    def retrieve(self, question: str, *, top_k: int = 5, window: int = 1, mode: str = "hybrid",
                 candidates: int = 30, rrf_k: int = 60, fusion: str = Settings.fusion, reranker: Reranker | None = None,
                 rerank_depth: int = Settings.rerank_depth, exclude: frozenset[str] = frozenset(),
                 windows_mode: str = "merge", only: frozenset[str] | None = None) -> Retrieval:
        """Hits for the question and the reader windows around the top ``top_k`` of them.

        ``windows_mode`` (``Settings.windows``): "merge" (windows around the first ``top_k`` hits that
        share no sentence, ``distinct_windows``; fewer when hits are neighbours), "fill" (the same, then
        further hits until there are ``top_k`` windows) or "overlap" (one window per hit).

        ``reranker`` (None: none) reorders the first ``rerank_depth`` fused hits before the windows
        are cut. ``exclude`` drops hits from those documents (calibration asks questions with their
        gold paragraph hidden, to see what an unanswerable question looks like); ``only`` (None: all)
        retrieves from those documents alone ("according to Newshub", ``rag.sources``)."""
        if windows_mode not in WINDOW_MODES:
            raise ValueError(f"windows_mode must be one of {WINDOW_MODES}, got {windows_mode!r}")
        hits, timings = self.rank(question, mode=mode, candidates=candidates, rrf_k=rrf_k, fusion=fusion, only=only)
        if exclude:
            hits = [h for h in hits if h.sentence.doc_id not in exclude]
        if reranker is not None:
            from rag.rerank import rerank

            t = time.perf_counter()
            hits = rerank(question, hits, reranker, rerank_depth, self.documents)
            timings["rerank"] = time.perf_counter() - t
        windows = (self.distinct_windows(hits, top_k, window, fill=windows_mode == "fill") if windows_mode != "overlap"
                   else [self.window(hit, window, rank) for rank, hit in enumerate(hits[:top_k])])
        return Retrieval(hits=hits, windows=windows, timings=timings)

    def distinct_windows(self, hits: Sequence[Hit], top_k: int, radius: int, fill: bool = True) -> list[Window]:
        """Windows around the best hits that share no sentence, so the reader reads each sentence once
        (as it was trained: its joint softmax would split an answer's probability between two copies).

        A hit already inside a window adds nothing; one whose window overlaps another of the same
        document widens that one, up to MAX_WINDOW_SENTENCES (the longest window the reader was
        trained on); past that it is cut to the sentences not yet taken. The first ``top_k`` hits are
        always covered; with ``fill``, further hits follow until there are ``top_k`` windows."""
        cap = max(MAX_WINDOW_SENTENCES, 2 * radius + 1)
        spans: list[list] = []        # [doc_id, lo, hi, first hit]
        sentences: dict[str, list[Sentence]] = {}
        for n, hit in enumerate(hits):
            if n >= top_k and (not fill or len(spans) >= top_k):
                break
            doc_id, i = hit.sentence.doc_id, hit.sentence.index
            if doc_id not in sentences:
                sentences[doc_id] = self.index.doc_sentences(doc_id)
            count = len(sentences[doc_id])
            lo, hi = max(0, i - radius), min(count, i + radius + 1)
            mine = [sp for sp in spans if sp[0] == doc_id]
            if any(sp[1] <= i < sp[2] for sp in mine):
                continue
            for sp in mine:               # widen a window this one overlaps, within the cap
                if lo < sp[2] and sp[1] < hi:
                    kept = _clear_of([x for x in mine if x is not sp], min(lo, sp[1]), max(hi, sp[2]),
                                     min(i, sp[1]), max(i + 1, sp[2]))
                    if kept is not None and kept[1] - kept[0] <= cap:
                        sp[1], sp[2] = kept
                        break
            else:
                lo, hi = _clear_of(mine, lo, hi, i, i + 1)    # the hit's own sentence is never taken
                spans.append([doc_id, lo, hi, hit])
        return [self._window(hit, sentences[doc_id], lo, hi, rank) for rank, (doc_id, lo, hi, hit) in enumerate(spans)]

    def _window(self, hit: Hit, doc_sentences: Sequence[Sentence], lo: int, hi: int, rank: int) -> Window:
        """Sentences [lo, hi) of the hit's document, as one verbatim slice; ``center`` is the hit."""
        chosen = tuple(doc_sentences[lo:hi])
        doc = self.documents[hit.sentence.doc_id]
        start, end = chosen[0].start, chosen[-1].end
        return Window(doc_id=doc.doc_id, title=doc.title, text=doc.text[start:end], start=start, end=end,
                      sentences=chosen, center=hit.sentence.index - lo, rank=rank,
                      retrieval_score=hit.score, dense_score=hit.dense_score, rerank_score=hit.rerank_score)
