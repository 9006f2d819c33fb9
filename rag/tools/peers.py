"""Our retrieval beside Haystack 2.x and LlamaIndex, on xquad_en with the same embedding model.

``python -m rag bench --peers`` (``rag.tools.bench``) runs each system in a process of its own,
``python -m rag.tools.peers --system NAME ...``, so that each one's peak memory is its own; this
module is that process. It loads the models (untimed), builds the system from the raw paragraphs
(timed), asks every question once (timed, after one untimed warm-up question) and prints one JSON
line. The peer frameworks are imported only inside ``HaystackSystem`` and ``LlamaIndexSystem``, and
only this tool imports them: an optional install (``requirements-bench.txt``, ``scripts/setup_bench.sh``).

The three systems, each with its framework's own components and defaults except where stated:

- **ours**: ``rag``'s retrieval only (no reranker, no reader): spaCy sentences, MiniLM + FAISS and
  BM25 (``bm25s``), the top ``candidates`` of each fused with ``Settings.fusion`` (weights fitted on SQuAD train;
  RRF, k=60, before 2026-12-01; the label names it). The
  build includes writing the persisted index (files, checksums), as ``Assistant.load`` does.
- **haystack**: ``DocumentSplitter(split_by="sentence", split_length=1)`` (NLTK punkt), the
  ``SentenceTransformersDocumentEmbedder`` into an ``InMemoryDocumentStore`` (dot product of
  normalised vectors = cosine), and at query time ``InMemoryBM25Retriever`` and
  ``InMemoryEmbeddingRetriever`` (top ``candidates`` each) joined by ``DocumentJoiner``
  (``join_mode="reciprocal_rank_fusion"``), as an indexing and a query ``Pipeline``.
- **llamaindex**: ``SentenceSplitter`` into chunks of at most ``chunk_tokens`` tokens of the
  embedding model's own tokenizer (no overlap), a ``VectorStoreIndex`` with ``HuggingFaceEmbedding``,
  ``BM25Retriever`` (``bm25s``), both top ``candidates``, fused by ``QueryFusionRetriever``
  (``mode="reciprocal_rerank"``, one query: no LLM rewrites it).

Every system embeds the same text for a unit: ``"<title>. <unit>"`` (ours: ``rag.index.embedding_text``;
Haystack: ``meta_fields_to_embed=["title"]``; LlamaIndex: the document's metadata and text templates,
which its BM25 also sees). The model is the packaged all-MiniLM-L6-v2, its sha256 checked, loaded from
its local folder by all three; torch runs ``threads`` threads in all three (``torch.set_num_threads``,
and OMP_NUM_THREADS set by the parent).

**Recall@k of the sentence holding the answer**, one definition for all: a retrieved unit (a
sentence, or a LlamaIndex chunk) counts when, whitespace collapsed, it contains the question's
evidence sentence (the xquad_en sentence holding the answer span), or when it comes from the gold
paragraph and contains a gold answer (SQuAD-normalised, whole tokens: ``rag.metrics.contains_answer``;
this catches a sentence that another splitter cut differently). recall@k = share of questions with
a counting unit among the first k. Larger units contain more, so the table shows words per unit too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol, Sequence

from rag.errors import RagError
from rag.metrics import contains_answer
from rag.types import Document

SYSTEMS = ("ours", "ours-windows", "haystack", "llamaindex")
# module -> the distribution that provides it, for the install hint
PEER_MODULES = {"haystack": "haystack-ai", "llama_index.core": "llama-index-core",
                "llama_index.embeddings.huggingface": "llama-index-embeddings-huggingface",
                "llama_index.retrievers.bm25": "llama-index-retrievers-bm25"}
INSTALL_HINT = ("install them in a virtualenv of their own (the project's .venv stays as it is):\n"
                "  bash scripts/setup_bench.sh            # creates .venv-bench from requirements-bench.txt\n"
                "then run:  .venv-bench/bin/python -m rag bench --peers")


class PeerError(RagError):
    """A peer system could not be built or asked (a missing framework, missing data)."""


# --- the questions and the recall definition ------------------------------------------------------

@dataclass(frozen=True)
class GoldQuestion:
    """A benchmark question with what makes a retrieved unit count: its evidence sentences, its
    answers and the paragraphs (doc ids) they come from."""

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    doc_ids: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """What a system retrieved: a sentence or a chunk, and the document (paragraph) it comes from."""

    doc_id: str
    text: str


def load_gold_questions(path: Path) -> list[GoldQuestion]:
    """The questions of an xquad_en-style JSON Lines file (id, question, answers, evidence, doc_ids)."""
    out: list[GoldQuestion] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("question") or not row.get("answers") or not row.get("doc_ids"):
            raise PeerError(f"{path}:{lineno}: needs a question, answers and doc_ids, got {sorted(row)}")
        out.append(GoldQuestion(str(row.get("id", f"line{lineno}")), row["question"], tuple(row["answers"]),
                                tuple(row.get("evidence", ())), tuple(row["doc_ids"])))
    return out


def subset(documents: Sequence[Document], questions: Sequence[GoldQuestion], limit_docs: int = 0,
           limit_questions: int = 0) -> tuple[list[Document], list[GoldQuestion]]:
    """The first ``limit_docs`` documents (0: all) and the questions whose gold paragraphs are all
    among them, the first ``limit_questions`` of those (0: all)."""
    docs = list(documents[:limit_docs] if limit_docs else documents)
    kept = {d.doc_id for d in docs}
    asked = [q for q in questions if set(q.doc_ids) <= kept]
    return docs, asked[:limit_questions] if limit_questions else asked


def _squash(text: str) -> str:
    return " ".join(text.split())


def holds_answer_sentence(unit: Unit, question: GoldQuestion) -> bool:
    """The module docstring's definition: the unit contains the evidence sentence, or it is from a
    gold paragraph and contains a gold answer."""
    text = _squash(unit.text)
    if any(_squash(e) and _squash(e) in text for e in question.evidence):
        return True
    return unit.doc_id in question.doc_ids and contains_answer(unit.text, question.answers)


def recall_at(retrieved: Sequence[Sequence[Unit]], questions: Sequence[GoldQuestion], k: int) -> float:
    """Share of questions with a unit holding the answer sentence among their first ``k`` units."""
    if len(retrieved) != len(questions):
        raise ValueError(f"{len(retrieved)} retrieved lists for {len(questions)} questions")
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if not questions:
        return 0.0
    found = [any(holds_answer_sentence(u, q) for u in units[:k]) for units, q in zip(retrieved, questions)]
    return sum(found) / len(found)


# --- the systems ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeerConfig:
    """What all three systems share: threads, how deep each retriever goes, how many fused units
    come back, and the LlamaIndex chunk size (tokens of the embedding model)."""

    threads: int = 2
    candidates: int = 30
    top_k: int = 5
    batch_size: int = 32
    chunk_tokens: int = 128

    def __post_init__(self) -> None:
        for name in ("threads", "candidates", "top_k", "batch_size", "chunk_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"PeerConfig.{name} must be a positive integer, got {value!r}")
        if self.candidates < self.top_k:
            raise ValueError(f"PeerConfig.candidates ({self.candidates}) must be >= top_k ({self.top_k})")


class PeerSystem(Protocol):
    """A retrieval system under test: built once from raw paragraphs, then asked questions."""

    label: str

    def build(self, documents: Sequence[Document]) -> list[str]:
        """Index the documents; returns the texts of the units it made (sentences or chunks)."""

    def retrieve(self, question: str) -> list[Unit]:
        """The fused top units for a question, best first."""


def _model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 folder, its weights checked (the same file for every system)."""
    from rag.embedding import MODEL_SHA256, default_model_path, verify_file

    path = default_model_path()
    verify_file(path / "model.safetensors", MODEL_SHA256)
    return path


