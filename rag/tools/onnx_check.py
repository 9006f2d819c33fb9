"""Does the ONNX Runtime copy keep the models' quality? ``python -m rag onnx-check``.

Retrieval: the same corpus indexed once per embedder backend (torch fp32 is the reference), then per
question (first turns only) hybrid recall@5 of the gold evidence sentence as ``rag eval`` counts it,
dense-only recall@5, and the overlap of the dense top 10 with the reference's top 10. Reading: the
gold-paragraph F1 of the trained reader per backend (``rag.tools.gold_eval``), with the gold
paragraph in 3-sentence windows. Targets of issue 15: recall@5 within 0.5 points of fp32, top-10
overlap >= 0.95, reader F1 at most 0.5 points below torch.

    python -m rag onnx-check [--limit N] [--embedders onnx-int8 ...] [--readers onnx-int8 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from rag.paths import shared_path
from rag.settings import BACKENDS, Settings

DEFAULT_BENCH = shared_path("benchmarks", "xquad_en")


def top_overlap(found: Sequence[object], reference: Sequence[object], k: int = 10) -> float:
    """|found top k ∩ reference top k| / k (1.0 when both lists are empty)."""
    ref = set(reference[:k])
    if not ref:
        return 1.0
    return len(set(found[:k]) & ref) / min(k, len(ref))


def retrieval_check(corpus: Path, questions: Path, backends: Sequence[str], limit: int, threads: int,
                    say=print) -> dict[str, dict[str, float]]:
    """Per embedder backend: hybrid and dense recall@5, and dense top-10 overlap with the first backend."""
    from rag.assistant import Assistant
    from rag.tools.evaluate import load_questions, retrieval_scores

    cases = [item.cases[0] for item in load_questions(questions)]
    cases = [c for c in cases if c.answers][:limit or None]
    tops: dict[str, list[list[tuple[str, int]]]] = {}
    out: dict[str, dict[str, float]] = {}
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="rag-onnx-check-") as index:
            started = time.perf_counter()
            assistant = Assistant.load(settings=Settings(corpus=corpus, index=Path(index), embedder_backend=backend,
                                                         threads=threads, show_progress=False))
            built = time.perf_counter() - started
            hybrid, dense, top = [], [], []
            for case in cases:
                hits = assistant.retrieve(case.question, k=5)
                hybrid.append(retrieval_scores([h.sentence.text for h in hits], case.answers, case.evidence)["recall@5"])
                vector = assistant.retriever.embedder.embed([case.question])[0]
                rows = [row for row, _ in assistant.index.search(vector, 10)]
                sentences = [assistant.index.sentences[row] for row in rows]
                dense.append(retrieval_scores([s.text for s in sentences[:5]], case.answers, case.evidence)["recall@5"])
                top.append([(s.doc_id, s.index) for s in sentences])
        tops[backend] = top
        reference = tops[backends[0]]
        out[backend] = {"questions": len(cases), "hybrid_recall@5": statistics.fmean(hybrid),
                        "dense_recall@5": statistics.fmean(dense),
                        "top10_overlap": statistics.fmean(top_overlap(a, b) for a, b in zip(top, reference)),
                        "load_and_index_s": built}
        say(f"embedder {backend}: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                                for k, v in out[backend].items()))
    return out


def reader_check(bench: Path, backends: Sequence[str], limit: int, threads: int, say=print) -> dict[str, dict]:
    """Per reader backend: gold-paragraph EM/F1 (3-sentence windows, stride 1) and latency."""
    from rag.readers.trained import TrainedReader
    from rag.tools.gold_eval import evaluate_gold

    out = {}
    for backend in backends:
        scores = evaluate_gold(TrainedReader(threads=threads, backend=backend), bench, 3, 1, limit)
        out[backend] = dict(scores.__dict__)
        say(f"reader {backend}: EM {100 * scores.exact_match:.1f} F1 {100 * scores.f1:.1f} "
            f"({scores.questions} questions, median {1000 * scores.median_latency:.0f} ms)")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag onnx-check", description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH,
                        help="folder with corpus.jsonl and questions.jsonl (default ../shared/benchmarks/xquad_en)")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus for the retrieval check (default: the bench's)")
    parser.add_argument("--questions", type=Path, default=None,
                        help="questions for the retrieval check (default: the bench's; corpus/questions.jsonl works)")
    parser.add_argument("--embedders", nargs="*", choices=BACKENDS,
                        default=["onnx", "onnx-int8", "onnx-int8-per-channel"],
                        help="embedder backends compared with torch (none: skip the retrieval check)")
    parser.add_argument("--readers", nargs="*", choices=BACKENDS,
                        default=["onnx", "onnx-int8", "onnx-int8-per-channel"],
                        help="reader backends compared with torch (none: skip the reader check)")
    parser.add_argument("--limit", type=int, default=0, help="first N questions only (0 = all)")
    parser.add_argument("--threads", type=int, default=Settings.threads)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    say = lambda text: print(text, flush=True)
    results: dict = {"limit": args.limit}
    if args.embedders:
        backends = ["torch", *[b for b in args.embedders if b != "torch"]]
        results["retrieval"] = retrieval_check(args.corpus or args.bench / "corpus.jsonl",
                                               args.questions or args.bench / "questions.jsonl",
                                               backends, args.limit, args.threads, say)
        ref = results["retrieval"]["torch"]
        for b in backends[1:]:
            r = results["retrieval"][b]
            say(f"  {b} vs torch: hybrid recall@5 {100 * (r['hybrid_recall@5'] - ref['hybrid_recall@5']):+.2f} points, "
                f"dense recall@5 {100 * (r['dense_recall@5'] - ref['dense_recall@5']):+.2f} points, "
                f"top-10 overlap {r['top10_overlap']:.3f}")
    if args.readers:
        backends = ["torch", *[b for b in args.readers if b != "torch"]]
        results["reader"] = reader_check(args.bench, backends, args.limit, args.threads, say)
        ref = results["reader"]["torch"]
        for b in backends[1:]:
            say(f"  {b} vs torch: F1 {100 * (results['reader'][b]['f1'] - ref['f1']):+.2f} points, "
                f"EM {100 * (results['reader'][b]['exact_match'] - ref['exact_match']):+.2f} points")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
