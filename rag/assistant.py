"""The assistant: question in, short answer with verified sentence citations out.

Wires the stages together: corpus -> sentences -> index -> hybrid retrieval -> reader ->
citations -> confidence and refusal. Models are loaded once and shared between assistants
made with ``with_settings``.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from rag import (
    ages, amounts, answer_types, attribution, bridging, citing, clauses, credits, echoes, names, qualifiers,
    question_types, seats, sources, succession,
)
from rag.confidence import calibration_key, confidence, features, load_calibration
from rag.conversation import only_question_word
from rag.corpus import MAX_UPLOAD_BYTES, Corpus, load_corpus, remove_file, replace_file, save_upload  # noqa: F401
from rag.errors import QuestionError
from rag.index import BuildReport, SentenceIndex, open_index
from rag.rerank import weigh_spans
from rag.retrieval import HybridRetriever
from rag.settings import Settings
from rag.splitting import SPLITTER_ID  # noqa: F401  (re-exported: the index manifest's splitter id)
from rag.types import (Alternative, Answer, Document, Embedder, Hit, Reader, Reranker, Sentence, Skipped, Span,
                       Splitter, Trace, Window)

log = logging.getLogger(__name__)

NOT_IN_CORPUS = "The documents don't say."
ASKS_NOTHING = "\"{}\" alone does not say what it asks about: please ask the whole question."
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
    """Answers questions about one corpus. Build with ``Assistant.load``.

    The stages are objects passed in (``embedder``, ``splitter``, ``reader``), defaulting to the
    shipped ones, so a test or a tool can swap any of them without patching module globals.
    """

    def __init__(self, settings: Settings, corpus: Corpus, index: SentenceIndex, retriever: HybridRetriever,
                 report: BuildReport, *, reader: Reader | None = None, embedder: Embedder | None = None,
                 splitter: Splitter | None = None, reranker: Reranker | None = None) -> None:
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.retriever = retriever
        self.report = report
        self._reader = reader
        self._embedder = embedder if embedder is not None else retriever.embedder
        self._splitter = splitter
        self._reranker = reranker
        self._docs = corpus.by_id()
        self._outlets = sources.outlets(self._docs.values())
        self._genders: dict[str, str] = {}      # name -> "f" / "m" / "" as the corpus speaks of them
        self._roles: dict[str, str | None] = {}    # "the Prime Minister" -> "Jacinda Ardern" (names.titled)

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def load(cls, corpus: str | Path | None = None, index: str | Path | None = None,
             settings: Settings | None = None, *, embedder: Embedder | None = None,
             splitter: Splitter | None = None, reader: Reader | None = None,
             reranker: Reranker | None = None, current: SentenceIndex | None = None,
             answering: bool = True) -> "Assistant":
        """Load the corpus and its index (building or updating the index as needed).

        ``embedder``, ``splitter`` and ``reader`` default to the shipped stages (MiniLM, spaCy's
        sentence recogniser, the reader named by ``settings.reader``); ``current``, an index opened
        earlier from the same folder, lends its segments so an update reads only the new ones.
        ``answering`` False (a process that only indexes) skips loading spaCy's full pipeline early."""
        settings = settings or Settings()
        if answering and (settings.answer_types or settings.clause_answers):
            from rag.nlp import preload

            preload()          # spaCy (~2 s) loads beside the models and the index, for the first answer
        if corpus is not None:
            settings = settings.with_(corpus=Path(corpus))
        if index is not None:
            settings = settings.with_(index=Path(index))
        shipped_stages = embedder is None and splitter is None   # Ray runs the shipped ones, not a custom stage
        if embedder is None:
            from rag.embedding import load_embedder

            embedder = load_embedder(None, settings.threads, settings.batch_size, settings.embedder_backend,
                                     settings.build_threads, settings.ort_spinning)
        if splitter is None:
            from rag.splitting import SpacySplitter

            splitter = SpacySplitter()
        if settings.ray and shipped_stages:
            from rag.ray_indexing import RayEmbedder, RayOptions, RaySplitter

            options = RayOptions(settings.ray, settings.ray_workers, settings.ray_batch_size)
            embedder = RayEmbedder(embedder, options, settings.embedder_backend)
            splitter = RaySplitter(options)
        loaded = load_corpus(settings.corpus)
        for skipped in loaded.skipped:
            log.warning("skipped %s: %s", skipped.source, skipped.reason)
        idx, report = open_index(loaded, embedder, settings.index, splitter.split,
                                 model_sha256=getattr(embedder, "sha256", ""), splitter=splitter.name,
                                 kind=settings.index_kind, approximate_above=settings.approximate_above,
                                 show_progress=settings.show_progress, store=settings.store, current=current,
                                 merge=settings.segment_merge, max_segments=settings.max_segments)
        if report.changed:
            log.info("index: %d documents reused, %d embedded, %d removed%s", len(report.reused),
                     len(report.embedded), len(report.removed),
                     f" ({report.rebuilt_because})" if report.rebuilt_because else "")
        return cls(settings, loaded, idx, HybridRetriever(idx, embedder, loaded.documents), report,
                   reader=reader, embedder=embedder, splitter=splitter, reranker=reranker)

    def with_settings(self, **changes: object) -> "Assistant":
        """The same corpus, index and models with other settings (top_k, reader, retrieval, ...).

        An injected reader is kept unless ``reader`` names another one."""
        settings = self.settings.with_(**changes)
        if (settings.corpus, settings.index, settings.store) != (self.settings.corpus, self.settings.index,
                                                                 self.settings.store):
            raise ValueError("with_settings cannot change the corpus, index or store; use Assistant.load")
        if settings.embedder_backend != self.settings.embedder_backend:
            raise ValueError("with_settings cannot change the embedder (the index holds its vectors); use Assistant.load")
        same_reader = (settings.reader, settings.reader_backend) == (self.settings.reader, self.settings.reader_backend)
        reader = self._reader if same_reader else None
        same_reranker = (settings.reranker, settings.reranker_backend) == (self.settings.reranker,
                                                                            self.settings.reranker_backend)
        reranker = self._reranker if same_reranker else None
        return Assistant(settings, self.corpus, self.index, self.retriever, self.report, reader=reader,
                         embedder=self._embedder, splitter=self._splitter, reranker=reranker)

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
        doc = save_upload(self.corpus, name, data)
        self._reload()
        return self._docs.get(doc.doc_id, doc)

    def remove_document(self, doc_id: str) -> Document:
        """Delete a document's file from the corpus folder and drop it from the index."""
        doc = remove_file(self.corpus, doc_id)
        self._reload()
        return doc

    def replace_file(self, doc_id: str, name: str, data: bytes) -> Document:
        """Put a new version of a document's file in place and re-index it; UploadError changes nothing."""
        doc = replace_file(self.corpus, doc_id, name, data)
        self._reload()
        return self._docs.get(doc.doc_id, doc)

    def _reload(self) -> None:
        """Re-read the corpus folder and update the index incrementally, in place."""
        fresh = Assistant.load(settings=self.settings, embedder=self._embedder, splitter=self._splitter,
                               reader=self._reader, reranker=self._reranker, current=self.index)
        self.corpus, self.index, self.retriever, self.report = fresh.corpus, fresh.index, fresh.retriever, fresh.report
        self._docs = self.corpus.by_id()
        self._outlets = sources.outlets(self._docs.values())
        self._genders = {}
        self._roles = {}

    # --- answering --------------------------------------------------------------------------
    @property
    def reader(self) -> Reader:
        if self._reader is not None:
            return self._reader
        s = self.settings
        return _reader(s.reader, s.threads, s.reader_backend, s.ort_spinning)

    @property
    def reranker(self) -> Reranker | None:
        """The injected reranker, else the one ``settings.reranker`` names (None for "none")."""
        if self._reranker is not None:
            return self._reranker
        s = self.settings
        return _reranker(s.reranker, s.threads, s.reranker_backend, s.ort_spinning)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """Ranked sentences for a question (by ``settings.retrieval``, fusion and reranker), best first."""
        q = clean_question(question, self.settings.max_question_chars)
        s = self.settings
        hits = self.retriever.retrieve(q, top_k=0, mode=s.retrieval, candidates=max(s.candidates, k or 0),
                                       rrf_k=s.rrf_k, fusion=s.fusion, reranker=self.reranker,
                                       rerank_depth=s.rerank_depth).hits
        return hits[:k] if k else hits

    def ask(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Answer:
        """Answer a question, using earlier (question, Answer) turns to resolve follow-ups."""
        return self.run(question, history).answer

    def run(self, question: str, history: Sequence[tuple[str, Answer]] = (),
            exclude: frozenset[str] = frozenset()) -> Trace:
        """Answer a question and return everything the answer took (hits, windows, spans, features).

        ``exclude`` hides documents from retrieval (calibration asks questions with their gold
        paragraph hidden, to see what an unanswerable question looks like)."""
        started = time.perf_counter()
        s = self.settings
        q = clean_question(question, s.max_question_chars)
        resolved = q
        if history:
            from rag.conversation import resolve
            from rag.nlp import full_pipeline

            resolved = resolve(q, history, full_pipeline(), self._outlets if s.sources else None,
                               gender_of=self._gender_of)
        if only_question_word(resolved):   # "Why?" with no turn it could be about: say so, not "nothing related"
            timings = {"total": time.perf_counter() - started}
            answer = Answer(question=q, text="", abstained=True, confidence=0.0, message=ASKS_NOTHING.format(q),
                            resolved_question=resolved, timings=timings)
            return Trace(question=q, resolved_question=resolved, hits=[], windows=[], spans=[], features=[],
                         answer=answer, timings=timings)
        if s.whole_names:
            resolved = names.complete(resolved, self._mentions)      # "Who is Sharma?": Gaurav Sharma
        source = sources.named(resolved, self._outlets) if s.sources else None   # "according to Newshub"
        if source is not None:
            return self._from_source(q, resolved, source, exclude, started)
        return self._answer(q, resolved, exclude, started)

    def _answer(self, q: str, resolved: str, exclude: frozenset[str], started: float,
                only: frozenset[str] | None = None) -> Trace:
        """A look (and a second one), then two hops through the entity the question describes when
        the look refuses or answers with the wrong type."""
        looked, reread = self._of_role(q, resolved, self._second_look(q, resolved, exclude, started, only),
                                       exclude, started, only)
        if reread:
            return looked
        misfit = bool(looked.spans) and looked.spans[0].type_fit < 0
        if self.settings.bridging and (looked.answer.abstained or misfit):
            return self._bridge(q, resolved, exclude, started, looked, only)
        # "How old is the driver who caused the crash?": the age of the first person the window names
        # ("killed 58-year-old principal Andrew Barclay") is no answer until the description is seen to be them
        if self.settings.bridging and ages.asks_age_by_description(resolved):
            return self._bridge(q, resolved, exclude, started, looked, only, strict=True)
        return looked

    def _of_role(self, q: str, resolved: str, looked: Trace, exclude: frozenset[str], started: float,
                 only: frozenset[str] | None) -> tuple[Trace, bool]:
        """A refused "Who is the chief executive of Air Aotearoa?" asked again as "Who is the chief
        executive?" of the documents naming the body, kept (with True) when the answer's sentence writes
        the role; else the look as it was (with False). An answer whose sentence does not give it the role
        ("Simon Hale" for the festival's director) is asked again too, and replaced only by a name the text
        gives the role beside ("Festival director Nadia Collins", ``qualifiers.stated_holder``)."""
        held = names.role_of(resolved) if self.settings.whole_names else None
        if held is not None and not looked.answer.abstained and (
                not self.settings.qualifiers or not looked.spans
                or qualifiers.stated_holder(resolved, looked.spans[0], looked.windows)):
            held = None                 # answered by someone the text gives the role: no second look
        naming = self._naming(held.body) if held is not None else frozenset()
        within = naming if only is None else naming & only
        if held is None or not within:
            return looked, False
        trace = self._second_look(q, held.question, exclude, started, within)
        a = trace.answer      # the role written where the person is found ("Chief executive Greg Foran")
        said = a.citations[0].sentence.lower() if a.citations else ""
        if a.abstained or held.role.lower() not in said or echoes.echoes(resolved, a.text) or \
                qualifiers.anothers_holder(resolved, trace.spans[0], trace.windows):   # another body's
            return looked, False
        if not looked.answer.abstained and not qualifiers.stated_holder(resolved, trace.spans[0], trace.windows):
            return looked, False        # an answer is replaced only by one the text gives the role beside
        return replace(trace, resolved_question=resolved, answer=replace(a, resolved_question=resolved)), True

    def _from_source(self, q: str, resolved: str, source: sources.Source, exclude: frozenset[str],
                     started: float) -> Trace:
        """The answer from the named outlet's documents alone, read without the "according to" aside;
        the question shown (and asked again by a follow-up) keeps it, and a refusal names the outlet."""
        trace = self._answer(q, source.question, exclude, started, source.doc_ids)
        answer = replace(trace.answer, resolved_question=resolved)
        if answer.abstained:
            outlets = sorted(source.outlets)
            says = f"{' and '.join(outlets)} {'doesn' if len(outlets) == 1 else 'don'}'t say."
            answer = replace(answer, message=answer.message.replace(NOT_IN_CORPUS, says, 1))
        return replace(trace, resolved_question=resolved, answer=answer)

    def _second_look(self, q: str, resolved: str, exclude: frozenset[str], started: float,
                     only: frozenset[str] | None = None) -> Trace:
        """The first look, and a deeper second one when the first would refuse."""
        s = self.settings
        first = self._look(q, resolved, s.rerank_depth, exclude, started, only)
        if not first.answer.abstained or self.reranker is None or s.second_look_depth <= s.rerank_depth:
            return first
        second = self._look(q, resolved, s.second_look_depth, exclude, started, only)
        # the stages are timed as the first look's, and the whole second look apart, either way
        timings = {**first.timings, "second_look": second.timings["total"] - first.timings["total"],
                   "total": second.timings["total"]}
        if second.answer.abstained or _retrieved(second.spans[0], first, s.top_k):
            # only new evidence may overturn a refusal: a span in a sentence the first look retrieved
            # and doubted, scored again beside other windows, is the same doubt with a second draw
            return replace(first, answer=replace(first.answer, timings=timings), timings=timings)
        return replace(second, answer=replace(second.answer, timings=timings), timings=timings, looks=2)

    def _bridge(self, q: str, resolved: str, exclude: frozenset[str], started: float, looked: Trace,
                only: frozenset[str] | None = None, strict: bool = False) -> Trace:
        """A two-hop question through the entity it describes (``rag.bridging``): who or what the
        description names, then the question about that. The first hop's answer is tried first; when
        the second hop then refuses (or names the entity again), its next-best answer (offered beside an
        uncertain or disputed one). A description without a relative clause ("the victim's father"): the
        first hop's answer only. ``strict`` (over an answer the look gave): that too, and a chain that holds
        only when that answer is a name and the second hop's answer the age beside it. Without a chain that
        holds, the look stands (with a "bridge" timing when a bridge was tried)."""
        bridge = bridging.find_bridge(resolved, _parse)
        if bridge is None:
            return looked
        first_only = strict or bridge.loose
        t = time.perf_counter()
        # "Who is Jessica Calloway's coach?", refused, asked again as "Who is the coach?" of her documents
        inner, _ = self._of_role(bridge.inner, bridge.inner, self._second_look(bridge.inner, bridge.inner, exclude,
                                                                               t, only), exclude, t, only)
        a = inner.answer
        # (entity, the first hop's sentence naming it): the answer, then the next-best ones offered beside it
        named = [] if a.abstained or a.kind != "span" else \
            [(a.text, a.citations[:1]), *((x.text, [x.citation]) for x in a.alternatives)]
        best, tried = None, []
        for rank, (text, cites) in enumerate(named):
            entity = bridging.entity_of(text)
            if entity is None or citing.same_answer(entity, bridge.description) or \
                    any(citing.same_answer(entity, e) for e in tried):
                continue
            tried.append(entity)
            outer = self._second_look(q, bridge.outer(resolved, entity), exclude, t, only)
            # a second hop that answers with the entity (said any way) answered the first hop again, one that
            # repeats the question's own words ("Rachel Tuhiwai" for "... the minister that Rachel Tuhiwai wrote
            # to?") answers nothing
            if not outer.answer.abstained and not citing.same_answer(outer.answer.text, entity) \
                    and not echoes.echoes(resolved, outer.answer.text) \
                    and (not strict or _named_age(entity, outer)):
                best = (entity, cites, outer, rank)
                break
            if len(tried) == (1 if first_only else bridging.MAX_ENTITIES):
                break
        timings = {**looked.timings, "bridge": time.perf_counter() - t}
        timings["total"] = time.perf_counter() - started
        if best is None:
            return replace(looked, answer=replace(looked.answer, timings=timings), timings=timings)
        entity, cites, outer, rank = best
        b = outer.answer
        seen = {(x.doc_id, x.start) for x in b.citations}
        # the chain is as sure as its weaker hop; through a next-best or disputed first hop it may be wrong
        answer = replace(b, confidence=min(a.confidence, b.confidence),
                         citations=[*b.citations, *(c for c in cites if (c.doc_id, c.start) not in seen)],
                         uncertain=b.uncertain or a.uncertain or a.conflict or rank > 0,
                         timings=timings)
        return replace(outer, answer=answer, timings=timings, looks=looked.looks + inner.looks + outer.looks,
                       bridge=entity)

    def _mentions(self, word: str) -> list[str]:
        """The sentences that hold a word (BM25's postings; the first ``names.MAX_MENTIONS``)."""
        rows = self.retriever.bm25.rows_with(word, names.MAX_MENTIONS)
        return [self.index.sentences[r].text for r in rows]

    def _naming(self, name: str) -> frozenset[str]:
        """The documents with a sentence that writes ``name`` ("Air Aotearoa"), in any case, accents aside; if
        none does, those writing its own words and, anywhere, its kind ("Tūmanako District Council": a story
        writing "Tūmanako District" and "the council")."""
        wanted = echoes.plain(name)
        rows = self.retriever.bm25.rows_with(name.split()[-1], names.MAX_MENTIONS)
        found = (self.index.sentences[r] for r in rows)
        whole = frozenset(x.doc_id for x in found if wanted in echoes.plain(x.text))
        own = [w for w in name.split() if w.lower() not in _BODY_KINDS]
        kind = name.split()[-1].lower()
        if whole or not own or kind not in _BODY_KINDS or len(own) == len(name.split()):
            return whole
        near = (self.index.sentences[r] for r in self.retriever.bm25.rows_with(own[0], names.MAX_MENTIONS))
        docs = {x.doc_id for x in near if echoes.plain(" ".join(own)) in echoes.plain(x.text)}
        return frozenset(d for d in docs if re.search(rf"\b{kind}\b", self._docs[d].text.lower()))

    def _gender_of(self, name: str) -> str:
        """"f" or "m" as the corpus speaks of the named person (``names.gender``), "" when it does not tell."""
        if name not in self._genders:
            self._genders[name] = names.gender(name, self._mentions(name.split()[-1]), _parse)
        return self._genders[name]

    def _titled(self, role: str) -> str | None:
        """The one person the corpus gives a role ("the Prime Minister" -> "Jacinda Ardern"; ``names.titled``)."""
        if role not in self._roles:
            self._roles[role] = names.titled(role, self._mentions)
        return self._roles[role]

    def _kind_named(self, question: str) -> str | None:
        """For "Which jockey rode Tidewater Lass?" or "Who was the Conservative candidate?": the one name the
        corpus writes after that kind or title ("apprentice jockey Jayden Ruhe", "Conservative candidate
        Richard Haldane"; ``names.titled``), else None. A large corpus names many jockeys, and then none is."""
        kind = question_types.kind_asked(question) or question_types.title_asked(question)
        if kind is None:
            return None
        name = self._titled(kind)
        # "Which company leads the salvage?": not the one "company" when the text names a "firm" too (another)
        head = kind.split()[-1].lower()
        others = (self._titled(" ".join([*kind.split()[:-1], other])) for other in _SAME_KIND.get(head, ()))
        return None if name is not None and any(x is not None and x != name for x in others) else name

    def _of_kind(self, question: str, span: Span) -> bool:
        """Whether the answer is the one name of the kind asked (``_kind_named``)."""
        name = self._kind_named(question)
        return len(span.text.split()) >= 2 and name is not None and _names(name, span)

    def _kind_first(self, question: str, spans: list[Span]) -> list[Span]:
        """The spans with the one name of the kind asked (``_kind_named``) first when the reader found it too,
        in the document of its best answer ("Richard Haldane" at 0.05 under "Sir Geoffrey Pallister" at 0.17,
        a Conservative MP; not "Ashbury Land Co", the one "company" of another story); as they were otherwise."""
        name = self._kind_named(question) if len(spans) > 1 else None
        if name is None:
            return spans
        named = [x for x in spans if _names(name, x) and x.doc_id == spans[0].doc_id]
        return named + [x for x in spans if x not in named] if named and not _names(name, spans[0]) else spans

    def _called_by_age(self, span: Span, windows: Sequence[Window]) -> str | None:
        """The surname of whom a number is the age of when it is the age its sentence opens by (``_called``);
        None for any other span."""
        sentence = span.sentence_in({w.rank: w for w in windows})
        at = span.start - sentence.start if sentence is not None else 0
        if sentence is None or not ages.opens_by_age(sentence.text, at, at + len(span.text)):
            return None
        return self._called(sentence)

    def _called(self, sentence: Sentence) -> str | None:
        """The lower-cased surname of whom a sentence opening "The 61-year-old, who replaced ..." calls by their
        age, named before it ("Mayor Trudy Kennaway ... said ...": "kennaway"; ``attribution.aged_referent``);
        None when it opens otherwise or no one is found."""
        if not ages.BY_AGE.match(sentence.text):
            return None
        text = self._docs[sentence.doc_id].text
        found = attribution.aged_referent(self.index.doc_sentences(sentence.doc_id), sentence.index, _parse, text)
        return None if found is None else text[found[0]:found[1]].split()[-1].lower()

    def _aged(self, question: str, span: Span, windows: Sequence[Window]) -> bool:
        """Whether a number answering "How old is Trudy Kennaway?" is the age the story calls her by
        (``_called_by_age``)."""
        return self._called_by_age(span, windows) in {w.lower() for w in question_types.question_names(question)}

    def _aged_first(self, question: str, spans: list[Span], windows: Sequence[Window]) -> list[Span]:
        """For "How old is Trudy Kennaway?": the age the story calls her by (``_called_by_age``) first, as a
        number, however less likely the reader finds it ("58" of "its 58-year history" at 0.30 against "56" of
        "The 56-year-old took up the role"), unless an age set beside her name already is; and no age the
        story calls another by ("How old is Graham Tulloch?": not "61" of "The 61-year-old, who replaced
        long-serving mayor Graham Tulloch")."""
        expected = question_types.expected_type(question)
        asked = {w.lower() for w in question_types.question_names(question)}
        if expected is None or expected.name != "age" or not asked:
            return spans
        whose = [self._called_by_age(x, windows) for x in spans]
        kept = [x for x, who in zip(spans, whose) if who is None or who in asked]
        aged = next((x for x, who in zip(spans, whose) if who in asked), None)
        if aged is None or not kept or aged is kept[0] or ages.named_age(question, kept[0], windows):
            return kept
        return [replace(ages.own_age(aged), type_fit=1)] + [x for x in kept if x is not aged]

    def _stated(self, question: str, span: Span, windows: Sequence[Window], player: str | None) -> bool:
        """Whether the text says the answer is what is asked, however unsure the reader is: the age it sets
        beside the asked name ("Karen Doyle, 58,") or calls them by ("The 61-year-old"), the one name of the
        kind asked ("apprentice jockey Jayden Ruhe"), the position written before a player's name ("lock
        Harrison Dwyer"), the crowd a match report gives ("a crowd of 1,873"), the amount given as the thing
        asked ("a starting point of $650,000"), the ages a study gives ("aged between 55 and 80"), the post asked
        written beside the name ("Musical director Helen Okafor")."""
        return self.settings.answer_types and (
            ages.named_age(question, span, windows) or self._aged(question, span, windows)
            or self._of_kind(question, span) or amounts.stated_crowd(question, span, windows)
            or amounts.stated_amount(question, span, windows)
            or ages.stated_age_range(question, span, windows)
            or (self.settings.qualifiers and qualifiers.stated_holder(question, span, windows))
            or (player is not None and answer_types.titles(span, windows, player, _parse)))

    def _speaker(self, sentence: Sentence) -> str | None:
        """The name of who says a sentence, followed back through its document (``attribution.sayer``)."""
        text = self._docs[sentence.doc_id].text
        found = attribution.sayer(self.index.doc_sentences(sentence.doc_id), sentence.index, _parse, text)
        return None if found is None else text[found[0]:found[1]]

    def _named_sayer(self, question: str, span: Span, windows: list[Window]
                     ) -> tuple[Span, list[Window], Sentence | None]:
        """For "Who said ...?": the name of who says the sentence that says the question's words
        (``_said_sentence``), else the one the span's window was retrieved for
        (``attribution.sayer``: a running quote or a pronoun followed back; the words for an unnamed
        sayer, "someone involved at the time of those disputes") when the span names someone
        else or no one ('she said there was always room ...') and the question does not name them, with
        that sentence (cited beside the name); the window then starts at the name's sentence. A span
        that already names them is kept, with the sentence when it lies elsewhere (one holding their
        name in a longer clause, "someone involved ... told Newshub the complaints", is cut to the
        name); else the span and windows as they are, and None."""
        at = next((k for k, w in enumerate(windows) if w.rank == span.window_rank), None)
        if at is None:
            return span, windows, None
        hit = windows[at].sentences[windows[at].center]
        said_in = _said_sentence(question, windows)
        if said_in is not None:                  # the sentence that says the question's words
            at, hit = said_in
        window = windows[at]
        sentences = self.index.doc_sentences(window.doc_id)
        text = self._docs[window.doc_id].text
        found = attribution.sayer(sentences, hit.index, _parse, text, unnamed=True)
        name = "" if found is None else text[found[0]:found[1]]
        if found is None or echoes.echoes(question, name):     # "Who complained to Ardern?": not Ardern
            return span, windows, None
        around = names.untitled(span.text.replace(name, " ", 1)) if name in span.text else []
        longer = span.doc_id == window.doc_id and span.start <= found[0] and found[1] <= span.end \
            and bool(around)                                          # the name inside a clause, not titles
        if citing.same_answer(name, span.text) and not longer:      # the reader named them already
            inside = span.doc_id == hit.doc_id and hit.start <= span.start < hit.end
            return span, windows, None if inside else hit
        named = replace(span, text=name, doc_id=window.doc_id, start=found[0], end=found[1],
                        window_rank=window.rank)
        if found[0] < window.start:
            lo = next(x.index for x in sentences if x.start <= found[0] < x.end)
            window = _spanning(window, sentences[lo:window.sentences[-1].index + 1], text)
            windows = [*windows[:at], window, *windows[at + 1:]]
        return named, windows, None if hit.start <= found[0] < hit.end else hit

    def _named_describer(self, span: Span, windows: list[Window]) -> tuple[Span, list[Window], Sentence | None]:
        """For a question asking for a person: when the span only describes an unnamed sayer and the next
        sentence quotes and names them (``attribution.named_describer``), or describes whom a story opens
        on before naming them (``attribution.named_later``), their name, with the describing sentence
        (cited beside it); the window then runs to the name's sentence. Else the span and windows as they
        are, and None."""
        at = next((k for k, w in enumerate(windows) if w.rank == span.window_rank), None)
        sentence = windows[at].sentence_at(span.start) if at is not None else None
        if sentence is None:
            return span, windows, None
        window = windows[at]
        sentences = self.index.doc_sentences(window.doc_id)
        text = self._docs[window.doc_id].text
        found = attribution.named_describer(sentences, sentence.index, span.start, span.end, _parse, text) \
            or attribution.named_later(sentences, sentence.index, span.start, span.end, _parse) \
            or self._titled_before(span, text)
        if found is None:
            return span, windows, None
        named = replace(span, text=text[found[0]:found[1]], start=found[0], end=found[1])
        at_name = next(x.index for x in sentences if x.start <= found[0] < x.end)
        first, last = window.sentences[0].index, window.sentences[-1].index
        if not first <= at_name <= last:
            window = _spanning(window, sentences[min(first, at_name):max(last, at_name) + 1], text)
            windows = [*windows[:at], window, *windows[at + 1:]]
        return named, windows, sentence

    def _titled_before(self, span: Span, text: str) -> tuple[int, int] | None:
        """For "The inspector urged anyone with footage ...": where the document, before the span, names the
        one person the corpus gives that title ("Inspector Graeme Tupaea"; ``names.titled``), or None."""
        if not _BY_TITLE.match(span.text):
            return None
        name = self._titled(span.text)
        at = text.rfind(name, 0, span.start) if name else -1
        return (at, at + len(name)) if at >= 0 else None

    def _look(self, q: str, resolved: str, rerank_depth: int, exclude: frozenset[str], started: float,
              only: frozenset[str] | None = None) -> Trace:
        """One retrieval and reading, with the reranker reordering ``rerank_depth`` fused hits;
        ``only``: from these documents alone."""
        s = self.settings
        reranker = self.reranker
        # "What is the chief engineer's last name?" is read as "Who is the chief engineer?" (the part is cut
        # below); the question shown, and asked again by a follow-up, stays the one asked
        shown, resolved = resolved, (names.read_as_who(resolved) if s.whole_names else resolved)
        resolved = question_types.read_as_job(resolved) if s.answer_types else resolved   # "do for a living": a job
        resolved = question_types.read_as_how_old(resolved) if s.answer_types else resolved   # "What age is X?"
        player = question_types.player_asked(resolved) if s.answer_types else None   # "What position does X play?"
        resolved = f"Who is {player}?" if player is not None else resolved          # is read as "Who is X?"
        member = seats.asked(resolved) if s.answer_types else None
        if member is not None:          # "Which electorate does X represent?": who X is; the seat cut below
            resolved = f"Who is {member}?"
            resolved = names.complete(resolved, self._mentions) if s.whole_names else resolved
        retrieval = self.retriever.retrieve(resolved, top_k=s.top_k, window=s.window, mode=s.retrieval,
                                            candidates=s.candidates, rrf_k=s.rrf_k, fusion=s.fusion,
                                            reranker=reranker, rerank_depth=rerank_depth, exclude=exclude,
                                            windows_mode=s.windows, only=only)
        t = time.perf_counter()
        spans = self.reader.read(resolved, retrieval.windows)
        timings = {**retrieval.timings, "read": time.perf_counter() - t}
        t = time.perf_counter()
        spans = weigh_spans(spans, retrieval.windows, s.rerank_prior)   # as read when no reranker ran
        if s.credits:       # "By Aroha Wiremu, Court Reporter" answers who wrote the story, nothing else
            spans = credits.drop_credit_spans(resolved, spans, retrieval.windows)
        if s.qualifiers:    # "Who went to Fort Duquesne in June 1745?": not from a sentence about 1755
            spans = qualifiers.drop_contradicted(resolved, spans, retrieval.windows, _parse, self._docs)
        asked = clauses.question_form(resolved)     # the question's form: a feature of the confidence too
        if s.drop_echoes and asked is None:   # a clause answer may restate the question: only spans are checked
            spans = echoes.drop_echoes(resolved, spans)
            spans = echoes.drop_acted_on(resolved, spans, _parse, retrieval.windows)   # "Who expelled Sharma?"
            spans = echoes.drop_beaten(resolved, spans, retrieval.windows)   # "Who won?": not "victory over X"
            spans = amounts.drop_levels(resolved, spans, retrieval.windows)   # "How much did it rise?": not "to X"
            spans = amounts.drop_wholes(resolved, spans, retrieval.windows)   # "How many of the samples ...?"
            if s.attribution:           # "How many votes did Kovacs receive?": not what Poutama received
                spans = attribution.others_act(resolved, spans, retrieval.windows, _parse)
        if s.answer_types and spans:
            spans = answer_types.rescore(resolved, spans, retrieval.windows, _parse)
        if s.attribution and spans and asked is None:   # "Where does Anil Mehta work?": from a sentence about him
            spans = attribution.of_the_person(resolved, spans, retrieval.windows, _parse)
            spans = attribution.others_origin(resolved, spans, retrieval.windows)   # not "Prowse, 19, from X"
        if s.attribution and spans:
            spans = attribution.rescore(resolved, spans, retrieval.windows, _parse,
                                        subject_clause=asked in ("yes/no", "do"), speaker_of=self._speaker,
                                        gender_of=self._gender_of, titled=self._titled)
        if s.attribution and spans and asked is None:     # "Who sold the painting?": "sold by X", not its painter
            spans = attribution.prefer_doer(resolved, spans, retrieval.windows, _parse)
        if s.qualifiers and spans and asked is None:     # "Who is the chief executive?": "Chief executive X said"
            spans = qualifiers.prefer_holder(resolved, spans, retrieval.windows)
            spans = qualifiers.prefer_told(resolved, spans, retrieval.windows)   # the name the act is told of
        if s.answer_types and spans and asked is None:     # "Which jockey ...?": "apprentice jockey Jayden Ruhe"
            spans = self._kind_first(resolved, spans)
        if s.answer_types and spans and asked is None:     # "How old is Doyle?": "Doyle, 58,", not "for 22 years"
            spans = ages.prefer_named_age(resolved, spans, retrieval.windows)
            spans = self._aged_first(resolved, spans, retrieval.windows)   # "The 61-year-old, who ..."
            spans = amounts.prefer_margin(resolved, spans, retrieval.windows)   # "by 1,240 votes"
            spans = amounts.in_measure_asked(resolved, spans)   # "winning time": "5min 41.62sec", not "12 years"
            spans = amounts.prefer_measure_of(resolved, spans, retrieval.windows)   # "7.8 tonnes of snapper"
            spans = amounts.prefer_sum_of(resolved, spans, retrieval.windows)   # "prize money of $30,000"
            spans = amounts.crowd_size(resolved, spans, retrieval.windows)   # "in front of a crowd of 18,500"
            spans = clauses.prefer_dated_act(resolved, spans, retrieval.windows, _parse)   # "will be sentenced on 2 May"
        succeeded = False           # "Who coached the Banksias before Arnott?": "Her predecessor, Deb Kinsella"
        if s.attribution and asked is None:
            held = succession.holder(resolved, spans, retrieval.windows, _parse, called=self._called)
            spans, succeeded = held.spans, held.stated
        if s.answer_types and spans and asked is None:
            spans = echoes.prefer_options(resolved, spans)   # "Matte or Langgasse?": one of the two
        windows, quote = list(retrieval.windows), None
        if s.attribution and spans and asked is None and attribution.asks_sayer(resolved, _parse):
            spans[0], windows, quote = self._named_sayer(resolved, spans[0], windows)    # '"...," she said.': her name
        if s.attribution and spans and asked is None and _asks_person(resolved):   # "the advocate" -> his name
            spans[0], windows, described = self._named_describer(spans[0], windows)
            quote = quote or described
        form = asked if spans and s.clause_answers else None
        if form == "do" and clauses.did_question(resolved, _parse):
            form = "did"                # "What did Ardern do?": what was done, not a noun phrase
        verbs = clauses.asked_acts(resolved, _parse) if form == "why" else frozenset()
        stated = False               # a reason the text gives in a "because" clause about what is asked
        if form == "why":            # not what the act was done to; a reason of the act asked about
            spans = clauses.reasons(verbs, spans, windows, _parse)
            spans, stated = clauses.stated_reason(resolved, spans, windows)   # "because conditions became ..."
            form = form if spans else None
        said = None                  # "yes" / "no" when the evidence decides a yes/no question by rule
        if form == "yes/no":
            spans = _on_the_question(resolved, spans, windows)   # the clause about what is asked
        if form is not None:
            spans = [_clause_span(spans[0], windows, form, verbs), *spans[1:]]
            decided = _verdict(resolved, spans[0], windows, self._docs) if form == "yes/no" else None
            if decided is None and form == "yes/no":       # "Was anybody hurt?": "Nobody was injured." elsewhere
                decided = _verdict_elsewhere(resolved, spans[0], windows, self._docs)
            if decided is not None:
                said, spans[0] = decided
            elif form == "yes/no" and (at := _sentence_of(spans[0], windows)) is not None \
                    and clauses.unsettled(resolved, at[0].sentences[at[1]].text):
                spans = []          # "has not yet decided whether ...": the documents don't say
        elif spans and s.clause_answers:
            spans = [_completed(spans[0], windows), *spans[1:]]   # a cut phrase made whole
            if s.attribution and attribution.asks_statement(resolved, _parse):   # what was said, not a word of it
                spans = [_said_only(_clause_span(spans[0], windows, "said"), windows), *spans[1:]]
        if spans and form is None and s.answer_types:
            spans = [_whole_name(spans[0], windows), *spans[1:]]  # a cut name made whole
            spans = [ages.without_age(resolved, spans[0]), *spans[1:]]   # "Moala, 22" -> "Moala"
            spans = [ages.age_alone(resolved, spans[0]), *spans[1:]]     # "19-year" -> "19"
            spans = [_whole_duration(spans[0], windows), *spans[1:]]   # "three years" and "four months"
            spans = [_whole_percent(spans[0], windows), *spans[1:]]    # "3.6" -> "3.6 per cent"
            spans = [amounts.whole_measure(resolved, spans[0], windows), *spans[1:]]   # "2,400-hectare"
            spans = [amounts.change_end(resolved, spans[0], windows), *spans[1:]]   # "now": Y of "from X to Y"
            spans = [amounts.most_given(resolved, spans[0], windows), *spans[1:]]   # "a maximum of 160"
            spans = [answer_types.name_after_kind(resolved, spans[0], windows), *spans[1:]]  # "firm Caldwell Irons"
            expected = question_types.expected_type(resolved)
            if expected is not None and expected.name == "place":
                spans = [_with_bearing(spans[0], windows), *spans[1:]]   # "four miles west of Ely", not "Ely"
            spans = [answer_types.clock_only(expected, spans[0]), *spans[1:]]   # "6.12pm", not "6.12pm when ..."
            spans = [answer_types.body_of_person(expected, spans[0], windows), *spans[1:]]   # "SAFE", not its
            # spokeswoman, for "Which group ...?"
            if s.drop_echoes and not echoes.drop_acted_on(resolved, spans[:1], _parse):
                # made whole, it names whom the act was done to ("Renegade MP Gaurav" -> "... Gaurav Sharma"
                # for "Who suspended Sharma?"): no answer; the next one, made whole
                spans = [_whole_name(spans[1], windows), *spans[2:]] if len(spans) > 1 else []
            if spans and _asks_person(resolved):    # "what Prime Minister Jacinda Ardern" (of "after what PM
                spans = [_without_relative(spans[0]), *spans[1:]]   # Jacinda Ardern called ..."): the name
                spans = [_name_only(spans[0]), *spans[1:]]   # "president Helen Vickery": the person asked
            if member is not None:                                          # the place of the role
                spans = _seat(member, spans, windows, self._mentions)
            elif question_types.DESCRIBES.match(resolved):                    # "Who is X?": the whole role
                described = _without_who(_without_name(resolved, spans[0], windows))
                spans = [_whole_description(described, windows), *spans[1:]]
                if player is not None:                                      # "goal attack", not "Waves goal attack"
                    spans = [answer_types.position_only(spans[0], player), *spans[1:]]
        part = names.name_part(shown) if spans and s.whole_names else None
        if part is not None:                       # "What is Sharma's first name?": "Gaurav", not a role
            spans = _name_part(spans, windows, part)
        timings["answer"] = time.perf_counter() - t
        calibration = load_calibration(calibration_key(s.reader, reranker.name if reranker is not None else None))
        feats = features(spans, windows, clause_question=asked is not None)
        conf = confidence(feats, calibration)
        threshold = s.abstain_below if s.abstain_below is not None else calibration.threshold
        # what the text itself says is the answer (``_stated``), a "Yes"/"No" its sentence decides by rule
        # (``_verdict``) or a reason it gives with "because" (``clauses.stated_reason``): the reader, trained on
        # SQuAD, is unsure of these in a news sentence; given at the threshold, and marked uncertain
        floored = bool(spans) and conf < threshold and (
            said is not None or (form == "why" and stated)
            or (form is None and (succeeded or self._stated(resolved, spans[0], windows, player))))
        if floored:
            conf = threshold
        shape = _SpanShapes(windows) if s.answer_types else None
        asked_names = question_types.question_names(resolved)

        said_question = s.attribution and attribution.asks_words(resolved, _parse)

        def comparable(a: Span, b: Span) -> bool:
            """Two answers can disagree only if the question asks for one value (not a why / how /
            yes-no question, whose clauses from two outlets give two reasons, not a contradiction,
            nor one asking what someone said: two statements are not a contradiction either),
            they are of one type, and both documents speak of everyone the question names (a
            document that never mentions Lewis does not answer "What did Lewis say ...?")."""
            if form is not None or said_question:
                return False
            about = all(citing.mentions(self._docs[x.doc_id].text, n) for x in (a, b) for n in asked_names)
            return about and (shape is None or shape.same(a, b))

        cited = (citing.cite(spans, windows, self._docs, s.max_citations, same_type=comparable)
                 if spans else None)
        if cited is not None and quote is not None and cited.citations:   # the words said, beside the name
            kept = [c for c in cited.citations[1:] if (c.doc_id, c.index) != (quote.doc_id, quote.index)]
            said_in = citing.citation_for(quote, self._docs[quote.doc_id], spans[0])
            cited = replace(cited, citations=[cited.citations[0], said_in, *kept][:s.max_citations])

        def trace(answer: Answer) -> Trace:
            return Trace(question=q, resolved_question=shown, hits=retrieval.hits, windows=windows,
                         spans=spans, features=feats, answer=answer, timings=answer.timings)

        if cited is None or not cited.citations or conf < threshold:
            related = citing.related(retrieval.hits, self._docs, names=asked_names)
            timings["total"] = time.perf_counter() - started
            off = not related and citing.off_subject(retrieval.hits)
            message = f"{NOT_IN_CORPUS} {citing.NOTHING_RELATED}" if off else NOT_IN_CORPUS
            return trace(Answer(question=q, text="", abstained=True, confidence=round(conf, 4), related=related,
                                message=message, resolved_question=shown, timings=timings))
        citing.verify(cited.citations, self._docs)
        best = spans[0]
        message = f"{said.capitalize()}: {best.text}" if said else best.text
        if cited.conflict and cited.alternative is not None:
            a, b = self._docs[best.doc_id], self._docs[cited.alternative.doc_id]
            message = (f"The sources differ: {_source_name(a)} says \"{best.text}\", "
                       f"while {_source_name(b)} says \"{cited.alternative.text}\".")
        alternatives = _alternatives(spans, windows, self._docs, cited)
        timings["total"] = time.perf_counter() - started
        return trace(Answer(question=q, text=best.text, abstained=False, confidence=round(conf, 4),
                            citations=cited.citations, message=message, resolved_question=shown,
                            conflict=cited.conflict, timings=timings,
                            # a seat cut by rule, an age given by rule: uncertain whatever the confidence
                            uncertain=conf < calibration.sure or member is not None or floored,
                            alternatives=alternatives, kind=said or ("sentence" if form else "span")))


def _names(name: str, span: Span) -> bool:
    """Whether a span is the named person: the name itself, or their surname after a title or a part of the name
    ("Judge Dunne" for "Rachel Dunne", of "Judge Rachel Dunne")."""
    words = span.text.split()
    return span.text == name or (len(words) >= 2 and words[-1] == name.split()[-1] and words[0][:1].isupper()
                                 and all(w in name.split() or w.lower() in names.TITLES for w in words))


def _spanning(window: Window, sentences: Sequence[Sentence], text: str) -> Window:
    """The window made to run over ``sentences`` (consecutive sentences of its document ``text`` that hold
    its own), its hit sentence kept: a name found just before or after it is read and cited there."""
    chosen = tuple(sentences)
    center = window.sentences[window.center].index - chosen[0].index
    return replace(window, sentences=chosen, center=center, start=chosen[0].start, end=chosen[-1].end,
                   text=text[chosen[0].start:chosen[-1].end])


# a person described by a title alone ("The inspector", "the head coach"), named where first titled
_BY_TITLE = re.compile(r"^[Tt]he\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)?$")
_RELATIVE_FRONT = re.compile(r"^(?:what|which|whom?)\s+(?=[A-Z])")


def _without_relative(span: Span) -> Span:
    """A span that opens with the relative word of a clause before a name ("what Prime Minister Jacinda
    Ardern" of "after what Prime Minister Jacinda Ardern called ...") without it; other spans as they are."""
    found = _RELATIVE_FRONT.match(span.text)
    if found is None:
        return span
    return replace(span, text=span.text[found.end():], start=span.start + found.end())


# a name at the end of a span, after what it is ("Magpies lock Tom Greaves", "president Helen Vickery"): two or more
# capitalised words, an honorific kept; what comes before holds a word in lower case (a role), and does not end
# joined to the name ("chief executive of Acme Holdings", "Smith and Jones")
_HONORIFIC = "|".join(sorted((h.capitalize() for h in names.HONORIFICS), key=len, reverse=True))
_TRAILING_NAME = re.compile(rf"(?:(?:{_HONORIFIC})\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+$")
_JOINED_BEFORE = re.compile(r"\b(?:and|or|of|with|for|to|by|said|told|from|at|in)\s*$", re.IGNORECASE)


def _name_only(span: Span) -> Span:
    """For a question asking a person by name, the name that ends the span without the role before it ("Which
    barrister ...?": *Rachel Okonjo*, not *barrister Rachel Okonjo*): what they are the question already says,
    and the citation shows."""
    found = _TRAILING_NAME.search(span.text)
    if found is None or found.start() == 0:
        return span
    before = span.text[:found.start()]
    role = re.search(r"(?:^|\s)[^\W\d_A-Z][\w-]*", before)     # a word in lower case
    if role is None or _JOINED_BEFORE.search(before) or "," in before.strip()[:-1]:
        return span
    return replace(span, text=found.group(0), start=span.start + found.start())


_WHO_FRONT = re.compile(r"^who\s+(?:is\s+|was\s+|are\s+|were\s+)?(?=\S)")


def _without_who(span: Span) -> Span:
    """For "Who is Rachel Ngata?": *runs a freight company in Onerahi*, *a lawyer*, without the "who" (and
    "is") of the relative clause the reader took them from ("Rachel Ngata, who runs a freight company ...")."""
    found = _WHO_FRONT.match(span.text)
    if found is None or found.end() == len(span.text):
        return span
    return replace(span, text=span.text[found.end():], start=span.start + found.end())


def _named_age(entity: str, trace: Trace) -> bool:
    """Whether the first hop found a name ("Jayden Cole Whitfield", not "a 38-year-old Point Cook man") and
    the second hop's answer is the age its text sets beside it ("Whitfield, 26,")."""
    name = all(w[:1].isupper() or w in ("and", "de", "van", "von", "der", "da") for w in entity.split()) \
        and not any(c.isdigit() for c in entity)
    return name and bool(trace.spans) and ages.named_age(trace.resolved_question, trace.spans[0],
                                                                 trace.windows)


def _asks_person(question: str) -> bool:
    """Whether the question asks for a person by name ("Which employment advocate ...?", "Who called ...?",
    "What is the name of the advocate ...?"), not for a description ("Who is X?")."""
    expected = question_types.expected_type(question)
    return expected is not None and "PERSON" in expected.labels


def _retrieved(span: Span, trace: Trace, top_k: int) -> bool:
    """Whether the span starts in a sentence the look retrieved (one of its first ``top_k`` hits or a
    window's hit); a neighbour it read only as context does not count: the reranker never judged it."""
    hits = [h.sentence for h in trace.hits[:top_k]] + [w.sentences[w.center] for w in trace.windows]
    return any(x.doc_id == span.doc_id and x.start <= span.start < x.end for x in hits)


@lru_cache(maxsize=256)
def _parse(text: str):
    """spaCy's full pipeline (entities, tags, parse), loaded once (rag.nlp); the parses of recent
    windows and sentences are kept, as the type check, the conflict check and follow-ups reuse them."""
    from rag.nlp import full_pipeline

    return full_pipeline()(text)


class _SpanShapes:
    """The coarse type of a span (entity label or head part of speech), parsing each window once."""

    def __init__(self, windows: Sequence[Window]) -> None:
        self._windows = {w.rank: w for w in windows}
        self._parsed: dict[int, object] = {}

    def shape(self, span: Span) -> str:
        window = self._windows[span.window_rank]
        if window.rank not in self._parsed:
            self._parsed[window.rank] = _parse(window.text)
        return answer_types.span_shape(span.start, span.end, self._parsed[window.rank], window.start)

    def same(self, a: Span, b: Span) -> bool:
        return self.shape(a) == self.shape(b) != ""


def _sentence_of(span: Span, windows: Sequence[Window]) -> tuple[Window, int] | None:
    """The window a span was read in and the index there of the sentence it starts in, or None."""
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None:
        return None
    at = next((i for i, x in enumerate(window.sentences) if x.start <= span.start < x.end), None)
    return None if at is None else (window, at)


_IDIOM_BEFORE_BUT = re.compile(r"\b(?:nothing|anything|all)\s+$", re.IGNORECASE)


def _but_whole(span: Span, windows: Sequence[Window]) -> Span:
    """A span opening with the "but" of "nothing but", "anything but" or "all but" with the word before it
    ("but supportive of her" of "nothing but supportive of her" says the other way round)."""
    if span.text[:4].lower() != "but " or (found := _sentence_of(span, windows)) is None:
        return span
    sentence = found[0].sentences[found[1]]
    before = _IDIOM_BEFORE_BUT.search(sentence.text[:span.start - sentence.start])
    if before is None:
        return span
    return replace(span, text=sentence.text[before.start():span.end - sentence.start],
                   start=sentence.start + before.start())


def _completed(span: Span, windows: Sequence[Window]) -> Span:
    """A span cut after a word whose head comes later ("he had experienced no" of "... no bullying
    during his time in Parliament") widened to the smallest phrase or clause holding both; other
    spans as they are. A cut answer can say the opposite of its sentence (``_but_whole`` too)."""
    span = _but_whole(span, windows)
    found = _sentence_of(span, windows) if clauses.may_dangle(span.text) else None
    if found is None:
        return span
    sentence = found[0].sentences[found[1]]
    start, end = span.start - sentence.start, min(span.end, sentence.end) - sentence.start
    lo, hi = clauses.made_whole(sentence.text, start, end, _parse, min_tokens=1) or (0, 0)
    if hi <= lo:
        return span
    return replace(span, text=sentence.text[lo:hi], start=sentence.start + lo, end=sentence.start + hi)


_UNITS = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?)"
_CUT_DURATION = re.compile(rf"\b{_UNITS}$", re.IGNORECASE)
_REST_OF_DURATION = re.compile(rf"\s+and\s+(?:a\s+half\b|(?:a|an|one|two|three|four|five|six|seven|eight|nine|"
                               rf"ten|eleven|\d{{1,3}})\s+{_UNITS}\b)", re.IGNORECASE)


