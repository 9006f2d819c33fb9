"""Search speed and recall on real sentences, not synthetic copies (issue 14, item 5).

``embed``: the distinct sentences of the SQuAD v1.1 train paragraphs in ../shared (~100k) and a set
of SQuAD questions as queries, embedded once with the shipped embedder into ``--out`` (default
runs/real-vectors, out of git) in chunks written atomically, so a killed run resumes where it was.
A background job: ``nohup python -m rag.tools.real_vectors embed > runs/real-vectors.log 2>&1 &``.

``measure``: exact search (FAISS flat) gives the true top 10 of every query; then the project's own
IVF (``make_faiss_index``, nprobe swept) and HNSW (efSearch swept) are timed one query at a time and
scored by recall@10 against it. Prints the table, the cheapest setting with recall@10 >= 0.95, and
writes ``measure.json``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from rag.paths import PROJECT_ROOT, shared_path, use_shared
from rag.tools.stats import timed, timed_searches
from rag.util import atomic_write

CHUNK = 2048
NPROBES = (1, 2, 4, 8, 16, 32, 64)
EF_SEARCH = (16, 32, 64, 128, 256)
TARGET_RECALL = 0.95


def squad_texts(limit: int, n_queries: int) -> tuple[list[str], list[str]]:
    """Up to ``limit`` distinct sentences (>= 10 characters) of real text: the SQuAD v1.1 train
    paragraphs, then the SQuAD 2.0 dev paragraphs of the unanswerable set, xquad_en and the shipped
    corpus (SQuAD train alone gives ~91k); and ``n_queries`` distinct SQuAD train questions spread
    evenly over the file."""
    from rag.corpus import load_corpus
    from rag.settings import DEFAULT_CORPUS
    from rag.splitting import split_spans

    contexts: dict[str, None] = {}
    questions: list[str] = []
    with gzip.open(shared_path("training", "squad_v1.1_train", "train.jsonl.gz", must_exist=True), "rt",
                   encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            contexts.setdefault(row["context"], None)
            questions.append(row["question"])
    more = shared_path("training", "squad_v2_dev_unanswerable", "paragraphs.jsonl.gz")
    if more.is_file():
        with gzip.open(more, "rt", encoding="utf-8") as handle:
            for line in handle:
                contexts.setdefault(json.loads(line)["context"], None)
    xquad = shared_path("benchmarks", "xquad_en", "corpus.jsonl")
    for corpus in ([xquad] if xquad.is_file() else []) + [DEFAULT_CORPUS]:
        for document in load_corpus(corpus).documents:
            contexts.setdefault(document.text, None)
    sentences: dict[str, None] = {}
    paragraphs = list(contexts)
    for start in range(0, len(paragraphs), 500):
        batch = paragraphs[start:start + 500]
        for text, spans in zip(batch, split_spans(batch)):
            for s, e in spans:
                if e - s >= 10:
                    sentences.setdefault(text[s:e], None)
        if len(sentences) >= limit:
            break
    step = max(1, len(questions) // max(1, n_queries))
    picked = list(dict.fromkeys(questions[::step]))[:n_queries]
    return list(sentences)[:limit], picked


def _fingerprint(texts: list[str], queries: list[str], model: str) -> str:
    digest = hashlib.sha256(model.encode())
    for t in texts + ["\x00"] + queries:
        digest.update(t.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


def embed(out: Path, limit: int, n_queries: int, backend: str, threads: int) -> int:
    """Embed the sentences and queries into ``out`` chunk by chunk; resumable."""
    from rag.embedding import load_embedder

    texts, queries = squad_texts(limit, n_queries)
    embedder = load_embedder(None, threads, 32, backend)
    fingerprint = _fingerprint(texts, queries, embedder.name)
    out.mkdir(parents=True, exist_ok=True)
    meta_file = out / "meta.json"
    if meta_file.exists() and json.loads(meta_file.read_text())["fingerprint"] != fingerprint:
        raise SystemExit(f"{out} holds vectors of other texts or another model; use another --out")
    atomic_write(meta_file, json.dumps({"fingerprint": fingerprint, "sentences": len(texts), "queries": len(queries),
                                        "model": embedder.name, "backend": backend, "chunk": CHUNK}, indent=1))
    atomic_write(out / "queries.json", json.dumps(queries))
    if not (out / "queries.npy").exists():
        np.save(out / "queries.tmp.npy", embedder.embed(queries))
        (out / "queries.tmp.npy").replace(out / "queries.npy")
    started, done = time.monotonic(), 0
    chunks = range(0, len(texts), CHUNK)
    for i, start in enumerate(chunks):
        path = out / f"chunk-{i:05d}.npy"
        if path.exists():
            continue
        vectors = embedder.embed(texts[start:start + CHUNK])
        np.save(out / "chunk.tmp.npy", vectors)
        (out / "chunk.tmp.npy").replace(path)
        done += len(vectors)
        rate = done / (time.monotonic() - started)
        left = len(texts) - min(len(texts), start + CHUNK)
        print(f"chunk {i + 1}/{len(chunks)}: {start + len(vectors)} of {len(texts)} sentences, {rate:.0f}/s, "
              f"eta {left / rate / 60:.1f} min", flush=True)
    print(f"done: {len(texts)} sentences and {len(queries)} queries in {out}", flush=True)
    return 0


def load(out: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """The embedded sentences and queries (a clear error if the embedding has not finished)."""
    meta = json.loads((out / "meta.json").read_text())
    n_chunks = -(-meta["sentences"] // meta["chunk"])
    missing = [i for i in range(n_chunks) if not (out / f"chunk-{i:05d}.npy").exists()]
    if missing or not (out / "queries.npy").exists():
        raise SystemExit(f"{out}: {len(missing)} of {n_chunks} chunks missing; run (or resume) the embed step")
    vectors = np.concatenate([np.load(out / f"chunk-{i:05d}.npy") for i in range(n_chunks)])
    return vectors, np.load(out / "queries.npy"), meta


def recall_at(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact top-k ids that a search found."""
    return float(np.mean([len(set(f) & set(e)) / len(e) for f, e in zip(found.tolist(), exact.tolist())]))


