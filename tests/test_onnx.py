"""ONNX Runtime copies of the embedder and the reader (rag.onnx_models): cached by the weights' hash,
written atomically, the same answers as torch, and a serving path that never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from conftest import fake_split
from test_trained_reader import DOC, _windows

from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["When was the Eiffel Tower finished?", "Who built the tower?", "How tall is the tower?",
             "Where does the tower stand?", "What was the tallest structure in the world until 1930?"]


def test_backends_are_validated() -> None:
    assert Settings(embedder_backend="onnx-int8", reader_backend="onnx").reader_backend == "onnx"
    with pytest.raises(ValueError, match="embedder_backend"):
        Settings(embedder_backend="gpu")
    with pytest.raises(ValueError, match="build_threads"):
        Settings(build_threads=0)


def test_a_copy_is_exported_once_per_source_hash(tmp_path: Path) -> None:
    from rag.onnx_models import cached_model

    calls: list[Path] = []

    def export(target: Path) -> None:
        calls.append(target)
        target.write_bytes(b"graph")

    first = cached_model("reader", "ab" * 32, "fp32", export, cache=tmp_path)
    again = cached_model("reader", "ab" * 32, "fp32", export, cache=tmp_path)
    other = cached_model("reader", "cd" * 32, "fp32", export, cache=tmp_path)
    assert first == again and first.read_bytes() == b"graph" and len(calls) == 2
    assert other.parent != first.parent and "abababab" in first.parent.name
    assert calls[0] != first     # written under a temporary name, then renamed


def test_a_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    from rag.onnx_models import cached_model

    def broken(target: Path) -> None:
        target.write_bytes(b"half a gra")
        raise RuntimeError("exporter crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        cached_model("embedder", "ef" * 32, "fp32", broken, cache=tmp_path)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and p.name != ".lock"] == []


def test_weights_replaced_during_the_export_leave_no_copy_under_the_old_hash(tmp_path: Path) -> None:
    """The caller verified the weights before; if the file changes while the export reads it, the
    copy would carry the old hash with other weights. The weights are hashed again after export."""
    import hashlib

    from rag.errors import ModelError
    from rag.onnx_models import cached_model

    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"stage one")
    digest = hashlib.sha256(b"stage one").hexdigest()

    def export_while_replaced(target: Path) -> None:
        weights.write_bytes(b"stage two")          # e.g. a checkout reset under a running `rag prepare`
        target.write_bytes(b"graph of stage two")

    cache = tmp_path / "onnx"
    with pytest.raises(ModelError, match="changed while it was exported"):
        cached_model("reranker", digest, "fp32", export_while_replaced, cache=cache, source=weights)
    assert [p.name for p in cache.rglob("*") if p.is_file() and p.name != ".lock"] == []
    weights.write_bytes(b"stage one")
    copy = cached_model("reranker", digest, "fp32", lambda t: t.write_bytes(b"graph"), cache=cache, source=weights)
    assert copy.read_bytes() == b"graph"


def test_mean_pool_ignores_padding() -> None:
    from rag.embedding import mean_pool

    hidden = np.array([[[3.0, 0.0], [0.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    pooled = mean_pool(hidden, np.array([[1, 1, 0]]))
    assert np.allclose(pooled, [[0.6, 0.8]])


def test_mixed_int8_keeps_the_upper_half_ffn_outputs_and_the_head_in_float(tmp_path: Path) -> None:
    """"int8-mixed" leaves in float the FFN output projections of the upper half of the layers (where
    int8 cost the MPNet reader 2.5 F1) and the head; every other matrix product is quantised."""
    import onnx
    from onnx import TensorProto, helper

    from rag.onnx_models import float_kept

    names = [f"/mpnet/encoder/layer.{i}/{part}/MatMul" for i in range(4)
             for part in ("attention/attn/q", "intermediate/dense", "output/dense")] + ["/qa_outputs/MatMul"]
    nodes = [helper.make_node("MatMul", ["x", "w"], [f"y{i}"], name=n) for i, n in enumerate(names)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2]),
                                           helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 2])],
                              [helper.make_tensor_value_info(f"y{i}", TensorProto.FLOAT, [1, 2]) for i in range(len(names))])
    path = tmp_path / "g.onnx"
    onnx.save(helper.make_model(graph), str(path))
    assert float_kept(path) == ["/mpnet/encoder/layer.2/output/dense/MatMul",
                                "/mpnet/encoder/layer.3/output/dense/MatMul", "/qa_outputs/MatMul"]
    other = tmp_path / "other.onnx"
    onnx.save(helper.make_model(helper.make_graph(nodes[:1], "g", graph.input, graph.output[:1])), str(other))
    with pytest.raises(ValueError, match="no layer.N/output/dense"):
        float_kept(other)               # named otherwise: refused, not silently left all float


# --- the real models ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def readers():
    """torch and every ONNX variant of the shipped reader (exported into models/onnx on first use)."""
    from rag.readers.trained import TrainedReader

    return {b: TrainedReader(backend=b, n_best=3)
            for b in ("torch", "onnx", "onnx-int8", "onnx-int8-per-channel", "onnx-int8-mixed")}


def _feeds(reader, question: str, windows):
    return reader.encode(question, windows)[0]


@pytest.mark.slow
def test_the_tokenizer_gives_what_transformers_gave(readers) -> None:
    """The reader now tokenises with ``tokenizers`` alone; the ids must be those transformers made."""
    from transformers import AutoTokenizer

    reader = readers["torch"]
    windows = _windows(1) + _windows(3)
    ours = _feeds(reader, QUESTIONS[0], windows)
    theirs = AutoTokenizer.from_pretrained(str(reader.folder), local_files_only=True)(
        [QUESTIONS[0]] * len(windows), [w.text for w in windows], truncation="only_second",
        max_length=reader.max_length, padding=True, return_tensors="np")
    for name in ours:
        assert np.array_equal(ours[name], theirs[name]), name


@pytest.mark.slow
def test_onnx_fp32_reader_gives_the_torch_logits_and_spans(readers) -> None:
    torch_reader, onnx_reader = readers["torch"], readers["onnx"]
    windows = [replace(w, rank=i) for i, w in enumerate(_windows(1) + _windows(2))]
    for question in QUESTIONS:
        feeds = _feeds(torch_reader, question, windows)
        for a, b in zip(torch_reader._loaded.run(feeds), onnx_reader._loaded.run(feeds)):
            assert np.abs(a - b).max() < 1e-3
        expected, got = torch_reader.read(question, windows), onnx_reader.read(question, windows)
        assert [(s.text, s.start, s.window_rank) for s in got] == [(s.text, s.start, s.window_rank) for s in expected]
        assert [s.score for s in got] == pytest.approx([s.score for s in expected], abs=1e-4)
        assert [s.no_answer for s in got] == pytest.approx([s.no_answer for s in expected], abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx-int8", "onnx-int8-per-channel", "onnx-int8-mixed"])
def test_int8_readers_mostly_give_about_the_same_answer(readers, backend) -> None:
    """int8 moves span edges ("330 metres tall" -> "330 metres", "tower" -> "The tower"), so the
    answers are compared by token F1; what int8 costs in accuracy is measured end to end
    (docs/EVALUATION.md: -3 points F1 per tensor, -2 per channel), which is why it is opt-in."""
    from rag.metrics import f1_score

    windows = _windows(2)
    close = 0
    for question in QUESTIONS:
        expected, got = readers["torch"].read(question, windows), readers[backend].read(question, windows)
        assert got and all(DOC[s.start:s.end] == s.text for s in got)
        close += f1_score(got[0].text, [expected[0].text]) >= 0.5
    assert close >= len(QUESTIONS) - 1


@pytest.mark.slow
def test_onnx_embedders_give_the_torch_vectors() -> None:
    from rag.embedding import load_embedder

    texts = ["Who is Steph Lewis?", DOC, "Cats sleep for sixteen hours a day. " * 60]   # the last one is cut at 256
    reference = load_embedder(None, 2, 32, "torch").embed(texts)
    # per-tensor int8 is the rough one (cosine ~0.96 on xquad_en texts on an AVX2 CPU, 0.99 per channel)
    for backend, floor in (("onnx", 0.99999), ("onnx-int8-per-channel", 0.97), ("onnx-int8", 0.85)):
        embedder = load_embedder(None, 2, 32, backend)
        vectors = embedder.embed(texts)
        assert vectors.dtype == np.float32 and vectors.shape == reference.shape
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert (vectors * reference).sum(axis=1).min() >= floor, backend
        assert embedder.name.endswith(backend) and embedder.name != reference.__class__.__name__


def test_a_bulk_embed_runs_batches_side_by_side_and_puts_every_vector_in_its_row(monkeypatch) -> None:
    """Index builds embed several batches at once on a single-threaded session made for the call;
    each text's vector must be the one it gets alone, whatever batch and thread it went through."""
    import rag.onnx_models
    from rag.embedding import load_embedder

    texts = [f"Sentence {i} says {'more and ' * (i % 7)}something about item {i}." for i in range(23)]
    embedder = load_embedder(None, 2, 4, "onnx", build_threads=2)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    made = []
    real = rag.onnx_models.session
    monkeypatch.setattr(rag.onnx_models, "session", lambda path, threads, spinning=False: made.append(threads)
                        or real(path, threads, spinning))
    bulk = embedder.embed(texts)
    assert np.abs(bulk - alone).max() < 1e-5
    assert made == [1]                 # one single-threaded session for the bulk call, not kept


