"""`rag compare`: two eval runs paired question by question, with the interval of the F1 difference."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.tools import compare
from rag.tools.evaluate import Result


def _result(qid: str, gold: list[str], answer: str, f1: float, abstained: bool = False, turn: int = 0,
            uncertain: bool = False) -> Result:
    return Result(id=qid, question=f"question {qid}?", kind="", turn=turn, gold_answers=gold, gold_evidence=[],
                  answer="" if abstained else answer, abstained=abstained, confidence=0.5, resolved_question="",
                  citations=[], retrieved=[], latency_s=0.1, scores={"f1": 0.0 if abstained else f1},
                  uncertain=uncertain)


def _write(folder: Path, results: list[Result], extra_field: bool = False, unmarked: bool = False) -> Path:
    folder.mkdir(parents=True)
    rows = [{**asdict(r), **({"a_field_from_a_later_version": 1} if extra_field else {})} for r in results]
    if unmarked:              # a run from before the "may be wrong" mark was recorded
        rows = [{k: v for k, v in r.items() if k != "uncertain"} for r in rows]
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


A = [_result("q1", ["Hamilton West"], "Hamilton West", 1.0),
     _result("q2", ["38"], "New Zealand", 0.0),
     _result("q3", ["Ardern"], "Ardern", 1.0),
     _result("u1", [], "Labour", 0.0, uncertain=True),
     _result("u2", [], "", 0.0, abstained=True)]
B = [_result("q1", ["Hamilton West"], "Hamilton West", 1.0),      # same
     _result("q2", ["38"], "38", 1.0),                             # better
     _result("q3", ["Ardern"], "", 0.0, abstained=True),           # worse: refused
     _result("u1", [], "", 0.0, abstained=True),                   # better: refuses the unanswerable
     _result("u2", [], "Labour", 0.0)]                             # worse: answers it


def test_counts_each_way_and_the_paired_difference(tmp_path: Path) -> None:
    [row] = compare.compare_runs(_write(tmp_path / "a", A), _write(tmp_path / "b", B, extra_field=True))
    assert (row.questions, row.answerable, row.unanswerable) == (5, 3, 2)
    assert row.f1 == (pytest.approx(2 / 3, abs=1e-4), pytest.approx(2 / 3, abs=1e-4))
    assert row.f1_difference == 0.0
    low, high = row.f1_interval
    assert low < 0 < high                              # one up, one down: no difference shown
    assert (row.better, row.worse) == (2, 2)
    assert row.false_refusals == (0, 1) and row.refused_unanswerable == (1, 1)
    assert row.shown == (4, 3) and row.wrong_shown == (2, 1)   # A: q2 and u1 wrong; B: u2
    assert row.wrong_sure == (1, 1)                            # A's u1 was marked "may be wrong"
    effects = {c.id: c.effect for c in row.changes}
    assert effects == {"q2": 1, "q3": -1, "u1": 1, "u2": -1}   # q1 unchanged is not listed
    lines = "\n".join(compare.change_lines(row))
    assert lines.index("WORSE") < lines.index("better") and "(refused)" in lines and "(unanswerable)" in lines


def test_a_clear_gain_has_an_interval_above_zero(tmp_path: Path) -> None:
    a = [_result(f"q{i}", ["x"], "y", 0.0) for i in range(40)]
    b = [_result(f"q{i}", ["x"], "x", 1.0 if i % 4 else 0.0) for i in range(40)]
    [row] = compare.compare_runs(_write(tmp_path / "a", a), _write(tmp_path / "b", b))
    assert row.f1_difference == 0.75 and row.f1_interval[0] > 0.5


def test_folders_of_sets_are_paired_by_name_and_pooled(tmp_path: Path) -> None:
    for side, results in (("a", A), ("b", B)):
        _write(tmp_path / side / "news", results)
        _write(tmp_path / side / "wiki", results[:3])
    _write(tmp_path / "a" / "only_in_a", A)
    rows = compare.compare_runs(tmp_path / "a", tmp_path / "b")
    assert [r.name for r in rows] == ["news", "wiki", "all"]
    assert rows[-1].questions == 8 and rows[-1].better == rows[0].better + rows[1].better
    assert [r.name for r in compare.compare_runs(tmp_path / "a", tmp_path / "b", sets=["wiki"])] == ["wiki"]
    assert compare.unpaired(tmp_path / "a", tmp_path / "b") == ["only_in_a"]     # said, not silently dropped
    assert compare.unpaired(tmp_path / "a" / "news", tmp_path / "b" / "news") == []
    with pytest.raises(RagError, match="only_in_a"):
        compare.compare_runs(tmp_path / "a", tmp_path / "b", sets=["only_in_a"])


def test_a_run_that_did_not_record_the_mark_has_no_wrong_sure_count(tmp_path: Path) -> None:
    [row] = compare.compare_runs(_write(tmp_path / "a", A, unmarked=True), _write(tmp_path / "b", B))
    assert row.wrong_shown == (2, 1) and row.wrong_sure is None
    assert compare.table([row]).splitlines()[1].endswith("-")


def test_runs_of_different_questions_are_refused_not_half_compared(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="1 only in A .*u2"):
        compare.compare_runs(_write(tmp_path / "a", A), _write(tmp_path / "b", B[:4]))
    changed = [_result("q1", ["Hamilton West"], "x", 0.0)]
    changed[0].question = "another question?"
    with pytest.raises(RagError, match="differs"):
        compare.compare_runs(_write(tmp_path / "c", A[:1]), _write(tmp_path / "d", changed))


def test_command_line_prints_the_table_writes_json_and_fails_cleanly(tmp_path: Path, capsys) -> None:
    a, b = _write(tmp_path / "a", A), _write(tmp_path / "b", B)
    assert compare.main([str(a), str(b), "--changes", "--out", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "B - A [95%]" in out and "0 -> 1 of 3" in out and "WORSE" in out
    saved = json.loads((tmp_path / "c.json").read_text())
    assert saved["sets"][0]["wrong_shown"] == [2, 1] and len(saved["sets"][0]["changes"]) == 4
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.jsonl").write_text("{not json\n")
    assert compare.main([str(a), str(tmp_path / "bad")]) == 2
    assert "line 1" in capsys.readouterr().err
    assert compare.main([str(a), str(tmp_path / "nowhere")]) == 2


def test_by_form_pools_the_questions_by_the_answer_they_ask_for(tmp_path: Path) -> None:
    questions = ["Which electorate does Sharma hold?", "How old is Sharma?", "Why was he expelled?",
                 "Why did Lewis speak?", "Did Sharma attend the meeting?"]
    a = [Result(**{**asdict(r), "question": q}) for r, q in zip(A, questions)]
    b = [Result(**{**asdict(r), "question": q}) for r, q in zip(B, questions)]
    for side, results in (("a", a), ("b", b)):
        _write(tmp_path / side / "s1", results[:3])
        _write(tmp_path / side / "s2", results[3:])
    assert [r.name for r in compare.compare_runs(tmp_path / "a", tmp_path / "b")] == ["s1", "s2", "all"]
    rows = compare.compare_runs(tmp_path / "a", tmp_path / "b", forms=True)
    assert [r.name for r in rows] == ["s1", "s2", "all", "form span", "form why", "form yes/no"]
    span, why, yes_no = rows[3:]
    assert (span.questions, span.better, span.worse) == (2, 1, 0)          # q1 same, q2 better
    # q3 (answerable) is refused by B; u1 (unanswerable) is refused by B: one worse, one better
    assert (why.questions, why.answerable, why.better, why.worse) == (2, 1, 1, 1)
    assert why.false_refusals == (0, 1) and why.refused_unanswerable == (0, 1)
    assert (yes_no.questions, yes_no.worse) == (1, 1)                      # u2 answered by B
    assert sum(r.questions for r in rows[3:]) == rows[2].questions == 5
    assert [r.pooled for r in rows] == [False, False, True, True, True, True]
