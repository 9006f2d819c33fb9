"""Answers the question itself rules out: one that repeats the question ("Who criticised Ardern?": not "Ardern";
``drop_echoes``), one that names whom the asked act was done to (``drop_acted_on``), the side beaten for "Who won?"
(``drop_beaten``), and one that is neither of the options the question offers ("Matte or Langgasse?";
``prefer_options``). The word stems these compare are ``clauses.stems`` / ``predicate_stems``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Sequence

from rag.clauses import YES_NO, content_words
from rag.types import Span, Window


# "Was Sharma suspended or expelled?", "Which city is higher, Matte or Langgasse?", "... between the
# Broncos and the Steelers?": the answer is one of the options, which no question word follows ("The
# presence or absence of what ...?" offers no choice)
_CHOICE = re.compile(r"(?:\bor\b|\bbetween\b.+\band\b)(?!.*\b(?:what|which|who|whom|whose|when|where|why|how)\b)",
                     re.I)
_OPTION = re.compile(r"([\w'\u2019-]+)\s*,?\s+(?:or|and)\s+(?:the\s+|a\s+|an\s+)?([\w'\u2019-]+)", re.I)


def echoes(question: str, answer: str) -> bool:
    """Whether an answer only repeats the question's own words ("Mr McAnulty" for "Who labelled
    McAnulty a bully?"): the question already says it, so it answers nothing. A question offering a
    choice ("suspended or expelled?") is answered by one of its words, so nothing echoes there."""
    if options(question):
        return False
    words = content_words(answer)
    asked = set(content_words(question))
    return bool(words) and all(w in asked for w in words)


def drop_echoes(question: str, spans: Sequence[Span]) -> list[Span]:
    """The spans without those that only repeat the question (``echoes``) or say nothing at all ("a", which
    made whole was "a halfback" for "Which halfback are the Kingfishers trying to sign?"), best first as given."""
    return [s for s in spans if content_words(s.text) and not echoes(question, s.text)]


# what the act of a "Who ...?" question is done to: its object, or the subject of a passive
_ACTED_ON = frozenset({"dobj", "nsubjpass", "dative"})
_BE = frozenset({"be", "am", "is", "are", "was", "were", "been", "'s"})


# "Who won the provincial final?", "Which team beat Otago?": the winner asked, as the subject
_ASKS_WINNER = re.compile(r"^\W*(?:who|which\s+[\w-]+)\s+(?:won|beat|defeated|triumphed|prevailed)\b", re.IGNORECASE)
# ... which a side named after a win is not: "a victory by 14 runs over the Otago Volts", "beating Canterbury 27-24"
# (or whose lead was overturned: "special votes overturned incumbent Dennis Palmer's lead"), with the words
# that say what the beaten side was ("to beat top seed Sophie Marchant", "defeated the reigning champion X")
_BEATEN = re.compile(r"\b(?i:over\s+(?:the\s+)?(?:(?:incumbent|sitting|defending|champion|favourite|favorite)\s+)?|"
                     r"(?i:beat|beats|beating|defeated|defeating|edged|edging|downed|downing|thrashed|thrashing|"
                     r"unseated|unseating|ousted|ousting|toppled|toppling|overturned|overturning)\s+"
                     r"(?:the\s+)?(?:[a-z][\w-]*\s+){0,3})$")


def drop_beaten(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For a question asking who won, the spans without the side the text names as beaten ("Otago Volts" of "a
    victory by 14 runs over the Otago Volts" for "Which team won the Ford Trophy match?")."""
    if _ASKS_WINNER.search(question) is None:
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def beaten(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        at = span.start - window.start if window is not None else -1
        return at >= 0 and _BEATEN.search(window.text[max(0, at - 50):at]) is not None

    return [x for x in spans if not beaten(x)]


def drop_acted_on(question: str, spans: Sequence[Span], parse: Callable[[str], object],
                  windows: Sequence[Window] | None = None) -> list[Span]:
    """For "Who <did something to> X?", the spans without those that name X ("West Hamilton MP Gaurav
    Sharma" for "Who expelled Sharma?"; "Sharma's chief of staff" is someone else): whom the act is
    done to is not who did it. X is a name that is the object itself (its last word, "Sharma" of "Labour
    MP Gaurav Sharma"), not a name modifying a thing ("the Quillfen lighthouse"). Not for "Who is / was
    X?" (what X is, or a class: "Who was the first Doctor ...?" -> "Eleventh Doctor") nor for a choice;
    nor for the question's subject ("Who did Labour expel?" may be answered "Labour MP Gaurav Sharma").
    With ``windows``, X may also be a thing the span names in apposition ("Who owned the firm ...?": not
    "Brightclean Services" of "The firm, Brightclean Services, said ...")."""
    if not spans or not re.match(r"\W*(?:who|whom)\b", question, re.IGNORECASE) or options(question):
        return list(spans)
    doc = parse(question)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_ == "be" or root.lower_ in _BE:
        return list(spans)
    acted = {t.text for t in doc if t.i > 0 and t.pos_ == "PROPN" and t.dep_ in _ACTED_ON and t.head.i == root.i
             and t.text[:1].isupper() and len(t.text) > 2}
    things = {t.lower_ for t in doc if t.pos_ == "NOUN" and t.dep_ in _ACTED_ON and t.head.i == root.i}
    if not acted and not (things and windows):
        return list(spans)
    named = re.compile(r"\b(?:%s)\b(?!['’]s)" % "|".join(re.escape(w) for w in sorted(acted))) if acted else None
    # "Who owned the firm?": not "Brightclean Services" of "The firm, Brightclean Services, said ..."
    called = re.compile(r"\b(?:the|a|an|this|that|its|his|her|their)\s+(?:[\w-]+\s+)?(?:%s)\s*,?\s*$"
                        % "|".join(re.escape(w) for w in sorted(things)), re.IGNORECASE) if things else None
    by_rank = {w.rank: w for w in windows or ()}

    def named_thing(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if called is None or window is None:
            return False
        if called.search(f"the {span.text}") and len(span.text.split()) <= 3:    # "a firm" itself
            return True
        at = span.start - window.start
        return bool(called.search(window.text[max(0, at - 40):at]))

    return [x for x in spans if not (named is not None and named.search(x.text)) and not named_thing(x)]


def plain(text: str) -> str:
    """Lower case without accents ("Länggasse" -> "langgasse"), for matching an option to a span."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def options(question: str) -> tuple[str, str] | None:
    """The two options a question offers ("Which city is higher, Matte or Langgasse?" -> ("matte",
    "langgasse")), plain (``plain``), or None when it offers no choice."""
    choice = _CHOICE.search(question)
    if not choice:
        return None
    found = _OPTION.search(question, max(0, choice.start() - 40))
    # a choice is offered at the end ("..., Matte or Langgasse?"), by "between", or by a yes/no question
    # ("Was Sharma suspended or expelled from ...?"); "how many were hurt, killed, or captured in ...?" lists
    if not found or not (YES_NO.match(question.strip()) or not question[found.end():].strip(" ?.!")
                         or re.search(r"\bbetween\b", question[:found.start() + 1], re.I)):
        return None
    if all(re.fullmatch(r"[\d,./-]+s?", found.group(k)) for k in (1, 2)):
        return None             # "between 2018 and 2023": a span of time (or of figures), no choice
    return plain(found.group(1)).removesuffix("'s"), plain(found.group(2)).removesuffix("'s")


# a choice the question closes on, "..., Matte or Langgasse?" (not "between X and Y", which may only say where
# the asked thing lies: "the final score between Mt Albert and Richmond")
_CLOSED = re.compile(r",\s*(?:the\s+|a\s+|an\s+)?[\w'\u2019-]+(?:\s+[\w'\u2019-]+)?\s+or\s+(?:the\s+|a\s+|an\s+)?"
                     r"[\w'\u2019-]+(?:\s+[\w'\u2019-]+)?\s*\?\s*$", re.IGNORECASE)


def prefer_options(question: str, spans: Sequence[Span], consider: float = 0.02) -> list[Span]:
    """For a question offering a choice, the spans that name one of its options first (best first among
    them), the others after: "Kirchenfeld" is no answer to "Which city is higher, Matte or
    Langgasse?" however sure the reader is; when none names one, a choice the question closes on is not answered.
    Only spans within ``consider`` x the best are moved up."""
    offered = options(question) if spans else None
    if not offered:
        return list(spans)
    best = max(s.score for s in spans)

    def names(span: Span) -> bool:
        words = set(re.findall(r"[\w'\u2019-]+", plain(span.text)))
        return span.score >= consider * best and any(o in words for o in offered)

    named = [s for s in spans if names(s)]
    if not named and _CLOSED.search(question):   # "Which city is higher, Matte or Langgasse?": one or no answer
        return []
    return named + [s for s in spans if not names(s)]
