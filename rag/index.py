"""The persisted sentence index: segments (each a columnar sentence table, BM25 postings and a vector
store) plus tombstones, reused and updated incrementally, compacted by merges.

Layout of the index folder:
    manifest.json                 format version, model name and hash, splitter, vector store, each
                                  document's content hash and sentence count, the segments in key order
                                  (their files, rows, index kind and the documents deleted from them) and
                                  every data file's checksum (xxh3_128; sha256 in older indexes). Replacing it
                                  (atomically) is the commit point.
    sentences-<seg>.arrow         a segment's key, doc_id, index, start, end, text as one Arrow IPC file,
                                  memory-mapped on reopen (``rag.sentence_table``).
    bm25-<seg>.<part>             its BM25 postings (numpy arrays and a JSON vocabulary, ``rag.bm25``).
    index-<seg>.faiss             its FAISS index when the store is FAISS; row position = segment row.
                                  A Milvus store keeps every segment's vectors in one collection, by key.
New or changed documents go to a new segment; the rows they replace, and removed documents, are
tombstoned in the manifest (``rag.segments``). Data files are written under new names first, so an
interrupted build or merge leaves the previous manifest and its files intact. A lock file serialises
builds between processes; ``merge_segments`` compacts segments outside it and commits under it.
No pickle: Arrow, JSON, numpy arrays and FAISS's own format only.

Retrieval calls ``SentenceIndex.search(query_vector, k) -> [(row, score)]``, ``vectors_at(rows)``,
``sentences`` and ``doc_sentences``; rows are the live rows of all segments in order.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.bm25 import BM25, BM25_ID, POSTING_PARTS, Postings, SegmentView, joined_texts
from rag.corpus import Corpus, content_hash
from rag.segments import MAX_SEGMENTS, LiveTable, Segment, SegmentedFaiss, merge_plan
from rag.sentence_table import SentenceTable
from rag.settings import APPROXIMATE_ABOVE
from rag.types import Document, Embedder, Sentence, VectorStore
from rag.util import atomic_write, checksum_matches, file_checksum
from rag.vector_store import (IVF_NPROBE, choose_index_kind, dense_search,  # noqa: F401  (re-exported)
                              make_faiss_index)

log = logging.getLogger(__name__)

FORMAT_VERSION = 3   # 1: sentences as JSON lines; 2: one generation, bm25s's files (both converted on open)
MANIFEST = "manifest.json"
LOCK = ".lock"
MERGE_LOCK = ".merge.lock"
DATA_PREFIXES = ("sentences-", "index-", "bm25-")
MERGING = "merging-"      # a merge's files until it commits (older builds' cleanup leaves them alone)
MERGE_MODES = ("inline", "background", "off")


@dataclass(frozen=True)
class BuildReport:
    """What loading the index did: which documents were reused, embedded or dropped, and why."""

    reused: list[str] = field(default_factory=list)
    embedded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt_because: str = ""          # non-empty when the stored index could not be used at all
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.removed or self.rebuilt_because)


class SentenceIndex:
    """Sentences (the live rows of the segments' ``SentenceTable``s), their BM25 index and their vectors
    in a ``VectorStore``; retrieval speaks of rows (positions among the live rows), the store of keys."""

    def __init__(self, sentences: LiveTable | SentenceTable, store: VectorStore, manifest: dict,
                 bm25: BM25 | None = None, segments: Sequence[Segment] = (), folder: Path | None = None) -> None:
        self.sentences = sentences if isinstance(sentences, LiveTable) else LiveTable([sentences], [None])
        self.store = store
        self.manifest = manifest
        self.bm25 = bm25
        self.segments = list(segments)
        self.folder = folder
        self._doc_rows: dict[str, range] | None = None

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def faiss(self):
        """The FAISS index when the store is FAISS with one segment (benchmarks and tests read it), else None."""
        stores = getattr(self.store, "stores", [self.store])
        return getattr(stores[0], "index", None) if len(stores) == 1 else None

    def _rows_by_doc(self) -> dict[str, range]:
        """Each document's rows (contiguous), found on first use."""
        if self._doc_rows is None:
            self._doc_rows = self.sentences.doc_rows()
        return self._doc_rows

    def doc_sentences(self, doc_id: str) -> list[Sentence]:
        """A document's sentences, in order."""
        return [self.sentences[r] for r in self._rows_by_doc().get(doc_id, range(0))]

    def rows_of(self, doc_ids: frozenset[str] | set[str]) -> np.ndarray:
        """The rows of these documents' sentences, ascending (none for an id the index does not hold)."""
        rows = self._rows_by_doc()
        ranges = sorted((r for d in doc_ids if (r := rows.get(d))), key=lambda r: r.start)
        return np.concatenate([np.arange(r.start, r.stop) for r in ranges]) if ranges else np.zeros(0, np.int64)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(row, cosine) pairs for one normalised query vector, best first.

        Keys no live row holds (tombstoned rows still in a segment's FAISS file; a Milvus collection
        may hold vectors of an interrupted or just-replaced build) are dropped, asking the store for
        more until ``k`` rows are found."""
        k = min(k, len(self.sentences))
        want = k
        while True:
            found = self.store.search(query, want)
            rows = self.sentences.rows_of_keys([key for key, _ in found]).tolist()
            out = [(r, score) for r, (_, score) in zip(rows, found) if r >= 0]
            if len(out) >= k or len(found) < want:
                return out[:k]
            want *= 2

    def vectors_at(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of some rows, one per row (retrieval scores BM25-only hits with them)."""
        return self.store.vectors(self.sentences.keys[np.asarray(rows, dtype=np.int64)].tolist())

    def vectors(self) -> np.ndarray:
        """All stored vectors, row-aligned with ``sentences``."""
        return self.store.vectors(self.sentences.keys.tolist())


def manifest_files(manifest: dict) -> list[str]:
    """Every data file a manifest names (all segments')."""
    if manifest.get("format_version") == FORMAT_VERSION:
        return [name for entry in manifest.get("segments", []) for name in entry.get("files", {}).values()]
    return list(manifest.get("files", {}).values())


def embedding_text(document: Document, sentence: Sentence) -> str:
    """What is embedded for a sentence: the document title grounds short sentences in their topic
    (on xquad_en, fused hit@5 0.95 -> 0.975 against the bare sentence)."""
    return f"{document.title}. {sentence.text}"


# --- reading -----------------------------------------------------------------------------------

@dataclass
class _Stored:
    """The committed index as read, and why it must be written again even if no document changed."""

    index: SentenceIndex
    rewrite_because: str = ""


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise FileNotFoundError("no index yet")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"manifest is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") not in (1, 2, FORMAT_VERSION):
        raise ValueError(f"index format {manifest.get('format_version') if isinstance(manifest, dict) else '?'} "
                         f"is not the current {FORMAT_VERSION}")
    return manifest


