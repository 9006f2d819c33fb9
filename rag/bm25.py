"""BM25 over sentences (bm25s's tokeniser: English stop words, Snowball stemming), persisted per index
segment and scored with corpus-wide statistics, so a corpus split into segments ranks exactly as one
index would.

Each segment keeps its raw postings (term -> rows and term frequencies) and every row's length, as
numpy files memory-mapped on reopen. A score needs three corpus-wide figures: N (live rows), each
term's document frequency (live rows holding it) and the mean row length. bm25s bakes them into
its stored scores, which would tie a segment to the corpus it was built in; here they are summed over
segments at query time (tombstoned rows left out) and fed to bm25s's own formula ("lucene": the same
IDF, term-frequency component, float types and order of summation), so one segment scores bit for bit
as bm25s does (tests/test_bm25_segments.py) and many segments score as one.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.fusion import idf, name_words
from rag.types import Sentence
from rag.util import atomic_write

# tokeniser, texts (sentence after its predecessor) and file layout: recorded in the manifest
BM25_ID = "bm25s-en-snowball-prev/postings-1"
K1, B = 1.5, 0.75                                   # bm25s.BM25's defaults, as before
POSTING_PARTS = ("indptr", "rows", "tf", "lengths")  # numpy files; "vocab" is JSON


# bm25s.tokenize(texts, stopwords="en", stemmer=..., return_ids=False), written out: importing bm25s
# pulls in scipy, half a second of every cold start, for a regex, 33 stop words and a stemmer.
# tests/test_sentence_table.py checks that the two give the same tokens.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS_EN = frozenset(("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
                          "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
                          "these", "they", "this", "to", "was", "will", "with"))   # bm25s.stopwords.STOPWORDS_EN


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str], stemmer=None) -> list[list[str]]:
    """bm25s's tokens of each text: lower-cased words of 2+ characters, English stop words out,
    Snowball-stemmed (each distinct word stemmed once)."""
    words = [[w for w in TOKEN.findall(text.lower()) if w not in STOPWORDS_EN] for text in texts]
    distinct = list(dict.fromkeys(w for doc in words for w in doc))
    stems = dict(zip(distinct, (stemmer or _stemmer()).stemWords(distinct)))
    return [[stems[w] for w in doc] for doc in words]


@dataclass(frozen=True, eq=False)
class Postings:
    """One segment's inverted index: for term t (``vocab[term] = t``) its rows are
    ``rows[indptr[t]:indptr[t+1]]`` (ascending) with term frequencies ``tf[...]``; ``lengths[row]`` is
    the row's token count. Corpus-independent, so a segment never changes once written."""

    vocab: dict[str, int]
    indptr: np.ndarray     # int64, len(vocab) + 1
    rows: np.ndarray       # int32
    tf: np.ndarray         # float32 (bm25s scores float32 term frequencies)
    lengths: np.ndarray    # int32, one per row

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Postings":
        """Tokenise the texts (one row each) and count their terms."""
        tokens = tokenize(texts)
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(term, len(vocab)) for term in doc] for doc in tokens]
        lengths = np.fromiter((len(doc) for doc in ids), dtype=np.int32, count=len(ids))
        flat = np.fromiter((t for doc in ids for t in doc), dtype=np.int64, count=int(lengths.sum()))
        n = max(len(ids), 1)
        pairs, counts = np.unique(flat * n + np.repeat(np.arange(len(ids), dtype=np.int64), lengths),
                                  return_counts=True)          # sorted by term, then row
        terms = pairs // n
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=indptr[1:])
        return cls(vocab, indptr, (pairs % n).astype(np.int32), counts.astype(np.float32), lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term frequencies) of a term; empty when the segment does not hold it."""
        t = self.vocab.get(term)
        if t is None:
            return self.rows[:0], self.tf[:0]
        a, b = int(self.indptr[t]), int(self.indptr[t + 1])
        return self.rows[a:b], self.tf[a:b]

    # --- files: numpy arrays (no pickle) and the vocabulary as a JSON list, memory-mapped on load --
    def save(self, folder: Path, prefix: str) -> dict[str, str]:
        """Write ``<prefix>.<part>`` files (each atomically); returns {part: file name}."""
        names = {}
        for part in POSTING_PARTS:
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(getattr(self, part)), allow_pickle=False)
            names[part] = f"{prefix}.{part}.npy"
            atomic_write(folder / names[part], buffer.getvalue())
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        names["vocab"] = f"{prefix}.vocab.json"
        atomic_write(folder / names["vocab"], json.dumps(terms, ensure_ascii=False).encode("utf-8"))
        return names

    @classmethod
    def load(cls, folder: Path, names: dict[str, str]) -> "Postings":
        """The files ``save`` wrote; ValueError when they do not fit together."""
        arrays = {part: np.load(folder / names[part], mmap_mode="r", allow_pickle=False) for part in POSTING_PARTS}
        terms = json.loads((folder / names["vocab"]).read_text(encoding="utf-8"))
        out = cls({term: i for i, term in enumerate(terms)}, **arrays)
        if len(out.indptr) != len(terms) + 1 or int(out.indptr[-1]) != len(out.rows) or len(out.rows) != len(out.tf):
            raise ValueError(f"BM25 files {names['vocab']} and its arrays do not fit together")
        return out


@dataclass(frozen=True, eq=False)
class SegmentView:
    """A segment's postings as the corpus sees them: ``live`` is its live rows (None: all), in order;
    ``doc_codes`` / ``doc_names`` the document of each of its rows."""

    postings: Postings
    live: np.ndarray | None
    doc_codes: np.ndarray
    doc_names: Sequence[str]


class BM25:
    """BM25 over the live rows of one or more segments, numbered in segment order (the index's rows)."""

    def __init__(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> None:
        """One in-memory segment of ``texts``; ``documents``: the document id of each text (default:
        each text its own document), so that a name can be known to occur in one document only."""
        names = list(dict.fromkeys(documents)) if documents is not None else list(range(len(texts)))
        code = {name: i for i, name in enumerate(names)}
        codes = (np.fromiter((code[d] for d in documents), dtype=np.int32, count=len(texts))
                 if documents is not None else np.arange(len(texts), dtype=np.int32))
        self._attach([SegmentView(Postings.build(texts), None, codes, names)])

    @classmethod
    def over(cls, segments: Sequence[SegmentView]) -> "BM25":
        """The corpus made of these segments (their live rows, in order)."""
        out = cls.__new__(cls)
        out._attach(list(segments))
        return out

    def _attach(self, segments: list[SegmentView]) -> None:
        self._stemmer = _stemmer()
        self.segments = segments
        self._dead = []        # per segment: bool mask of tombstoned rows, or None
        live_counts, length_sum = [], 0
        for seg in segments:
            if seg.live is None:
                self._dead.append(None)
                live_counts.append(len(seg.postings))
                length_sum += int(seg.postings.lengths.sum(dtype=np.int64))
            else:
                dead = np.ones(len(seg.postings), dtype=bool)
                dead[seg.live] = False
                self._dead.append(dead)
                live_counts.append(len(seg.live))
                length_sum += int(seg.postings.lengths[seg.live].sum(dtype=np.int64))
        self.size = int(sum(live_counts))
        self._offsets = np.concatenate([[0], np.cumsum(live_counts)]).astype(np.int64)
        # bm25s: the mean of the rows' token counts (an exact integer sum, then one division)
        self._avgdl = np.float64(length_sum) / np.float64(self.size) if self.size else np.float64(1.0)

    # --- corpus-wide statistics -------------------------------------------------------------------
    def _live_postings(self, term: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(segment, rows, tf) of a term's live postings, per segment that holds it."""
        out = []
        for s, seg in enumerate(self.segments):
            rows, tf = seg.postings.postings(term)
            if len(rows) and self._dead[s] is not None:
                keep = ~self._dead[s][rows]
                rows, tf = rows[keep], tf[keep]
            if len(rows):
                out.append((s, rows, tf))
        return out

    def rows_with(self, word: str, limit: int | None = None) -> list[int]:
        """The rows (numbered as ``scores`` numbers them) whose text holds the word's terms, in order; at
        most ``limit``. A row's text is its sentence after its predecessor, so check the sentence itself."""
        rows: set[int] = set()
        for term in self._tokens(word):
            for s, found, _ in self._live_postings(term):
                live = self.segments[s].live
                local = found if live is None else np.searchsorted(live, found)
                rows.update((int(self._offsets[s]) + local).tolist())
        return sorted(rows)[:limit]

    def _tokens(self, text: str) -> list[str]:
        return tokenize([text], self._stemmer)[0]

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """The BM25 score of every live row for ``query``, and its ideal score: the sum of the IDFs of its
        known terms, about what a sentence holding each of them once scores (0 when none is known)."""
        per_segment = [np.zeros(len(seg.postings), dtype=np.float32) for seg in self.segments]
        ideal = 0.0
        n = self.size
        for term in self._tokens(query):              # in order, repeats counted, as bm25s does
            found = self._live_postings(term)
            df = sum(len(rows) for _, rows, _ in found)
            if not df:
                continue
            ideal += float(idf(df, n))
            weight = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))   # bm25s's float32 IDF
            for s, rows, tf in found:
                lengths = self.segments[s].postings.lengths[rows].astype(np.float64)
                tfc = tf / (K1 * ((1 - B) + B * lengths / self._avgdl) + tf)
                per_segment[s][rows] += (weight * tfc).astype(np.float32)
        parts = [scores if seg.live is None else scores[seg.live] for seg, scores in zip(self.segments, per_segment)]
        out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return out, ideal

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(row, score) pairs with a positive score, best first."""
        return top_rows(self.scores(query)[0], k)

    def _name_terms(self, question: str) -> list[tuple[float, str, frozenset]]:
        """(IDF, stemmed term, the documents holding it) for each term of the question's
        ``name_words``; a term no sentence holds gets the highest IDF and no documents."""
        out: list[tuple[float, str, frozenset]] = []
        for word in name_words(question):
            for term in self._tokens(word):
                found = self._live_postings(term)
                df = sum(len(rows) for _, rows, _ in found)
                docs = frozenset(self.segments[s].doc_names[c] for s, rows, _ in found
                                 for c in np.unique(self.segments[s].doc_codes[rows]).tolist())
                out.append((float(idf(df, self.size)), term, docs))
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
    return joined_texts([s.text for s in sentences], [s.doc_id for s in sentences])


def joined_texts(texts: Sequence[str], documents: Sequence[object]) -> list[str]:
    """``bm25_texts`` over columns: each text after the previous one when both are of the same document."""
    return [f"{texts[i - 1]} {text}" if i and documents[i - 1] == documents[i] else text
            for i, text in enumerate(texts)]