def _distribution(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return name


class OursSystem:
    """``rag``'s hybrid retrieval as the assistant builds it, without reranker or reader. Its units are
    the fused sentences, or with ``windows`` what the reader is given: each of the top hits with a
    sentence either side, overlapping windows merged (``Settings.window``, ``Settings.windows``), the
    fair match for a peer that hands its reader chunks of several sentences."""

    def __init__(self, config: PeerConfig, windows: bool = False) -> None:
        from rag.embedding import load_embedder
        from rag.settings import Settings
        from rag.splitting import SpacySplitter, sentence_pipeline

        self.settings = Settings(threads=config.threads, batch_size=config.batch_size, show_progress=False,
                                 candidates=config.candidates, top_k=config.top_k)
        self.config = config
        self.embedder = load_embedder(None, config.threads, config.batch_size)
        self.splitter = SpacySplitter()
        sentence_pipeline()                 # spaCy loads once per process, like the models: untimed
        self.windows = windows
        self.label = f"ours (rag, fusion {self.settings.fusion}{', reader windows' if windows else ''})"
        self._folder = tempfile.TemporaryDirectory(prefix="rag-peers-")
        self.retriever = None

    def build(self, documents: Sequence[Document]) -> list[str]:
        from rag.corpus import Corpus
        from rag.index import open_index
        from rag.retrieval import HybridRetriever

        corpus = Corpus(list(documents))
        index, _ = open_index(corpus, self.embedder, Path(self._folder.name) / "index", self.splitter.split,
                              model_sha256=self.embedder.sha256, splitter=self.splitter.name,
                              kind=self.settings.index_kind, approximate_above=self.settings.approximate_above)
        self.retriever = HybridRetriever(index, self.embedder, corpus.documents)
        return [s.text for s in index.sentences]

    def retrieve(self, question: str) -> list[Unit]:
        s = self.settings
        if self.windows:
            found = self.retriever.retrieve(question, top_k=self.config.top_k, window=s.window, candidates=s.candidates,
                                            rrf_k=s.rrf_k, fusion=s.fusion, windows_mode=s.windows)
            return [Unit(w.doc_id, w.text) for w in found.windows]
        hits, _ = self.retriever.rank(question, candidates=s.candidates, rrf_k=s.rrf_k, fusion=s.fusion)
        return [Unit(h.sentence.doc_id, h.sentence.text) for h in hits[:self.config.top_k]]


def _punkt_from_llama_index() -> None:
    """Let NLTK find the punkt_tab sentence model that the llama-index-core wheel ships.

    Haystack's sentence splitter needs NLTK's punkt_tab and would download it on first use; nothing
    is downloaded here, and llama-index-core (installed beside Haystack by requirements-bench.txt)
    carries the same data file in its package."""
    import nltk

    try:
        nltk.data.find("tokenizers/punkt_tab")
        return
    except LookupError:
        pass
    spec = importlib.util.find_spec("llama_index.core")
    folder = Path(spec.origin).parent / "_static" / "nltk_cache" if spec and spec.origin else None
    if folder is None or not (folder / "tokenizers" / "punkt_tab").is_dir():
        raise PeerError("Haystack's sentence splitter needs NLTK's punkt_tab, which is looked for in the "
                        "llama-index-core package (requirements-bench.txt) and was not found there")
    nltk.data.path.append(str(folder))


class HaystackSystem:
    """A Haystack 2.x indexing pipeline (sentences, embeddings, in-memory store) and query pipeline
    (BM25 + embedding retrievers, reciprocal rank fusion)."""

    def __init__(self, config: PeerConfig) -> None:
        # Haystack sends usage events unless told not to, decided when it is first imported; there
        # is no network here to send them to, and a benchmark should not wait on one.
        os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
        from haystack.components.embedders import (SentenceTransformersDocumentEmbedder,
                                                   SentenceTransformersTextEmbedder)
        from haystack.components.preprocessors import DocumentSplitter
        from haystack.utils import ComponentDevice

        _punkt_from_llama_index()
        self.config = config
        path, cpu = str(_model_path()), ComponentDevice.from_str("cpu")
        self.splitter = DocumentSplitter(split_by="sentence", split_length=1, split_overlap=0)
        self.doc_embedder = SentenceTransformersDocumentEmbedder(
            model=path, device=cpu, local_files_only=True, batch_size=config.batch_size, progress_bar=False,
            normalize_embeddings=True, meta_fields_to_embed=["title"], embedding_separator=". ")
        self.text_embedder = SentenceTransformersTextEmbedder(model=path, device=cpu, local_files_only=True,
                                                              progress_bar=False, normalize_embeddings=True)
        for component in (self.splitter, self.doc_embedder, self.text_embedder):
            component.warm_up()             # NLTK and the model load here, untimed
        self.label = _distribution("haystack-ai")
        self.query = None

    def build(self, documents: Sequence[Document]) -> list[str]:
        from haystack import Document as HaystackDocument
        from haystack import Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
        from haystack.components.writers import DocumentWriter
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        from haystack.document_stores.types import DuplicatePolicy

        store = InMemoryDocumentStore(embedding_similarity_function="dot_product")
        indexing = Pipeline()
        indexing.add_component("splitter", self.splitter)
        indexing.add_component("embedder", self.doc_embedder)
        indexing.add_component("writer", DocumentWriter(store, policy=DuplicatePolicy.OVERWRITE))
        indexing.connect("splitter", "embedder")
        indexing.connect("embedder", "writer")
        indexing.run({"splitter": {"documents": [
            HaystackDocument(content=d.text, meta={"title": d.title, "doc_id": d.doc_id}) for d in documents]}})

        query = Pipeline()
        query.add_component("text_embedder", self.text_embedder)
        query.add_component("embedding_retriever", InMemoryEmbeddingRetriever(store, top_k=self.config.candidates))
        query.add_component("bm25_retriever", InMemoryBM25Retriever(store, top_k=self.config.candidates))
        query.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=self.config.top_k))
        query.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
        query.connect("embedding_retriever", "joiner")
        query.connect("bm25_retriever", "joiner")
        self.query = query
        return [d.content for d in store.filter_documents()]

    def retrieve(self, question: str) -> list[Unit]:
        out = self.query.run({"text_embedder": {"text": question}, "bm25_retriever": {"query": question}})
        return [Unit(d.meta["doc_id"], d.content) for d in out["joiner"]["documents"]]