def _unreadable() -> tuple[type[BaseException], ...]:
    """The errors that mean "the stored index cannot be used" (a Milvus store adds its client's)."""
    errors: tuple[type[BaseException], ...] = (ValueError, KeyError, TypeError, RuntimeError, OSError, ImportError)
    try:
        from pymilvus.exceptions import MilvusException
    except ImportError:
        return errors
    return (*errors, MilvusException)


def _read_stored(folder: Path, manifest: dict, current: SentenceIndex | None = None) -> _Stored:
    """The stored index, after checking every data file against the manifest's checksums.

    Segments ``current`` (an index opened earlier from this folder) already holds, with the same files
    and checksums, are taken from it: segments never change, so an update re-reads only new ones.
    The files' checksums run on two other threads (xxhash and hashlib release the GIL) while this one
    maps the tables and opens the stores; nothing is returned before every sum matches."""
    from concurrent.futures import ThreadPoolExecutor

    if manifest["format_version"] == 1:
        return _read_v1(folder, manifest)
    if manifest["format_version"] == 2:
        return _read_v2(folder, manifest)
    entries = manifest.get("segments")
    checksums = manifest.get("checksums", {})
    if not isinstance(entries, list):
        raise ValueError("the manifest lists no segments")
    faiss_store = manifest.get("store", {}).get("kind") == "faiss"
    bm25_ok = manifest.get("bm25") == BM25_ID
    known = {seg.id: seg for seg in (current.segments if current is not None and current.folder == folder else [])}
    segments: list[Segment | None] = []
    to_hash: list[str] = []
    for entry in entries:
        files = entry.get("files", {})
        for role in ("sentences", *(["faiss"] if faiss_store else [])):
            if not files.get(role):
                raise ValueError(f"segment {entry.get('id')!r} lacks its {role} file")
        for name in files.values():
            if not (folder / name).is_file():
                raise ValueError(f"index file {name!r} is missing")
        sums = {name: checksums.get(name) for name in files.values()}
        seen = known.get(entry.get("id"))
        if seen is not None and seen.checksums == sums and seen.entry.get("files") == files:
            segments.append(replace(seen, entry=entry))
        else:
            segments.append(None)
            to_hash.extend(files.values())
    with ThreadPoolExecutor(max_workers=2) as pool:
        sums = pool.map(lambda name: (name, checksum_matches(folder / name, checksums.get(name))), to_hash)
        for i, entry in enumerate(entries):
            if segments[i] is None:
                segments[i] = _read_segment(folder, entry, manifest, bm25_ok)
        for name, ok in sums:
            if not ok:
                raise ValueError(f"index file {name} does not match its checksum (truncated or edited)")
    index = _assemble(folder, manifest, segments)   # type: ignore[arg-type]
    return _Stored(index, "" if bm25_ok else "the BM25 index is stale")


