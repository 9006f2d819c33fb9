"""Command line: ``python -m rag {prepare,index,ask,eval,compare,calibrate,bench,store-check} ...``; parsing only, logic lives in rag/."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from rag.errors import RagError
from rag.settings import BACKENDS, DEFAULT_CORPUS, DEFAULT_INDEX, READERS, RERANKERS, Settings
from rag.vector_store import store_arg

# sub-commands implemented in their own modules, each exposing main(argv) -> int
_DELEGATED = {"eval": "rag.tools.evaluate", "calibrate": "rag.tools.calibrate", "bench": "rag.tools.bench",
              "train-reader": "rag.tools.train_reader", "gold-eval": "rag.tools.gold_eval",
              "news-threshold": "rag.tools.news_threshold", "compare": "rag.tools.compare", "store-check": "rag.tools.store_check",
              "onnx-check": "rag.tools.onnx_check"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("index", "build or update the index of a corpus"),
                            ("ask", "answer one question with cited sentences")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .txt/.md/.html or a .jsonl file")
        p.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder")
        p.add_argument("--store", type=store_arg, default=Settings.store,
                       help="where vectors live: faiss (default), milvus:PATH.db (Milvus Lite) or "
                            "milvus:http://HOST:19530 (a Milvus server); Milvus needs requirements-scale.txt")
        p.add_argument("--embedder-backend", choices=BACKENDS, default=Settings.embedder_backend,
                       help="what runs the embedding model (torch, or ONNX Runtime fp32 / int8)")
        p.add_argument("--threads", type=int, default=Settings.threads, help="CPU threads per model call")
        if name == "index":
            p.add_argument("--ray", nargs="?", const="local", default="", metavar="ADDRESS",
                           help="split and embed as Ray Data pipelines: a local Ray, or the cluster at ADDRESS "
                                "(needs requirements-scale.txt)")
            p.add_argument("--ray-workers", type=int, default=Settings.ray_workers, help="actors per stage on Ray")
            p.add_argument("--ray-batch-size", type=int, default=Settings.ray_batch_size, help="rows per Ray batch")
        if name == "ask":
            p.add_argument("question")
            p.add_argument("--json", action="store_true", help="print the Answer as JSON")
            p.add_argument("--reader", choices=READERS, default=Settings.reader)
            p.add_argument("--top-k", type=int, default=Settings.top_k)
            p.add_argument("--reader-backend", choices=BACKENDS, default=Settings.reader_backend,
                           help="what runs the trained reader (torch, or ONNX Runtime fp32 / int8)")
            p.add_argument("--reranker", choices=RERANKERS, default=Settings.reranker,
                           help="reorder the fused sentences with our cross-encoder (models/reranker) or not")
    p = sub.add_parser("prepare", help="make the ONNX Runtime copies of the models now (setup runs it), "
                                       "so the first start does not spend a minute or two on them")
    p.add_argument("--embedder-backend", choices=BACKENDS, default=Settings.embedder_backend)
    p.add_argument("--reader-backend", choices=BACKENDS, default=Settings.reader_backend)
    p.add_argument("--reranker-backend", choices=BACKENDS, default=Settings.reranker_backend,
                   help="used only when models/reranker holds trained weights")
    for name, module in _DELEGATED.items():
        sub.add_parser(name, help=f"see python -m rag {name} --help", add_help=False)
    return parser


def _print_answer(answer) -> None:
    print(answer.message if not answer.abstained else answer.message)
    if answer.resolved_question and answer.resolved_question != answer.question:
        print(f"(understood as: {answer.resolved_question})")
    for i, c in enumerate(answer.citations or answer.related, start=1):
        label = "source" if c.kind == "evidence" else "related"
        print(f"  [{i}] {label}: {c.title} (sentence {c.index + 1}, chars {c.start}-{c.end}, score {c.score:.2f})")
        print(f"      \"{c.sentence}\"")
    print(f"confidence {answer.confidence:.2f}")


def _take_shared(argv: list[str]) -> list[str]:
    """Apply ``--shared PATH`` (where ../shared is, for the tools that read it) and drop it from argv."""
    from rag.paths import use_shared

    out, i = [], 0
    while i < len(argv):
        if argv[i] == "--shared" and i + 1 < len(argv):
            use_shared(argv[i + 1])
            i += 2
        elif argv[i].startswith("--shared="):
            use_shared(argv[i].split("=", 1)[1])
            i += 1
        else:
            out.append(argv[i])
            i += 1
    return out


def _prepare(embedder_backend: str, reader_backend: str, reranker_backend: str) -> int:
    """Load the models once with the given backends: an ONNX backend exports (and for int8
    quantises) its copy into models/onnx here, the only step that imports torch. The reranker is
    prepared only when its weights ship (models/reranker)."""
    import time

    from rag.embedding import load_embedder
    from rag.readers.trained import TrainedReader
    from rag.rerank import DEFAULT_MODEL_DIR, WEIGHTS, TrainedReranker

    started = time.perf_counter()
    embedder = load_embedder(None, Settings.threads, Settings.batch_size, embedder_backend)
    TrainedReader(backend=reader_backend)
    reranker = "none shipped"
    if (DEFAULT_MODEL_DIR / WEIGHTS).is_file():
        TrainedReranker(backend=reranker_backend)
        reranker = reranker_backend
    print(f"models ready: embedder {embedder.name}, reader {reader_backend}, reranker {reranker} "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = _take_shared(list(sys.argv[1:] if argv is None else argv))
    if argv and argv[0] in _DELEGATED:
        import importlib

        return importlib.import_module(_DELEGATED[argv[0]]).main(argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    from rag.assistant import Assistant

    try:
        if args.command == "prepare":
            return _prepare(args.embedder_backend, args.reader_backend, args.reranker_backend)
        if args.command == "index":
            from rag import ray_indexing

            ray_was_running = ray_indexing.running()
            try:
                assistant = Assistant.load(settings=Settings(
                    corpus=args.corpus, index=args.index, store=args.store, threads=args.threads,
                    embedder_backend=args.embedder_backend, ray=args.ray, ray_workers=args.ray_workers,
                    ray_batch_size=args.ray_batch_size), answering=False)
            finally:
                if args.ray and not ray_was_running:
                    ray_indexing.shutdown()
            r = assistant.report
            print(f"index {args.index}: {len(assistant.documents)} documents, {len(assistant.index)} sentences "
                  f"({len(r.embedded)} embedded, {len(r.reused)} reused, {len(r.removed)} removed) in {r.seconds:.1f} s")
            for s in assistant.skipped:
                print(f"skipped {s.source}: {s.reason}")
            return 0
        settings = Settings(corpus=args.corpus, index=args.index, reader=args.reader, top_k=args.top_k,
                            show_progress=False, store=args.store, threads=args.threads,
                            embedder_backend=args.embedder_backend, reader_backend=args.reader_backend,
                            reranker=args.reranker)
        assistant = Assistant.load(settings=settings)
        answer = assistant.ask(args.question)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asdict(answer), indent=2, ensure_ascii=False))
    else:
        _print_answer(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
