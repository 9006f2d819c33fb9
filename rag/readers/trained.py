"""Our SQuAD-trained extractive reader (``python -m rag.tools.train_reader``), behind the Reader protocol.

All windows of a question go through the model in one batched forward pass. Each window gives
its best span (at most ``max_answer_tokens`` word pieces) in document offsets, verbatim.

Scores: start and end logits are soft-maxed separately over the window's tokens plus [CLS];
``Span.score = p_start * p_end`` of the span and ``Span.no_answer = p_start[CLS] * p_end[CLS]``,
the model's own "this window holds no answer" probability (trained SQuAD 2.0 style). Both are
in [0, 1] and comparable across windows of one question.
"""

from __future__ import annotations

import hashlib
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

    Raises:
        ModelError: the folder or its weights are missing, or the weights fail their sha256.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None = None, threads: int = 2, quantize: bool = False,
                 max_answer_tokens: int = 30, max_length: int = 256) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        if not folder.is_dir():
            raise ModelError(f"reader model folder {folder} does not exist; "
                             "train it with `python -m rag.tools.train_reader` or use the baseline reader")
        if threads <= 0 or max_answer_tokens <= 0 or max_length < 32:
            raise ValueError(f"bad reader settings: threads={threads}, max_answer_tokens={max_answer_tokens}, "
                             f"max_length={max_length}")
        self.folder = folder.resolve()
        self.threads = threads
        self.quantize = quantize
        self.max_answer_tokens = max_answer_tokens
        self.max_length = max_length
        self._loaded = _load(str(self.folder), quantize)

    def read(self, question: str, windows: Sequence[Window]) -> list[Span]:
        """The best span of every non-empty window, best first (one forward pass for all)."""
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
        spans = [self._best_span(question, w, out.start_logits[i].float(), out.end_logits[i].float(),
                                 context[i], offsets[i])
                 for i, w in enumerate(windows)]
        return sorted((s for s in spans if s is not None), key=lambda s: -s.score)

    def _best_span(self, question: str, window: Window, start_logits: "torch.Tensor", end_logits: "torch.Tensor",
                   context: "torch.Tensor", offsets: "torch.Tensor") -> Span | None:
        """Decode one window: max p_start*p_end over context spans of at most max_answer_tokens."""
        import torch

        allowed = context.clone()
        allowed[0] = True                                   # [CLS] = the null answer
        neg = torch.finfo(start_logits.dtype).min
        log_ps = torch.log_softmax(start_logits.masked_fill(~allowed, neg), dim=0)
        log_pe = torch.log_softmax(end_logits.masked_fill(~allowed, neg), dim=0)
        no_answer = float(torch.exp(log_ps[0] + log_pe[0]))
        n = len(context)
        pair = log_ps[:, None] + log_pe[None, :]
        i = torch.arange(n)
        valid = (context[:, None] & context[None, :] & (i[None, :] >= i[:, None])
                 & (i[None, :] - i[:, None] < self.max_answer_tokens))
        if not bool(valid.any()):
            return None
        best = int(torch.argmax(pair.masked_fill(~valid, neg)))
        s, e = divmod(best, n)
        c_start, c_end = int(offsets[s][0]), int(offsets[e][1])
        return Span(text=window.text[c_start:c_end], doc_id=window.doc_id, start=window.start + c_start,
                    end=window.start + c_end, score=float(torch.exp(pair[s, e])), window_rank=window.rank,
                    no_answer=no_answer)