def _read_segment(folder: Path, entry: dict, manifest: dict, bm25_ok: bool) -> Segment:
    """One segment's table, postings and (FAISS) vectors, checked against its manifest entry."""
    files = entry["files"]
    table = SentenceTable.read(folder / files["sentences"])
    if len(table) != entry.get("rows"):
        raise ValueError(f"segment {entry.get('id')!r} has {len(table)} rows, the manifest says {entry.get('rows')}")
    postings = None
    if bm25_ok:
        postings = Postings.load(folder, {part: files[f"bm25:{part}"] for part in (*POSTING_PARTS, "vocab")})
        if len(postings) != len(table):
            raise ValueError(f"the BM25 postings of segment {entry['id']!r} have {len(postings)} rows for {len(table)}")
    store = None
    if manifest.get("store", {}).get("kind") == "faiss":
        import faiss

        from rag.vector_store import FaissStore

        # memory-mapped: a reopen reads no vectors, and only the pages a search touches become
        # resident (segment files are immutable, so the mapping never changes under a search)
        index = faiss.read_index(str(folder / files["faiss"]), faiss.IO_FLAG_MMAP_IFC)
        if index.ntotal != len(table):
            raise ValueError("index row count does not match the manifest")
        if index.d != manifest.get("model", {}).get("dim"):
            raise ValueError(f"index vectors have {index.d} dimensions, not the model's {manifest['model'].get('dim')}")
        store = FaissStore(index, table.keys, entry.get("kind") or "flat", mapped=True)
    checksums = manifest.get("checksums", {})
    return Segment(entry["id"], table, postings, store, entry, {name: checksums.get(name) for name in files.values()})


def _assemble(folder: Path, manifest: dict, segments: Sequence[Segment], milvus=None) -> SentenceIndex:
    """The index the manifest describes, from its segments (in its order) and its tombstones."""
    entries = manifest["segments"]
    live = [seg.live_rows(entry.get("deleted", [])) for seg, entry in zip(segments, entries)]
    table = LiveTable([seg.table for seg in segments], live)
    _check_rows(table, manifest)
    if manifest.get("store", {}).get("kind") == "faiss":
        store = SegmentedFaiss([seg.faiss for seg in segments])
    elif milvus is not None:
        store = milvus
    else:
        store = _open_milvus(manifest, table)
    bm25 = None
    if all(seg.postings is not None for seg in segments):
        bm25 = BM25.over([SegmentView(seg.postings, rows, seg.table.doc_codes, seg.table.doc_names)
                          for seg, rows in zip(segments, live)])
    return SentenceIndex(table, store, manifest, bm25, segments, folder)


def _check_rows(table: LiveTable, manifest: dict) -> None:
    """Rows per document must be what the manifest lists: reusing a document by its hash must never
    duplicate its rows or keep rows of a document the manifest does not know."""
    if len(table) != manifest.get("counts", {}).get("sentences"):
        raise ValueError("index row count does not match the manifest")
    rows = table.doc_counts()     # ValueError when a document's rows are not contiguous or live twice
    listed = manifest.get("documents", {})
    if set(rows) - set(listed) or any(rows.get(doc_id, 0) != info["sentences"] for doc_id, info in listed.items()):
        raise ValueError("index rows per document do not match the manifest's document list")


