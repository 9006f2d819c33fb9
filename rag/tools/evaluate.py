"""Evaluation harness: ask every question of a question file, score the answers, write a report.

``python -m rag eval --questions corpus/questions.jsonl`` (see ``--help``). Works on any corpus and
any question file in the same format: one JSON object per line, either a single question
``{"id", "question", "answers", "evidence"}`` or a conversation ``{"id", "turns": [{"question",
"answers", "evidence"}, ...]}``. ``answers: []`` marks a question the documents do not answer.
An optional ``"kind"`` (who, what, when, ..., yes/no) only groups the scores; an optional
``"verdict"`` ("yes" / "no") on a yes/no question scores the verdicts the assistant gives.

Metrics (every one in [0, 1] except latency; each turn of a conversation counts as one question,
asked with the earlier turns' (question, Answer) pairs as history):

- **EM / F1**: SQuAD v1.1 exact match and token F1 (``rag.metrics``), max over the gold answers,
  over answerable questions; a refusal scores 0. A "Yes"/"No" verdict (``Answer.kind``) is scored as
  well as its clause, so it matches a gold answer "yes" / "no".
- **recall@k / MRR**: over answerable questions, among the top 5 sentences of
  ``assistant.retrieve`` for the (resolved) question. A retrieved sentence *is gold evidence* when,
  after collapsing whitespace, it equals a gold evidence sentence or one contains the other (so a
  corpus split by another splitter still matches). recall@k = share of the gold evidence sentences
  found in the top k; MRR = 1 / rank of the first gold sentence (0 if none in the top 5). When a
  question lists answers but no evidence, a sentence containing a gold answer counts instead.
- **citations** (over answerable questions that were answered): a citation is *correct* when its
  sentence is gold evidence (as above) or contains a gold answer (``rag.metrics.contains_answer``).
  cited accuracy = the first citation is correct; citation precision = share of the citations
  that are correct; citation recall = share of the gold evidence sentences that were cited.
- **refusal**: share of unanswerable questions the assistant abstained on; **false refusal**:
  share of answerable questions it abstained on.
- **wrong**: share of the answers given (not refused) that are wrong while they look like answers: an
  answerable question answered with F1 < 0.5, or an unanswerable one answered at all. What a user
  meets; a refusal is not counted as wrong.
- **wrong sure / uncertain**: the same share among the answers given *without* the "may be wrong" mark
  (``Answer.uncertain``): a wrong answer that looks right. And the share of the answers given that carry
  the mark. An answer marked uncertain is honestly unsure; one that is wrong and unmarked is not.
- **verdicts** (questions with a gold ``"verdict"``): how many got a "Yes"/"No" (``Answer.kind``), and
  the share of those that were right.
- **latency**: median and 95th percentile of the wall time of ``assistant.ask`` per question
  (one untimed warm-up question first, so lazy model loading is not counted).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, Sequence

from rag.errors import QuestionError, RagError
from rag.metrics import contains_answer, exact_match, f1_score
from rag.readers.trained import DEFAULT_MODEL_DIR as TRAINED_READER_DIR
from rag.settings import FUSIONS, READERS, RERANKERS, RETRIEVALS, Settings
from rag.types import Answer, Trace
from rag.util import percentile

Metrics = dict[str, float | None]   # metric name -> value, None when undefined
RETRIEVE_K = 5
KS = (1, 3, 5)
# Columns of every table, in order: (metric key, header).
COLUMNS = (("em", "EM"), ("f1", "F1"), ("recall@1", "R@1"), ("recall@3", "R@3"), ("recall@5", "R@5"),
           ("mrr", "MRR"), ("cited_accuracy", "cited"), ("citation_precision", "cite P"),
           ("citation_recall", "cite R"), ("refusal", "refusal"), ("false_refusal", "false ref"), ("wrong", "wrong"),
           ("wrong_sure", "wrong sure"),
           ("latency_median_s", "p50 s"), ("latency_p95_s", "p95 s"))
# CI gate flags: flag -> (metric key, "min" or "max").
THRESHOLDS = {"min_em": ("em", "min"), "min_f1": ("f1", "min"), "min_recall": ("recall@5", "min"),
              "min_mrr": ("mrr", "min"), "min_cited": ("cited_accuracy", "min"),
              "min_refusal": ("refusal", "min"), "max_false_refusal": ("false_refusal", "max"),
              "max_wrong": ("wrong", "max"), "max_wrong_sure": ("wrong_sure", "max"),
              "max_p95": ("latency_p95_s", "max")}


class QuestionFileError(RagError):
    """The question file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Case:
    """One question to ask: a single question, or one turn of a conversation."""

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    kind: str = ""
    turn: int = 0          # 0 for single questions and the first turn of a conversation
    verdict: str = ""      # "yes" / "no" for a yes/no question whose answer is known, else ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class Item:
    """A line of the question file: a conversation, or a single question as a one-turn one."""

    id: str
    cases: tuple[Case, ...]


