"""Seats: "Which electorate does Adrian Rurawhe represent?" is read as "Who is Adrian Rurawhe?", and the
place is cut from the role the documents give him ("Te Tai Hauārau" of "Labour's Te Tai Hauārau MP
Adrian Rurawhe").

The reader never learnt that a place before "MP" is the member's electorate: asked for it, it read
"New Zealand Labour caucus" or refused at 0.01-0.07, while asked who the member is it reads the role
("Te Tai Hauārau MP", 0.80). So the question is asked as who the member is (its confidence is the
answer's), and the seat is the run of capitalised words before a representative's title next to the
member's name ("Whanganui MP Steph Lewis", "Dr Sharma, the first-term Hamilton West MP", "the MP for
Hackney North, Diane Abbott"). Strict on purpose, as the run before "MP" is as often a party or an
epithet as a place: a run with a word the corpus writes before "Party" ("Labour MP"), or a role word
("Incoming", "Deputy"), is no seat; nor a run that starts its sentence ("Renegade MP Gaurav Sharma")
unless the corpus also writes it before the title inside a sentence, where its capitals are its own, or
gives the member that role in two sentences and never writes its word in lower case.
A member the documents give no seat ("list MP Soraya Peke-Mason", "former whip Kieran McAnulty") is
refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from rag.types import Sentence

_UPPER = "A-ZÀ-ÖØ-ÞĀĒĪŌŪ"
_CAP = rf"[{_UPPER}][\w.-]*"                           # a capitalised word, no possessive
_RUN = rf"(?!(?:The|A|An)\b){_CAP}(?:\s+{_CAP}){{0,3}}"          # "The Whanganui MP": the place
_AND_RUN = rf"{_CAP}(?:\s+(?:and\s+)?{_CAP}){{0,4}}"    # "Hackney North and Stoke Newington"
_TITLE = (r"(?:MPs?|MLA|MPP|MSP|MHA|MHR|TD|Senator|Congressman|Congresswoman|Representative|Assemblyman|"
          r"Assemblywoman|Assemblymember|Member\s+of\s+Parliament)")
_FOR_TITLE = r"(?:MP|MLA|MPP|MSP|MHA|MHR|TD|[Mm]ember(?:\s+of\s+[Pp]arliament)?|[Ss]enator|[Rr]epresentative)"
_GIVEN = rf"(?:(?:Dr|Mr|Mrs|Ms|Miss|Sir|Dame|Hon)\.?\s+)?(?:{_CAP}\s+){{0,3}}"   # "Dr", first names

_ASKED = [
    # "Which electorate does X represent?", "What seat did X hold?", "Which constituency is X the MP for?"
    re.compile(r"^\W*(?:which|what)\s+(?:electorate|constituency|seat|riding|division|district)\s+(?:does|did|is|was)\s+"
               r"(?P<who>.+?)\s+(?:represent|hold|win|won|(?:the\s+)?(?:mp|member|representative)\s+(?:for|of))"
               r"(?:\s+(?:in|at)\s+[\w\s-]+?)?\s*\W*$",
               re.IGNORECASE),
    # "What is X's electorate?", "What is the name of X's constituency?"
    re.compile(r"^\W*(?:what|which)\s+(?:is|was)\s+(?:the\s+name\s+of\s+)?(?P<who>.+?)['’]s?\s+"
               r"(?:electorate|constituency|seat|riding)\s*\W*$", re.IGNORECASE),
    # "What is the electorate of X?", "Which electorate is represented by X?"
    re.compile(r"^\W*(?:what|which)\s+(?:is|was)\s+the\s+(?:electorate|constituency|seat|riding)\s+(?:of|held\s+by)\s+"
               r"(?P<who>.+?)\s*\W*$", re.IGNORECASE),
    re.compile(r"^\W*(?:which|what)\s+(?:electorate|constituency|seat|riding)\s+(?:is|was)\s+represented\s+by\s+"
               r"(?P<who>.+?)\s*\W*$", re.IGNORECASE),
    # "Where is X an MP?", "Where is X the MP for?"
    re.compile(r"^\W*where\s+(?:is|was)\s+(?P<who>.+?)\s+(?:an?|the)\s+(?:mp|member\s+of\s+parliament)(?:\s+for)?\s*\W*$",
               re.IGNORECASE),
]
# capitalised words before a title that say what the member is, not where from: roles, and the political
# families parties are named for (a corpus that never writes "Green Party" still says "Green MP")
_NOT_PLACES = frozenset(
    "former fellow incoming outgoing deputy shadow junior senior backbench list opposition government cabinet "
    "associate independent acting veteran prime minister mr mrs ms dr sir dame hon "
    "labour conservative tory liberal democrat democratic republican green greens national nationalist "
    "unionist socialist communist radical whig reform progressive libertarian".split())


_HONORIFICS = frozenset("mr mrs ms miss dr sir dame hon".split())     # before a name, not part of it


@dataclass(frozen=True)
class Seat:
    """A seat found for a member: its place in a sentence of the documents."""

    sentence: Sentence
    start: int          # offsets in the sentence
    end: int

    @property
    def text(self) -> str:
        return self.sentence.text[self.start:self.end]


def asked(question: str) -> str | None:
    """Whose seat a question asks ("Which electorate does Steph Lewis represent?" -> "Steph Lewis");
    None for any other question, or one asking of no one named (a capitalised word)."""
    for pattern in _ASKED:
        found = pattern.match(question.strip())
        if found is not None:
            who = found.group("who").strip()
            who = re.sub(r"^(?:the\s+)?", "", who)
            if re.search(rf"[{_UPPER}]", who):
                return who
    return None


def _patterns(last: str) -> list[re.Pattern[str]]:
    """The ways a sentence gives the seat of a member whose name ends in ``last``."""
    name = re.escape(last)
    return [
        re.compile(rf"(?P<run>{_RUN})\s+{_TITLE}\s+{_GIVEN}{name}\b"),                   # Whanganui MP Steph Lewis
        re.compile(rf"\b{name}\b,\s+(?:the|a|an)\s+(?:[\w-]+\s+){{0,3}}?(?P<run>{_RUN})\s+{_TITLE}\b"),  # X, the ... MP
        re.compile(rf"\b{name}\b,?\s+(?:who\s+is\s+)?(?:the|a|an)\s+(?:[\w-]+\s+){{0,2}}?{_FOR_TITLE}\s+(?:for|from)\s+"
                   rf"(?P<run>{_AND_RUN})"),                                              # X, the MP for Y
        re.compile(rf"\b{_FOR_TITLE}\s+(?:for|from)\s+(?P<run>{_AND_RUN}),?\s+{_GIVEN}{name}\b"),  # MP for Y, X
    ]


def _starts_sentence(text: str, at: int) -> bool:
    return not text[:at].strip(" \"'“‘(")


def find(who: str, sentences: Sequence[Sentence], mentions: Callable[[str], list[str]]) -> Seat | None:
    """The first seat the ``sentences`` (best first) give the member ``who``, or None. ``mentions(word)``
    gives the corpus's sentences holding a word: it tells a party ("Labour" before "Party") and whether a
    run that starts its sentence is also written inside one."""
    words = [w for w in re.findall(r"[\w'’-]+", who) if w.lower().rstrip(".") not in _HONORIFICS]
    if not words:
        return None
    last = re.sub(r"['’]s$", "", words[-1])
    patterns = _patterns(last)
    for sentence in sentences:
        if last not in sentence.text:
            continue
        for pattern in patterns:
            for found in pattern.finditer(sentence.text):
                start, end = found.span("run")
                run = found.group("run")
                if _seat(run, sentence.text, start, last, mentions):
                    return Seat(sentence, start, end)
    return None


def _seat(run: str, text: str, start: int, last: str, mentions: Callable[[str], list[str]]) -> bool:
    """Whether a run of capitalised words before a title names a place: no role word, no party, and,
    at the start of its sentence, written before the title inside some sentence too, or before the
    title and the member's name in two sentences and never in lower case ("Whanganui MP Steph Lewis"
    opening two paragraphs; an epithet, "Renegade", is a word written in lower case elsewhere)."""
    words = run.split()
    if any(w.lower().rstrip(".") in _NOT_PLACES for w in words):
        return False
    if any(re.search(rf"\b{re.escape(w)}\s+[Pp]art(?:y|ies)\b", s) for w in words for s in mentions(w)):
        return False
    if not _starts_sentence(text, start):
        return True
    written = mentions(words[-1])
    inside = re.compile(rf"\S\s+{re.escape(run)}\s+{_TITLE}\b")
    if any(inside.search(s) for s in written):
        return True
    again = re.compile(rf"{re.escape(run)}\s+{_TITLE}\s+{_GIVEN}{re.escape(last)}\b")
    lower = re.compile(rf"\b{re.escape(words[0].lower())}\b")
    return len({s for s in written if again.search(s)}) >= 2 and not any(lower.search(s) for s in mentions(words[0]))
