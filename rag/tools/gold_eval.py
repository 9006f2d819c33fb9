"""Reader-only evaluation with the gold paragraph: EM/F1 and latency of a reader on xquad_en.

Isolates the reader from retrieval: each question's gold paragraph is cut into windows of
``window`` sentences with stride ``stride`` (0 = the whole paragraph as one window), the way
the assistant hands windows to the reader, and the reader's top span is scored.

    python -m rag.tools.gold_eval [--quantize] [--backend torch onnx onnx-int8 ...] [--update-card]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from rag.metrics import exact_match, f1_score
from rag.paths import shared_path
from rag.settings import BACKENDS
from rag.types import Reader, Sentence, Window

DEFAULT_BENCH = shared_path("benchmarks", "xquad_en")


@dataclass(frozen=True)
class GoldScores:
    """Mean SQuAD EM/F1 (0-1) over the questions, and reader latency per question in seconds."""

    questions: int
    exact_match: float
    f1: float
    median_latency: float
    p90_latency: float
    f1_each: tuple[float, ...] = field(default=(), repr=False)     # per question, in bench order


@dataclass(frozen=True)
class Paired:
    """One reader against another on the same questions: the mean F1 difference (points) with its 95%
    bootstrap interval over questions, and how many questions each does better. 200 questions leave
    about two points of noise either way; a difference inside the interval is no difference."""

    questions: int
    difference: float
    interval: tuple[float, float] | None
    better: int
    worse: int


def paired(scores: GoldScores, against: GoldScores) -> Paired:
    """``scores`` minus ``against``, question by question (both must have read the same bench)."""
    from rag.tools.evaluate import bootstrap_interval

    if len(scores.f1_each) != len(against.f1_each) or not scores.f1_each:
        raise ValueError("paired scores need both readers' per-question F1 on the same questions")
    diff = [100 * (a - b) for a, b in zip(scores.f1_each, against.f1_each)]
    return Paired(len(diff), statistics.fmean(diff), bootstrap_interval(diff),
                  sum(d > 0 for d in diff), sum(d < 0 for d in diff))


def paragraph_windows(doc_id: str, title: str, text: str, spans: Sequence[tuple[int, int]],
                      window: int, stride: int) -> list[Window]:
    """Windows of ``window`` consecutive sentences every ``stride`` sentences (0 = whole text)."""
    sents = tuple(Sentence(doc_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans))
    if window <= 0 or len(sents) <= window:
        groups = [sents]
    else:
        starts = list(range(0, len(sents) - window + 1, stride))
        if starts[-1] != len(sents) - window:
            starts.append(len(sents) - window)     # the tail is always covered
        groups = [sents[k:k + window] for k in starts]
    return [Window(doc_id=doc_id, title=title, text=text[g[0].start:g[-1].end], start=g[0].start,
                   end=g[-1].end, sentences=g, center=len(g) // 2, rank=r, retrieval_score=0.0)
            for r, g in enumerate(groups)]


def evaluate_gold(reader: Reader, bench: Path = DEFAULT_BENCH, window: int = 3, stride: int = 1,
                  limit: int = 0) -> GoldScores:
    """Score ``reader`` on every question of ``bench`` given its gold paragraph."""
    from rag.splitting import split_spans

    corpus = {d["doc_id"]: d for d in map(json.loads, (bench / "corpus.jsonl").read_text().splitlines())}
    questions = [json.loads(x) for x in (bench / "questions.jsonl").read_text().splitlines() if x.strip()]
    if limit:
        questions = questions[:limit]
    ids = sorted({q["doc_ids"][0] for q in questions})
    spans = dict(zip(ids, split_spans(corpus[i]["text"] for i in ids)))
    em, f1, latency = [], [], []
    for q in questions:
        doc = corpus[q["doc_ids"][0]]
        windows = paragraph_windows(doc["doc_id"], doc["title"], doc["text"], spans[doc["doc_id"]], window, stride)
        t0 = time.perf_counter()
        found = reader.read(q["question"], windows)
        latency.append(time.perf_counter() - t0)
        prediction = found[0].text if found else ""
        em.append(exact_match(prediction, q["answers"]))
        f1.append(f1_score(prediction, q["answers"]))
    latency.sort()
    return GoldScores(len(questions), statistics.fmean(em), statistics.fmean(f1), statistics.median(latency),
                      latency[int(0.9 * (len(latency) - 1))], tuple(f1))


def update_card(card: Path, rows: Sequence[tuple[str, GoldScores]], threads: int) -> None:
    """Replace the scores section of MODEL_CARD.md with a table of ``rows``."""
    table = ["On `benchmarks/xquad_en` (240 Wikipedia paragraphs from SQuAD v1.1 dev, never trained on), "
             "reader only, with the gold paragraph (`python -m rag.tools.gold_eval`), "
             f"{threads} torch threads, latency = one `read()` call for all windows of a question:", "",
             "| setting | questions | EM | F1 | median latency | p90 latency |", "| --- | --- | --- | --- | --- | --- |"]
    table += [f"| {name} | {s.questions} | {100 * s.exact_match:.1f} | {100 * s.f1:.1f} | "
              f"{1000 * s.median_latency:.0f} ms | {1000 * s.p90_latency:.0f} ms |" for name, s in rows]
    text = card.read_text()
    head, _, rest = text.partition("<!-- scores -->")
    _, _, tail = rest.partition("<!-- /scores -->")
    card.write_text(head + "<!-- scores -->\n" + "\n".join(table) + "\n<!-- /scores -->" + tail)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.gold_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=None, help="trained reader folder (default models/reader)")
    parser.add_argument("--reader", default="trained", choices=["trained", "baseline"])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--window", type=int, nargs="+", default=[3],
                        help="sentences per window (0 = whole paragraph); several values = several rows")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quantize", action="store_true", help="also score the int8 dynamic-quantised model")
    parser.add_argument("--backend", nargs="+", choices=BACKENDS, default=["torch"],
                        help="what runs the trained reader: torch and/or ONNX Runtime copies; one row each")
    parser.add_argument("--update-card", action="store_true", help="write the scores into MODEL_CARD.md")
    parser.add_argument("--out", type=Path, default=None, help="write the scores as JSON here")
    parser.add_argument("--against", type=Path, default=None,
                        help="a second trained reader folder (e.g. models/reader): also score it, and report the "
                             "F1 difference question by question with its 95%% bootstrap interval")
    args = parser.parse_args(argv)
    if args.stride <= 0:
        parser.error(f"--stride must be positive, got {args.stride}")

    rows: list[tuple[str, GoldScores]] = []
    if args.reader == "baseline":
        from rag.readers.baseline import BaselineReader

        readers: list[tuple[str, Reader]] = [("baseline", BaselineReader())]
    else:
        from rag.readers.trained import DEFAULT_MODEL_DIR, TrainedReader

        model_dir = args.model_dir or DEFAULT_MODEL_DIR
        readers = [("float32" if backend == "torch" else backend,
                    TrainedReader(model_dir, threads=args.threads, backend=backend)) for backend in args.backend]
        if args.quantize:
            readers.append(("int8 dynamic", TrainedReader(model_dir, threads=args.threads, quantize=True)))
    against = None
    if args.against:
        from rag.readers.trained import TrainedReader

        against = TrainedReader(args.against, threads=args.threads)
    compared: dict[str, Paired] = {}
    for window in args.window:
        shape = "whole paragraph" if window <= 0 else f"{window}-sentence windows, stride {args.stride}"
        base = evaluate_gold(against, args.bench, window, args.stride, args.limit) if against else None
        for name, reader in readers:
            scores = evaluate_gold(reader, args.bench, window, args.stride, args.limit)
            rows.append((f"{name}, {shape}", scores))
            print(f"{name} ({shape}): EM {100 * scores.exact_match:.1f} F1 {100 * scores.f1:.1f} "
                  f"median {1000 * scores.median_latency:.0f} ms p90 {1000 * scores.p90_latency:.0f} ms "
                  f"({scores.questions} questions)", flush=True)
            if base is not None:
                d = compared[rows[-1][0]] = paired(scores, base)
                low, high = d.interval or (float("nan"), float("nan"))
                print(f"  against {args.against} (F1 {100 * base.f1:.1f}): {d.difference:+.1f} points, "
                      f"95% bootstrap interval [{low:+.1f}, {high:+.1f}]; better on {d.better}, worse on "
                      f"{d.worse} of {d.questions} questions", flush=True)
    if args.out:
        args.out.write_text(json.dumps([{"setting": n, **s.__dict__,
                                         **({"against": {"reader": str(args.against), **compared[n].__dict__}}
                                            if n in compared else {})} for n, s in rows], indent=1))
    if args.update_card and args.reader == "trained":
        update_card(Path(args.model_dir or DEFAULT_MODEL_DIR) / "MODEL_CARD.md", rows, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
