"""Joint reading for training (rag.tools.joint): groups, batches and the shared softmax, without a model."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rag.tools.joint import (Group, JointData, collate_groups, context_mask, distractor_windows, encode_groups,  # noqa: E402
                             joint_log_probs, joint_loss, make_groups, split_titles, unit_texts)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "reader"
CONTEXTS = ["The tower was finished in 1889. It is in Paris. Gustave Eiffel built it.",
            "The bridge opened in 1937. It spans the Golden Gate. Its colour is orange.",
            "The canal opened in 1914. It links two oceans. Ships pay a toll."]


def _spans(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + (1 if not part.endswith(".") else 0)
        out.append((start, min(end, len(text))))
        start = end + 1
    return out


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(MODEL_DIR), local_files_only=True)


def _data() -> JointData:
    spans = [_spans(c) for c in CONTEXTS]
    units, _ = unit_texts(CONTEXTS, spans)
    rows = [{"question": "When was the tower finished?", "answer": "1889", "answer_start": CONTEXTS[0].index("1889"),
             "ctx": 0}]
    mined = [[i for i, u in enumerate(units)]]               # every unit, in order, as "retrieved"
    return JointData(CONTEXTS, spans, units, rows, mined, [{"question": "Who painted it?", "ctx": 1}], [list(range(len(units)))])


def test_groups_hold_the_answer_once_and_distractors_without_it() -> None:
    groups = make_groups(_data(), windows=3, missed_fraction=0.0, unanswerable_repeats=1, rng=random.Random(1))
    answer = next(g for g in groups if g.kind == "answer")
    gold = answer.windows[answer.answer_window]
    assert gold[answer.answer_start:answer.answer_start + 4] == "1889"
    assert all("1889" not in w for i, w in enumerate(answer.windows) if i != answer.answer_window)
    none = next(g for g in groups if g.kind == "unanswerable")
    assert none.answer_window == -1 and len(none.windows) >= 1


def test_distractors_skip_the_gold_window_and_repeats() -> None:
    data = _data()
    out = distractor_windows(range(len(data.units)), data.units, data.contexts, data.spans, "1889", (0, 0, 3), 5)
    assert out and all("1889" not in w for w in out) and len(out) == len(set(out))


def test_the_softmax_runs_over_all_windows_of_a_group_plus_one_null(tokenizer) -> None:
    groups = [Group("When was the tower finished?", (CONTEXTS[1], CONTEXTS[0]), 1, CONTEXTS[0].index("1889"), "1889"),
              Group("Who painted it?", (CONTEXTS[2],), -1, kind="unanswerable")]
    enc = encode_groups(tokenizer, groups, 64)
    batch = collate_groups(enc, [0, 1], tokenizer.pad_token_id)
    assert batch["input_ids"].shape[0] == 3 and batch["owner"].tolist() == [0, 0, 1]
    assert batch["target_row"].tolist() == [1, -1]
    row, start = 1, int(batch["target_start"][0])
    assert tokenizer.decode(batch["input_ids"][row, start:int(batch["target_end"][0]) + 1]) == "1889"
    logits = torch.randn(batch["input_ids"].shape)
    ctx = context_mask(batch["token_type_ids"], batch["attention_mask"])
    token_lp, null_lp = joint_log_probs(logits, ctx, batch["owner"], 2)
    for g in range(2):
        rows = batch["owner"] == g
        total = torch.exp(token_lp[rows][ctx[rows]]).sum() + torch.exp(null_lp[g])
        assert float(total) == pytest.approx(1.0, abs=1e-5)


def test_the_loss_prefers_the_right_span_and_the_null_for_unanswerable(tokenizer) -> None:
    groups = [Group("When was the tower finished?", (CONTEXTS[1], CONTEXTS[0]), 1, CONTEXTS[0].index("1889"), "1889"),
              Group("Who painted it?", (CONTEXTS[2],), -1, kind="unanswerable")]
    enc = encode_groups(tokenizer, groups, 64)
    batch = collate_groups(enc, [0, 1], tokenizer.pad_token_id)
    flat = torch.zeros(batch["input_ids"].shape)
    right_s, right_e = flat.clone(), flat.clone()
    right_s[1, int(batch["target_start"][0])] = 10.0
    right_e[1, int(batch["target_end"][0])] = 10.0
    right_s[2, 0] = right_e[2, 0] = 10.0                        # [CLS] of the unanswerable group's window
    assert float(joint_loss(right_s, right_e, batch)) < float(joint_loss(flat, flat, batch)) - 1.0


def test_articles_split_into_disjoint_training_and_calibration_sets() -> None:
    train, calibration = split_titles([f"t{i}" for i in range(35)] * 2, 0.34, 7)
    assert not train & calibration and len(train) + len(calibration) == 35 and len(calibration) == 12
    assert split_titles([f"t{i}" for i in range(35)], 0.34, 7) == (train, calibration)


# ---------------------------------------------------------------------------- distillation

GROUPS = [Group("When was the tower finished?", (CONTEXTS[1], CONTEXTS[0]), 1, CONTEXTS[0].index("1889"), "1889"),
          Group("Who painted it?", (CONTEXTS[2],), -1, kind="unanswerable")]


def test_segments_are_derived_where_a_tokenizer_gives_none(tokenizer) -> None:
    from rag.tools.batching import segment_ids

    with_types = tokenizer(["When was it?"], [CONTEXTS[0]])
    without = tokenizer(["When was it?"], [CONTEXTS[0]], return_token_type_ids=False)   # as MPNet's
    assert "token_type_ids" not in without
    assert segment_ids(without, 0) == with_types["token_type_ids"][0] == segment_ids(with_types, 0)


def test_segment_ids_reach_only_models_that_take_them() -> None:
    from rag.tools.batching import model_inputs

    class Bert:
        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None): ...

    class MPNet:
        def forward(self, input_ids=None, attention_mask=None, position_ids=None): ...

    batch = {"input_ids": 1, "attention_mask": 2, "token_type_ids": 3, "owner": 4}
    assert model_inputs(Bert(), batch) == {"input_ids": 1, "attention_mask": 2, "token_type_ids": 3}
    assert model_inputs(MPNet(), batch) == {"input_ids": 1, "attention_mask": 2}


def _pair(tokenizer, teacher_groups):
    from rag.tools.joint import align_tokens

    student = encode_groups(tokenizer, GROUPS, 64, keep_keys=True)
    teacher = encode_groups(tokenizer, teacher_groups, 64, keep_keys=True)
    return student, teacher, align_tokens(student, teacher)


def test_alignment_finds_each_window_token_where_the_teacher_has_it(tokenizer) -> None:
    # the teacher's question is longer, so its window tokens sit further right
    longer = [Group("In which year was the tower finished, please?", g.windows, g.answer_window, g.answer_start,
                    g.answer_text, g.kind) if g.question.startswith("When") else g for g in GROUPS]
    student, teacher, align = _pair(tokenizer, longer)
    shift = len(teacher.input_ids[0]) - len(student.input_ids[0])
    assert shift > 0
    for r, row in enumerate(align):
        window = [t for t, sid in enumerate(student.token_type_ids[r]) if sid == 1][:-1]   # not the closing [SEP]
        assert all(row[t] >= 0 and teacher.input_ids[r][row[t]] == student.input_ids[r][t] for t in window)
        assert all(row[t] == -1 for t in range(len(row)) if t not in window)     # question, specials
    assert all(row[t] == t + shift for row in align[:2] for t in range(len(row)) if row[t] >= 0)


def _distill_batches(tokenizer):
    """The first two groups as a student batch, a teacher batch and the alignment between them."""
    from rag.tools.joint import collate_alignment

    student, teacher, align = _pair(tokenizer, GROUPS)
    batch = collate_groups(student, [0, 1], tokenizer.pad_token_id)
    t_batch = collate_groups(teacher, [0, 1], tokenizer.pad_token_id)
    a = collate_alignment(align, [0, 1, 2], batch["input_ids"].shape[1])
    return batch, t_batch, a


def test_distillation_is_zero_when_the_student_reads_as_the_teacher_does(tokenizer) -> None:
    from rag.tools.joint import distill_loss

    batch, t_batch, a = _distill_batches(tokenizer)
    torch.manual_seed(0)
    t_logits = (torch.randn(t_batch["input_ids"].shape) * 3, torch.randn(t_batch["input_ids"].shape) * 3)
    same = distill_loss(t_logits, batch, t_logits, t_batch, a, 2.0)
    other = distill_loss((torch.randn(batch["input_ids"].shape), torch.randn(batch["input_ids"].shape)),
                         batch, t_logits, t_batch, a, 2.0)
    assert float(same) == pytest.approx(0.0, abs=1e-4) and float(other) > 0.1
    # a step down its gradient moves a student towards the teacher
    s_logits = [torch.zeros(batch["input_ids"].shape, requires_grad=True) for _ in range(2)]
    before = distill_loss(tuple(s_logits), batch, t_logits, t_batch, a, 2.0)
    before.backward()
    with torch.no_grad():
        stepped = tuple(s - 1.0 * s.grad for s in s_logits)
    assert float(distill_loss(stepped, batch, t_logits, t_batch, a, 2.0)) < float(before.detach())


def test_distillation_weighted_by_group_leaves_out_the_groups_weighted_zero(tokenizer) -> None:
    """``--distill-on squad``: a news group (weight 0) adds nothing to the teacher's part of the loss."""
    from rag.tools.joint import distill_loss

    batch, t_batch, a = _distill_batches(tokenizer)
    torch.manual_seed(1)
    t_logits = (torch.randn(t_batch["input_ids"].shape) * 3, torch.randn(t_batch["input_ids"].shape) * 3)
    s_logits = (torch.randn(batch["input_ids"].shape), torch.randn(batch["input_ids"].shape))
    whole = distill_loss(s_logits, batch, t_logits, t_batch, a, 2.0)
    both = distill_loss(s_logits, batch, t_logits, t_batch, a, 2.0, torch.tensor([1.0, 1.0]))
    first = distill_loss(s_logits, batch, t_logits, t_batch, a, 2.0, torch.tensor([1.0, 0.0]))
    second = distill_loss(s_logits, batch, t_logits, t_batch, a, 2.0, torch.tensor([0.0, 1.0]))
    assert float(both) == pytest.approx(float(whole))
    assert float(first) + float(second) == pytest.approx(2 * float(whole), rel=1e-5)
    assert float(first) != pytest.approx(float(second))
    assert float(distill_loss(s_logits, batch, t_logits, t_batch, a, 2.0, torch.tensor([0.0, 0.0]))) == 0.0


