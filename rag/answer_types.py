"""Answer types: what a question asks for, what a candidate span is, and whether the two fit.

The reader scores spans by how well they sit in the text, not by what they are: for "Which
electorate does X represent?" it may prefer "Labour" over the place name beside it. Here the
question's form names the types an answer may have (who -> person or organisation, where ->
place, when -> date, how many -> number, how old -> age), spaCy's entities and part-of-speech
tags give each span a type, and ``rescore`` lets a fitting span beat a misfitting one when the
reader's scores are close. The fit is also a confidence feature.

What the question asks is read in ``rag.asked``; whose age a number is in ``rag.ages``; which amount answers in
``rag.amounts``; answers the question itself rules out in ``rag.echoes``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Sequence

from rag.ages import (
    OF_NAMED, age_of_another, asks_relative, no_age, no_ones_age, own_age, unwritten_age, unwritten_century,
    written_as_age,
)
from rag.amounts import (
    ASKS_MARGIN, BARE_COUNT, CURRENCY, DIGIT, IN_UNITS, LENGTH_OF_TIME, NUMBER_WORD, NUMBER_WORDS, PER_CENT,
    PERCENT_FIGURE, PRICE, SCALES, TALLIES, TIME_UNIT, TO_LEVEL, UNITS, amount_alone, bare_number, beyond_total,
    closing_level, counted_asked, counted_part, counts, leading_amount, level_after_change, other_nouns, other_rate,
    part_named, rate_part, tally_asked,
)
from rag.qualifiers import WEEKDAY
from rag.question_types import (
    HOW_MANY, KIND_ASKED, NAME, NAME_QUESTION, NAME_SMALL_WORDS, NUMBER, ORG, PERSON, PLACE, ROLE_WORDS, Expected,
    expected_type,
)
from rag.types import Span, Window


def titles(span: Span, windows: Sequence[Window], name: str, parse: Callable[[str], object]) -> bool:
    """Whether the span is the words written right before ``name`` as what that person is ("lock" of "when
    lock Harrison Dwyer scored", "goal attack" of "Waves goal attack Jess Tapsell"): nouns and adjectives,
    not a function word, a verb in the past or "said"-like (the small parser tags "lock" a verb even there),
    with nothing between them and the name."""
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None or not name:
        return False
    after = window.text[span.end - window.start:]
    if not re.match(r"\s+" + re.escape(name.split()[0]) + r"\b", after):
        return False
    at, to = span.start - window.start, span.end - window.start
    tokens = [t for t in parse(window.text) if at <= t.idx < to and not t.is_punct]
    return 0 < len(tokens) <= 3 and all(
        t.text.isalpha() and t.text.islower() and not t.is_stop and t.pos_ not in ("AUX", "ADP", "DET", "PRON")
        and not t.text.endswith("ed") and t.tag_ not in ("VBD", "VBZ", "VBG", "VBN") for t in tokens)


def position_only(span: Span, name: str = "") -> Span:
    """A player's description without the team in front ("goal attack" of "Waves goal attack") or the player's
    name and what follows it ("winger" of "winger Rhys Pendry from Thornbury Rovers")."""
    at = span.text.find(f" {name.split()[0]} ") if name else -1
    if at > 0:
        span = replace(span, text=span.text[:at], end=span.start + at)
    words = span.text.split()
    if len(words) < 2 or not words[0][:1].isupper() or words[1][:1].isupper():
        return span
    cut = span.text.index(words[1], len(words[0]))
    return replace(span, text=span.text[cut:], start=span.start + cut)


# how often: "every four years", "one shift a month", "twice a week", "three times", "annually"
_FREQUENCY = re.compile(r"\b(?:every|each|per|a|an)\s+(?:[\w-]+\s+){0,2}?(?:second|minute|hour|day|night|week|"
                        r"weekend|fortnight|month|quarter|year|decade|century|season|term|session|shift)s?\b|"
                        r"\b(?:\w+\s+times|once|twice|thrice|always|usually|often|rarely|seldom|occasionally|"
                        r"frequently|regularly|never|sometimes|daily|weekly|monthly|yearly|annually|hourly|nightly|"
                        r"biennially|quarterly|fortnightly)\b", re.IGNORECASE)
# a span ending in the sum a change reached: "1.8 per cent over the quarter to $842,000"
_TO_SUM = re.compile(TO_LEVEL + r"[$€£¥]\d[\d,.]*\s*(?:m|bn|million|billion)?$")
_AGE = re.compile(r"\b\d{1,3}[- ]year[- ]old\b|\baged? \d{1,3}\b|^\d{1,3}$", re.I)
# words that count without a figure: "twice", "several", "a majority", "almost triple", "none"
_COUNT_WORD = re.compile(r"\b(?:once|twice|thrice|several|few|many|majority|minority|most|all|both|none|no|nobody|"
                         r"double|triple|handful|scores|every|each|numerous|multiple|countless)\b", re.IGNORECASE)
# a place in an order: "14th", "second", "joint third"
_ORDINAL = re.compile(r"(?:(?:joint|equal)\s+)?(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|"
                      r"seventh|eighth|ninth|tenth|eleventh|twelfth|last|bottom|top|runner-up)(?![\w-])")
# a length of time: a number (or "a", "an", "a few") of units of time
_LENGTH = re.compile(r"\b(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                     r"thirty|forty|fifty|sixty|few|several|couple\s+of)\s+(?:second|minute|hour|day|night|week|"
                     r"fortnight|month|year|decade|century|centuries|season)s?\b", re.IGNORECASE)
# a time of day on the clock: "2.14am", "11:52 pm", "3pm", "10 o'clock", "noon"
_CLOCK = re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\b\d{1,2}(?:[.:]\d{2})?\s*o['’]clock\b|"
                    r"\b(?:noon|midday|midnight)\b", re.I)

# a time of day without "am" or "pm" ("6.15 this morning", "ten past ten") or a race's time ("11.52 seconds")
_HOURS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midnight|\d{1,2})"
_CLOCK_FIGURE = re.compile(r"\b\d{1,2}[.:]\d{2}\b|\b\d+(?:\.\d+)?\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b|"
                           r"\b\d+\.\d+s\b|"                  # not "1940s"
                           rf"\b(?:(?:a\s+)?quarter|half|five|ten|twenty|twenty-five)\s+(?:past|to)\s+{_HOURS}\b|"
                           rf"\b{_HOURS}\s+o['’]clock\b", re.IGNORECASE)     # "ten past ten", "eight o'clock"


# what follows a time of day in a span run on into the next clause: "6.12pm when Penhale, 58"
_CLAUSE_AFTER = re.compile(r"^\s*(?:,|;|\b(?:when|as|after|before|while|and|but|where|with|because)\b)", re.I)


def clock_only(expected: Expected | None, span: Span) -> Span:
    """For "At what time ...?", a span that runs on from its one time of day into another clause ("6.12pm when
    Penhale, 58") cut after the time; other spans as they are."""
    if expected is None or expected.name != "clock":
        return span
    times = list(_CLOCK.finditer(span.text))
    if len(times) != 1 or not _CLAUSE_AFTER.match(span.text[times[0].end():]):
        return span
    return replace(span, text=span.text[:times[0].end()], end=span.start + times[0].end())


# a thing named by its number, no count of anything: "division one", "Level 4", "Route 66"
_NUMBERED = re.compile(r"^(?:\w+\s+)?(?:division|level|stage|round|phase|tier|grade|category|class|section|gate|"
                       r"platform|route|room|ward|zone|block|lot|unit|chapter|article|clause|game|heat|lane|pool|"
                       r"number|no\.?)\s+(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)$",
                       re.IGNORECASE)


def span_labels(span_text: str, span_start: int, span_end: int, doc, offset: int) -> set[str]:
    """Types of a span: entity labels of the entities it holds or lies in, NUM for numbers, MONEY for
    amounts of money (never NUM: no count, age or time), AGE for ages ("38-year-old"); ``doc`` is a
    spaCy parse of text starting at document offset ``offset``."""
    labels: set[str] = set()
    for ent in doc.ents:
        a, b = offset + ent.start_char, offset + ent.end_char
        overlap = min(b, span_end) - max(a, span_start)
        # the entity must be what the span is, not a word inside it ("New Zealand" in
        # "New Zealand Labour caucus" does not make the caucus a place)
        if overlap > 0 and overlap >= 0.6 * (span_end - span_start):     # "20 per cent" is no MONEY
            percent = ent.label_ == "MONEY" and PERCENT_FIGURE.search(ent.text) and not CURRENCY.search(ent.text)
            labels.add("PERCENT" if percent else ent.label_)
    words = span_text.lower().split()
    money = CURRENCY.search(span_text) and (DIGIT.search(span_text) or labels & {"MONEY", "CARDINAL"})
    if len(words) <= 4 and PERCENT_FIGURE.search(span_text) and not money:
        labels = (labels - {"MONEY"}) | {"PERCENT", "NUM"}
    elif len(words) <= 4 and money:
        labels = (labels - {"CARDINAL", "QUANTITY", "DATE"}) | {"MONEY"}     # an amount of money, no count or time
    elif len(words) <= 4 and (DIGIT.search(span_text) or any(w.strip(",.") in NUMBER_WORDS for w in words)) \
            and not _NUMBERED.search(span_text):
        labels.add("NUM")
    if len(words) <= 8 and _LENGTH.search(span_text):
        labels.add("LENGTH")         # "an hour", "four years and eight months", "six weeks to 10 weeks"
    if len(words) <= 4 and _ORDINAL.match(span_text.strip().lower()):
        labels.add("ORDINAL")        # "14th", "second", "third overall"
    if len(words) <= 4 and _CLOCK.search(span_text):
        labels.add("TIME")           # "2.14am", which spaCy's small model may label a number or nothing
    if _AGE.search(span_text.strip()):
        labels.add("AGE")
    if _FREQUENCY.search(span_text):
        labels.add("FREQUENCY")
    # every word capitalised, each part of a compound too ("Mother-of-three" is no name)
    if not labels and words and all(w[:1].isupper() for w in re.split(r"[\s-]+", span_text)
                                    if w and w.lower() not in NAME_SMALL_WORDS) \
            and any(t.pos_ in ("PROPN", "NOUN") for t in doc
                    if span_start <= offset + t.idx < span_end):
        labels.add("PROPN")          # a name spaCy did not recognise ("Newshub"); not "Former" opening a sentence
    if _BODY.search(span_text):
        labels.add("BODY")           # "Ministry of Education": a body, whatever spaCy's small model calls it
    if _TITLED.search(span_text):
        labels.add("TITLED")         # "Health Minister Andrew Pelham", "Barnsley coach Neil Crowther": a person
        if len(words) <= 5:          # ... when that is all the span is ("Deputy mayor Kerry Andersen"), not a
            labels.add("PERSON")     # clause ending "... refused to blame referee Martin Cole"
    if _role(words) and not labels & {"PERSON"}:
        labels.add("ROLE")           # "former chief whip", "Prime Minister", "clinical director of oncology"
    return labels


# a word only the name of a body has ("Ministry of Education", "Kōwhai Timber Ltd", "Hallett District Council")
_BODY = re.compile(r"(?<!^)\b(?:Ministry|Council|University|Ltd|Limited|Inc|Company|Corporation|Department|Trust|"
                   r"Club|College|Bank|Authority|Commission|Board|Association|Society|Party|Agency|Foundation|"
                   r"Institute|Union|Federation|Holdings|Committee)\b|^(?:Ministry|Department)\s+of\b")
# a person's title: an honorific or a role word ("Mr", "trainer", "Chief")
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?|(?i:" + "|".join(sorted(w for w in ROLE_WORDS if w.isalpha())) + r"))"
# a person by their title, then a name of two capitalised words
_TITLED = re.compile(r"(?:^|\s)" + _TITLE + r"\s+[A-Z][\w'’-]+\s+[A-Z][\w'’-]+")
# what may follow the role word of a role: "director of oncology", "stock agent in Blenheim"
_ROLE_OF = frozenset("of at in for with".split())


def _role(words: list[str]) -> bool:
    """Whether lower-cased words name a role: they end in a role word, or one is followed by what it is of
    ("chairman of the Whanganui Heritage Trust")."""
    words = [w.strip(",.") for w in words]
    return bool(words) and (words[-1] in ROLE_WORDS or any(
        w in ROLE_WORDS and nxt in _ROLE_OF for w, nxt in zip(words, words[1:])))


def span_shape(span_start: int, span_end: int, doc, offset: int) -> str:
    """A coarse type for any span, for comparing two answers: its entity label, else the
    part of speech of its head word (the token whose head lies outside the span)."""
    tokens = [t for t in doc if offset + t.idx >= span_start and offset + t.idx + len(t) <= span_end]
    if not tokens:
        return ""
    ents = {t.ent_type_ for t in tokens if t.ent_type_}
    if ents:
        return sorted(ents)[0]
    inside = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    head = heads[0] if heads else tokens[-1]
    return {"PROPN": "NOUN"}.get(head.pos_, head.pos_)


# spaCy's small model often mislabels names it has not seen ("Hamilton West": PERSON, "Adrian
# Rurawhe": ORG, "Sharma": GPE): a span with such a label neither fits nor misfits a question that
# asks for the other kind of name
_NAMES = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PROPN"}
_CONFUSED = {"GPE": {"PERSON", "PROPN"}, "LOC": {"PERSON", "PROPN"}, "FAC": {"PERSON", "ORG", "PROPN"},
             "PERSON": _NAMES - {"PERSON"}, "ORG": {"PERSON", "GPE", "PROPN"}}


def fit(expected: Expected | None, labels: set[str]) -> int:
    """+1 the span has a type the question asks for, -1 it has none of them, 0 nothing is
    expected (or the span's label is one spaCy confuses with an expected one)."""
    if expected is None:
        return 0
    if "BODY" in labels and not expected.labels & (ORG | PLACE | {"PROPN"}):
        return -1       # "Ministry of Education" asked for a minister's name
    if "TITLED" in labels and not expected.labels & PERSON:
        return -1       # "Health Minister Andrew Pelham" asked for a construction company
    if labels & expected.labels:
        return 1
    if any(labels & _CONFUSED.get(label, set()) for label in expected.labels):
        return 0
    return -1


# a unit of measure, which no sum of money is in: "20-million-litre reservoir", "7.8 tonnes"
_UNIT = re.compile(r"\d[\d,.]*(?:-million|-billion)?[- ]?(?:litres?|liters?|metres?|meters?|kilometres?|km|tonnes?|"
                   r"kilograms?|kg|hectares?|acres?|megawatts?|MW|kWh|square|cubic)\b", re.IGNORECASE)


# How much a span's reader score counts after the type check: a misfit needs MISFIT_PENALTY^-1
# times the score of a fitting span to stay first, so it wins only when the reader is much surer.
MISFIT_PENALTY = 0.2
# what makes a time a date on the calendar: its month ("April 2", "9 March", "March 2022") or day and month in
# figures ("2/4/2026")
_CALENDAR = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                       r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b|\b\d{1,2}[/.]\d{1,2}\b",
                       re.IGNORECASE)


