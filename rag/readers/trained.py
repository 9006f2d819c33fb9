"""Our SQuAD-trained extractive reader (``python -m rag.tools.train_reader``), behind the Reader protocol.

All windows of a question go through the model in one batched forward pass. Each window gives
its best span (at most ``max_answer_tokens`` word pieces) in document offsets, verbatim.

Scores: start and end logits are soft-maxed separately over the window's tokens plus [CLS];
``Span.score = p_start * p_end`` of the span and ``Span.no_answer = p_start[CLS] * p_end[CLS]``,
the model's own "this window holds no answer" probability (trained SQuAD 2.0 style). Both are
in [0, 1] and comparable across windows of one question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from rag.errors import ModelError, QuestionError
from rag.onnx_models import encode_pairs, pair_tokenizer
from rag.types import Span, Window
from rag.util import balance_quotes, sha256_file

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent.parent / "models" / "reader"
WEIGHTS = "model.safetensors"


@dataclass(frozen=True)
class _Loaded:
    """A loaded span model: ``run(feeds) -> (start_logits, end_logits)``, numpy in and out, whatever
    runs it (torch, or ONNX Runtime without torch)."""

    run: Callable[[dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]
    backend: str
    model: Any = None    # the torch model, or the ONNX Runtime session


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
def _load(folder: str, quantize: bool, backend: str = "torch", threads: int = 2, spinning: bool = False) -> _Loaded:
    """Verify and load the model once per arguments; ~1 s, so it is cached. Threads are set here,
    once, never per read (``torch.set_num_threads`` is process-wide and not free)."""
    from rag.onnx_models import variant_of

    path = Path(folder)
    verify_weights(path)
    variant = variant_of(backend)
    if variant is None:
        return _load_torch(path, quantize, threads)
    from rag.onnx_models import cached_model, runner, session

    model = cached_model("reader", expected_sha256(path), variant, lambda target: _export(path, target),
                         source=path / WEIGHTS)
    ort_session = session(model, threads, spinning)
    run_graph = runner(ort_session, ["start_logits", "end_logits"])

    def run(feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return tuple(run_graph(feeds))
    return _Loaded(run, backend, ort_session)


def forward_inputs(model) -> frozenset[str]:
    """The input names ``model.forward`` takes: segment ids only for architectures that embed them
    (BERT/MiniLM yes, MPNet no), so one feed serves both."""
    import inspect

    return frozenset(inspect.signature(model.forward).parameters)


def _load_torch(path: Path, quantize: bool, threads: int) -> _Loaded:
    import torch
    from transformers import AutoModelForQuestionAnswering

    torch.set_num_threads(threads)
    # stored as float16 to halve the download; CPUs compute faster in float32
    model = AutoModelForQuestionAnswering.from_pretrained(str(path), local_files_only=True, dtype=torch.float32)
    model.eval()
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

    takes = forward_inputs(model)

    def run(feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            out = model(**{k: torch.from_numpy(v) for k, v in feeds.items() if k in takes})
        return out.start_logits.float().numpy(), out.end_logits.float().numpy()
    return _Loaded(run, "torch", model)


def _export(folder: Path, target: Path) -> None:
    """The fp32 ONNX graph of the reader in ``folder`` (weights stored in float16, run in float32)."""
    import torch
    from transformers import AutoModelForQuestionAnswering

    from rag.onnx_models import export_bert

    export_bert(lambda: AutoModelForQuestionAnswering.from_pretrained(
        str(folder), local_files_only=True, dtype=torch.float32, attn_implementation="eager"),
        target, ["start_logits", "end_logits"])


def length_groups(lengths: Sequence[int], tolerance: float = 1.1) -> list[list[int]]:
    """Indices of ``lengths`` in groups run as one batch: longest first, a group growing while its
    padded size (its longest x its count) stays within ``tolerance`` x its real tokens. Fewer, fuller
    batches than one per window; far less padding than one for all."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        group = groups[-1] if groups else None
        if group and lengths[group[0]] * (len(group) + 1) <= tolerance * (sum(lengths[j] for j in group) + lengths[i]):
            group.append(i)
        else:
            groups.append([i])
    return groups


