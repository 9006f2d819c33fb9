"""Sources: a question that names an outlet as its source ("..., according to Newshub?") is answered
from that outlet's documents alone.

Two outlets may report one story differently; a reader asking what one of them says wants that
outlet's words, not the best-matching sentence of another, and "the sources differ" is no answer to
it. An outlet counts as named when the question gives it as a source: "according to X", "in (the)
X('s story)", "X reports / said", "did X report", "X's article" (its whole name as the corpus's metadata
writes it, capitals and all, or the last word of a longer one when no other outlet ends in it:
"the Chronicle"). An outlet only mentioned ("What did Lewis tell the Chronicle?") is no source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from rag.types import Document

_ACCORDING = r"(?i:according\s+to|per)"
_NOUNS = r"(?:story|stories|article|articles|report|reports|reporting|piece|coverage|account|interview)"
_VERBS = r"(?:say|says|said|report|reports|reported|write|writes|wrote|claim|claims|claimed|state|states|stated)"


def _forms(outlet: str, outlets: Iterable[str]) -> list[str]:
    """How a question may write the outlet: its whole name, and its last word alone when that is
    capitalised, the name is longer and no other outlet ends in that word ("Chronicle")."""
    forms = [outlet]
    words = outlet.split()
    last = words[-1] if len(words) > 1 else ""
    if last[:1].isupper() and sum(1 for o in outlets if o.split()[-1:] == [last]) == 1:
        forms.append(last)
    return forms


@lru_cache(maxsize=256)
def _as_source(form: str) -> re.Pattern[str]:
    """The wordings that give ``form`` as a question's source (compiled once per outlet)."""
    name = rf"(?i:the\s+)?{re.escape(form)}(?![\w'’-])"
    return re.compile(rf"\b(?:{_ACCORDING}|(?i:in|by|from))\s+{name}"          # according to Newshub, in the Chronicle
                      rf"|(?<![\w'’-]){re.escape(form)}(?:'s|’s)\s+{_NOUNS}\b"        # Newshub's report
                      rf"|(?<![\w'’-]){re.escape(form)}\s+{_NOUNS}\b"                # the Newshub story
                      rf"|(?<![\w'’-]){re.escape(form)}\s+(?:\w+ly\s+)?{_VERBS}\b"   # Newshub reported
                      rf"|\b(?i:does|did|do|has|have)\s+{name}\s+{_VERBS}\b")          # did the Chronicle report


@dataclass(frozen=True)
class Source:
    """The outlets a question gives as its source, their documents, and the question without an
    "according to X" aside: it names where to look, not what to find, so the reader and BM25 are not
    given its words."""

    outlets: tuple[str, ...]
    doc_ids: frozenset[str]
    question: str


@dataclass(frozen=True)
class Outlets:
    """The corpus's outlets: each one's documents and the ways a question may write it (``_forms``),
    found once per corpus, not per question."""

    ids: Mapping[str, frozenset[str]]
    forms: Mapping[str, tuple[str, ...]]


def outlets(documents: Iterable[Document]) -> Outlets:
    """The outlets of the corpus's metadata, with their documents' ids and forms."""
    found: dict[str, set[str]] = {}
    for d in documents:
        if d.outlet.strip():
            found.setdefault(d.outlet, set()).add(d.doc_id)
    return Outlets({o: frozenset(ids) for o, ids in found.items()}, {o: tuple(_forms(o, found)) for o in found})


def named(question: str, corpus: Outlets) -> Source | None:
    """The documents of the outlet(s) the question gives as its source, or None when it names none
    (then every document may answer)."""
    chosen = tuple(o for o, forms in corpus.forms.items() if any(_as_source(f).search(question) for f in forms))
    if not chosen:
        return None
    rest = question
    for form in (f for o in chosen for f in corpus.forms[o]):
        rest = re.sub(rf",?\s*\b{_ACCORDING}\s+(?i:the\s+)?{re.escape(form)}(?![\w'’-])\s*,?", " ", rest)
    rest = re.sub(r"\s+([?.!])", r"\1", " ".join(rest.split()))
    if not re.search(r"\w", rest):
        rest = question
    return Source(chosen, frozenset().union(*(corpus.ids[o] for o in chosen)), rest[:1].upper() + rest[1:])


def asked_of(last_question: str, outlet: str, corpus: Outlets) -> str | None:
    """The last question asked of ``outlet`` as the reader wrote it ("the Chronicle", for "What about the
    Chronicle?"): the outlet it gave as its source replaced, else ", according to the Chronicle" added.
    None when ``outlet`` is no outlet of the corpus."""
    bare = re.sub(r"(?i)^the\s+", "", outlet)
    if not any(bare in forms for forms in corpus.forms.values()):
        return None
    last = last_question.strip()
    before = named(last, corpus)
    if before is not None:
        for form in sorted((f for o in before.outlets for f in corpus.forms[o]), key=len, reverse=True):
            last, n = re.subn(rf"(?<![\w'’-])(?i:the\s+)?{re.escape(form)}(?![\w'’-])", outlet, last)
            if n:
                return last
    return f"{last.rstrip('?. ')}, according to {outlet}?"
