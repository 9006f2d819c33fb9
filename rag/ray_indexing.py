"""Indexing on Ray: sentence splitting and embedding as Ray Data pipelines (``rag index --ray``).

The two stages are drop-in ``Splitter`` and ``Embedder`` objects, so ``open_index`` writes the very
same persisted index as the local path (same splitter and model identity in the manifest, same
sentences and offsets, vectors equal to float rounding). Each pipeline is ``map_batches`` over an
actor class that loads its model once per worker; with no address a local Ray is started, with one
the cluster there is used (its nodes need requirements.txt installed; the ``rag`` package itself is
shipped to them with the job). Ray is the optional scale extra (requirements-scale.txt).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.errors import IndexError_
from rag.onnx_models import DEFAULT_CACHE
from rag.types import Document, Embedder, Sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide the Ray pipelines run (from ``Settings.ray*``).

    Attributes:
        address: "local" starts a Ray on this machine; anything else is passed to ``ray.init``
            (e.g. "ray://head:10001" or "auto" for a running cluster).
        workers: actors per stage (``concurrency``); each gets ``cpus_per_worker`` CPUs and as many
            model threads.
        batch_size: rows per ``map_batches`` call (texts for embedding, documents / 8 for splitting).
        cpus_per_worker: CPUs each actor reserves; 0 = this machine's CPUs / workers (at least 1).
        min_rows: fewer texts than this are embedded in-process (a query never waits for Ray).
    """

    address: str = "local"
    workers: int = 2
    batch_size: int = 256
    cpus_per_worker: int = 0
    min_rows: int = 64

    def __post_init__(self) -> None:
        for name in ("workers", "batch_size", "min_rows"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) <= 0:
                raise ValueError(f"RayOptions.{name} must be a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.cpus_per_worker, int) or self.cpus_per_worker < 0:
            raise ValueError(f"RayOptions.cpus_per_worker must be an integer >= 0, got {self.cpus_per_worker!r}")

    @property
    def cpus(self) -> int:
        return self.cpus_per_worker or max(1, (os.cpu_count() or 1) // self.workers)


def connect(options: RayOptions) -> None:
    """Start (or join) Ray once per process, shipping the ``rag`` package to the workers; a process
    already connected keeps its Ray."""
    try:
        import ray
    except ImportError:
        raise IndexError_("indexing on Ray needs the scale extra: pip install -r requirements-scale.txt") from None
    if ray.is_initialized():
        return
    from pathlib import Path

    import rag

    runtime_env = {"py_modules": [str(Path(rag.__file__).parent)],
                   "env_vars": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}}
    _check_reachable(options.address)
    try:
        if options.address == "local":
            ray.init(address="local", num_cpus=max(os.cpu_count() or 1, options.workers * options.cpus),
                     include_dashboard=False, runtime_env=runtime_env, log_to_driver=False)
        else:
            ray.init(address=options.address, runtime_env=runtime_env, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise IndexError_(f"could not start or reach Ray at {options.address!r}: {exc}") from exc
    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = True


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not after Ray's minutes of retries, when a HOST:PORT address does not answer."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address in ("local", "auto") or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise IndexError_(f"could not start or reach Ray at {address!r}: {exc}") from None


def running() -> bool:
    """Whether this process is connected to a Ray (False when Ray is not installed)."""
    try:
        import ray
    except ImportError:
        return False
    return ray.is_initialized()


def shutdown() -> None:
    """Stop the Ray this process started or joined (a no-op when there is none)."""
    try:
        import ray
    except ImportError:
        return
    if ray.is_initialized():
        ray.shutdown()


class _SplitActor:
    """A Ray actor: spaCy's sentence recogniser, loaded once, over batches of documents."""

    def __init__(self) -> None:
        from rag.splitting import sentence_pipeline

        sentence_pipeline()

    def __call__(self, batch: dict) -> dict:
        from rag.splitting import split_spans

        doc_rows, starts, ends = [], [], []
        for row, spans in zip(batch["row"].tolist(), split_spans(batch["text"].tolist())):
            doc_rows += [row] * len(spans)
            starts += [s for s, _ in spans]
            ends += [e for _, e in spans]
        return {"row": np.asarray(doc_rows, np.int64), "start": np.asarray(starts, np.int64),
                "end": np.asarray(ends, np.int64)}


class _EmbedActor:
    """A Ray actor: the embedding model, loaded once with ``threads`` threads, over batches of texts."""

    def __init__(self, backend: str, threads: int, batch_size: int, cache: str | None = None) -> None:
        from rag.embedding import load_embedder

        self.embedder = load_embedder(None, threads, batch_size, backend, cache=cache)

    def __call__(self, batch: dict) -> dict:
        return {"row": batch["row"], "vector": self.embedder.embed(batch["text"].tolist())}


def _dataset(columns: dict, rows_per_block: int):
    """A Ray dataset of ``columns`` cut into blocks of ``rows_per_block`` rows (so workers share it)."""
    import pyarrow as pa
    import ray.data

    table = pa.table(columns)
    n = max(1, table.num_rows)
    return ray.data.from_arrow([table.slice(i, rows_per_block) for i in range(0, n, rows_per_block)])


def _actors(rows: int, per_block: int, workers: int) -> int:
    """Actors worth starting: no more than there are blocks (each actor loads a model, seconds)."""
    return max(1, min(workers, -(-rows // per_block)))


class RaySplitter:
    """The spaCy splitter as a Ray Data pipeline; its ``name`` is the local splitter's, because the
    sentences it returns are the same."""

    def __init__(self, options: RayOptions) -> None:
        from rag.splitting import SPLITTER_ID

        self.options = options
        self.name = SPLITTER_ID

    def split(self, documents: Sequence[Document]) -> dict[str, list[Sentence]]:
        documents = list(documents)
        if not documents:
            return {}
        connect(self.options)
        per_block = max(1, self.options.batch_size // 8)
        ds = _dataset({"row": np.arange(len(documents), dtype=np.int64), "text": [d.text for d in documents]},
                      per_block)
        out = ds.map_batches(_SplitActor, batch_size=per_block, batch_format="numpy",
                             concurrency=_actors(len(documents), per_block, self.options.workers),
                             num_cpus=self.options.cpus)
        found: dict[int, list[tuple[int, int]]] = {}
        for batch in out.iter_batches(batch_format="numpy", batch_size=None):
            for row, s, e in zip(batch["row"].tolist(), batch["start"].tolist(), batch["end"].tolist()):
                found.setdefault(row, []).append((s, e))
        result = {}
        for row, doc in enumerate(documents):
            spans = sorted(found.get(row, []))
            result[doc.doc_id] = [Sentence(doc.doc_id, i, s, e, doc.text[s:e]) for i, (s, e) in enumerate(spans)]
        return result


class RayEmbedder:
    """An ``Embedder`` that sends bulk work (an index build) through a Ray Data pipeline of embedding
    actors and embeds small inputs (queries) with ``local``, whose name, dim and sha256 it carries:
    the manifest cannot tell the two paths apart, so either may update an index the other built."""

    def __init__(self, local: Embedder, options: RayOptions, backend: str = "torch") -> None:
        self.local = local
        self.options = options
        self.backend = backend
        self.name = local.name
        self.dim = local.dim
        self.sha256 = getattr(local, "sha256", "")

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if len(texts) < self.options.min_rows:
            return self.local.embed(texts, show_progress=show_progress)
        connect(self.options)
        batch = self.options.batch_size
        ds = _dataset({"row": np.arange(len(texts), dtype=np.int64), "text": texts}, batch)
        out = ds.map_batches(_EmbedActor, batch_size=batch, batch_format="numpy",
                             fn_constructor_kwargs={"backend": self.backend, "threads": self.options.cpus,
                                                    "batch_size": getattr(self.local, "batch_size", 32),
                                                    # the driver's ONNX copies: an actor's own rag package
                                                    # is a copy Ray made, beside no models/ folder
                                                    "cache": str(DEFAULT_CACHE)},
                             concurrency=_actors(len(texts), batch, self.options.workers),
                             num_cpus=self.options.cpus)
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        filled = 0
        for part in out.iter_batches(batch_format="numpy", batch_size=None):
            vectors[part["row"]] = part["vector"]
            filled += len(part["row"])
        if filled != len(texts):
            raise RuntimeError(f"the Ray pipeline returned {filled} vectors for {len(texts)} texts")
        return vectors
