"""BM25 over sentences (bm25s, English stop words, Snowball stemming), built when the index is
written and persisted beside it, so reopening an index memory-maps BM25 instead of re-tokenising
every sentence (4.2 s at 100k sentences before; docs/SCALING.md)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.fusion import idf, name_words
from rag.types import Sentence

BM25_ID = "bm25s-en-snowball-prev"   # tokeniser and texts (sentence after its predecessor): recorded in the manifest
# bm25s.BM25.load keyword -> the file bm25s.save writes (its default names)
BM25_ARGS = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy", "indptr": "indptr.csc.index.npy",
             "vocab": "vocab.index.json", "params": "params.index.json", "nnoc": "nonoccurrence_array.index.npy"}
BM25_PARTS = tuple(BM25_ARGS.values())


def _quiet() -> None:
    logging.getLogger("bm25s").setLevel(logging.WARNING)   # it logs every index build at DEBUG


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


class BM25:
    """BM25 over sentence texts (bm25s, English stop words, Snowball stemming)."""

    def __init__(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> None:
        """``documents``: the document id of each text (default: each text its own document), so
        that a name can be known to occur in one document only."""
        import bm25s

        _quiet()
        model = bm25s.BM25()
        if texts:
            model.index(bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False),
                        show_progress=False)
        names = list(dict.fromkeys(documents)) if documents is not None else list(range(len(texts)))
        code = {name: i for i, name in enumerate(names)}
        codes = (np.fromiter((code[d] for d in documents), dtype=np.int32, count=len(texts))
                 if documents is not None else np.arange(len(texts), dtype=np.int32))
        self._attach(model, len(texts), codes, names)

    def _attach(self, model, size: int, doc_codes: np.ndarray, doc_names: Sequence) -> None:
        import bm25s

        self._bm25s = bm25s
        self._stemmer = _stemmer()
        self.model = model
        self.size = size
        # bm25s keeps one posting list per term (CSC: rows of term t are indices[indptr[t]:indptr[t+1]])
        self._indptr = np.asarray(model.scores["indptr"]) if size else np.zeros(1, dtype=np.int64)
        self._rows = model.scores["indices"] if size else np.zeros(0, dtype=np.int32)
        self.idf = idf(np.diff(self._indptr), self.size)
        # the document of each row as a code into doc_names: no Python object per row
        self._doc_codes = np.asarray(doc_codes)
        self._doc_names = list(doc_names)

    # --- persistence: bm25s's own files (numpy arrays and JSON, no pickle), memory-mapped on load ----
    def save(self, folder: Path, prefix: str) -> dict[str, str]:
        """Write the index as files ``<prefix>.<part>`` in ``folder`` (each written beside, fsynced, renamed);
        returns {part: file name}. An empty index is not saved (bm25s cannot index nothing)."""
        import tempfile

        if not self.size:
            return {}
        with tempfile.TemporaryDirectory(dir=folder, prefix=".bm25-", suffix=".tmp") as tmp:
            self.model.save(tmp, allow_pickle=False, show_progress=False)
            names = {}
            for part in BM25_PARTS:
                source = Path(tmp) / part
                if not source.is_file():
                    continue
                with open(source, "rb") as handle:
                    os.fsync(handle.fileno())
                names[part] = f"{prefix}.{part}"
                os.replace(source, folder / names[part])
        return names

    @classmethod
    def load(cls, folder: Path, names: dict[str, str], doc_codes: np.ndarray, doc_names: Sequence[str]) -> "BM25":
        """The index saved by ``save``, its score arrays memory-mapped: reopening reads, it does not re-tokenise.

        ``doc_codes`` / ``doc_names``: the document of each row (rag.sentence_table's columns)."""
        import bm25s

        _quiet()
        model = bm25s.BM25.load(folder, mmap=True, allow_pickle=False, show_progress=False,
                                **{f"{arg}_name": names[part] for arg, part in BM25_ARGS.items() if part in names})
        out = cls.__new__(cls)
        out._attach(model, int(model.scores["num_docs"]), doc_codes, doc_names)
        return out

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
                    codes = np.unique(self._doc_codes[rows]).tolist()
                    out.append((float(self.idf[tid]), term, frozenset(self._doc_names[c] for c in codes)))
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
    return joined_texts([s.text for s in sentences], [s.doc_id for s in sentences])


def joined_texts(texts: Sequence[str], documents: Sequence[object]) -> list[str]:
    """``bm25_texts`` over columns: each text after the previous one when both are of the same document."""
    return [f"{texts[i - 1]} {text}" if i and documents[i - 1] == documents[i] else text
            for i, text in enumerate(texts)]
