"""All tunable settings in one frozen dataclass, built at the edge (CLI, app) and passed down."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from rag.paths import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DEFAULT_INDEX = PROJECT_ROOT / "embeddings"
READERS = ("trained", "baseline")
RETRIEVALS = ("hybrid", "dense", "bm25")
FUSIONS = ("rrf", "weighted", "weighted+boost")    # rag.fusion
WINDOW_MODES = ("merge", "fill", "overlap")         # rag.retrieval.HybridRetriever.retrieve
RERANKERS = ("none", "trained")                    # rag.rerank
INDEX_KINDS = ("auto", "flat", "ivf", "hnsw")
# rag.onnx_models: what runs a model
BACKENDS = ("torch", "onnx", "onnx-int8", "onnx-int8-per-channel", "onnx-int8-mixed")
APPROXIMATE_ABOVE = 50_000   # rows from which "auto" serves HNSW: exact search nears 10 ms a query at ~50k (docs/SCALING.md)


@dataclass(frozen=True)
class Settings:
    """What a user may tune. Validated on construction, naming the bad value.

    Attributes:
        corpus: a folder of .txt/.md/.html files, or a .jsonl file of {"doc_id","title","text"}.
        index: folder holding the persisted FAISS index and its manifest.
        top_k: sentences handed to the reader after fusion.
        candidates: how deep each retriever (dense, BM25) searches before fusion.
        rrf_k: the constant of reciprocal rank fusion (60 in the original paper).
        fusion: how the dense and BM25 candidates become one ranking (``rag.fusion``): "weighted"
            (the default: weights fitted on SQuAD train, rag/fusion.json; a sentence one retriever
            finds strongly is not outranked by ones both find weakly), "rrf" (reciprocal rank fusion)
            or "weighted+boost" (plus an exact-match feature for names found in one document only).
        reranker: "trained" (the default: our cross-encoder in models/reranker, ``rag.rerank``) or "none".
        rerank_depth: how many fused hits the reranker reorders (the time grows with it).
        reranker_backend: what runs the trained reranker, as ``reader_backend`` (default "onnx-int8").
        rerank_prior: how much the reranker's score of a window weighs when choosing the answer: a
            span's score is multiplied by P(its window answers) ** rerank_prior (``rag.rerank.weigh_spans``;
            0 = the reader alone decides). Has no effect without a reranker.
        second_look_depth: when the answer would be refused, retrieve again with the reranker reordering
            this many fused hits, read again, and answer from that look if it clears the threshold (a
            bridging sentence ranked 6th-10th, as two-hop questions need, gets its chance at no cost to
            confident answers). 0, or no deeper than ``rerank_depth``, turns it off; no effect without a reranker.
        bridging: when the answer would be refused, or its type does not fit the question, and the
            question describes an entity with a relative clause ("How old is the MP that Labour voted
            to expel?"), ask who or what that is, then the question about the answer (``rag.bridging``).
        window: neighbouring sentences on each side of a hit that the reader sees.
        windows: "merge" (default): the windows around the first ``top_k`` hits share no sentence;
            neighbouring hits widen one window (up to 5 sentences), so there may be fewer windows;
            "fill": the same, with further hits filling the freed places; "overlap": one window per hit.
        max_citations: most evidence sentences cited in one answer.
        retrieval: "hybrid" (dense + BM25 fused), "dense" or "bm25" alone, for comparisons.
        reader: "trained" (our SQuAD-trained model) or "baseline" (answer-type heuristic).
        abstain_below: confidence under which the assistant says the documents don't say.
        max_question_chars: longer questions are rejected with a message.
        threads: CPU threads per model call while serving (torch.set_num_threads, set once at load,
            and ONNX Runtime's intra-op threads). On a CPU shared with other work, fewer can be faster.
        build_threads: batches embedded side by side in bulk calls (index builds), one thread each; None = ``threads``.
        embedder_backend / reader_backend: what runs the embedding model / the trained reader:
            "torch", or ONNX Runtime ("onnx" fp32, the default: the same vectors and answers as torch,
            measured faster on every figure; "onnx-int8", "onnx-int8-per-channel" dynamic int8;
            "onnx-int8-mixed" per channel with the upper layers' FFN output projections in float;
            no torch import when both are ONNX). The embedder's backend is recorded in the index
            manifest: changing it rebuilds the index.
        ort_spinning: let idle ONNX Runtime threads busy-wait between operations (off: they sleep,
            which costs little alone and leaves the core to a neighbour process).
        index_kind: FAISS index: "flat" (exact), "ivf" (inverted lists), "hnsw" (graph) or "auto"
            (flat below ``approximate_above`` rows, HNSW from there on).
        approximate_above: the row count from which "auto" picks HNSW.
        answer_types: rescore the reader's candidates by whether their type fits the question, and
            report sources as differing only when their answers have the same type (rag.answer_types).
        clause_answers: answer why/how/yes-no questions with the clause that settles them (rag.clauses).
        attribution: for "What did X say ...?", drop a candidate that someone else named says (a
            running quote or "she said" followed back to a name), for "Did X ...?" / "What did X do?"
            a clause about someone else named, and for "Who said ...?" answer with the name of who says
            the retrieved sentence (rag.attribution).
        drop_echoes: drop a candidate that only repeats the question's words ("Mr McAnulty" for "Who
            labelled McAnulty a bully?"), unless the question offers a choice (rag.echoes.echoes).
        credits: a name in a byline or photo credit ("By Aroha Wiremu, Court Reporter") answers only a
            question about who wrote or photographed the story (rag.credits).
        qualifiers: drop a candidate in a sentence that names years other than the one the question asks
            about ("Braddock ... in June 1755" for "Who went to Fort Duquesne in June 1745?") or says the
            opposite of it ("The largest party" for "The smallest party ...?"; rag.qualifiers).
        sources: answer a question that gives an outlet as its source ("..., according to Newshub?")
            from that outlet's documents alone (rag.sources).
        whole_names: read "Who is Sharma?" as "Who is Gaurav Sharma?" when the corpus writes the word in
            one whole name only, so the sentence that introduces the person is found (rag.names).
        store: where sentence vectors live (rag.vector_store): "faiss" (in the index folder), or
            "milvus:PATH.db" (Milvus Lite, embedded) or "milvus:http://HOST:19530" (a Milvus server),
            optionally "#COLLECTION". Milvus needs requirements-scale.txt.
        segment_merge: when the index has more than ``max_segments`` segments (each update adds one)
            or many deleted rows, compact them: "background" (a thread; the served index stays valid),
            "inline" (before the update returns) or "off" (rag.index.merge_segments).
        ray: "" (off), "local" (start a Ray on this machine) or a Ray address: the index build splits
            and embeds as Ray Data pipelines (rag.ray_indexing; needs requirements-scale.txt).
        ray_workers / ray_batch_size: actors per pipeline stage and rows per batch on Ray.
    """

    corpus: Path = DEFAULT_CORPUS
    index: Path = DEFAULT_INDEX
    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    fusion: str = "weighted"   # better than "rrf" on all three sets with reader stage 3 (docs/EVALUATION.md)
    reranker: str = "trained"   # stage 2 (2026-12-01): shipped R@1 0.609 -> 0.733, XQuAD 0.805 -> 0.935 (docs/EVALUATION.md)
    rerank_depth: int = 5       # int8, 5 pairs: ~12 ms a question on 2 AVX-512 cores; 10 pairs ~23 ms, 20 ~49 ms
    rerank_prior: float = 1.0  # fitted on held-out SQuAD train: top-span F1 0.784 -> 0.792 (docs/EVALUATION.md)
    second_look_depth: int = 10   # docs/EVALUATION.md, 2026-12-01 session 10
    bridging: bool = True         # docs/EVALUATION.md, session 15
    window: int = 1
    windows: str = "merge"
    max_citations: int = 3
    reader: str = "trained"
    retrieval: str = "hybrid"
    abstain_below: float | None = None   # None: the calibrated value shipped with the reader
    max_question_chars: int = 1000
    threads: int = 2
    build_threads: int | None = None
    embedder_backend: str = "onnx"   # ONNX Runtime fp32: torch's numbers, 1.3x-3x faster (docs/SCALING.md)
    reader_backend: str = "onnx"
    reranker_backend: str = "onnx-int8"   # int8 ranks as fp32 does (R@1 within 1 question) at half the time
    ort_spinning: bool = False
    batch_size: int = 8             # sentences per embedding call: more per second than 16 or 32 here (docs/SCALING.md)
    show_progress: bool = True
    index_kind: str = "auto"
    approximate_above: int = APPROXIMATE_ABOVE
    answer_types: bool = True
    clause_answers: bool = True
    attribution: bool = True
    drop_echoes: bool = True
    credits: bool = True
    qualifiers: bool = True
    whole_names: bool = True
    sources: bool = True
    store: str = "faiss"
    segment_merge: str = "background"
    max_segments: int = 8
    ray: str = ""
    ray_workers: int = 2
    ray_batch_size: int = 256

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus", Path(self.corpus))
        object.__setattr__(self, "index", Path(self.index))
        for name in ("top_k", "candidates", "rrf_k", "max_citations", "max_question_chars",
                     "threads", "batch_size", "approximate_above", "rerank_depth", "max_segments",
                     "ray_workers", "ray_batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Settings.{name} must be a positive integer, got {value!r}")
        if self.build_threads is not None and (not isinstance(self.build_threads, int) or self.build_threads <= 0):
            raise ValueError(f"Settings.build_threads must be a positive integer or None, got {self.build_threads!r}")
        for name in ("embedder_backend", "reader_backend", "reranker_backend"):
            if getattr(self, name) not in BACKENDS:
                raise ValueError(f"Settings.{name} must be one of {BACKENDS}, got {getattr(self, name)!r}")
        if not isinstance(self.window, int) or self.window < 0:
            raise ValueError(f"Settings.window must be an integer >= 0, got {self.window!r}")
        if self.windows not in WINDOW_MODES:
            raise ValueError(f"Settings.windows must be one of {WINDOW_MODES}, got {self.windows!r}")
        if self.reader not in READERS:
            raise ValueError(f"Settings.reader must be one of {READERS}, got {self.reader!r}")
        if self.retrieval not in RETRIEVALS:
            raise ValueError(f"Settings.retrieval must be one of {RETRIEVALS}, got {self.retrieval!r}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"Settings.fusion must be one of {FUSIONS}, got {self.fusion!r}")
        if self.reranker not in RERANKERS:
            raise ValueError(f"Settings.reranker must be one of {RERANKERS}, got {self.reranker!r}")
        if self.index_kind not in INDEX_KINDS:
            raise ValueError(f"Settings.index_kind must be one of {INDEX_KINDS}, got {self.index_kind!r}")
        if not isinstance(self.rerank_prior, (int, float)) or not 0.0 <= self.rerank_prior <= 10.0:
            raise ValueError(f"Settings.rerank_prior must be a number in [0, 10], got {self.rerank_prior!r}")
        if self.abstain_below is not None and not 0.0 <= self.abstain_below <= 1.0:
            raise ValueError(f"Settings.abstain_below must be in [0, 1], got {self.abstain_below!r}")
        if not isinstance(self.store, str) or not (self.store == "faiss" or (
                self.store.startswith("milvus:") and len(self.store) > len("milvus:"))):
            raise ValueError(f"Settings.store must be 'faiss', 'milvus:PATH.db' or 'milvus:http://HOST:19530', "
                             f"got {self.store!r}")
        if self.segment_merge not in ("background", "inline", "off"):
            raise ValueError(f"Settings.segment_merge must be 'background', 'inline' or 'off', got {self.segment_merge!r}")
        if not isinstance(self.second_look_depth, int) or self.second_look_depth < 0:
            raise ValueError(f"Settings.second_look_depth must be an integer >= 0, got {self.second_look_depth!r}")
        if self.candidates < self.top_k:
            raise ValueError(f"Settings.candidates ({self.candidates}) must be >= top_k ({self.top_k})")

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)
