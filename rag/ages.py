"""Ages: whose age a number is. News sets an age beside a name ("Karen Doyle, 58,"), before it ("19-year-old Jordan
Whitcombe"), or calls someone by it ("The 61-year-old said"); "How old is Karen Doyle?" is answered by hers, however
unsure the reader is (``prefer_named_age``, ``named_age``), never by another's, a count or how long something lasted
(``no_age``, ``age_of_another``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from rag.amounts import BARE_COUNT, LENGTH_OF_TIME, counts
from rag.question_types import PERSON_NOUN, expected_type, question_names
from rag.types import Span, Window


# "How old is Bolton?", "How old was Hallett mayor Trudy Kennaway?": of a person named, not described ("the nurse
# from Toowoomba")
OF_NAMED = re.compile(r"^\W*how\s+old\s+(?:is|was|are|were)\s+(?!the\b|a\b|an\b|his\b|her\b|their\b)", re.IGNORECASE)
# a number no one's age is: "4,259" (votes), "2022" (a year); "aged 8 and 11", "58" are ages, and a thing's
# age says its unit ("2,100 years old")
_PAST_AGES = re.compile(r"^\D*(?:\d{1,3},\d|[1-9]\d{3}|1[3-9]\d|[2-9]\d\d)")
_AGE_UNIT = re.compile(r"\b(?:years?|old|centur(?:y|ies)|millenni(?:um|a)|million|billion)\b", re.IGNORECASE)


def no_ones_age(text: str) -> bool:
    """Whether a span is a number too large to be anyone's age, with no unit of a thing's age."""
    return _PAST_AGES.search(text) is not None and _AGE_UNIT.search(text) is None


def prefer_named_age(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How old is Karen Doyle?", the age set beside that name ("Karen Doyle, 58, who has lived there for
    22 years") put first, as a number, however much less likely the reader finds it (22 at 0.38 against 58
    at 0.02): the text says whose age it is. The order is kept when the best span already is one."""
    expected = expected_type(question)
    if expected is None or expected.name != "age" or not spans:
        return list(spans)
    seen = {(x.doc_id, x.start) for x in spans}          # ages beside a name the reader did not list ("Hollis, 29,")
    pool = [*spans, *(x for x in _ages_written(windows) if (x.doc_id, x.start) not in seen)]
    named = [x for x in pool if named_age(question, x, windows)]
    if not named or named[0] is spans[0]:
        return list(spans)
    return [replace(own_age(x), type_fit=1) for x in named] + [x for x in spans if x not in named]


# an age as news sets it beside a name: "Hollis, 29, said", "19-year-old Jordan Whitcombe"
_AGE_WRITTEN = re.compile(r"(?<=[A-Za-z’'][,(] )(\d{1,3})(?=[,)])|(?<![\w.,])(\d{1,3})(?=-year-old\b)")


def _ages_written(windows: Sequence[Window]) -> list[Span]:
    """Every age set beside a name in the windows, as a span of score 0 (``named_age`` tells whose it is)."""
    return [Span(found.group(0), w.doc_id, w.start + found.start(), w.start + found.end(), 0.0, w.rank)
            for w in windows for found in _AGE_WRITTEN.finditer(w.text)]


# whom an age is said of: "Bolton, 67,", "Kovacs, a 41-year-old pharmacist", "91-year-old Doris Fenwick"
_NAME_BEFORE_AGE = re.compile(r"([A-Z][\w'\u2019-]+)\s*[,(]\s*(?:(?:a|an|the|aged)\s+)?$")
_NAME_AFTER_AGE = re.compile(r"^[- ]?(?:year[- ]old)?((?:\s+[A-Z][\w'\u2019.-]*)+)")
# ... unless those words qualify a person's noun: "24-year-old Fenwick-Lomond Cycling rider" names no one
_QUALIFIES = re.compile(rf"^\s+(?:{PERSON_NOUN})\b")
_YEARS_OLD = re.compile(r"^(?:(?:the|a|an)\s+)?(\d{1,3})(?:[- ]year[- ]old|-year)$", re.I)   # or cut: "19-year"
# words beside an age that name no one: titles, and the particles of a surname ("Van Rensburg, 35," is Pieter van
# Rensburg's age, whose question writes "van" in lower case and so does not count it among the names asked)
_PARTICLES = ("van", "von", "der", "den", "de", "da", "du", "la", "le", "di", "del")
_AGE_NOT_NAMES = frozenset("mr mrs ms miss dr sir dame mp prof professor judge the a an".split()) | set(_PARTICLES)


