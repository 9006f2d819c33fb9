"""Our SQuAD-trained extractive reader (``python -m rag.tools.train_reader``), behind the Reader protocol.

All windows of a question go through the model in one batched forward pass. Each window gives
its best span (at most ``max_answer_tokens`` word pieces) in document offsets, verbatim.

Scores: start and end logits are soft-maxed separately over the window's tokens plus [CLS];
``Span.score = p_start * p_end`` of the span and ``Span.no_answer = p_start[CLS] * p_end[CLS]``,
the model's own "this window holds no answer" probability (trained SQuAD 2.0 style). Both are
in [0, 1] and comparable across windows of one question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from rag.errors import ModelError, QuestionError
from rag.types import Span, Window
from rag.util import sha256_file

if TYPE_CHECKING:
    import torch

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent.parent / "models" / "reader"
WEIGHTS = "model.safetensors"


@dataclass(frozen=True)
class _Loaded:
    model: Any        # transformers BertForQuestionAnswering (or its int8 dynamic-quantised copy)
    tokenizer: Any    # the BERT uncased fast tokenizer saved with it


def expected_sha256(folder: Path) -> str:
    """The sha256 of model.safetensors that ``SHA256SUMS`` in ``folder`` promises."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        raise ModelError(f"reader model folder {folder} has no SHA256SUMS; re-export it with rag.tools.train_reader")
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == WEIGHTS:
            return parts[0].lower()
    raise ModelError(f"{sums} has no entry for {WEIGHTS}")


def verify_weights(folder: Path) -> None:
    """Fail loudly, naming file and both hashes, when the weights are not the ones shipped."""
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise ModelError(f"reader weights {weights} are missing; train them with `python -m rag.tools.train_reader`")
    expected, actual = expected_sha256(folder), sha256_file(weights)
    if actual != expected:
        raise ModelError(f"{weights}: sha256 {actual} does not match the expected {expected}; "
                         "the file is corrupt or was replaced")