def llama_document(document: Document):  # -> llama_index.core.Document
    """A LlamaIndex document whose chunks embed as ``"<title>. <chunk>"``, like ours and Haystack's
    (its metadata and text templates), and whose id is our doc id (a chunk's ``ref_doc_id``)."""
    from llama_index.core import Document as LlamaDocument

    return LlamaDocument(text=document.text, id_=document.doc_id, metadata={"title": document.title},
                         metadata_template="{value}", metadata_separator="", text_template="{metadata_str}. {content}")


class LlamaIndexSystem:
    """LlamaIndex: sentence-aware chunks, a vector index and BM25, reciprocal rerank fusion."""

    def __init__(self, config: PeerConfig) -> None:
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from transformers import AutoTokenizer

        self.config = config
        path = str(_model_path())
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        # chunks measured in the embedding model's own tokens, so a chunk fits what it was trained on
        self.splitter = SentenceSplitter(chunk_size=config.chunk_tokens, chunk_overlap=0, tokenizer=tokenizer.tokenize)
        self.embed_model = HuggingFaceEmbedding(model_name=path, device="cpu", normalize=True,
                                                embed_batch_size=config.batch_size)
        self.label = f"{_distribution('llama-index-core')}, {config.chunk_tokens}-token chunks"
        self.fusion = None

    def build(self, documents: Sequence[Document]) -> list[str]:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever

        nodes = self.splitter.get_nodes_from_documents([llama_document(d) for d in documents])
        index = VectorStoreIndex(nodes, embed_model=self.embed_model)
        bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=self.config.candidates)
        # num_queries=1: the question as asked, no LLM-generated variants; the MockLLM is never called
        self.fusion = QueryFusionRetriever([index.as_retriever(similarity_top_k=self.config.candidates), bm25],
                                           mode="reciprocal_rerank", similarity_top_k=self.config.top_k,
                                           num_queries=1, use_async=False, llm=MockLLM())
        return [n.get_content() for n in nodes]

    def retrieve(self, question: str) -> list[Unit]:
        return [Unit(n.node.ref_doc_id, n.node.get_content()) for n in self.fusion.retrieve(question)]