def _name_after_age(text: str) -> re.Match[str] | None:
    """The capitalised words right after an age ("91-year-old Doris Fenwick"), not those before a noun."""
    found = _NAME_AFTER_AGE.match(text)
    if found is None or re.search(r"[.'’]", found.group(1)):    # "Jordan Whitcombe. Whitcombe's father"
        return found
    return None if _QUALIFIES.match(text[found.end():]) else found


def unwritten_century(span: Span, window: Window) -> bool:
    """Whether a number of three digits is not written as an age ("102" of "Hollis made 102"); a person's age past
    99 is ("Doris Fenwick, 102,", "the 104-year-old", "aged 101", "turned 100")."""
    at, to = span.start - window.start, span.end - window.start
    return re.fullmatch(r"\d{3}", span.text.strip()) is not None and not written_as_age(span, window) \
        and not re.match(r"[- ]years?[- ]old\b|\s+years\s+of\s+age\b", window.text[to:]) \
        and not re.search(r"\b(?:aged|age\s+of|turned|turns|turning)\s+$", window.text[max(0, at - 12):at])


# how news writes a person's age: "58-year-old", "58 years old", "aged 58", "turned 58", "Karen Doyle, 58," (or "58."
# at a sentence's end, "(58)"); a bare number set any other way counts or measures something else
_AGE_AFTER = re.compile(r"^(?:[- ]years?[- ]old\b|\s+years\s+of\s+age\b)", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"(?:\b(?:aged|age|age\s+of|ages\s+of|turned|turns|turning|"
                         r"in\s+(?:his|her|their)(?:\s+(?:early|mid|late)-?)?|"
                         r"(?:dies|died|dying|death|retired|retires|retiring)\s+at)|,\s+now)\s*$", re.IGNORECASE)
_WAS = re.compile(r"^\W*how\s+old\s+(?:was|were)\b", re.IGNORECASE)
_SET_OFF_AFTER = re.compile(r"^\s*(?:[,).;:]|$)")
# "How old is the teacher's aide ...?": a person described, whose age news writes as it writes a named one's ("the
# bridge" may be "built 80 years ago")
_A_PERSON = re.compile(rf"^\W*how\s+old\s+(?:is|was)\s+(?:the|a|an|his|her|their)\s+(?:[\w'’-]+\s+){{0,4}}?"
                       rf"(?:{PERSON_NOUN})s?\b", re.IGNORECASE)


def unwritten_age(question: str, span: Span, window: Window) -> bool:
    """Whether a number answering "How old is Denise Prowse?" (a person's age now, named or described) is written
    as no one's age: "seven" of "has coached her since she was seven" (an age at an event), "eight" of "removed
    Mills for eight", "20 years" of "expected to take about 20 years". News writes an age as an age ("Prowse, 47,",
    "47-year-old", "aged 47"); a question about an age at an event ("How old was he when ...?") may not."""
    if not (OF_NAMED.match(question) or _A_PERSON.match(question)) or AT_AN_EVENT.search(question):
        return False
    at = span.start - window.start
    number = re.search(r"\d{1,3}", span.text) or re.search(r"[a-z]+(?:-[a-z]+)?$", span.text, re.IGNORECASE)
    if number is None:
        return False
    start, end = at + number.start(), at + number.end()
    before, after = window.text[max(0, start - 20):start], window.text[end:end + 20]
    if _AGE_AFTER.match(after) or _AGE_BEFORE.search(before):
        return False
    if _WAS.match(question) and re.search(r"\b(?:was|were)\s+$", before, re.IGNORECASE):
        return False                # "How old was Okonkwo?": "she was 81 when she died"
    return not (re.search(r"[,(]\s*$", before) and _SET_OFF_AFTER.match(after))


