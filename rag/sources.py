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
from typing import Iterable

from rag.types import Document

_NOUNS = r"(?:story|stories|article|articles|report|reports|reporting|piece|coverage|account|interview)"
_VERBS = r"(?:say|says|said|report|reports|reported|write|writes|wrote|claim|claims|claimed|state|states|stated)"


def _forms(outlet: str, outlets: Iterable[str]) -> list[str]:
    """How a question may write the outlet: its whole name, and its last word alone when that is
    capitalised, the name is longer and no other outlet ends in that word ("Chronicle")."""
    forms = [outlet]
    words = outlet.split()
    last = words[-1] if len(words) > 1 else ""
    if last[:1].isupper() and sum(1 for o in set(outlets) if o.split()[-1:] == [last]) == 1:
        forms.append(last)
    return forms


@lru_cache(maxsize=256)
def _as_source(form: str) -> re.Pattern[str]:
    """The wordings that give ``form`` as a question's source (compiled once per outlet)."""
    name = rf"(?i:the\s+)?{re.escape(form)}(?![\w'’-])"
    return re.compile(rf"\b(?i:according\s+to|in|by|from|per)\s+{name}"          # according to Newshub, in the Chronicle
                      rf"|(?<![\w'’-]){re.escape(form)}(?:'s|’s)\s+{_NOUNS}\b"        # Newshub's report
                      rf"|(?<![\w'’-]){re.escape(form)}\s+{_NOUNS}\b"                # the Newshub story
                      rf"|(?<![\w'’-]){re.escape(form)}\s+(?:\w+ly\s+)?{_VERBS}\b"   # Newshub reported
                      rf"|\b(?i:does|did|do|has|have)\s+{name}\s+{_VERBS}\b")          # did the Chronicle report


@dataclass(frozen=True)
class Source:
    """The documents a question restricts itself to, and the question without an "according to X"
    aside: it names where to look, not what to find, so the reader and BM25 are not given its words."""

    doc_ids: frozenset[str]
    question: str


def named(question: str, documents: Iterable[Document]) -> Source | None:
    """The documents of the outlet(s) the question gives as its source, or None when it names none
    (then every document may answer)."""
    documents = list(documents)
    outlets = {d.outlet for d in documents if d.outlet.strip()}
    chosen = {o for o in outlets if any(_as_source(f).search(question) for f in _forms(o, outlets))}
    if not chosen:
        return None
    rest = question
    for outlet in chosen:
        for form in _forms(outlet, outlets):
            rest = re.sub(rf",?\s*\b(?i:according\s+to|per)\s+(?i:the\s+)?{re.escape(form)}(?![\w'’-])\s*,?", " ", rest)
    rest = re.sub(r"\s+([?.!])", r"\1", " ".join(rest.split()))
    if not re.search(r"\w", rest):
        rest = question
    return Source(frozenset(d.doc_id for d in documents if d.outlet in chosen), rest[:1].upper() + rest[1:])