@dataclass
class Result:
    """What the assistant said to one case, and its scores."""

    id: str
    question: str
    kind: str
    turn: int
    gold_answers: list[str]
    gold_evidence: list[str]
    answer: str
    abstained: bool
    confidence: float
    resolved_question: str
    citations: list[str]
    retrieved: list[str]
    latency_s: float
    scores: dict[str, float] = field(default_factory=dict)
    evidence_docs: int = 0     # documents the gold evidence comes from
    error: str = ""
    windows: int = 0           # windows the reader read
    sentences_read: int = 0    # sentences in them, and how many were distinct (Settings.windows)
    distinct_sentences: int = 0
    answer_kind: str = ""      # Answer.kind: span, sentence, or the verdict yes / no
    gold_verdict: str = ""
    looks: int = 1             # Trace.looks: 2 when a second, deeper look gave the answer
    bridge: str = ""           # Trace.bridge: the entity a two-hop answer went through
    uncertain: bool = False    # Answer.uncertain: given with the "may be wrong" mark


class Runnable(Protocol):
    """The part of ``rag.Assistant`` the harness uses (a fake can stand in for tests)."""

    def run(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Trace: ...


# --- the question file ------------------------------------------------------------------------
def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionFileError(f"{where}: {name!r} must be a list of strings, got {value!r}")
    return tuple(value)


def _case(row: object, case_id: str, kind: str, turn: int, where: str) -> Case:
    if not isinstance(row, dict):
        raise QuestionFileError(f"{where}: expected a JSON object, got {row!r}")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QuestionFileError(f"{where}: 'question' must be a non-empty string, got {question!r}")
    answers = _strings(row.get("answers", []), "answers", where)
    evidence = _strings(row.get("evidence", []), "evidence", where)
    verdict = row.get("verdict", "")
    if verdict not in ("", "yes", "no"):
        raise QuestionFileError(f"{where}: 'verdict' must be \"yes\" or \"no\", got {verdict!r}")
    return Case(case_id, question, answers, evidence, str(row.get("kind", kind)), turn, verdict)


def load_questions(path: str | Path) -> list[Item]:
    """Read a question file (JSON Lines); QuestionFileError naming file and line if it is malformed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read question file {path}: {exc}") from None
    items: list[Item] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise QuestionFileError(f"{where}: expected a JSON object, got {type(row).__name__}")
        item_id = str(row.get("id") or f"line{lineno}")
        if item_id in seen:
            raise QuestionFileError(f"{where}: duplicate id {item_id!r}")
        seen.add(item_id)
        if "turns" in row:
            turns = row["turns"]
            if not isinstance(turns, list) or not turns:
                raise QuestionFileError(f"{where}: 'turns' must be a non-empty list")
            cases = tuple(_case(t, f"{item_id}#{i + 1}", str(row.get("kind", "")), i, f"{where} turn {i + 1}")
                          for i, t in enumerate(turns))
        else:
            cases = (_case(row, item_id, "", 0, where),)
        items.append(Item(item_id, cases))
    if not items:
        raise QuestionFileError(f"{path} holds no questions")
    return items


# --- metrics: pure functions -------------------------------------------------------------------
def _squash(text: str) -> str:
    return " ".join(text.split())


def evidence_match(sentence: str, evidence: Sequence[str]) -> int | None:
    """Index of the gold evidence sentence that ``sentence`` equals or contains or lies inside."""
    s = _squash(sentence)
    if not s:
        return None
    for i, gold in enumerate(evidence):
        g = _squash(gold)
        if g and (s == g or g in s or s in g):
            return i
    return None


def is_correct_citation(sentence: str, answers: Sequence[str], evidence: Sequence[str]) -> bool:
    """A cited sentence is correct when it is gold evidence or contains a gold answer."""
    return evidence_match(sentence, evidence) is not None or contains_answer(sentence, answers)


def retrieval_scores(retrieved: Sequence[str], answers: Sequence[str], evidence: Sequence[str],
                     ks: Sequence[int] = KS) -> dict[str, float]:
    """recall@k for each k and reciprocal rank of the first gold sentence in ``retrieved``."""
    if evidence:
        matched = [evidence_match(s, evidence) for s in retrieved]
        gold_total = len(evidence)
    else:  # no gold sentences given: any sentence holding a gold answer will do, counted once
        matched = [0 if contains_answer(s, answers) else None for s in retrieved]
        gold_total = 1
    scores = {f"recall@{k}": len({m for m in matched[:k] if m is not None}) / gold_total for k in ks}
    first = next((rank for rank, m in enumerate(matched, start=1) if m is not None), None)
    scores["mrr"] = 1.0 / first if first else 0.0
    return scores


def citation_scores(citations: Sequence[str], answers: Sequence[str], evidence: Sequence[str]
                    ) -> dict[str, float]:
    """Cited accuracy (first citation correct), citation precision and recall for one answer."""
    correct = [is_correct_citation(c, answers, evidence) for c in citations]
    cited_gold = {m for m in (evidence_match(c, evidence) for c in citations) if m is not None}
    return {"cited_accuracy": float(bool(correct) and correct[0]),
            "citation_precision": sum(correct) / len(correct) if correct else 0.0,
            "citation_recall": len(cited_gold) / len(evidence) if evidence else float(any(correct))}


def score_case(case: Case, answer: Answer, retrieved: Sequence[str]) -> dict[str, float]:
    """Per-question scores; which keys appear depends on whether the question is answerable."""
    if not case.answerable:
        return {"refused": float(answer.abstained)}
    prediction = "" if answer.abstained else answer.text
    # a verdict is said as well as its clause: "Yes" answers a gold "yes", the clause a gold clause
    said = [answer.kind] if answer.kind in ("yes", "no") and not answer.abstained else []
    scores = {"em": max(exact_match(p, case.answers) for p in [prediction, *said]),
              "f1": max(f1_score(p, case.answers) for p in [prediction, *said]),
              "refused": float(answer.abstained),
              **retrieval_scores(retrieved, case.answers, case.evidence)}
    if not answer.abstained:
        scores.update(citation_scores([c.sentence for c in answer.citations], case.answers, case.evidence))
    return scores


def _mean(results: Sequence[Result], key: str) -> float | None:
    """Mean of one per-question score; None when no question has it (nothing to average)."""
    return round(sum(r.scores[key] for r in results) / len(results), 4) if results else None


def is_wrong(r: Result) -> bool:
    """An answer given that is wrong: F1 < 0.5, or any answer to an unanswerable question."""
    return not r.abstained and (not r.gold_answers or r.scores.get("f1", 0.0) < 0.5)


def summarise(results: Sequence[Result]) -> Metrics:
    """The metrics of the module docstring, each averaged over its own subset of the results.

    A metric whose subset is empty (say, refusal with no unanswerable question) is None.
    """
    answerable = [r for r in results if r.gold_answers]
    unanswerable = [r for r in results if not r.gold_answers]
    answered = [r for r in answerable if not r.abstained]
    latencies = [r.latency_s for r in results]
    metrics: Metrics = {
        "questions": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "answered": len(answered),
    }
    for key in ("em", "f1", *(f"recall@{k}" for k in KS), "mrr"):
        metrics[key] = _mean(answerable, key)
    for key in ("cited_accuracy", "citation_precision", "citation_recall"):
        metrics[key] = _mean(answered, key)
    metrics["refusal"] = _mean(unanswerable, "refused")
    metrics["false_refusal"] = _mean(answerable, "refused")
    shown = [r for r in results if not r.abstained]
    sure = [r for r in shown if not r.uncertain]
    metrics["wrong"] = round(sum(map(is_wrong, shown)) / len(shown), 4) if shown else None
    metrics["wrong_sure"] = round(sum(map(is_wrong, sure)) / len(sure), 4) if sure else None
    metrics["uncertain"] = round(1 - len(sure) / len(shown), 4) if shown else None
    read = sum(r.sentences_read for r in results)
    metrics["windows_per_question"] = round(statistics.fmean(r.windows for r in results), 3) if read else None
    metrics["sentences_read_twice"] = round(1 - sum(r.distinct_sentences for r in results) / read, 4) if read else None
    judged = [r for r in results if r.gold_verdict]
    given = [r for r in judged if r.answer_kind in ("yes", "no") and not r.abstained]
    metrics["verdict_questions"] = len(judged)
    metrics["verdicts_given"] = len(given)
    metrics["verdict_accuracy"] = round(sum(r.answer_kind == r.gold_verdict for r in given) / len(given), 4) if given else None
    # answers that took more than one look: a second, deeper one, or two hops through a described entity
    for key, extra in (("second_looks", [r for r in results if r.looks > 1 and not r.bridge]),
                       ("bridged", [r for r in results if r.bridge])):
        metrics[key] = len(extra)
        metrics[f"{key}_right"] = sum(bool(r.gold_answers) and r.scores.get("f1", 0.0) >= 0.5 for r in extra)
        metrics[f"{key}_unanswerable"] = sum(not r.gold_answers for r in extra)
    metrics["latency_median_s"] = round(statistics.median(latencies), 4) if latencies else None
    metrics["latency_p95_s"] = round(percentile(latencies, 95), 4) if latencies else None
    return metrics


def bootstrap_interval(values: Sequence[float], level: float = 0.95, rounds: int = 2000,
                       seed: int = 0) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of a mean: how far a score could move on another sample of
    questions like these (small question sets make wide intervals). None for no values."""
    if not values:
        return None
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(rounds))
    return round(means[int((1 - level) / 2 * rounds)], 4), round(means[int((1 + level) / 2 * rounds) - 1], 4)


