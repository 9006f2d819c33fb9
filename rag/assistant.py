"""The assistant: question in, short answer with verified sentence citations out.

Wires the stages together: corpus -> sentences -> index -> hybrid retrieval -> reader ->
citations -> confidence and refusal. Models are loaded once and shared between assistants
made with ``with_settings``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rag import citing
from rag.confidence import confidence, features, load_calibration
from rag.corpus import Corpus, load_corpus, MAX_FILE_BYTES, TEXT_SUFFIXES, decode_text, read_file, _load_metadata
from rag.errors import QuestionError, UploadError
from rag.index import BuildReport, SentenceIndex, open_index
from rag.metrics import normalize_answer
from rag.retrieval import HybridRetriever
from rag.settings import Settings
from rag.types import Answer, Document, Hit, Reader, Sentence, Skipped

log = logging.getLogger(__name__)

NOT_IN_CORPUS = "The documents don't say."
SPLITTER_ID = "spacy-senter/en_core_web_sm-3.8.0/v1; embed: title. sentence"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_question(question: object, max_chars: int) -> str:
    """The question as one clean line, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, got {type(question).__name__}")
    text = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFKC", question)).split())
    if not text:
        raise QuestionError("the question is empty; type a question about the documents")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question has no words in it; type a question about the documents")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}. "
                            "Ask a shorter question")
    return text


