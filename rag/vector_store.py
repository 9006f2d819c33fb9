"""Where sentence vectors live: FAISS in the index folder (the default) or a Milvus collection.

Both implement ``rag.types.VectorStore`` (``search`` and ``vectors``, by sentence key) for retrieval,
and the same three write steps for ``rag.index.open_index``:

    store.updated(keep, new_keys, new_vectors, kind)  a store holding exactly ``keep`` + the new keys
    store.save(folder, gen)                           its files of that generation ({role: name})
    store.committed()                                 after the manifest is replaced (the commit point)

FAISS rows are positions (a rebuild or an append writes a new file per generation, as before).
Milvus holds vectors by key: an update upserts only the new documents' vectors, under keys above
every committed one, so until the manifest commits them no search serves them (``SentenceIndex``
drops keys its sentence table does not hold); the retired keys of changed or removed documents are
deleted after the commit, and again by the next build if a crash came first. A full rebuild fills a
new collection ``<name>_<generation>`` and drops the older ones after its commit.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.settings import APPROXIMATE_ABOVE

log = logging.getLogger(__name__)
IVF_NPROBE = 64   # lists searched per query: recall@10 0.960 on 97k real sentences (32: 0.931; docs/SCALING.md)
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 64   # recall@10 0.986 on 97k real sentences

MILVUS_BATCH = 1000              # rows per upsert / get request
MILVUS_INDEX = {"flat": ("FLAT", {}, {}),
                # lists and probes as rag.index's FAISS IVF (nlist set from the rows at creation)
                "ivf": ("IVF_FLAT", {"nlist": None}, {"nprobe": IVF_NPROBE}),
                "hnsw": ("HNSW", {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}, {"ef": HNSW_EF_SEARCH})}


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``Settings.store``: "faiss", or "milvus" with a URI (a ``.db`` file is Milvus Lite,
    ``http(s)://`` a server) and a collection name."""

    kind: str
    uri: str = ""
    collection: str = ""

    def identity(self) -> dict:
        return {"kind": self.kind, "uri": self.uri, "collection": self.collection} if self.kind == "milvus" \
            else {"kind": "faiss"}


def parse_store(spec: str) -> StoreSpec:
    """``"faiss"``, ``"milvus:PATH.db"`` or ``"milvus:http://HOST:19530"``, each optionally
    ``#COLLECTION`` (default ``rag_sentences``); ValueError naming the bad value."""
    if spec == "faiss":
        return StoreSpec("faiss")
    if not isinstance(spec, str) or not spec.startswith("milvus:") or len(spec) == len("milvus:"):
        raise ValueError(f"store must be 'faiss', 'milvus:PATH.db' or 'milvus:http://HOST:19530', got {spec!r}")
    uri, _, collection = spec[len("milvus:"):].partition("#")
    collection = collection or "rag_sentences"
    if not collection.replace("_", "").isalnum() or not collection[0].isalpha():
        raise ValueError(f"Milvus collection name must be letters, digits and '_', got {collection!r}")
    if not uri.startswith(("http://", "https://", "tcp://")):
        if not uri.endswith(".db"):
            raise ValueError(f"a Milvus Lite store is a .db file (or give http://HOST:19530), got {uri!r}")
        uri = str(Path(uri).expanduser().resolve())
    return StoreSpec("milvus", uri, collection)


