"""Benchmarks: ``python -m rag bench`` prints a table and writes ``bench.json`` (see ``--help``).

The default run (under 2 minutes on 2 cores) measures, each figure a median over repeated runs
with its spread [min-max]:

- **cold start**: wall time of a fresh ``python -m rag ask ...`` process until it has printed its
  answer, with a persisted index and with none (the index is built first), plus one extra run
  under ``-X importtime`` that shows which imports the time goes to;
- **warm answers**: ``Assistant.ask`` over the shipped question set (single questions, and the
  first turn of each conversation), p50 and p95, broken down into the stages of ``Answer.timings``;
- **index build throughput**: ``open_index`` on a fresh folder (split, embed, FAISS, write)
  against the raw throughput of the embedding model on the same texts in the same run;
- **memory**: resident memory of ``app.py`` once it serves (after its warm-up), and ``ru_maxrss`` of
  this process.

``--scale`` adds synthetic corpora of 10k, 100k and 1M sentences. Embedding 1M sentences is out
of reach here (~115-130 sentences/s), so a few thousand *real* sentences (shipped corpus, xquad_en,
SQuAD train paragraphs) are embedded once with the real model and the rest are *perturbed copies
of real vectors* (Gaussian noise, renormalised); queries are held-out real sentences that are not
in the corpus. Each corpus goes through the real ``open_index`` (sentences file, FAISS file,
manifest, checksums) with a replaying embedder that hands out the prepared vectors, for the flat
index, IVF and HNSW: build time, size on disk, reopen time, single-query search latency (k=10),
recall@10 against exact search, and the time to add one 30-sentence article (synthetic vectors too),
which goes to a new index segment: from a new process (reads and verifies the stored index first)
and to the open index (as the serving process does), plus the time to merge the article segments.

``--peers`` runs only the side-by-side comparison on xquad_en instead: this project's retrieval
(fusion only, no reader), a Haystack 2.x pipeline and a LlamaIndex pipeline with the same embedding
model, each built and asked in a process of its own (``rag.tools.peers``, which says exactly what
each system does and how recall is counted): build time, recall@1 and @5 of the sentence holding
the answer, retrieval p50 / p95 and peak memory. The peers are an optional install
(``requirements-bench.txt``); without them ``--peers`` says how to install them and exits with 2.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from rag.errors import RagError
from rag.paths import shared_dir
from rag.settings import DEFAULT_CORPUS, APPROXIMATE_ABOVE, BACKENDS, PROJECT_ROOT, READERS, RERANKERS, Settings
from rag.tools.stats import Stat, cpu_clock, other_load, summarize, timed, timed_searches
from rag.types import Document, Sentence
from rag.util import percentile

SHARED = shared_dir()
XQUAD_CORPUS = SHARED / "benchmarks" / "xquad_en" / "corpus.jsonl"
XQUAD_QUESTIONS = SHARED / "benchmarks" / "xquad_en" / "questions.jsonl"
SQUAD_TRAIN = SHARED / "training" / "squad_v1.1_train" / "train.jsonl.gz"
QUESTIONS = DEFAULT_CORPUS / "questions.jsonl"
STAGES = ("embed", "search", "fusion", "rerank", "read", "second_look", "bridge", "total")
# stages most questions skip, shown only when they ran: "rerank" is 0 without a reranker; "second_look" is the whole
# second look (Settings.second_look_depth) and "bridge" both hops of a two-hop question (Settings.bridging)
OCCASIONAL = ("rerank", "second_look", "bridge")
SCALE_SIZES = (10_000, 100_000, 1_000_000)
EF_SEARCH = (16, 32, 64, 128, 256)
NPROBES = (8, 16, 32, 64, 128)
# per approximate index kind: its search-width knob (faiss parameter name), the values to sweep,
# and how to read the knob's current value (faiss.ParameterSpace can set it but not read it)
SWEEPS = {"hnsw": ("efSearch", EF_SEARCH, lambda index: index.hnsw.efSearch),
          "ivf": ("nprobe", NPROBES, lambda index: index.nprobe)}
ARTICLE_SENTENCES = 30
# Targets on this machine (2 cores): (value key, bound, "max" or "min").
TARGETS = {   # the open issues' targets (14: scale, 15: speed), 2 cores, nothing else running
    "warm_p50_s": (0.060, "max"),
    "cold_persisted_s": (2.5, "max"),
    "build_per_s": (300.0, "min"),
    "build_ratio": (0.90, "min"),
    "search_p50_ms": (10.0, "max"),
    "recall@10": (0.95, "min"),
    "index_gb": (2.0, "max"),
    "reopen_s": (2.0, "max"),
    "serving_mb": (1200.0, "max"),
    "add_article_s": (2.0, "max"),
    "app_rss_mb": (600.0, "max"),
}


class BenchError(RagError):
    """A benchmark step failed (a child process exited with an error, a build did not do what it should)."""


# --- pure helpers ---------------------------------------------------------------------------------

def recall_at_k(found: np.ndarray, exact: np.ndarray, k: int) -> float:
    """Mean over queries of |found top-k ∩ exact top-k| / k. Rows are queries, ids are row numbers;
    -1 (FAISS: fewer results than asked) never matches."""
    if found.shape[0] != exact.shape[0]:
        raise ValueError(f"found has {found.shape[0]} queries, exact {exact.shape[0]}")
    if k <= 0 or exact.shape[1] < k:
        raise ValueError(f"k must be in 1..{exact.shape[1]}, got {k}")
    hits = [len(set(f[:k].tolist()) & set(e[:k].tolist()) - {-1}) for f, e in zip(found, exact)]
    return float(np.mean(hits)) / k


def synthetic_vectors(base: np.ndarray, n: int, noise: float = 0.5, seed: int = 0,
                      chunk: int = 100_000) -> np.ndarray:
    """``n`` unit vectors grown from real ones: the ``base`` rows themselves first, then row i is
    ``base[i % len(base)]`` plus Gaussian noise of norm ~``noise``, renormalised (cosine to its
    source ~1/sqrt(1 + noise^2): 0.89 for 0.5, like a close paraphrase).

    Args:
        base: real, L2-normalised embeddings, one per row.
        n: rows wanted.
        noise: norm of the added noise relative to the unit vector.
        seed: the noise is deterministic for a seed.
        chunk: rows generated at a time (bounds the temporary memory at 1M rows).
    Returns:
        float32 array of shape (n, dim), every row of norm 1.
    """
    if base.ndim != 2 or len(base) == 0:
        raise ValueError(f"base must be a non-empty 2-D array, got shape {base.shape}")
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    base = np.ascontiguousarray(base, dtype=np.float32)
    dim = base.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    head = min(n, len(base))
    out[:head] = base[:head]
    for start in range(head, n, chunk):
        stop = min(n, start + chunk)
        block = base[np.arange(start, stop) % len(base)]
        block += rng.standard_normal((stop - start, dim), dtype=np.float32) * np.float32(noise / np.sqrt(dim))
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:stop] = block
    return out


def synthetic_corpus(texts: Sequence[str], n: int, per_doc: int = ARTICLE_SENTENCES,
                     prefix: str = "syn") -> tuple[list[Document], dict[str, list[Sentence]]]:
    """``n`` sentences of real text (``texts`` in turn) packed into documents of ``per_doc``
    sentences, with exact offsets, so the synthetic index has real provenance to store.

    Returns:
        The documents and, per document id, its sentences (what a splitter would return).
    """
    if not texts or n <= 0 or per_doc <= 0:
        raise ValueError(f"need texts, n > 0 and per_doc > 0; got {len(texts)} texts, n={n}, per_doc={per_doc}")
    documents: list[Document] = []
    sentences: dict[str, list[Sentence]] = {}
    width = len(str((n - 1) // per_doc))
    for first in range(0, n, per_doc):
        doc_id = f"{prefix}-{first // per_doc:0{width}d}"
        parts: list[str] = []
        doc_sentences: list[Sentence] = []
        offset = 0
        for i, row in enumerate(range(first, min(n, first + per_doc))):
            text = texts[row % len(texts)]
            doc_sentences.append(Sentence(doc_id, i, offset, offset + len(text), text))
            parts.append(text)
            offset += len(text) + 1
        documents.append(Document(doc_id, doc_id, " ".join(parts)))
        sentences[doc_id] = doc_sentences
    return documents, sentences


class ReplayEmbedder:
    """Hands out prepared vectors in order, whatever the texts: ``open_index`` embeds the fresh
    documents' sentences in corpus order, so row i of a fresh build gets ``vectors[i]``."""

    name = "all-MiniLM-L6-v2+synthetic"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.dim = int(vectors.shape[1])
        self.cursor = 0

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        stop = self.cursor + len(texts)
        if stop > len(self.vectors):
            raise BenchError(f"the replaying embedder has {len(self.vectors)} vectors, {stop} were asked for")
        out = self.vectors[self.cursor:stop]
        self.cursor = stop
        return out


