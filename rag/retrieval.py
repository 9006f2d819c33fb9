"""Hybrid retrieval: dense (FAISS cosine) and BM25 candidates fused into one ranking (``rag.fusion``),
optionally reranked (``rag.rerank``).

Each hit is widened into a sentence window (its neighbours on both sides) for the reader:
neighbours carry the names that pronouns in the hit sentence refer to.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.fusion import feature_matrix, idf, load_fusion, name_words, rrf_scores
from rag.index import SentenceIndex
from rag.types import Document, Embedder, Hit, Reranker, Sentence, Window


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank(d)), rank from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class BM25:
    """BM25 over sentence texts (bm25s, English stop words, Snowball stemming)."""

    def __init__(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> None:
        """``documents``: the document id of each text (default: each text its own document), so
        that a name can be known to occur in one document only."""
        import bm25s
        import Stemmer

        logging.getLogger("bm25s").setLevel(logging.WARNING)   # it logs every index build at DEBUG

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer("english")
        self.size = len(texts)
        self.model = bm25s.BM25()
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer, show_progress=False)
        self.model.index(tokens, show_progress=False)
        # bm25s keeps one posting list per term (CSC: rows of term t are indices[indptr[t]:indptr[t+1]])
        self._indptr = self.model.scores["indptr"]
        self._rows = self.model.scores["indices"]
        self.idf = idf(np.diff(self._indptr), self.size)
        self._doc_of = np.asarray(list(documents) if documents is not None else range(self.size), dtype=object)

    def _tokens(self, text: str) -> list[str]:
        return self._bm25s.tokenize([text], stopwords="en", stemmer=self._stemmer, show_progress=False,
                                    return_ids=False)[0]

    def term_ids(self, text: str) -> list[int]:
        """Ids of the text's terms that occur in the indexed sentences (stop words and unknown terms left out)."""
        return self.model.get_tokens_ids(self._tokens(text)) if self.size else []

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """The BM25 score of every row for ``query``, and its ideal score: the sum of the IDFs of its
        known terms, about what a sentence holding each of them once scores (0 when none is known)."""
        ids = self.term_ids(query)
        if not ids:
            return np.zeros(self.size, dtype=np.float32), 0.0
        return self.model.get_scores_from_ids(ids), float(self.idf[ids].sum())

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(row, score) pairs with a positive score, best first."""
        return top_rows(self.scores(query)[0], k)

    def _name_terms(self, question: str) -> list[tuple[float, str, frozenset]]:
        """(IDF, stemmed term, the documents holding it) for each term of the question's
        ``name_words``; a term no sentence holds gets the highest IDF and no documents."""
        out: list[tuple[float, str, frozenset]] = []
        for word in name_words(question):
            for term in self._tokens(word):
                tid = self.model.vocab_dict.get(term) if self.size else None
                if tid is None:
                    out.append((float(idf(0, self.size)), term, frozenset()))
                else:
                    rows = self._rows[self._indptr[tid]:self._indptr[tid + 1]]
                    out.append((float(self.idf[tid]), term, frozenset(self._doc_of[rows].tolist())))
        return out

    def names_known(self, question: str) -> float | None:
        """IDF-weighted share of the question's names and numbers that some sentence holds (None: it has none)."""
        terms = self._name_terms(question)
        total = sum(w for w, _, _ in terms)
        return sum(w for w, _, docs in terms if docs) / total if total > 0 else None

    def name_features(self, question: str, sentences: Sequence[Sentence]) -> np.ndarray:
        """Three columns per sentence, each an IDF-weighted share of the question's names and numbers
        (``name_words``; a name no sentence holds counts at the highest IDF; all 0 when the question
        has none): ``name_cover``, those the sentence itself holds (not its predecessor, which BM25
        sees too, so the sentence that names someone outranks the one after it); ``unique_cover``,
        those it holds among the names that occur in one document only; ``doc_name_cover``, those
        its document holds anywhere."""
        terms = self._name_terms(question)
        out = np.zeros((len(sentences), 3))
        total = sum(w for w, _, _ in terms)
        unique_total = sum(w for w, _, docs in terms if len(docs) == 1)
        if not sentences or total <= 0:
            return out
        for i, sentence in enumerate(sentences):
            own = set(self._stemmer.stemWords(re.findall(r"\w\w+", sentence.text.lower())))
            out[i, 0] = sum(w for w, term, _ in terms if term in own) / total
            if unique_total > 0:
                out[i, 1] = sum(w for w, term, docs in terms if len(docs) == 1 and term in own) / unique_total
            out[i, 2] = sum(w for w, _, docs in terms if sentence.doc_id in docs) / total
        return out