def _open_milvus(manifest: dict, table: LiveTable) -> VectorStore:
    """The Milvus collection the manifest names, holding the live rows' keys."""
    from rag.vector_store import MilvusStore

    return MilvusStore.open(manifest["store"], table.keys, manifest.get("model", {}).get("dim"),
                            manifest.get("index_kind", "flat"))


def _read_v2(folder: Path, manifest: dict) -> _Stored:
    """An index of format 2 (one generation: table, bm25s's files, FAISS or Milvus): checked as before,
    then written again as one segment by ``open_index`` without embedding anything."""
    files = manifest.get("files", {})
    checksums = manifest.get("checksums", {})
    faiss_store = manifest.get("store", {}).get("kind") == "faiss"
    for role in ("sentences", *(["faiss"] if faiss_store else [])):
        if not files.get(role):
            raise ValueError(f"index file {role!r} is missing")
    for name in files.values():
        if not (folder / name).is_file() or not checksum_matches(folder / name, checksums.get(name)):
            raise ValueError(f"index file {name!r} is missing or does not match its checksum")
    table = LiveTable([SentenceTable.read(folder / files["sentences"])], [None])
    _check_rows(table, manifest)
    if faiss_store:
        import faiss

        from rag.vector_store import FaissStore

        index = faiss.read_index(str(folder / files["faiss"]))
        if index.ntotal != len(table) or index.d != manifest.get("model", {}).get("dim"):
            raise ValueError("the FAISS file does not match the manifest")
        store = FaissStore(index, table.keys, manifest.get("index_kind", "flat"))
    else:
        store = _open_milvus(manifest, table)
    return _Stored(SentenceIndex(table, store, manifest, folder=folder), "index format 2 is converted to format 3")


def _read_v1(folder: Path, manifest: dict) -> _Stored:
    """An index of format 1 (sentences as JSON lines, FAISS): read and checked as before, then written
    again as one segment by ``open_index`` without embedding anything."""
    import faiss

    from rag.vector_store import FaissStore

    files, checksums = manifest.get("files", {}), manifest.get("checksums", {})
    paths = {}
    for role in ("sentences", "faiss"):
        name = files.get(role, "")
        if not name or not (folder / name).is_file():
            raise ValueError(f"index file {name or role!r} is missing")
        paths[role] = folder / name
    data = paths["sentences"].read_bytes()
    if not checksum_matches(paths["sentences"], checksums.get(files["sentences"])) or \
            not checksum_matches(paths["faiss"], checksums.get(files["faiss"])):
        raise ValueError("an index file does not match its checksum (truncated or edited)")
    rows = json.loads(b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]")
    table = LiveTable([SentenceTable.from_sentences([Sentence(r["doc_id"], r["index"], r["start"], r["end"],
                                                              r["text"]) for r in rows])], [None])
    _check_rows(table, manifest)
    index = faiss.read_index(str(paths["faiss"]))
    if index.ntotal != len(table) or index.d != manifest.get("model", {}).get("dim"):
        raise ValueError("the FAISS file does not match the manifest")
    store = FaissStore(index, table.keys, manifest.get("index_kind", "flat"))
    return _Stored(SentenceIndex(table, store, {**manifest, "store": {"kind": "faiss"}}, folder=folder),
                   "index format 1 is converted to format 3")


# --- writing -----------------------------------------------------------------------------------

def _write_segment(folder: Path, table: SentenceTable, faiss_store, prefix: str = "") -> Segment:
    """Write a segment's files (sentence table, BM25 postings, its FAISS file when given) under
    ``prefix`` + their names; the segment's entry names them without the prefix."""
    seg_id = secrets.token_hex(6)
    names = {"sentences": f"sentences-{seg_id}.arrow"}
    atomic_write(folder / f"{prefix}{names['sentences']}", table.to_bytes())
    postings = Postings.build(joined_texts(table.texts(), table.doc_codes))
    for part, name in postings.save(folder, f"{prefix}bm25-{seg_id}").items():
        names[f"bm25:{part}"] = name[len(prefix):]
    if faiss_store is not None:
        names["faiss"] = faiss_store.save(folder, seg_id, prefix)["faiss"][len(prefix):]
    sums = {name: file_checksum(folder / f"{prefix}{name}") for name in names.values()}
    entry = {"id": seg_id, "rows": len(table), "kind": faiss_store.kind if faiss_store is not None else None,
             "files": names, "deleted": []}
    return Segment(seg_id, table, postings, faiss_store, entry, sums)