@lru_cache(maxsize=4)
def _load(folder: str, quantize: bool) -> _Loaded:
    """Verify and load the model once per (folder, quantize); ~1 s, so it is cached."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    path = Path(folder)
    verify_weights(path)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    # stored as float16 to halve the download; CPUs compute faster in float32
    model = AutoModelForQuestionAnswering.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    model.eval()
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return _Loaded(model, tokenizer)


class TrainedReader:
    """Reader on our fine-tuned MiniLM span model (see models/reader/MODEL_CARD.md).

    Args:
        model_dir: folder written by ``rag.tools.train_reader``; default ``models/reader`` of the project.
        threads: torch CPU threads for inference.
        quantize: int8 dynamic quantisation of the Linear layers (smaller, see MODEL_CARD for its cost).
        max_answer_tokens: longest span, in word pieces.
        max_length: question + window tokens per window; longer windows are truncated.
        n_best: spans returned per window (non-overlapping, best first): the answer-type stage
            rescores among them.
        normalization: "window" (one softmax per window) or "joint" (one softmax over all windows of
            the question plus a shared no-answer option); default: as the model was trained
            (``reader.json`` beside the weights), else "window".

    Raises:
        ModelError: the folder or its weights are missing, or the weights fail their sha256.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None = None, threads: int = 2, quantize: bool = False,
                 max_answer_tokens: int = 30, max_length: int = 256, n_best: int = 1,
                 normalization: str | None = None) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        if not folder.is_dir():
            raise ModelError(f"reader model folder {folder} does not exist; "
                             "train it with `python -m rag.tools.train_reader` or use the baseline reader")
        if threads <= 0 or max_answer_tokens <= 0 or max_length < 32 or n_best <= 0:
            raise ValueError(f"bad reader settings: threads={threads}, max_answer_tokens={max_answer_tokens}, "
                             f"max_length={max_length}, n_best={n_best}")
        self.folder = folder.resolve()
        self.threads = threads
        self.quantize = quantize
        self.max_answer_tokens = max_answer_tokens
        self.max_length = max_length
        self.n_best = n_best
        self.normalization = normalization or trained_normalization(self.folder)
        if self.normalization not in ("window", "joint"):
            raise ValueError(f"normalization must be 'window' or 'joint', got {self.normalization!r}")
        self._loaded = _load(str(self.folder), quantize)

    def read(self, question: str, windows: Sequence[Window]) -> list[Span]:
        """The ``n_best`` best spans of every non-empty window, best first (one forward pass for all)."""
        import torch

        if not question or not question.strip():
            raise QuestionError("the question is empty")
        windows = [w for w in windows if w.text.strip()]
        if not windows:
            return []
        torch.set_num_threads(self.threads)
        tok = self._loaded.tokenizer
        enc = tok([question] * len(windows), [w.text for w in windows], truncation="only_second",
                  max_length=self.max_length, padding=True, return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping")
        context = torch.tensor([[sid == 1 for sid in enc.sequence_ids(i)] for i in range(len(windows))])
        with torch.inference_mode():
            out = self._loaded.model(**enc)
        log_ps, log_pe, null = self._log_probs(out.start_logits.float(), out.end_logits.float(), context)
        spans = []
        for i, w in enumerate(windows):
            spans.extend(self._best_spans(w, log_ps[i], log_pe[i], float(null[i]), context[i], offsets[i]))
        return sorted(spans, key=lambda s: -s.score)

    def _log_probs(self, start: "torch.Tensor", end: "torch.Tensor", context: "torch.Tensor"):
        """Log-probabilities of every start and end token, and the no-answer log-probability
        (per window, or the question's shared one when normalising jointly)."""
        import torch

        allowed = context.clone()
        allowed[:, 0] = True                                   # [CLS] = the null answer
        neg = torch.finfo(start.dtype).min
        if self.normalization == "window":
            log_ps = torch.log_softmax(start.masked_fill(~allowed, neg), dim=1)
            log_pe = torch.log_softmax(end.masked_fill(~allowed, neg), dim=1)
            return log_ps, log_pe, log_ps[:, 0] + log_pe[:, 0]
        # joint, as trained (rag.tools.joint): one softmax over every window's tokens plus one null
        # option whose logit is the log-mean-exp of the windows' [CLS] logits
        n = torch.tensor(float(len(start))).log()
        result = []
        for logits in (start, end):
            tokens = logits.masked_fill(~context, neg)
            null = torch.logsumexp(logits[:, 0], dim=0) - n
            total = torch.logaddexp(torch.logsumexp(tokens.reshape(-1), dim=0), null)
            lp = tokens - total
            lp[:, 0] = null - total
            result.append(lp)
        return result[0], result[1], result[0][:, 0] + result[1][:, 0]

    def _best_spans(self, window: Window, log_ps: "torch.Tensor", log_pe: "torch.Tensor", null: float,
                    context: "torch.Tensor", offsets: "torch.Tensor") -> list[Span]:
        """The ``n_best`` non-overlapping spans of one window by p_start*p_end, at most
        max_answer_tokens long, each cleaned to lie inside one sentence."""
        import torch

        neg = torch.finfo(log_ps.dtype).min
        n = len(context)
        pair = log_ps[:, None] + log_pe[None, :]
        i = torch.arange(n)
        valid = (context[:, None] & context[None, :] & (i[None, :] >= i[:, None])
                 & (i[None, :] - i[:, None] < self.max_answer_tokens))
        if not bool(valid.any()):
            return []
        scores = pair.masked_fill(~valid, neg).reshape(-1)
        order = torch.topk(scores, k=min(int(valid.sum()), 20 * self.n_best)).indices.tolist()
        no_answer = float(torch.exp(torch.tensor(null)))
        chosen: list[Span] = []
        taken: list[tuple[int, int]] = []
        for flat in order:
            s, e = divmod(flat, n)
            if any(s <= b and a <= e for a, b in taken):
                continue
            taken.append((s, e))
            c_start, c_end = clean_span(window, int(offsets[s][0]), int(offsets[e][1]))
            if c_end <= c_start:
                continue
            chosen.append(Span(text=window.text[c_start:c_end], doc_id=window.doc_id, start=window.start + c_start,
                               end=window.start + c_end, score=float(torch.exp(pair[s, e])),
                               window_rank=window.rank, no_answer=no_answer))
            if len(chosen) >= self.n_best:
                break
        return chosen


_QUOTES = "\"'“”‘’«»„"
_TRAILING = ",;:.!?-–—" + _QUOTES
_LEADING = ",;:.!?-–—)]" + _QUOTES


def clean_span(window: Window, start: int, end: int) -> tuple[int, int]:
    """A span (offsets into ``window.text``) cut to the sentence it starts in, without
    surrounding whitespace, line breaks, quote marks or dangling punctuation; brackets stay only
    when both ends of the pair are inside. Returns (start, end); end <= start means nothing is left."""
    text = window.text
    best = None
    for sentence in window.sentences:
        a, b = sentence.start - window.start, sentence.end - window.start
        if a <= start < b or (best is None and start < a < end):
            best = (a, b)
            break
    if best is not None:
        start, end = max(start, best[0]), min(end, best[1])
    span = text[start:end]
    # a line break inside a span means it runs into another paragraph: keep the part with the most text
    if "\n" in span.strip():
        parts, pos = [], start
        for piece in span.split("\n"):
            parts.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        start, end = max(parts, key=lambda p: len(text[p[0]:p[1]].strip()))
    while start < end and (text[start].isspace() or text[start] in _LEADING):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        if text[end - 1] == "." and _abbreviation(text[start:end]):
            break
        end -= 1
    for opening, closing in (("(", ")"), ("[", "]")):
        inner = text[start:end]
        if inner.startswith(opening) and closing not in inner:
            start += 1
        if inner.endswith(closing) and opening not in inner:
            end -= 1
        inner = text[start:end]
        if inner.count(opening) > inner.count(closing) and inner.endswith(opening):
            end -= 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _abbreviation(span: str) -> bool:
    """Ends in an abbreviation whose full stop belongs to it ("U.S.", "Jr.", "Dr.")."""
    last = span.split()[-1] if span.split() else ""
    return bool(last) and (last.count(".") >= 2 or last in ("Jr.", "Sr.", "Dr.", "St.", "Mt.", "Inc.", "Ltd.", "Co."))


def trained_normalization(folder: Path) -> str:
    """How the model in ``folder`` was trained to be decoded (``reader.json``), "window" if unsaid."""
    import json

    meta = folder / "reader.json"
    if not meta.is_file():
        return "window"
    try:
        return str(json.loads(meta.read_text(encoding="utf-8")).get("normalization", "window"))
    except (ValueError, AttributeError):
        raise ModelError(f"{meta} is not valid JSON") from None