def intervals(results: Sequence[Result]) -> dict[str, tuple[float, float] | None]:
    """95% bootstrap intervals of EM and F1 over the answerable questions."""
    answerable = [r for r in results if r.gold_answers]
    return {key: bootstrap_interval([r.scores[key] for r in answerable]) for key in ("em", "f1")}


def groups(results: Sequence[Result]) -> dict[str, Metrics]:
    """Metrics per question kind, for follow-up turns and for questions whose evidence spans articles."""
    out: dict[str, list[Result]] = {}
    for r in results:
        names = [f"kind: {r.kind}"] if r.kind else []
        names += ["follow-up turns"] if r.turn > 0 else []
        names += ["two or more articles"] if r.evidence_docs >= 2 else []
        names += ["unanswerable"] if not r.gold_answers else []
        for name in names:
            out.setdefault(name, []).append(r)
    return {name: summarise(rs) for name, rs in sorted(out.items())}


def failure_cause(r: Result) -> str:
    """A one-phrase guess at why a question went wrong, from its scores."""
    if not r.gold_answers:
        return "answered a question the documents do not answer"
    found = r.scores.get("recall@5", 0.0) > 0
    if r.abstained:
        return "refused although gold evidence was retrieved" if found else "refused; gold evidence not retrieved"
    if not found:
        return "retrieval miss: no gold evidence in the top 5"
    if r.turn > 0 and r.resolved_question == r.question:
        return "wrong span (follow-up: pronoun left unresolved)"
    return "reader picked the wrong span"