def top_rows(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (row, score) pairs with a positive score, best first (ties: lower row first)."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = sorted(part.tolist(), key=lambda r: (-float(scores[r]), r))
    return [(int(r), float(scores[r])) for r in order if scores[r] > 0]


def bm25_texts(sentences: Sequence[Sentence]) -> list[str]:
    """BM25 sees each sentence with the one before it, so a sentence that says "he" or "the
    team" still matches the name a question uses (xquad_en fused hit@1 0.79 -> 0.815)."""
    out = []
    for i, s in enumerate(sentences):
        prev = sentences[i - 1] if i and sentences[i - 1].doc_id == s.doc_id else None
        out.append(f"{prev.text} {s.text}" if prev else s.text)
    return out


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


class HybridRetriever:
    """Dense + BM25 retrieval over a SentenceIndex, fused ("hybrid", see ``rag.fusion``), or either alone."""

    def __init__(self, index: SentenceIndex, embedder: Embedder, documents: Sequence[Document]) -> None:
        self.index = index
        self.embedder = embedder
        self.documents = {d.doc_id: d for d in documents}
        self.bm25 = BM25(bm25_texts(index.sentences), [s.doc_id for s in index.sentences])

    def candidates(self, question: str, *, mode: str = "hybrid", candidates: int = 30,
                   query_vector: np.ndarray | None = None) -> tuple[Candidates, dict[str, float]]:
        """The union of each retriever's top ``candidates`` rows with their FEATURES (rag.fusion),
        and per-stage timings in seconds."""
        timings: dict[str, float] = {}
        dense: list[tuple[int, float]] = []
        sparse: list[tuple[int, float]] = []
        bm25_all, bm25_ideal = None, 0.0
        if mode in ("hybrid", "dense"):
            t = time.perf_counter()
            if query_vector is None:
                query_vector = self.embedder.embed([question])[0]
            timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            dense = self.index.search(query_vector, candidates)
            timings["search"] = time.perf_counter() - t
        if mode in ("hybrid", "bm25"):
            t = time.perf_counter()
            bm25_all, bm25_ideal = self.bm25.scores(question)
            sparse = top_rows(bm25_all, candidates)
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
             fusion: str = "rrf", query_vector: np.ndarray | None = None) -> tuple[list[Hit], dict[str, float]]:
        """All candidates, best first by ``fusion`` ("rrf", "weighted" or "weighted+boost"; a single
        mode keeps its retriever's order), each with its relatedness; and per-stage timings in seconds."""
        found, timings = self.candidates(question, mode=mode, candidates=candidates, query_vector=query_vector)
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
        doc_sentences = self.index.doc_sentences(hit.sentence.doc_id)
        i = hit.sentence.index
        chosen = tuple(doc_sentences[max(0, i - radius): i + radius + 1])
        doc = self.documents[hit.sentence.doc_id]
        start, end = chosen[0].start, chosen[-1].end
        return Window(doc_id=doc.doc_id, title=doc.title, text=doc.text[start:end], start=start, end=end,
                      sentences=chosen, center=i - chosen[0].index, rank=rank,
                      retrieval_score=hit.score, dense_score=hit.dense_score)

    def retrieve(self, question: str, *, top_k: int = 5, window: int = 1, mode: str = "hybrid",
                 candidates: int = 30, rrf_k: int = 60, fusion: str = "rrf", reranker: Reranker | None = None,
                 rerank_depth: int = 20, exclude: frozenset[str] = frozenset()) -> Retrieval:
        """Hits for the question and the reader windows around the top ``top_k`` of them.

        ``reranker`` (None: none) reorders the first ``rerank_depth`` fused hits before the windows
        are cut. ``exclude`` drops hits from those documents (calibration asks questions with their
        gold paragraph hidden, to see what an unanswerable question looks like)."""
        hits, timings = self.rank(question, mode=mode, candidates=candidates, rrf_k=rrf_k, fusion=fusion)
        if exclude:
            hits = [h for h in hits if h.sentence.doc_id not in exclude]
        if reranker is not None:
            from rag.rerank import rerank

            t = time.perf_counter()
            hits = rerank(question, hits, reranker, rerank_depth, self.documents)
            timings["rerank"] = time.perf_counter() - t
        windows = [self.window(hit, window, rank) for rank, hit in enumerate(hits[:top_k])]
        return Retrieval(hits=hits, windows=windows, timings=timings)