class Assistant:
    """Answers questions about one corpus. Build with ``Assistant.load``."""

    def __init__(self, settings: Settings, corpus: Corpus, index: SentenceIndex, retriever: HybridRetriever,
                 report: BuildReport) -> None:
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.retriever = retriever
        self.report = report
        self._docs = corpus.by_id()

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def load(cls, corpus: str | Path | None = None, index: str | Path | None = None,
             settings: Settings | None = None) -> "Assistant":
        """Load the corpus and its index (building or updating the index as needed)."""
        settings = settings or Settings()
        if corpus is not None:
            settings = settings.with_(corpus=Path(corpus))
        if index is not None:
            settings = settings.with_(index=Path(index))
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from rag.embedding import MODEL_SHA256, load_embedder
        from rag.splitting import split_documents

        loaded = load_corpus(settings.corpus)
        for skipped in loaded.skipped:
            log.warning("skipped %s: %s", skipped.source, skipped.reason)
        embedder = load_embedder(None, settings.threads, settings.batch_size)
        idx, report = open_index(loaded, embedder, settings.index, split_documents, model_sha256=MODEL_SHA256,
                                 splitter=SPLITTER_ID, kind=settings.index_kind, approximate_above=settings.approximate_above,
                                 show_progress=settings.show_progress)
        if report.changed:
            log.info("index: %d documents reused, %d embedded, %d removed%s", len(report.reused),
                     len(report.embedded), len(report.removed),
                     f" ({report.rebuilt_because})" if report.rebuilt_because else "")
        return cls(settings, loaded, idx, HybridRetriever(idx, embedder, loaded.documents), report)

    def with_settings(self, **changes: object) -> "Assistant":
        """The same corpus, index and models with other settings (top_k, reader, retrieval, ...)."""
        settings = self.settings.with_(**changes)
        if settings.corpus != self.settings.corpus or settings.index != self.settings.index:
            raise ValueError("with_settings cannot change the corpus or index; use Assistant.load")
        return Assistant(settings, self.corpus, self.index, self.retriever, self.report)

    # --- the corpus -------------------------------------------------------------------------
    @property
    def documents(self) -> list[Document]:
        return self.corpus.documents

    @property
    def skipped(self) -> list[Skipped]:
        return self.corpus.skipped

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def sentences(self, doc_id: str) -> list[Sentence]:
        return self.index.doc_sentences(doc_id)

    def add_file(self, name: str, data: bytes) -> Document:
        """Add an uploaded file to the corpus folder and index it; UploadError changes nothing."""
        root = self.corpus.root
        if root is None:
            raise UploadError("this corpus is a .jsonl file; uploads need a folder corpus")
        base = Path(str(name).replace("\\", "/")).name
        if not base or base != str(name).replace("\\", "/").split("/")[-1] or base.startswith("."):
            raise UploadError(f"invalid file name {name!r}")
        if "/" in str(name) or "\\" in str(name) or ".." in str(name):
            raise UploadError(f"file name {name!r} must not contain a path")
        # control and format characters (NUL, newlines, right-to-left overrides that disguise the
        # extension) and over-long names would fail in open() or mislead; refuse them by name
        if (len(base.encode("utf-8")) > 255 or not Path(base).stem.strip()
                or any(unicodedata.category(ch).startswith("C") for ch in base)):
            raise UploadError(f"file name {name!r} is not allowed: use visible characters, at most 255 bytes")
        if Path(base).suffix.lower() not in TEXT_SUFFIXES:
            raise UploadError(f"{base}: only {', '.join(TEXT_SUFFIXES)} files can be added")
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadError(f"{base} is {len(data) / 1e6:.1f} MB; the upload limit is {MAX_UPLOAD_BYTES // 2**20} MB")
        try:
            decode_text(data, base)
        except ValueError as exc:
            raise UploadError(str(exc)) from None
        target = root / base
        if target.exists():
            raise UploadError(f"{base} already exists in the corpus; rename the file to add it")
        if any(d.doc_id == target.stem for d in self.documents):
            raise UploadError(f"a document named {target.stem!r} already exists; rename the file")
        metadata = _load_metadata(root)   # before writing: a broken metadata.json must not leave the file behind
        # Written in full under a hidden name (the loader skips dot-files), then hard-linked into
        # place: a crash never leaves half a document, and the link never overwrites, even in a race.
        partial = root / f".upload-{secrets.token_hex(8)}.part"
        try:
            with open(partial, "xb") as handle:   # (not mkstemp: the document keeps the umask's mode)
                handle.write(data)
            os.link(partial, target)
        except FileExistsError:
            raise UploadError(f"{base} already exists in the corpus; rename the file to add it") from None
        except OSError as exc:
            raise UploadError(f"could not save {base} in the corpus folder ({exc.strerror})") from None
        finally:
            partial.unlink(missing_ok=True)
        try:
            doc = read_file(target, root, metadata)
            # the corpus loader would skip a second copy, so the upload would add nothing: say so
            same = next((d.doc_id for d in self.documents if d.text == doc.text), None)
            if same is not None:
                raise ValueError(f"{base} has the same text as document {same!r}, which is already in the corpus")
        except (ValueError, OSError) as exc:
            target.unlink(missing_ok=True)
            raise UploadError(str(exc)) from None
        self._reload()
        return self._docs.get(doc.doc_id, doc)

    def _reload(self) -> None:
        """Re-read the corpus folder and update the index incrementally, in place."""
        fresh = Assistant.load(settings=self.settings)
        self.corpus, self.index, self.retriever, self.report = fresh.corpus, fresh.index, fresh.retriever, fresh.report
        self._docs = self.corpus.by_id()

    # --- answering --------------------------------------------------------------------------
    @property
    def reader(self) -> Reader:
        return _reader(self.settings.reader, self.settings.threads)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """Ranked sentences for a question (by ``settings.retrieval``), best first."""
        q = clean_question(question, self.settings.max_question_chars)
        s = self.settings
        hits, _ = self.retriever.rank(q, mode=s.retrieval, candidates=max(s.candidates, k or 0), rrf_k=s.rrf_k)
        return hits[:k] if k else hits

    def ask(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Answer:
        """Answer a question, using earlier (question, Answer) turns to resolve follow-ups."""
        started = time.perf_counter()
        s = self.settings
        q = clean_question(question, s.max_question_chars)
        resolved = q
        if history:
            from rag.conversation import resolve
            from rag.readers.baseline import full_pipeline

            resolved = resolve(q, history, full_pipeline())
        retrieval = self.retriever.retrieve(resolved, top_k=s.top_k, window=s.window, mode=s.retrieval,
                                            candidates=s.candidates, rrf_k=s.rrf_k)
        t = time.perf_counter()
        spans = self.reader.read(resolved, retrieval.windows)
        timings = {**retrieval.timings, "read": time.perf_counter() - t}
        calibration = load_calibration(s.reader)
        conf = confidence(features(spans, retrieval.windows), calibration)
        threshold = s.abstain_below if s.abstain_below is not None else calibration.threshold
        cited = citing.cite(spans, retrieval.windows, self._docs, s.max_citations) if spans else None
        if cited is None or not cited.citations or conf < threshold:
            related = citing.related(retrieval.hits, self._docs)
            timings["total"] = time.perf_counter() - started
            return Answer(question=q, text="", abstained=True, confidence=round(conf, 4), related=related,
                          message=NOT_IN_CORPUS, resolved_question=resolved, timings=timings)
        citing.verify(cited.citations, self._docs)
        best = spans[0]
        message = best.text
        if cited.conflict and cited.alternative is not None:
            a, b = self._docs[best.doc_id], self._docs[cited.alternative.doc_id]
            message = (f"The sources differ: {_source_name(a)} says \"{best.text}\", "
                       f"while {_source_name(b)} says \"{cited.alternative.text}\".")
        timings["total"] = time.perf_counter() - started
        return Answer(question=q, text=best.text, abstained=False, confidence=round(conf, 4),
                      citations=cited.citations, message=message, resolved_question=resolved,
                      conflict=cited.conflict, timings=timings)


def _source_name(doc: Document) -> str:
    return f"{doc.outlet} (\u201c{doc.title}\u201d)" if doc.outlet else f"\u201c{doc.title}\u201d"


@lru_cache(maxsize=4)
def _reader(name: str, threads: int) -> Reader:
    """Readers are loaded on first use and cached: the trained one costs ~1 s to load."""
    from rag.readers import load_reader

    return load_reader(name, threads=threads)


@lru_cache(maxsize=1)
def _shipped() -> Assistant:
    return Assistant.load()


def answer(question: str) -> Answer:
    """Answer a question about the shipped corpus (the assistant is built on first call)."""
    return _shipped().ask(question)