@pytest.mark.slow
def test_changing_the_embedder_backend_rebuilds_the_index(mini_corpus: Path, tmp_path: Path) -> None:
    from rag.corpus import load_corpus
    from rag.embedding import load_embedder
    from rag.index import open_index

    corpus = load_corpus(mini_corpus)
    for backend in ("torch", "onnx-int8"):
        embedder = load_embedder(None, 2, 32, backend)
        _, report = open_index(corpus, embedder, tmp_path / "index", fake_split, model_sha256=embedder.sha256,
                               splitter="fake", show_progress=False)
    assert report.rebuilt_because and len(report.embedded) == len(corpus.documents)


_SERVE = """
import json, sys
from pathlib import Path
from rag import Assistant, Settings
settings = Settings(corpus=Path(sys.argv[1]), index=Path(sys.argv[2]), embedder_backend="onnx-int8",
                    reader_backend="onnx-int8", show_progress=False)
trace = Assistant.load(settings=settings).run("Where did Tom live?")   # what ask() does, with the spans
after_ask = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
import app
print(json.dumps({"span": trace.spans[0].text, "after_ask": after_ask, "after_app": "torch" in sys.modules}))
"""


@pytest.mark.slow
def test_serving_with_onnx_backends_never_imports_torch(mini_corpus: Path, tmp_path: Path) -> None:
    from rag.embedding import load_embedder
    from rag.readers.trained import TrainedReader

    load_embedder(None, 2, 32, "onnx-int8")          # exports the copies here, where torch may load
    TrainedReader(backend="onnx-int8")
    done = subprocess.run([sys.executable, "-c", _SERVE, str(mini_corpus), str(tmp_path / "index")], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"span": "Paris", "after_ask": [], "after_app": False}


