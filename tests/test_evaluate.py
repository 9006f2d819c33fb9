"""The evaluation harness: metrics on hand-made answers, the question-file loader, the shipped
question set's integrity, and (slow) one real run writing every report file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import pytest

from rag.tools import evaluate
from rag.tools.evaluate import Case, Item, Result
from rag.types import Answer, Citation, Hit, Sentence, Trace

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "corpus" / "questions.jsonl"
XQUAD = ROOT.parent / "shared" / "benchmarks" / "xquad_en"

GOLD_1 = "Rex the dog was born in 2015 in Berlin."
GOLD_2 = "Rex moved to Paris in 2020."
OTHER = "Cats sleep for sixteen hours a day."


def _citation(sentence: str) -> Citation:
    return Citation(doc_id="d", title="t", sentence=sentence, start=0, end=len(sentence), score=1.0)


def _answer(text: str, citations: Sequence[str] = (), abstained: bool = False, confidence: float = 0.9) -> Answer:
    return Answer(question="q", text=text, abstained=abstained, confidence=confidence,
                  citations=[_citation(c) for c in citations])


def _result(answers: Sequence[str], abstained: bool, scores: dict[str, float], latency: float = 0.1,
            confidence: float = 0.5, turn: int = 0) -> Result:
    return Result(id="x", question="q", kind="", turn=turn, gold_answers=list(answers), gold_evidence=[],
                  answer="", abstained=abstained, confidence=confidence, resolved_question="q", citations=[],
                  retrieved=[], latency_s=latency, scores=scores)


# --- metrics --------------------------------------------------------------------------------
def test_evidence_match_by_equality_containment_and_whitespace() -> None:
    assert evaluate.evidence_match(GOLD_1, [GOLD_2, GOLD_1]) == 1
    assert evaluate.evidence_match("Rex the dog  was born\nin 2015 in Berlin.", [GOLD_1]) == 0
    assert evaluate.evidence_match("Rex the dog was born in 2015", [GOLD_1]) == 0        # inside gold
    assert evaluate.evidence_match(f"Intro. {GOLD_1}", [GOLD_1]) == 0                     # contains gold
    assert evaluate.evidence_match(OTHER, [GOLD_1]) is None
    assert evaluate.evidence_match("   ", [GOLD_1]) is None


def test_retrieval_recall_counts_each_gold_sentence_and_mrr_the_first() -> None:
    scores = evaluate.retrieval_scores([OTHER, GOLD_2, OTHER, GOLD_2, GOLD_1], ["2015"], [GOLD_1, GOLD_2])
    assert scores == {"recall@1": 0.0, "recall@3": 0.5, "recall@5": 1.0, "mrr": 0.5}
    assert evaluate.retrieval_scores([OTHER], ["2015"], [GOLD_1])["mrr"] == 0.0


def test_retrieval_falls_back_to_answer_containment_without_evidence() -> None:
    scores = evaluate.retrieval_scores([OTHER, OTHER, GOLD_1], ["2015"], [])
    assert scores == {"recall@1": 0.0, "recall@3": 1.0, "recall@5": 1.0, "mrr": pytest.approx(1 / 3)}


def test_citation_scores() -> None:
    # first citation holds the answer (not gold evidence), second is gold, third is neither
    scores = evaluate.citation_scores(["Berlin is where Rex lives.", GOLD_2, OTHER], ["Berlin"], [GOLD_1, GOLD_2])
    assert scores == {"cited_accuracy": 1.0, "citation_precision": pytest.approx(2 / 3), "citation_recall": 0.5}
    assert evaluate.citation_scores([OTHER, GOLD_1], ["2015"], [GOLD_1])["cited_accuracy"] == 0.0
    assert evaluate.citation_scores([], ["2015"], [GOLD_1]) == {
        "cited_accuracy": 0.0, "citation_precision": 0.0, "citation_recall": 0.0}


def test_score_case_answerable_answered_refused_and_unanswerable() -> None:
    case = Case("a", "When was Rex born?", ("2015",), (GOLD_1,))
    right = evaluate.score_case(case, _answer("2015.", [GOLD_1]), [GOLD_1])
    assert right["em"] == 1.0 and right["f1"] == 1.0 and right["refused"] == 0.0
    assert right["cited_accuracy"] == 1.0 and right["recall@1"] == 1.0
    refused = evaluate.score_case(case, _answer("2015", abstained=True), [OTHER])
    assert refused["em"] == 0.0 and refused["refused"] == 1.0 and "cited_accuracy" not in refused
    unanswerable = Case("u", "Where was Rex's mother born?", (), ())
    assert evaluate.score_case(unanswerable, _answer("", abstained=True), []) == {"refused": 1.0}
    assert evaluate.score_case(unanswerable, _answer("Berlin"), []) == {"refused": 0.0}


def test_a_verdict_scores_against_a_gold_yes_or_no_and_its_clause_against_a_gold_clause() -> None:
    from dataclasses import replace

    said = replace(_answer("Rex the dog was born in 2015", [GOLD_1]), kind="yes")
    assert evaluate.score_case(Case("a", "Was Rex born in 2015?", ("yes",), (GOLD_1,)), said, [GOLD_1])["em"] == 1.0
    assert evaluate.score_case(Case("a", "Was Rex born in 2015?", ("no",), (GOLD_1,)), said, [GOLD_1])["f1"] == 0.0
    clause = Case("a", "Was Rex born in 2015?", ("Rex the dog was born in 2015",), (GOLD_1,))
    assert evaluate.score_case(clause, said, [GOLD_1])["em"] == 1.0
    unsaid = _answer("Rex the dog was born in 2015", [GOLD_1])          # the clause alone says no "yes"
    assert evaluate.score_case(Case("a", "Was Rex born in 2015?", ("yes",), (GOLD_1,)), unsaid, [GOLD_1])["f1"] == 0.0


def test_summarise_averages_each_metric_over_its_own_subset() -> None:
    answered = {"em": 1.0, "f1": 1.0, "refused": 0.0, "recall@1": 1.0, "recall@3": 1.0, "recall@5": 1.0,
                "mrr": 1.0, "cited_accuracy": 1.0, "citation_precision": 0.5, "citation_recall": 1.0}
    refused = {"em": 0.0, "f1": 0.0, "refused": 1.0, "recall@1": 0.0, "recall@3": 0.0, "recall@5": 1.0,
               "mrr": 0.2}
    results = [_result(["a"], False, answered, latency=0.1), _result(["b"], True, refused, latency=0.3),
               _result([], True, {"refused": 1.0}, latency=0.2), _result([], False, {"refused": 0.0}, latency=1.0)]
    m = evaluate.summarise(results)
    assert (m["questions"], m["answerable"], m["unanswerable"], m["answered"]) == (4, 2, 2, 1)
    assert m["em"] == 0.5 and m["recall@5"] == 1.0 and m["mrr"] == 0.6
    assert m["cited_accuracy"] == 1.0 and m["citation_precision"] == 0.5     # answered ones only
    assert m["refusal"] == 0.5 and m["false_refusal"] == 0.5
    assert m["wrong"] == 0.5          # two answers shown: one right, one to an unanswerable question
    assert m["latency_median_s"] == 0.25 and m["latency_p95_s"] == pytest.approx(0.895)
    assert m["windows_per_question"] is None and m["sentences_read_twice"] is None   # no reading recorded
    from dataclasses import replace

    read = [replace(results[0], windows=3, sentences_read=9, distinct_sentences=9),
            replace(results[1], windows=5, sentences_read=15, distinct_sentences=11)]
    m = evaluate.summarise(read)
    assert m["windows_per_question"] == 4.0 and m["sentences_read_twice"] == round(4 / 24, 4)
    only_unanswerable = evaluate.summarise(results[2:])
    assert only_unanswerable["f1"] is None and only_unanswerable["cited_accuracy"] is None
    assert evaluate.summarise(results[1:3])["wrong"] is None                 # nothing shown, nothing wrong


def test_wrong_counts_answers_that_look_right_and_are_not() -> None:
    found = {"recall@1": 1.0, "recall@3": 1.0, "recall@5": 1.0, "mrr": 1.0}
    cited = {"cited_accuracy": 1.0, "citation_precision": 1.0, "citation_recall": 1.0}
    half = {"em": 0.0, "f1": 0.4, "refused": 0.0, **found, **cited}
    close = {"em": 0.0, "f1": 0.5, "refused": 0.0, **found, **cited}
    m = evaluate.summarise([_result(["a"], False, half), _result(["b"], False, close),
                            _result(["c"], True, {"em": 0.0, "f1": 0.0, "refused": 1.0, **found})])
    assert m["wrong"] == 0.5          # F1 0.4 is wrong, F1 0.5 right; the refusal is not an answer shown
    assert evaluate.check_thresholds(m, {"max_wrong": 0.4}) == ["wrong = 0.500 is above the threshold 0.400 (--max-wrong)"]


def test_wrong_sure_leaves_out_answers_marked_may_be_wrong() -> None:
    from dataclasses import replace

    found = {"recall@1": 1.0, "recall@3": 1.0, "recall@5": 1.0, "mrr": 1.0}
    cited = {"cited_accuracy": 1.0, "citation_precision": 1.0, "citation_recall": 1.0}
    wrong = _result(["a"], False, {"em": 0.0, "f1": 0.0, "refused": 0.0, **found, **cited})
    right = _result(["b"], False, {"em": 1.0, "f1": 1.0, "refused": 0.0, **found, **cited})
    unanswerable = _result([], False, {"refused": 0.0})
    m = evaluate.summarise([replace(wrong, uncertain=True), right, replace(unanswerable, uncertain=True),
                            replace(right, id="y")])
    assert m["wrong"] == 0.5 and m["uncertain"] == 0.5
    assert m["wrong_sure"] == 0.0     # both wrong answers carried the mark: honestly unsure
    m = evaluate.summarise([wrong, replace(right, uncertain=True), unanswerable])
    assert m["wrong_sure"] == 1.0 and m["uncertain"] == round(1 / 3, 4)
    assert evaluate.check_thresholds(m, {"max_wrong_sure": 0.2})[0].startswith("wrong_sure = 1.000")
    assert evaluate.summarise([replace(wrong, uncertain=True)])["wrong_sure"] is None   # no unmarked answer


def test_percentile_matches_numpy() -> None:
    np = pytest.importorskip("numpy")
    values = [0.3, 0.1, 2.0, 0.7, 0.2, 0.25, 5.0]
    for q in (0, 50, 90, 95, 100):
        assert evaluate.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert evaluate.percentile([], 95) == 0.0


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_questions() -> None:
    few = [1.0, 0.0] * 10
    many = [1.0, 0.0] * 500
    lo, hi = evaluate.bootstrap_interval(few)
    assert lo < 0.5 < hi
    lo_many, hi_many = evaluate.bootstrap_interval(many)
    assert lo < lo_many < 0.5 < hi_many < hi
    assert evaluate.bootstrap_interval([1.0] * 5) == (1.0, 1.0) and evaluate.bootstrap_interval([]) is None


def test_thresholds_name_each_failing_metric_and_its_flag() -> None:
    metrics = {"f1": 0.40, "em": 0.30, "refusal": None, "false_refusal": 0.2, "latency_p95_s": 0.5}
    problems = evaluate.check_thresholds(metrics, {"min_f1": 0.5, "min_em": 0.3, "max_false_refusal": 0.1,
                                                   "min_refusal": 0.5, "max_p95": 1.0, "min_mrr": None})
    assert len(problems) == 3
    assert "f1 = 0.400 is below the threshold 0.500 (--min-f1)" in problems[0]
    assert "--max-false-refusal" in problems[1] and "above" in problems[1]
    assert "refusal is undefined" in problems[2]


def test_failures_put_confident_mistakes_first_with_a_cause() -> None:
    wrong = _result(["a"], False, {"f1": 0.0, "recall@5": 0.0}, confidence=0.9)
    false_answer = _result([], False, {"refused": 0.0}, confidence=0.95)
    right = _result(["a"], False, {"f1": 1.0, "recall@5": 1.0}, confidence=0.99)
    refused = _result(["a"], True, {"f1": 0.0, "recall@5": 1.0}, confidence=0.1)
    assert evaluate.failures([wrong, right, refused, false_answer]) == [false_answer, wrong, refused]
    assert evaluate.failure_cause(wrong).startswith("retrieval miss")
    assert evaluate.failure_cause(refused) == "refused although gold evidence was retrieved"
    assert evaluate.failure_cause(false_answer).startswith("answered a question")


# --- the question file ----------------------------------------------------------------------
def test_loader_reads_single_questions_and_conversations(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps({"id": "a", "question": "Q1?", "answers": ["x"], "evidence": ["x y."], "kind": "who"}) + "\n\n"
        + json.dumps({"id": "c", "turns": [{"question": "Q2?", "answers": [], "evidence": []},
                                           {"question": "And her?", "answers": ["z"], "evidence": ["z."]}]}) + "\n",
        encoding="utf-8")
    items = evaluate.load_questions(path)
    assert [i.id for i in items] == ["a", "c"]
    assert items[0].cases == (Case("a", "Q1?", ("x",), ("x y.",), "who", 0),)
    assert [(c.id, c.turn, c.answerable) for c in items[1].cases] == [("c#1", 0, False), ("c#2", 1, True)]


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "question": "Q?", "answers": ["x"]', "not valid JSON"),
    ('["a list"]', "expected a JSON object"),
    ('{"id": "a", "question": "", "answers": []}', "'question' must be a non-empty string"),
    ('{"id": "a", "question": "Q?", "answers": "x"}', "'answers' must be a list of strings"),
    ('{"id": "a", "turns": []}', "'turns' must be a non-empty list"),
])
def test_loader_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "question": "Fine?", "answers": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(evaluate.QuestionFileError, match=message) as info:
        evaluate.load_questions(path)
    assert f"{path}:2" in str(info.value)


def test_gold_verdicts_are_read_checked_and_scored(tmp_path: Path) -> None:
    from dataclasses import replace

    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "a", "question": "Has he replied?", "answers": ["has not replied"],
                                "verdict": "no", "kind": "yes/no"}) + "\n", encoding="utf-8")
    assert evaluate.load_questions(path)[0].cases[0].verdict == "no"
    path.write_text(json.dumps({"id": "a", "question": "Q?", "answers": ["x"], "verdict": "maybe"}) + "\n",
                    encoding="utf-8")
    with pytest.raises(evaluate.QuestionFileError, match="'verdict' must be"):
        evaluate.load_questions(path)
    base = _result(["x"], False, {key: 1.0 for key in ("em", "f1", "recall@1", "recall@3", "recall@5", "mrr",
                                                       "cited_accuracy", "citation_precision", "citation_recall")}
                   | {"refused": 0.0})
    results = [replace(base, gold_verdict="no", answer_kind="no"), replace(base, gold_verdict="no", answer_kind="yes"),
               replace(base, gold_verdict="yes", answer_kind="sentence"), replace(base, answer_kind="no")]
    m = evaluate.summarise(results)
    assert (m["verdict_questions"], m["verdicts_given"], m["verdict_accuracy"]) == (3, 2, 0.5)
    assert evaluate.summarise(results[2:])["verdict_accuracy"] is None


def test_loader_rejects_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "question": "Q?"}\n{"id": "a", "question": "R?"}\n', encoding="utf-8")
    with pytest.raises(evaluate.QuestionFileError, match="duplicate id 'a'"):
        evaluate.load_questions(path)
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(evaluate.QuestionFileError, match="holds no questions"):
        evaluate.load_questions(path)


# --- the run loop and reports, with a fake assistant ----------------------------------------
class FakeAssistant:
    """Answers from a dict keyed by question; records the history each question came with."""

    def __init__(self, replies: dict[str, Answer]) -> None:
        self.replies = replies
        self.histories: dict[str, list[str]] = {}

    def run(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Trace:
        self.histories[question] = [q for q, _ in history]
        texts = [GOLD_1, OTHER]
        hits = [Hit(Sentence("d", i, 0, len(t), t), 1.0 / (i + 1)) for i, t in enumerate(texts)]
        return Trace(question, question, hits, [], [], [], self.replies[question])


def _fake_items() -> tuple[list[Item], FakeAssistant]:
    items = [Item("a", (Case("a", "When was Rex born?", ("2015",), (GOLD_1,), "when"),)),
             Item("c", (Case("c#1", "Who is Rex?", ("the dog",), (GOLD_1,), "who"),
                        Case("c#2", "Where does he live now?", ("Paris",), (GOLD_2,), "where", 1),
                        Case("c#3", "What is his mother's name?", (), (), "what", 2)))]
    fake = FakeAssistant({
        "When was Rex born?": _answer("2015", [GOLD_1]),
        "Who is Rex?": _answer("the dog", [GOLD_1]),
        "Where does he live now?": _answer("Berlin", [GOLD_1]),
        "What is his mother's name?": _answer("", abstained=True, confidence=0.1),
    })
    return items, fake


def test_run_asks_turns_with_history_and_scores_each() -> None:
    items, fake = _fake_items()
    results = evaluate.run(fake, items, {"d": f"{GOLD_1} {GOLD_2}"}, progress=False)
    assert [r.id for r in results] == ["a", "c#1", "c#2", "c#3"]
    assert fake.histories["Where does he live now?"] == ["Who is Rex?"]
    assert fake.histories["What is his mother's name?"] == ["Who is Rex?", "Where does he live now?"]
    assert [r.scores["f1"] for r in results[:3]] == [1.0, 1.0, 0.0]
    assert results[2].scores["cited_accuracy"] == 0.0      # cited GOLD_1: neither gold nor holding "Paris"
    assert results[3].scores == {"refused": 1.0}
    assert results[0].evidence_docs == 1


def test_write_report_writes_every_file(tmp_path: Path) -> None:
    items, fake = _fake_items()
    results = evaluate.run(fake, items, progress=False)
    report = evaluate.write_report(tmp_path, {"questions_file": "q.jsonl", "corpus": "c", "date": "today",
                                              "questions": 4, "answerable": 3, "unanswerable": 1},
                                   {"hybrid/fake": results, "bm25/fake": results}, "hybrid/fake")
    for name in ("report.json", "report.md", "results.jsonl", "results_bm25_fake.jsonl", "chart.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["metrics"]["f1"] == pytest.approx(2 / 3, abs=1e-4) and saved["metrics"]["refusal"] == 1.0
    assert set(saved["configs"]) == {"hybrid/fake", "bm25/fake"} and report["failures"][0]["id"] == "c#2"
    lines = (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and json.loads(lines[2])["answer"] == "Berlin"
    assert "| hybrid/fake |" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_main_exits_1_naming_each_metric_under_its_threshold(tmp_path: Path, monkeypatch, capsys) -> None:
    items, fake = _fake_items()
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"id": c.id.replace("#", "-"), "question": c.question,
                                          "answers": list(c.answers), "evidence": list(c.evidence)})
                              for i in items for c in i.cases), encoding="utf-8")

    class Loaded(FakeAssistant):
        documents: list = []

        def with_settings(self, **changes: object) -> "Loaded":
            return self

    from rag.assistant import Assistant
    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, settings=None: Loaded(fake.replies)))
    out = tmp_path / "out"
    code = evaluate.main(["--questions", str(path), "--out", str(out), "--quiet", "--min-f1", "0.9",
                          "--max-false-refusal", "0.5", "--min-refusal", "0.5"])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAIL: f1 = 0.667 is below the threshold 0.900 (--min-f1)" in err
    assert "false-refusal" not in err and "refusal =" not in err
    assert (out / "report.json").exists()
    assert evaluate.main(["--questions", str(path), "--out", str(out), "--quiet", "--min-f1", "0.5"]) == 0
    assert evaluate.main(["--questions", str(path), "--out", str(out), "--min-f1", "55"]) == 2


def test_compare_configs_cover_every_retrieval_and_available_reader(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(evaluate, "TRAINED_READER_DIR", tmp_path / "missing")
    assert list(evaluate.configs("baseline", compare=False)) == ["hybrid/baseline"]
    assert list(evaluate.configs("baseline", compare=True)) == ["hybrid/baseline", "dense/baseline",
                                                                "bm25/baseline"]
    monkeypatch.setattr(evaluate, "TRAINED_READER_DIR", tmp_path)
    assert len(evaluate.configs("trained", compare=True)) == 6


# --- the shipped question set -----------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> tuple[list[Item], dict[str, set[str]], dict[str, str]]:
    """The shipped questions, each document's sentences as the splitter makes them, and its text."""
    from rag.corpus import load_corpus
    from rag.splitting import split_documents

    corpus = load_corpus(ROOT / "corpus")
    sentences = split_documents(corpus.documents)
    return (evaluate.load_questions(QUESTIONS), {d: {s.text for s in ss} for d, ss in sentences.items()},
            {d.doc_id: d.text for d in corpus.documents})


