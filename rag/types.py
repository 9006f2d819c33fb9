"""Dataclasses passed between pipeline stages, and the seams (Embedder, Splitter, Reranker, Reader, VectorStore).

Kept in one module so stages can import each other's types without import cycles.
Every piece of text carries its provenance: document id and character offsets into
``Document.text``, so any answer can be pointed back at the exact words it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Document:
    """One source document: its stable id, a readable title, the full text and where it came from."""

    doc_id: str
    title: str
    text: str
    source: str = ""   # file path (or "file.jsonl:line") it was loaded from
    outlet: str = ""   # publisher, only when the text itself names it


@dataclass(frozen=True)
class Skipped:
    """A corpus file (or JSONL line) that could not be loaded, and why, in words a user can act on."""

    source: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    """A sentence with provenance: ``document.text[start:end] == text`` always holds."""

    doc_id: str
    index: int      # position of the sentence within its document, from 0
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its fused score, the per-retriever scores and ranks that produced
    it, how related it is to the question, and (when a reranker ran) the reranker's score."""

    sentence: Sentence
    score: float                  # fused score (rag.fusion; higher is better, comparable within one question)
    dense_score: float = 0.0      # cosine similarity of question and sentence
    dense_rank: int | None = None # 0-based; None when the dense retriever did not return it
    bm25_rank: int | None = None
    bm25_score: float = 0.0       # 0 when the sentence shares no term with the question
    relatedness: float = 0.0      # P(the sentence is on the question's subject), in [0, 1] (rag.fusion)
    rerank_score: float | None = None   # the reranker's P(the sentence answers), when one ran


@dataclass(frozen=True)
class Window:
    """A hit sentence with its neighbours, the unit a reader reads.

    ``text == document.text[start:end]``; ``sentences`` are the window's sentences in order and
    ``center`` is the index into ``sentences`` of the retrieved (hit) sentence.
    """

    doc_id: str
    title: str
    text: str
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    center: int
    rank: int                # 0-based rank of the hit among the retrieved windows
    retrieval_score: float   # the hit's fused score
    dense_score: float = 0.0
    rerank_score: float | None = None   # the reranker's P(the hit sentence answers), when one ran

    def sentence_at(self, offset: int) -> Sentence | None:
        """The window's sentence holding the document offset (a span's start), or None."""
        return next((x for x in self.sentences if x.start <= offset < x.end), None)


@dataclass(frozen=True)
class Span:
    """A candidate short answer: a verbatim span of a window, in document offsets.

    ``score`` is the reader's confidence that this span answers the question, in [0, 1].
    ``no_answer`` is the reader's probability that the window holds no answer at all (0 for
    readers that cannot tell).
    """

    text: str
    doc_id: str
    start: int
    end: int
    score: float
    window_rank: int
    no_answer: float = 0.0
    type_fit: int = 0        # +1 the span's type fits the question, -1 it does not, 0 not checked (rag.answer_types)
    window_score: float | None = None   # the span's probability reading its window alone (None: same as score)

    @property
    def own_score(self) -> float:
        """How sure the reader is of this span given its own window only: a jointly normalised
        reader splits its confidence across windows, so two sources are compared on this."""
        return self.score if self.window_score is None else self.window_score

    def sentence_in(self, by_rank: Mapping[int, Window]) -> Sentence | None:
        """The sentence the span starts in, from its window among ``by_rank`` (windows by rank), or None."""
        window = by_rank.get(self.window_rank)
        return None if window is None else window.sentence_at(self.start)


@dataclass(frozen=True)
class Citation:
    """A source sentence that supports (or, when ``kind == "related"``, merely resembles) an answer.

    ``start``/``end`` are offsets of ``sentence`` in its document. ``answer_start``/``answer_end``
    are document offsets of the short answer when it lies inside this sentence, for highlighting.
    """

    doc_id: str
    title: str
    sentence: str
    start: int
    end: int
    score: float
    answer_start: int | None = None
    answer_end: int | None = None
    kind: str = "evidence"     # "evidence" or "related"
    index: int = 0             # sentence index within the document


@dataclass(frozen=True)
class Alternative:
    """A next-best answer offered beside an uncertain one, with the sentence it comes from."""

    text: str
    citation: Citation
    confidence: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What the assistant says to one question."""

    question: str
    text: str                                  # short answer, "" when abstained
    abstained: bool
    confidence: float                          # in [0, 1]
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    message: str = ""                          # the full reply a person reads
    resolved_question: str = ""                # the question after follow-up resolution
    conflict: bool = False                     # sources disagree on this point
    timings: dict[str, float] = field(default_factory=dict)   # stage -> seconds
    uncertain: bool = False                    # given, but below the "sure" level: may be wrong
    alternatives: list[Alternative] = field(default_factory=list)   # next-best answers, best first
    kind: str = "span"                         # "span" (a short answer), "sentence" (the clause or
                                               # sentence that settles a why/how/yes-no question), or
                                               # "yes" / "no": that sentence decides a yes/no question
                                               # by rule (rag.clauses.verdict); ``text`` stays the clause


@dataclass(frozen=True)
class Trace:
    """Everything one answer took: the question as read, the hits and windows, the reader's spans,
    the confidence features, the Answer, per-stage timings and how many looks it took. ``Assistant.run`` returns it;
    evaluation and calibration read it instead of retrieving a second time."""

    question: str
    resolved_question: str
    hits: list[Hit]
    windows: list[Window]
    spans: list[Span]
    features: list[float]
    answer: Answer
    timings: dict[str, float] = field(default_factory=dict)
    looks: int = 1     # 2 when the answer came from the second look (``Settings.second_look_depth``); through
                       # a bridge entity (``Settings.bridging``), the looks of the question and of both hops
    bridge: str = ""   # the entity a two-hop answer went through ("Dr Sharma"), "" for a direct answer


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


@runtime_checkable
class Splitter(Protocol):
    """Splits documents into sentences with offsets; ``name`` goes into the index manifest, so a
    different splitter rebuilds the index instead of mixing two segmentations."""

    name: str

    def split(self, documents: Sequence[Document]) -> dict[str, list[Sentence]]: ...


@runtime_checkable
class Reranker(Protocol):
    """Scores (question, passage) pairs: how likely each passage (a sentence after its document's
    title, ``rag.rerank.passage_text``) answers the question, in [0, 1]; ``rag.rerank.rerank``
    reorders the fused hits by it."""

    name: str

    def score(self, question: str, passages: Sequence[str]) -> list[float]: ...


@runtime_checkable
class Reader(Protocol):
    """Picks short answers out of retrieved windows, best first."""

    name: str

    def read(self, question: str, windows: Sequence[Window]) -> list[Span]: ...


@runtime_checkable
class VectorStore(Protocol):
    """Sentence vectors by sentence key (``rag.sentence_table``): nearest keys to a normalised query
    by cosine, best first, and the stored vectors of some keys. FAISS and Milvus implement it
    (``rag.vector_store``); ``rag.index.SentenceIndex`` maps keys to rows for retrieval."""

    name: str

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def vectors(self, keys: Sequence[int]) -> np.ndarray: ...
