"""Index segments: the committed index is a list of immutable segments (each its own sentence table,
BM25 postings and, with FAISS, its own vector file) plus, per segment, the documents deleted from it.

New or changed documents go to a new segment and the rows they replace are tombstoned, so adding an
article writes only that article's rows and never rewrites the large segment (Lucene's design). Keys
only grow, so the segments' rows in order are in key order, and this module shows their live rows as
one table (``LiveTable``) and their vectors as one store (``SegmentedFaiss``). ``merge_plan`` picks the
segments a background merge compacts (``rag.index.merge_segments``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from rag.bm25 import Postings
from rag.sentence_table import SentenceRows, SentenceTable
from rag.types import Sentence

MAX_SEGMENTS = 8        # more than this and the small segments are merged
MAX_DEAD_SHARE = 0.3    # tombstoned rows above this share of all rows: everything is merged


@dataclass(frozen=True, eq=False)
class Segment:
    """One immutable segment as read: its rows, its BM25 postings, its FAISS store (None when the
    vectors are in Milvus), the manifest entry it was read from, and its files' checksums."""

    id: str
    table: SentenceTable
    postings: Postings
    faiss: object | None          # rag.vector_store.FaissStore
    entry: dict = field(default_factory=dict)
    checksums: dict = field(default_factory=dict)

    def live_rows(self, deleted: Sequence[str]) -> np.ndarray | None:
        """The rows of documents not in ``deleted`` (None: all rows are live)."""
        gone = set(deleted)
        codes = [i for i, name in enumerate(self.table.doc_names) if name in gone]
        if not codes:
            return None
        return np.flatnonzero(~np.isin(self.table.doc_codes, codes))


class LiveTable(SentenceRows):
    """The live rows of several segments as one table: row r is the r-th live row in segment order.
    Reads like a ``SentenceTable`` (``table[row]``, ``keys``, ``rows_of_keys``, ``doc_rows``); with one
    segment and no tombstones it adds nothing (the keys are that table's own array)."""

    def __init__(self, tables: Sequence[SentenceTable], live: Sequence[np.ndarray | None]) -> None:
        self.tables = list(tables)
        self.live = list(live)
        counts = [len(t) if l is None else len(l) for t, l in zip(self.tables, self.live)]
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        parts = [t.keys if l is None else t.keys[l] for t, l in zip(self.tables, self.live)]
        self.keys = parts[0] if len(parts) == 1 else (np.concatenate(parts) if parts else np.zeros(0, np.int64))
        if len(self.keys) > 1 and len(parts) > 1 and not (np.diff(self.keys) > 0).all():
            raise ValueError("segment keys are not increasing from one segment to the next")

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def locate(self, row: int) -> tuple[int, int]:
        """(segment, row in that segment's table) of a live row."""
        s = int(np.searchsorted(self.offsets, row, side="right")) - 1
        local = row - int(self.offsets[s])
        return s, local if self.live[s] is None else int(self.live[s][local])

    def _row(self, row: int) -> Sentence:
        s, local = self.locate(row)
        return self.tables[s][local]

    def __iter__(self) -> Iterator[Sentence]:
        for table, live in zip(self.tables, self.live):
            if live is None:
                yield from table
            else:
                rows = table[:] if len(live) else []
                yield from (rows[r] for r in live.tolist())

    def doc_rows(self) -> dict[str, range]:
        """The live rows of each document (contiguous: a document lives in one segment);
        ValueError when a document is live in two segments or not contiguous in one."""
        out: dict[str, range] = {}
        for s, (table, live) in enumerate(zip(self.tables, self.live)):
            offset = int(self.offsets[s])
            for name, rows in table.doc_rows().items():
                if live is not None:
                    first = int(np.searchsorted(live, rows.start))
                    if first >= len(live) or live[first] != rows.start:
                        continue                      # a tombstoned document
                    rows = range(first, first + len(rows))
                if name in out:
                    raise ValueError(f"document {name!r} is live in two segments")
                out[name] = range(offset + rows.start, offset + rows.stop)
        return out

    def doc_counts(self) -> dict[str, int]:
        """Live rows per document."""
        return {name: len(rows) for name, rows in self.doc_rows().items()}

    def take_all(self) -> SentenceTable:
        """The live rows as one ``SentenceTable`` (a merge writes it as the merged segment)."""
        out = SentenceTable.from_sentences([])
        for table, live in zip(self.tables, self.live):
            out = out.concat(table if live is None else table.take(live))
        return out


class SegmentedFaiss:
    """One FAISS store per segment, searched together: each segment's top k, merged by score (ties:
    lower key first). With exact (flat) segments this returns what one exact index over all rows would."""

    name = "faiss"

    def __init__(self, stores: Sequence[object]) -> None:
        self.stores = [s for s in stores if len(s)]
        self.dim = stores[0].dim if stores else 0
        self._firsts = np.array([int(s.keys[0]) for s in self.stores], dtype=np.int64)

    def __len__(self) -> int:
        return sum(len(s) for s in self.stores)

    def identity(self) -> dict:
        return {"kind": "faiss"}

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        found = [hit for store in self.stores for hit in top_k_by_key(store, query, k)]
        return sorted(found, key=lambda hit: (-hit[1], hit[0]))[:k]

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.int64)
        out = np.zeros((len(keys), self.dim), dtype=np.float32)
        if not len(keys):
            return out
        which = np.searchsorted(self._firsts, keys, side="right") - 1
        if (which < 0).any():
            raise KeyError("a key the FAISS segments do not hold")
        for s in np.unique(which).tolist():
            at = np.flatnonzero(which == s)
            out[at] = self.stores[s].vectors(keys[at])
        return out

    def committed(self) -> None:
        """Nothing outside the index folder to tidy."""


def top_k_by_key(store, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """A store's k best (key, score), equal scores in key order: FAISS breaks a tie at the k-th place
    its own way, so the search is widened until the tie is complete. One index or many segments then
    return the same rows (exactly equal scores happen: the same sentence twice, the fake embedder)."""
    if k <= 0:
        return []
    want = k + 1
    while True:
        found = store.search(query, want)
        if len(found) < want or found[-1][1] < found[k - 1][1]:
            return sorted(found, key=lambda hit: (-hit[1], hit[0]))[:k]
        want *= 2


def merge_plan(sizes: Sequence[int], dead: Sequence[int], max_segments: int = MAX_SEGMENTS,
               full: bool = False) -> range | None:
    """Which segments (a run, in order) a merge compacts, or None.

    Everything when ``full`` or when tombstoned rows pass ``MAX_DEAD_SHARE`` of all rows (that merge
    does rewrite the large segment, in the background). Otherwise, with more than ``max_segments``
    segments, the longest run of segments beside the largest one: adding articles one by one thus
    merges small segments with each other and never rewrites the large one."""
    n = len(sizes)
    if not n:
        return None
    if full or sum(dead) > MAX_DEAD_SHARE * max(sum(sizes), 1):
        return range(0, n) if n > 1 or any(dead) else None
    if n <= max_segments:
        return None
    big = int(np.argmax(sizes))
    run = max((range(0, big), range(big + 1, n)), key=len)
    return run if len(run) >= 2 else None