def test_shipped_evidence_is_verbatim_splitter_sentences_holding_the_answers(shipped) -> None:
    items, sentences, texts = shipped
    for case in (c for item in items for c in item.cases):
        for e in case.evidence:
            assert any(e in text for text in texts.values()), f"{case.id}: evidence not verbatim: {e!r}"
            assert any(e in doc for doc in sentences.values()), f"{case.id}: not a splitter sentence: {e!r}"
        if case.answerable:
            assert case.evidence, f"{case.id}: answerable but no evidence"
            for a in case.answers:
                assert any(a in e for e in case.evidence), f"{case.id}: answer {a!r} not in its evidence"
        else:
            assert not case.evidence, f"{case.id}: unanswerable but has evidence"


def test_shipped_set_meets_the_counts(shipped) -> None:
    """Counting: top-level single questions (conversations counted separately, by their turns)."""
    items, sentences, _ = shipped
    singles = [i.cases[0] for i in items if len(i.cases) == 1]
    conversations = [i for i in items if len(i.cases) >= 2]

    def docs(case: Case) -> set[str]:
        return {d for d, ss in sentences.items() for e in case.evidence if e in ss}

    assert len(singles) >= 60
    assert sum(len(docs(c)) >= 2 for c in singles) >= 8
    assert sum(not c.answerable for c in singles) >= 12
    assert len(conversations) >= 6
    assert {d for c in singles for d in docs(c)} == set(sentences)        # every article is asked about
    kinds = {c.kind for c in singles}
    assert {"who", "what", "when", "where", "why", "how many", "yes/no"} <= kinds