def missing_peers() -> list[str]:
    """The distributions of the peer frameworks that this Python cannot import (empty: all there)."""
    missing = []
    for module, distribution in PEER_MODULES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:         # a parent package (llama_index) is missing
            found = False
        if not found:
            missing.append(distribution)
    return missing


def make_system(name: str, config: PeerConfig) -> PeerSystem:
    """The named system with its models loaded (``SYSTEMS``)."""
    if not name.startswith("ours") and missing_peers():
        raise PeerError(f"{name} needs {', '.join(missing_peers())}, not installed in {sys.executable}; "
                        + INSTALL_HINT)
    systems = {"ours": OursSystem, "ours-windows": partial(OursSystem, windows=True), "haystack": HaystackSystem,
               "llamaindex": LlamaIndexSystem}
    if name not in systems:
        raise ValueError(f"system must be one of {SYSTEMS}, got {name!r}")
    return systems[name](config)


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(system: PeerSystem, documents: Sequence[Document], questions: Sequence[GoldQuestion]) -> dict:
    """Build the system (timed), ask each question once after an untimed warm-up, score the answers.

    Returns:
        ``{"label", "documents", "questions", "units", "unit_words", "retrieved_words", "build_s", "latencies_s",
        "recall@1", "recall@5", "rss_before_build_mb", "peak_rss_mb"}``: latencies per question in
        question order; ``retrieved_words`` is the mean length of the units handed back (a reader's
        input); peak RSS is ``ru_maxrss`` of this process (models, index and all).
    """
    if not documents or not questions:
        raise PeerError(f"nothing to measure: {len(documents)} documents, {len(questions)} questions")
    before = _rss_mb()
    started = time.perf_counter()
    units = system.build(documents)
    build_s = time.perf_counter() - started
    system.retrieve(questions[0].question)
    retrieved, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        retrieved.append(system.retrieve(q.question))
        latencies.append(time.perf_counter() - started)
    return {"label": system.label, "documents": len(documents), "questions": len(questions),
            "units": len(units), "unit_words": sum(len(u.split()) for u in units) / max(len(units), 1),
            "retrieved_words": (sum(len(u.text.split()) for units_ in retrieved for u in units_)
                                / max(1, sum(len(units_) for units_ in retrieved))),
            "build_s": build_s, "latencies_s": latencies,
            "recall@1": recall_at(retrieved, questions, 1), "recall@5": recall_at(retrieved, questions, 5),
            "rss_before_build_mb": before,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --- one system, in its own process -------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag.tools.peers",
                                description="Build one retrieval system on a benchmark, ask its questions and "
                                            "print one JSON line (run by python -m rag bench --peers).")
    p.add_argument("--system", choices=SYSTEMS, required=True)
    p.add_argument("--corpus", type=Path, required=True, help="JSON Lines of {doc_id, title, text}")
    p.add_argument("--questions", type=Path, required=True, help="JSON Lines of {question, answers, evidence, doc_ids}")
    p.add_argument("--limit", type=int, default=0, help="only the first N paragraphs (0: all)")
    p.add_argument("--limit-questions", type=int, default=0, help="at most N questions (0: all on those paragraphs)")
    p.add_argument("--threads", type=int, default=PeerConfig.threads)
    p.add_argument("--candidates", type=int, default=PeerConfig.candidates)
    p.add_argument("--chunk-tokens", type=int, default=PeerConfig.chunk_tokens)
    return p


def main(argv: list[str]) -> int:
    """Measure one system and print its result as one JSON line on stdout; 2 on an error."""
    args = _parser().parse_args(argv)
    try:
        config = PeerConfig(threads=args.threads, candidates=args.candidates, chunk_tokens=args.chunk_tokens)
        from rag.corpus import load_corpus

        documents, questions = subset(load_corpus(args.corpus).documents, load_gold_questions(args.questions),
                                      args.limit, args.limit_questions)
        system = make_system(args.system, config)
        import torch

        torch.set_num_threads(config.threads)   # after the models load: the peers' loaders do not set it
        result = measure(system, documents, questions)
    except (RagError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"system": args.system, "threads": config.threads, "candidates": config.candidates,
                      "top_k": config.top_k, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
