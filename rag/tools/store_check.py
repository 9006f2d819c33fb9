"""Does the Milvus store return what FAISS exact search returns? Top-10 agreement on xquad_en.

``python -m rag store-check [--store milvus:PATH.db] [--kind auto|flat|ivf|hnsw] [--limit N]``

Indexes xquad_en (../shared/benchmarks/xquad_en) once with the real stages (spaCy sentences, MiniLM,
exact FAISS), then moves the same vectors into the Milvus store by reopening a copy of that index
with ``--store`` (``open_index`` moves stored vectors, it does not embed again), and searches each
question in both. A question agrees when both top 10s hold the same sentences (order aside);
the issue's target is agreement for >= 99% of questions. ``--limit`` checks the first N questions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.paths import shared_path
from rag.settings import INDEX_KINDS
from rag.vector_store import store_arg

K = 10


def agreement(exact: list[list[tuple[str, int]]], other: list[list[tuple[str, int]]]) -> dict:
    """Share of questions whose top-k sets are equal, and mean overlap@k, of two lists of rankings."""
    same = [set(a) == set(b) for a, b in zip(exact, other)]
    overlap = [len(set(a) & set(b)) / max(len(a), 1) for a, b in zip(exact, other)]
    return {"questions": len(same), "agreement": float(np.mean(same)) if same else 0.0,
            "mean_overlap": float(np.mean(overlap)) if overlap else 0.0,
            "disagreeing": [i for i, ok in enumerate(same) if not ok]}


def check(store: str, kind: str, limit: int, workdir: Path, progress=print) -> dict:
    """Build both indexes in ``workdir`` and compare their top-``K`` for the xquad_en questions."""
    from rag.corpus import load_corpus
    from rag.embedding import load_embedder
    from rag.index import open_index
    from rag.splitting import SpacySplitter

    folder = shared_path("benchmarks", "xquad_en", must_exist=True)
    corpus = load_corpus(folder / "corpus.jsonl")
    with open(folder / "questions.jsonl", encoding="utf-8") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()]
    questions = questions[:limit] if limit else questions
    embedder, splitter = load_embedder(None), SpacySplitter()
    common = {"model_sha256": getattr(embedder, "sha256", ""), "splitter": splitter.name}

    progress(f"indexing {len(corpus.documents)} xquad_en documents with exact FAISS search")
    started = time.perf_counter()
    exact, _ = open_index(corpus, embedder, workdir / "faiss", splitter.split, kind="flat", **common)
    faiss_s = time.perf_counter() - started
    shutil.copytree(workdir / "faiss", workdir / "milvus", ignore=shutil.ignore_patterns(".lock"))
    progress(f"moving {len(exact)} vectors into {store} (index kind {kind})")
    started = time.perf_counter()
    other, report = open_index(corpus, embedder, workdir / "milvus", splitter.split, kind=kind, store=store, **common)
    move_s = time.perf_counter() - started
    if report.embedded or report.rebuilt_because:
        raise RuntimeError(f"moving the vectors re-embedded documents: {report}")

    vectors = embedder.embed(questions)

    def ranked(index) -> tuple[list[list[tuple[str, int]]], list[float]]:
        out, seconds = [], []
        for q in vectors:
            t = time.perf_counter()
            hits = index.search(q, K)
            seconds.append(time.perf_counter() - t)
            out.append([(index.sentences[r].doc_id, index.sentences[r].index) for r, _ in hits])
        return out, seconds

    exact_top, exact_s = ranked(exact)
    other_top, other_s = ranked(other)
    result = agreement(exact_top, other_top)
    result.update(store=other.manifest["store"], index_kind=other.manifest["index_kind"], sentences=len(exact),
                  faiss_build_s=faiss_s, move_s=move_s,
                  search_p50_ms={"faiss_exact": 1000 * float(np.median(exact_s)),
                                 "store": 1000 * float(np.median(other_s))})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag store-check", description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=store_arg, default=None,
                        help="the store to check (default: Milvus Lite in a temporary folder)")
    parser.add_argument("--kind", choices=INDEX_KINDS, default="auto",
                        help="the store's index kind (auto: exact below Settings.approximate_above rows)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all 200)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the two indexes go (default: a temp folder)")
    parser.add_argument("--out", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rag-store-check-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        store = args.store or f"milvus:{workdir / 'milvus-lite' / 'vectors.db'}"
        result = check(store, args.kind, args.limit, workdir, progress=lambda m: print(m, file=sys.stderr))
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    target = "met" if result["agreement"] >= 0.99 else "MISSED"
    print(f"top-{K} agreement with FAISS exact: {result['agreement']:.3f} over {result['questions']} questions "
          f"(target >= 0.99: {target}); mean overlap@{K} {result['mean_overlap']:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