def _commit(folder: Path, base: dict, segments: Sequence[Segment], milvus=None) -> SentenceIndex:
    """Replace the manifest (the commit point) with ``base`` listing these segments, then tell the
    store and remove files no manifest names any more."""
    kinds = [seg.entry.get("kind") for seg in sorted(segments, key=lambda seg: -len(seg.table)) if seg.entry.get("kind")]
    manifest = {**base, "format_version": FORMAT_VERSION, "bm25": BM25_ID,
                "segments": [seg.entry for seg in segments],
                "checksums": {name: sha for seg in segments for name, sha in seg.checksums.items()}}
    if kinds:
        manifest["index_kind"] = kinds[0]       # the largest segment's (FAISS); Milvus: its collection's
    # compact: with an indent json falls back to its pure-Python encoder, 0.4 s for the 33k documents
    # of a 1M-sentence index, at every update
    atomic_write(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if milvus is not None:
        milvus.committed()
    _remove_stale(folder, keep=set(manifest["checksums"]))
    return _assemble(folder, manifest, segments, milvus)


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete data files no manifest names, temporary files, and a killed merge's files (only when
    no merge is running: its lock is free)."""
    from filelock import FileLock, Timeout

    merge_lock = FileLock(str(folder / MERGE_LOCK), timeout=0)
    try:
        merge_lock.acquire()
        merging_done = True
    except Timeout:
        merging_done = False
    try:
        for path in folder.iterdir():
            stale_data = path.name.startswith(DATA_PREFIXES) and path.name not in keep
            if (stale_data or (merging_done and path.name.startswith(MERGING))) and path.is_file():
                path.unlink(missing_ok=True)
            elif path.name.startswith(".") and path.name.endswith(".tmp"):
                if path.is_dir():
                    import shutil

                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
    finally:
        if merging_done:
            merge_lock.release()


# --- the entry point ------------------------------------------------------------------------

def open_index(corpus: Corpus, embedder: Embedder, folder: Path, split, *, model_sha256: str = "",
               splitter: str = "", kind: str = "auto", approximate_above: int = APPROXIMATE_ABOVE,
               show_progress: bool = False, store: str = "faiss", current: SentenceIndex | None = None,
               merge: str = "inline", max_segments: int = MAX_SEGMENTS) -> tuple[SentenceIndex, BuildReport]:
    """Load the index for ``corpus`` from ``folder``, embedding only what changed.

    Args:
        corpus: the documents the index must match.
        embedder: embeds new sentences.
        folder: the index folder (created if missing).
        split: ``split(documents) -> {doc_id: [Sentence]}``, the sentence splitter.
        model_sha256 / splitter: identities recorded in the manifest; a change forces a rebuild.
        kind / approximate_above: index kind of a segment ("auto": see ``choose_index_kind``).
        store: where vectors live, ``Settings.store`` ("faiss" or "milvus:URI"); a change moves the
            stored vectors to the new store without embedding them again.
        current: an index opened earlier from this folder; its segments are reused, not read again.
        merge: with more than ``max_segments`` segments (or many tombstones), compact them
            ("inline": before returning; "background": on a thread, served index unchanged; "off").
    Returns:
        The index and a report of what was reused, embedded and removed.
    """
    import time

    from filelock import FileLock

    from rag.vector_store import parse_store

    if merge not in MERGE_MODES:
        raise ValueError(f"merge must be one of {MERGE_MODES}, got {merge!r}")
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = parse_store(store)
    model = {"name": embedder.name, "sha256": model_sha256, "dim": embedder.dim}
    with FileLock(str(folder / LOCK), timeout=900):
        stored: _Stored | None = None
        reason = ""
        try:
            manifest = _read_manifest(folder)
            if manifest.get("model") != model:
                reason = f"the embedding model changed ({manifest.get('model', {}).get('name')} -> {model['name']})"
            elif manifest.get("splitter") != splitter:
                reason = "the sentence splitter changed"
            else:
                stored = _read_stored(folder, manifest, current)
        except FileNotFoundError:
            reason = "no index yet"
        except _unreadable() as exc:
            # FAISS (RuntimeError), Arrow or Milvus could not read it: never serve a broken index, rebuild
            reason = f"stored index unusable: {exc}"
        if reason and reason != "no index yet":
            log.warning("rebuilding the index in %s: %s", folder, reason)

        old = stored.index if stored else None
        old_docs = old.manifest["documents"] if old else {}
        hashes = {d.doc_id: content_hash(d.text) for d in corpus.documents}    # once: the corpus can be large
        reuse = [d for d in corpus.documents if old_docs.get(d.doc_id, {}).get("sha256") == hashes[d.doc_id]]
        reuse_ids = {d.doc_id for d in reuse}
        fresh = [d for d in corpus.documents if d.doc_id not in reuse_ids]
        current_ids = {d.doc_id for d in corpus.documents}      # once: inside the loop it made this O(docs^2)
        removed = [doc_id for doc_id in old_docs if doc_id not in current_ids]
        same_store = old is not None and old.manifest.get("store", {}).get("kind") == spec.kind and all(
            old.manifest["store"].get(k) == v for k, v in spec.identity().items())
        if old is not None and not fresh and not removed and same_store and not stored.rewrite_because:
            # same documents, same content: rows need not follow the corpus order (appends don't).
            # Files of a build killed after its commit point are removed here, under the lock.
            _remove_stale(folder, keep=set(manifest_files(old.manifest)))
            index = old
            report = BuildReport(reused=list(old_docs), seconds=time.perf_counter() - started)
        else:
            new_sentences = split(fresh) if fresh else {}
            added = [s for d in fresh for s in new_sentences[d.doc_id]]
            texts = [embedding_text(d, s) for d in fresh for s in new_sentences[d.doc_id]]
            new_vectors = embedder.embed(texts, show_progress=show_progress) if texts else None
            by_id = corpus.by_id()
            documents = [by_id[doc_id] for doc_id in old_docs if doc_id in reuse_ids] + fresh
            base = {"model": model, "splitter": splitter, "index_kind": choose_index_kind(0, kind, approximate_above),
                    "index_request": {"kind": kind, "approximate_above": approximate_above},
                    "counts": {"documents": len(documents), "sentences": 0}, "documents": {}}
            next_key = int(old.manifest.get("next_key", len(old.sentences))) if old else 0
            if old is not None and len(old.sentences.keys):
                next_key = max(next_key, int(old.sentences.keys[-1]) + 1)
            if old is not None and same_store and not stored.rewrite_because:
                segments, milvus, new_rows = _update(folder, old, reuse_ids, added, new_vectors, next_key, kind,
                                                     approximate_above)
            else:
                segments, milvus, new_rows = _rewrite(folder, old, reuse_ids, added, new_vectors, next_key, kind,
                                                      approximate_above, spec, embedder.dim)
            counts = {name: n for seg in segments for deleted in [set(seg.entry.get("deleted", []))]
                      for name, n in seg.table.doc_counts().items() if name not in deleted}
            base.update(store=milvus.identity() if milvus is not None else {"kind": "faiss"},
                        next_key=next_key + len(new_rows),
                        counts={"documents": len(documents), "sentences": sum(counts.values())},
                        documents={d.doc_id: {"sha256": hashes[d.doc_id], "title": d.title,
                                              "sentences": counts.get(d.doc_id, 0)} for d in documents})
            if milvus is not None:
                base["index_kind"] = milvus.kind
            index = _commit(folder, base, segments, milvus)
            report = BuildReport(reused=[d.doc_id for d in reuse], embedded=[d.doc_id for d in fresh],
                                 removed=removed, rebuilt_because=reason if old is None else "",
                                 seconds=time.perf_counter() - started)
    if merge != "off" and _merge_due(index, max_segments):
        if merge == "inline":
            index = merge_segments(folder, max_segments=max_segments, current=index) or index
        else:
            import threading

            threading.Thread(target=merge_segments, args=(folder,), kwargs={"max_segments": max_segments},
                             name="rag-index-merge", daemon=True).start()
    return index, report


def _update(folder: Path, old: SentenceIndex, reuse_ids: set[str], added: list[Sentence],
            new_vectors: np.ndarray | None, next_key: int, kind: str, approximate_above: int):
    """The incremental path: tombstone the documents that changed or went, write the new and changed
    ones as one new segment. No existing segment file is rewritten; a segment whose documents are
    all gone is dropped. Returns (segments, Milvus store or None, the new rows)."""
    from rag.vector_store import FaissStore

    segments = []
    for seg, rows in zip(old.segments, old.sentences.live):
        deleted = set(seg.entry.get("deleted", []))
        live_docs = {seg.table.doc_names[c] for c in np.unique(seg.table.doc_codes if rows is None
                                                                   else seg.table.doc_codes[rows]).tolist()}
        deleted |= live_docs - reuse_ids
        if len(deleted) < len(seg.table.doc_names):
            segments.append(replace(seg, entry={**seg.entry, "deleted": sorted(deleted)}))
    new_rows = SentenceTable.from_sentences(added, first_key=next_key)
    milvus = None
    if old.manifest["store"]["kind"] == "milvus":
        kept = _live_keys(segments)
        milvus = old.store.updated(kept, new_rows.keys, new_vectors,
                                   choose_index_kind(len(kept) + len(new_rows), kind, approximate_above))
    if len(new_rows):
        faiss_store = None
        if milvus is None:
            seg_kind = choose_index_kind(len(new_rows), kind, approximate_above)
            faiss_store = FaissStore(make_faiss_index(new_vectors, seg_kind), new_rows.keys, seg_kind)
        segments.append(_write_segment(folder, new_rows, faiss_store))
    return segments, milvus, new_rows


def _live_keys(segments: Sequence[Segment]) -> np.ndarray:
    parts = [seg.table.keys if rows is None else seg.table.keys[rows]
             for seg in segments for rows in [seg.live_rows(seg.entry.get("deleted", []))]]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _rewrite(folder: Path, old: SentenceIndex | None, reuse_ids: set[str], added: list[Sentence],
             new_vectors: np.ndarray | None, next_key: int, kind: str, approximate_above: int, spec, dim: int):
    """A first build, a rebuild, a format conversion or a move to another store: one segment of the
    reused documents' stored rows (keys and vectors kept, nothing embedded again) and the new ones."""
    from rag.vector_store import FaissStore, MilvusStore

    kept = SentenceTable.from_sentences([])
    if old is not None:
        for table, rows in zip(old.sentences.tables, old.sentences.live):
            rows = np.arange(len(table)) if rows is None else rows
            keep = np.array([name in reuse_ids for name in table.doc_names], dtype=bool)
            kept = kept.concat(table.take(rows[keep[table.doc_codes[rows]]] if len(rows) else rows))
    new_rows = SentenceTable.from_sentences(added, first_key=next_key)
    table = kept.concat(new_rows)
    chosen = choose_index_kind(len(table), kind, approximate_above)
    moved = old.store.vectors(kept.keys.tolist()) if old is not None and len(kept) else None
    both = [v for v in (moved, new_vectors) if v is not None and len(v)]
    vectors = np.concatenate(both) if both else np.zeros((0, dim), np.float32)
    milvus = None
    faiss_store = None
    if spec.kind == "faiss":
        faiss_store = FaissStore(make_faiss_index(vectors, chosen), table.keys, chosen) if len(table) else None
    elif old is not None and old.manifest.get("store", {}).get("kind") == "milvus" and all(
            old.manifest["store"].get(k) == v for k, v in spec.identity().items()):
        milvus = old.store.updated(kept.keys, new_rows.keys, new_vectors, chosen)   # a format conversion
    else:
        empty = MilvusStore.create(spec, dim, chosen, len(table))
        milvus = empty.updated(empty.keys, table.keys, vectors, chosen)
    segments = [_write_segment(folder, table, faiss_store)] if len(table) else []
    return segments, milvus, new_rows


