"""Joint reading for training (Clark & Gardner 2018, "Simple and Effective Multi-Paragraph Reading
Comprehension"): each question comes with several windows, the gold one and distractors that our
own retriever ranks high, and one softmax runs over the tokens of all of them plus a single
no-answer option, so the reader's span scores compare across windows as they must at run time.

Negatives: SQuAD questions whose gold window is replaced by another retrieved one (the retriever
missed), and SQuAD 2.0's adversarial unanswerable questions with windows of their own paragraph
(``../shared/training/squad_v2_dev_unanswerable``, split by article into training and calibration).
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import numpy as np
    import torch

NEG = -1e4   # masked logit: far below any real one, finite so that bf16/fp32 sums stay finite


@dataclass(frozen=True)
class Group:
    """One question with its windows; ``answer_window == -1`` means none of them answers it."""

    question: str
    windows: tuple[str, ...]
    answer_window: int
    answer_start: int = -1      # character offset inside windows[answer_window]
    answer_text: str = ""
    kind: str = "answer"        # "answer", "missed" (gold window replaced) or "unanswerable"
    source: str = "squad"       # "squad" (SQuAD and SQuAD 2.0, Wikipedia) or "news" (rag.tools.news_data)


@dataclass
class EncodedGroups:
    """Tokenised windows (flat, group after group) and, per group, its slice and the target tokens."""

    input_ids: list[list[int]] = field(default_factory=list)
    token_type_ids: list[list[int]] = field(default_factory=list)
    first: list[int] = field(default_factory=list)       # index of the group's first window
    count: list[int] = field(default_factory=list)       # windows in the group
    target: list[tuple[int, int, int]] = field(default_factory=list)   # (window, start tok, end tok); window -1 = null
    source: list[str] = field(default_factory=list)      # per group: where its question came from (Group.source)
    teacher: "EncodedGroups | None" = None          # the same groups in a distillation teacher's tokens
    align: list["np.ndarray"] = field(default_factory=list)   # per row: teacher token of each token (-1: none)
    keys: list["np.ndarray"] = field(default_factory=list)   # per row, if asked: each token's characters in the
                                                             # window as start * 2^20 + end, -1 outside it

    def lengths(self) -> list[int]:
        """Tokens of each group, all windows together (for length-bucketed batches)."""
        return [sum(len(self.input_ids[self.first[g] + i]) for i in range(self.count[g])) for g in range(len(self.first))]


# --------------------------------------------------------------------------------- windows

def window_span(sents: Sequence[tuple[int, int]], center: int, radius: int = 1) -> tuple[int, int]:
    """Sentence index range [lo, hi) of the window of ``radius`` sentences around ``center``, as the app builds it."""
    return max(0, center - radius), min(len(sents), center + radius + 1)


def gold_window(sents: Sequence[tuple[int, int]], first: int, last: int, rng: random.Random,
                radius: int = 1) -> tuple[int, int]:
    """A run-time-shaped window holding the answer's sentences [first, last]: the retrieved
    sentence is the answer's or a neighbour of it, so the answer sits anywhere in the window."""
    center = min(max(first + rng.choice((-1, 0, 0, 1)), 0), len(sents) - 1)
    lo, hi = window_span(sents, center, radius)
    return min(lo, first), max(hi, last + 1)


