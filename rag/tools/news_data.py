"""Build news reading-comprehension data for the reader's training from probe sets (``docs/probes``).

Each probe set is a folder of news stories (``corpus/*.txt``) written without sight of the code, with
questions (``questions.jsonl``: answers, evidence sentences; no answers = unanswerable). SQuAD is
Wikipedia; these teach the reader news forms (datelines, delayed names, ages, tallies) and, above all,
to find no answer in a story that nearly has one. Output: one JSON line per story,
``{"title", "context", "answerable": [{"question", "answer", "answer_start"}], "unanswerable": [{"question"}]}``,
read by ``python -m rag.tools.train_reader --news``. Sets used here are never reported as held out.

    python -m rag.tools.news_data --out runs/news/train.jsonl.gz docs/probes/fresh35a docs/probes/fresh35b ...
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence


@dataclass
class Story:
    """One story of a probe set with the questions placed in it."""

    title: str
    context: str
    answerable: list[dict] = field(default_factory=list)
    unanswerable: list[dict] = field(default_factory=list)


@dataclass
class Built:
    """The stories of some probe sets and what could not be placed."""

    stories: list[Story]
    unplaced: list[str]
    yes_no_left_out: int = 0     # unanswerable yes/no questions, left out as the answerable ones are
    balanced_out: dict[str, int] = field(default_factory=dict)   # unanswerable ones left out per kind asked (``balance``)
    forms_left_out: dict[str, int] = field(default_factory=dict)  # questions left out per clause form (``leave_out``)


def _flex(text: str) -> str:
    """A pattern for ``text`` that lets any run of white space match any other."""
    return r"\s+".join(re.escape(w) for w in text.split())


def locate(context: str, answers: Sequence[str], evidence: Sequence[str]) -> tuple[int, str] | None:
    """Where an answer lies in the story: inside an evidence sentence (the gold's own place), else,
    with no evidence found, its one mention in the story (a figure named twice could be the wrong
    one); case-insensitive, white space free. None if nowhere, or if the answer is "Yes" / "No"
    (a verdict, not a span)."""
    if all(a.strip().lower().rstrip(".") in ("yes", "no") for a in answers):
        return None
    places = []
    for ev in evidence:
        m = re.search(_flex(ev), context) if ev.strip() else None
        if m:
            places.append((m.start(), m.end()))
    for answer in (a for a in answers if a.strip()):
        pattern = re.compile(r"(?<!\w)" + _flex(answer) + r"(?!\w)", re.I)
        for lo, hi in places:
            m = pattern.search(context, lo, hi)
            if m:
                return m.start(), m.group(0)
        if not places:
            found = list(pattern.finditer(context))
            if len(found) == 1:
                return found[0].start(), found[0].group(0)
    return None


def build(sets: Sequence[Path]) -> Built:
    """Stories and placed questions of the probe sets ``sets`` (folders with corpus/ and questions.jsonl)."""
    from rag.clauses import question_form
    from rag.tools.joint import mine_distractors

    stories: list[Story] = []
    unplaced: list[str] = []
    yes_no_left_out = 0
    for folder in sets:
        own = [Story(f"{folder.name}/{p.stem}", p.read_text(encoding="utf-8"))
               for p in sorted((folder / "corpus").glob("*.txt"))]
        if not own:
            raise ValueError(f"{folder}: no corpus/*.txt stories")
        unanswerable: list[str] = []
        for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            answers = [a for a in q.get("answers") or [] if a.strip()]
            if not answers:
                # a settled yes/no question has no span to learn (its "Yes" / "No" is not placed), so an
                # unsettled one is left out too: kept, the reader would learn that yes/no means no answer
                if question_form(q["question"]) == "yes/no":
                    yes_no_left_out += 1
                else:
                    unanswerable.append(q["question"])
                continue
            evidence = q.get("evidence") or []
            for story in own:
                found = locate(story.context, answers, evidence)
                # the story holding the evidence, or failing that the first holding the answer
                if found and (not evidence or any(re.search(_flex(e), story.context) for e in evidence)):
                    story.answerable.append({"question": q["question"], "answer": found[1], "answer_start": found[0]})
                    break
            else:
                unplaced.append(q.get("id", q["question"]))
        # an unanswerable question is about the story our retriever's BM25 side ranks first for it
        for question, ranked in zip(unanswerable, mine_distractors(unanswerable, [s.context for s in own], k=1)):
            own[ranked[0]].unanswerable.append({"question": question})
        stories.extend(own)
    return Built(stories, unplaced, yes_no_left_out)


def ask_kind(question: str) -> str:
    """What a question asks for, coarsely: its clause form ("why", "how") or the type of answer it
    expects ("age", "number", "money", "person", ...; ``rag.question_types``), else "other"."""
    from rag.clauses import question_form
    from rag.question_types import expected_type

    form = question_form(question)
    if form:
        return form
    expected = expected_type(question)
    return expected.name if expected else "other"


def balance(built: Built, max_share: float, seed: int = 0) -> Built:
    """Leave out, at random (``seed``), unanswerable questions of any kind asked beyond ``max_share`` of
    that kind's questions. The probe sets' writers made some kinds mostly unanswerable (the age of a
    person whose age is not given: about half of all "How old ...?" questions); kept so, a reader learns
    "how old? no answer" from the question's form, not from the story, and refuses ages it could read."""
    import random
    from collections import Counter

    if not 0.0 < max_share < 1.0:
        raise ValueError(f"max_share must be in (0, 1), got {max_share}")
    answerable: Counter[str] = Counter()
    unanswerable: dict[str, list[tuple[int, int]]] = {}
    for i, story in enumerate(built.stories):
        for q in story.answerable:
            answerable[ask_kind(q["question"])] += 1
        for j, q in enumerate(story.unanswerable):
            unanswerable.setdefault(ask_kind(q["question"]), []).append((i, j))
    rng = random.Random(seed)
    dropped: set[tuple[int, int]] = set()
    out: dict[str, int] = {}
    for kind in sorted(unanswerable):
        places = unanswerable[kind]
        # u / (a + u) <= share  <=>  u <= share / (1 - share) * a
        allowed = int(max_share / (1.0 - max_share) * answerable[kind])
        if len(places) > allowed:
            gone = rng.sample(places, len(places) - allowed)
            dropped.update(gone)
            out[kind] = len(gone)
    stories = [Story(s.title, s.context, list(s.answerable),
                     [q for j, q in enumerate(s.unanswerable) if (i, j) not in dropped])
               for i, s in enumerate(built.stories)]
    return replace(built, stories=stories, balanced_out=out)


def leave_out(built: Built, forms: Sequence[str]) -> Built:
    """Leave out every question, answerable or not, whose clause form (``rag.clauses.question_form``:
    "why", "how", ...) is one of ``forms``: to test whether a news stage's loss on a form comes from
    that form's own news questions (session 52: why questions lost ~1 logit of answerability)."""
    from collections import Counter

    from rag.clauses import question_form

    wanted = set(forms)
    out: Counter[str] = Counter()

    def kept(questions: list[dict]) -> list[dict]:
        keep = []
        for q in questions:
            form = question_form(q["question"])
            if form in wanted:
                out[form] += 1
            else:
                keep.append(q)
        return keep

    stories = [Story(s.title, s.context, kept(s.answerable), kept(s.unanswerable)) for s in built.stories]
    return replace(built, stories=stories, forms_left_out=dict(out))


def write(built: Built, out: Path) -> None:
    """One gzipped JSON line per story."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        for s in built.stories:
            handle.write(json.dumps({"title": s.title, "context": s.context, "answerable": s.answerable,
                                     "unanswerable": s.unanswerable}) + "\n")


def load(path: Path) -> list[dict]:
    """The stories written by ``write``."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.news_data", description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="probe set folders (corpus/ + questions.jsonl)")
    parser.add_argument("--out", type=Path, required=True, help="the .jsonl.gz to write")
    parser.add_argument("--max-unanswerable-share", type=float, metavar="X",
                        help="leave out unanswerable questions of a kind asked (age, number, why, ...) beyond this "
                             "share of that kind's questions, so the kind alone does not say 'no answer' (say 0.3)")
    parser.add_argument("--seed", type=int, default=0, help="which unanswerable questions --max-unanswerable-share drops")
    parser.add_argument("--leave-out-form", action="append", default=[], metavar="FORM",
                        choices=("why", "how", "yes/no", "did", "do"),
                        help="leave out every question of this clause form, answerable or not (repeatable)")
    args = parser.parse_args(argv)
    built = build(args.sets)
    if args.max_unanswerable_share is not None:
        built = balance(built, args.max_unanswerable_share, args.seed)
    if args.leave_out_form:
        built = leave_out(built, args.leave_out_form)
    write(built, args.out)
    n_ans = sum(len(s.answerable) for s in built.stories)
    n_un = sum(len(s.unanswerable) for s in built.stories)
    print(f"{len(built.stories)} stories from {len(args.sets)} sets: {n_ans} answerable, {n_un} unanswerable; "
          f"{len(built.unplaced)} answers not found in any story: {', '.join(built.unplaced[:20])}; "
          f"{built.yes_no_left_out} unanswerable yes/no questions left out (the answerable ones have no span)")
    if built.balanced_out:
        print("unanswerable questions left out so no kind is mostly unanswerable: "
              + ", ".join(f"{k} {n}" for k, n in sorted(built.balanced_out.items(), key=lambda x: -x[1])))
    if args.leave_out_form:
        print("questions left out by form: " + ", ".join(f"{f} {built.forms_left_out.get(f, 0)}" for f in args.leave_out_form))
    return 0


if __name__ == "__main__":
    sys.exit(main())