def written_as_age(span: Span, window: Window) -> bool:
    """Whether a bare number is the age set off beside a name ("Pooley, 64, received ..."), not a count."""
    at, to = span.start - window.start, span.end - window.start
    return bool(BARE_COUNT.match(span.text)) and re.match(r"\s*[,)]", window.text[to:to + 2]) is not None \
        and _NAME_BEFORE_AGE.search(window.text[max(0, at - 60):at]) is not None


def age_holder(text: str, start: int, end: int) -> frozenset[str]:
    """The lower-cased words of the name an age at ``text[start:end]`` is said of, titles out; empty when
    no name stands next to it ("the 38-year-old will walk": no one named)."""
    before = _NAME_BEFORE_AGE.search(text[max(0, start - 60):start])
    after = _name_after_age(text[end:end + 60])
    words = (before.group(1) if before else "") + " " + (after.group(1) if after else "")
    return frozenset(w for w in re.findall(r"[\w'\u2019-]+", words.lower()) if w not in _AGE_NOT_NAMES)


def asks_age_by_description(question: str) -> bool:
    """Whether the question asks how old someone is without naming them ("How old is the sacked manager?",
    "How old is Tidewater Lass's trainer?": the name is another's)."""
    expected = expected_type(question)
    described = _ANOTHERS.match(question)
    if described is not None and _NAMED_AFTER.match(question, described.end() - 1):
        return False        # "How old is Eleanor Marsh's husband David Fairclough?": named after all
    return expected is not None and expected.name == "age" and (
        not question_names(question) or described is not None)


# "How old is Tidewater Lass's trainer?": the one asked about is described by another's name (a name, "'s", a
# lower-case word); bridging splits such a question at it
ANOTHERS = r"(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w-]*['’]s\s+[a-z]"
_ANOTHERS = re.compile(rf"^\s*(?i:how\s+old\s+(?:is|was|are|were))\s+{ANOTHERS}")
# ... unless their name follows the words that describe them ("husband David Fairclough")
_ROLE_WORD = r"(?!(?:in|at|from|on|for|with|who|that|when)\b)[a-z][\w-]*"
_NAMED_AFTER = re.compile(rf"{_ROLE_WORD}(?:\s+{_ROLE_WORD}){{0,3}},?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")
# "How old is the wife of Hamilton camper Ravi Chandra?": one related to the named person, who is someone else
_RELATED = re.compile(r"^\W*how\s+old\s+(?:is|was|are|were)\s+(?:the|his|her|their)\s+(?:[a-z-]+\s+){0,2}(?:wife|"
                      r"husband|partner|son|daughter|child|children|mother|father|brother|sister|parents?|"
                      r"grandmother|grandfather|grandson|granddaughter|nephew|niece|uncle|aunt|cousin|friend|"
                      r"neighbour|neighbor|fiancée?|girlfriend|boyfriend)\s+of\b", re.IGNORECASE)


def asks_relative(question: str) -> bool:
    """Whether the question asks the age of someone by their relation to a named person ("How old is the wife
    of Ravi Chandra?"), whose own age is then another's, not the answer."""
    return _RELATED.match(question) is not None


# "At what age did Moira Chaplin start acting?", "How old was Tom Hallett when he started banking?": an age at an
# event, which the age set beside a name (the age now: "Moira Chaplin, 67,") need not be
AT_AN_EVENT = re.compile(r"^\W*at\s+what\s+age\b|^\W*how\s+old\s+(?:was|were)\b.*\b(?:when|at\s+the\s+time)\b",
                         re.IGNORECASE)


