"""Sentence splitting with provenance: spaCy's trained sentence recogniser, per paragraph.

Every returned sentence satisfies ``document.text[start:end] == sentence.text``. Paragraph
breaks (newlines) always end a sentence, so a sentence never spans two paragraphs.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from rag.nlp import SPACY_MODEL, sentence_pipeline  # noqa: F401  (re-exported)
from rag.types import Document, Sentence

_PARAGRAPH = re.compile(r"[^\n]+")
# spaCy sometimes leaves a closing quote or bracket alone as a "sentence"; glue it back.
_ORPHAN = re.compile(r"^[\"'”’)\]»…]+$")


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _PARAGRAPH.finditer(text):
        start, end = match.span()
        # trim surrounding whitespace but keep offsets into the original text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def split_spans(texts: Iterable[str]) -> list[list[tuple[int, int]]]:
    """Sentence (start, end) offsets for each text, batched through spaCy."""
    texts = list(texts)
    paragraphs = [(t, s, e) for t, text in enumerate(texts) for s, e in _paragraph_spans(text)]
    result: list[list[tuple[int, int]]] = [[] for _ in texts]
    nlp = sentence_pipeline()
    docs = nlp.pipe((texts[t][s:e] for t, s, e in paragraphs), batch_size=64)
    for (t, p_start, _), doc in zip(paragraphs, docs):
        spans: list[tuple[int, int]] = []
        for sent in doc.sents:
            s = p_start + sent.start_char
            e = p_start + sent.end_char
            chunk = texts[t][s:e]
            stripped = chunk.strip()
            if not stripped:
                continue
            s += len(chunk) - len(chunk.lstrip())
            e -= len(chunk) - len(chunk.rstrip())
            if spans and (_ORPHAN.match(stripped) or len(stripped) == 1):
                spans[-1] = (spans[-1][0], e)
            else:
                spans.append((s, e))
        result[t].extend(spans)
    return result


def split_documents(documents: Iterable[Document]) -> dict[str, list[Sentence]]:
    """Sentences of each document, keyed by doc_id, in document order."""
    documents = list(documents)
    spans = split_spans(d.text for d in documents)
    return {
        doc.doc_id: [Sentence(doc.doc_id, i, s, e, doc.text[s:e]) for i, (s, e) in enumerate(doc_spans)]
        for doc, doc_spans in zip(documents, spans)
    }


def split_sentences(document: Document) -> list[Sentence]:
    """Sentences of one document (see ``split_documents`` for many at once)."""
    return split_documents([document])[document.doc_id]


SPLITTER_ID = "spacy-senter/en_core_web_sm-3.8.0/v1; embed: title. sentence"


class SpacySplitter:
    """The default sentence splitter stage (spaCy's sentence recogniser, per paragraph)."""

    name = SPLITTER_ID

    def split(self, documents: Iterable[Document]) -> dict[str, list[Sentence]]:
        return split_documents(documents)