def test_each_group_keeps_where_its_question_came_from(tokenizer) -> None:
    from rag.tools.joint import make_groups

    context = "The tower was finished in 1889. It stands in Paris. The river is long."
    spans = [[(0, 31), (32, 51), (52, 70)]]
    units = [(0, 0), (0, 1), (0, 2)]
    data = JointData([context], spans, units,
                     [{"question": "When was the tower finished?", "answer": "1889", "answer_start": context.index("1889"), "ctx": 0},
                      {"question": "Where does it stand?", "answer": "Paris", "answer_start": context.index("Paris"), "ctx": 0,
                       "source": "news"}],
                     [[1, 2], [0, 2]], [{"question": "How long is the river?", "ctx": 0, "source": "news"}], [[2]])
    groups = make_groups(data, 2, 0.0, 1, random.Random(0))
    assert {g.question: g.source for g in groups} == {"When was the tower finished?": "squad",
                                                      "Where does it stand?": "news", "How long is the river?": "news"}
    enc = encode_groups(tokenizer, groups, 64)
    assert enc.source == [g.source for g in groups]


def test_news_unanswerable_questions_are_not_repeated_twice() -> None:
    """``--unanswerable-repeats`` repeats the SQuAD 2.0 questions only; a news question is repeated by
    ``--news-repeats`` alone (in ``joint_data``), so the news data keeps its share of unanswerable ones."""
    from rag.tools.joint import make_groups

    context = "The tower was finished in 1889. It stands in Paris. The river is long."
    data = JointData([context], [[(0, 31), (32, 51), (52, 70)]], [(0, 0), (0, 1), (0, 2)], [], [],
                     [{"question": "Who built the tower?", "ctx": 0},
                      {"question": "How long is the river?", "ctx": 0, "source": "news"}], [[2], [2]])
    for repeats, squad, news in ((2, 2, 1), (1, 1, 1), (0, 0, 1)):
        groups = make_groups(data, 2, 0.0, repeats, random.Random(0))
        asked = [g.question for g in groups]
        assert (asked.count("Who built the tower?"), asked.count("How long is the river?")) == (squad, news)
