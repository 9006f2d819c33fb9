"""The persisted sentence index: FAISS vectors plus a manifest, reused and updated incrementally.

Layout of the index folder:
    manifest.json          format version, model name and hash, splitter, each document's content
                           hash and sentence count, the data files of the current generation and
                           their sha256. Replacing it (atomically) is the commit point of a build.
    sentences-<gen>.jsonl  one {"doc_id", "index", "start", "end", "text"} per FAISS row.
    index-<gen>.faiss      the FAISS index; row position = line number in the sentences file.
Data files are written under new generation names first, so an interrupted build leaves the
previous manifest and its files intact. A lock file serialises builds between processes.
No pickle: JSON and FAISS's own format only.

The seam to other vector stores is ``SentenceIndex``: retrieval only calls ``search(query_vector, k)
-> [(row, score)]``, ``vectors_at(rows)``, ``sentences`` and ``doc_sentences``, so a Qdrant or Milvus
backend would be a new module offering the same methods (see docs/SCALING.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.corpus import Corpus, content_hash
from rag.settings import APPROXIMATE_ABOVE
from rag.types import Document, Embedder, Sentence
from rag.util import atomic_write, sha256_file

log = logging.getLogger(__name__)
IVF_NPROBE = 32   # lists searched per query: recall@10 1.000 / 0.995 at 0.84 / 0.27 ms on the 1M / 100k bench

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK = ".lock"


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


def dense_search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k inner-product search; returns (scores, row ids), -1 ids where fewer than k rows exist."""
    k = min(k, index.ntotal)
    if k <= 0:
        n = len(queries)
        return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def choose_index_kind(rows: int, kind: str = "auto", approximate_above: int = APPROXIMATE_ABOVE) -> str:
    """The FAISS index kind for ``rows`` vectors: ``kind`` itself unless it is "auto", which picks
    exact search ("flat") below ``approximate_above`` rows and an inverted-file index ("ivf") from
    there on. Flat search time grows linearly with rows and passes ~20 ms per query on 2 cores near
    135k rows; at 1M synthetic rows IVF kept recall@10 at 1.000 where HNSW reached 0.61 (docs/SCALING.md)."""
    if kind == "auto":
        return "ivf" if rows >= approximate_above else "flat"
    if kind not in ("flat", "ivf", "hnsw"):
        raise ValueError(f"unknown index kind {kind!r}; expected 'auto', 'flat', 'ivf' or 'hnsw'")
    return kind


