"""Write the held-out SQuAD bench: 500 questions on the 12 SQuAD train articles kept out of reader training.

Those articles are the calibration ones (``rag.tools.calibrate.held_out_titles``, seed 7), so the bench
is a fit-side set for design choices, never a measurement one. Same layout as ``benchmarks/xquad_en``
(``corpus.jsonl`` + ``questions.jsonl``), so ``rag eval --corpus`` and ``gold_eval --bench`` both read it.
Earlier sessions built it by hand; this makes it reproducible on a fresh machine.

    python -m rag.tools.squad_bench --out runs/heldout
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

from rag.tools.calibrate import squad_sample
from rag.tools.train_reader import data_path


def bench_rows(path: Path, articles: int = 12, questions: int = 500, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """(corpus rows, question rows) in the benchmark layout, from ``squad_sample``."""
    docs, qs = squad_sample(path, articles, questions, seed)
    rows = [{"id": f"heldout-{i:03d}", "question": q["question"], "answers": q["answers"], "doc_ids": [q["doc_id"]]}
            for i, q in enumerate(qs)]
    return docs, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.squad_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for corpus.jsonl and questions.jsonl")
    parser.add_argument("--data", default="", help="SQuAD v1.1 train (default: ../shared/training)")
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    docs, rows = bench_rows(data_path(args.data), args.articles, args.questions, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, items in (("corpus.jsonl", docs), ("questions.jsonl", rows)):
        (args.out / name).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items))
    print(f"{len(rows)} questions over {len(docs)} paragraphs -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
