"""Credit lines: a story's byline ("By Aroha Wiremu, Court Reporter"), a photo credit ("Photo / Mark
Mitchell.") or its dateline ("DUNMERE, Wednesday 22 October 2025"). They say who wrote or photographed the
story, and where from, not what it reports, so a name in one answers "Who wrote the story?" and never "Who
was sentenced?" (the reader, trained on Wikipedia, where no such lines exist, picked the reporter's name at
0.57 for the latter)."""

from __future__ import annotations

import re
from typing import Sequence

from rag.types import Span, Window

_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|da|van|von|der|le|la|bin|al))*"
# "By Sam Whitaker", "By Aroha Wiremu, Court Reporter", "By Jo Lee and Ana Ruiz of Reuters": a line of its
# own (no full stop) with no digits; "By Tuesday, the council had voted." ends as a sentence does
_BYLINE = re.compile(rf"^\s*(?:By|BY|by)\s+{_NAME}(?:\s*(?:,|and|&|of|for|in)\s*[^.!?\d]{{0,60}})?$")
# "Photo / Mark Mitchell.", "Photo: AP", "Picture by Jo Lee", "Additional reporting by ...", "Editing by ..."
_PHOTO = re.compile(r"^\s*(?:photo(?:graph)?s?|pictures?|images?|video)\s*(?:/|:|by\b)\s*[^.!?]{1,60}[.]?\s*$", re.I)
_REPORTING = re.compile(r"^\s*(?:additional\s+)?(?:reporting|writing|editing)\s+by\b[^.!?]{0,120}[.]?\s*$", re.I)
# a dateline: where (and when) the story was filed, "DUNMERE, Wednesday 22 October 2025" on a line of its own, or
# "OHAKUNE - " opening the first paragraph; a place in capitals, which answers "Who chaired the inquiry?" no more
# than a byline does
_DATELINE = re.compile(r"^\s*[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3}\s*(?:,\s*[^.!?\d]{0,30}\d[^.!?]{0,20})?$")
_DATELINE_OPENING = re.compile(r"[A-Z][A-Z'’.]+(?:\s+[A-Z][A-Z'’.]+){0,3}(?=\s+[-–—]\s)")
# what a question about a credit asks: who wrote, reported or photographed the story
# ("Who took over as whip?" is not one: only taking a photo counts)
_ASKS = re.compile(r"\b(?:wr[io]te|written|writer|author(?:ed|s)?|byline|reporter|journalist|correspondent|"
                   r"photograph(?:ed|er)|(?:took|taken|shot)\s+(?:the|this|that|these|those)\s+"
                   r"(?:photo(?:graph)?s?|pictures?|images?)|(?:photo(?:graph)?|picture|image)\s+credit|credited|"
                   r"dateline|published|filed)\b",
                   re.I)


def is_credit(text: str) -> bool:
    """Whether a sentence is a credit line (a byline, a photo credit, "Additional reporting by ...")."""
    text = text.strip()
    if not text or len(text.split()) > 14:
        return False
    return bool(_BYLINE.match(text) or _PHOTO.match(text) or _REPORTING.match(text)
                or (_DATELINE.match(text) and sum(c.isupper() for c in text.split(",")[0]) >= 3))


def asks_credit(question: str) -> bool:
    """Whether a question may be about who wrote or photographed something ("Who wrote the article?")."""
    return bool(_ASKS.search(question))


def drop_credit_spans(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """The spans without those inside a credit line, unless the question asks about a credit; best
    first as given."""
    if asks_credit(question):
        return list(spans)
    credit = [(w.doc_id, s.start, s.end) for w in windows for s in w.sentences if is_credit(s.text)]
    # "OHAKUNE - Scientists have raised ...": the place a first sentence opens with, filed from
    credit += [(w.doc_id, s.start, s.start + found.end()) for w in windows for s in w.sentences
               if s.index < 4 and (found := _DATELINE_OPENING.match(s.text)) is not None
               and sum(c.isupper() for c in found.group()) >= 3]
    if not credit:
        return list(spans)
    return [x for x in spans
            if not any(x.doc_id == d and a <= x.start < b for d, a, b in credit)]
