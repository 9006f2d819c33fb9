"""rag.tools.gold_eval: per-question F1 and the paired comparison of two readers on the same questions."""

import json

import pytest

from rag.tools.gold_eval import GoldScores, evaluate_gold, main, paired
from rag.settings import PROJECT_ROOT


def _scores(f1s):
    return GoldScores(len(f1s), 0.0, sum(f1s) / len(f1s), 0.0, 0.0, tuple(f1s))


def test_paired_difference_counts_each_question_once():
    d = paired(_scores([1.0, 1.0, 0.5, 0.0]), _scores([1.0, 0.0, 1.0, 0.0]))
    assert d.questions == 4 and d.difference == pytest.approx(12.5)      # (0 + 100 - 50 + 0) / 4 points
    assert (d.better, d.worse) == (1, 1)
    low, high = d.interval
    assert low <= d.difference <= high and low < 0 < high                # one win, one loss: no difference
    assert paired(_scores([1.0] * 50), _scores([0.0] * 50)).interval == (100.0, 100.0)


def test_paired_needs_the_same_questions():
    with pytest.raises(ValueError):
        paired(_scores([1.0, 0.0]), _scores([1.0]))
    with pytest.raises(ValueError):
        paired(GoldScores(1, 0.0, 0.0, 0.0, 0.0), GoldScores(1, 0.0, 0.0, 0.0, 0.0))


def _bench(folder):
    """Three questions on three one-sentence paragraphs; the second one's gold answer is not in its text."""
    folder.mkdir()
    docs = [{"doc_id": f"d{i}", "title": f"T{i}", "text": f"The answer of {i} is word{i}."} for i in range(3)]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    (folder / "questions.jsonl").write_text("".join(
        json.dumps({"question": f"What is {i}?", "answers": [f"word{i}" if i != 1 else "other"], "doc_ids": [f"d{i}"]})
        + "\n" for i in range(3)))
    return folder


def test_per_question_f1_is_kept_in_bench_order(tmp_path):
    class LastWord:
        def read(self, question, windows):
            return [type("S", (), {"text": windows[0].text.rsplit(" ", 1)[-1].rstrip(".")})]

    scores = evaluate_gold(LastWord(), _bench(tmp_path / "bench"), window=0)
    assert scores.f1_each == (1.0, 0.0, 1.0) and scores.f1 == pytest.approx(2 / 3)


def test_against_reports_the_paired_difference(tmp_path, capsys):
    reader = PROJECT_ROOT / "models" / "reader"
    out = tmp_path / "gold.json"
    assert main(["--model-dir", str(reader), "--against", str(reader), "--bench", str(_bench(tmp_path / "bench")),
                 "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text())
    assert len(row["f1_each"]) == 3
    assert row["against"]["difference"] == 0.0 and row["against"]["better"] == row["against"]["worse"] == 0
    assert "better on 0, worse on 0 of 3 questions" in capsys.readouterr().out