def measure(out: Path, k: int, threads: int) -> int:
    """Flat (exact), IVF over nprobe and HNSW over efSearch: p50/p95 ms and recall@k; writes measure.json."""
    import faiss

    from rag.vector_store import make_faiss_index

    faiss.omp_set_num_threads(threads)
    vectors, queries, meta = load(out)
    rows = []

    def add(kind: str, knob: str, value, index, build_s: float, exact: np.ndarray | None):
        ids, seconds = timed_searches(lambda row: index.search(row, k)[1][0], queries)
        found = np.array(ids, dtype=np.int64).reshape(len(queries), k)
        ms = [1000 * s for s in seconds]
        rows.append({"kind": kind, knob: value, "build_s": build_s, "p50_ms": float(np.percentile(ms, 50)),
                     "p95_ms": float(np.percentile(ms, 95)),
                     "recall": 1.0 if exact is None else recall_at(found, exact)})
        print(f"{kind:<5} {knob} {value!s:<5} p50 {rows[-1]['p50_ms']:.3f} ms  p95 {rows[-1]['p95_ms']:.3f} ms  "
              f"recall@{k} {rows[-1]['recall']:.3f}", flush=True)
        return found

    flat_build, flat = timed(lambda: make_faiss_index(vectors, "flat"))
    exact = add("flat", "-", "-", flat, flat_build, None)
    ivf_build, ivf = timed(lambda: make_faiss_index(vectors, "ivf"))
    for nprobe in NPROBES:
        ivf.nprobe = min(nprobe, ivf.nlist)
        add("ivf", "nprobe", nprobe, ivf, ivf_build, exact)
    hnsw_build, hnsw = timed(lambda: make_faiss_index(vectors, "hnsw"))
    for ef in EF_SEARCH:
        hnsw.hnsw.efSearch = ef
        add("hnsw", "efSearch", ef, hnsw, hnsw_build, exact)
    good = [r for r in rows if r["recall"] >= TARGET_RECALL]
    best = min(good, key=lambda r: r["p50_ms"])
    result = {"sentences": len(vectors), "queries": len(queries), "k": k, "threads": threads, "model": meta["model"],
              "backend": meta["backend"], "ivf_nlist": int(ivf.nlist), "rows": rows, "best": best,
              "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
    atomic_write(out / "measure.json", json.dumps(result, indent=1))
    setting = {key: best[key] for key in ("nprobe", "efSearch") if key in best}
    print(f"{len(vectors):,} real SQuAD sentences, {len(queries)} SQuAD questions as queries, {threads} thread(s): "
          f"cheapest with recall@{k} >= {TARGET_RECALL}: {best['kind']} {setting} at p50 {best['p50_ms']:.3f} ms "
          f"(written to {out / 'measure.json'})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.real_vectors", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("embed", "measure"))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "real-vectors")
    parser.add_argument("--limit", type=int, default=100_000, help="real sentences to embed")
    parser.add_argument("--queries", type=int, default=1000, help="SQuAD questions used as queries")
    parser.add_argument("--backend", default="onnx", help="embedder backend (onnx: the same vectors, faster)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--shared", type=Path, default=None, help="the shared data folder (default ../shared)")
    args = parser.parse_args(argv)
    use_shared(args.shared)
    if min(args.limit, args.queries, args.threads, args.k) < 1:
        raise SystemExit("--limit, --queries, --threads and --k must be >= 1")
    if args.step == "embed":
        return embed(args.out, args.limit, args.queries, args.backend, args.threads)
    return measure(args.out, args.k, args.threads)


if __name__ == "__main__":
    sys.exit(main())