def parse_importtime(stderr: str) -> dict[str, float]:
    """Seconds per top-level package from ``python -X importtime`` output (only imports made at
    the top level count, so nested imports are not counted twice), largest first."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if name.startswith("  ") or not cumulative.strip().isdigit():
            continue                                         # nested import, or the header line
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(cumulative) / 1e6
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


# --- measurements ------------------------------------------------------------------------------

def _child_env() -> dict[str, str]:
    return dict(os.environ)   # rag/__init__ has set the offline flags; children inherit them


def _run_ask(python: str, corpus: Path, index: Path, question: str, reader: str,
             flags: Sequence[str] = (), options: Sequence[str] = ()) -> tuple[float, str]:
    """Seconds from starting ``python -m rag ask`` to its exit with the answer printed, and its stderr.
    ``options`` are more ``rag ask`` arguments (backends, threads)."""
    command = [python, *flags, "-m", "rag", "ask", question, "--corpus", str(corpus), "--index", str(index),
               "--reader", reader, *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=_child_env(), capture_output=True, text=True,
                          timeout=600, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-2000:]}")
    return seconds, done.stderr


def bench_cold_start(corpus: Path, question: str, reader: str, repeats: int, workdir: Path, python: str,
                     options: Sequence[str] = ()) -> dict:
    """Cold starts of ``python -m rag ask`` (with ``options``) without an index (it is built) and with
    a persisted one.

    Returns:
        ``{"no_index_s": Stat, "persisted_s": Stat, "python_s": Stat, "imports_s": {package: s},
        "persisted_index": folder}``; the persisted index is kept in ``workdir`` for the warm run.
    """
    built: list[float] = []
    persisted = workdir / "persisted-index"
    for r in range(repeats):
        folder = workdir / f"cold-none-{r}"
        built.append(_run_ask(python, corpus, folder, question, reader, options=options)[0])
        if r == 0:
            shutil.copytree(folder, persisted)
        shutil.rmtree(folder)
    warm_disk: list[float] = []
    for r in range(repeats):
        folder = workdir / f"cold-persisted-{r}"
        shutil.copytree(persisted, folder)
        warm_disk.append(_run_ask(python, corpus, folder, question, reader, options=options)[0])
        shutil.rmtree(folder)
    folder = workdir / "cold-importtime"
    shutil.copytree(persisted, folder)
    importtime_s, stderr = _run_ask(python, corpus, folder, question, reader,
                                      flags=("-X", "importtime"), options=options)
    shutil.rmtree(folder)
    bare = [timed(lambda: subprocess.run([python, "-c", "pass"], check=True))[0] for _ in range(repeats)]
    return {"no_index_s": summarize(built), "persisted_s": summarize(warm_disk), "python_s": summarize(bare),
            "importtime_run_s": importtime_s, "imports_s": parse_importtime(stderr),
            "persisted_index": str(persisted)}


def shipped_questions(path: Path = QUESTIONS) -> list[str]:
    """The question set's single questions and the first turn of each conversation (later turns
    need the earlier answers as history, which would time the follow-up resolver, not a question)."""
    from rag.tools.evaluate import load_questions

    return [item.cases[0].question for item in load_questions(path)]


def bench_warm(assistant, questions: Sequence[str], repeats: int) -> dict:
    """Per-stage latency of ``assistant.ask`` over ``questions``, ``repeats`` passes, one untimed
    warm-up question first (the reader and spaCy load lazily on first use).

    Returns:
        ``{"questions": n, "p50": {stage: Stat}, "p95": {stage: Stat}}``: each pass's p50 and p95
        per stage, summarised over passes. "other" is total minus the named stages (citing,
        confidence).
    """
    assistant.ask(questions[0])
    per_pass: list[dict[str, list[float]]] = []
    for _ in range(repeats):
        seen: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "other")}
        for question in questions:
            timings = assistant.ask(question).timings
            for stage in STAGES:
                seen[stage].append(timings.get(stage, 0.0))
            seen["other"].append(timings["total"] - sum(timings.get(s, 0.0) for s in STAGES[:-1]))
        per_pass.append(seen)
    stages = list(per_pass[0])
    return {"questions": len(questions),
            "p50": {s: summarize([percentile(p[s], 50) for p in per_pass]) for s in stages},
            "p95": {s: summarize([percentile(p[s], 95) for p in per_pass]) for s in stages}}


_NEIGHBOUR = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@contextmanager
def cpu_neighbour(seconds: float = 1800.0) -> Iterator[subprocess.Popen]:
    """A CPU-bound child process (one core kept busy, as an index build or a second worker would)
    for the duration of the block. It is stopped on leaving, and stops by itself after ``seconds``."""
    child = subprocess.Popen([sys.executable, "-c", _NEIGHBOUR.format(seconds=seconds)])
    try:
        time.sleep(0.5)                       # let it start spinning before anything is timed
        yield child
    finally:
        child.terminate()
        child.wait(timeout=30)


def bench_threads(load_assistant: Callable[[int], object], questions: Sequence[str], repeats: int,
                  threads: Sequence[int], say: Callable[[str], None]) -> dict:
    """Warm answers per serving thread count, quiet and beside a CPU-bound neighbour process.

    Returns:
        ``{threads: {"quiet": bench_warm result, "neighbour": bench_warm result}}``.
    """
    out: dict = {}
    for count in threads:
        assistant = load_assistant(count)
        say(f"warm answers with {count} thread(s): quiet, then beside a CPU-bound neighbour")
        quiet = bench_warm(assistant, questions, repeats)
        with cpu_neighbour():
            busy = bench_warm(assistant, questions, repeats)
        out[count] = {"quiet": quiet, "neighbour": busy}
    return out


class _TimedEmbedder:
    """Wraps an embedder and adds up the seconds spent in ``embed`` (to split a build's time)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.seconds = inner, inner.name, inner.dim, 0.0

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        seconds, vectors = timed(lambda: self.inner.embed(texts, show_progress=show_progress))
        self.seconds += seconds
        return vectors


def bench_build(documents: Sequence[Document], embedder, repeats: int, workdir: Path) -> dict:
    """Index build throughput (``open_index`` into an empty folder) against the raw embedding
    throughput of the same texts, alternating which goes first. spaCy is loaded before timing.

    Returns:
        ``{"sentences", "build_per_s", "raw_per_s", "ratio", "split_s", "embed_s", "rest_s"}``
        (Stats; "rest" = FAISS, writing files and checksums).
    """
    from rag.assistant import SPLITTER_ID
    from rag.corpus import Corpus
    from rag.embedding import MODEL_SHA256
    from rag.index import embedding_text, open_index
    from rag.splitting import split_documents

    corpus = Corpus(list(documents))
    by_doc = split_documents(corpus.documents)                       # loads spaCy, untimed
    texts = [embedding_text(d, s) for d in corpus.documents for s in by_doc[d.doc_id]]
    split_s: list[float] = []

    def timed_split(docs: Sequence[Document]) -> dict[str, list[Sentence]]:
        seconds, result = timed(lambda: split_documents(docs))
        split_s.append(seconds)
        return result

    build_s, raw_s, embed_s = [], [], []
    for r in range(repeats):
        order = ("build", "raw") if r % 2 == 0 else ("raw", "build")
        for step in order:
            if step == "raw":
                raw_s.append(timed(lambda: embedder.embed(texts))[0])
                continue
            folder = workdir / f"build-{r}"
            counting = _TimedEmbedder(embedder)
            seconds, (index, _) = timed(lambda: open_index(corpus, counting, folder, timed_split,
                                                           model_sha256=MODEL_SHA256, splitter=SPLITTER_ID))
            if len(index) != len(texts):
                raise BenchError(f"the build indexed {len(index)} sentences, expected {len(texts)}")
            build_s.append(seconds)
            embed_s.append(counting.seconds)
            shutil.rmtree(folder)
    n = len(texts)
    return {"sentences": n, "documents": len(corpus.documents),
            "build_per_s": summarize([n / s for s in build_s]), "raw_per_s": summarize([n / s for s in raw_s]),
            "ratio": summarize([raw / build for raw, build in zip(raw_s, build_s)]),
            "split_s": summarize(split_s), "embed_s": summarize(embed_s),
            "rest_s": summarize([b - s - e for b, s, e in zip(build_s, split_s, embed_s)])}


def _roofline(documents: Sequence[Document], raw_per_s: float, settings: Settings) -> dict:
    """The embedding roofline (rag.tools.roofline) for the texts the build embedded."""
    from rag.embedding import default_model_path
    from rag.index import embedding_text
    from rag.splitting import split_documents
    from rag.tools.roofline import roofline

    by_doc = split_documents(documents)
    texts = [embedding_text(d, s) for d in documents for s in by_doc[d.doc_id]]
    return roofline(default_model_path(), texts, raw_per_s, settings.build_threads or settings.threads,
                    settings.embedder_backend, settings.batch_size)


def build_documents(limit_docs: int = 0) -> tuple[str, list[Document]]:
    """The corpus for the throughput run: xquad_en if present, else the shipped corpus repeated."""
    from rag.corpus import load_corpus

    if XQUAD_CORPUS.is_file():
        docs = load_corpus(XQUAD_CORPUS).documents
        name = "xquad_en"
    else:
        shipped = load_corpus(DEFAULT_CORPUS).documents
        docs = [Document(f"{d.doc_id}-{i}", d.title, d.text) for i in range(15) for d in shipped]
        name = "shipped corpus x15"
    return name, docs[:limit_docs] if limit_docs else docs


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory (ru_maxrss, kB on Linux) of this process. (Not of its children: a child
    spawned once this process is large inherits its resident size as the child's own peak.)"""
    return {"self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _status_mb(pid: int | str = "self", **fields: str) -> dict[str, float]:
    """Memory fields of /proc/<pid>/status in MB, under the names given (``total="VmRSS"``)."""
    wanted = {v: k for k, v in fields.items()}
    with open(f"/proc/{pid}/status") as handle:
        return {wanted[k]: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in handle)
                if k in wanted}


def bench_app_memory(python: str, corpus: Path, index: Path, options: Sequence[str] = (),
                     timeout: float = 180.0) -> dict:
    """Resident memory of the chat UI, ``app.py``, once it serves (it has warmed up by then: models
    loaded, two questions answered): started on a free port with the persisted ``index``, read from
    /proc, stopped. (A child's ``ru_maxrss`` cannot tell this: a child spawned by this large
    process inherits its resident size as its own peak.)

    Returns:
        ``{"rss_mb", "peak_mb", "ready_s"}``.
    """
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [python, "app.py", "--port", str(port), "--corpus", str(corpus), "--index", str(index),
               "--history", str(index.parent / "app-history.sqlite3"), *options]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=_child_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if child.poll() is not None:
                raise BenchError(f"{' '.join(command)} exited with {child.returncode}: {child.stderr.read()[-2000:]}")
            if time.perf_counter() - started > timeout:
                raise BenchError(f"app.py did not serve within {timeout:.0f} s")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        ready = time.perf_counter() - started
        return {**_status_mb(child.pid, rss_mb="VmRSS", peak_mb="VmHWM"), "ready_s": ready}
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _rss_parts_mb() -> dict[str, float]:
    """Resident memory of this process now: total, anonymous (heap) and file-backed (mapped files)."""
    return _status_mb(total="VmRSS", anon="RssAnon", file="RssFile")


def _rss_mb() -> float:
    """Current resident memory of this process (not the peak)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- scale ------------------------------------------------------------------------------------

def real_sentences(limit: int) -> list[str]:
    """Up to ``limit`` distinct real sentences: the shipped corpus, xquad_en, then SQuAD train paragraphs."""
    from rag.corpus import load_corpus
    from rag.splitting import split_documents

    docs = list(load_corpus(DEFAULT_CORPUS).documents)
    if XQUAD_CORPUS.is_file():
        docs += load_corpus(XQUAD_CORPUS).documents
    if SQUAD_TRAIN.is_file():
        contexts: dict[str, None] = {}
        with gzip.open(SQUAD_TRAIN, "rt", encoding="utf-8") as handle:
            for line in handle:
                contexts.setdefault(json.loads(line)["context"], None)
                if len(contexts) >= limit // 4:     # ~5 sentences a paragraph: enough to reach the limit
                    break
        docs += [Document(f"squad-{i}", "", text) for i, text in enumerate(contexts)]
    seen: dict[str, None] = {}
    for sentences in split_documents(docs).values():
        for s in sentences:
            if len(s.text) >= 20:
                seen.setdefault(s.text, None)
    return list(seen)[:limit]


def _sweep(index, knob: str, values: Sequence[int], current: Callable[[object], int], queries: np.ndarray,
           exact: np.ndarray) -> dict:
    """Recall@10 and search p50 at each value of the index's search-width knob (efSearch of HNSW,
    nprobe of IVF), set through faiss.ParameterSpace; the index keeps its own value afterwards."""
    import faiss

    from rag.index import dense_search

    space = faiss.ParameterSpace()
    default = int(current(index))
    points = {}
    for value in values:
        space.set_index_parameter(index, knob, value)
        found = dense_search(index, queries, 10)[1]
        lat = [1000 * s for s in timed_searches(lambda row: dense_search(index, row, 10), queries)[1]]
        points[value] = {"recall@10": recall_at_k(found, exact, 10), "search_p50_ms": percentile(lat, 50)}
    space.set_index_parameter(index, knob, default)
    return {"knob": knob, "default": default, "points": points}


def bench_scale_size(n: int, base: np.ndarray, base_texts: Sequence[str], queries: np.ndarray, repeats: int,
                     workdir: Path, noise: float, bm25_max: int = 100_000,
                     kinds: Sequence[str] = ("flat", "ivf", "hnsw")) -> dict:
    """Indexes of ``kinds`` (flat, IVF, HNSW) over ``n`` synthetic sentences, built and updated through
    ``open_index``, and (up to ``bm25_max`` rows) the BM25 build the hybrid retriever does on every start."""
    import faiss

    from rag.corpus import Corpus
    from rag.util import file_checksum
    from rag.index import choose_index_kind, dense_search, make_faiss_index, manifest_files, merge_segments, open_index

    vectors = synthetic_vectors(base, n, noise=noise, seed=n)
    documents, by_doc = synthetic_corpus(base_texts, n)
    # 2 x repeats articles: added from disk (a new process), then to the open index (the serving one)
    articles, article_sentences = synthetic_corpus(base_texts[::-1], ARTICLE_SENTENCES * 2 * repeats, prefix="zz-new")
    article_vectors = synthetic_vectors(base[::-1], ARTICLE_SENTENCES * 2 * repeats + len(base), noise=noise,
                                        seed=n + 1)[len(base):]
    all_sentences = {**by_doc, **article_sentences}

    def split(docs: Sequence[Document]) -> dict[str, list[Sentence]]:
        return {d.doc_id: all_sentences[d.doc_id] for d in docs}

    result: dict = {"rows": n, "auto_kind": choose_index_kind(n), "kinds": {}}
    if n <= bm25_max:
        from rag.retrieval import BM25, bm25_texts

        rows = [s for d in documents for s in by_doc[d.doc_id]]
        result["bm25_build_s"] = timed(lambda: BM25(bm25_texts(rows)))[0]
    exact = dense_search(make_faiss_index(vectors, "flat"), queries, 10)[1]   # the true top 10
    for kind in kinds:
        folder = workdir / f"{kind}-{n}"
        common = {"model_sha256": "synthetic", "splitter": "synthetic", "kind": kind}
        build_s, (index, report) = timed(lambda: open_index(Corpus(documents), ReplayEmbedder(vectors), folder,
                                                            split, **common))
        if len(index) != n or report.reused:
            raise BenchError(f"{kind} build of {n} rows produced {len(index)} rows")
        files = {role: folder / name for role, name in index.manifest["segments"][0]["files"].items()}
        big_files = {name: (folder / name).stat().st_mtime_ns for name in manifest_files(index.manifest)}
        queries_ids = dense_search(index.faiss, queries, 10)[1]
        row: dict = {"build_s": build_s, "faiss_bytes": files["faiss"].stat().st_size,
                     "sentences_bytes": files["sentences"].stat().st_size,
                     "recall@10": recall_at_k(queries_ids, exact, 10)}
        latencies = timed_searches(lambda row: dense_search(index.faiss, row, 10), queries)[1]
        row["search_ms"] = summarize([1000 * s for s in latencies])
        row["search_p95_ms"] = percentile([1000 * s for s in latencies], 95)
        if kind in SWEEPS:
            row["sweep"] = _sweep(index.faiss, *SWEEPS[kind], queries, exact)
        del index
        gc.collect()
        # reopening: FAISS's own read, and the whole open_index (checksums, sentences file, FAISS)
        load_s, load_mb = [], []
        for _ in range(repeats):
            before = _rss_mb()
            seconds, loaded = timed(lambda: faiss.read_index(str(files["faiss"])))
            load_s.append(seconds)
            load_mb.append(_rss_mb() - before)
            del loaded
        row["read_index_s"] = summarize(load_s)
        row["index_rss_mb"] = summarize(load_mb)
        row["checksum_s"] = summarize([timed(lambda: [file_checksum(p) for p in files.values()])[0]
                                     for _ in range(repeats)])
        reopen, reopen_mb = [], []
        for _ in range(repeats):
            gc.collect()
            before = _rss_mb()
            seconds, (loaded, report) = timed(lambda: open_index(Corpus(documents), ReplayEmbedder(vectors[:0]),
                                                                 folder, split, **common))
            if report.changed:
                raise BenchError(f"reopening the {kind} index of {n} rows changed it: {report}")
            reopen.append(seconds)
            reopen_mb.append(_rss_mb() - before)
            del loaded
        row["reopen_s"] = summarize(reopen)
        # freed memory is not always returned to the OS, so the first (largest) growth is the honest one
        row["reopen_rss_mb"] = max(reopen_mb)
        # serving: reopen, then every query through dense search and BM25; resident growth split into
        # anonymous memory (heap) and file-backed pages (memory-mapped vectors, table, postings)
        gc.collect()
        before = _rss_parts_mb()
        loaded, _ = open_index(Corpus(documents), ReplayEmbedder(vectors[:0]), folder, split, **common)
        for i, query in enumerate(queries):
            loaded.search(query, 10)
            if loaded.bm25 is not None:
                loaded.bm25.search(base_texts[i % len(base_texts)], 10)
        after = _rss_parts_mb()
        row["serving_rss_mb"] = {part: after[part] - before[part] for part in after}
        del loaded
        gc.collect()
        # one new article at a time, each written as a new segment (the large one is not rewritten):
        # first by a new process (open_index reads and verifies the stored index, then adds) ...
        add_s, add_memory_ms = [], []
        for r in range(repeats):
            corpus = Corpus(documents + articles[:r + 1])
            extra = np.ascontiguousarray(article_vectors[r * ARTICLE_SENTENCES:(r + 1) * ARTICLE_SENTENCES])
            seconds, (loaded, report) = timed(lambda: open_index(corpus, ReplayEmbedder(extra), folder, split,
                                                                 **common))
            if report.embedded != [articles[r].doc_id] or report.removed or report.rebuilt_because:
                raise BenchError(f"adding one article to the {kind} index did more than append: {report}")
            add_s.append(seconds)
            add_memory_ms.append(1000 * timed(lambda: make_faiss_index(extra, "flat"))[0])
            del loaded                              # never two copies of a 1M-row index at once
            gc.collect()
        row["add_article_s"] = summarize(add_s)
        row["add_in_memory_ms"] = summarize(add_memory_ms)
        # ... then by the serving process, which hands open_index the index it has open
        # (Assistant._reload): only the new segment is written and read
        loaded, _ = open_index(Corpus(documents + articles[:repeats]), ReplayEmbedder(vectors[:0]), folder, split,
                               **common)
        add_open_s = []
        for r in range(repeats, 2 * repeats):
            corpus = Corpus(documents + articles[:r + 1])
            extra = article_vectors[r * ARTICLE_SENTENCES:(r + 1) * ARTICLE_SENTENCES]
            started = time.perf_counter()
            loaded, report = open_index(corpus, ReplayEmbedder(extra), folder, split, current=loaded, **common)
            add_open_s.append(time.perf_counter() - started)
            if report.embedded != [articles[r].doc_id]:
                raise BenchError(f"adding one article to the open {kind} index did more than append: {report}")
        row["add_article_open_s"] = summarize(add_open_s)
        row["segments_after_adds"] = len(loaded.segments)
        row["large_segment_rewritten"] = any((folder / name).stat().st_mtime_ns != mtime
                                             for name, mtime in big_files.items())
        # merging the article segments with each other (the large segment stays as it is)
        row["merge_small_s"], merged = timed(lambda: merge_segments(folder, max_segments=1, current=loaded))
        row["segments_after_merge"] = len(merged.segments) if merged is not None else len(loaded.segments)
        del loaded, merged
        gc.collect()
        shutil.rmtree(folder)
        result["kinds"][kind] = row
    return result


def bench_scale(embedder, sizes: Sequence[int], repeats: int, workdir: Path, real_limit: int, n_queries: int,
                noise: float, progress: Callable[[str], None], kinds: Sequence[str] = ("flat", "ivf", "hnsw")) -> dict:
    """Real embeddings of ``real_limit`` sentences (``n_queries`` held out as queries), then
    ``bench_scale_size`` for each size."""
    texts = real_sentences(real_limit)
    embed_s, real = timed(lambda: embedder.embed(texts))
    order = np.random.default_rng(7).permutation(len(texts))
    held_out, kept = order[:n_queries], np.sort(order[n_queries:])
    out: dict = {"real_sentences": len(texts), "real_embed_s": embed_s, "queries": len(held_out),
                 "noise": noise, "sizes": {}}
    for n in sizes:
        progress(f"scale: {n:,} rows")
        out["sizes"][n] = bench_scale_size(n, real[kept], [texts[i] for i in kept], real[held_out], repeats,
                                           workdir, noise, kinds=kinds)
    return out


# --- peers: Haystack and LlamaIndex beside us ---------------------------------------------------

def _run_peer(python: str, system: str, corpus: Path, questions: Path, limit: int, limit_questions: int,
              threads: int, chunk_tokens: int) -> dict:
    """One ``python -m rag.tools.peers`` process: builds ``system``, asks the questions, returns its JSON."""
    command = [python, "-m", "rag.tools.peers", "--system", system, "--corpus", str(corpus),
               "--questions", str(questions), "--limit", str(limit), "--limit-questions", str(limit_questions),
               "--threads", str(threads), "--chunk-tokens", str(chunk_tokens)]
    # every OpenMP pool (torch, FAISS, BLAS) gets the same thread count in every system
    env = {**_child_env(), "OMP_NUM_THREADS": str(threads), "HAYSTACK_TELEMETRY_ENABLED": "False"}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=3600,
                          check=False)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_peers(corpus: Path, questions: Path, limit: int, limit_questions: int, threads: int, chunk_tokens: int,
                repeats: int, python: str, progress: Callable[[str], None]) -> dict:
    """Each system of ``rag.tools.peers.SYSTEMS`` measured in ``repeats`` fresh processes, the systems
    taking turns so that a slow spell of the machine does not fall on one of them.

    Returns:
        ``{"documents", "questions", "threads", "candidates", "top_k", "systems": {name: row}}``, a row
        holding its label, units and words per unit, and Stats over runs of recall@1 / @5, build
        seconds, per-run p50 / p95 retrieval ms and peak RSS MB (and RSS before the build).
    """
    from rag.tools.peers import SYSTEMS

    runs: dict[str, list[dict]] = {name: [] for name in SYSTEMS}
    for r in range(repeats):
        for name in SYSTEMS:
            progress(f"peers: {name}, run {r + 1} of {repeats}")
            runs[name].append(_run_peer(python, name, corpus, questions, limit, limit_questions, threads,
                                        chunk_tokens))
    first = runs[SYSTEMS[0]][0]
    out: dict = {key: first[key] for key in ("documents", "questions", "threads", "candidates", "top_k")}
    out["systems"] = {}
    for name, results in runs.items():
        ms = [[1000 * s for s in r["latencies_s"]] for r in results]
        out["systems"][name] = {
            "label": results[0]["label"], "units": results[0]["units"], "unit_words": results[0]["unit_words"],
            "retrieved_words": results[0].get("retrieved_words"),
            # the same in every run unless float noise reorders a tie; then the spread is shown
            "recall@1": summarize([r["recall@1"] for r in results]),
            "recall@5": summarize([r["recall@5"] for r in results]),
            "build_s": summarize([r["build_s"] for r in results]),
            "p50_ms": summarize([percentile(m, 50) for m in ms]), "p95_ms": summarize([percentile(m, 95) for m in ms]),
            "peak_mb": summarize([r["peak_rss_mb"] for r in results]),
            "before_build_mb": summarize([r["rss_before_build_mb"] for r in results])}
    return out


def peers_report_lines(peers: dict) -> list[str]:
    """The side-by-side table: one row per system."""
    head = (f"PEERS on xquad_en: {peers['documents']} paragraphs, {peers['questions']} questions; all-MiniLM-L6-v2 "
            f"for all; {peers['threads']} torch/OpenMP threads; top {peers['candidates']} per retriever, fused (each system's own way), "
            f"{peers['top_k']} fused units; medians over runs [min-max]")
    headers = ("system", "units (words/unit)", "words/unit returned", "build s", "R@1", "R@5", "p50 ms", "p95 ms", "peak MB (before build)")
    recall = lambda stat: f"{stat.median:.3f}" + (f" [{stat.low:.3f}-{stat.high:.3f}]" if stat.low != stat.high else "")
    rows = [(r["label"], f"{r['units']} ({r['unit_words']:.0f})",
             "-" if r.get("retrieved_words") is None else f"{r['retrieved_words']:.0f}", _fmt(r["build_s"], digits=4), recall(r["recall@1"]),
             recall(r["recall@5"]), _fmt(r["p50_ms"], digits=4), _fmt(r["p95_ms"], digits=4),
             f"{r['peak_mb'].median:.0f} ({r['before_build_mb'].median:.0f})") for r in peers["systems"].values()]
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    return [head] + ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in (headers, *rows)]


def _main_peers(args: argparse.Namespace) -> int:
    """``--peers``: check the peers are installed and the benchmark is there, run, print, write peers.json."""
    from rag.tools.peers import INSTALL_HINT, missing_peers

    missing = missing_peers()
    if missing:
        print(f"error: --peers needs {', '.join(missing)}, not installed in {sys.executable};\n{INSTALL_HINT}",
              file=sys.stderr)
        return 2
    if not (XQUAD_CORPUS.is_file() and XQUAD_QUESTIONS.is_file()):
        print(f"error: --peers runs on xquad_en, not found at {XQUAD_CORPUS.parent} (see rag/paths.py: "
              f"--shared or RAG_SHARED)", file=sys.stderr)
        return 2
    say = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
    started, clock = time.perf_counter(), cpu_clock()
    try:
        peers = bench_peers(XQUAD_CORPUS, XQUAD_QUESTIONS, args.peers_limit, args.peers_questions, args.peers_threads,
                            args.peers_chunk_tokens, args.repeats, sys.executable, say)
    except (RagError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out / "peers.json"
    load = other_load(clock)
    _write_json(out, {"environment": _environment(), "repeats": args.repeats, "peers": peers,
                      "seconds": time.perf_counter() - started, "other_load": load})
    print("\n".join(peers_report_lines(peers)))
    print(f"({time.perf_counter() - started:.0f} s; {args.repeats} runs per system; {quiet_note(load)}; "
          f"written to {out})")
    return 0


# --- the report -----------------------------------------------------------------------------------

def _fmt(stat: Stat, scale: float = 1.0, digits: int = 3, iqr: bool = False) -> str:
    """``median [min-max]``, or ``median [IQR q1-q3]`` for a distribution of many single timings."""
    f = lambda v: f"{v * scale:.{digits}g}"
    if iqr:
        return f"{f(stat.median)} [IQR {f(stat.q1)}-{f(stat.q3)}]"
    return f"{f(stat.median)} [{f(stat.low)}-{f(stat.high)}]"


def _verdict(key: str, value: float, shown: float = 1.0) -> str:
    """"<= bound: met" or "... MISSED"; ``shown`` converts the bound to the unit the row is printed in."""
    bound, how = TARGETS[key]
    ok = value <= bound if how == "max" else value >= bound
    return f"{'<=' if how == 'max' else '>='} {bound * shown:g}: {'met' if ok else 'MISSED'}"


def report_lines(results: dict) -> list[str]:
    """The printed table, one line per figure: what, median [min-max], and the target if any."""
    rows: list[tuple[str, str, str]] = []
    if "cold" in results:
        c = results["cold"]
        rows += [("cold start, persisted index (s)", _fmt(c["persisted_s"]),
                  _verdict("cold_persisted_s", c["persisted_s"].median)),
                 ("cold start, no index: builds it (s)", _fmt(c["no_index_s"]), ""),
                 ("  bare python start (s)", _fmt(c["python_s"]), "")]
        top = list(c["imports_s"].items())[:5]
        rows.append(("  imports in one run (s, -X importtime)", ", ".join(f"{k} {v:.2f}" for k, v in top), ""))
    if "warm" in results:
        w = results["warm"]
        rows.append((f"warm answer, {w['questions']} questions, p50 (ms)", _fmt(w["p50"]["total"], 1000),
                     _verdict("warm_p50_s", w["p50"]["total"].median, 1000)))
        rows.append(("warm answer p95 (ms)", _fmt(w["p95"]["total"], 1000), ""))
        for stage in (*STAGES[:-1], "other"):        # the parts of "total", and what they leave out
            if stage not in w["p50"] or (stage in OCCASIONAL and not w["p95"][stage].median):
                continue
            rows.append((f"  {stage} p50 / p95 (ms)", f"{_fmt(w['p50'][stage], 1000)} / "
                                                      f"{w['p95'][stage].median * 1000:.3g}", ""))
    for count, pair in results.get("threads_compare", {}).items():
        quiet, busy = pair["quiet"]["p50"]["total"], pair["neighbour"]["p50"]["total"]
        rows.append((f"warm answer p50 with {count} thread(s): quiet / beside a busy neighbour (ms)",
                     f"{1000 * quiet.median:.0f} / {1000 * busy.median:.0f} ({busy.median / quiet.median:.1f}x)",
                     f"<= 2x quiet: {'met' if busy.median <= 2 * quiet.median else 'MISSED'}"))
    if "build" in results:
        b = results["build"]
        rows += [(f"index build, {b['corpus']} {b['sentences']} sentences (sent/s)", _fmt(b["build_per_s"]),
                  _verdict("build_per_s", b["build_per_s"].median)),
                 ("raw embedding, same texts (sent/s)", _fmt(b["raw_per_s"]), ""),
                 ("build / raw throughput", _fmt(b["ratio"]), _verdict("build_ratio", b["ratio"].median)),
                 ("  build time in split / embed / rest (s)",
                  f"{b['split_s'].median:.2f} / {b['embed_s'].median:.2f} / {b['rest_s'].median:.2f}", "")]
    if "app_memory" in results:
        a = results["app_memory"]
        rows.append(("resident memory of app.py after warm-up (MB; peak)", f"{a['rss_mb']:.0f} ({a['peak_mb']:.0f})",
                     _verdict("app_rss_mb", a["rss_mb"])))
    if "memory" in results:
        m = results["memory"]
        rows.append(("peak memory of the bench process (MB)", f"{m['self_mb']:.0f}", ""))
    if "scale" in results:
        s = results["scale"]
        rows.append((f"SCALE: synthetic (perturbed copies of {s['real_sentences']} real MiniLM vectors, "
                     f"noise {s['noise']}), {s['queries']} held-out real queries", "", ""))
        for n, size in s["sizes"].items():
            if "bm25_build_s" in size:
                rows.append((f"{int(n):,}: BM25 build over the sentences (s, once per start)",
                             f"{size['bm25_build_s']:.3g}", ""))
            for kind, r in size["kinds"].items():
                auto = kind == size["auto_kind"]
                mark = " (auto)" if auto else ""
                tag = f"{int(n):,} {kind}{mark}"
                target = (lambda key, value: _verdict(key, value) if auto else "")
                gb = r["faiss_bytes"] / 1e9
                rows += [(f"{tag}: build (s)", f"{r['build_s']:.3g}", ""),
                         (f"{tag}: RSS growth on open_index reopen (MB)", f"{r['reopen_rss_mb']:.0f}", ""),
                         (f"{tag}: RSS growth serving (reopen + {s['queries']} queries, dense + BM25), MB: "
                          "total / heap / mapped files",
                          " / ".join(f"{r['serving_rss_mb'][p]:.0f}" for p in ("total", "anon", "file"))
                          if "serving_rss_mb" in r else "-", target("serving_mb", r.get("serving_rss_mb", {}).get("total"))),
                         (f"{tag}: index on disk (GB) / RSS on load (MB)",
                          f"{gb:.3f} / {_fmt(r['index_rss_mb'])}", target("index_gb", gb)),
                         (f"{tag}: faiss.read_index (s)", _fmt(r["read_index_s"]), target("reopen_s", r["read_index_s"].median)),
                         (f"{tag}: open_index reopen (s) [checksum part]",
                          f"{_fmt(r['reopen_s'])} [{r['checksum_s'].median:.2f}]", target("reopen_s", r["reopen_s"].median)),
                         (f"{tag}: search k=10 p50 (ms) [p95]", f"{_fmt(r['search_ms'], iqr=True)} [{r['search_p95_ms']:.3g}]",
                          target("search_p50_ms", r["search_ms"].median)),
                         (f"{tag}: recall@10 vs exact", f"{r['recall@10']:.3f}", target("recall@10", r["recall@10"])),
                         (f"{tag}: add one {ARTICLE_SENTENCES}-sentence article, new process (s) [in memory ms]",
                          f"{_fmt(r['add_article_s'])} [{r['add_in_memory_ms'].median:.3g}]",
                          target("add_article_s", r["add_article_s"].median)),
                         (f"{tag}: add one article to the open index (s), as a new segment",
                          _fmt(r["add_article_open_s"]), target("add_article_s", r["add_article_open_s"].median)),
                         (f"{tag}: segments after {2 * r['add_article_s'].n} adds / large segment rewritten / "
                          f"merging the small ones (s)",
                          f"{r['segments_after_adds']} / {'yes' if r['large_segment_rewritten'] else 'no'} / "
                          f"{r['merge_small_s']:.3g} -> {r['segments_after_merge']} segments", "")]
                if "sweep" in r:
                    sw = r["sweep"]
                    points = ", ".join(f"{sw['knob']} {value} {v['recall@10']:.3f}/{v['search_p50_ms']:.2f}ms"
                                       for value, v in sw["points"].items())
                    rows.append((f"{tag}: {sw['knob']} sweep recall/p50 (default {sw['default']})", points, ""))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows if r[2]) if any(r[2] for r in rows) else 20
    return [f"{what:<{width}}  {value:<{vwidth}}  {target}".rstrip() for what, value, target in rows]


def _with_threads(assistant, count: int):
    """The assistant answering with ``count`` threads per model call (models loaded anew for it;
    torch's thread count is process-wide, so it is set here too)."""
    from rag.assistant import Assistant

    settings = assistant.settings.with_(threads=count)
    if "torch" in (settings.embedder_backend, settings.reader_backend):
        import torch

        torch.set_num_threads(count)
    return Assistant.load(settings=settings)


def _jsonable(value: object) -> object:
    if isinstance(value, Stat):
        return asdict(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _write_json(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable(results), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


OTHER_LOAD_LIMIT = 0.2   # cores other processes may take on average before timings are called not comparable


def quiet_note(load: float | None) -> str:
    """One clause on whether other processes ran during the benchmark, from ``other_load`` (its own
    children excluded; the neighbour that ``--neighbour`` starts is one of them)."""
    if load is None:
        return "whether other work ran is unknown (no /proc/stat)"
    verdict = "quiet" if load <= OTHER_LOAD_LIMIT else "other work was running, timings are not comparable"
    return f"other processes took {load:.2f} of {os.cpu_count()} cores on average: {verdict}"


# the vector instructions that decide how fast these models run: fp32 and int8 throughput differ ~3x
# between a 2-core AVX2 machine and an AVX-512 one, so figures compare only within one kind
_CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")


def cpu_description(cpuinfo: str | None = None) -> str:
    """The CPU's model name and which of ``_CPU_FLAGS`` it has ("AMD EPYC; avx2 avx512f avx512_vnni"),
    from ``/proc/cpuinfo`` (or the text given); "unknown" where it cannot be read."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "unknown"
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    model = fields.get("model name") or platform.processor() or "unknown CPU"
    return f"{model}; {' '.join(f for f in _CPU_FLAGS if f in flags) or 'none of ' + ', '.join(_CPU_FLAGS)}"


def _environment() -> dict:
    import faiss

    commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    return {"date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "cpus": os.cpu_count(),
            "cpu": cpu_description(), "python": platform.python_version(), "faiss": faiss.__version__, "commit": commit,
            "load_average": os.getloadavg()}


# --- command line ---------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    from rag.tools.peers import PeerConfig

    parser = argparse.ArgumentParser(prog="python -m rag bench", description="Speed and scale benchmarks: prints a table and writes <out>/bench.json. "
                                     "Every figure is a median over --repeats runs [min-max]. See docs/SCALING.md.")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out", help="folder for bench.json")
    parser.add_argument("--repeats", type=int, default=3, help="runs behind every median")
    parser.add_argument("--reader", choices=READERS, default=Settings.reader, help="reader for the answers")
    parser.add_argument("--embedder-backend", choices=BACKENDS, default=Settings.embedder_backend,
                        help="what runs the embedding model (torch, or ONNX Runtime fp32 / int8)")
    parser.add_argument("--reader-backend", choices=BACKENDS, default=Settings.reader_backend,
                        help="what runs the trained reader")
    parser.add_argument("--reranker", choices=RERANKERS, default=Settings.reranker,
                        help="reranker between fusion and reading")
    parser.add_argument("--reranker-backend", choices=BACKENDS, default=Settings.reranker_backend,
                        help="what runs the trained reranker (the cold starts and app.py use the default)")
    parser.add_argument("--threads", type=int, default=Settings.threads, help="serving threads per model call")
    parser.add_argument("--build-threads", type=int, default=None, help="threads for index builds (default --threads)")
    parser.add_argument("--spinning", action="store_true", help="let idle ONNX Runtime threads busy-wait")
    parser.add_argument("--neighbour", default="",
                        help="comma-separated serving thread counts (e.g. 1,2): warm answers with each, quiet and "
                             "beside a CPU-bound neighbour process the benchmark starts and stops itself")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus for cold start and warm answers")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="question file for the warm answers")
    parser.add_argument("--scale", action="store_true", help="also run the synthetic 10k/100k/1M scale runs (slow)")
    parser.add_argument("--scale-only", action="store_true", help="run only the scale runs")
    parser.add_argument("--scale-sizes", default=",".join(map(str, SCALE_SIZES)),
                        help="comma-separated corpus sizes in sentences for --scale")
    parser.add_argument("--scale-kinds", default="flat,ivf,hnsw",
                        help="index kinds built at each scale size (comma-separated; recall is always against exact)")
    parser.add_argument("--scale-real", type=int, default=4000, help="real sentences embedded for --scale")
    parser.add_argument("--scale-queries", type=int, default=200, help="held-out real sentences used as queries")
    parser.add_argument("--noise", type=float, default=0.5, help="norm of the noise added to copied vectors")
    parser.add_argument("--peers", action="store_true",
                        help="only the side-by-side table of our retrieval, Haystack and LlamaIndex on xquad_en "
                             "(needs requirements-bench.txt; writes <out>/peers.json)")
    parser.add_argument("--peers-limit", type=int, default=0, help="--peers on the first N paragraphs only (0: all)")
    parser.add_argument("--peers-questions", type=int, default=0,
                        help="--peers: at most N questions (0: all whose paragraph is included)")
    parser.add_argument("--peers-threads", type=int, default=Settings.threads,
                        help="torch and OpenMP threads of every system in --peers")
    parser.add_argument("--peers-chunk-tokens", type=int, default=PeerConfig.chunk_tokens,
                        help="--peers: LlamaIndex chunk size in tokens of the embedding model")
    parser.add_argument("--ray-workers", default="",
                        help="only the index build on a local Ray with these worker counts (e.g. 1,2) against the "
                             "local build, on xquad_en (needs requirements-scale.txt; writes <out>/ray.json)")
    parser.add_argument("--ray-batch-size", type=int, default=Settings.ray_batch_size, help="rows per Ray batch")
    return parser


def _main_ray(args: argparse.Namespace) -> int:
    """``--ray-workers``: the local build against Ray builds, print the table, write ray.json."""
    from rag.tools.ray_bench import bench_ray, ray_report_lines

    workers = [int(w) for w in args.ray_workers.split(",") if w.strip()]
    if not workers or min(workers) < 1 or args.ray_batch_size < 1:
        raise SystemExit("--ray-workers must list counts >= 1 and --ray-batch-size must be >= 1")
    say = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
    name, documents = build_documents()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="rag-bench-ray-") as tmp:
            result = bench_ray(documents, workers, args.repeats, Path(tmp), args.ray_batch_size, say)
    except (RagError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out / "ray.json"
    _write_json(out, {"environment": _environment(), "corpus": name, "repeats": args.repeats, **result,
                      "seconds": time.perf_counter() - started})
    print("\n".join(ray_report_lines(result)))
    print(f"({time.perf_counter() - started:.0f} s on {name}; medians over {args.repeats} runs [min-max]; "
          f"load average {os.getloadavg()[0]:.1f} at the end; written to {out})")
    return 0


def main(argv: list[str]) -> int:
    """Run the benchmarks, print the table and write ``<out>/bench.json``; 0 on success."""
    args = _parser().parse_args(argv)
    if args.repeats < 1:
        raise SystemExit(f"--repeats must be >= 1, got {args.repeats}")
    if args.peers:
        if min(args.peers_limit, args.peers_questions) < 0 or min(args.peers_threads, args.peers_chunk_tokens) < 1:
            raise SystemExit("--peers-limit and --peers-questions must be >= 0, --peers-threads and "
                             "--peers-chunk-tokens >= 1")
        return _main_peers(args)
    if args.ray_workers:
        return _main_ray(args)
    sizes = [int(s) for s in args.scale_sizes.split(",") if s.strip()]
    kinds = [k.strip() for k in args.scale_kinds.split(",") if k.strip()]
    if not kinds or set(kinds) - {"flat", "ivf", "hnsw"}:
        raise SystemExit(f"--scale-kinds takes flat, ivf and/or hnsw, got {args.scale_kinds!r}")
    if any(n <= args.scale_queries for n in sizes):
        raise SystemExit(f"--scale-sizes must all exceed --scale-queries ({args.scale_queries}), got {sizes}")
    out = args.out / "bench.json"
    neighbour = [int(t) for t in args.neighbour.split(",") if t.strip()]
    if args.threads < 1 or any(t < 1 for t in neighbour) or (args.build_threads or 1) < 1:
        raise SystemExit("thread counts must be >= 1")
    results: dict = {"environment": _environment(), "repeats": args.repeats, "reader": args.reader,
                     "embedder_backend": args.embedder_backend, "reader_backend": args.reader_backend,
                     "reranker": args.reranker, "reranker_backend": args.reranker_backend,
                     "threads": args.threads, "build_threads": args.build_threads, "spinning": args.spinning,
                     "targets": {k: {"bound": b, "kind": h} for k, (b, h) in TARGETS.items()}}
    say = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
    from rag.embedding import load_embedder

    settings = Settings(corpus=args.corpus, reader=args.reader, show_progress=False, threads=args.threads,
                        build_threads=args.build_threads, embedder_backend=args.embedder_backend,
                        reader_backend=args.reader_backend, ort_spinning=args.spinning, reranker=args.reranker,
                        reranker_backend=args.reranker_backend)
    serving = ["--embedder-backend", args.embedder_backend, "--reader-backend", args.reader_backend,
               "--threads", str(args.threads)]          # what app.py takes too
    options = [*serving, "--reranker", args.reranker]
    started, clock = time.perf_counter(), cpu_clock()
    try:
        with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
            workdir = Path(tmp)
            embedder = load_embedder(None, settings.threads, settings.batch_size, settings.embedder_backend,
                                     settings.build_threads, settings.ort_spinning)
            if not args.scale_only:
                questions = shipped_questions(args.questions)
                say(f"cold start x{args.repeats} (no index, persisted index)")
                results["cold"] = bench_cold_start(args.corpus, questions[0], args.reader, args.repeats, workdir,
                                                   sys.executable, options)
                say(f"warm answers: {len(questions)} questions x{args.repeats}")
                from rag.assistant import Assistant

                assistant = Assistant.load(settings=settings.with_(index=Path(results["cold"]["persisted_index"])))
                results["warm"] = bench_warm(assistant, questions, args.repeats)
                say("app.py: resident memory once it serves")
                results["app_memory"] = bench_app_memory(
                    sys.executable, args.corpus, Path(results["cold"]["persisted_index"]), serving)
                if neighbour:
                    results["threads_compare"] = bench_threads(
                        lambda count: _with_threads(assistant, count), questions, args.repeats, neighbour, say)
                name, documents = build_documents()
                say(f"index build throughput on {name}")
                results["build"] = {"corpus": name, **bench_build(documents, embedder, args.repeats, workdir)}
                say("roofline: this CPU's matmul throughput")
                results["roofline"] = _roofline(documents, results["build"]["raw_per_s"].median, settings)
                results["memory"] = peak_memory_mb()
                _write_json(out, results)
            if args.scale or args.scale_only:
                results["scale"] = bench_scale(embedder, sizes, args.repeats, workdir, args.scale_real,
                                               args.scale_queries, args.noise, say, kinds=kinds)
                results["memory"] = peak_memory_mb()
    except (RagError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results["seconds"], results["other_load"] = time.perf_counter() - started, other_load(clock)
    _write_json(out, results)
    print("\n".join(report_lines(results)))
    if "roofline" in results:
        from rag.tools.roofline import roofline_lines

        print("\n".join(roofline_lines(results["roofline"])))
    print(f"({results['seconds']:.0f} s on {results['environment']['cpu']}, {os.cpu_count()} cores; medians over "
          f"{args.repeats} runs [min-max]; {quiet_note(results['other_load'])}; written to {out})")
    return 0
