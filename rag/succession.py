"""Who held a post before or after someone, where the text says so.

"Who coached the Banksias before Michelle Arnott?" was refused (the reader gave "Deb Kinsella" of "Her
predecessor, Deb Kinsella, was sacked" no probability) and "Who was the union's president before Kiri
Matenga?" answered "49" at 0.72 (of "Matenga, 49,"): a reader trained on SQuAD does not read "before
<name>" as asking for a predecessor. News says who came before in a few fixed ways, and each names both
people: "Matenga was elected president, succeeding Hamish Laidlaw", "Carradine, who took over from Derek
Pennington", "Her predecessor, Deb Kinsella", "Laidlaw was replaced by Matenga", "when her previous
trainer, Ross Kettering, retired", and, in a story whose holder now is the one asked about, "its former
director, Professor Gillian Marsh". ``holder`` finds that person in the retrieved windows and puts them
first; a question the text does not answer this way keeps the reader's answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from rag.ages import BY_AGE
from rag.names import HONORIFICS
from rag.types import Sentence, Span, Window

_NAME = r"((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+)"
# (pattern, "before" / "after"): whose predecessor or successor the question asks for
_QUESTIONS: tuple[tuple[re.Pattern[str], str], ...] = (       # the name's capitals are case-sensitive
    (re.compile(rf"^\W*(?i:who|whom)\b.*\b(?i:before)\s+{_NAME}\W*$"), "before"),
    (re.compile(rf"^\W*(?i:who|whom)\s+(?i:preceded|was\s+the\s+predecessor\s+of)\s+{_NAME}"), "before"),
    (re.compile(rf"^\W*(?i:who|whom)\s+(?i:did|does|will|has)\s+{_NAME}\s+(?i:succeed|replace|take\s+over\s+from)\b"),
     "before"),
    (re.compile(rf"^\W*(?i:who)\s+(?i:is|was|will\s+be)\s+{_NAME}['’]s?\s+(?i:predecessor)\b"), "before"),
    (re.compile(rf"^\W*(?i:who)\s+(?i:has\s+|had\s+|will\s+)?(?i:replaced|succeeded|replace|succeed|took\s+over\s+from|"
                rf"taken\s+over\s+from|take\s+over\s+from)\s+{_NAME}"), "after"),
    (re.compile(rf"^\W*(?i:who)\s+(?i:is|was|will\s+be)\s+{_NAME}['’]s?\s+(?i:successor)\b"), "after"),
)
_NOT_PEOPLE = frozenset({"DATE", "TIME", "EVENT", "CARDINAL", "ORDINAL"})   # spaCy often calls a name ORG or GPE

# verbs and nouns of succession in a sentence; "forward": the one before the word took over from the one after
_FORWARD = re.compile(r"\b(?:succeed(?:ed|ing|s)?|replac(?:e|ed|es|ing)|(?:took|takes|taking|take|taken)\s+over"
                      r"(?:(?:\s+\w+){0,3}?\s+from|\b[^.;]{0,40}?\b(?:following|after)\s+the\s+(?:retirement|"
                      r"resignation|departure|death|sacking|exit|dismissal|ousting)\s+of)|in\s+place\s+of)\b", re.I)
_BY = re.compile(r"^\s*(?:\w+\s+){0,3}?by\b", re.I)            # "was replaced (as coach) by": the other way
_PREDECESSOR = re.compile(r"\b(?:predecessor|previous|former)\b", re.I)
_SUCCESSOR = re.compile(r"\bsuccessor\b", re.I)
_PRONOUN = re.compile(r"\b(?:his|her|their)\s+$", re.I)


@dataclass(frozen=True)
class Asked:
    """A question for whoever held a post right before (``when == "before"``) or after ``person``."""

    person: str
    when: str


@dataclass(frozen=True)
class Held:
    """The spans, the predecessor or successor the text names put first; ``stated``: whether it did."""

    spans: list[Span]
    stated: bool


def asked(question: str, parse: Callable[[str], object]) -> Asked | None:
    """Whose predecessor or successor the question asks for ("Who coached the Banksias before Michelle
    Arnott?" -> Arnott, before); None for any other question, and for "before Christmas", "after Labour"."""
    for pattern, when in _QUESTIONS:
        found = pattern.match(question.strip())
        if found is None:
            continue
        name = found.group(1).strip()
        words = [w for w in name.split() if w.lower().rstrip(".") not in HONORIFICS]
        if not words:
            return None
        at = found.start(1)
        labels = {e.label_ for e in parse(question).ents if e.start_char < at + len(name) and e.end_char > at}
        if "PERSON" not in labels and (labels & _NOT_PEOPLE or len(words) < 2):      # one word: PERSON only
            return None
        return Asked(person=name, when=when)
    return None


def holder(question: str, spans: Sequence[Span], windows: Sequence[Window],
           parse: Callable[[str], object], called: Callable[[Sentence], str | None] = lambda s: None) -> Held:
    """The spans with the person the windows say held the post before (or after) the asked one first: a
    reader's span of that name keeps its score; one the reader did not give is added at score 0. ``called``:
    the lower-cased surname of whom a sentence opening "The 56-year-old ..." calls by their age, if known."""
    q = asked(question, parse)
    found = None if q is None else _named(q, question, windows, parse, called)
    if found is None:
        return Held(list(spans), False)
    window, start, end = found
    text = window.text[start - window.start:end - window.start]
    same = [x for x in spans if x.doc_id == window.doc_id and x.start <= start and end <= x.end + 1
            and x.end - x.start <= end - start + 20]
    first = replace(same[0], text=text, start=start, end=end, type_fit=1) if same else \
        Span(text=text, doc_id=window.doc_id, start=start, end=end, score=0.0, window_rank=window.rank, type_fit=1)
    return Held([first, *(x for x in spans if x not in same)], True)


def _named(q: Asked, question: str, windows: Sequence[Window], parse: Callable[[str], object],
           called: Callable[[Sentence], str | None]) -> tuple[Window, int, int] | None:
    """(window, document start, end) of the one person the windows say came before or after ``q.person``:
    said of them in a sentence first, else (for "before") the one former holder, in a story naming the asked
    person, of a role the question names ("Who ran the hospital as chief executive before Aroha Pene?": "the
    hospital's former chief executive, Malcolm Dewar"); None when no sentence says it, or they name two."""
    surname = [w for w in q.person.split() if w.lower().rstrip(".") not in HONORIFICS][-1]
    asked_at = re.compile(rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])")
    stems = {w[:5] for w in re.findall(r"[a-z]+", question.lower()) if len(w) >= 4}
    about = {w.doc_id for w in windows if asked_at.search(w.text)}
    said: dict[str, tuple[Window, int, int]] = {}
    former: dict[str, tuple[Window, int, int]] = {}
    for window in windows:
        before = ""
        for sentence in window.sentences:
            near = bool(asked_at.search(sentence.text) or asked_at.search(before))
            opening = BY_AGE.match(sentence.text)      # "The 56-year-old took up the role, succeeding ...": them
            alias = (surname, 0, opening.end()) if opening and called(sentence) == surname.lower() else None
            for name, at, to, role in _relations(sentence.text, before, asked_at, q.when, parse, alias):
                key = name.split()[-1]
                place = (window, sentence.start + at, sentence.start + to)
                if key == surname or (role is not None and role.split()[-1][:5] not in stems):
                    continue                    # a former holder of another role than the one asked
                if role is None or near:
                    said.setdefault(key, place)
                elif window.doc_id in about:
                    former.setdefault(key, place)
            before = sentence.text
    named = said or former
    return next(iter(named.values())) if len(named) == 1 else None