def store_arg(value: str) -> str:
    """argparse ``type`` for the ``--store`` flags: the value itself, once ``parse_store`` accepts it."""
    import argparse

    try:
        parse_store(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


# --- FAISS -----------------------------------------------------------------------------------

def dense_search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k inner-product search; returns (scores, row ids), -1 ids where fewer than k rows exist."""
    k = min(k, index.ntotal)
    if k <= 0:
        n = len(queries)
        return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def choose_index_kind(rows: int, kind: str = "auto", approximate_above: int = APPROXIMATE_ABOVE) -> str:
    """The FAISS index kind for ``rows`` vectors: ``kind`` itself unless it is "auto", which picks
    exact search ("flat") below ``approximate_above`` rows and an HNSW graph ("hnsw") from there on.
    On 97k real sentences exact search takes ~17 ms a query; HNSW 0.3 ms at recall@10 0.986, where
    IVF needs 64 of ~1,250 lists for 0.960 (docs/SCALING.md, ``python -m rag.tools.real_vectors``)."""
    if kind == "auto":
        return "hnsw" if rows >= approximate_above else "flat"
    if kind not in ("flat", "ivf", "hnsw"):
        raise ValueError(f"unknown index kind {kind!r}; expected 'auto', 'flat', 'ivf' or 'hnsw'")
    return kind


def make_faiss_index(vectors: np.ndarray, kind: str = "flat"):
    """A FAISS index over normalised vectors: exact inner product ("flat"), inverted lists ("ivf")
    or an HNSW graph over float16 copies of the vectors ("hnsw": half the memory of float32, and
    the same recall@10 on real sentences, 0.986 both)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "ivf":
        index = _trained_ivf(vectors, dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown index kind {kind!r}; expected 'flat', 'ivf' or 'hnsw'")
    if kind == "hnsw":
        index.train(vectors)         # float16 needs no statistics; FAISS still asks for the call
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



class FaissStore:
    """A FAISS index whose row positions are the sentence table's rows; ``keys[row]`` is the row's key."""

    name = "faiss"

    def __init__(self, index, keys: np.ndarray, kind: str, mapped: bool = False) -> None:
        if index.ntotal != len(keys):
            raise ValueError(f"index has {index.ntotal} vectors for {len(keys)} sentences")
        self.index = index
        self.mapped = mapped     # vectors memory-mapped from a segment file: read-only (FAISS aborts on add)
        self.keys = np.asarray(keys, dtype=np.int64)
        self.kind = kind
        self.dim = index.d

    @classmethod
    def empty(cls, dim: int) -> "FaissStore":
        return cls(make_faiss_index(np.zeros((0, dim), np.float32), "flat"), np.zeros(0, np.int64), "flat")

    def __len__(self) -> int:
        return self.index.ntotal

    def identity(self) -> dict:
        return {"kind": "faiss"}

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        scores, ids = dense_search(self.index, query.reshape(1, -1), k)
        return [(int(self.keys[i]), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _positions(self, keys: Sequence[int]) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.int64)
        rows = np.searchsorted(self.keys, keys)
        if len(keys) and (rows.max() >= len(self.keys) or (self.keys[rows] != keys).any()):
            raise KeyError("a key the FAISS store does not hold")
        return rows

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        rows = self._positions(keys)
        if len(rows) == len(self.keys) and (rows == np.arange(len(rows))).all():
            return self.all_vectors()
        if not len(rows):
            return np.zeros((0, self.dim), dtype=np.float32)
        self._direct_map()
        return np.stack([self.index.reconstruct(int(r)) for r in rows])

    def all_vectors(self) -> np.ndarray:
        if self.index.ntotal == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._direct_map()
        return self.index.reconstruct_n(0, self.index.ntotal)

    def _direct_map(self) -> None:
        """IVF can give a stored vector back only with its id -> list map (a merge reads vectors back)."""
        if hasattr(self.index, "make_direct_map") and self.index.direct_map.type == 0:   # DirectMap.NoMap
            self.index.make_direct_map()

    def updated(self, keep: np.ndarray, new_keys: np.ndarray, new_vectors: np.ndarray | None,
                kind: str) -> "FaissStore":
        """Only additions and the same kind: add to this index (milliseconds, no retraining).
        Otherwise a new index over the kept rows' vectors and the new ones."""
        new_vectors = _as_matrix(new_vectors, self.dim)
        if not self.mapped and kind == self.kind and len(keep) == len(self.keys) and \
                (np.asarray(keep) == self.keys).all():
            if len(new_vectors):
                self.index.add(new_vectors)
            return FaissStore(self.index, np.concatenate([self.keys, new_keys]), kind)
        vectors = np.concatenate([self.vectors(keep), new_vectors])
        return FaissStore(make_faiss_index(vectors, kind), np.concatenate([keep, new_keys]).astype(np.int64), kind)

    def save(self, folder: Path, gen: str, prefix: str = "") -> dict[str, str]:
        """``<prefix>index-<gen>.faiss``, written under a temporary name, then renamed."""
        import os

        import faiss

        name = f"{prefix}index-{gen}.faiss"
        tmp = folder / f".{name}.tmp"
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, folder / name)
        return {"faiss": name}

    def committed(self) -> None:
        """Nothing outside the index folder to tidy."""


def _as_matrix(vectors: np.ndarray | None, dim: int) -> np.ndarray:
    if vectors is None or not len(vectors):
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(vectors, dtype=np.float32)


# --- Milvus ----------------------------------------------------------------------------------

class MilvusStore:
    """Sentence vectors in a Milvus collection (primary key ``key``, field ``vector``, inner product on
    normalised vectors = cosine), through pymilvus's ``MilvusClient``: Milvus Lite for a ``.db``
    path, a Milvus server or cluster for an ``http://`` URI."""

    name = "milvus"

    def __init__(self, client, spec: StoreSpec, collection: str, keys: np.ndarray, dim: int, kind: str,
                 retired: np.ndarray | None = None) -> None:
        self.client = client
        self.spec = spec
        self.collection = collection
        self.keys = np.asarray(keys, dtype=np.int64)
        self.dim = dim
        self.kind = kind
        self.retired = np.zeros(0, np.int64) if retired is None else np.asarray(retired, dtype=np.int64)
        self._fresh = False    # a collection this build made: older ones are dropped once it commits

    # --- opening ------------------------------------------------------------------------------
    @staticmethod
    def connect(spec: StoreSpec):
        """A MilvusClient for the spec (ImportError with the install line when pymilvus is absent)."""
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise ImportError("the Milvus store needs pymilvus and milvus-lite: "
                              "pip install -r requirements-scale.txt") from exc
        if not spec.uri.startswith(("http://", "https://", "tcp://")):
            Path(spec.uri).parent.mkdir(parents=True, exist_ok=True)
        return MilvusClient(uri=spec.uri)

    @classmethod
    def open(cls, info: dict, keys: np.ndarray, dim: int, kind: str) -> "MilvusStore":
        """The collection a manifest names (``info``: its "store" entry); ValueError when it is gone
        or holds vectors of another size, so the index is rebuilt rather than served half-empty."""
        spec = StoreSpec("milvus", info["uri"], info["collection"])
        client = cls.connect(spec)
        name = info["name"]
        if not client.has_collection(name):
            raise ValueError(f"Milvus collection {name!r} is missing")
        fields = {f["name"]: f for f in client.describe_collection(name)["fields"]}
        if fields.get("vector", {}).get("params", {}).get("dim") not in (dim, str(dim)):
            raise ValueError(f"Milvus collection {name!r} does not hold {dim}-dimensional vectors")
        client.load_collection(name)
        return cls(client, spec, name, keys, dim, kind, np.asarray(info.get("retired", []), dtype=np.int64))

    @classmethod
    def create(cls, spec: StoreSpec, dim: int, kind: str, rows: int) -> "MilvusStore":
        """A new, empty collection ``<collection>_<random>`` for a full build."""
        from pymilvus import DataType, MilvusClient

        client = cls.connect(spec)
        name = f"{spec.collection}_{secrets.token_hex(4)}"
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index_type, params, _ = MILVUS_INDEX[kind]
        if "nlist" in params:
            params = {"nlist": max(1, min(int(4 * np.sqrt(max(rows, 1))), max(rows // 39, 1)))}
        index_params = client.prepare_index_params()
        index_params.add_index(field_name="vector", index_type=index_type, metric_type="IP", params=params)
        # Strong: a search right after an upsert sees it (the tests and an upload's first question)
        client.create_collection(name, schema=schema, index_params=index_params, consistency_level="Strong")
        store = cls(client, spec, name, np.zeros(0, np.int64), dim, kind)
        store._fresh = True
        return store

    def __len__(self) -> int:
        return len(self.keys)

    def identity(self) -> dict:
        return {**self.spec.identity(), "name": self.collection, "index": self.kind,
                "retired": self.retired.tolist()}

    # --- reading ------------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        _, _, search = MILVUS_INDEX[self.kind]
        found = self.client.search(self.collection, data=[np.asarray(query, dtype=np.float32).tolist()],
                                   limit=min(k, 16384), anns_field="vector",
                                   search_params={"metric_type": "IP", "params": search})
        return [(int(hit["key"]), float(hit["distance"])) for hit in found[0]]

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        keys = [int(k) for k in keys]
        by_key: dict[int, list[float]] = {}
        for i in range(0, len(keys), MILVUS_BATCH):
            for row in self.client.get(self.collection, ids=keys[i:i + MILVUS_BATCH], output_fields=["vector"]):
                by_key[int(row["key"])] = row["vector"]
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise KeyError(f"Milvus collection {self.collection!r} lacks {len(missing)} keys, e.g. {missing[:3]}")
        return np.asarray([by_key[k] for k in keys], dtype=np.float32).reshape(len(keys), self.dim)

    # --- writing ------------------------------------------------------------------------------
    def updated(self, keep: np.ndarray, new_keys: np.ndarray, new_vectors: np.ndarray | None,
                kind: str) -> "MilvusStore":
        """Upsert the new keys' vectors (invisible until the manifest lists them) and note the keys
        that go, for deletion after the commit. A different index kind needs a new collection."""
        new_vectors = _as_matrix(new_vectors, self.dim)
        keep = np.asarray(keep, dtype=np.int64)
        if kind != self.kind and not self._fresh:
            fresh = MilvusStore.create(self.spec, self.dim, kind, len(keep) + len(new_keys))
            return fresh.updated(np.zeros(0, np.int64), np.concatenate([keep, new_keys]),
                                 np.concatenate([self.vectors(keep), new_vectors]), kind)
        first_new = int(new_keys[0]) if len(new_keys) else int(self.keys[-1]) + 1 if len(self.keys) else 0
        # vectors a killed build left behind: keys it upserted above the committed ones, keys it retired
        self.client.delete(self.collection, filter=f"key >= {first_new}")
        if len(self.retired):
            self.client.delete(self.collection, ids=self.retired.tolist())
        for i in range(0, len(new_keys), MILVUS_BATCH):
            self.client.upsert(self.collection, [{"key": int(k), "vector": v.tolist()} for k, v in
                                                 zip(new_keys[i:i + MILVUS_BATCH], new_vectors[i:i + MILVUS_BATCH])])
        if len(new_keys):
            self.client.flush(self.collection)
        retired = np.setdiff1d(self.keys, keep)
        store = MilvusStore(self.client, self.spec, self.collection, np.concatenate([keep, new_keys]), self.dim,
                            kind, retired)
        store._fresh = self._fresh
        return store

    def save(self, folder: Path, gen: str) -> dict[str, str]:
        """No file: the vectors are in Milvus (the manifest records the collection)."""
        self.client.load_collection(self.collection)
        return {}

    def committed(self) -> None:
        """Delete the retired keys; after a full build, drop this store's older collections."""
        if len(self.retired):
            self.client.delete(self.collection, ids=self.retired.tolist())
        if self._fresh:
            for name in self.client.list_collections():
                if name != self.collection and name.startswith(f"{self.spec.collection}_") and \
                        name[len(self.spec.collection) + 1:].isalnum():
                    log.info("dropping the replaced Milvus collection %s", name)
                    self.client.drop_collection(name)

    def close(self) -> None:
        self.client.close()
