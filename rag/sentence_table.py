"""The sentence store: every indexed sentence's key, document, position, offsets and text as Arrow
columns, written as one Arrow IPC file and memory-mapped on reopen.

Reopening a 1M-sentence index used to parse a JSON-lines file into a million ``Sentence`` objects
(~3 s, docs/SCALING.md); here it maps the file and wraps its columns in numpy views, and a
``Sentence`` is made only for a row a caller asks for. Row order is key order: keys only grow
(new sentences get keys above every stored one), so a key is found by binary search.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence, overload

import numpy as np

from rag.types import Sentence

SCHEMA_VERSION = 1


def checked_row(row: int, n: int) -> int:
    """``row`` as a position in 0..n-1 (negative rows count from the end), or IndexError."""
    row = int(row)
    if row < 0:
        row += n
    if not 0 <= row < n:
        raise IndexError(f"row {row} out of range for {n} sentences")
    return row


class SentenceRows(Sequence[Sentence]):
    """What every table of sentences shares (``SentenceTable``, and ``rag.segments.LiveTable`` over
    several): ``rows[i]`` (negative counts from the end) and ``rows[a:b]`` through ``_row``,
    ``rows + [sentences]`` as a plain list, and finding rows by key in the increasing ``keys``."""

    keys: np.ndarray

    def _row(self, row: int) -> Sentence:
        """The sentence at ``row``, already checked to be in 0..len-1."""
        raise NotImplementedError

    @overload
    def __getitem__(self, row: int) -> Sentence: ...
    @overload
    def __getitem__(self, row: slice) -> list[Sentence]: ...

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        return self._row(checked_row(row, len(self)))

    def __add__(self, other: object) -> list[Sentence]:
        """``table + [sentences]``: a plain list, as when the sentences were a list."""
        return list(self) + list(other)   # type: ignore[arg-type]

    def rows_of_keys(self, keys: Sequence[int]) -> np.ndarray:
        """The row of each key, -1 for a key no row holds (the vector store may hold keys of an
        uncommitted or retired build, or of a tombstoned document; they are never served)."""
        keys = np.asarray(keys, dtype=np.int64)
        rows = np.searchsorted(self.keys, keys)
        found = rows < len(self.keys)
        found[found] = self.keys[rows[found]] == keys[found]
        return np.where(found, rows, -1)


@dataclass(frozen=True, eq=False)
class SentenceTable(SentenceRows):
    """Rows of sentences as columns; ``table[row]`` is a ``Sentence``, built on demand.

    Attributes:
        keys: int64, strictly increasing; a sentence's key never changes while its document does
            not (the vector store finds vectors by key).
        doc_codes: int32 code of each row's document in ``doc_names``.
        doc_names: document ids.
        position / start / end: the sentence's index in its document and its character offsets.
        text: a pyarrow large_string array (memory-mapped when read from a file).
    """

    keys: np.ndarray
    doc_codes: np.ndarray
    doc_names: tuple[str, ...]
    position: np.ndarray
    start: np.ndarray
    end: np.ndarray
    text: object   # pyarrow.LargeStringArray

    # --- making tables --------------------------------------------------------------------------
    @classmethod
    def from_sentences(cls, sentences: Sequence[Sentence], first_key: int = 0) -> "SentenceTable":
        """A table of these sentences with keys ``first_key, first_key + 1, ...``."""
        import pyarrow as pa

        names = tuple(dict.fromkeys(s.doc_id for s in sentences))
        code = {name: i for i, name in enumerate(names)}
        n = len(sentences)
        return cls(keys=np.arange(first_key, first_key + n, dtype=np.int64),
                   doc_codes=np.fromiter((code[s.doc_id] for s in sentences), np.int32, n),
                   doc_names=names,
                   position=np.fromiter((s.index for s in sentences), np.int32, n),
                   start=np.fromiter((s.start for s in sentences), np.int64, n),
                   end=np.fromiter((s.end for s in sentences), np.int64, n),
                   text=pa.array([s.text for s in sentences], type=pa.large_string()))

    def take(self, rows: np.ndarray) -> "SentenceTable":
        """The given rows (ascending, so keys stay in order), documents without rows dropped."""
        rows = np.asarray(rows, dtype=np.int64)
        used, codes = np.unique(self.doc_codes[rows], return_inverse=True)
        return SentenceTable(self.keys[rows], codes.astype(np.int32), tuple(self.doc_names[c] for c in used),
                             self.position[rows], self.start[rows], self.end[rows], self.text.take(rows))

    def concat(self, other: "SentenceTable") -> "SentenceTable":
        """These rows, then ``other``'s (whose keys must all be larger)."""
        import pyarrow as pa

        if len(self) and len(other) and other.keys[0] <= self.keys[-1]:
            raise ValueError(f"keys must grow: {other.keys[0]} after {self.keys[-1]}")
        names = list(self.doc_names)
        code = {name: i for i, name in enumerate(names)}
        for name in other.doc_names:
            if name not in code:
                code[name] = len(names)
                names.append(name)
        remap = np.array([code[name] for name in other.doc_names], dtype=np.int32)
        return SentenceTable(np.concatenate([self.keys, other.keys]),
                             np.concatenate([self.doc_codes, remap[other.doc_codes] if len(other) else other.doc_codes]),
                             tuple(names), np.concatenate([self.position, other.position]),
                             np.concatenate([self.start, other.start]), np.concatenate([self.end, other.end]),
                             pa.concat_arrays([self.text, other.text]))

    # --- reading rows ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    def _row(self, row: int) -> Sentence:
        return Sentence(self.doc_names[self.doc_codes[row]], int(self.position[row]), int(self.start[row]),
                        int(self.end[row]), self.text[row].as_py())

    def __iter__(self) -> Iterator[Sentence]:
        texts = self.text.to_pylist()
        for row, text in enumerate(texts):
            yield Sentence(self.doc_names[self.doc_codes[row]], int(self.position[row]), int(self.start[row]),
                           int(self.end[row]), text)

    def doc_counts(self) -> dict[str, int]:
        """Rows per document."""
        counts = np.bincount(self.doc_codes, minlength=len(self.doc_names)) if len(self) else []
        return {name: int(c) for name, c in zip(self.doc_names, counts) if c}

    def doc_rows(self) -> dict[str, range]:
        """The rows of each document. A document's rows are contiguous (each build writes a document's
        sentences together); ValueError when they are not, as that table was not written by us."""
        if not len(self):
            return {}
        starts = np.flatnonzero(np.diff(self.doc_codes)) + 1
        bounds = np.concatenate([[0], starts, [len(self)]]).tolist()
        out: dict[str, range] = {}
        for a, b in zip(bounds[:-1], bounds[1:]):
            name = self.doc_names[self.doc_codes[a]]
            if name in out:
                raise ValueError(f"the rows of document {name!r} are not contiguous")
            out[name] = range(a, b)
        return out

    def texts(self) -> list[str]:
        return self.text.to_pylist()

    # --- the file -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The Arrow IPC file (one uncompressed record batch, so it can be memory-mapped)."""
        import pyarrow as pa

        doc = pa.DictionaryArray.from_arrays(pa.array(self.doc_codes, pa.int32()),
                                             pa.array(list(self.doc_names), pa.string()))
        batch = pa.record_batch([pa.array(self.keys, pa.int64()), doc, pa.array(self.position, pa.int32()),
                                 pa.array(self.start, pa.int64()), pa.array(self.end, pa.int64()),
                                 self.text.cast(pa.large_string())],
                                names=["key", "doc_id", "index", "start", "end", "text"])
        batch = batch.replace_schema_metadata({"rag.sentence_table": str(SCHEMA_VERSION)})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return sink.getvalue().to_pybytes()

    @classmethod
    def read(cls, path: Path) -> "SentenceTable":
        """Memory-map the file written by ``to_bytes``: numeric columns become numpy views of the
        mapping and no text is read until a row is asked for. ValueError if it is not such a file."""
        import pyarrow as pa

        try:
            reader = pa.ipc.open_file(pa.memory_map(str(path), "r"))
            if reader.num_record_batches > 1:
                raise ValueError("more than one record batch")
            batch = reader.get_batch(0) if reader.num_record_batches else None
        except (pa.ArrowInvalid, OSError) as exc:
            raise ValueError(f"{Path(path).name} is not a readable Arrow file ({exc})") from None
        meta = (reader.schema.metadata or {}).get(b"rag.sentence_table")
        if meta != str(SCHEMA_VERSION).encode():
            raise ValueError(f"{Path(path).name} is not a sentence table of version {SCHEMA_VERSION}")
        if batch is None:
            return cls.from_sentences([])
        doc = batch.column("doc_id")

        def numbers(name: str, dtype) -> np.ndarray:
            column = batch.column(name)
            if column.null_count:
                raise ValueError(f"{Path(path).name}: column {name} has nulls")
            return _numpy_view(column).astype(dtype, copy=False)

        table = cls(keys=numbers("key", np.int64), doc_codes=_numpy_view(doc.indices),
                    doc_names=tuple(doc.dictionary.to_pylist()), position=numbers("index", np.int32),
                    start=numbers("start", np.int64), end=numbers("end", np.int64), text=batch.column("text"))
        if len(table) > 1 and not (np.diff(table.keys) > 0).all():
            raise ValueError(f"{Path(path).name}: keys are not strictly increasing")
        return table


def _numpy_view(column: "pa.Array") -> np.ndarray:
    """A zero-copy numpy view of a null-free fixed-width integer Arrow array. ``Array.to_numpy``
    does the same but first imports pandas (~0.5-1 s of a cold start) to check for it."""
    import pyarrow as pa

    if not pa.types.is_integer(column.type) or column.null_count:
        raise ValueError(f"expected a null-free integer column, got {column.type} with {column.null_count} nulls")
    dtype = np.dtype(str(column.type))
    return np.frombuffer(column.buffers()[1], dtype=dtype, count=len(column), offset=column.offset * dtype.itemsize)