def _whole_duration(span: Span, windows: Sequence[Window]) -> Span:
    """A duration cut before its second part ("three years" of "jailed for three years and four months")
    taken to its end; other spans as they are."""
    if not _CUT_DURATION.search(span.text) or (found := _sentence_of(span, windows)) is None:
        return span
    sentence = found[0].sentences[found[1]]
    end = min(span.end, sentence.end) - sentence.start
    rest = _REST_OF_DURATION.match(sentence.text, end)
    if rest is None:
        return span
    return replace(span, text=span.text + rest.group(0), end=sentence.start + rest.end())


def _whole_percent(span: Span, windows: Sequence[Window]) -> Span:
    """A bare number that the text writes as a percentage ("3.6" of "rose to 3.6 per cent") with its "per
    cent"; other spans as they are."""
    if not amounts.bare_number(span.text) or (found := _sentence_of(span, windows)) is None:
        return span
    sentence = found[0].sentences[found[1]]
    end = min(span.end, sentence.end) - sentence.start
    rest = amounts.PER_CENT.match(sentence.text, end) if span.end <= sentence.end else None
    if rest is None:
        return span
    return replace(span, text=sentence.text[span.start - sentence.start:rest.end()], end=sentence.start + rest.end())


_COMPASS = r"(?:north|south|east|west)(?:[- ]?(?:north|south)?[- ]?(?:east|west))?"
_DISTANCE = (r"(?:(?:about|around|some|roughly|nearly|almost|just|more\s+than|less\s+than|up\s+to)\s+)?"
             r"(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several)[- ]?"
             r"(?:km|kilometres?|kilometers?|metres?|meters?|m|miles?|nautical\s+miles?)\s+")
