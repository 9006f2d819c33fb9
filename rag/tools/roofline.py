"""The physical limit of embedding on this CPU: the models' arithmetic per token and sentence, this
machine's measured matrix-multiply throughput (fp32, and int8 through ONNX Runtime), and so the
fraction of that roofline the measured embedding rate reaches (``rag bench`` prints it).

Work is counted as matrix-multiply FLOPs (a multiply-add = 2): per token and layer the four
attention projections (4 h^2), the feed-forward pair (2 h f) and the attention scores and mixing
(2 L h for a sequence of L tokens). Softmax, GELU and LayerNorm are ignored (a few percent).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.tools.stats import best_time

# the shape of the feed-forward multiply over ~32 sentences of ~40 tokens (an index build runs batches
# of 8 on each core side by side, together about this much work at a time)
GEMM_SHAPE = (1280, 384, 1536)


def flops_per_sequence(config: dict, tokens: int) -> float:
    """Matrix-multiply FLOPs of one encoder pass over ``tokens`` tokens (BERT-style ``config``)."""
    h, f, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    per_token_layer = 2 * (4 * h * h + 2 * h * f) + 2 * 2 * tokens * h
    return float(layers * tokens * per_token_layer)


def token_counts(tokenizer_file: Path, texts: Sequence[str], batch_size: int = 32) -> tuple[np.ndarray, float]:
    """Tokens per text (with [CLS] and [SEP]), and the padded tokens per text that batches of
    ``batch_size`` sorted by length (as sentence-transformers and our ONNX path run them) compute."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    counts = np.array([len(e.ids) for e in tokenizer.encode_batch(list(texts))], dtype=np.int64)
    ordered = np.sort(counts)[::-1]
    padded = sum(int(ordered[i]) * len(ordered[i:i + batch_size]) for i in range(0, len(ordered), batch_size))
    return counts, padded / max(1, len(counts))


def fp32_gemm_flops(threads: int, shape: tuple[int, int, int] = GEMM_SHAPE) -> float:
    """Measured fp32 matrix-multiply FLOP/s with torch on ``threads`` threads (the torch backend's path)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        m, k, n = shape
        a, b = torch.randn(m, k), torch.randn(k, n)
        return 2 * m * k * n / best_time(lambda: torch.mm(a, b))
    finally:
        torch.set_num_threads(before)


def ort_gemm_ops(threads: int, shape: tuple[int, int, int] = GEMM_SHAPE, int8: bool = False) -> float:
    """Measured matrix-multiply operations/s in ONNX Runtime: fp32 ``MatMul`` (the onnx backends' path),
    or with ``int8`` ``MatMulInteger`` (the dynamic-int8 path)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m, k, n = shape
    a_type, b_type, y_type = ((TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32) if int8 else
                              (TensorProto.FLOAT, TensorProto.FLOAT, TensorProto.FLOAT))
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger" if int8 else "MatMul", ["a", "b"], ["y"])], "gemm",
        [helper.make_tensor_value_info("a", a_type, [m, k]), helper.make_tensor_value_info("b", b_type, [k, n])],
        [helper.make_tensor_value_info("y", y_type, [m, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = ({"a": rng.integers(0, 255, (m, k), dtype=np.uint8), "b": rng.integers(-127, 127, (k, n), dtype=np.int8)}
             if int8 else {"a": rng.random((m, k), dtype=np.float32), "b": rng.random((k, n), dtype=np.float32)})
    return 2 * m * k * n / best_time(lambda: session.run(None, feeds))


def roofline(model_folder: Path, texts: Sequence[str], sentences_per_s: float, threads: int,
             backend: str, batch_size: int = 32) -> dict:
    """The embedding roofline: work per sentence, this machine's measured peak for ``backend``'s
    arithmetic (int8 for the int8 backends), and the fraction of it ``sentences_per_s`` reaches."""
    config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
    counts, padded = token_counts(model_folder / "tokenizer.json", texts, batch_size)
    useful = float(np.mean([flops_per_sequence(config, int(c)) for c in counts]))
    computed = flops_per_sequence(config, int(round(padded)))
    # the ceiling is the fastest multiply measured on this machine: an engine that runs below it
    # (torch's at this shape reached ~30% of ONNX Runtime's on an AVX-512 machine) is room to gain
    torch_fp32 = fp32_gemm_flops(threads)
    ort_fp32 = ort_gemm_ops(threads)
    fp32 = max(torch_fp32, ort_fp32)
    int8 = ort_gemm_ops(threads, int8=True)
    peak = int8 if "int8" in backend else fp32
    return {"tokens_mean": float(counts.mean()), "tokens_padded_mean": padded,
            "flops_per_token": useful / float(counts.mean()),
            "flops_per_sentence": useful, "flops_per_sentence_padded": computed,
            "fp32_gemm_flops": fp32, "fp32_gemm_flops_torch": torch_fp32,
            "fp32_gemm_flops_onnx": ort_fp32, "int8_gemm_ops": int8, "peak": peak, "backend": backend,
            "threads": threads, "sentences_per_s": sentences_per_s,
            "achieved_flops": useful * sentences_per_s, "fraction": useful * sentences_per_s / peak,
            "fraction_padded": computed * sentences_per_s / peak,
            "ceiling_sentences_per_s": peak / useful}


def roofline_lines(r: dict) -> list[str]:
    """Printed lines: work, peak, achieved and the fraction of the roofline."""
    g = 1e9
    return [f"embedding roofline ({r['backend']}, {r['threads']} threads): {r['flops_per_sentence'] / g:.3f} GFLOP "
            f"per sentence ({r['tokens_mean']:.1f} tokens; {r['tokens_padded_mean']:.1f} with batch padding)",
            f"  this CPU's measured matmul: fp32 {r['fp32_gemm_flops'] / g:.0f} GFLOP/s (torch "
            f"{r.get('fp32_gemm_flops_torch', r['fp32_gemm_flops']) / g:.0f}, ONNX Runtime "
            f"{r.get('fp32_gemm_flops_onnx', r['fp32_gemm_flops']) / g:.0f}), int8 (ONNX Runtime) "
            f"{r['int8_gemm_ops'] / g:.0f} GOP/s; ceiling {r['ceiling_sentences_per_s']:.0f} sentences/s",
            f"  reached: {r['sentences_per_s']:.0f} sentences/s = {r['achieved_flops'] / g:.0f} GFLOP/s = "
            f"{r['fraction']:.0%} of the roofline ({r['fraction_padded']:.0%} counting padded tokens)"]