def mine_distractors(questions: Sequence[str], unit_texts: Sequence[str], k: int = 12,
                     threads: int = 2) -> list[list[int]]:
    """For each question, the top-``k`` rows of ``unit_texts`` by the BM25 side of our retriever
    (``rag.retrieval``: bm25s, English stop words, Snowball stems), best first."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    model = bm25s.BM25()
    model.index(bm25s.tokenize(list(unit_texts), stopwords="en", stemmer=stemmer, show_progress=False),
                show_progress=False)
    out: list[list[int]] = []
    step = 4096
    for b in range(0, len(questions), step):
        tokens = bm25s.tokenize(list(questions[b:b + step]), stopwords="en", stemmer=stemmer, show_progress=False)
        rows, _ = model.retrieve(tokens, k=min(k, len(unit_texts)), show_progress=False, n_threads=threads)
        out.extend([[int(r) for r in row] for row in rows])
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def distractor_windows(candidates: Iterable[int], units: Sequence[tuple[int, int]], contexts: Sequence[str],
                       spans: Sequence[Sequence[tuple[int, int]]], answer: str, avoid: tuple[int, int, int] | None,
                       want: int) -> list[str]:
    """Windows around the candidate sentences (``units[row] = (context, sentence)``), skipping any
    that overlap the gold window ``avoid = (context, lo, hi)``, repeat one already taken, or contain
    the answer text (it would be a correct answer labelled wrong)."""
    taken: list[tuple[int, int, int]] = []
    out: list[str] = []
    norm_answer = _norm(answer) if answer else ""
    for row in candidates:
        c, s = units[row]
        lo, hi = window_span(spans[c], s)
        if avoid is not None and c == avoid[0] and lo < avoid[2] and avoid[1] < hi:
            continue
        if any(c == t[0] and lo < t[2] and t[1] < hi for t in taken):
            continue
        text = contexts[c][spans[c][lo][0]:spans[c][hi - 1][1]]
        if norm_answer and f" {norm_answer} " in f" {_norm(text)} ":
            continue
        taken.append((c, lo, hi))
        out.append(text)
        if len(out) >= want:
            break
    return out


def load_unanswerable(path: Path) -> list[dict]:
    """SQuAD 2.0 dev unanswerable paragraphs: {"title", "context", "unanswerable": [{"id", "question"}]}."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split_titles(titles: Iterable[str], calibration_share: float, seed: int) -> tuple[set[str], set[str]]:
    """Articles for training and for calibration, disjoint (split by title, as SOURCE.md asks)."""
    ordered = sorted(set(titles))
    random.Random(seed).shuffle(ordered)
    n_cal = max(1, round(len(ordered) * calibration_share))
    return set(ordered[n_cal:]), set(ordered[:n_cal])


# ---------------------------------------------------------------------------------- encode

def _span_keys(sequence_ids: Sequence[int | None], offsets: Sequence[Sequence[int]]) -> "np.ndarray":
    import numpy as np

    keys = np.array([o[0] * (1 << 20) + o[1] for o in offsets], dtype=np.int64)
    keys[np.array([sid != 1 for sid in sequence_ids], dtype=bool)] = -1
    return keys


def encode_groups(tokenizer, groups: Sequence[Group], max_length: int, keep_keys: bool = False) -> EncodedGroups:
    """Tokenise every window of every group (question first, window truncated) and map the answer
    to token positions in its window; an answer cut off by truncation makes the group a null one.
    ``keep_keys`` also keeps where each token lies in its window (for ``align_tokens``)."""
    from rag.tools.batching import answer_tokens, segment_ids

    out = EncodedGroups()
    flat = [(g, i, w) for g, group in enumerate(groups) for i, w in enumerate(group.windows)]
    targets: dict[int, tuple[int, int, int]] = {g: (-1, 0, 0) for g in range(len(groups))}
    for b in range(0, len(flat), 2000):
        chunk = flat[b:b + 2000]
        enc = tokenizer([groups[g].question for g, _, _ in chunk], [w for _, _, w in chunk],
                        truncation="only_second", max_length=max_length, return_offsets_mapping=True)
        for j, (g, i, _) in enumerate(chunk):
            group = groups[g]
            if i == 0:
                out.first.append(len(out.input_ids))
                out.count.append(len(group.windows))
                out.source.append(group.source)
            out.input_ids.append(enc["input_ids"][j])
            out.token_type_ids.append(segment_ids(enc, j))
            if keep_keys:
                out.keys.append(_span_keys(enc.sequence_ids(j), enc["offset_mapping"][j]))
            if group.answer_window == i:
                found = answer_tokens(enc.sequence_ids(j), enc["offset_mapping"][j], group.answer_start,
                                      group.answer_start + len(group.answer_text))
                if found is not None:
                    targets[g] = (i, *found)
    out.target = [targets[g] for g in range(len(groups))]
    return out