# kinds of thing a "Which horse ...?" question asks for that no person is, though news names them as it names
# people: animals, craft, works
_THINGS = frozenset("horse horses stallion mare gelding colt filly dog hound bull ram ewe cow ship boat vessel "
                    "yacht ferry trawler car vehicle painting song album film book novel".split())
# a person's title written right before a name: "trainer Bruce Tolley", "jockey Ella Wiremu", "Mr Lee"
_PERSON_BEFORE = re.compile(r"\b" + _TITLE + r"\s+$")


def no_people(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "Which horse won the Cup?", the spans without a person the text titles as one ("Bruce Tolley" of
    "trainer Bruce Tolley") or a person's role ("jockey"); the spans as given for any other question."""
    kind = KIND_ASKED.match(question)
    if kind is None or kind.group(1).lower() not in _THINGS:
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def titled(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        return window is not None and _PERSON_BEFORE.search(
            window.text[max(0, span.start - window.start - 40):span.start - window.start]) is not None

    return [x for x in spans if x.text.split() and not titled(x)
            and not (x.text.islower() and x.text.split()[-1] in ROLE_WORDS)]       # nor "jockey" itself


# kinds of body a "Which <kind> ...?" question asks the name of: answered by a name, which has a capital
_BODIES = frozenset("company firm agency organisation organization bank charity watchdog regulator insurer "
                    "authority operator broker corporation conglomerate airline carrier retailer supermarket".split())


# "What was the final score of the grand final?", "What was the score at halftime?": a match's score, "19-18",
# "3-2", "276 for eight" (not a golfer's "What score did Tairoa shoot?")
_SCORE_ASKED = re.compile(r"^\W*what\s+(?:was|is|were)\s+the\s+(?:final\s+|full-time\s+|half-?time\s+)?score\b",
                          re.IGNORECASE)
_SCORE = re.compile(r"\b\d{1,3}\s*[-–]\s*\d{1,3}\b(?![-–]\d)|"
                    r"\b\d{1,3}\s+(?:to|for)\s+(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b|"
                    r"\b\d{1,3}\s*(?:all|apiece)\b", re.IGNORECASE)


# "What was the result of the board vote on dismissing the coach?": a tally ("six to two", "34 to 17 in favour")
_TALLY_ASKED = re.compile(r"^\W*what\s+(?:was|is|were)\s+the\s+(?:final\s+)?(?:result|outcome|tally|count)\s+of\s+"
                          r"(?:the\s+)?(?:[\w'’&.-]+\s+){0,6}?(?:vote|ballot|division)\b", re.IGNORECASE)
_A_COUNT = r"(?:\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_TALLY = re.compile(rf"\b{_A_COUNT}\s*(?:[-–]|(?:votes?\s+)?to)\s*{_A_COUNT}\b(?![-–]\d)", re.IGNORECASE)


def match_scores(question: str, spans: Sequence[Span]) -> list[Span]:
    """For "What was the final score of the semi-final?", the spans that hold a score ("94-88", "276 for
    eight"): not "4,120" (the crowd). For "What was the result of the vote?", those holding a tally ("six to two")
    put first, when any does (the reader may have missed it: the others stay). The spans as given for any other
    question."""
    if _TALLY_ASKED.match(question) is not None:
        tallies = [x for x in spans if _TALLY.search(x.text)]
        return tallies + [x for x in spans if x not in tallies]
    if _SCORE_ASKED.match(question) is None:
        return list(spans)
    return [x for x in spans if _SCORE.search(x.text)]


def _name_like(text: str) -> bool:
    """Whether at least half of a phrase's words (small words aside) are capitalised: "Auckland company Pacific
    Bay Shipping", "the Animal and Plant Health Agency"; not "tests", nor a headline "Carlisle police chase
    should have been called off"."""
    words = [w for w in re.findall(r"[\w'’&-]+", text) if w.lower() not in NAME_SMALL_WORDS]
    return bool(words) and 2 * sum(w[:1].isupper() for w in words) >= len(words)


def unnamed_bodies(question: str, spans: Sequence[Span]) -> list[Span]:
    """For "Which agency confirmed bird flu?", the spans that can be a body's name (``_name_like``): not
    "tests"; the spans as given for any other question."""
    kind = KIND_ASKED.match(question)
    if kind is None or kind.group(1).lower() not in _BODIES:
        return list(spans)
    return [x for x in spans if _name_like(x.text)]


# kinds of place or body a name ends with ("Gowrie Range State High School", "Parera District Court"), and the
# kinds news calls one of them by ("Harbourside College" for "Which school ...?", "Railway Union" for "Which club
# ...?", an NHS trust for a hospital); a "Which <kind> ...?" question is not answered by a name of another kind,
# nor a person's by any
_INSTITUTIONS = frozenset("school college academy university polytechnic hospital clinic court tribunal council "
                          "club gallery museum library church stadium airport factory company firm bank hotel "
                          "prison ministry department agency trust".split())
_KIND_ALIKE = (frozenset({"school", "college", "academy"}), frozenset({"university", "college", "polytechnic"}),
               frozenset({"hospital", "clinic", "trust"}), frozenset({"court", "tribunal"}),
               frozenset({"company", "firm", "bank", "agency"}), frozenset({"ministry", "department", "agency"}))
_PEOPLE_KINDS = frozenset("judge coach magistrate coroner referee umpire captain skipper jockey trainer "
                          "councillor officer".split())


def _kinds_asked(question: str) -> set[str]:
    """The kind a "Which company ...?" question asks for and the kinds alike to it ("firm", "bank", "agency");
    empty for any other question."""
    kind = KIND_ASKED.match(question)
    asked = kind.group(1).lower() if kind is not None else ""
    return ({asked} | {k for group in _KIND_ALIKE if asked in group for k in group}) if asked else set()


def _alike(kind: str, other: str) -> bool:
    return kind == other or any(kind in group and other in group for group in _KIND_ALIKE)


def another_kind(question: str, spans: Sequence[Span]) -> list[Span]:
    """For "Which university will she attend?", the spans without a name of another kind of place or body
    ("Gowrie Range State High School"); for "Which judge sentenced him?", without a place or body at all
    ("Parera District Court"). A span not ending in such a kind word is kept; the spans as given for any other
    question."""
    kind = KIND_ASKED.match(question)
    asked = kind.group(1).lower() if kind is not None else ""
    if asked not in _INSTITUTIONS and asked not in _PEOPLE_KINDS:
        return list(spans)

    def other(span: Span) -> bool:
        words = re.findall(r"[A-Za-z]+", span.text)
        last = words[-1].lower() if words else ""
        return last in _INSTITUTIONS and (asked in _PEOPLE_KINDS or not _alike(asked, last))

    return [x for x in spans if not other(x)]


# a time said without a place: "next week", "the 38th minute", "Tuesday", "9.30am", "two days"; no answer to
# "Where ...?"
_WHEN_WORDS = re.compile(r"\b(?:next|last|this|following|previous|early|late|mid)\s+(?:week|month|year|weekend|season|"
                         r"summer|winter|spring|autumn)\b|\b\d+(?:st|nd|rd|th)\s+minute\b|\b(?:morning|afternoon|"
                         r"evening|night|today|tomorrow|yesterday)\b|\b" + WEEKDAY + r"s?\b", re.IGNORECASE)


_TIME_GLUE = frozenset("the a an on at in of and by from to until till about around early late last next this "
                       "that week s".split())


def no_times_for_places(expected: Expected | None, spans: Sequence[Span]) -> list[Span]:
    """For "Where will the public meeting take place?", the spans without one that is a time and nothing else
    ("next week", "38th minute", "Tuesday", "9.30am"); a span saying more ("Tolmie Hall on Tuesday") is kept. The
    spans as given for any other question."""
    if expected is None or expected.name != "place":
        return list(spans)

    def only_time(text: str) -> bool:
        rest = text
        for pattern in (_WHEN_WORDS, _CLOCK, _LENGTH, _CALENDAR):
            rest = pattern.sub(" ", rest)
        if rest == text:
            return False
        return all(w.lower() in _TIME_GLUE for w in re.findall(r"[^\W\d_]+", rest))

    return [x for x in spans if not only_time(x.text)]


# "How long did the final last?", "How long will the work take?": a time, not a distance, weight, share or sum
_LASTING = re.compile(r"\b(?:last|lasts|lasted|take|takes|took|taken|run|runs|ran|go\s+on|went\s+on|wait|waited|"
                      r"spend|spent|stay|stayed|serve|served)\b", re.IGNORECASE)
# ... besides the units ``_UNIT`` reads, shares (``PERCENT_FIGURE``) and sums (``CURRENCY``)
_OTHER_UNITS = re.compile(r"\d\s*(?:miles?|feet|ft|yards?|mg|g)\b|\b(?:miles?|feet|yards?|milligrams?|grams?)\b",
                          re.IGNORECASE)


def _no_time(text: str) -> bool:
    """Whether a span is a measure that is no time: a distance, weight, area, share or sum."""
    return any(p.search(text) for p in (_UNIT, _OTHER_UNITS, PERCENT_FIGURE, CURRENCY))


# the words that join a list: "29, 34 and 41"
_LISTED = re.compile(r"\b(?:and|or)\b", re.IGNORECASE)


def _counts_something(text: str) -> bool:
    """Whether a span could answer "How many ...?": a number that is not a year ("the 2023 election"), a scale, an
    ordinal ("his ninth goal") or a word that counts ("twice", "several", "none")."""
    text = _A_YEAR.sub(" ", text)
    return bool(NUMBER_WORD.search(text) or SCALES.search(text) or _ORDINAL.search(text.lower())
                or _COUNT_WORD.search(text))


# words that only qualify the count after them: "just" of "enrolled just 11 students"
_BEFORE_A_COUNT = re.compile(r"^(?:just|only|about|around|almost|nearly|roughly|some|more\s+than|fewer\s+than|"
                             r"less\s+than|over|under|up\s+to|at\s+least|at\s+most|approximately|an\s+estimated)$",
                             re.IGNORECASE)
_COUNT_AFTER = re.compile(r"^\s+(?:\d[\d,.]*\d|\d|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)


def _count_completed(span: Span, window: Window | None) -> Span:
    """A span of words that only qualify a count ("just") carried on to the count the text gives after it
    ("just 11"): the reader stopped short of the number."""
    if window is None or not _BEFORE_A_COUNT.match(span.text.strip()):
        return span
    at = span.end - window.start
    after = _COUNT_AFTER.match(window.text[at:at + 30])
    if after is None:
        return span
    return replace(span, text=window.text[span.start - window.start:at + after.end()], end=span.end + after.end())


_A_YEAR = re.compile(r"\b(?:in|since|of|the|from|until|till|before|after|during|early|late|mid)[\s-]+"
                     r"(?:1[89]|20)\d\d\b(?![\d,.]\d)", re.IGNORECASE)


def _place_before_noun(question: str, span: Span, doc, offset: int) -> bool:
    """Whether a span only says where something it qualifies is: its last word modifies a common noun right after it
    ("Gisborne" of "A Gisborne honey exporter", "Hauraki Plains" of "the Hauraki Plains dairy factory"); not the
    kind asked, whose name follows ("Nowra firm Coastline Constructions": ``name_after_kind``)."""
    end = span.end - offset
    last = next((t for t in reversed(doc) if t.idx < end and t.idx + len(t.text) <= end), None)
    if last is None or last.idx < span.start - offset or last.dep_ not in ("compound", "amod", "nmod") \
            or last.head.i <= last.i or last.head.idx < end or last.head.pos_ != "NOUN":
        return False
    noun = last.head.lower_.removesuffix("s")         # the pipeline has no lemmatiser
    return noun in _BUSINESSES and noun not in _kinds_asked(question)


# what a place before it says where is, not what is called: "A Gisborne honey exporter" ("Fonterra shares" are the
# company's)
_BUSINESSES = frozenset("exporter importer producer maker manufacturer grower operator retailer supplier contractor "
                        "developer processor business plant factory mill store shop supermarket brewery winery "
                        "company firm".split())


def rescore(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
            consider: float = MISFIT_PENALTY) -> list[Span]:
    """The spans with ``type_fit`` set, reordered: by reader score, a misfit's score times
    MISFIT_PENALTY. Only spans within ``consider`` x the best score are parsed (spaCy, per
    window): a span further down cannot overtake the best one, whatever its type; a person is no answer to a
    "Which horse ...?" question (``no_people``)."""
    spans = match_scores(question, unnamed_bodies(question, no_people(question, spans, windows)))
    spans = another_kind(question, spans)
    expected = expected_type(question)
    spans = no_times_for_places(expected, spans)
    if expected is None:
        return unasked_ages(spans, windows)
    if not spans:
        return []
    if expected.name == "frequency":    # a form no other answer has: any span of it beats all others
        marked = [replace(x, type_fit=1 if _FREQUENCY.search(x.text) else -1) for x in spans]
        return sorted(marked, key=lambda x: -x.type_fit) if any(x.type_fit > 0 for x in marked) else list(spans)
    if expected.name == "date":     # "On what date is he due back in court?": "April 2", not "Monday", "next month"
        spans = [x for x in spans if _CALENDAR.search(x.text)]
        if not spans:
            return []
    by_rank = {w.rank: w for w in windows}
    parsed: dict[int, object] = {}

    def _counts_things(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None:
            return False
        if window.rank not in parsed:
            parsed[window.rank] = parse(window.text)
        return bool(counts(span, parsed[window.rank], window.start))

    if expected.name == "money":    # "How much redundancy pay will she receive?": not "above the statutory minimum"
        spans = [x for x in spans if NUMBER_WORD.search(x.text) or CURRENCY.search(x.text) or SCALES.search(x.text)]
        if PRICE.search(question) and not ASKS_MARGIN.search(question):   # "How much does a ticket cost?":
            # not "18 per cent" (a pay offer may be one, and "By how much did the cost go up?" asks a change)
            spans = [x for x in spans if not PERCENT_FIGURE.search(x.text) or _TO_SUM.search(x.text)]   # "... to
            # $842,000" is cut to the sum (``closing_level``)
        # nor "three helicopters and two dog teams", "1,870 claims", "185" of "120 of its 185 buses", however far
        # down: a count of things is no sum (checked for every span, as the best one, "120", may fall to this and
        # leave an unchecked one first)
        spans = [x for x in spans if CURRENCY.search(x.text) or SCALES.search(x.text) or not _counts_things(x)]
        if not spans:
            return []
    if expected.name == "clock":    # "At what time did the lifeboat launch?": "2.14am", "6.15", "11.52 seconds"
        spans = [x for x in spans if _CLOCK.search(x.text) or _CLOCK_FIGURE.search(x.text)]   # not "2024"
        if not spans:
            return []
    if expected.name == "standing":     # "Where does Ashworth sit in the classification?": "third", not "Moloney"
        spans = [x for x in spans if len(x.text.split()) <= 4 and _ORDINAL.search(x.text.lower())]
        if not spans:
            return []
    if expected.name == "number" and HOW_MANY.search(question):   # "How many votes did Labour's candidate get?": not
        # "Tulloch won the seat at the 2023" (no count); "just" of "just 11 students" is made whole first
        spans = [_count_completed(x, by_rank.get(x.window_rank)) for x in spans]
        spans = [x for x in spans if _counts_something(x.text)]
        if not spans:
            return []
    if expected.name == "age":      # "How old is Josh McAllister?": not "five-eighth" (an age is a number),
        spans = [x for x in spans if NUMBER_WORD.search(x.text) and not no_ones_age(x.text)   # nor "2022", nor
                 and not PERCENT_FIGURE.search(x.text) and not CURRENCY.search(x.text)       # "29 per cent", "$40",
                 and not _per_cent_after(x, by_rank)                                        # "37" of "37 per cent"
                 and not (x.window_rank in by_rank and unwritten_age(question, x, by_rank[x.window_rank]))]
        # ... nor, for a person's age now, "seven" of "has coached her since she was seven" (no age as news writes one)
        if not spans:
            return []
    best = max(s.score for s in spans)
    others = other_nouns(question, parse) if expected.name == "number" else frozenset()
    tally = tally_asked(question, parse) if expected.name == "number" else None
    noun = counted_asked(question, parse) if expected.name == "number" else None
    out: list[Span] = []
    # a person a question names by what they did ("the name of the forklift driver who reversed into ...", "the
    # driver of the train that derailed") or asks which one of ("Which surgeon was suspended?") has a name; "the
    # name of the spiritual teacher in Hinduism" may be a word for one ("a guru")
    named = NAME_QUESTION.search(" ".join(question.lower().split()))
    person_named = expected.labels == PERSON and (re.match(r"\W*which\b", question, re.IGNORECASE) is not None or (
        named is not None and re.search(r"\b(?:who|whom|whose|that)\b", named.string[named.end():]) is not None))
    for span in spans:
        if expected.labels <= NAME and (bare_number(span.text) or (
                named is not None and not re.search(r"[^\W\d_]", _LISTED.sub(" ", span.text)))):
            continue                # "What is the name of the man who was arrested?": not "44", nor "29, 34 and 41"
        # "What is the name of the forklift driver ...?": not "pallet labels"; a role ("parliamentary staffer") may
        # lead to the name (attribution.named_describer follows it)
        if person_named and not any(c.isupper() for c in span.text) and span.text.split() \
                and span.text.split()[-1].lower() not in ROLE_WORDS:
            continue
        if expected.name == "number" and HOW_MANY.search(question) and LENGTH_OF_TIME.match(span.text) \
                and not TIME_UNIT.search(question):
            continue                # "How many of the stolen books were recovered?": not "more than 200 years"
        if expected.name == "number" and beyond_total(question, span):
            continue                # "How many of the 19 buildings are heritage-listed?": not "61"
        if expected.labels <= NUMBER and span.window_rank in by_rank:     # an amount asked
            span = rate_part(question, span, by_rank[span.window_rank])   # "$2.15" of "$310 a year plus $2.15"
            span = level_after_change(question, span, by_rank[span.window_rank])   # "to reach 52,940"
            if other_rate(question, span, by_rank[span.window_rank]):
                continue            # "How much per cubic metre?": not "$310" of "$310 a year"
        if span.score < consider * best:
            out.append(replace(span, type_fit=0))
            continue
        window = by_rank.get(span.window_rank)
        if window is None:
            out.append(span)
            continue
        if window.rank not in parsed:
            parsed[window.rank] = parse(window.text)
        labels = span_labels(span.text, span.start, span.end, parsed[window.rank], window.start)
        fitted = fit(expected, labels)
        level = closing_level(question, span, parsed[window.rank], window, expected)     # "... to $842,000"
        if level is not None:
            span, fitted = level, 1
        lead = (leading_amount(span, parsed[window.rank], window, expected)
                or _leading_person(span, parsed[window.rank], window, expected)) if fitted < 0 else None
        if lead is not None:
            span, fitted = lead, 1
        if fitted >= 0 and expected.labels & ORG and not expected.labels & PLACE and not labels & ORG \
                and _place_before_noun(question, span, parsed[window.rank], window.start):
            continue               # "Which British company imported the honey?": not "Gisborne" of "A Gisborne honey
                                   # exporter" (where a business is, not its name)
        if fitted > 0 and expected.name in ("number", "money"):
            span = amount_alone(span, parsed[window.rank], window)
            span = counted_part(noun, span, parsed[window.rank], window)   # "210" of "19 staff and 210 students"
            span = part_named(question, span, window)           # "548" of "612 submissions, of which 548 were opposed"
        if fitted > 0 and expected.name == "age" and age_of_another(question, span, window):
            if OF_NAMED.match(question) or asks_relative(question):
                continue           # "How old is Bolton?": not Kovacs's age ("Kovacs, a 41-year-old pharmacist"); nor
                                   # "How old is the wife of Ravi Chandra?" his ("Ravi Chandra, 38,")
            fitted = -1            # "How old is the nurse from Toowoomba?": the name may be no person's
        elif fitted > 0 and expected.name == "age":          # as a number
            if no_age(span, window, parsed[window.rank]):
                continue           # "one" of "one Whangarei woman", "22" of "for 22 years": a count, no age
            fitted = 1
        if expected.name == "age" and unwritten_century(span, window):
            continue               # "How old is Ben Hollis?": not "102" (his score); an age past 99 is written as one
        span = own_age(span) if expected.name == "age" else span
        if expected.name == "duration" and bare_number(span.text) and not IN_UNITS.search(question):
            continue               # "How long will the rail line be?": not "six" (six stations); a length has a unit
        if expected.name == "duration" and _LASTING.search(question) and _no_time(span.text) \
                and not TIME_UNIT.search(span.text):
            continue               # "How long did the final last?": not "more than 300 miles" (a measure)
        if fitted > 0 and expected.name == "time" and LENGTH_OF_TIME.match(span.text):
            fitted = -1            # "When will she apply for a recount?": not "about a week" (how long, not when)
        if fitted > 0 and expected.name == "clock" and not _CLOCK.search(span.text):
            fitted = -1            # "What time did the band come on stage?": "4pm", not "summer afternoon"
        if fitted < 0 and expected.name == "time" and (BARE_COUNT.match(span.text)
                                                      or re.fullmatch(r"\d{1,3}(?:,\d{3})+", span.text.strip())):
            continue               # "When did Okonkwo die?": not "81" of "dies at 81", nor "9,148" (a year has
                                   # no comma)
        if fitted < 0 and expected.name == "money" and "PERCENT" not in labels and (
                "NUM" in labels or LENGTH_OF_TIME.match(span.text) or _UNIT.search(span.text)):
            continue               # "How much will it fetch?": not "one boat", "about a week" (a pay rise may be
                                   # a per cent)
        if expected.name != "age" and re.match(r"-old\b", window.text[span.end - window.start:]):
            continue               # "How long is the bridge?": not "91-year" of "the 91-year-old bridge" (an age)
        if fitted < 0 and expected.name == "number" and "MONEY" in labels and CURRENCY.search(span.text) \
                and HOW_MANY.search(question):
            continue               # "How many teachers are employed?": not "$1.8 million" (a count is no sum)
        if fitted > 0 and expected.name == "number" and written_as_age(span, window):
            if noun is not None and window.text[:span.start - window.start].rstrip().endswith(","):
                continue           # "How many hectares is Marchetti's block?": not "60" of "Marchetti, 60, of"
                                   # ("the German Empire (34)" may count universities)
            fitted = -1            # "What was Whitcombe's vote?": not "64" of "Pooley, 64, received"
        if noun in UNITS and {UNITS[c] for c in counts(span, parsed[window.rank], window.start) if c in UNITS} - \
                {UNITS[noun]}:
            continue               # "How many hectares is the block?": not "14" of "14 hours"
        if fitted > 0 and others and counts(span, parsed[window.rank], window.start) & others:
            continue               # "How many votes were there at the booths?": not "two" of "at two booths"
        if tally is not None and (counted := {TALLIES[c] for c in counts(span, parsed[window.rank], window.start)
                                              if c in TALLIES}) and tally not in counted:
            continue               # "How many tries did Lolo score?": not "17" of "17 points"
        if tally is not None and written_as_age(span, window):
            continue               # ... nor "23" of "Lolo (23)": an age is no tally
        out.append(replace(span, type_fit=fitted))
    return sorted(out, key=lambda s: -(s.score * (MISFIT_PENALTY if s.type_fit < 0 else 1.0)))


def unasked_ages(spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For a question whose form names no type ("What was Ella Prowse's world ranking?"), the spans with an age
    set off beside a name ("19" of "Prowse, 19, from Launceston") weighed as a misfit: news gives ages of
    everyone it names, and a question that does not ask one is not answered by one."""
    by_rank = {w.rank: w for w in windows}
    aged = [x.window_rank in by_rank and written_as_age(x, by_rank[x.window_rank]) for x in spans]
    if not any(aged):
        return list(spans)
    marked = [replace(x, type_fit=-1) if a else x for x, a in zip(spans, aged)]
    return sorted(marked, key=lambda s: -(s.score * (MISFIT_PENALTY if s.type_fit < 0 else 1.0)))


def _per_cent_after(span: Span, by_rank: dict[int, Window]) -> bool:
    """Whether the text writes a per cent right after the span ("37" of "37 per cent")."""
    window = by_rank.get(span.window_rank)
    return window is not None and PER_CENT.match(window.text, span.end - window.start) is not None


def _leading_person(span: Span, doc, window: Window, expected: Expected) -> Span | None:
    """A misfitting span that is a clause opening with its subject, a person, cut to the name ("Zara
    Okonkwo-Hill" of "Zara Okonkwo-Hill, 22, sank the winning goal after ..." for "Who scored the winning
    goal?"); None otherwise."""
    if "PERSON" not in expected.labels:
        return None
    for ent in doc.ents:
        start, end = window.start + ent.start_char, window.start + ent.end_char
        if start == span.start and end < span.end and ent.label_ == "PERSON" and ent.root.dep_ in ("nsubj",
                                                                                                 "nsubjpass"):
            return replace(span, text=ent.text, start=start, end=end, type_fit=1)
    return None


# the name written right after a kind noun ("auditing firm Caldwell Irons", "wine company Southern Cross Vintners")
# (on the same line: a headline's last word is followed by the byline, "... Theatre\n\nBy Orla Breathnach")
_NAME_AFTER = re.compile(r"[ \t]+((?:[A-Z][\w'’&.-]*)(?:[ \t]+(?:&[ \t]+|of[ \t]+)?[A-Z][\w'’&.-]*){0,4})")


# the body a person speaks for, written before them: "Unison branch secretary Lorraine Beck", "animal rights group
# SAFE, whose spokeswoman Lana Ferris"
_BODY_BEFORE_ROLE = re.compile(r"(?<![\w'’-])([A-Z][\w&'’.-]*(?:\s+(?:&\s+|of\s+)?[A-Z][\w&'’.-]*)*)"
                               r"(?:\s+|,\s+whose\s+)((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)\s+$")


_OPENING_WORDS = re.compile(r"(?:(?:the|then|meanwhile|but|and|however|also|when|after|so|now|yesterday|today)\s+)+",
                            re.IGNORECASE)


def body_of_person(expected: Expected | None, span: Span, windows: Sequence[Window]) -> Span:
    """For "Which animal rights group criticised the hunt?", a person answering it ("Lana Ferris") made the body the
    text writes them as speaking for ("SAFE" of "group SAFE, whose spokeswoman Lana Ferris"), as what is asked is a
    body ("Which union organiser ...?" asks a person: ``question_types``); the span as it is otherwise."""
    words = span.text.split()
    if expected is None or not expected.labels & ORG or expected.labels & PERSON or len(words) < 2 \
            or not all(w[:1].isupper() for w in words):
        return span
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None:
        return span
    at = span.start - window.start
    found = _BODY_BEFORE_ROLE.search(window.text[max(0, at - 80):at])
    if found is None or found.group(2).split()[-1].lower() not in ROLE_WORDS | {"spokeswoman", "spokesman"}:
        return span
    start = window.start + max(0, at - 80) + found.start(1)
    body = found.group(1)
    lead = _OPENING_WORDS.match(body)       # "Then Federated Farmers Waikato president ..."
    if lead is not None and lead.end() < len(body):
        start, body = start + lead.end(), body[lead.end():]
    before = window.text[:start - window.start].rstrip()
    if body.split()[0].lower() in ("the", "a", "an") or (len(body.split()) == 1 and not body.isupper() and (
            not before or before[-1] in ".!?\"“”'‘’")):
        return span             # "Retired teacher Neil Bransby": a capital that opens the sentence names no body
    return replace(span, text=body, start=start, end=start + len(body), type_fit=1)


def name_after_kind(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """For "Which firm carried out the review?", a span that only describes the kind asked ("Wellington auditing
    firm") made the name the text writes right after it ("... auditing firm Caldwell Irons, found"); the span
    as it is otherwise."""
    kinds = _kinds_asked(question)
    words = span.text.split()
    if not kinds or not words:
        return span
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None:
        return span
    at = span.end - window.start
    if words[-1].lower().rstrip(",.") not in kinds | {k + "s" for k in kinds}:
        # "Nowra" of "Nowra firm Coastline Constructions won the tender": where the firm is from, its name after
        after = re.match(r"[ \t]+(?:[a-z][\w-]*[ \t]+){0,2}?(?:" + "|".join(sorted(kinds)) + r")(?=[ \t]+[A-Z])",
                         window.text[at:])
        if after is None or not words[-1][:1].isupper():
            return span
        at += after.end()
    found = _NAME_AFTER.match(window.text, at)
    if found is None or all(w.lower() in question.lower() for w in found.group(1).split()):
        return span             # "Finnish conductor Aino Lehtinen" for "Which conductor will Aino Lehtinen replace?"
    start, end = window.start + found.start(1), window.start + found.end(1)
    return replace(span, text=found.group(1), start=start, end=end, type_fit=1)
