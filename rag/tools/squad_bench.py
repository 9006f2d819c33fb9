"""Write the held-out SQuAD bench: 500 questions on the 12 SQuAD train articles kept out of reader training.

Those articles are the calibration ones (``rag.tools.calibrate.held_out_titles``, seed 7), so the bench
is a fit-side set for design choices, never a measurement one. Same layout as ``benchmarks/xquad_en``
(``corpus.jsonl`` + ``questions.jsonl``), so ``rag eval --corpus`` and ``gold_eval --bench`` both read it.
Earlier sessions built it by hand; this makes it reproducible on a fresh machine.

With ``--unanswerable N`` it also holds N SQuAD 2.0 questions that look answerable but are not, from the
articles kept out of reader and reranker training (``calibrate.unanswerable_articles``) and *not* among
those ``python -m rag calibrate`` fits on, with their paragraphs in the corpus: refusal measured on a few
hundred hard negatives the confidence was not fitted on (the shipped set holds 27 unanswerable questions).

    python -m rag.tools.squad_bench --out runs/heldout
    python -m rag.tools.squad_bench --out runs/heldout-neg --unanswerable 300
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

from rag.tools.calibrate import UNANSWERABLE, clause_extras, sample, squad_sample, unanswerable_articles
from rag.tools.train_reader import data_path


def bench_rows(path: Path, articles: int = 12, questions: int = 500, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """(corpus rows, question rows) in the benchmark layout, from ``squad_sample``."""
    docs, qs = squad_sample(path, articles, questions, seed)
    rows = [{"id": f"heldout-{i:03d}", "question": q["question"], "answers": q["answers"], "doc_ids": [q["doc_id"]]}
            for i, q in enumerate(qs)]
    return docs, rows


def unanswerable_rows(path: Path, n: int, holdout: float = 0.34, seed: int = 7,
                      calibration_sample: int = 300) -> tuple[list[dict], list[dict]]:
    """(corpus rows, ``n`` unanswerable question rows) from the calibration articles of SQuAD 2.0,
    leaving out the ones ``rag calibrate`` (same seed, ``--hard-negatives calibration_sample``) fits on."""
    docs, pool = unanswerable_articles(path, holdout, seed)
    fitted = sample(pool, calibration_sample, seed + 2)
    taken = {q["question"] for q in fitted + clause_extras(pool, fitted)}
    rest = [q for q in pool if q["question"] not in taken]
    chosen = sample(rest, n, seed + 3)
    rows = [{"id": f"heldout-neg-{i:03d}", "question": q["question"], "answers": [], "doc_ids": []}
            for i, q in enumerate(chosen)]
    return docs, rows                              # every paragraph of those articles, as calibrate reads them


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.squad_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for corpus.jsonl and questions.jsonl")
    parser.add_argument("--data", default="", help="SQuAD v1.1 train (default: ../shared/training)")
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--unanswerable", type=int, default=0,
                        help="add this many SQuAD 2.0 unanswerable questions the calibration was not fitted on")
    parser.add_argument("--unanswerable-data", type=Path, default=None,
                        help="SQuAD 2.0 unanswerable paragraphs (default: ../shared/training)")
    args = parser.parse_args(argv)
    docs, rows = bench_rows(data_path(args.data), args.articles, args.questions, args.seed)
    if args.unanswerable:
        extra_docs, extra_rows = unanswerable_rows(args.unanswerable_data or UNANSWERABLE, args.unanswerable,
                                                   seed=args.seed)
        docs, rows = docs + extra_docs, rows + extra_rows
    args.out.mkdir(parents=True, exist_ok=True)
    for name, items in (("corpus.jsonl", docs), ("questions.jsonl", rows)):
        (args.out / name).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items))
    print(f"{len(rows)} questions over {len(docs)} paragraphs -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