# "about 40 nautical miles north-east of Flinders Island", "just north of Woodville": where, not the place named
_BEARING = re.compile(rf"(?:{_DISTANCE}|\bjust\s+)?\b{_COMPASS}\s+of\s+(?:the\s+)?$", re.IGNORECASE)


def _with_bearing(span: Span, windows: Sequence[Window]) -> Span:
    """A place the text gives a bearing from ("Ely" of "about four miles west of Ely") with the bearing, which is
    where the thing asked about is; other spans as they are."""
    if (found := _sentence_of(span, windows)) is None:
        return span
    sentence = found[0].sentences[found[1]]
    start = span.start - sentence.start
    if start <= 0 or (bearing := _BEARING.search(sentence.text[:start])) is None:
        return span
    return replace(span, text=sentence.text[bearing.start():start] + span.text, start=sentence.start + bearing.start())


_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")


def _whole_name(span: Span, windows: Sequence[Window]) -> Span:
    """A span that ends inside a person's name ("Renegade MP Gaurav" of "... Gaurav Sharma has been
    suspended") taken to the end of the name; other spans as they are. Only a person's name: SQuAD's
    answers often leave out part of other entities ("Cold War" of "the Cold War"), and widening those
    lost F1 on held-out SQuAD and XQuAD-en. The parse is needed only when a capitalised word follows."""
    found = _sentence_of(span, windows)
    if found is None:
        return span
    sentence = found[0].sentences[found[1]]
    start, end = span.start - sentence.start, min(span.end, sentence.end) - sentence.start
    if not span.text[-1:].isalpha() or not _NEXT_CAPITAL.match(sentence.text, end):
        return span
    name = next((e for e in _parse(sentence.text).ents
                 if e.label_ == "PERSON" and start <= e.start_char < end < e.end_char), None)
    if name is None:
        return span
    return replace(span, text=sentence.text[start:name.end_char], end=sentence.start + name.end_char)