def collate_groups(enc: EncodedGroups, group_ids: Sequence[int], pad_id: int) -> dict[str, "torch.Tensor"]:
    """The windows of some groups as one padded batch, with each window's group and the targets."""
    import torch

    from rag.tools.batching import pad_batch

    rows = [enc.first[g] + i for g in group_ids for i in range(enc.count[g])]
    batch = pad_batch([enc.input_ids[r] for r in rows], [enc.token_type_ids[r] for r in rows], pad_id)
    owner = torch.tensor([n for n, g in enumerate(group_ids) for _ in range(enc.count[g])])
    first_row, target_row, target_start, target_end = [], [], [], []
    offset = 0
    for g in group_ids:
        w, s, e = enc.target[g]
        first_row.append(offset)
        target_row.append(offset + w if w >= 0 else -1)
        target_start.append(s)
        target_end.append(e)
        offset += enc.count[g]
    return {**batch, "owner": owner,
            "target_row": torch.tensor(target_row), "target_start": torch.tensor(target_start),
            "target_end": torch.tensor(target_end)}


# ------------------------------------------------------------------------------------ loss

def context_mask(token_type_ids: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
    """True on the window's tokens (segment 1, not padding, not the final [SEP])."""
    import torch

    ctx = (token_type_ids == 1) & (attention_mask == 1)
    last = attention_mask.sum(dim=1) - 1                  # the closing [SEP] is in segment 1 too
    ctx[torch.arange(ctx.shape[0]), last] = False
    return ctx


def joint_log_probs(logits: "torch.Tensor", ctx: "torch.Tensor", owner: "torch.Tensor",
                    groups: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Log-probabilities of every token (rows x width) and of the group's null answer (groups),
    normalised jointly over all window tokens of a group plus one null option.

    The null logit is the log-mean-exp of the windows' [CLS] logits: each window says how
    little it sees an answer, and the mean does not grow with the number of windows."""
    import torch

    masked = logits.masked_fill(~ctx, NEG)
    counts = torch.bincount(owner, minlength=groups).clamp(min=1).to(logits.dtype)
    null = group_logsumexp(logits[:, :1], owner, groups) - counts.log()
    return normalise(masked, null, owner, groups)


def group_logsumexp(values: "torch.Tensor", owner: "torch.Tensor", groups: int) -> "torch.Tensor":
    """logsumexp of all entries of each group's rows (rows x width -> groups). Groups are few; a
    loop is clear and cheap."""
    import torch

    return torch.stack([torch.logsumexp(values[owner == g].reshape(-1), dim=0) for g in range(groups)])


def normalise(token_logits: "torch.Tensor", null: "torch.Tensor", owner: "torch.Tensor",
              groups: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Token and null log-probabilities, normalised per group over its tokens (masked ones at NEG)
    plus the null option."""
    import torch

    total = torch.logaddexp(group_logsumexp(token_logits, owner, groups), null)
    return token_logits - total[owner][:, None], null - total


def joint_loss(start_logits: "torch.Tensor", end_logits: "torch.Tensor", batch: dict[str, "torch.Tensor"]) -> "torch.Tensor":
    """Mean over groups of -(log p_start + log p_end)/2 of the target (a span, or the null answer)."""
    import torch

    groups = len(batch["target_row"])
    ctx = context_mask(batch["token_type_ids"], batch["attention_mask"])
    losses = []
    for logits, key in ((start_logits, "target_start"), (end_logits, "target_end")):
        token_lp, null_lp = joint_log_probs(logits.float(), ctx, batch["owner"], groups)
        row, pos = batch["target_row"], batch[key]
        has = row >= 0
        picked = torch.where(has, token_lp[row.clamp(min=0), pos], null_lp)
        losses.append(-picked)
    return ((losses[0] + losses[1]) / 2).mean()


# ---------------------------------------------------------------------------- distillation

def align_tokens(student: EncodedGroups, teacher: EncodedGroups) -> list["np.ndarray"]:
    """Per window row, for each student token the teacher token that covers the same characters of
    the window (-1: none, or not a window token). Two tokenizers of one word-piece vocabulary
    (BERT's, MPNet's) cut a window alike and differ only in special tokens, so nearly every window
    token finds its twin; the rest get no teacher mass."""
    import numpy as np

    rows = []
    for s_keys, t_keys in zip(student.keys, teacher.keys):
        order = np.argsort(t_keys, kind="stable")
        pos = np.searchsorted(t_keys[order], s_keys).clip(max=len(t_keys) - 1)
        match = (t_keys[order][pos] == s_keys) & (s_keys >= 0)
        rows.append(np.where(match, order[pos], -1).astype(np.int16))
    return rows


def collate_alignment(align: Sequence[Sequence[int]], rows: Sequence[int], width: int) -> "torch.Tensor":
    """The alignment of some rows, padded with -1 to the student batch's ``width``."""
    import torch

    out = torch.full((len(rows), width), -1, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(align[r])] = torch.as_tensor(align[r], dtype=torch.long)
    return out


def distill_loss(student_logits: tuple["torch.Tensor", "torch.Tensor"], batch: dict[str, "torch.Tensor"],
                 teacher_logits: tuple["torch.Tensor", "torch.Tensor"], teacher_batch: dict[str, "torch.Tensor"],
                 align: "torch.Tensor", temperature: float, weights: "torch.Tensor | None" = None) -> "torch.Tensor":
    """KL divergence of the student's joint start/end distributions from the teacher's, both at
    ``temperature`` (Hinton et al. 2015; scaled by T^2 so its gradients match the hard loss's),
    averaged over groups, or weighted by ``weights`` per group (0 = not distilled; all 0 gives 0).

    The teacher's distribution over its own tokens is carried onto the student's tokens by
    ``align`` (rows x student width), renormalised over the tokens both have plus the null."""
    import torch

    groups = len(batch["target_row"])
    s_ctx = context_mask(batch["token_type_ids"], batch["attention_mask"])
    t_ctx = context_mask(teacher_batch["token_type_ids"], teacher_batch["attention_mask"])
    owner = batch["owner"]
    shared = s_ctx & (align >= 0)
    losses = []
    for s_logits, t_logits in zip(student_logits, teacher_logits):
        t_lp, t_null = joint_log_probs(t_logits.float() / temperature, t_ctx, owner, groups)
        carried = t_lp.gather(1, align.clamp(min=0)).masked_fill(~shared, NEG)
        c_lp, c_null = normalise(carried, t_null, owner, groups)
        p_tokens = torch.exp(c_lp).masked_fill(~shared, 0.0)
        s_lp, s_null = joint_log_probs(s_logits.float() / temperature, s_ctx, owner, groups)
        # KL(teacher || student) = sum p (log p - log q): cross-entropy less the teacher's entropy, so
        # that the logged figure is 0 when the student matches (the gradients are the same)
        t_log = c_lp.masked_fill(~shared, 0.0)
        per_row = (p_tokens * (t_log - s_lp.masked_fill(~shared, 0.0))).sum(dim=1)
        per_group = (torch.zeros(groups, dtype=per_row.dtype).index_add(0, owner, per_row)
                     + torch.exp(c_null) * (c_null - s_null))
        losses.append(per_group)
    per_group = (losses[0] + losses[1]) / 2
    if weights is not None:
        weights = weights.to(per_group.dtype)
        return (per_group * weights).sum() / weights.sum().clamp(min=1.0) * temperature ** 2
    return per_group.mean() * temperature ** 2


# ---------------------------------------------------------------------------------- groups

@dataclass(frozen=True)
class JointData:
    """Everything groups are drawn from: contexts, their sentences, the retrieval units
    (context, sentence) and, per question, the units our retriever ranks first."""

    contexts: list[str]
    spans: list[list[tuple[int, int]]]
    units: list[tuple[int, int]]
    answerable: list[dict]              # {"question", "answer", "answer_start", "ctx"}
    mined: list[list[int]]              # per answerable question
    unanswerable: list[dict]            # {"question", "ctx"[, "source": "news"]}: SQuAD 2.0 questions of the
                                        # training articles, then news ones (rag.tools.news_data)
    mined_unanswerable: list[list[int]]


def unit_texts(contexts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[list[tuple[int, int]], list[str]]:
    """Retrieval units as ``rag.retrieval.bm25_texts`` builds them: each sentence with the one before it."""
    units, texts = [], []
    for c, sents in enumerate(spans):
        for s, (a, b) in enumerate(sents):
            units.append((c, s))
            start = sents[s - 1][0] if s else a
            texts.append(contexts[c][start:b])
    return units, texts


def _sentence_of(sents: Sequence[tuple[int, int]], char: int) -> int:
    for i, (_, end) in enumerate(sents):
        if char < end:
            return i
    return len(sents) - 1


def make_groups(data: JointData, windows: int, missed_fraction: float, unanswerable_repeats: int,
                rng: random.Random) -> list[Group]:
    """One epoch of groups: every answerable question (a share of them with the gold window
    swapped for another retrieved one) and every SQuAD 2.0 unanswerable one ``unanswerable_repeats``
    times. A news question (``source == "news"``) comes once, answerable or not: ``joint_data`` has
    already repeated it ``--news-repeats`` times, and repeating its unanswerable ones again would
    undo ``news_data``'s balance of answerable and unanswerable questions (sessions 46-49 trained news
    unanswerable questions twice as often as the answerable ones)."""
    groups: list[Group] = []
    for row, mined in zip(data.answerable, data.mined):
        c, sents = row["ctx"], data.spans[row["ctx"]]
        if not sents:
            continue
        a_start, answer = row["answer_start"], row["answer"]
        first, last = _sentence_of(sents, a_start), _sentence_of(sents, a_start + len(answer) - 1)
        lo, hi = gold_window(sents, first, last, rng)
        candidates = [r for r in mined if rng.random() > 0.25]
        missed = rng.random() < missed_fraction
        others = distractor_windows(candidates, data.units, data.contexts, data.spans, answer, (c, lo, hi),
                                    windows if missed else windows - 1)
        if missed:
            if others:
                groups.append(Group(row["question"], tuple(others), -1, kind="missed", source=row.get("source", "squad")))
            continue
        s, e = sents[lo][0], sents[hi - 1][1]
        s, e = min(s, a_start), max(e, a_start + len(answer))
        gold = data.contexts[c][s:e]
        position = rng.randint(0, len(others))
        wins = others[:position] + [gold] + others[position:]
        groups.append(Group(row["question"], tuple(wins), position, a_start - s, answer, source=row.get("source", "squad")))
    for n in range(max(unanswerable_repeats, 1)):
        for row, mined in zip(data.unanswerable, data.mined_unanswerable):
            if n >= (1 if row.get("source") == "news" else unanswerable_repeats):
                continue
            own = [r for r in mined if data.units[r][0] == row["ctx"]]
            sents = data.spans[row["ctx"]]
            if not sents:
                continue
            center = data.units[own[0]][1] if own and rng.random() < 0.7 else rng.randrange(len(sents))
            lo, hi = window_span(sents, center)
            first_window = data.contexts[row["ctx"]][sents[lo][0]:sents[hi - 1][1]]
            others = distractor_windows([r for r in mined if rng.random() > 0.25], data.units, data.contexts,
                                        data.spans, "", (row["ctx"], lo, hi), windows - 1)
            groups.append(Group(row["question"], tuple([first_window, *others]), -1, kind="unanswerable",
                                source=row.get("source", "squad")))
    rng.shuffle(groups)
    return groups
