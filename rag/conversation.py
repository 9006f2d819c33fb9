"""Follow-up questions: replace pronouns with the person or organisation the conversation is about.

"Who is Steph Lewis?" then "What leave was she on?" becomes "What leave was Steph Lewis on?"
before retrieval, so the retriever and the reader see the name the pronoun stands for.
"""

from __future__ import annotations

import re
from typing import Sequence

from rag.types import Answer

_PERSONAL = {"he", "she", "him"}
_POSSESSIVE = {"his"}
_AMBIGUOUS = {"her"}      # object or possessive: the tagger decides
_GROUP = {"they", "them", "their"}
_NAME = re.compile(r"\b(?:[A-Z][\w'’-]+)(?:\s+(?:[A-Z][\w'’-]+))+")
_SKIP_NAMES = {"Prime Minister", "New Zealand", "Labour Party", "The Prime Minister"}


def _names(nlp, text: str, exclude: str) -> list[tuple[str, str]]:
    """(name, label) of people/organisations in text, in order, skipping those already in ``exclude``."""
    found: list[tuple[str, str]] = []
    doc = nlp(text)
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG", "NORP", "GPE"):
            found.append((ent.text.removesuffix("'s").removesuffix("’s"), ent.label_))
    if not any(label == "PERSON" for _, label in found):
        found += [(m.group(0), "PERSON") for m in _NAME.finditer(text) if m.group(0) not in _SKIP_NAMES]
    return [(n, lab) for n, lab in found if n and n.lower() not in exclude.lower()]


def resolve(question: str, history: Sequence[tuple[str, Answer]], nlp) -> str:
    """The question with third-person pronouns replaced by the latest fitting name in history."""
    if not history:
        return question
    doc = nlp(question)
    pronouns = [t for t in doc if t.lower_ in _PERSONAL | _POSSESSIVE | _AMBIGUOUS | _GROUP]
    if not pronouns:
        return question
    person = group = None
    for past_question, past in reversed(history):
        for text in (past.resolved_question or past_question, past.text):
            for name, label in _names(nlp, text, question):
                if label == "PERSON" and person is None:
                    person = name
                elif label in ("ORG", "NORP") and group is None:
                    group = name
        if person:
            break
    out: list[str] = []
    for token in doc:
        lower = token.lower_
        replacement = None
        if person and lower in _PERSONAL:
            replacement = person
        elif person and lower in _POSSESSIVE:
            replacement = f"{person}'s"
        elif person and lower in _AMBIGUOUS:
            replacement = f"{person}'s" if token.tag_ == "PRP$" else person
        elif group and lower in _GROUP:
            replacement = f"{group}'s" if lower == "their" else group
        out.append((replacement or token.text) + token.whitespace_)
    return "".join(out)