# --- merging -----------------------------------------------------------------------------------

def _merge_due(index: SentenceIndex, max_segments: int, full: bool = False) -> range | None:
    """The run of segments a merge would compact now (``rag.segments.merge_plan``), or None."""
    if not index.segments:
        return None
    sizes = [len(seg.table) for seg in index.segments]
    dead = [len(seg.table) - (len(rows) if rows is not None else len(seg.table))
            for seg, rows in zip(index.segments, index.sentences.live)]
    return merge_plan(sizes, dead, max_segments, full)


def merge_segments(folder: Path, *, full: bool = False, max_segments: int = MAX_SEGMENTS,
                   current: SentenceIndex | None = None) -> SentenceIndex | None:
    """Compact a run of segments (``merge_plan``; all of them when ``full``) into one, dropping
    tombstoned rows, and commit it by replacing the manifest.

    The merged segment is built outside the build lock (builds and adds go on meanwhile) under
    ``merging-`` names, then, under the lock, renamed into place and committed if the segments it
    merged are still there; documents deleted from them meanwhile stay deleted (keys are kept, so the
    tombstones carry over). One merge at a time (``.merge.lock``); returns None when another merge
    runs, nothing needs merging, or a rebuild replaced the segments; else the index after the merge."""
    from filelock import FileLock, Timeout

    from rag.vector_store import FaissStore

    folder = Path(folder)
    merge_lock = FileLock(str(folder / MERGE_LOCK), timeout=0)
    try:
        merge_lock.acquire()
    except Timeout:
        return None
    try:
        with FileLock(str(folder / LOCK), timeout=900):
            manifest = _read_manifest(folder)
            if manifest["format_version"] != FORMAT_VERSION:
                return None
            stored = _read_stored(folder, manifest, current)
            index = stored.index
            plan = _merge_due(index, max_segments, full)
            if plan is None or stored.rewrite_because:
                return None
            for path in folder.glob(f"{MERGING}*"):        # a killed merge's files
                path.unlink(missing_ok=True)
        run = [index.segments[i] for i in plan]
        table = LiveTable([seg.table for seg in run], [index.sentences.live[i] for i in plan]).take_all()
        faiss_store = None
        if manifest["store"]["kind"] == "faiss" and len(table):
            request = manifest.get("index_request", {})
            chosen = choose_index_kind(len(table), request.get("kind", "auto"),
                                       request.get("approximate_above", APPROXIMATE_ABOVE))
            vectors = SegmentedFaiss([seg.faiss for seg in run]).vectors(table.keys)
            faiss_store = FaissStore(make_faiss_index(vectors, chosen), table.keys, chosen)
        merged = _write_segment(folder, table, faiss_store, prefix=MERGING) if len(table) else None
        with FileLock(str(folder / LOCK), timeout=900):
            now = _read_manifest(folder)
            ids = [entry.get("id") for entry in now.get("segments", [])]
            # an update may have dropped a merged segment whose documents all went; the rest must be in place
            present = [seg for seg in run if seg.id in ids]
            at = ids.index(present[0].id) if present else -1
            if now["format_version"] != FORMAT_VERSION or at < 0 or \
                    ids[at:at + len(present)] != [seg.id for seg in present]:
                for path in folder.glob(f"{MERGING}*"):
                    path.unlink(missing_ok=True)
                return None
            # documents deleted from the merged segments since the snapshot (those deleted before are not in it)
            entries = {entry["id"]: entry for entry in now["segments"]}
            gone: set[str] = set()
            for seg in run:
                before = set(seg.entry.get("deleted", []))
                gone |= (set(entries[seg.id].get("deleted", [])) if seg.id in entries
                         else set(seg.table.doc_names)) - before
            run_ids = [seg.id for seg in present]
            replacement = []
            if merged is not None and not set(table.doc_names) <= gone:
                for name in merged.checksums:
                    os.replace(folder / f"{MERGING}{name}", folder / name)
                deleted = sorted(gone & set(table.doc_names))
                replacement = [replace(merged, entry={**merged.entry, "deleted": deleted})]
            stored_now = _read_stored(folder, now, index)
            segments = stored_now.index.segments[:at] + replacement + stored_now.index.segments[at + len(run_ids):]
            milvus = stored_now.index.store if now["store"]["kind"] == "milvus" else None
            base = {k: v for k, v in now.items() if k not in ("segments", "checksums")}
            merged_index = _commit(folder, base, segments, milvus)
            log.info("merged %d segments (%d rows) in %s", len(run_ids), len(table), folder)
            return merged_index
    finally:
        merge_lock.release()