def _name_part(spans: list[Span], windows: Sequence[Window], part: names.NamePart) -> list[Span]:
    """For "What is X's first name?": that part of X's whole name as the first retrieved sentence
    writing it gives it (``names.part_in``: "Gaurav" of "Renegade MP Gaurav Sharma"), the reader's
    score kept. The reader never learnt what a first name is ("Hamilton West MP"). When the owner is
    described or a role ("the chief engineer", "the Prime Minister"), the reader, asked who that is,
    finds the person: the part is cut from the first candidate holding a person's name ("Lindqvist" of
    "Marta Lindqvist"), put first; none when no candidate holds one (a role is no name). A named owner
    that no window writes whole falls back to the person's name in the reader's best span."""
    if part.named:
        for window in sorted(windows, key=lambda w: w.rank):
            for sentence in window.sentences:
                found = names.part_in(sentence.text, part.owner, part.kind)
                if found is not None:
                    start, end = sentence.start + found[0], sentence.start + found[1]
                    return [replace(spans[0], text=sentence.text[found[0]:found[1]], doc_id=sentence.doc_id,
                                    start=start, end=end, window_rank=window.rank), *spans[1:]]
    for i, span in enumerate(spans if not part.named else spans[:1]):   # a name: its own person, or nothing
        found = _sentence_of(span, windows)
        if found is None:
            continue
        sentence = found[0].sentences[found[1]]
        at = span.start - sentence.start
        person = _person_in(sentence.text, at, at + len(span.text))
        if person is not None:
            name = sentence.text[person[0]:person[1]]
            lo, hi = names.part_of(name, part.kind)
            start = sentence.start + person[0] + lo
            return [replace(span, text=name[lo:hi], start=start, end=start + hi - lo), *spans[:i], *spans[i + 1:]]
    return [] if not part.named else spans


