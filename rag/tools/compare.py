"""Two evaluation runs of the same questions, compared question by question: ``python -m rag compare A B``.

A and B are ``rag eval --out`` folders (each with ``results.jsonl``), or folders that hold such
folders, one per question set (the sets both hold are compared, and pooled in an "all" row). For
each set it reports B against A: F1 over the answerable questions with the 95% bootstrap interval of
the paired difference, how many questions got better and worse, false refusals, refusals of
unanswerable questions, wrong answers shown (``rag eval``'s "wrong") and, of those, the ones not marked
"may be wrong" (wrong while they look right); then, with ``--changes``,
every question whose answer changed; with ``--by-form``, also the pooled questions grouped by what form of
answer they ask for (``rag.clauses.question_form``: why, how, yes/no, did, do; "span" for the rest), since a
reader can gain on factoid spans and lose on clause answers. Two readers or two settings on a few hundred questions differ
by noise as often as by skill: a difference whose interval holds 0 is not shown to be one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

from rag.errors import RagError
from rag.tools.evaluate import Result, bootstrap_interval, is_wrong

RESULTS = "results.jsonl"


@dataclass(frozen=True)
class Change:
    """One question answered differently by B than by A; ``effect`` +1 better, -1 worse, 0 level
    (for an unanswerable question, refusing is better)."""

    id: str
    turn: int
    question: str
    gold: tuple[str, ...]
    before: str
    after: str
    effect: int


@dataclass(frozen=True)
class SetComparison:
    """B against A on one question set (or all of them pooled). Pairs are (A, B) counts or scores."""

    name: str
    questions: int
    answerable: int
    unanswerable: int
    f1: tuple[float | None, float | None]
    f1_difference: float | None           # B - A, mean over answerable questions
    f1_interval: tuple[float, float] | None
    better: int                           # answerable questions with a higher F1 in B, or unanswerable ones B refuses and A answered
    worse: int
    false_refusals: tuple[int, int]
    refused_unanswerable: tuple[int, int]
    shown: tuple[int, int]                # answers given (not refused)
    wrong_shown: tuple[int, int]          # of those, wrong: F1 < 0.5, or any answer to an unanswerable question
    wrong_sure: tuple[int, int] | None = None   # wrong and not marked "may be wrong"; None if a run did not record the mark
    changes: tuple[Change, ...] = ()
    pooled: bool = False                  # a row over several sets ("all", "form ..."), not one set


def load_results(path: Path) -> tuple[dict[tuple[str, int], Result], bool]:
    """The results of one ``rag eval`` run by (id, turn), and whether they record the "may be wrong"
    mark (runs before it was recorded do not); fields this version does not know are left out."""
    file = path / RESULTS if path.is_dir() else path
    if not file.is_file():
        raise RagError(f"{path}: no {RESULTS} (a `python -m rag eval --out` folder is expected)")
    known = {f.name for f in fields(Result)}
    out: dict[tuple[str, int], Result] = {}
    marked = True
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            marked = marked and "uncertain" in row
            result = Result(**{k: v for k, v in row.items() if k in known})
        except (ValueError, TypeError) as exc:
            raise RagError(f"{file}, line {n}: not a result of `rag eval` ({exc})") from None
        out[(result.id, result.turn)] = result
    if not out:
        raise RagError(f"{file} holds no results")
    return out, marked


def runs(a: Path, b: Path, sets: Sequence[str] = ()) -> list[tuple[str, Path, Path]]:
    """(set name, A's run, B's run): the two folders themselves when they are runs, else their
    subfolders that are runs in both (only those named in ``sets``, when given)."""
    if (a / RESULTS).is_file() or (b / RESULTS).is_file() or a.is_file() or b.is_file():
        return [(b.name if b.is_dir() else b.stem, a, b)]
    if not a.is_dir() or not b.is_dir():
        raise RagError(f"{a if not a.is_dir() else b}: no such folder")
    names = sorted(p.name for p in b.iterdir() if (p / RESULTS).is_file() and (a / p.name / RESULTS).is_file())
    if not names:
        raise RagError(f"{a} and {b} hold no question set run in both (folders with {RESULTS})")
    if sets:
        missing = [s for s in sets if s not in names]
        if missing:
            raise RagError(f"not run in both {a} and {b}: {', '.join(missing)} (run in both: {', '.join(names)})")
        names = [s for s in names if s in sets]
    return [(name, a / name, b / name) for name in names]


def unpaired(a: Path, b: Path) -> list[str]:
    """Sets run in only one of two folders of runs (none when A and B are runs themselves)."""
    if not a.is_dir() or not b.is_dir() or (a / RESULTS).is_file() or (b / RESULTS).is_file():
        return []
    sets = lambda folder: {p.name for p in folder.iterdir() if (p / RESULTS).is_file()}
    return sorted(sets(a) ^ sets(b))


def _shown(r: Result) -> str:
    return "(refused)" if r.abstained else r.answer


def _effect(before: Result, after: Result) -> int:
    if after.gold_answers:
        d = after.scores.get("f1", 0.0) - before.scores.get("f1", 0.0)
    else:
        d = float(after.abstained) - float(before.abstained)
    return (d > 1e-9) - (d < -1e-9)


def pair(a: dict[tuple[str, int], Result], b: dict[tuple[str, int], Result], where: str = "") -> list[tuple[Result, Result]]:
    """The results of the same questions side by side; RagError when the two runs asked different questions."""
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:
        show = lambda keys: ", ".join(f"{i}#{t}" for i, t in keys[:5]) + (" ..." if len(keys) > 5 else "")
        raise RagError(f"{where}the runs asked different questions: {len(only_a)} only in A ({show(only_a)}), "
                       f"{len(only_b)} only in B ({show(only_b)})")
    pairs = [(a[k], b[k]) for k in sorted(a)]
    for x, y in pairs:
        if x.question != y.question:
            raise RagError(f"{where}question {x.id}#{x.turn} differs: {x.question!r} in A, {y.question!r} in B")
    return pairs


def compare(name: str, pairs: Sequence[tuple[Result, Result]], marked: bool = True,
            pooled: bool = False) -> SetComparison:
    """B against A over ``pairs`` of the same questions' results (``marked``: both runs recorded
    the "may be wrong" mark, so wrong answers that look right can be counted)."""
    answerable = [(x, y) for x, y in pairs if x.gold_answers]
    unanswerable = [(x, y) for x, y in pairs if not x.gold_answers]
    diff = [y.scores.get("f1", 0.0) - x.scores.get("f1", 0.0) for x, y in answerable]
    f1 = lambda side: round(statistics.fmean(p[side].scores.get("f1", 0.0) for p in answerable), 4) if answerable else None
    effects = [_effect(x, y) for x, y in pairs]
    count = lambda test: (sum(test(x) for x, _ in pairs), sum(test(y) for _, y in pairs))
    changes = tuple(Change(y.id, y.turn, y.question, tuple(y.gold_answers), _shown(x), _shown(y), e)
                    for (x, y), e in zip(pairs, effects)
                    if (x.answer, x.abstained, x.answer_kind) != (y.answer, y.abstained, y.answer_kind))
    return SetComparison(
        name=name, questions=len(pairs), answerable=len(answerable), unanswerable=len(unanswerable),
        f1=(f1(0), f1(1)), f1_difference=round(statistics.fmean(diff), 4) if diff else None,
        f1_interval=bootstrap_interval(diff), better=effects.count(1), worse=effects.count(-1),
        false_refusals=count(lambda r: bool(r.gold_answers) and r.abstained),
        refused_unanswerable=count(lambda r: not r.gold_answers and r.abstained),
        shown=count(lambda r: not r.abstained), wrong_shown=count(is_wrong),
        wrong_sure=count(lambda r: is_wrong(r) and not r.uncertain) if marked else None, changes=changes,
        pooled=pooled)


def by_form(pairs: Sequence[tuple[Result, Result]], marked: bool = True) -> list[SetComparison]:
    """``pairs`` grouped by the form of answer each question asks for, one row per form ("form why",
    ..., "form span"), the largest group first."""
    from rag.clauses import question_form

    groups: dict[str, list[tuple[Result, Result]]] = {}
    for x, y in pairs:
        groups.setdefault(question_form(x.question) or "span", []).append((x, y))
    return [compare(f"form {form}", group, marked, pooled=True)
            for form, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))]


def compare_runs(a: Path, b: Path, sets: Sequence[str] = (), forms: bool = False) -> list[SetComparison]:
    """Every set run in both A and B (or those in ``sets``), and with more than one, all of them
    pooled as "all" (questions of different sets are independent, so the pooled interval holds);
    with ``forms``, then the pooled questions by the form of answer asked (``by_form``)."""
    found = []
    pooled: list[tuple[Result, Result]] = []
    all_marked = True
    for name, run_a, run_b in runs(a, b, sets):
        (results_a, marked_a), (results_b, marked_b) = load_results(run_a), load_results(run_b)
        pairs = pair(results_a, results_b, where=f"{name}: ")
        pooled += pairs
        all_marked = all_marked and marked_a and marked_b
        found.append(compare(name, pairs, marked_a and marked_b))
    if len(found) > 1:
        found.append(compare("all", pooled, all_marked, pooled=True))
    if forms:
        found += by_form(pooled, all_marked)
    return found


# --- report ------------------------------------------------------------------------------------
def _ratio(pair: tuple[int, int], of: int) -> str:
    return f"{pair[0]} -> {pair[1]} of {of}"


def table(rows: Sequence[SetComparison], markdown: bool = False) -> str:
    """One line per set: F1 A -> B, the difference with its interval, better / worse, and the counts."""
    headers = ["set", "n", "F1 A", "F1 B", "B - A [95%]", "better / worse", "false refusals",
               "unanswerable refused", "wrong shown", "wrong, not marked"]
    body = []
    for r in rows:
        low, high = r.f1_interval or (None, None)
        diff = "-" if r.f1_difference is None else (
            f"{r.f1_difference:+.3f} [{low:+.3f}, {high:+.3f}]" if low is not None else f"{r.f1_difference:+.3f}")
        cells = [r.name, str(r.questions), "-" if r.f1[0] is None else f"{r.f1[0]:.3f}",
                 "-" if r.f1[1] is None else f"{r.f1[1]:.3f}", diff, f"{r.better} / {r.worse}",
                 _ratio(r.false_refusals, r.answerable), _ratio(r.refused_unanswerable, r.unanswerable),
                 f"{r.wrong_shown[0]} of {r.shown[0]} -> {r.wrong_shown[1]} of {r.shown[1]}",
                 "-" if r.wrong_sure is None else f"{r.wrong_sure[0]} -> {r.wrong_sure[1]}"]
        body.append(cells)
    if markdown:
        return "\n".join(["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
                         + ["| " + " | ".join(c) + " |" for c in body])
    widths = [max(len(x) for x in col) for col in zip(headers, *body)]
    return "\n".join("  ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(line, widths)))
                     for line in [headers, *body])


def change_lines(row: SetComparison) -> list[str]:
    """The questions whose answer changed, worse ones first."""
    tag = {1: "better", 0: "level", -1: "WORSE"}
    lines = []
    for c in sorted(row.changes, key=lambda c: (c.effect, c.id, c.turn)):
        turn = f"#{c.turn}" if c.turn else ""
        lines.append(f"  {tag[c.effect]:6} {c.id}{turn}: {c.question}\n"
                     f"         gold {list(c.gold[:3]) if c.gold else '(unanswerable)'}\n"
                     f"         {c.before[:100]!r} -> {c.after[:100]!r}")
    return lines


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag compare", description=__doc__.split("\n\n")[0])
    p.add_argument("a", type=Path, help="the run to compare against: a `rag eval --out` folder, or a folder of them")
    p.add_argument("b", type=Path, help="the run compared: the same, on the same questions")
    p.add_argument("--sets", nargs="+", default=[], metavar="NAME",
                   help="with folders of runs: only these sets (say, the ones neither reader was trained on)")
    p.add_argument("--changes", action="store_true", help="also list every question whose answer changed")
    p.add_argument("--by-form", action="store_true",
                   help="also pool the questions by the form of answer they ask for (why, how, yes/no, did, do, span)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--out", type=Path, help="write the comparison, changes included, as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; 0, or 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        rows = compare_runs(args.a, args.b, args.sets, forms=args.by_form)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"A = {args.a}\nB = {args.b}")
    alone = unpaired(args.a, args.b)
    if alone and not args.sets:
        print(f"(run in one of them only, left out: {', '.join(alone)})")
    print()
    print(table(rows, markdown=args.markdown))
    if args.changes:
        for row in rows:
            if not row.pooled or len(rows) == 1:
                print(f"\n## {row.name}: {len(row.changes)} answers changed")
                print("\n".join(change_lines(row)))
    if args.out:
        args.out.write_text(json.dumps({"a": str(args.a), "b": str(args.b), "sets": [asdict(r) for r in rows]},
                                       indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