def test_prepare_makes_both_onnx_copies_and_says_so(capsys) -> None:
    """``python -m rag prepare`` (run by setup) leaves the default backends' copies in the cache."""
    from rag.__main__ import main
    from rag.onnx_models import DEFAULT_CACHE

    assert Settings().embedder_backend == Settings().reader_backend == "onnx"
    assert main(["prepare"]) == 0
    assert "models ready: embedder all-MiniLM-L6-v2+onnx, reader onnx" in capsys.readouterr().out
    kinds = {folder.name.split("-")[0] for folder in DEFAULT_CACHE.iterdir() if (folder / "fp32.onnx").is_file()}
    assert {"embedder", "reader", "reranker"} <= kinds      # the reranker's weights ship (opt-in)


def test_the_onnx_reader_feeds_only_the_inputs_its_graph_takes(monkeypatch, tmp_path: Path) -> None:
    """An MPNet-style graph has no token_type_ids input; feeding it one was an ONNX Runtime error."""
    import rag.onnx_models as onnx_models
    from rag.readers import trained

    class Input:
        def __init__(self, name: str) -> None:
            self.name = name

    class Session:
        fed: list[set[str]] = []

        def get_inputs(self) -> list[Input]:
            return [Input("input_ids"), Input("attention_mask")]

        def run(self, outputs, feeds):
            self.fed.append(set(feeds))
            return [np.zeros((1, 4), np.float32) for _ in outputs]

    monkeypatch.setattr(onnx_models, "cached_model", lambda *a, **k: tmp_path / "fp32.onnx")
    monkeypatch.setattr(onnx_models, "session", lambda *a, **k: Session())
    loaded = trained._load.__wrapped__(str(ROOT / "models" / "reader"), False, "onnx", 1)
    feeds = {name: np.zeros((1, 4), np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
    start, end = loaded.run(feeds)
    assert Session.fed == [{"input_ids", "attention_mask"}] and start.shape == (1, 4)