def named_age(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether a number answering "How old is Doyle?" is the age set beside that name ("Karen Doyle, 58,"),
    which no other answer beats, however less likely the reader finds it. Only for a question asking an age
    ("How many siblings does Calloway have?" is not answered by "Calloway, 29,")."""
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None or not (BARE_COUNT.match(span.text) or _YEARS_OLD.match(span.text)):
        return False
    expected = expected_type(question)
    if expected is None or expected.name != "age" or asks_relative(question) or AT_AN_EVENT.search(question):
        return False
    asked = {w.lower() for w in question_names(question)}
    person = _person_asked(question) or asked     # "Eleanor Marsh's husband David Fairclough": his name, not hers
    at, to = span.start - window.start, span.end - window.start
    if not person & age_holder(window.text, at, to):
        return False
    # the whole name beside the age, when the text gives one: "Jordan Whitcombe, 19," and "19-year-old Jordan
    # Whitcombe" are not Darren Whitcombe's
    before = _WHOLE_NAME_BEFORE_AGE.search(window.text[max(0, at - 80):at])
    after = _name_after_age(window.text[to:to + 80])
    written = " ".join(x.group(1) for x in (before, after) if x is not None)
    given = {w.lower().rstrip(".") for w in written.split()} - _AGE_NOT_NAMES
    if len(given) < 2 and len(person) >= 2 and _namesake_in(question, person):
        return False            # "Prowse, 19," for "How old is Denise Prowse, mother of Ella Prowse?": either's
    return len(given) < 2 or len(person) < 2 or person <= given


def _namesake_in(question: str, person: frozenset[str]) -> bool:
    """Whether the question also names another of the asked person's surname ("Ella Prowse" beside "Denise
    Prowse"): an age the text sets beside the surname alone may then be theirs."""
    runs = [frozenset(w.lower() for w in run.split()) - _AGE_NOT_NAMES for run in _NAME_RUN.findall(question)]
    return any(len(run) >= 2 and run != person and run & person for run in runs)


# the name "How old is New Zealand golfer Ben Tairoa?" asks the age of: the last run of capitalised words (with a
# surname's particles) before the question goes on ("Ella Heriot" of "How old is Ella Heriot, who showed ...?")
_SUBJECT = re.compile(r"^\W*how\s+old\s+(?:is|was|are|were)\s+([^,?]*?)(?:\s+(?:who|that|when|after|before|in|at|"
                      r"on|of(?!\s+(?-i:[A-Z]))|from)\b|,|\?|$)", re.IGNORECASE)     # "Department of Conservation": one name
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:(?:" + "|".join(_PARTICLES) + r")\s+)*[A-Z][\w'’.-]*)*")


def _person_asked(question: str) -> frozenset[str]:
    """The lower-cased words of the name a "How old is ...?" question asks about, titles and particles out;
    empty when its subject names no one."""
    described = _ANOTHERS.match(question)
    named = _NAMED_AFTER.match(question, described.end() - 1) if described is not None else None
    if named is not None:       # "How old is Tyler Whitcombe's mother, Denise Whitcombe?": the name after
        return frozenset(w.lower() for w in _NAME_RUN.findall(named.group(0))[-1].split()) - _AGE_NOT_NAMES
    subject = _SUBJECT.match(question)
    runs = _NAME_RUN.findall(subject.group(1)) if subject is not None else []
    return frozenset(w.lower() for w in runs[-1].split()) - _AGE_NOT_NAMES if runs else frozenset()


_OF_MANY = re.compile(r"\b(?:ages|were|are)\b", re.IGNORECASE)     # the ages of a group, not of one person
_AGE_RANGE = re.compile(r"^\d{1,3}\s*(?:and|to|-|–)\s*\d{1,3}$")
_AGED = re.compile(r"\b(?:aged|ages|ages\s+of|ranging\s+in\s+age\s+from)\s+(?:between\s+|from\s+)?$", re.IGNORECASE)


def stated_age_range(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether a span answering "What ages were the participants?" is the range the text gives as ages ("aged
    between 55 and 80"), however unsure the reader is of it."""
    window = next((w for w in windows if w.rank == span.window_rank), None)
    expected = expected_type(question)
    if window is None or expected is None or expected.name != "age" or not _AGE_RANGE.match(span.text) \
            or not _OF_MANY.search(question):
        return False                # "How old is chief executive Sandra Oyelaran?": not "aged 12 to 17"
    return _AGED.search(window.text[max(0, span.start - window.start - 40):span.start - window.start]) is not None


# the capitalised words before an age set off after a name ("Jordan Whitcombe, 19,", "Amira and Yusuf Haddad, 18,")
_WHOLE_NAME_BEFORE_AGE = re.compile(r"((?:[A-Z][\w'\u2019-]+\s+(?:and\s+)?){0,3}[A-Z][\w'\u2019-]+)\s*[,(]\s*"
                                    r"(?:(?:a|an|the|aged)\s+)?$")


def age_of_another(question: str, span: Span, window: Window) -> bool:
    """Whether an age answering "How old is Bolton?" is said of someone the question does not name
    ("Kovacs, a 41-year-old pharmacist") or of another of the surname ("Ella Heriot" for "Ross Heriot"); False when
    the question names no one or no name is beside it."""
    asked = {w.lower() for w in question_names(question)}
    holder = age_holder(window.text, span.start - window.start, span.end - window.start)
    if asks_relative(question):         # "Ravi Chandra, 38," for "How old is the wife of Ravi Chandra?"
        return bool(holder)
    person = _person_asked(question)     # "23-year-old Ella Heriot" for "How old is farmer Ross Heriot?": a namesake
    # "Ms Marsh, 61," for "How old is Eleanor Marsh's husband David Fairclough?": hers, not his
    return bool(asked and holder and not holder & (person or asked)) or (len(person) > 1 and len(holder) > 1
                                                              and not person <= holder) or \
        (not holder and (_called_beside(person, span, window) or _described_unnamed(person, span, window)))


# an age news gives someone it describes and does not name: "a 58-year-old maintenance fitter"
_DESCRIBED_BY_AGE = re.compile(r"^\d{1,3}-year-old\s+(?:[a-z][\w-]*\s+){0,3}?[a-z][\w-]*\b(?!\s+[A-Z])")


def _described_unnamed(person: frozenset[str], span: Span, window: Window) -> bool:
    """Whether an age is one the text gives someone it describes but does not name ("Three, including a 58-year-old
    maintenance fitter, were taken to hospital" for "How old is chief executive Sandra Voss?"), in a sentence not
    naming the asked person, with no next sentence opening on them (news may name whom its opening describes:
    "A 16-year-old angler has landed ... . Mia Costello, from Canberra, ...")."""
    at = span.start - window.start
    if len(person) < 2 or not _DESCRIBED_BY_AGE.match(window.text[at:at + 60]) or \
            not re.search(r"\b(?:a|an)\s+$", window.text[max(0, at - 4):at], re.IGNORECASE):
        return False
    sentence = window.sentence_at(span.start)
    if sentence is None or person & {w.lower() for w in re.findall(r"[\w'’-]+", sentence.text)}:
        return False
    after = [x for x in window.sentences if x.start >= sentence.end][:1]
    return not (after and person & {w.lower() for w in re.findall(r"[\w'’-]+", after[0].text[:60])})


def _called_beside(person: frozenset[str], span: Span, window: Window) -> bool:
    """Whether an age is one a sentence calls someone by ("the 29-year-old") while naming the asked person
    elsewhere in it: "Marsters said he feared the 29-year-old could be out" is not Marsters's age (news calls
    the one it has just named by an age in the next sentence, not in the same one)."""
    at = span.start - window.start
    if not person or not re.match(r"\d{1,3}-year-old\b", window.text[at:at + 14]) or \
            not re.search(r"\bthe\s+$", window.text[max(0, at - 6):at], re.IGNORECASE):
        return False
    sentence = window.sentence_at(span.start)
    if sentence is None:
        return False
    rest = sentence.text[:span.start - sentence.start] + " " + sentence.text[span.end - sentence.start:]
    return bool(person & {w.lower() for w in re.findall(r"[A-Z][\w'’-]*", rest)})


# a number that opens a compound of something else counts no years of age: "three-term", "16-year wait"
_COMPOUND = re.compile(r"^[\w.,]+-(?!years?[- ]old\b)[A-Za-z]")
# "for 22 years", "22 years ago": how long, not how old ("58 years old", "58 years of age" are ages)
_YEARS_LONG = re.compile(r"^\s+years?\b(?![- ]old\b)(?!\s+of\s+age\b)", re.IGNORECASE)
_LASTED = re.compile(r"\b(?:for|over|in|after|within)\s+$")     # "fishing for" 34 years


def no_age(span: Span, window: Window, doc) -> bool:
    """Whether a number answering "How old ...?" opens a compound that is no age ("three" of "three-term
    incumbent Derek Bolton", "16" of "a 16-year wait"; "41-year-old" is one), counts something ("about 140"
    of "about 140 residents") or says how many years something lasted ("22" of "for 22 years", "34 years" of
    "fishing for 34 years")."""
    at, to = span.start - window.start, span.end - window.start
    if LENGTH_OF_TIME.match(span.text) and _LASTED.search(window.text[max(0, at - 12):at]):
        return True                     # "34 years" of "fishing for 34 years"
    return bool(_COMPOUND.match(window.text[at:at + len(span.text) + 20]) or _YEARS_LONG.match(window.text[to:]) or
                counts(span, doc, window.start) - {"year"})


# "The 61-year-old, who replaced ...", "The 27-year-old has played ...": news names a person, then calls them by
# their age; not "The 38-year-old and the 29-year-old" (two, described before) or "The 27-year-old's contract"
BY_AGE = re.compile(rf"^\W*The\s+(\d{{1,3}})-year-old(?=,|\s+(?!and\b)[a-z]+\b|"
                    rf"\s+(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{PERSON_NOUN})\b)")


def opens_by_age(sentence: str, start: int, end: int) -> bool:
    """Whether the span ``[start, end)`` of a sentence holds the age it opens by ("The 61-year-old, who ...")."""
    opening = BY_AGE.match(sentence)
    return opening is not None and start <= opening.start(1) < end


def own_age(span: Span) -> Span:
    """An age answer as a number: "91" for "91-year-old" (the question already says "old")."""
    years = _YEARS_OLD.match(span.text)
    if not years:
        return span
    start = span.start + years.start(1)
    return replace(span, text=years.group(1), start=start, end=start + len(years.group(1)))


# a name and the age written after it: "Moala, 22" of "Moala, 22, was named player of the match"
_NAME_THEN_AGE = re.compile(r"^([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}),\s*\d{1,3}$")


def age_alone(question: str, span: Span) -> Span:
    """For an age asked, the answer as its number (``own_age``: "19" of a span cut as "19-year", of "19-year-old
    Emma Rangi"); any other answer as it is."""
    asked = expected_type(question)
    return own_age(span) if asked is not None and asked.name == "age" else span


def without_age(question: str, span: Span) -> Span:
    """A name answer without the age the text puts after it ("Moala, 22" -> "Moala"), unless an age is asked."""
    found = _NAME_THEN_AGE.match(span.text)
    asked = expected_type(question)
    if found is None or (asked is not None and asked.name == "age"):
        return span
    return replace(span, text=found.group(1), end=span.start + found.end(1))
