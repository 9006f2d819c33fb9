"""Reranking: a cross-encoder reads the question together with each of the best fused sentences and
puts the one that answers it first, before the reader sees the windows.

The model is ours: all-MiniLM-L6-v2 (starting from our reader's encoder) with a one-logit head,
trained on (question, sentence) pairs of SQuAD v1.1 train with hard negatives mined by our own
retriever (``python -m rag.tools.train_reranker``, see models/reranker/MODEL_CARD.md).
``Settings.reranker``: "trained" (the default since 2026-12-01: the first 5 fused hits, int8, ~12 ms a
question on 2 AVX-512 cores) or "none" (the assistant then works without ``models/reranker/``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from rag.errors import ModelError
from rag.onnx_models import encode_pairs, pair_tokenizer
from rag.paths import PROJECT_ROOT
from rag.settings import RERANKERS
from rag.types import Document, Hit, Reranker, Span, Window

DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "reranker"
WEIGHTS = "model.safetensors"


def passage_text(title: str, sentence: str) -> str:
    """The passage side of a (question, passage) pair, in training and at run time alike: the
    sentence after its document's title, as it is embedded (``rag.index.embedding_text``)."""
    return f"{title}. {sentence}"


def rerank(question: str, hits: Sequence[Hit], reranker: Reranker, depth: int,
           documents: Mapping[str, Document]) -> list[Hit]:
    """The first ``depth`` hits reordered by the reranker's score (kept in ``Hit.rerank_score``),
    then the rest in their fused order.

    Raises:
        ValueError: the reranker returned a wrong number of scores or one outside [0, 1].
    """
    if depth <= 0:
        raise ValueError(f"rerank depth must be positive, got {depth}")
    head, tail = list(hits[:depth]), list(hits[depth:])
    if not head:
        return tail
    passages = [passage_text(documents[h.sentence.doc_id].title, h.sentence.text) for h in head]
    scores = list(reranker.score(question, passages))
    if len(scores) != len(head) or not all(0.0 <= s <= 1.0 for s in scores):
        raise ValueError(f"reranker {reranker.name!r} gave {len(scores)} scores for {len(head)} hits, "
                         f"or a score outside [0, 1]: {scores[:5]}")
    order = sorted(range(len(head)), key=lambda i: -scores[i])   # stable: ties keep the fused order
    return [replace(head[i], rerank_score=round(float(scores[i]), 4)) for i in order] + tail


def weigh_spans(spans: Sequence[Span], windows: Sequence[Window], power: float) -> list[Span]:
    """The reader's spans with each score times the reranker's P(its window's hit answers) ** ``power``,
    best first: the reader compares spans across windows, and the cross-encoder, which read each hit
    sentence with the question, knows better which window to trust (on held-out SQuAD the top span's
    F1 went 0.784 -> 0.792 with power 1). Unchanged when no window was reranked or ``power`` is 0; a
    window the reranker did not reach counts as its lowest score."""
    scored = [w.rerank_score for w in windows if w.rerank_score is not None]
    if power == 0 or not scored or not spans:
        return list(spans)
    floor = max(min(scored), 1e-6)
    prior = {w.rank: max(w.rerank_score, 1e-6) if w.rerank_score is not None else floor for w in windows}
    out = [replace(s, score=s.score * prior.get(s.window_rank, floor) ** power, window_score=s.own_score)
           for s in spans]     # own_score stays the reader's: sources are compared on it (rag.citing)
    return sorted(out, key=lambda s: -s.score)