def failures(results: Sequence[Result], limit: int = 10) -> list[Result]:
    """Wrong answers (F1 < 0.5, false refusals, answers to unanswerable ones), most confident first."""
    wrong = [r for r in results
             if (r.gold_answers and r.scores["f1"] < 0.5) or (not r.gold_answers and not r.abstained)]
    return sorted(wrong, key=lambda r: (r.abstained, -r.confidence))[:limit]


def check_thresholds(metrics: Metrics, thresholds: dict[str, float | None]) -> list[str]:
    """A message for each metric on the wrong side of its threshold (empty when all pass)."""
    problems = []
    for name, limit in thresholds.items():
        if limit is None:
            continue
        key, side = THRESHOLDS[name]
        value = metrics[key]
        flag = "--" + name.replace("_", "-")
        if value is None:
            problems.append(f"{key} is undefined (no question it applies to), so {flag} cannot pass")
        elif (side == "min" and value < limit) or (side == "max" and value > limit):
            word = "below" if side == "min" else "above"
            problems.append(f"{key} = {value:.3f} is {word} the threshold {limit:.3f} ({flag})")
    return problems


# --- the run loop ------------------------------------------------------------------------------
def _evidence_docs(case: Case, texts: dict[str, str]) -> int:
    return len({doc_id for doc_id, text in texts.items() for e in case.evidence if e in text})