# --- a real run ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_harness_on_the_real_assistant_writes_a_full_report(assistant, tmp_path: Path) -> None:
    items = evaluate.load_questions(QUESTIONS)
    sample = [i for i in items if i.id in {"q018", "q042", "u02", "c04"}]
    doc_texts = {d.doc_id: d.text for d in assistant.documents}
    results = evaluate.run(assistant, sample, doc_texts, progress=False)
    assert len(results) == 6
    report = evaluate.write_report(tmp_path, {"questions_file": str(QUESTIONS), "corpus": "shipped",
                                              "date": "test", "questions": 6, "answerable": 5,
                                              "unanswerable": 1}, {"hybrid/default": results}, "hybrid/default")
    for name in ("report.json", "report.md", "results.jsonl", "chart.png"):
        assert (tmp_path / name).exists()
    metrics = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["metrics"]
    for key in ("em", "f1", "recall@1", "recall@3", "recall@5", "mrr", "refusal", "false_refusal",
                "latency_median_s", "latency_p95_s"):
        assert key in metrics and metrics[key] is not None, key
    assert report["metrics"]["recall@5"] > 0.5      # four easy single-article questions


@pytest.mark.skipif(not XQUAD.is_dir(), reason="../shared/benchmarks/xquad_en is not available here")
def test_xquad_question_file_loads() -> None:
    items = evaluate.load_questions(XQUAD / "questions.jsonl")
    assert len(items) == 200 and all(len(i.cases) == 1 and i.cases[0].answerable for i in items)



def test_two_hop_answers_are_counted_apart_from_second_looks() -> None:
    from dataclasses import replace

    items, fake = _fake_items()

    class Hops(FakeAssistant):
        def run(self, question, history=()):
            trace = super().run(question, history)
            if question == "When was Rex born?":
                return replace(trace, looks=3, bridge="Rex")          # through an entity, right
            if question == "Where does he live now?":
                return replace(trace, looks=2)                        # a second look, wrong
            return trace

    results = evaluate.run(Hops(fake.replies), items, progress=False)
    m = evaluate.summarise(results)
    assert (m["bridged"], m["bridged_right"], m["bridged_unanswerable"]) == (1, 1, 0)
    assert (m["second_looks"], m["second_looks_right"]) == (1, 0)
    assert results[0].bridge == "Rex" and results[2].bridge == ""
    assert evaluate._bridge_line(m)[0] == ("Two hops: answered 1 questions through the entity they describe: "
                                           "1 right (F1 >= 0.5), 0 unanswerable.")
    assert evaluate._second_look_line(m)[0].startswith("Second look: answered 1 questions the first look refused: 0 right")
