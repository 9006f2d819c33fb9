"""How high the reranker scores sentences for questions on another subject: ``python -m rag.tools.related_check``.

"Nothing in the documents seems related" must be true when said. ``rag.citing.related`` counts a
sentence the reranker scores at ``RERANK_RELATED`` or more as related; this asks SQuAD v1.1 *train*
questions (never the measurement sets; Wikipedia subjects) of a corpus on other subjects, the
shipped news articles by default, and prints the highest reranker score each gets and how often
"nothing related" is said with and without that rule. Every one of these questions is off-topic,
so a level above nearly all of their scores keeps the claim true for them.

    python -m rag.tools.related_check [--corpus C --index I] [--questions 400 --seed 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.paths import shared_path
from rag.settings import Settings


@dataclass(frozen=True)
class RelatedCheck:
    """For questions on another subject: the reranker's best score for each, and how many were told
    "nothing related" by the fused estimate alone and by the assistant as it answers now."""

    best_rerank: list[float]
    told_nothing_before: int
    told_nothing_now: int


def check(assistant, questions: Sequence[str]) -> RelatedCheck:
    """Ask each question (all off the corpus's subject) and record what ``RelatedCheck`` holds."""
    from rag.citing import NOTHING_RELATED, off_subject

    best, before, now = [], 0, 0
    for question in questions:
        trace = assistant.run(question)
        best.append(max((h.rerank_score or 0.0 for h in trace.hits), default=0.0))
        before += trace.answer.abstained and off_subject(trace.hits)     # the fused estimate alone
        now += NOTHING_RELATED in trace.answer.message
    return RelatedCheck(best, before, now)


def main(argv: list[str] | None = None) -> int:
    from rag.assistant import Assistant
    from rag.citing import RERANK_RELATED

    p = argparse.ArgumentParser(prog="python -m rag.tools.related_check", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default=None, help="a corpus on other subjects (default: the shipped one)")
    p.add_argument("--index", default=None)
    p.add_argument("--questions", type=int, default=400)
    p.add_argument("--seed", type=int, default=5)
    args = p.parse_args(argv)
    path = shared_path("training", "squad_v1.1_train", "train.jsonl.gz", must_exist=True)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    random.Random(args.seed).shuffle(rows)
    assistant = Assistant.load(args.corpus, args.index, Settings(show_progress=False))
    found = check(assistant, [row["question"] for row in rows[:args.questions]])
    best, n = found.best_rerank, len(found.best_rerank)
    print(f"{n} off-topic questions; the reranker's best score: 90th / 99th percentile / max "
          f"{np.percentile(best, 90):.4f} / {np.percentile(best, 99):.4f} / {max(best):.4f}; "
          f"at or above RERANK_RELATED ({RERANK_RELATED}): {sum(b >= RERANK_RELATED for b in best)}")
    print(f"told 'nothing related': {found.told_nothing_before / n:.4f} by the fused estimate alone, "
          f"{found.told_nothing_now / n:.4f} as the assistant says it now (sentences the reranker scores, or "
          f"naming the question's names, related)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
