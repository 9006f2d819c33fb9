"""ONNX Runtime copies of our two BERT models (the embedder and the reader), made offline from the
local torch weights and cached outside git, so serving needs neither torch nor transformers.

A copy lives in ``models/onnx/<kind>-<sha256 of the source weights>-v<EXPORT_VERSION>/<variant>.onnx``:
changed weights (or a changed export recipe) get a new folder instead of a stale copy. The fp32
graph is exported with ``torch.onnx`` once (this step imports torch); the int8 variants are ONNX
Runtime's dynamic quantisation of it. Every file is written to a temporary name and renamed, under
a file lock, so a crash or a second process never leaves a half-written model behind.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

from rag.paths import PROJECT_ROOT
from rag.settings import BACKENDS

DEFAULT_CACHE = PROJECT_ROOT / "models" / "onnx"
EXPORT_VERSION = 1          # bump when the export or quantisation recipe changes: old copies are not reused
OPSET = 17
# Settings values of a model backend -> the cached variant it runs (None: the torch model itself)
VARIANTS = {"torch": None, "onnx": "fp32", "onnx-int8": "int8", "onnx-int8-per-channel": "int8-per-channel",
            "onnx-int8-mixed": "int8-mixed"}
BERT_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def variant_of(backend: str) -> str | None:
    """The cached variant a backend runs ("fp32", "int8", ...), None for "torch"; ValueError if unknown."""
    if backend not in VARIANTS:
        raise ValueError(f"unknown model backend {backend!r}; expected one of {BACKENDS}")
    return VARIANTS[backend]


def cache_folder(kind: str, source_sha256: str, cache: Path = DEFAULT_CACHE) -> Path:
    """Where the ONNX copies of one set of weights live."""
    return cache / f"{kind}-{source_sha256[:16]}-v{EXPORT_VERSION}"


def cached_model(kind: str, source_sha256: str, variant: str, export: Callable[[Path], None],
                 cache: Path = DEFAULT_CACHE, source: Path | None = None, quantize_embeddings: bool = False) -> Path:
    """The path of ``variant`` of a model, exporting (fp32) and quantising (int8) it first if needed.

    Args:
        kind: "embedder" or "reader" (the folder's prefix).
        source_sha256: sha256 of the torch weights the copy is made from (already verified by the caller).
        variant: "fp32", "int8" (per-tensor), "int8-per-channel" or "int8-mixed" (per channel, with
            the upper half's FFN output projections in float: ``float_kept``).
        export: writes the fp32 ONNX graph to the path it is given (torch is imported only here).
        source: the weights file ``export`` reads; hashed again after the export, so a file replaced
            while it ran (the caller verified the one before) cannot leave a copy under the wrong hash.
        quantize_embeddings: int8 variants also store the word-embedding table in int8 (``quantize``),
            in a file of their own (``int8-emb.onnx``).

    Raises:
        ModelError: ``source`` no longer has ``source_sha256`` after the export (nothing is kept).
    """
    if variant not in ("fp32", "int8", "int8-per-channel", "int8-mixed"):
        raise ValueError(f"unknown ONNX variant {variant!r}")
    folder = cache_folder(kind, source_sha256, cache)
    embeddings = quantize_embeddings and variant != "fp32"
    target = folder / f"{variant}{'-emb' if embeddings else ''}.onnx"
    if target.is_file():
        return target
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):
        fp32 = folder / "fp32.onnx"
        if not fp32.is_file():
            _atomic(fp32, lambda tmp: _export_checked(export, tmp, source, source_sha256))
        if not target.is_file():
            _atomic(target, lambda tmp: quantize(fp32, tmp, per_channel=variant != "int8", embeddings=embeddings,
                                                 keep_float=float_kept(fp32) if variant == "int8-mixed" else ()))
    return target


def _export_checked(export: Callable[[Path], None], tmp: Path, source: Path | None, source_sha256: str) -> None:
    export(tmp)
    if source is not None:
        from rag.errors import ModelError
        from rag.util import sha256_file

        if sha256_file(source) != source_sha256:
            raise ModelError(f"{source} changed while it was exported to ONNX; run `python -m rag prepare` again")


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a temporary file beside ``target``, then rename it into place."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".onnx.tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)                # mkstemp makes it private; the model is not a secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)     # gone already after a successful rename


def quantize(source: Path, target: Path, per_channel: bool = False, embeddings: bool = False,
             keep_float: Sequence[str] = ()) -> None:
    """Dynamic int8 quantisation of the weight matrices (activations stay float and are quantised
    per batch at run time), with ONNX Runtime's own tool. Matrix products of two activations (the
    attention scores) stay float: that is ``MatMulConstBOnly``, the default of dynamic mode.

    One scale per weight matrix (``per_channel`` False) is coarse for these models: on an AVX2 CPU
    the embedder's per-tensor int8 vectors had a mean cosine of 0.961 to fp32 on xquad_en texts,
    per-channel ones 0.993 (one scale per output column).

    ``embeddings`` also quantises the ``Gather`` tables (the 30,522 x 384 word embeddings, 47 MB in
    float32, most of an int8 MiniLM's size): the reranker's int8 copy shrinks 59 -> 23 MB and ~30 MB
    of resident memory, and ranks the shipped and XQuAD questions as before (docs/EVALUATION.md).

    ``keep_float`` names graph nodes left in float (``float_kept``)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = _NoPreprocessingAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        ops = ["MatMul", "Gemm", *(["Gather"] if embeddings else [])]
        quantize_dynamic(source, target, op_types_to_quantize=ops, per_channel=per_channel,
                         weight_type=QuantType.QInt8, nodes_to_exclude=list(keep_float),
                         extra_options={"MatMulConstBOnly": True})
    finally:
        logging.getLogger().removeFilter(quiet)


def float_kept(graph: Path) -> list[str]:
    """The nodes "int8-mixed" leaves in float: the FFN output projections (``layer.N/output/dense``)
    of the upper half of the encoder's layers, and the head outside the layers (``qa_outputs``,
    tiny). In int8 per channel those projections cost the 12-layer MPNet reader 2.5 gold F1 on
    XQuAD-en; kept float, it scores as fp32 does at a third of its read time (docs/EVALUATION.md,
    session 15): their inputs are the widest activations of the network, and dynamic quantisation's
    one scale per batch for them is too coarse in the upper layers.

    Raises:
        ValueError: the graph names no ``layer.N/output/dense`` node (an exporter that names nodes
            otherwise), rather than leaving everything float under an int8 name."""
    import re

    import onnx

    names = [n.name for n in onnx.load(str(graph), load_external_data=False).graph.node
             if n.op_type in ("MatMul", "Gemm")]
    pattern = re.compile(r"layer\.(\d+)/output/dense/")
    layers = sorted({int(m.group(1)) for n in names if (m := pattern.search(n))})
    if not layers:
        raise ValueError(f"{graph}: no layer.N/output/dense nodes; int8-mixed cannot tell the layers apart")
    upper = set(layers[len(layers) // 2:])
    return [n for n in names
            if ((m := pattern.search(n)) and int(m.group(1)) in upper) or not re.search(r"layer\.\d+/", n)]


class _NoPreprocessingAdvice:
    """Drops the "consider pre-processing" warning that quantize_dynamic logs on the root logger on
    every call (shape inference and graph fusion happen at session start here anyway)."""

    def filter(self, record) -> bool:
        return "pre-processing" not in record.getMessage()


def export_bert(load_model: Callable[[], Any], target: Path, outputs: Sequence[str]) -> None:
    """Trace a transformers BERT model to ONNX with dynamic batch and sequence axes.

    ``load_model`` returns the model in float32 with eager attention (its mask code traces cleanly);
    the graph takes ``BERT_INPUTS`` as int64 and returns the named ``outputs`` of the model's output.
    """
    import warnings

    import torch

    model = load_model().eval()

    class _Outputs(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return tuple(getattr(out, name) for name in outputs)

    ids = torch.tensor([[101, 2054, 2003, 102, 1996, 3437, 102, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 0]])
    types = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 0]])
    axes = {name: {0: "batch", 1: "tokens"} for name in (*BERT_INPUTS, *outputs)}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")     # the legacy exporter's deprecation and tracer notices
        torch.onnx.export(_Outputs(), (ids, mask, types), str(target), dynamo=False, opset_version=OPSET,
                          input_names=list(BERT_INPUTS), output_names=list(outputs), dynamic_axes=axes)


@lru_cache(maxsize=8)
def pair_tokenizer(folder: str, max_length: int) -> Any:   # -> tokenizers.Tokenizer
    """The fast tokenizer in ``folder`` for (question, text) pairs, with ``tokenizers`` alone (no
    transformers when serving): the text truncated to ``max_length`` word pieces in all, padded to
    the longest pair of a batch. Shared by the reader and the reranker."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length, strategy="only_second")
    pad = next((t for t in ("[PAD]", "<pad>") if tokenizer.token_to_id(t) is not None), "[PAD]")   # BERT, MPNet
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad) or 0, pad_token=pad)
    return tokenizer


def encode_pairs(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, Any], list[Any]]:
    """A BERT model's int64 inputs (``BERT_INPUTS``) for ``pairs``, and the encodings (offsets,
    sequence ids) they came from."""
    import numpy as np

    encoded = tokenizer.encode_batch(list(pairs))
    feeds = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
             "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
             "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
    return feeds, encoded


def session(path: Path, threads: int, spinning: bool = False) -> Any:
    """An ONNX Runtime CPU session with ``threads`` intra-op threads.

    ``spinning`` off (the default here) lets idle worker threads sleep instead of busy-waiting: on a
    shared CPU a spinning thread takes the core another process (or our own other thread) needs.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def runner(ort_session: Any, outputs: Sequence[str]) -> Callable[[dict[str, Any]], list[Any]]:
    """``run(feeds)`` on ``ort_session`` for ``outputs``, fed only the inputs its graph declares:
    ``encode_pairs`` always builds segment ids, which an MPNet-style graph has no input for."""
    inputs = frozenset(i.name for i in ort_session.get_inputs())
    names = list(outputs)

    def run(feeds: dict[str, Any]) -> list[Any]:
        return ort_session.run(names, {k: v for k, v in feeds.items() if k in inputs})
    return run