def run(assistant: Runnable, items: Sequence[Item], doc_texts: dict[str, str] | None = None,
        label: str = "eval", progress: bool = True) -> list[Result]:
    """Ask every case (conversations turn by turn, with history) and score it."""
    from tqdm import tqdm

    if items:   # untimed warm-up: the reader and spaCy load lazily on the first question
        assistant.run(items[0].cases[0].question)
    results: list[Result] = []
    bar = tqdm(total=sum(len(i.cases) for i in items), desc=label, unit="q", disable=not progress)
    for item in items:
        history: list[tuple[str, Answer]] = []
        for case in item.cases:
            started = time.perf_counter()
            error = ""
            retrieved: list[str] = []
            read: list[tuple[str, int]] = []
            windows = 0
            looks, bridge = 1, ""
            try:
                trace = assistant.run(case.question, history=history)
                answer = trace.answer
                retrieved = [h.sentence.text for h in trace.hits[:RETRIEVE_K]]
                read = [(x.doc_id, x.index) for w in trace.windows for x in w.sentences]
                windows = len(trace.windows)
                looks, bridge = trace.looks, trace.bridge
            except QuestionError as exc:   # a bad question in the file is scored as a refusal
                answer = Answer(question=case.question, text="", abstained=True, confidence=0.0)
                error = str(exc)
            latency = time.perf_counter() - started
            results.append(Result(
                id=case.id, question=case.question, kind=case.kind, turn=case.turn,
                gold_answers=list(case.answers), gold_evidence=list(case.evidence), answer=answer.text,
                abstained=answer.abstained, confidence=answer.confidence,
                resolved_question=answer.resolved_question or case.question,
                citations=[c.sentence for c in answer.citations], retrieved=retrieved, latency_s=round(latency, 4),
                scores=score_case(case, answer, retrieved),
                evidence_docs=_evidence_docs(case, doc_texts or {}), error=error,
                windows=windows, sentences_read=len(read), distinct_sentences=len(set(read)),
                answer_kind=answer.kind, gold_verdict=case.verdict, looks=looks, bridge=bridge,
                uncertain=answer.uncertain and not answer.abstained))
            history.append((case.question, answer))
            bar.update(1)
    bar.close()
    return results


# --- reports -----------------------------------------------------------------------------------
def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if key.startswith("latency") else f"{value:.3f}"


def table(rows: dict[str, Metrics], markdown: bool = False, first: str = "config") -> str:
    """A table with one row per configuration (or group, named by ``first``) and the COLUMNS as columns."""
    headers = [first, "n"] + [h for _, h in COLUMNS]
    body = [[name, str(m["questions"])] + [_cell(k, m[k]) for k, _ in COLUMNS] for name, m in rows.items()]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *body)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r) for r in [headers, *body])


