"""The pure parts of the benchmark: statistics, recall, the synthetic corpus; no timed assertions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.tools.bench import (ReplayEmbedder, Stat, parse_importtime, percentile, recall_at_k, report_lines,
                       shipped_questions, summarize, synthetic_corpus, synthetic_vectors)


def _unit(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_summarize_gives_median_and_spread() -> None:
    stat = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert stat == Stat(median=3.0, low=1.0, high=5.0, q1=2.0, q3=4.0, n=5)
    assert summarize([2.0, 4.0]).median == 3.0
    with pytest.raises(ValueError):
        summarize([])


def test_percentile_interpolates_and_checks_q() -> None:
    values = list(range(1, 101))          # 1..100
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_recall_counts_overlap_of_top_k_sets() -> None:
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    found = np.array([[4, 3, 2, 1], [5, 9, -1, -1]])     # order does not matter; -1 never matches
    assert recall_at_k(found, exact, 4) == (4 / 4 + 1 / 4) / 2
    assert recall_at_k(found, exact, 2) == (0 / 2 + 1 / 2) / 2
    with pytest.raises(ValueError):
        recall_at_k(found, exact, 5)


def test_synthetic_vectors_keep_real_rows_and_are_normalised() -> None:
    base = _unit(7, 16)
    out = synthetic_vectors(base, 50, noise=0.5, seed=3, chunk=8)
    assert out.shape == (50, 16) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(out[:7], base)
    # each copy stays close to its source vector, and the same seed gives the same corpus
    cosines = np.sum(out[7:] * base[np.arange(7, 50) % 7], axis=1)
    assert cosines.min() > 0.6 and cosines.max() < 0.999
    np.testing.assert_array_equal(out, synthetic_vectors(base, 50, noise=0.5, seed=3, chunk=8))
    assert synthetic_vectors(base, 3).shape == (3, 16)


def test_synthetic_corpus_has_exact_provenance() -> None:
    texts = ["Alpha one.", "Beta two is longer.", "Gamma."]
    documents, sentences = synthetic_corpus(texts, 7, per_doc=3)
    assert [d.doc_id for d in documents] == ["syn-0", "syn-1", "syn-2"]
    assert [len(sentences[d.doc_id]) for d in documents] == [3, 3, 1]
    for doc in documents:
        for i, s in enumerate(sentences[doc.doc_id]):
            assert doc.text[s.start:s.end] == s.text and s.index == i and s.doc_id == doc.doc_id
    assert sentences["syn-2"][0].text == "Alpha one."     # row 6 wraps around to texts[0]


def test_replay_embedder_hands_out_rows_in_order() -> None:
    vectors = _unit(5, 4)
    embedder = ReplayEmbedder(vectors)
    np.testing.assert_array_equal(embedder.embed(["a", "b"]), vectors[:2])
    np.testing.assert_array_equal(embedder.embed(["c"]), vectors[2:3])
    with pytest.raises(Exception, match="5 vectors"):
        embedder.embed(["d", "e", "f"])


def test_parse_importtime_keeps_top_level_imports_only() -> None:
    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |   torch._C",
        "import time:      2000 |    3000000 | torch",
        "import time:        50 |      50000 | faiss.loader",
        "import time:        10 |     500000 | faiss",
        "some other line",
    ])
    assert parse_importtime(stderr) == {"torch": 3.0, "faiss": 0.55}


def test_shipped_questions_take_first_turns() -> None:
    questions = shipped_questions()
    assert len(questions) > 50 and all(isinstance(q, str) and q for q in questions)
    assert "Who is Steph Lewis?" in questions                # the first turn of conversation c01
    assert "What leave had she just come back from?" not in questions


def test_report_lines_show_targets() -> None:
    def lines_for(stat):
        stages = ("total", "embed", "search", "fusion", "read", "other")
        return report_lines({"warm": {"questions": 3, "p50": {s: stat for s in stages},
                                      "p95": {s: stat for s in stages}}})

    assert any("p50" in line and "<= 60: met" in line for line in lines_for(summarize([0.04, 0.05, 0.06])))
    assert any("p50" in line and "<= 60: MISSED" in line for line in lines_for(summarize([0.1, 0.2, 0.3])))


def test_scale_run_adds_articles_as_segments_without_rewriting_the_large_one(tmp_path) -> None:
    """The --scale code path on a tiny synthetic corpus (no model): every figure is there, the
    article adds made segments, the large segment's files were never rewritten."""
    import numpy as np

    from rag.tools.bench import bench_scale_size

    rng = np.random.default_rng(0)
    base = rng.normal(size=(60, 8)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    texts = [f"Sentence number {i} about topic {i % 7}." for i in range(60)]
    result = bench_scale_size(600, base[:50], texts[:50], base[50:], 1, tmp_path, 0.5)
    for kind, row in result["kinds"].items():
        assert row["segments_after_adds"] == 3 and not row["large_segment_rewritten"], kind
        assert row["segments_after_merge"] == 2 and row["add_article_open_s"].n == 1
    lines = report_lines({"scale": {"real_sentences": 60, "noise": 0.5, "queries": 10, "sizes": {600: result}}})
    assert any("add one article to the open index" in line for line in lines)
    serving = [line for line in lines if "RSS growth serving" in line]
    assert len(serving) == len(result["kinds"]) and all(set(row["serving_rss_mb"]) == {"total", "anon", "file"}
                                                         for row in result["kinds"].values())


def test_thread_rows_compare_the_busy_neighbour_with_quiet() -> None:
    def warm(seconds: float) -> dict:
        return {"p50": {"total": summarize([seconds])}}

    lines = report_lines({"threads_compare": {1: {"quiet": warm(0.1), "neighbour": warm(0.15)},
                                              2: {"quiet": warm(0.08), "neighbour": warm(1.5)}}})
    one = next(line for line in lines if "1 thread" in line)
    two = next(line for line in lines if "2 thread" in line)
    assert "100 / 150 (1.5x)" in one and "met" in one
    assert "80 / 1500" in two and "MISSED" in two


def test_the_neighbour_process_is_busy_then_gone() -> None:
    import time

    from rag.tools.bench import cpu_neighbour

    with cpu_neighbour(seconds=60) as child:
        assert child.poll() is None
        time.sleep(0.5)
    assert child.poll() is not None


def test_roofline_counts_the_multiplies_of_an_encoder_pass(tmp_path) -> None:
    """Per token and layer: 4 h^2 projections + 2 h f feed-forward + 2 L h attention, 2 FLOPs per
    multiply-add; padding is counted per batch (32 unless said) sorted by length."""
    from rag.embedding import default_model_path
    from rag.tools.roofline import flops_per_sequence, token_counts

    config = {"hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 2}
    # one token: 2 layers x 2 x (4*16 + 2*4*8 + 2*1*4) = 4 x 136
    assert flops_per_sequence(config, 1) == 2 * 2 * (64 + 64 + 8)
    assert flops_per_sequence(config, 3) == 2 * 3 * 2 * (64 + 64 + 24)
    counts, padded = token_counts(default_model_path() / "tokenizer.json", ["a b", "a b c d e f"] + ["x"] * 31)
    assert counts[0] == 4 and counts[1] == 8 and counts[2] == 3   # [CLS] ... [SEP]
    # batch 1: the 32 longest (8, 4, 3 x 30) padded to 8; batch 2: one text of 3 tokens
    assert padded == (32 * 8 + 3) / 33
    # batches of 8 (the index build's): 8 x 8, then four batches of 3-token texts
    assert token_counts(default_model_path() / "tokenizer.json", ["a b", "a b c d e f"] + ["x"] * 31, 8)[1] \
        == (8 * 8 + 25 * 3) / 33


def test_real_vectors_measure_finds_the_cheapest_setting_at_the_recall_target(tmp_path, capsys) -> None:
    """``rag.tools.real_vectors measure`` scores IVF and HNSW settings against exact search; a missing
    chunk is a clear error, not a smaller corpus."""
    import json

    import numpy as np

    from rag.tools.real_vectors import main, recall_at

    assert recall_at(np.array([[1, 2, 3]]), np.array([[3, 4, 1]])) == 2 / 3
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    (tmp_path / "meta.json").write_text(json.dumps({"sentences": 3000, "queries": 20, "chunk": 2048,
                                                    "model": "test", "backend": "torch", "fingerprint": "x"}))
    np.save(tmp_path / "queries.npy", vectors[:20])
    np.save(tmp_path / "chunk-00000.npy", vectors[:2048])
    with pytest.raises(SystemExit, match="1 of 2 chunks missing"):
        main(["measure", "--out", str(tmp_path)])
    np.save(tmp_path / "chunk-00001.npy", vectors[2048:])
    assert main(["measure", "--out", str(tmp_path), "--threads", "1"]) == 0
    result = json.loads((tmp_path / "measure.json").read_text())
    assert result["sentences"] == 3000 and result["best"]["recall"] >= 0.95
    assert {r["kind"] for r in result["rows"]} == {"flat", "ivf", "hnsw"}
    assert "cheapest with recall@10 >= 0.95" in capsys.readouterr().out


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat")
def test_other_load_counts_a_foreign_process_and_not_the_benchmark_itself() -> None:
    """The quiet check: the benchmark's own work and its waited-for children are not "other work",
    a process it does not wait for is (the load average counted both, so it always cried busy).
    Compared with what else the machine runs meanwhile, so the test holds on a busy machine too."""
    import os
    import subprocess
    import sys
    import time

    from rag.tools.bench import quiet_note
    from rag.tools.stats import cpu_clock, other_load

    assert "quiet" in quiet_note(0.01) and "unknown" in quiet_note(None)
    spin = "import time\nt = time.monotonic()\nwhile time.monotonic() - t < {}: pass"
    clock = cpu_clock()
    time.sleep(1.0)
    background = other_load(clock)

    clock = cpu_clock()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:      # one core busy in this process
        sum(i * i for i in range(1000))
    subprocess.run([sys.executable, "-c", spin.format(1)], check=True)   # and a second in a waited-for child
    assert other_load(clock) < background + 0.5
    if background > (os.cpu_count() or 1) - 1:
        pytest.skip("no free core to see another process on")

    spinner = subprocess.Popen([sys.executable, "-c", spin.format(3)])
    try:
        time.sleep(0.3)
        clock = cpu_clock()
        time.sleep(1.5)                      # not waited for yet: someone else's work
        assert other_load(clock) > background + 0.4
        assert "other work was running" in quiet_note(other_load(clock))
    finally:
        spinner.kill()
        spinner.wait()


def test_the_bench_names_the_cpu_and_its_vector_instructions() -> None:
    """Figures differ ~3x between an AVX2 and an AVX-512 machine of 2 cores, so each run records which."""
    from rag.tools.bench import cpu_description

    avx512 = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx2 avx512f avx512_vnni avx512_bf16\n" * 2
    assert cpu_description(avx512) == "AMD EPYC; avx2 avx512f avx512_vnni avx512_bf16"
    assert cpu_description("model name\t: Old CPU\nflags\t: fpu sse\n").startswith("Old CPU; none of avx2")
    assert cpu_description().count(";") == 1 or cpu_description() == "unknown"      # this machine's


@pytest.mark.slow
def test_app_memory_is_read_from_the_app_once_it_serves(tmp_path) -> None:
    """``rag bench`` reports app.py's own resident memory (the issue's "after warm-up" figure); an app
    that cannot start is a clear error, not a number."""
    import sys

    from rag.errors import RagError
    from rag.tools.bench import PROJECT_ROOT, bench_app_memory

    found = bench_app_memory(sys.executable, PROJECT_ROOT / "corpus", tmp_path / "index")
    assert 100 < found["rss_mb"] <= found["peak_mb"] < 4000 and found["ready_s"] > 0
    with pytest.raises(RagError, match="exited with"):
        bench_app_memory(sys.executable, tmp_path / "no-such-corpus", tmp_path / "index2", timeout=60)