def make_faiss_index(vectors: np.ndarray, kind: str = "flat"):
    """A FAISS index over normalised vectors: exact inner product ("flat"), inverted lists ("ivf")
    or an HNSW graph ("hnsw")."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "ivf":
        index = _trained_ivf(vectors, dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        raise ValueError(f"unknown index kind {kind!r}; expected 'flat', 'ivf' or 'hnsw'")
    if len(vectors):
        index.add(vectors)
    return index


def _trained_ivf(vectors: np.ndarray, dim: int):
    """IVF-Flat with ~4*sqrt(rows) lists (at least 39 training points each, FAISS's own floor),
    k-means on a sample of at most 64 points per list, and IVF_NPROBE lists searched per query.
    Vectors added later (new articles) go to the nearest existing list without retraining."""
    import faiss

    if not len(vectors):
        raise ValueError("an IVF index needs vectors to train on; use kind='flat' for an empty corpus")
    nlist = max(1, min(int(4 * np.sqrt(len(vectors))), len(vectors) // 39))
    sample = vectors
    if len(vectors) > 64 * nlist:
        rows = np.random.default_rng(0).choice(len(vectors), 64 * nlist, replace=False)
        sample = vectors[np.sort(rows)]
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = 0
    index.train(sample)
    index.nprobe = min(IVF_NPROBE, nlist)
    return index


class SentenceIndex:
    """Sentences and their vectors in a FAISS index; row position = sentence id."""

    def __init__(self, sentences: list[Sentence], faiss_index, manifest: dict) -> None:
        if faiss_index.ntotal != len(sentences):
            raise ValueError(f"index has {faiss_index.ntotal} vectors for {len(sentences)} sentences")
        self.sentences = sentences
        self.faiss = faiss_index
        self.manifest = manifest
        self._by_doc: dict[str, list[Sentence]] = {}
        for sentence in sentences:
            self._by_doc.setdefault(sentence.doc_id, []).append(sentence)

    def __len__(self) -> int:
        return len(self.sentences)

    def doc_sentences(self, doc_id: str) -> list[Sentence]:
        return self._by_doc.get(doc_id, [])

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(row, cosine) pairs for one normalised query vector, best first."""
        scores, ids = dense_search(self.faiss, query.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def vectors_at(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of some rows, one per row (retrieval scores BM25-only hits with them)."""
        if not rows:
            return np.zeros((0, self.faiss.d), dtype=np.float32)
        return np.stack([self.faiss.reconstruct(int(r)) for r in rows])

    def vectors(self) -> np.ndarray:
        """All stored vectors (reconstructed from FAISS), row-aligned with ``sentences``."""
        if self.faiss.ntotal == 0:
            return np.zeros((0, self.faiss.d), dtype=np.float32)
        return self.faiss.reconstruct_n(0, self.faiss.ntotal)


def embedding_text(document: Document, sentence: Sentence) -> str:
    """What is embedded for a sentence: the document title grounds short sentences in their topic
    (on xquad_en, fused hit@5 0.95 -> 0.975 against the bare sentence)."""
    return f"{document.title}. {sentence.text}"


# --- reading and writing -------------------------------------------------------------------

def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise FileNotFoundError("no index yet")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"manifest is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"index format {manifest.get('format_version') if isinstance(manifest, dict) else '?'} "
                         f"is not the current {FORMAT_VERSION}")
    return manifest


def _read_stored(folder: Path, manifest: dict) -> SentenceIndex:
    """The stored index, after checking every data file against the manifest's checksums.

    At 1M rows the FAISS file's sha256 (~1.3 s) runs on a second thread (hashlib releases the GIL)
    while this one parses the sentences file (~3 s); nothing is served before both sums match.
    """
    import faiss
    from concurrent.futures import ThreadPoolExecutor

    files = manifest.get("files", {})
    checksums = manifest.get("checksums", {})
    paths: dict[str, Path] = {}
    for role in ("sentences", "faiss"):
        name = files.get(role, "")
        if not name or not (folder / name).is_file():
            raise ValueError(f"index file {name or role!r} is missing")
        paths[role] = folder / name

    def check(name: str, actual: str) -> None:
        if actual != checksums.get(name):
            raise ValueError(f"index file {name} does not match its checksum (truncated or edited)")

    with ThreadPoolExecutor(max_workers=1) as pool:
        faiss_sum = pool.submit(sha256_file, paths["faiss"])
        data = paths["sentences"].read_bytes()
        check(files["sentences"], hashlib.sha256(data).hexdigest())
        # one json.loads over all lines is ~2.5x faster than one per line (JSON strings hold no raw newline)
        rows = json.loads(b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]")
        del data
        sentences = [Sentence(row["doc_id"], row["index"], row["start"], row["end"], row["text"]) for row in rows]
        del rows
        check(files["faiss"], faiss_sum.result())
    index = faiss.read_index(str(paths["faiss"]))
    if index.ntotal != len(sentences) or len(sentences) != manifest.get("counts", {}).get("sentences"):
        raise ValueError("index row count does not match the manifest")
    if index.d != manifest.get("model", {}).get("dim"):
        raise ValueError(f"index vectors have {index.d} dimensions, not the model's {manifest['model'].get('dim')}")
    # rows per document must be what the manifest lists: reusing a document by its hash must
    # never duplicate its rows or keep rows of a document the manifest does not know
    rows = Counter(s.doc_id for s in sentences)
    listed = manifest.get("documents", {})
    if set(rows) - set(listed) or any(rows.get(doc_id, 0) != info["sentences"] for doc_id, info in listed.items()):
        raise ValueError("index rows per document do not match the manifest's document list")
    return SentenceIndex(sentences, index, manifest)


def _sentence_lines(sentences: Sequence[Sentence]) -> bytes:
    """The sentences file's content for these rows: one JSON object per line."""
    return "".join(json.dumps({"doc_id": s.doc_id, "index": s.index, "start": s.start, "end": s.end,
                               "text": s.text}, ensure_ascii=False) + "\n" for s in sentences).encode("utf-8")


def _write(folder: Path, sentences: list[Sentence], index, documents: Sequence[Document],
           model: dict, splitter: str, kind: str, sentences_data: bytes | None = None) -> SentenceIndex:
    """Write a new generation (sentences file, FAISS file, then the manifest) and drop older ones.

    ``documents`` must be in row order. ``sentences_data`` is the sentences file's content when the
    caller already has it (the append path copies the old file's bytes instead of re-encoding them).
    """
    import faiss

    folder.mkdir(parents=True, exist_ok=True)
    gen = secrets.token_hex(6)
    names = {"sentences": f"sentences-{gen}.jsonl", "faiss": f"index-{gen}.faiss"}
    atomic_write(folder / names["sentences"], sentences_data if sentences_data is not None
                 else _sentence_lines(sentences))
    tmp = folder / f".{names['faiss']}.tmp"
    faiss.write_index(index, str(tmp))
    os.replace(tmp, folder / names["faiss"])
    counts: dict[str, int] = {}
    for s in sentences:
        counts[s.doc_id] = counts.get(s.doc_id, 0) + 1
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": model,
        "splitter": splitter,
        "index_kind": kind,
        "files": names,
        "checksums": {name: sha256_file(folder / name) for name in names.values()},
        "counts": {"documents": len(documents), "sentences": len(sentences)},
        "documents": {d.doc_id: {"sha256": content_hash(d.text), "title": d.title,
                                 "sentences": counts.get(d.doc_id, 0)} for d in documents},
    }
    atomic_write(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
    _remove_stale(folder, keep=set(names.values()))
    return SentenceIndex(sentences, index, manifest)


def _remove_stale(folder: Path, keep: set[str]) -> None:
    for path in folder.iterdir():
        stale_data = path.name.startswith(("sentences-", "index-")) and path.name not in keep
        if stale_data or (path.name.startswith(".") and path.name.endswith(".tmp")):
            path.unlink(missing_ok=True)


# --- the entry point ------------------------------------------------------------------------

def open_index(corpus: Corpus, embedder: Embedder, folder: Path, split, *, model_sha256: str = "",
               splitter: str = "", kind: str = "auto", approximate_above: int = APPROXIMATE_ABOVE,
               show_progress: bool = False) -> tuple[SentenceIndex, BuildReport]:
    """Load the index for ``corpus`` from ``folder``, embedding only what changed.

    Args:
        corpus: the documents the index must match.
        embedder: embeds new sentences.
        folder: the index folder (created if missing).
        split: ``split(documents) -> {doc_id: [Sentence]}``, the sentence splitter.
        model_sha256 / splitter: identities recorded in the manifest; a change forces a rebuild.
        kind / approximate_above: FAISS index kind for a (re)build ("auto": see ``choose_index_kind``).
    Returns:
        The index and a report of what was reused, embedded and removed.
    """
    import time

    from filelock import FileLock

    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = {"name": embedder.name, "sha256": model_sha256, "dim": embedder.dim}
    with FileLock(str(folder / LOCK), timeout=900):
        stored: SentenceIndex | None = None
        reason = ""
        try:
            manifest = _read_manifest(folder)
            if manifest.get("model") != model:
                reason = f"the embedding model changed ({manifest.get('model', {}).get('name')} -> {model['name']})"
            elif manifest.get("splitter") != splitter:
                reason = "the sentence splitter changed"
            else:
                stored = _read_stored(folder, manifest)
        except FileNotFoundError:
            reason = "no index yet"
        except (ValueError, KeyError, TypeError, RuntimeError, json.JSONDecodeError) as exc:
            # RuntimeError: FAISS could not read its file. Never serve a broken index: rebuild.
            reason = f"stored index unusable: {exc}"
        if reason and reason != "no index yet":
            log.warning("rebuilding the index in %s: %s", folder, reason)

        old_docs = stored.manifest["documents"] if stored else {}
        reuse = [d for d in corpus.documents if old_docs.get(d.doc_id, {}).get("sha256") == content_hash(d.text)]
        reuse_ids = {d.doc_id for d in reuse}
        fresh = [d for d in corpus.documents if d.doc_id not in reuse_ids]
        current_ids = {d.doc_id for d in corpus.documents}      # once: inside the loop it made this O(docs^2)
        removed = [doc_id for doc_id in old_docs if doc_id not in current_ids]
        if stored is not None and not fresh and not removed:
            # same documents, same content: rows need not follow the corpus order (appends don't).
            # Files of a build killed after its commit point are removed here, under the lock.
            _remove_stale(folder, keep=set(stored.manifest["files"].values()))
            return stored, BuildReport(reused=list(old_docs), seconds=time.perf_counter() - started)

        new_sentences = split(fresh) if fresh else {}
        texts = [embedding_text(d, s) for d in fresh for s in new_sentences[d.doc_id]]
        new_vectors = embedder.embed(texts, show_progress=show_progress) if texts else None
        changed = {d.doc_id for d in fresh} & set(old_docs)
        if stored is not None and not removed and not changed:
            total = len(stored) + len(texts)
            chosen = choose_index_kind(total, kind, approximate_above)
            if stored.manifest.get("index_kind") == chosen:
                # Only new documents: add their vectors to the loaded FAISS index instead of
                # rebuilding it (an approximate index's rebuild takes minutes at 1M rows; this takes ms).
                index = _append(folder, stored, fresh, new_sentences, new_vectors, corpus, model, splitter,
                                chosen)
                return index, BuildReport(reused=[d.doc_id for d in reuse], embedded=[d.doc_id for d in fresh],
                                          seconds=time.perf_counter() - started)
        old_vectors = stored.vectors() if stored else None
        old_rows: dict[str, list[int]] = {}
        if stored:
            for row, s in enumerate(stored.sentences):
                old_rows.setdefault(s.doc_id, []).append(row)
        sentences: list[Sentence] = []
        parts: list[np.ndarray] = []
        offset = 0
        fresh_ids = {d.doc_id for d in fresh}
        for doc in corpus.documents:
            if doc.doc_id in fresh_ids:
                doc_sentences = new_sentences[doc.doc_id]
                parts.append(new_vectors[offset:offset + len(doc_sentences)])
                offset += len(doc_sentences)
            else:
                rows = old_rows.get(doc.doc_id, [])
                doc_sentences = [stored.sentences[r] for r in rows]
                parts.append(old_vectors[rows] if rows else np.zeros((0, embedder.dim), np.float32))
            sentences.extend(doc_sentences)
        vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), np.float32)
        chosen = choose_index_kind(len(vectors), kind, approximate_above)
        index = _write(folder, sentences, make_faiss_index(vectors, chosen), corpus.documents, model, splitter,
                       chosen)
        return index, BuildReport(reused=[d.doc_id for d in reuse], embedded=[d.doc_id for d in fresh],
                                  removed=removed, rebuilt_because=reason if stored is None else "",
                                  seconds=time.perf_counter() - started)


def _append(folder: Path, stored: SentenceIndex, fresh: Sequence[Document], new_sentences: dict[str, list[Sentence]],
            new_vectors: np.ndarray | None, corpus: Corpus, model: dict, splitter: str, kind: str) -> SentenceIndex:
    """A new generation holding the stored rows unchanged and the fresh documents' rows after them."""
    added = [s for d in fresh for s in new_sentences[d.doc_id]]
    if new_vectors is not None and len(new_vectors):
        stored.faiss.add(np.ascontiguousarray(new_vectors, dtype=np.float32))
    by_id = corpus.by_id()
    documents = [by_id[doc_id] for doc_id in stored.manifest["documents"]] + list(fresh)
    old_lines = (folder / stored.manifest["files"]["sentences"]).read_bytes()
    return _write(folder, stored.sentences + added, stored.faiss, documents, model, splitter, kind,
                  sentences_data=old_lines + _sentence_lines(added))
