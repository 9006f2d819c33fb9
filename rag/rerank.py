"""Reranking: a cross-encoder reads the question together with each of the best fused sentences and
puts the one that answers it first, before the reader sees the windows.

The model is ours: all-MiniLM-L6-v2 with a one-logit head, trained on (question, sentence) pairs of
SQuAD v1.1 train with hard negatives mined by our own retriever (``python -m rag.tools.train_reranker``,
see models/reranker/MODEL_CARD.md once trained). ``Settings.reranker``: "none" (the default while no
trained weights ship; the assistant then works without ``models/reranker/``) or "trained".
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from rag.errors import ModelError
from rag.paths import PROJECT_ROOT
from rag.settings import RERANKERS
from rag.types import Document, Hit, Reranker

if TYPE_CHECKING:
    import torch

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


@lru_cache(maxsize=2)
def _load(folder: str) -> tuple[Any, Any]:
    """Verify and load (model, tokenizer) once per folder."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from rag.embedding import verify_file
    from rag.readers.trained import expected_sha256   # SHA256SUMS is written the same way for both models

    path = Path(folder)
    verify_file(path / WEIGHTS, expected_sha256(path))
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    # stored as float16 to halve the size; CPUs compute faster in float32
    model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    model.eval()
    return model, tokenizer


class TrainedReranker:
    """Our cross-encoder (``rag.tools.train_reranker``) behind the Reranker protocol.

    Args:
        model_dir: folder written by ``rag.tools.train_reranker``; default ``models/reranker``.
        threads: torch CPU threads.
        max_length: question + passage word pieces; longer passages are truncated.

    Raises:
        ModelError: the folder is missing, or its weights fail their sha256.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None = None, threads: int = 2, max_length: int = 128) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        if not (folder / WEIGHTS).is_file():
            raise ModelError(f"reranker weights {folder / WEIGHTS} are missing; train them with "
                             "`python -m rag.tools.train_reranker` or use Settings(reranker='none')")
        if threads <= 0 or max_length < 32:
            raise ValueError(f"bad reranker settings: threads={threads}, max_length={max_length}")
        self.folder = folder.resolve()
        self.threads = threads
        self.max_length = max_length
        self._model, self._tokenizer = _load(str(self.folder))

    def logits(self, question: str, passages: Sequence[str]) -> "torch.Tensor":
        """One relevance logit per passage (one batched forward pass)."""
        import torch

        torch.set_num_threads(self.threads)
        enc = self._tokenizer([question] * len(passages), list(passages), truncation="only_second",
                              max_length=self.max_length, padding=True, return_tensors="pt")
        with torch.inference_mode():
            return self._model(**enc).logits[:, 0].float()

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """P(the passage answers the question) as the model estimates it, in [0, 1]."""
        if not passages:
            return []
        return self.logits(question, passages).sigmoid().tolist()


def load_reranker(name: str, threads: int = 2) -> Reranker | None:
    """The reranker called ``name``: None for "none", our cross-encoder for "trained"."""
    if name == "none":
        return None
    if name == "trained":
        return TrainedReranker(threads=threads)
    raise ValueError(f"unknown reranker {name!r}; expected one of {RERANKERS}")