def chart(rows: dict[str, Metrics], latencies: Sequence[float], path: Path) -> None:
    """Bar chart of the main scores per configuration and a histogram of latencies, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["em", "f1", "recall@5", "mrr", "cited_accuracy", "refusal", "false_refusal"]
    fig, (bars, hist) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [2.2, 1]})
    width = 0.8 / max(len(rows), 1)
    for i, (name, m) in enumerate(rows.items()):
        values = [float("nan") if m[k] is None else m[k] for k in keys]   # undefined: no bar
        drawn = bars.bar([x + i * width for x in range(len(keys))], values, width, label=name)
        bars.bar_label(drawn, fmt="%.2f", fontsize=6)
    bars.set_xticks([x + width * (len(rows) - 1) / 2 for x in range(len(keys))], keys, rotation=20)
    bars.set_ylim(0, 1)
    bars.set_title("scores")
    bars.legend(fontsize=7)
    hist.hist(latencies, bins=30, color="gray")
    hist.set_xlabel("seconds per question")
    hist.set_title(f"latency ({len(latencies)} questions)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _interval_line(spans: dict[str, tuple[float, float] | None]) -> str:
    return "95% bootstrap interval over questions: " + ", ".join(
        f"{key.upper() if key == 'em' else key.capitalize()} [{lo:.3f}, {hi:.3f}]"
        for key, span in spans.items() if span for lo, hi in [span])


def _verdict_line(metrics: Metrics) -> list[str]:
    """One line on the yes/no verdicts, when the question file has gold verdicts."""
    if not metrics.get("verdict_questions"):
        return []
    accuracy = metrics["verdict_accuracy"]
    right = f", right on {accuracy:.0%} of them" if accuracy is not None else ""
    return [f"Yes/no verdicts: given on {metrics['verdicts_given']} of {metrics['verdict_questions']} "
            f"questions with a gold verdict{right} (the others are answered with the evidence clause).", ""]


def _second_look_line(metrics: Metrics) -> list[str]:
    """One line on the answers a second, deeper look gave to questions the first would have refused."""
    return _extra_answers_line(metrics, "second_looks", "Second look: answered {} questions the first look refused")


def _bridge_line(metrics: Metrics) -> list[str]:
    """One line on the answers given in two hops through an entity the question described."""
    return _extra_answers_line(metrics, "bridged", "Two hops: answered {} questions through the entity they describe")


def _extra_answers_line(metrics: Metrics, key: str, what: str) -> list[str]:
    if not metrics.get(key):
        return []
    return [f"{what.format(metrics[key])}: {metrics[key + '_right']} right (F1 >= 0.5), "
            f"{metrics[key + '_unanswerable']} unanswerable.", ""]


def _markdown(header: dict[str, Any], rows: dict[str, Metrics], by_group: dict[str, Metrics],
              worst: Sequence[Result], spans: dict[str, tuple[float, float] | None]) -> str:
    lines = [f"# Evaluation: {header['questions_file']}", "",
             f"Corpus `{header['corpus']}`, {header['questions']} questions "
             f"({header['answerable']} answerable, {header['unanswerable']} not), {header['date']}.", "",
             "## Scores", "", table(rows, markdown=True), "", f"{_interval_line(spans)} ({header['main']}).", "",
             *_verdict_line(rows[header["main"]]),
             *_second_look_line(rows[header["main"]]), *_bridge_line(rows[header["main"]]),
             f"## By group ({header['main']})", "", table(by_group, markdown=True, first="group"), "",
             "## Worst failures", ""]
    for r in worst:
        gold = " | ".join(r.gold_answers) or "(unanswerable)"
        said = "(refused)" if r.abstained else r.answer
        understood = f" (understood as: {r.resolved_question})" if r.resolved_question != r.question else ""
        lines.append(f"- `{r.id}` {r.question}{understood} — gold: {gold}; answer: {said} "
                     f"(confidence {r.confidence:.2f}); {failure_cause(r)}")
    return "\n".join(lines) + "\n"


def write_report(out: Path, header: dict[str, Any], runs: dict[str, list[Result]], main: str) -> dict[str, Any]:
    """Write report.json, results.jsonl (one per configuration after the main one), report.md, chart.png."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {name: summarise(results) for name, results in runs.items()}
    by_group = groups(runs[main])
    worst = failures(runs[main])
    for name, results in runs.items():
        target = out / ("results.jsonl" if name == main else f"results_{name.replace('/', '_')}.jsonl")
        with open(target, "w", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    spans = intervals(runs[main])
    report = {**header, "main": main, "metrics": rows[main], "intervals": spans, "configs": rows,
              "groups": by_group, "failures": [{**asdict(r), "cause": failure_cause(r)} for r in worst]}
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(_markdown({**header, "main": main}, rows, by_group, worst, spans), encoding="utf-8")
    chart(rows, [r.latency_s for r in runs[main]], out / "chart.png")
    return report


# --- command line ------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag eval", description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=Path, required=True, help="question file (JSON Lines)")
    p.add_argument("--corpus", type=Path, help="corpus folder or .jsonl (default: the shipped corpus)")
    p.add_argument("--index", type=Path, help="index folder (default: the shipped one; <out>/index with --corpus)")
    p.add_argument("--out", type=Path, default=Path("eval_out"), help="report folder (default eval_out/)")
    p.add_argument("--reader", choices=READERS, help="reader for the main run (default: Settings.reader)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="change one Settings field for the run (e.g. --set answer_types=false), for ablations")
    p.add_argument("--threads", type=int, default=Settings.threads,
                   help="torch threads (1 is much faster when another process is busy on a 2-core machine)")
    p.add_argument("--compare", action="store_true", help="also run every retrieval mode x available reader")
    p.add_argument("--fusion", nargs="+", choices=FUSIONS, metavar="FUSION",
                   help=f"fusion of the main run (default: Settings.fusion); more names add hybrid runs with them "
                        f"({', '.join(FUSIONS)})")
    p.add_argument("--reranker", choices=RERANKERS, help="reranker for every run (default: Settings.reranker)")
    p.add_argument("--limit", type=int, help="only the first N lines of the question file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    for name, (key, side) in THRESHOLDS.items():
        unit = " seconds" if key.startswith("latency") else " (a fraction in [0, 1])"
        p.add_argument("--" + name.replace("_", "-"), type=float, metavar="X",
                       help=f"exit 1 if {key} is {'below' if side == 'min' else 'above'} X{unit}")
    return p


def configs(default_reader: str, compare: bool) -> dict[str, dict[str, str]]:
    """Named settings changes to run: the main one first, then (with compare) the others."""
    main = {f"hybrid/{default_reader}": {"retrieval": "hybrid", "reader": default_reader}}
    if not compare:
        return main
    readers = [r for r in READERS if r != "trained" or TRAINED_READER_DIR.is_dir()]
    others = {f"{mode}/{reader}": {"retrieval": mode, "reader": reader}
              for reader in readers for mode in RETRIEVALS}
    return {**main, **{k: v for k, v in others.items() if k not in main}}


def _setting(item: str) -> tuple[str, object]:
    """"name=value" as a Settings field and a value of that field's type (bool, int, float or text)."""
    from dataclasses import fields

    name, _, raw = item.partition("=")
    kinds = {f.name: f.default for f in fields(Settings)}
    if name not in kinds or not _:
        raise RagError(f"--set {item!r}: expected NAME=VALUE with NAME one of {', '.join(sorted(kinds))}")
    default = kinds[name]
    if isinstance(default, bool):
        return name, raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return name, int(raw)
    if isinstance(default, float) or default is None:
        return name, float(raw) if raw.lower() != "none" else None
    return name, raw


def main(argv: list[str]) -> int:
    """Run the evaluation; 0 when every threshold passes, 1 when one fails, 2 on bad input."""
    args = _parser().parse_args(argv)
    thresholds = {name: getattr(args, name) for name in THRESHOLDS}
    for name, value in thresholds.items():
        if value is not None and not name.endswith("p95") and not 0.0 <= value <= 1.0:
            print(f"error: --{name.replace('_', '-')} {value} must be a fraction in [0, 1]", file=sys.stderr)
            return 2
    if args.limit is not None and args.limit <= 0:
        print(f"error: --limit must be positive, got {args.limit}", file=sys.stderr)
        return 2
    from rag.assistant import Assistant
    from rag.settings import Settings

    try:
        items = load_questions(args.questions)[:args.limit]
        settings = Settings(show_progress=not args.quiet, threads=args.threads)
        if args.corpus is not None:
            settings = settings.with_(corpus=args.corpus, index=args.index or args.out / "index")
        elif args.index is not None:
            settings = settings.with_(index=args.index)
        if args.reader:
            settings = settings.with_(reader=args.reader)
        if args.fusion:
            settings = settings.with_(fusion=args.fusion[0])
        if args.reranker:
            settings = settings.with_(reranker=args.reranker)
        settings = settings.with_(**dict(_setting(item) for item in args.set))
        assistant = Assistant.load(settings=settings)
        doc_texts = {d.doc_id: d.text for d in assistant.documents}
        runs: dict[str, list[Result]] = {}
        plan = configs(settings.reader, args.compare)
        plan.update({f"hybrid-{f}/{settings.reader}": {"retrieval": "hybrid", "fusion": f}
                     for f in (args.fusion or [])[1:]})
        for name, changes in plan.items():
            runs[name] = run(assistant.with_settings(**changes), items, doc_texts, label=name,
                             progress=not args.quiet)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    main_name = next(iter(runs))
    results = runs[main_name]
    header = {"questions_file": str(args.questions), "corpus": str(settings.corpus),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "settings": {k: str(v) for k, v in asdict(settings).items()},
              "questions": len(results), "answerable": sum(bool(r.gold_answers) for r in results),
              "unanswerable": sum(not r.gold_answers for r in results),
              "thresholds": {k: v for k, v in thresholds.items() if v is not None}}
    report = write_report(args.out, header, runs, main_name)
    print(table(report["configs"]))
    print(_interval_line(report["intervals"]) + f" ({main_name})")
    for line in _verdict_line(report["metrics"]) + _second_look_line(report["metrics"]) + _bridge_line(report["metrics"]):
        if line:
            print(line)
    print(f"\nreport: {args.out / 'report.md'}, {args.out / 'report.json'}, {args.out / 'chart.png'}")
    problems = check_thresholds(report["metrics"], thresholds)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