@lru_cache(maxsize=4)
def _load(folder: str, backend: str, threads: int, spinning: bool = False,
          cache: Path | None = None) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    """Verify the weights and load the model once per arguments: ``run(feeds) -> logits`` (one per
    pair), numpy in and out, whether torch or an ONNX Runtime copy (``rag.onnx_models``) runs it."""
    from rag.embedding import verify_file
    from rag.onnx_models import variant_of
    from rag.readers.trained import expected_sha256   # SHA256SUMS is written the same way for both models

    path = Path(folder)
    verify_file(path / WEIGHTS, expected_sha256(path))
    variant = variant_of(backend)
    if variant is None:
        import torch
        from transformers import AutoModelForSequenceClassification

        torch.set_num_threads(threads)
        # stored as float16 to halve the size; CPUs compute faster in float32
        model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True,
                                                                   dtype=torch.float32).eval()

        def run_torch(feeds: dict[str, np.ndarray]) -> np.ndarray:
            with torch.inference_mode():
                return model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).logits[:, 0].float().numpy()
        return run_torch
    from rag.onnx_models import DEFAULT_CACHE, cached_model, runner, session

    onnx_path = cached_model("reranker", expected_sha256(path), variant, lambda target: _export(path, target),
                             cache or DEFAULT_CACHE, source=path / WEIGHTS, quantize_embeddings=True)
    run_graph = runner(session(onnx_path, threads, spinning), ["logits"])

    def run_onnx(feeds: dict[str, np.ndarray]) -> np.ndarray:
        return run_graph(feeds)[0][:, 0]
    return run_onnx


def _export(folder: Path, target: Path) -> None:
    """The fp32 ONNX graph of the cross-encoder in ``folder`` (weights stored in float16)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from rag.onnx_models import export_bert

    export_bert(lambda: AutoModelForSequenceClassification.from_pretrained(
        str(folder), local_files_only=True, dtype=torch.float32, attn_implementation="eager"), target, ["logits"])


class TrainedReranker:
    """Our cross-encoder (``rag.tools.train_reranker``) behind the Reranker protocol.

    Args:
        model_dir: folder written by ``rag.tools.train_reranker``; default ``models/reranker``.
        threads: CPU threads (torch, or ONNX Runtime's intra-op threads).
        max_length: question + passage word pieces; longer passages are truncated.
        backend: "torch", or an ONNX Runtime copy ("onnx" fp32, the default; int8 variants), as for
            the reader (``rag.onnx_models``).
        spinning: let idle ONNX Runtime threads busy-wait (``Settings.ort_spinning``).
        cache: where ONNX copies live (default ``rag.onnx_models.DEFAULT_CACHE``, models/onnx).

    Raises:
        ModelError: the folder is missing, or its weights fail their sha256.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None = None, threads: int = 2, max_length: int = 128,
                 backend: str = "onnx", spinning: bool = False, cache: Path | None = None) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        if not (folder / WEIGHTS).is_file():
            raise ModelError(f"reranker weights {folder / WEIGHTS} are missing; train them with "
                             "`python -m rag.tools.train_reranker` or use Settings(reranker='none')")
        if threads <= 0 or max_length < 32:
            raise ValueError(f"bad reranker settings: threads={threads}, max_length={max_length}")
        self.folder = folder.resolve()
        self.threads = threads
        self.max_length = max_length
        self.backend = backend
        self._run = _load(str(self.folder), backend, threads, spinning, cache)
        self._tokenizer = pair_tokenizer(str(self.folder), max_length)

    def logits(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage (one batched forward pass)."""
        feeds, _ = encode_pairs(self._tokenizer, [(question, p) for p in passages])
        return np.asarray(self._run(feeds), dtype=np.float64)

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """P(the passage answers the question) as the model estimates it, in [0, 1]."""
        if not passages:
            return []
        return (1.0 / (1.0 + np.exp(-self.logits(question, passages)))).tolist()


def load_reranker(name: str, threads: int = 2, backend: str = "onnx", spinning: bool = False) -> Reranker | None:
    """The reranker called ``name``: None for "none", our cross-encoder for "trained"."""
    if name == "none":
        return None
    if name == "trained":
        return TrainedReranker(threads=threads, backend=backend, spinning=spinning)
    raise ValueError(f"unknown reranker {name!r}; expected one of {RERANKERS}")