def _person_in(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Offsets of a person's name within ``text[start:end]``: an entity spaCy calls a person, or two or
    more capitalised words (titles aside) it calls a person or an organisation or nothing (the small
    model calls "Adrian Rurawhe" an organisation); None when the span holds no name."""
    doc = _parse(text)
    inside = [e for e in doc.ents if start <= e.start_char and e.end_char <= end]
    person = next((e for e in inside if e.label_ == "PERSON"), None)
    if person is not None:
        return person.start_char, person.end_char
    words = [m for m in re.finditer(r"[\w'’-]+", text[start:end]) if names.untitled(m.group())]
    if len(words) < 2 or not all(m.group()[0].isupper() for m in words) \
            or any(e.label_ not in ("PERSON", "ORG") for e in inside):
        return None
    return start + words[0].start(), start + words[-1].end()


def _whole_description(span: Span, windows: Sequence[Window]) -> Span:
    """For "Who is <Name>?": a role cut from the words in front of it ("MP" of "Incoming Labour list
    MP Soraya Peke-Mason") widened over the adjectives and nouns just before it, up to a determiner,
    a possessive, punctuation or a verb; a span that is only the title before the name ("Dr" of
    "Cybersecurity expert Dr Anita Rao") is those words before it instead. Other spans as they are."""
    words = span.text.split()
    title = len(words) == 1 and words[0].lower().rstrip(".") in names.HONORIFICS
    if not words or not (title or words[-1].lower().strip(",.") in question_types.ROLE_WORDS):
        return span
    found = _sentence_of(span, windows)
    if found is None:
        return span
    sentence = found[0].sentences[found[1]]
    start = span.start - sentence.start
    tokens = [t for t in _parse(sentence.text) if t.idx + len(t) <= start]
    lo = start
    for token in reversed(tokens):
        if token.pos_ not in ("ADJ", "NOUN", "PROPN") and not (token.text == "-" and not token.whitespace_):
            break
        lo = token.idx
    if lo == start:
        return span
    hi = len(sentence.text[:start].rstrip()) if title else min(span.end, sentence.end) - sentence.start
    return replace(span, text=sentence.text[lo:hi], start=sentence.start + lo, end=sentence.start + hi)


_NAMED_FRONT = re.compile(r"^((?:[A-Z][\w'\u2019.-]*\s+)*[A-Z][\w'\u2019.-]*),\s+(?=\S)")


def _seat(member: str, spans: list[Span], windows: Sequence[Window],
          mentions: Callable[[str], list[str]]) -> list[Span]:
    """For "Which electorate does X represent?", read as who X is: the seat cut from a role the windows
    give X (``seats.find``; the best span's sentence first), with the best span's score, as the reader is
    as sure of the seat as of the role; none when no window gives X a seat."""
    if not spans:
        return spans
    ordered = sorted(windows, key=lambda w: w.rank)
    own = _sentence_of(spans[0], windows)
    sentences = [own[0].sentences[own[1]]] if own is not None else []
    sentences += [x for w in ordered for x in w.sentences if not sentences or x is not sentences[0]]
    found = seats.find(member, sentences, mentions)
    if found is None:
        return []
    window = next(w for w in ordered if any(x is found.sentence for x in w.sentences))
    start = found.sentence.start + found.start
    return [replace(spans[0], text=found.text, doc_id=found.sentence.doc_id, start=start, end=start + len(found.text),
                    window_rank=window.rank), *spans[1:]]


def _without_name(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """For "Who is Colin Ashworth?": *a neurologist at Christchurch Hospital*, not *Dr Colin Ashworth, a
    neurologist*: the name the question gives is cut from the front of the answer, and what is left
    reaches over the place or body it belongs to (a prepositional phrase right after its head noun)."""
    front = _NAMED_FRONT.match(span.text)
    asked = {w.lower() for w in question_types.question_names(question)}
    if not front or not asked:
        return span
    named = {w.lower().rstrip(".") for w in front.group(1).split()} - names.TITLES
    if not named or not named <= asked:
        return span
    found = _sentence_of(span, windows)
    start = span.start + front.end()
    if found is None:
        return replace(span, text=span.text[front.end():], start=start)
    sentence = found[0].sentences[found[1]]
    lo, hi = start - sentence.start, min(span.end, sentence.end) - sentence.start
    tokens = [t for t in _parse(sentence.text) if lo <= t.idx and t.idx + len(t) <= hi]
    inside = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    if len(heads) == 1 and heads[0].pos_ in ("NOUN", "PROPN"):
        after = [c for c in heads[0].rights if c.dep_ == "prep" and c.idx >= hi]
        if after and sentence.text[hi:after[0].idx].strip() == "":
            hi = max(t.idx + len(t) for t in after[0].subtree)
    return replace(span, text=sentence.text[lo:hi], start=sentence.start + lo, end=sentence.start + hi)


def _clause_span(span: Span, windows: Sequence[Window], form: str, verbs: frozenset[str] = frozenset()) -> Span:
    """The best span widened to the clause of its sentence that holds it (why/how questions, and a
    span cut off after a word that needs the rest: "he had experienced no"; for why-questions, the
    phrase of that sentence that gives a reason, if it has one), to the whole sentence for a
    yes/no question whose span has no verb, or to the verb phrase of what was done for "What did
    X do?" (``form`` "did"); for "What did X say?" (``form`` "said") a word or two without a verb
    ("fake") to its clause. ``verbs``: the stems of the asked act, whose own reason comes first."""
    span = _but_whole(span, windows)
    found = _sentence_of(span, windows)
    if found is None:
        return span
    sentence = found[0].sentences[found[1]]
    start, end = span.start - sentence.start, min(span.end, sentence.end) - sentence.start
    reason = clauses.reason_in(sentence.text, _parse, start) if form == "why" else None
    own = clauses.reason_of(sentence.text, _parse, start, verbs) if form == "why" else None
    if own is not None:
        lo, hi = own                                # the reason of the very act asked about
    elif reason is not None and ((reason[0] <= start and end <= reason[1]) or start <= reason[0] < end):
        lo, hi = reason                             # the reader's answer is in a reason phrase, or one opens in it
    elif (whole := clauses.made_whole(sentence.text, start, end, _parse)) is not None:
        lo, hi = whole                              # "Mr McAnulty has not" -> its clause
    elif not clauses.needs_clause(span.text, _parse, form):
        return span                                 # a phrase that can stand as the answer
    elif form == "yes/no":                          # a phrase without a verb says neither yes nor no:
        lo, hi = clauses.whole(sentence.text)       # the evidence sentence is the answer
    elif form == "did":                             # the verb phrase that holds it: what was done
        lo, hi = (clauses.predicate(sentence.text, start, end, _parse)
                  or clauses.clause_around(sentence.text, start, end, _parse))
    else:
        lo, hi = reason or clauses.clause_around(sentence.text, start, end, _parse)
    if hi <= lo:
        return span
    start, end = sentence.start + lo, sentence.start + hi
    return _but_whole(replace(span, text=sentence.text[lo:hi], start=start, end=end), windows)


def _said_only(span: Span, windows: Sequence[Window]) -> Span:
    """For "What did X say ...?": of a span that runs from the sayer through the speech verb, what was
    said (``attribution.what_was_said``); else the span."""
    found = _sentence_of(span, windows)
    if found is None:
        return span
    sentence = found[0].sentences[found[1]]
    said = attribution.what_was_said(sentence.text, span.start - sentence.start,
                                     min(span.end, sentence.end) - sentence.start, _parse)
    if said is None:
        return span
    lo, hi = said
    return replace(span, text=sentence.text[lo:hi], start=sentence.start + lo, end=sentence.start + hi)


SAID_SHARE = 0.6    # of the question's said words a sentence must hold to be the one whose sayer answers


def _said_sentence(question: str, windows: Sequence[Window]) -> tuple[int, Sentence] | None:
    """For "Who said ...?": (window index, sentence) of the read sentence holding the most of what the
    question says was said (``clauses.predicate_stems`` without the speech verb), when it holds
    at least SAID_SHARE of it; the best-ranked window first on a tie. None otherwise."""
    asked = clauses.predicate_stems(question) - attribution.SPEECH
    if len(asked) < 2:
        return None
    best, share = None, SAID_SHARE
    for k, window in sorted(enumerate(windows), key=lambda kw: kw[1].rank):
        for sentence in window.sentences:
            held = len(asked & clauses.stems(sentence.text)) / len(asked)
            if held > share or (best is None and held >= share):
                best, share = (k, sentence), held
    return best


def _on_the_question(question: str, spans: list[Span], windows: Sequence[Window]) -> list[Span]:
    """For a yes/no question: the spans reordered so that one whose clause holds a word of what the
    question asks ("attend" of "Did Sharma attend the caucus meeting?") beats one whose clause holds
    none ("the result was predetermined" of the same sentence), unless the reader scores it
    MISFIT_PENALTY^-1 times higher. Only the five best spans, and those within 50x of the best, compete."""
    asked = clauses.predicate_stems(question)
    if not asked or len(spans) < 2:
        return spans
    rivals = [x for x in spans[:5] if x.score >= 0.02 * spans[0].score]

    def weight(span: Span) -> float:
        clause = _clause_span(span, windows, "yes/no").text
        return 1.0 if asked & clauses.stems(clause) else answer_types.MISFIT_PENALTY

    best = max(rivals, key=lambda x: x.score * weight(x))
    return spans if best is spans[0] else [best, *(x for x in spans if x is not best)]


# kinds news calls one thing by ("Auckland company Pacific Bay Shipping", "Rotterdam-based firm Van Leeuwen")
_SAME_KIND = {"company": ("firm", "business"), "firm": ("company", "business"), "business": ("company", "firm")}


def _verdict(question: str, span: Span, windows: Sequence[Window],
             documents: dict[str, Document]) -> tuple[str, Span] | None:
    """("yes" or "no", the span to quote with it) when the answer's sentence settles the yes/no
    question by rule (rag.clauses.verdict), its story giving context: "Was an earlier quarry proposal for the
    Okarewa site withdrawn?" names the quarry and the site its sentence ("An earlier proposal ... was
    withdrawn") leaves to the story."""
    located = _sentence_of(span, windows)
    if located is None:
        return None
    window, at = located
    sentence = window.sentences[at]
    document = documents.get(sentence.doc_id)
    context = document.text if document is not None else (window.sentences[at - 1].text if at > 0 else "")
    found = clauses.verdict(question, sentence.text, context, _parse, span.start - sentence.start,
                            min(span.end, sentence.end) - sentence.start)
    if found is None:
        return None
    said, lo, hi = found
    return said, replace(span, text=sentence.text[lo:hi], start=sentence.start + lo, end=sentence.start + hi)


def _verdict_elsewhere(question: str, best: Span, windows: Sequence[Window],
                       documents: dict[str, Document]) -> tuple[str, Span] | None:
    """A verdict (``_verdict``) from another retrieved sentence, in retrieval order, when the best span's sentence
    settles nothing: "Were any vehicles involved in the crash during the Wolds Grand Prix?" is settled by "Sergeant
    Paul Vickers said no vehicles had been involved", which the reader passed over. The reader did not choose that
    sentence, so it must also do the act with a subject the question names (``clauses.said_of_asked``): not
    "Nine volunteer firefighters have resigned" for "Did the captain resign?"."""
    located = _sentence_of(best, windows)
    for window in sorted(windows, key=lambda w: w.rank):
        for at, sentence in enumerate(window.sentences):
            if (located is not None and located[0].rank == window.rank and located[1] == at) \
                    or not clauses.said_of_asked(question, sentence.text, _parse):
                continue
            whole = Span(sentence.text, sentence.doc_id, sentence.start, sentence.end, best.score, window.rank)
            found = _verdict(question, whole, windows, documents)
            if found is not None:
                return found
    return None


def _alternatives(spans: Sequence[Span], windows: Sequence[Window], documents: dict[str, Document],
                  cited: citing.Cited, limit: int = 2) -> list[Alternative]:
    """Next-best answers that differ from the best one, each with the sentence it comes from."""
    by_rank = {w.rank: w for w in windows}
    best = spans[0]
    out: list[Alternative] = []
    seen = [best.text]
    for span in spans[1:]:
        if any(citing.same_answer(span.text, t) for t in seen):
            continue
        sentence = span.sentence_in(by_rank)
        if sentence is None or span.end > sentence.end:
            continue
        citation = citing.citation_for(sentence, documents[sentence.doc_id], span)
        out.append(Alternative(text=span.text, citation=citation, confidence=round(span.score, 4)))
        seen.append(span.text)
        if len(out) >= limit:
            break
    return out


def _source_name(doc: Document) -> str:
    return f"{doc.outlet} (\u201c{doc.title}\u201d)" if doc.outlet else f"\u201c{doc.title}\u201d"


# the words of a body's name that say what kind of body it is, not which one ("District", "Council")
_BODY_KINDS = frozenset("council district city regional county shire borough company co ltd limited inc group "
                        "board trust the of".split())


@lru_cache(maxsize=4)
def _reader(name: str, threads: int, backend: str = "torch", spinning: bool = False) -> Reader:
    """Readers are loaded on first use and cached: the trained one costs ~1 s to load."""
    from rag.readers import load_reader

    return load_reader(name, threads=threads, backend=backend, spinning=spinning)


@lru_cache(maxsize=2)
def _reranker(name: str, threads: int, backend: str, spinning: bool) -> Reranker | None:
    """Rerankers are loaded on first use and cached, like readers."""
    from rag.rerank import load_reranker

    return load_reranker(name, threads=threads, backend=backend, spinning=spinning)


@lru_cache(maxsize=1)
def _shipped() -> Assistant:
    return Assistant.load()


def answer(question: str) -> Answer:
    """Answer a question about the shipped corpus (the assistant is built on first call)."""
    return _shipped().ask(question)