class TrainedReader:
    """Reader on our fine-tuned MiniLM span model (see models/reader/MODEL_CARD.md).

    Args:
        model_dir: folder written by ``rag.tools.train_reader``; default ``models/reader`` of the project.
        threads: CPU threads for inference (torch or ONNX Runtime intra-op), set once at load.
        quantize: torch int8 dynamic quantisation of the Linear layers (see MODEL_CARD for its cost).
        backend: "torch", or an ONNX Runtime copy ("onnx" fp32, "onnx-int8", "onnx-int8-per-channel";
            ``rag.onnx_models``) that reads without importing torch.
        spinning: let idle ONNX Runtime threads busy-wait (faster alone, slower on a shared CPU).
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
                 normalization: str | None = None, backend: str = "torch", spinning: bool = False) -> None:
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
        self.backend = backend
        self._loaded = _load(str(self.folder), quantize, backend, threads, spinning)
        self._tokenizer = pair_tokenizer(str(self.folder), max_length)

    def read(self, question: str, windows: Sequence[Window]) -> list[Span]:
        """The ``n_best`` best spans of every non-empty window, best first (one forward pass for all)."""
        if not question or not question.strip():
            raise QuestionError("the question is empty")
        windows = [w for w in windows if w.text.strip()]
        if not windows:
            return []
        feeds, encoded = self.encode(question, windows)
        context = np.array([[sid == 1 for sid in e.sequence_ids] for e in encoded], dtype=bool)
        start, end = self._run_grouped(feeds)
        log_ps, log_pe, null = self._log_probs(start, end, context)
        # a joint reader's spans also get their window read alone (one softmax per window, null
        # included), for comparing sources; a per-window reader's scores are that already
        own = self._log_probs(start, end, context, "window")[:2] if self.normalization == "joint" else None
        spans = []
        for i, w in enumerate(windows):
            spans.extend(self._best_spans(w, log_ps[i], log_pe[i], float(null[i]), context[i], encoded[i].offsets,
                                          None if own is None else (own[0][i], own[1][i])))
        return sorted(spans, key=lambda s: -s.score)

    def _run_grouped(self, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Start and end logits of every window (past a window's end, where ``context`` is False,
        they mean nothing), running windows of about one length together, each group cut to its
        longest window. One batch padded to the longest window wasted a fifth of the reader's
        arithmetic on the shipped questions (3.5 windows of 98 tokens padded to 126); read in
        groups, the same logits come ~12% sooner."""
        lengths = feeds["attention_mask"].sum(axis=1)
        start = np.zeros(feeds["input_ids"].shape, dtype=np.float32)
        end = np.zeros_like(start)
        for group in length_groups(lengths.tolist()):
            width = int(lengths[group].max())
            s, e = self._loaded.run({k: v[group, :width] for k, v in feeds.items()})
            start[group, :width], end[group, :width] = s, e
        return start, end

    def encode(self, question: str, windows: Sequence[Window]) -> tuple[dict[str, np.ndarray], list[Any]]:
        """The model's inputs for (question, window) pairs, padded to the longest, and the
        ``tokenizers`` encodings (offsets, sequence ids) they came from."""
        return encode_pairs(self._tokenizer, [(question, w.text) for w in windows])

    def _log_probs(self, start: np.ndarray, end: np.ndarray, context: np.ndarray,
                   normalization: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log-probabilities of every start and end token, and the no-answer log-probability
        (per window, or the question's shared one when normalising jointly; ``normalization``
        overrides the reader's own)."""
        allowed = context.copy()
        allowed[:, 0] = True                                   # [CLS] = the null answer
        if (normalization or self.normalization) == "window":
            log_ps = _log_softmax(np.where(allowed, start, _NEG))
            log_pe = _log_softmax(np.where(allowed, end, _NEG))
            return log_ps, log_pe, log_ps[:, 0] + log_pe[:, 0]
        # joint, as trained (rag.tools.joint): one softmax over every window's tokens plus one null
        # option whose logit is the log-mean-exp of the windows' [CLS] logits
        n = np.log(float(len(start)))
        result = []
        for logits in (start, end):
            tokens = np.where(context, logits, _NEG)
            null = _logsumexp(logits[:, 0]) - n
            total = np.logaddexp(_logsumexp(tokens.reshape(-1)), null)
            lp = tokens - total
            lp[:, 0] = null - total
            result.append(lp)
        return result[0], result[1], result[0][:, 0] + result[1][:, 0]

    def _best_spans(self, window: Window, log_ps: np.ndarray, log_pe: np.ndarray, null: float,
                    context: np.ndarray, offsets: Sequence[tuple[int, int]],
                    own: tuple[np.ndarray, np.ndarray] | None = None) -> list[Span]:
        """The ``n_best`` non-overlapping spans of one window by p_start*p_end, at most
        max_answer_tokens long, each cleaned to lie inside one sentence."""
        n = len(context)
        pair = log_ps[:, None] + log_pe[None, :]
        i = np.arange(n)
        length = i[None, :] - i[:, None]
        valid = context[:, None] & context[None, :] & (length >= 0) & (length < self.max_answer_tokens)
        flat = np.flatnonzero(valid)
        if len(flat) == 0:
            return []
        scores = pair.reshape(-1)[flat]
        order = flat[np.argsort(-scores, kind="stable")[:20 * self.n_best]].tolist()
        no_answer = float(np.exp(null))
        chosen: list[Span] = []
        taken: list[tuple[int, int]] = []
        for position in order:
            s, e = divmod(position, n)
            if any(s <= b and a <= e for a, b in taken):
                continue
            taken.append((s, e))
            c_start, c_end = clean_span(window, int(offsets[s][0]), int(offsets[e][1]))
            if c_end <= c_start:
                continue
            chosen.append(Span(text=window.text[c_start:c_end], doc_id=window.doc_id, start=window.start + c_start,
                               end=window.start + c_end, score=float(np.exp(pair[s, e])),
                               window_rank=window.rank, no_answer=no_answer,
                               window_score=None if own is None else float(np.exp(own[0][s] + own[1][e]))))
            if len(chosen) >= self.n_best:
                break
        return chosen


_NEG = np.float32(-1e9)     # a masked logit: exp() of it is 0, and sums of two stay finite in float32


def _logsumexp(x: np.ndarray) -> float:
    top = float(x.max())
    return top + float(np.log(np.exp(x - top).sum()))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis (rows are windows)."""
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


_QUOTES = "\"'“”‘’«»„"
_DOLLAR_COUNTRY = re.compile(r"(?<![\w$])[A-Z]{1,3}$")
_TRAILING = ",;:.!?-–—" + _QUOTES
_LEADING = ",;:.!?-–—)]" + _QUOTES
_JOINED = re.compile(r"(?:and|or|but)\s+")      # what joined an aside's end to the rest


def clean_span(window: Window, start: int, end: int) -> tuple[int, int]:
    """A span (offsets into ``window.text``) cut to the sentence it starts in, without
    surrounding whitespace, line breaks, quote marks or dangling punctuation; brackets stay only
    when both ends of the pair are inside, and a quote mark that closes a quotation opened inside
    stays. Returns (start, end); end <= start means nothing is left."""
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
        inner = text[start:end]
        unclosed = _unclosed(inner, opening, closing)
        if unclosed > 0:        # "Tornado and Storm Research Organisation (TORRO": the name, not half an aside;
            before = inner[:unclosed].split()   # "24,311 or (18.9%": what is left before it dangles, the aside
            if before and before[-1].lower().strip(",;:") not in _FUNCTION_WORDS:
                end = start + unclosed
            else:
                start += unclosed + 1
    for opening, closing in (("(", ")"), ("[", "]")):   # "British Army, for instance) and Air Forces": the span
        depth, cut = 0, None                              # began inside an aside; what follows it is the answer
        for at, char in enumerate(text[start:end]):
            if char == opening:
                depth += 1
            elif char == closing and depth:
                depth -= 1
            elif char == closing:
                cut = at + 1
        if cut is not None:
            start += cut
            while start < end and (text[start].isspace() or text[start] in _LEADING):
                start += 1
            joined = _JOINED.match(text, start, end)
            start = joined.end() if joined else start
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # "A$8.92", "NZ$5m": the letters before a dollar sign name its country and belong to the amount
    country = _DOLLAR_COUNTRY.search(text, max(0, start - 4), start) if text[start:start + 1] == "$" else None
    if country is not None:
        start = country.start()
    return balance_quotes(text, start, end) if end > start else (start, end)


_FUNCTION_WORDS = frozenset("or and of to the a an in on at by for from with as than nor but".split())


def _unclosed(inner: str, opening: str, closing: str) -> int:
    """Where the first bracket of ``inner`` that is never closed inside it opens (-1 if none)."""
    stack = []
    for at, char in enumerate(inner):
        if char == opening:
            stack.append(at)
        elif char == closing and stack:
            stack.pop()
    return stack[0] if stack else -1


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
