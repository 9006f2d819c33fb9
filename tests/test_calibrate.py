"""Confidence calibration: the logistic fit, the threshold choice, and the shipped calibration file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.tools.calibrate import choose_threshold, fit_logistic
from rag.confidence import (CALIBRATION_FILE, FEATURES, RERANK_FEATURES, Calibration, calibration_key, confidence,
                            feature_names, features, load_calibration)
from rag.settings import READERS
from rag.types import Span, Window


def test_fit_logistic_separates_two_clouds() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1.0, 1.0, (200, 2)), rng.normal(-1.0, 1.0, (200, 2))])
    y = np.r_[np.ones(200), np.zeros(200)]
    w, b = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert w[0] > 0 and w[1] > 0 and abs(b) < 0.5     # symmetric clouds: no bias
    assert np.mean((p > 0.5) == (y == 1)) > 0.85       # about the Bayes rate of these clouds (0.92)


def test_threshold_refuses_the_most_within_the_false_refusal_budget() -> None:
    answerable = np.array([0.35, 0.6, 0.7, 0.8, 0.9])
    unanswerable = np.array([0.1, 0.2, 0.3, 0.4, 0.65])
    t, refusal, false_refusal = choose_threshold(answerable, unanswerable, max_false_refusal=0.2)
    assert 0.4 < t <= 0.6 and refusal == 0.8 and false_refusal == 0.2
    t, refusal, false_refusal = choose_threshold(answerable, unanswerable, max_false_refusal=0.0)
    assert 0.3 < t <= 0.35 and refusal == 0.6 and false_refusal == 0.0
    assert choose_threshold(np.array([0.01]), np.array([0.5]), 0.0) == (0.0, 0.0, 0.0)   # nothing fits: never refuse


def _window(rank: int, dense: float, rerank: float | None = None) -> Window:
    return Window("d", "t", "x", 0, 1, (), 0, rank, 0.1, dense, rerank)


def test_features_are_log_odds_and_confidence_is_monotone() -> None:
    windows = [_window(0, 0.6), _window(1, 0.4)]
    sure = features([Span("a", "d", 0, 1, 0.9, 1, no_answer=0.001)], windows)
    unsure = features([Span("a", "d", 0, 1, 0.2, 1, no_answer=0.5)], windows)
    assert sure[0] == pytest.approx(np.log(9)) and sure[2:4] == [0.6, 0.4] and sure[4] == 0.0   # type not checked
    assert unsure[1] == pytest.approx(0.0)
    cal = Calibration((1.0, 1.0, 1.0, 1.0), -1.0, 0.5)
    assert confidence(sure, cal) > confidence(unsure, cal)
    assert features([], windows)[0] < -13         # no span: the lowest evidence there is


def test_a_question_a_clause_answers_is_a_feature_the_fit_can_weigh() -> None:
    """why / how / yes-no questions are flagged, with or without an answer, so the logistic fit can
    learn that the reader is right less often on them at the same scores."""
    from rag.clauses import question_form

    windows = [_window(0, 0.6, rerank=0.9)]
    span = Span("a", "d", 0, 1, 0.9, 0)
    at = FEATURES.index("clause_question")
    for question, flag in (("Why was Sharma suspended?", 1.0), ("Did Ardern reach Sharma?", 1.0),
                           ("How did Ardern react?", 1.0), ("Who is Steph Lewis?", 0.0), ("How old is Sharma?", 0.0)):
        clause = question_form(question) is not None
        assert features([span], windows, clause_question=clause)[at] == flag, question
        assert features([], windows, clause_question=clause)[at] == flag, question
    weighed = Calibration(tuple(-1.0 if n == "clause_question" else 0.0 for n in FEATURES), 0.0, 0.5)
    assert (confidence(features([span], windows, clause_question=True), weighed)
            < confidence(features([span], windows), weighed))


def test_calibration_adds_every_clause_question_not_already_sampled() -> None:
    from rag.tools.calibrate import clause_extras

    pool = [{"question": q} for q in ("Why did it fall?", "Who built it?", "Did it rain?", "How was it made?")]
    assert [q["question"] for q in clause_extras(pool, pool[:1])] == ["Did it rain?", "How was it made?"]


def test_threshold_rows_are_the_random_samples_not_the_clause_extras() -> None:
    from rag.tools.calibrate import sampled_rows

    # two sampled questions (asked twice each), one extra, one sampled hard negative, two extra
    assert sampled_rows(2, 1, 1, 2).tolist() == [True] * 4 + [False] * 2 + [True] + [False] * 2


def test_refusal_rates_are_reported_for_clause_and_factoid_questions_apart() -> None:
    from rag.tools.calibrate import rates_by_form

    conf = np.array([0.9, 0.1, 0.05, 0.3, 0.2, 0.01, 0.5])
    labels = np.array([1, 1, 0, 0, 1, 0, -1])               # -1: answered wrong, neither right nor negative
    clause = np.array([True, True, True, True, False, False, False])
    rates = rates_by_form(conf, labels, clause, threshold=0.15)
    assert rates["clause"] == {"right": 2, "negatives": 2, "false_refusal": 0.5, "refusal": 0.5}
    assert rates["factoid"] == {"right": 1, "negatives": 1, "false_refusal": 0.0, "refusal": 1.0}


def test_with_a_reranker_its_scores_are_features_and_a_reader_only_calibration_still_reads_its_own() -> None:
    windows = [_window(0, 0.6, rerank=0.9), _window(1, 0.4, rerank=0.1)]
    span = Span("a", "d", 0, 1, 0.9, 1, no_answer=0.001)
    values = features([span], windows)
    assert len(values) == len(FEATURES) + len(RERANK_FEATURES)
    assert values[6] == pytest.approx(np.log(9)) and values[7] == pytest.approx(-np.log(9))   # best, the span's window
    assert values[:6] == features([span], [_window(0, 0.6), _window(1, 0.4)])                  # the reader's part unchanged
    assert features([], windows)[6:] == [pytest.approx(np.log(9)), pytest.approx(np.log(1e-6 / (1 - 1e-6)))]
    reader_only = Calibration((1.0,) * len(FEATURES), -1.0, 0.5)
    assert confidence(values, reader_only) == confidence(values[:6], reader_only)
    assert calibration_key("trained", None) == calibration_key("trained", "none") == "trained"
    assert feature_names(calibration_key("trained", "trained")) == FEATURES + RERANK_FEATURES


def test_a_reranker_without_its_own_calibration_falls_back_to_the_readers(tmp_path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"trained": {"features": list(FEATURES), "weights": [0.1] * 5, "bias": -1.0,
                                            "threshold": 0.2}}))
    assert load_calibration("trained+reranker:trained", str(path)).threshold == 0.2
    data = json.loads(path.read_text())
    data["trained+reranker:trained"] = {"features": list(FEATURES + RERANK_FEATURES), "weights": [0.1] * 7,
                                        "bias": -1.0, "threshold": 0.3}
    path.write_text(json.dumps(data))
    load_calibration.cache_clear()
    assert load_calibration("trained+reranker:trained", str(path)).threshold == 0.3
    load_calibration.cache_clear()


def test_shipped_calibration_matches_the_features_and_the_shipped_reader() -> None:
    """A retrained reader or new features must come with a new `python -m rag calibrate`."""
    from rag.readers.trained import DEFAULT_MODEL_DIR, expected_sha256

    data = json.loads(CALIBRATION_FILE.read_text())
    for reader in READERS:
        entry = data[reader]
        assert entry["features"] == list(FEATURES), reader
        assert len(entry["weights"]) == len(FEATURES) and 0.0 < entry["threshold"] < 1.0
        assert load_calibration(reader).threshold == entry["threshold"]
    assert data["trained"]["reader_sha256"] == expected_sha256(DEFAULT_MODEL_DIR)
    for key, entry in data.items():   # entries fitted with a reranker in the path: the shipped reader and reranker
        if "+reranker:" in key:
            from rag.rerank import DEFAULT_MODEL_DIR as RERANKER_DIR

            assert entry["features"] == list(feature_names(key)) and len(entry["weights"]) == len(entry["features"])
            assert entry["reader_sha256"] == expected_sha256(DEFAULT_MODEL_DIR), key
            assert entry["reranker_sha256"] == expected_sha256(RERANKER_DIR), key


def test_news_threshold_refuses_a_calibration_file_that_is_not_there(tmp_path, capsys) -> None:
    """Without the file it would score with uncalibrated weights and report rates of nothing real."""
    from rag.tools.news_threshold import main

    assert main(["--out", str(tmp_path / "missing.json")]) == 2
    assert "missing.json not found" in capsys.readouterr().err


def test_a_missing_calibration_file_is_said_not_silent(tmp_path, caplog) -> None:
    from rag.confidence import _UNCALIBRATED, load_calibration

    with caplog.at_level("WARNING", logger="rag.confidence"):
        assert load_calibration("trained", str(tmp_path / "none.json")) == _UNCALIBRATED
    assert "none.json not found" in caplog.text


def test_squad_bench_holds_the_calibration_articles_in_the_benchmark_layout(tmp_path) -> None:
    import gzip

    from rag.tools.calibrate import held_out_titles
    from rag.tools.gold_eval import evaluate_gold
    from rag.tools.squad_bench import main

    titles = [f"Article_{i}" for i in range(6)]
    rows = [{"id": f"{t}-{j}", "title": t, "question": f"What is thing {j} of {t}?", "answer": f"value {j}",
             "context": f"{t.replace('_', ' ')} is an article. Thing {j} is value {j}."}
            for t in titles for j in range(3)]
    data = tmp_path / "train.jsonl.gz"
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    out = tmp_path / "bench"
    assert main(["--out", str(out), "--data", str(data), "--articles", "2", "--questions", "4"]) == 0
    corpus = [json.loads(x) for x in (out / "corpus.jsonl").read_text().splitlines()]
    questions = [json.loads(x) for x in (out / "questions.jsonl").read_text().splitlines()]
    kept = held_out_titles(titles, 2, 7)
    assert len(questions) == 4 and len(corpus) == 6                # every paragraph of the two articles
    assert {d["doc_id"].rsplit("-", 1)[0] for d in corpus} == kept
    assert all(q["doc_ids"][0] in {d["doc_id"] for d in corpus} and q["answers"] for q in questions)

    class Echo:                                                      # a reader answering each window's last words
        def read(self, question, windows):
            return [type("S", (), {"text": w.text.rsplit(" is ", 1)[-1].rstrip(".")}) for w in windows[-1:]]

    scores = evaluate_gold(Echo(), out, window=0)
    assert scores.questions == 4 and scores.f1 == 1.0              # each question read with its own paragraph


def test_squad_bench_adds_hard_negatives_the_calibration_was_not_fitted_on(tmp_path) -> None:
    import gzip

    from rag.tools.calibrate import clause_extras, sample, unanswerable_articles
    from rag.tools.squad_bench import unanswerable_rows

    paragraphs = [{"title": f"Topic_{t}", "context": f"Topic {t} paragraph {p}. It has facts.",
                   "unanswerable": [{"id": f"{t}{p}{k}", "question": f"What is fact {k} of topic {t} paragraph {p}?"}
                                    for k in range(5)]}
                  for t in range(9) for p in range(2)]
    path = tmp_path / "v2.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(p) + "\n" for p in paragraphs)
    docs, pool = unanswerable_articles(path, 0.34, 7)
    fitted = sample(pool, 10, 9)
    docs_out, rows = unanswerable_rows(path, 8, calibration_sample=10)
    assert docs_out == docs and len(rows) == 8
    assert all(r["answers"] == [] and r["doc_ids"] == [] for r in rows)
    assert not {r["question"] for r in rows} & {q["question"] for q in fitted + clause_extras(pool, fitted)}
    assert {r["question"] for r in rows} <= {q["question"] for q in pool}      # calibration articles only


def _probe_set(folder, rows) -> None:
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "01_story.txt").write_text("Headline\n\nJo Bright, 47, said so.\n")
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_news_threshold_pools_probe_sets_with_their_ids_kept_apart(tmp_path) -> None:
    from types import SimpleNamespace

    from rag.tools.evaluate import load_questions
    from rag.tools.news_threshold import collect, fold_of, probe_sets

    rows = [{"id": "q01", "question": "How old is Jo Bright?", "answers": ["47"], "evidence": []},
            {"id": "q02", "question": "Who is the mayor?", "answers": [], "evidence": []}]
    for name in ("set_a", "set_b"):
        _probe_set(tmp_path / name, rows)
    sets = probe_sets([tmp_path / "set_a", tmp_path / "set_b"])
    assert [name for name, _, _ in sets] == ["set_a", "set_b"]

    class Reads47:
        def run(self, question, history=()):
            answer = SimpleNamespace(text="47", abstained=False)
            return SimpleNamespace(answer=answer, spans=[], features=[0.5])

    pooled = [r for name, questions, _ in sets for r in collect(Reads47(), load_questions(questions), f"{name}/")]
    assert [r["item"] for r in pooled] == ["set_a/q01", "set_a/q02", "set_b/q01", "set_b/q02"]
    assert [r["right"] for r in pooled] == [True, False, True, False]
    assert fold_of("set_a/q01", 1000) != fold_of("set_b/q01", 1000)      # the same id in two sets: two items


def test_news_threshold_refuses_a_folder_that_is_not_a_probe_set(tmp_path, capsys) -> None:
    from rag.tools.news_threshold import main, probe_sets

    _probe_set(tmp_path / "ok", [])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="not a probe set"):
        probe_sets([tmp_path / "ok", tmp_path / "empty"])
    _probe_set(tmp_path / "other" / "ok", [])
    with pytest.raises(ValueError, match="share a folder name"):
        probe_sets([tmp_path / "ok", tmp_path / "other" / "ok"])
    assert main(["--sets", str(tmp_path / "empty")]) == 2               # before any model is loaded
    assert "not a probe set" in capsys.readouterr().err