def _relations(text: str, before: str, asked_at: re.Pattern[str], when: str, parse: Callable[[str], object],
               alias: tuple[str, int, int] | None = None):
    """(name, start, end, role) of people ``text`` says came ``when`` the asked person: by a verb or noun of
    succession with the asked one on its other side ("succeeding Hamish Laidlaw", "Her predecessor, Deb
    Kinsella"), ``role`` None; for "before", also anyone given a role as its former holder ("her previous
    trainer, Ross Kettering", "its former director, Gillian Marsh"), with that role. ``alias``: (the asked
    surname, start, end) of words standing for the asked person ("The 56-year-old")."""
    people = sorted(_people(text, asked_at, parse) + ([alias] if alias else []), key=lambda p: p[1])
    if not people:
        return

    def left_of(at: int) -> tuple[str, int, int] | None:
        return next((p for p in reversed(people) if p[2] <= at), None)

    def right_of(at: int) -> tuple[str, int, int] | None:
        found = next((p for p in people if p[1] >= at), None)
        return found if found is not None and len(text[at:found[1]].split()) <= 6 else None

    for verb in _FORWARD.finditer(text):
        left, right = left_of(verb.start()), right_of(verb.end())
        if left is None or right is None:
            continue
        if _BY.match(text[verb.end():]):
            left, right = right, left                    # "Laidlaw was replaced by Matenga"
        successor, predecessor = left, right
        if when == "before" and asked_at.search(successor[0]):
            yield (*predecessor, None)
        elif when == "after" and asked_at.search(predecessor[0]):
            yield (*successor, None)
    for noun in (_PREDECESSOR if when == "before" else _SUCCESSOR).finditer(text):
        right = right_of(noun.end())
        if right is None or asked_at.search(right[0]):
            continue
        between = text[noun.end():right[1]]
        if noun.group(0).lower() in ("predecessor", "successor"):
            # whose: the asked person's ("Arnott's predecessor"), or "his" / "her" with the last one named
            # before it (in the sentence, or else in the one before) the asked person
            owner, last = text[max(0, noun.start() - 40):noun.start()], left_of(noun.start())
            whose = re.search(asked_at.pattern + r"['’]s\s+$", owner) is not None or (
                _PRONOUN.search(owner) is not None and asked_at.search(last[0] if last is not None else before))
            if whose and between.strip(" ,") == "":
                yield (*right, None)
            continue
        role = re.match(r"^\s*((?:[\w-]+\s+){0,3}?[\w-]+)\s*,?\s*(?:(?:the\s+)?[A-Z][\w.]*\s+)?$", between)
        if role is not None:
            yield (*right, role.group(1))


def _people(text: str, asked_at: re.Pattern[str], parse: Callable[[str], object]) -> list[tuple[str, int, int]]:
    """(name, start, end) of the people ``text`` names, in order: spaCy's PERSON entities, and the two- or
    three-word capitalised names its small model calls a body or a place ("Graham Pettit" as ORG), and the
    asked person wherever named ("Broughton, 47," as GPE)."""
    found = [(e.text, e.start_char, e.end_char) for e in parse(text).ents
             if e.label_ == "PERSON" or (e.label_ in ("ORG", "GPE", "NORP", "FAC") and 2 <= len(e.text.split()) <= 3
                                         and all(w[:1].isupper() for w in e.text.split()))]
    found += [(m.group(0), m.start(), m.end()) for m in asked_at.finditer(text)
              if not any(a <= m.start() < b for _, a, b in found)]
    return sorted(found, key=lambda p: p[1])
