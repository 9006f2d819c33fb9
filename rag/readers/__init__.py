"""Readers: pick the short answer out of retrieved sentence windows (see ``rag.types.Reader``)."""

from __future__ import annotations

from rag.types import Reader


def load_reader(name: str, threads: int = 2, n_best: int = 5, backend: str = "torch",
                spinning: bool = False) -> Reader:
    """The reader called ``name``: "trained" (our SQuAD-trained model, run by ``backend``: "torch" or
    an ONNX Runtime copy, ``rag.onnx_models.BACKENDS``) or "baseline" (heuristic)."""
    if name == "baseline":
        from rag.readers.baseline import BaselineReader

        return BaselineReader()
    if name == "trained":
        from rag.readers.trained import TrainedReader

        return TrainedReader(threads=threads, n_best=n_best, backend=backend, spinning=spinning)
    raise ValueError(f"unknown reader {name!r}; expected 'trained' or 'baseline'")
