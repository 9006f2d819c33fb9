"""What the question says of its answer holds in the answer's sentence: the year, the direction, the name.

The reader matches words and reads past a qualifier. "Who went to Fort Duquesne in June 1745?" was
answered *Braddock* at 0.36 from "Braddock ... led an expedition in June 1755 to take Fort Duquesne",
"What television network did the AFL sign a deal with in 2000?" *NBC* from "Beginning with the 2003
season, the AFL made a deal with NBC", and "The smallest party in Parliament sits in the middle of
what?" *the semicircle* (0.84) from "The largest party in the Parliament sits in the middle of the
semicircle". Four checks of the sentence, each strict on purpose (and two of the span, below):

- *Another year.* A sentence that names years, none of them the asked one (nor a range or decade
  holding it), speaks of another time. A sentence that names no year says nothing either way (the year
  is often in the sentence before: "In 2012 ... . Vinik became owner"), so its spans stay, unless its
  story names the asked year only out of its lead and out of the sentence's window (``year_told_elsewhere``):
  then the sentence is of the story's own time, and the year of a past event told elsewhere. Nor, with a
  dateline of another year in a story that never names the asked one (``dated_otherwise``), unless the
  sentence speaks of another time ("last season", "at the time").
  So does a sentence that names only another day of the week ("on Saturday" for "on the Sunday").
- *The opposite.* The sentence says the antonym of a question's word (smallest / largest, increase /
  reduce, least / most, inside / outside, current or "now" / former, first / second / last) of the same
  thing (a word after it in the question follows the antonym too: "smallest *party*" / "largest *party*"),
  and not the word itself. Antonyms that a paraphrase turns around ("A is older than B": "B is younger
  than A"; north of / south of; before / after; win / lose) are not used. Swapping one in is how many
  of SQuAD 2.0's unanswerable questions were written (Rajpurkar, Jia and Liang 2018, "Know What You
  Don't Know").
- *Another of its name.* The sentence names, instead of the question's "Second World War" or "United
  States Parliament", a run of as many capitalised words ending alike with others in place of the rest
  ("First World War", "United Kingdom Parliament"), none of them a spelling of the asked ones ("Santa Fe"
  for "Sante Fe" stays), and not the asked run itself. A run sharing only its first word ("City Council"
  for "City Parliament") may be the same thing said another way and stays.
- *A part of a whole.* A figure asked for one part ("in the 2022 consultation alone", "the plant on its
  own") from a sentence that joins the part to another ("in 2022 and 2023", "roads, bridges and the plant")
  and singles out no part of the figure.

Of the span: a number the sentence ties to another year than the asked one ("up from 30,000 in 2020"),
and a person the sentence gives, as theirs now, the role the question asks an earlier holder of ("Who
was the previous chief executive?": not "Velora's chief executive, Annika Brandt").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from rag.clauses import YES_NO, predicate_stems, question_form, stem, stems
from rag.echoes import plain
from rag.question_types import ROLE_WORDS, expected_type
from rag.types import Document, Span, Window

_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# a year the question is asked about: after a preposition, a month or season, or a law's name ("in 2000",
# "Sept 1706", "the spring of 1735", "the Scotland Act 1988"); "the 2000 soldiers" is a count, not this
_ASKED = re.compile(rf"\b(?:in|by|since|during|from|until|till|before|after|of|between|and|to|through|act|"
                    rf"{_MONTHS}|spring|summer|autumn|fall|winter)\.?\s+(1\d{{3}}|20\d{{2}})\b(?![.,]\d)",
                    re.IGNORECASE)
# "during its 2013 consultation", "in the 2019 Kongorong fire", "at the time of the 2013 vote": a year after a
# preposition and a determiner; not before a plural ("of the 2000 soldiers": a count)
_ASKED_OWN = re.compile(r"\b(?:in|during|of|at|from|since|after|before|for)\s+(?:the|its|their|his|her|this|that)\s+"
                        r"(19\d{2}|20[0-3]\d)\b(?![.,]\d)(?!\s+[a-z]+s\b)", re.IGNORECASE)
# "the 2015 season", "the 2008 study": a year before an event's noun
_ASKED_EVENT = re.compile(r"\b(1\d{3}|20\d{2})\s+(?:season|election|elections|census|olympics|olympic|games|world cup|"
                          r"final|finals|campaign|war|budget|study|survey|report|championship|championships|"
                          r"tournament|series|season's|fiscal year|financial year|school year|general election)\b",
                          re.IGNORECASE)
# any year a sentence names ("1760", "the 1990s"), and spans of years ("1995 to 2005", "2015-16", "1939–45")
_YEAR = re.compile(r"(?<![\d$£€.,])\b(1\d{3}|20\d{2})(s)?\b(?![.,]\d)")
_RANGE = re.compile(r"\b(1\d{3}|20\d{2})\s*(?:-|–|—|/|to|until|till|through|and)\s*(\d{4}|\d{2})\b")


# "the 2022-23 financial year", "the 2019/20 season": a year that runs across two, asked by its first
_ASKED_SPLIT = re.compile(r"\b(1\d{3}|20\d{2})\s*[-–/]\s*\d{2}\s+(?:financial|fiscal|school|academic|tax)?\s*"
                          r"(?:year|season|summer|winter|budget)\b", re.IGNORECASE)


def asked_years(question: str) -> frozenset[int]:
    """The years a question is asked about ("in 2000" -> {2000}, "the 2022-23 financial year" -> {2022}, "during its
    2013 consultation" -> {2013}); empty
    when it names none."""
    return frozenset(int(y) for y in _ASKED.findall(question) + _ASKED_EVENT.findall(question)
                     + _ASKED_SPLIT.findall(question) + _ASKED_OWN.findall(question))


# "since 2019": a time from that year up to the story's own, which the sentence is of
_SINCE = re.compile(r"\bsince\s+(?:early\s+|late\s+|mid-?)?(?:(?:" + _MONTHS + r")\.?\s+)?(1\d{3}|20\d{2})\b"
                    r"(?![.,]\d)", re.IGNORECASE)


def _named(text: str) -> tuple[set[int], list[tuple[int, int]]]:
    """The years a text names and the (first, last) years of its decades and ranges."""
    years: set[int] = set()
    spans: list[tuple[int, int]] = []
    for year, decade in _YEAR.findall(text):
        years.add(int(year))
        if decade:
            spans.append((int(year), int(year) + 9))
    for first, last in _RANGE.findall(text):
        a = int(first)
        b = int(last) if len(last) == 4 else a // 100 * 100 + int(last)
        if len(last) == 2 and b < a:                 # "1999-01": into the next century
            b += 100
        if a < b:
            spans.append((a, b))
    return years, spans


def other_year(asked: frozenset[int], text: str) -> bool:
    """Whether a sentence names a year and none of the ``asked`` ones (directly, in a range or a decade)."""
    if not asked:
        return False
    return bool(_named(text)[0]) and not _names_year(asked, text)


def _names_year(asked: frozenset[int], text: str) -> bool:
    """Whether a text names one of the ``asked`` years, directly or in a range or decade holding it."""
    years, spans = _named(text)
    return any(y in years or any(a <= y <= b for a, b in spans) for y in asked)


# a day of the week a question asks about ("on the Sunday of the heatwave"), not a name ("the Sunday Star-Times")
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY = re.compile(rf"\b({WEEKDAY})s?\b(?!\s+(?-i:[A-Z]))", re.IGNORECASE)
_DAYS_RUN = re.compile(rf"\b{WEEKDAY}\s*(?:to|until|till|through|-|–)\s*{WEEKDAY}\b", re.IGNORECASE)


def asked_days(question: str) -> frozenset[str]:
    """The days of the week a question is asked about ("on the Sunday" -> {"sunday"}); empty when it names none."""
    return frozenset(d.lower() for d in _DAY.findall(question))


def other_day(asked: frozenset[str], text: str) -> bool:
    """Whether a sentence names a day of the week and none of the ``asked`` ones, nor a run of days that may
    hold them ("from Friday to Sunday"): "Mildura reached 47.3C at 4.15pm on Saturday" is not the Sunday's."""
    if not asked:
        return False
    named = {d.lower() for d in _DAY.findall(text)}
    return bool(named) and not named & asked and _DAYS_RUN.search(text) is None


# a month a date is asked within ("On what date in March ...?", "which day in early May"): a date naming another
# month is no answer ("14 October"); a month the question only names is often context ("After its April departure,
# when ...?"), so only this frame counts
_ASKED_MONTH = re.compile(r"\b(?:date|day|days|when)\s+(?:\w+\s+)?(?:in|of)\s+(?:early\s+|late\s+|mid-?)?"
                          rf"({_MONTHS})\b", re.IGNORECASE)


def asked_months(question: str) -> frozenset[str]:
    """The month a date is asked within ("On what date in March ...?" -> {"mar"}, by its first three letters);
    empty otherwise."""
    return frozenset(m[:3].lower() for m in _ASKED_MONTH.findall(question))


def other_month(asked: frozenset[str], span: str) -> bool:
    """Whether a span names a month (capitalised) and none of the ``asked`` ones: "14 October" for "in March"."""
    named = {m.group()[:3].lower() for m in re.finditer(rf"\b(?:{_MONTHS})\b", span, re.IGNORECASE)
             if m.group()[0].isupper()}
    return bool(asked) and bool(named) and not named & asked


# a day of a month, "20 November", "November 20th" (the day, the month's first three letters)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTHS})\b|"
                        rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)


def _dates(text: str) -> set[tuple[int, str]]:
    """The days of months a text names, as (day, month) with the month's first three letters."""
    return {(int(a or d), (b or c)[:3].lower()) for a, b, c, d in _DAY_MONTH.findall(text) if (b or c)[:1].isupper()}


def other_date(asked: frozenset[tuple[int, str]], text: str) -> bool:
    """Whether a sentence names days of months and none of the ``asked`` ones: "The next sale will be held on 4
    December" for "How many bales sold at the auction on 20 November?"."""
    if not asked:
        return False
    named = _dates(text)
    return bool(named) and not named & asked


# a number said of a year: "30,000 in 2020", "52 residents in 2018", "12 per cent by 2019", "$4 million for 2021"
_NUMBER_OF_YEAR = re.compile(r"(?<![\w$£€])[$£€]?(\d[\d,.]*(?:\s*(?:%|per\s?cent|million|billion|thousand))?)"
                             r"\s+(?:[a-z]+\s+)?(?:in|by|during|for|as of)\s+(?:the\s+(?:year\s+)?)?"
                             rf"(?:(?i:{_MONTHS})\.?\s+)?(1\d{{3}}|20\d{{2}})\b")      # "3,412 in September 2024" too


# a figure a yes/no question compares with, which the text need not give: "Did Tulloch win by more than 7,000
# votes?" (7,231); in "How many waited more than 78 weeks?" it says which group is asked about
_THRESHOLD = re.compile(r"\b(?:more|less|fewer|greater|higher|lower|bigger|smaller)\s+than\s+(?:about\s+)?"
                        r"[$£€]?\d[\d,.]*|\b(?:over|under|above|below|exceeding|at\s+least|at\s+most|up\s+to)\s+"
                        r"[$£€]?\d[\d,.]*", re.IGNORECASE)


def _compared(question: str) -> str:
    """The question without the figures a yes/no question compares with."""
    return _THRESHOLD.sub(" ", question) if YES_NO.match(question.strip()) else question


# a number and the noun it counts or measures: "78 weeks", "231 seats" (a year is no measure)
_MEASURE = re.compile(r"(?<![\w$£€.,])(\d[\d,]*(?:\.\d+)?)\s+([a-z]+)\b")
_NO_UNIT = frozenset(stem(w) for w in "per of and or to a an the in on at by for from than years year am pm".split())


def asked_measures(question: str) -> frozenset[tuple[str, str]]:
    """The measures a question names, as (number without commas, stemmed noun): "waited more than 78 weeks" ->
    {("78", "week")}."""
    return frozenset((number.replace(",", ""), stem(noun)) for number, noun in _MEASURE.findall(_compared(question))
                     if not _YEAR.fullmatch(number) and stem(noun) not in _NO_UNIT)


# a figure as written, commas aside ("1,307,204" is 1307204); a year is no figure here
_FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?![\d.,]\d|st\b|nd\b|rd\b|th\b)")   # "20mm": 20; "11th": none
# a figure of a length of time ("the last 100 years"), which a text may well give in words ("centuries")
_OF_TIME = re.compile(r"\d[\d,.]*\s+(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|"
                      r"centur(?:y|ies))\b|"
                      # a day of a month: "on 20 November", "March 3rd" (the window may date it only by its dateline)
                      + _DAY_MONTH.pattern, re.IGNORECASE)


def _figures(text: str) -> set[str]:
    return {found.replace(",", "") for found in _FIGURE.findall(text)}


def asked_numbers(question: str) -> frozenset[str]:
    """The figures of two or more digits a question names, years aside ("There are 231 seats in which
    chamber?" -> {"231"}): a window that gives none of them speaks of something else."""
    return frozenset(n for n in _figures(_compared(_OF_TIME.sub(" ", question)))
                     if len(n.split(".")[0]) >= 2 and not _YEAR.fullmatch(n))


def described_elsewhere(question: str, number: str, window: str, story: str | None) -> bool:
    """Whether a figure the question describes a thing by ("a 25-metre cell tower") and the window lacks is the
    story's own description of it, given elsewhere in the story, with no other such figure in the window ("a
    15-metre pole"): the window may still tell of that thing ("wants to build the tower")."""
    found = re.search(rf"(?<![\d,.]){re.escape(number)}-([a-z]+)\b", question.replace(",", ""))
    if found is None or story is None:
        return False
    word = found.group(1)
    if word == "year":
        return False            # "the 34-year-old man": an age tells which person, and the window must say it
    return re.search(rf"(?<![\d,.]){re.escape(number)}-{word}\b", story.replace(",", "")) is not None \
        and re.search(rf"\d-{word}\b", window) is None


def other_measure(measures: frozenset[tuple[str, str]], text: str) -> bool:
    """Whether a sentence gives a measure the question names only with another number ("more than 65 weeks"
    for "more than 78 weeks"): it speaks of another group or time."""
    if not measures:
        return False
    given = [(number.replace(",", ""), stem(noun)) for number, noun in _MEASURE.findall(text)]
    numbers = {number for number, _ in given}
    return any(number not in numbers and any(unit == noun for _, noun in given) for number, unit in measures)


# "How many submissions came in 2022 alone?", "How much will the plant cost on its own?": one part of a figure
# that news often gives only for the whole ("in 2022 and 2023 ... 1,148 submissions"; "roads, bridges and the
# water treatment plant was $23 million"; "the Strathbogie and Mansfield councils $1.3 million between them").
# A sentence that joins the asked part to another, and singles out no part, does not answer it; one that
# names the part alone ("$150 million domestically") does.
_PART_ASKED = re.compile(r"((?:[\w'’-]+\s+){1,3}?)(?:alone|on\s+(?:its|their|his|her)\s+own|"
                         r"by\s+(?:itself|themselves)|"
                         r"separately)\b|\bthe\s+([\w'’-]+)\s+(?:itself|themselves)\b", re.IGNORECASE)
_PART_SAID = re.compile(r"\b(?:alone|on\s+(?:its|their|his|her)\s+own|by\s+(?:itself|themselves)|separately|"
                        r"of\s+(?:which|whom|them|those|these)|each|including|excluding|except|apart\s+from)\b",
                        re.IGNORECASE)
_WHOLE = re.compile(r"\b(?:between\s+them|combined|jointly|together|in\s+total|altogether)\b", re.IGNORECASE)
_JOINS = frozenset({"and", "&", "plus"})


def part_asked(question: str) -> frozenset[str]:
    """The words naming the one part a figure is asked for ("in February alone": february; "the council on its
    own": council), or none when the question asks no part or no figure."""
    match = _PART_ASKED.search(question)
    asked = expected_type(question) if match else None
    if asked is None or asked.name not in ("money", "number", "measure"):
        return frozenset()
    words = re.findall(r"[a-z0-9]+", (match.group(1) or match.group(2)).lower())
    after = max((at + 1 for at, w in enumerate(words) if w in _FUNCTION), default=0)   # "in the [2022 consultation]"
    return frozenset(_tokens(" ".join(words[after:])))


def _tokens(text: str) -> list[str]:
    """Lower-cased words as stems, figures whole ("2022" is not "2023")."""
    return [w if w[0].isdigit() else stem(w) for w in re.findall(r"[a-z0-9]+(?:['’][a-z]+)?|&", text.lower())]


def given_whole(part: frozenset[str], text: str) -> bool:
    """The sentence gives the asked part only joined to another ("2022 and 2023", "roads, bridges and the
    plant", "... between them"), singling out no part near it ("700 of them in 2022", "on Friday alone")."""
    words = _tokens(text)
    near = [at for at, w in enumerate(words) if w in part]
    if not near:
        return False
    said = [len(_tokens(text[:m.start()])) for m in _PART_SAID.finditer(text)]
    if any(abs(at - to) <= 4 for at in near for to in said):
        return False
    return _WHOLE.search(text) is not None or any(w in _JOINS for at in near for w in words[max(at - 2, 0):at + 3])


# what puts a number as the base of a comparison: "up from", "than", "compared with", "on"
_COMPARED = re.compile(r"\b(?:from|than|on|against|versus|vs\.?|compared\s+(?:with|to))\s+(?:(?:about|around|just|"
                       r"nearly|some|roughly|almost|over|under)\s+)?[$£€]?$", re.IGNORECASE)


def number_of_another_year(asked: frozenset[int], text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` is not the asked year's, as the sentence ties numbers to
    years: "About 60,000 homes now have solar, up from 30,000 in 2020" gives 2020 30,000, not 60,000;
    "from 8.0 million in 2000 to 8.2 million in 2010" gives each year its own. A number tied to no year,
    in a sentence that ties none to an asked one, is left alone."""
    first = re.search(r"\d", text[start:end])
    if not asked or first is None:
        return False
    tied = [(m.start(1), m.end(1), int(m.group(2))) for m in _NUMBER_OF_YEAR.finditer(text)]
    inside = [year for a, b, year in tied if a < end and start < b]
    if any(year in asked for year in inside):
        return False                # "41 in 2023 to 67" for 2024: the asked year's number is in it
    # else the span's own number is its first: "4,260" of "4,260 entries this year, up from 3,890", not "3,890"
    at = start + first.start()
    own = [year for a, b, year in tied if a <= at < b]
    if own:
        return True
    # an untied number is another year's when the asked year's is what it is compared with ("up from 30,000 in
    # 2020"); beside the asked year's own figure ("revenue of $6.3 million in 2023-24 ..., but a loss of $14.7
    # million") it is that year's too; beside the figures of two asked years ("from $3.9 million in 2021/22 to $6.7
    # million in 2024/25, a rise of 72%") it is the change between them
    if len({year for _, _, year in tied} & asked) >= 2:
        return False
    return any(year in asked and _COMPARED.search(text, 0, a) for a, _, year in tied)


# "Who was Velora's previous chief executive?", "Who was its founding chief executive?": a holder before the
# present one, named by the role
_EARLIER_HOLDER = re.compile(r"\b(?:previous|former|ex-|outgoing|earlier|prior|preceding|last|founding|inaugural)\s+"
                             r"((?:[\w'’-]+\s*){1,3})", re.IGNORECASE)
# words that make a role named beside a person an earlier one, or one held for a while only
_NOT_NOW = re.compile(r"\b(?:former|previous|ex|outgoing|then|retiring|retired|late|acting|interim|past|until|"
                      r"predecessor|once|incumbent|departing|sacked|ousted)\b", re.IGNORECASE)


def _role_word(phrase: str, limit: int | None = None) -> str | None:
    """The last word of the first run of role words in a phrase ("chief executive" -> "executive", "chief
    whip of Labour" -> "whip"), within its first ``limit`` words; None when it holds none."""
    role = None
    for word in re.findall(r"[a-z]+", phrase.lower())[:limit]:
        if word in ROLE_WORDS:
            role = word
        elif role is not None:
            break
    return role


def earlier_holder_role(question: str) -> str | None:
    """The role a question asks an earlier holder of ("previous chief executive" -> "executive",
    "former mayor" -> "mayor"), or None."""
    return next((role for found in _EARLIER_HOLDER.finditer(question)
                 if (role := _role_word(found.group(1))) is not None), None)


def _beside(role: str, text: str, start: int, end: int) -> str | None:
    """The words qualifying ``role`` where it is given right beside the person at ``text[start:end]`` (up to
    three before it: "former" of "former chief executive Tom Lee", "the" of "Tom Lee, the chief executive,");
    None when the role is not given beside them."""
    before = text[max(0, start - 45):start]
    found = re.search(rf"\b{role}s?\s*,?\s*$", before, re.IGNORECASE)
    if found is not None:
        clause = re.split(r"[.;:!?]", before[:found.start()])[-1]
        return " ".join(clause.split()[-3:])
    found = re.match(rf"^\s*,\s*((?:[\w'’-]+\s+){{0,3}}?){role}s?\b", text[end:end + 45], re.IGNORECASE)
    return None if found is None else found.group(1)


def holds_role_now(role: str, text: str, start: int, end: int) -> bool:
    """Whether the person at ``text[start:end]`` is given ``role`` right beside the name, with no word
    making it an earlier or passing one: "Velora's chief executive, Annika Brandt", "Annika Brandt, the
    chief executive," (she holds it, so is no previous one); "former chief executive Tom Lee" is not."""
    words = _beside(role, text, start, end)
    return words is not None and not _NOT_NOW.search(words)


# "Who is the chief whip?" asks who holds the post now; words that make a role beside a name one held before
_HOLDER = re.compile(r"^\W*(?i:who\s+is)\s+(?:(?i:the)\s+|(?:[\w.&-]+\s+){0,2}[\w.&-]+['’]s\s+|(?=[a-z]))(.+)$")
_BEFORE_NOW = re.compile(r"\b(?:former|previous|ex|outgoing|retiring|retired|late|past|departing|sacked|ousted)\b",
                         re.IGNORECASE)


def current_holder_role(question: str) -> str | None:
    """The role a question asks who holds ("Who is the chief whip?", "Who is Labour's chief whip?" -> "whip";
    "Who is the chief financial officer?" -> "officer"), or None (as for "Who was ...?", and for a question
    saying the holder is an earlier one: ``earlier_holder_role``)."""
    found = _HOLDER.match(question)
    if found is None or _BEFORE_NOW.search(question):
        return None
    phrase = re.split(r"\b(?:of|at|in|for|on|to)\b", found.group(1).lower())[0]
    return next((w for w in reversed(re.findall(r"[a-z]+", phrase)[:4]) if w in ROLE_WORDS), None)


def holds_role_under(role: str, text: str, start: int, end: int) -> bool:
    """Whether the person at ``text[start:end]`` is given, right beside the name, a post under ``role``: "deputy
    mayor Helen Craig", "vice-chair Ismail El Gizouli", for "Who is the mayor?"."""
    words = _beside(role, text, start, end)
    return words is not None and bool(_UNDER.search(_own_phrase(words)))


def _own_phrase(words: str) -> str:
    """The words of a role's own phrase among those before it: "Co-founder and chief" -> "chief", "Opening the
    case, prosecutor" -> "" (``_beside`` gives up to three words, across "and" and commas)."""
    return re.split(r"\band\b|&|,", words)[-1]


def qualifies_role(role: str, text: str, end: int) -> bool:
    """Whether a span ending at ``text[:end]`` is followed by the role itself: it says whose the role is
    ("Whanganui District Council deputy" of "... deputy mayor Helen Craig"), not who holds it."""
    return re.match(rf"\s*{role}s?\b", text[end:], re.IGNORECASE) is not None


def held_role_before(role: str, text: str, start: int, end: int) -> bool:
    """Whether the person at ``text[start:end]`` is given ``role`` right beside the name as one held before:
    "former chief whip Kieran McAnulty", "Tom Lee, the previous mayor,"."""
    words = _beside(role, text, start, end)
    return words is not None and bool(_BEFORE_NOW.search(words))


# posts of a body each held by one person, by the words that name them: a person given only another of them right
# beside the name does not hold the asked one ("Outback Air Express chief executive Joanne Petrakis" is no chairman)
_POSTS = {word: post for post, words in (
    ("chair", "chair chairman chairwoman chairperson"), ("ceo", "ceo executive"), ("president", "president"),
    ("mayor", "mayor"), ("principal", "principal"), ("treasurer", "treasurer"), ("coach", "coach"),
    ("captain", "captain skipper"), ("secretary", "secretary")) for word in words.split()}
# ... or right after it: "Joanne Petrakis, the company's chief executive,"
_GIVEN_AFTER = re.compile(r"^\s*,\s*(?:(?:the|its|their)(?:\s+[\w-]+['’]s)?|"
                          r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*['’]s)\s+((?:[a-z-]+\s*){1,4})")
# "What is the name of the federal Treasurer ...?": a post asked by its holder's name
_NAME_OF_POST = re.compile(r"^\W*what\s+(?:is|was)\s+the\s+name\s+of\s+(?:the|its|their|[\w-]+['’]s)\s+"
                           r"(?:[\w-]+\s+){0,2}?(" + "|".join(_POSTS) + r")\b", re.IGNORECASE)


def _post_asked(question: str, role: str | None) -> str | None:
    """The post a "Who is the chairman of X?" or "What is the name of the federal Treasurer ...?" question asks
    who holds (``_POSTS``), or None for any other role."""
    if role == "officer" and re.search(r"\bchief\s+executive\s+officer\b", question, re.IGNORECASE):
        return "ceo"
    if role is None and (named := _NAME_OF_POST.match(question)) is not None \
            and not _BEFORE_NOW.search(question):
        return _POSTS[named.group(1).lower()]
    return _POSTS.get(role) if role is not None else None


def _posts_run(words: list[str]) -> set[str] | None:
    """The posts a run of role words names ("chief executive" -> {"ceo"}, "chairman and chief executive" -> both),
    or None when a word of it is a role but no post (``_POSTS``): "managing director" may be the chief executive."""
    posts: set[str] = set()
    for word in words:
        if word in _POSTS:
            posts.add(_POSTS[word])
        elif word not in ("chief", "and", "&"):
            return None
    return posts


def another_post(post: str | None, text: str, start: int, end: int) -> bool:
    """Whether the person at ``text[start:end]`` is given, right beside the name, posts that are all other than
    the asked ``post``: "chief executive Joanne Petrakis" (or "Joanne Petrakis, the chief executive,") for "Who is
    the chairman of Outback Air Express?"."""
    if post is None:
        return False
    runs = []
    before = re.findall(r"[\w&-]+", text[max(0, start - 45):start])
    run: list[str] = []
    for word in reversed(before):
        if word.lower() not in ROLE_WORDS and not (run and word.lower() in ("and", "&")):
            break
        run.insert(0, word.lower())
    runs.append(run[1:] if run and run[0] in ("and", "&") else run)
    after = _GIVEN_AFTER.match(text[end:end + 60])
    if after is not None:
        words = after.group(1).lower().split()
        runs.append(words[:next((i for i, w in enumerate(words) if w not in ROLE_WORDS and w not in ("and", "&")),
                                len(words))])
    for run in runs:
        posts = _posts_run(run) if run else None
        if posts and post not in posts:
            return True
    return False


# a role beside a name that is one under the asked one: "his vice-Chair Ismail El Gizouli" holds no chair
_UNDER = re.compile(r"\b(?:vice|deputy|assistant|associate)\b|\b(?:co|sub)-(?!op)|-$", re.IGNORECASE)


# whose a role is, where the text or the question says it: "the group's director", "the developer's director"
_OWNER = re.compile(r"([\w-]+)['’]s\b")


def _named_in(word: str, question: str) -> bool:
    """Whether a capitalised word beside a role is no name, or one the (lower-cased) question holds, whole or
    by its initials ("ANU" of "the Aotearoa Nurses' Union")."""
    bare = word.removesuffix("'s").removesuffix("’s")
    word = bare.lower()
    return word in ROLE_WORDS or word in _FUNCTION or word in question or (
        len(bare) > 2 and bare.isupper() and bare.isalpha() and word in _initials(question)) or (
        len(word) > 5 and re.sub(r"(?:ian|an|n|ese|ish)$", "", word) in question)   # "Australian": "Australia"


# the kind of a body, which news writes alone before a role for the body itself ("Club president Aroha Ngata" of
# the lifeguard service, "Festival director Nadia Collins"): no other body's name ("North Devon Council" is one)
_KINDS_ALONE = frozenset("club council board company trust society association union group party team school "
                        "hospital service committee firm bank charity church museum festival orchestra agency "
                        "authority department ministry commission panel network foundation".split())


def _names_another(words: Sequence[str], question: str) -> bool:
    """Whether the capitalised words before a role name another body than the (lower-cased) question does."""
    if len(words) == 1 and words[0].lower() in _KINDS_ALONE:
        return False
    return any(not _named_in(w, question) for w in words)


def _initials(question: str) -> set[str]:
    """The initials of each run of words in a (lower-cased) question, small words skipped: "aotearoa nurses'
    union" -> "anu" (and its parts)."""
    words = [w for w in re.findall(r"[a-z][\w'’-]*", question) if w not in ("of", "and", "the", "for", "&")]
    return {"".join(w[0] for w in words[i:j]) for i in range(len(words))
            for j in range(i + 3, min(len(words), i + 6) + 1)}


# "Who is prosecuting Gorton?", "Who skippered the Salt Shaker?": an act whose doer news names by a role
# ("prosecutor Helen Quarry", "skipper Reece Tolhurst"); done by whom is asked, so no passive ("Who was
# prosecuted?" asks the defendant): after "is/was/were", only the "-ing" form
_ACT_ROLES = tuple((re.compile(pattern, re.IGNORECASE), roles) for pattern, roles in (
    (r"prosecut(?:e|es|ed|ing)", ("prosecutor",)), (r"skipper(?:s|ed|ing)?", ("skipper",)),
    (r"captain(?:s|ed|ing)?", ("captain",)), (r"coach(?:es|ed|ing)?", ("coach",)),
    (r"referee(?:s|d|ing)?", ("referee",)), (r"umpir(?:e|es|ed|ing)", ("umpire",)),
    (r"direct(?:s|ed|ing)?", ("director",)),
    (r"chair(?:s|ed|ing)?", ("chair", "chairman", "chairwoman", "chairperson")),
    (r"own(?:s|ed)?", ("owner", "proprietor")), (r"manag(?:e|es|ed|ing)", ("manager",)),
    (r"train(?:s|ed|ing)?", ("trainer",)), (r"edit(?:s|ed|ing)?", ("editor",)), (r"founded", ("founder",)),
    (r"organi[sz](?:e|es|ed|ing)", ("organiser",)), (r"judg(?:e|es|ed|ing)", ("judge",)),
    (r"rode|rides?|riding|ridden", ("jockey", "rider")), (r"drove|drives?|driving|driven", ("driver",)),
    (r"pilot(?:s|ed|ing)?", ("pilot",)), (r"design(?:s|ed|ing)?", ("designer", "architect")),
    (r"coordinat(?:e|es|ed|ing)", ("coordinator", "co-ordinator")), (r"conduct(?:s|ed|ing)?", ("conductor",)),
    (r"conven(?:e|es|ed|ing)", ("convenor", "convener")), (r"curat(?:e|es|ed|ing)", ("curator",)),
    (r"supervis(?:e|es|ed|ing)", ("supervisor",)), (r"administer(?:s|ed|ing)?", ("administrator",)),
    (r"leads?|leading|led", ("leader",))))
_WHO_ACTS = re.compile(r"^\W*who\s+(?:(?:is|was|were|are)\s+(?=\w+ing\b)|(?:has|had|have|will|did|does|do|can|"
                       r"could|would)\s+(?:been\s+(?=\w+ing\b))?)?(?P<verb>[a-z]+)\b", re.IGNORECASE)


def acted_roles(question: str) -> tuple[str, ...]:
    """The roles news names the doer of the act a "Who ...?" question asks about by ("Who is prosecuting
    Gorton?" -> "prosecutor"); empty for any other question, and for an earlier doer ("former")."""
    acted = _WHO_ACTS.match(question)
    if acted is None or _BEFORE_NOW.search(question):
        return ()
    return next((roles for pattern, roles in _ACT_ROLES if pattern.fullmatch(acted.group("verb"))), ())


def prefer_holder(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "Who is the chief executive (of Harbourline)?", a span given that role beside the name ("Chief
    executive Natalie Brennan said") put first when the best one is not ("The company's chief financial
    officer, Marcus Delahunty"), however much less likely the reader finds it: the text says who holds
    the post. So too for the doer of an act news names by a role (``acted_roles``: "Salt Shaker skipper Reece
    Tolhurst" for "Who skippered the Salt Shaker ...?"), when the name is whole and its sentence names a name the
    question does (the boat, not another's skipper) or the role is qualified by a word of it ("Carnival referee").
    Spans given the role as another body's ("North Devon Council chairman Cllr Malcolm Prowse" for the orchestra's
    trustees' chair, ``anothers_holder``) are dropped; the order is kept otherwise."""
    holds = _holder_test(question, windows)
    if holds is None:
        return list(spans)
    post = current_holder_role(question) or next((r for r in acted_roles(question) if r in _POSTS_OF_ACTS), None)
    spans = [x for x in spans if not anothers_holder(question, x, windows)
             and not titled_otherwise(question, x, windows) and not _no_one(post, x.text)]
    if len(spans) < 2 or holds(spans[0]):
        return list(spans)
    holders = [x for x in spans[1:] if holds(x)]
    return holders + [x for x in spans if x not in holders] if holders else list(spans)


# the last word of a body's name: no one who holds a post ("Rangiwai District Council" for the mayor)
_BODY_ENDS = frozenset("council ltd limited trust board committee company inc group club association school "
                       "hospital department ministry agency authority commission tribunal court".split())


# the doers of acts that only a named person does as a post ("Who chairs X?"), unlike "Who drove the car?" ("a
# 17-year-old") or "Who manages the site?" (a company)
_POSTS_OF_ACTS = frozenset("chair chairman chairwoman chairperson captain coach skipper referee umpire conductor "
                           "convenor convener curator coordinator co-ordinator editor director supervisor "
                           "administrator".split())
# posts a body may hold: "Who is the owner of the site?" may be "Fonterra Ltd"
_BODY_MAY_HOLD = frozenset("owner proprietor investor partner trustee agent builder contractor consultant "
                           "representative member candidate advocate adviser advisor prosecutor leader lead organiser "
                           "organizer operator sponsor funder supplier provider".split())


def _no_one(role: str | None, text: str) -> bool:
    """Whether an answer to "Who is the mayor of X?" or "Who chairs X?" (``role``, the post asked or the role of the
    act; None for another question) names no one: for a post only people hold, it ends in a common noun ("auction
    manager", "a mobile clinic", "Hamilton contractor") or a body's last word ("Rangiwai District Council",
    "Queensland Civil and Administrative Tribunal")."""
    if role is None or role in _BODY_MAY_HOLD:
        return False            # "Who prosecuted the case?": "police"
    words = re.findall(r"[\w'’-]+", text)
    return not words or words[-1].islower() or words[-1].lower() in _BODY_ENDS


def stated_holder(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether the text gives the span, right beside the name, the post the question asks who holds now
    ("Musical director Helen Okafor, 52," for "Who is musical director of the North Devon Youth Orchestra?"),
    as no other body's and no earlier holder's, in a sentence naming the body asked ("the orchestra"; a chief
    executive in a story about another company is not Harbour Grocery Group's): the text says it, however unsure
    the reader is. So too for a post asked by its act ("Trust chair Margaret Lindqvist, 63," for "Who chairs the
    Gippsland Community Food Trust?")."""
    post = current_holder_role(question) is not None or any(r in _POSTS_OF_ACTS for r in acted_roles(question))
    holds = _holder_test(question, windows) if post else None
    sentence = span.sentence_in({w.rank: w for w in windows}) if holds is not None else None
    body = {w.lower().removesuffix("'s").removesuffix("’s")
            for w in re.findall(r"(?<!^)\b[A-Z][\w'’-]{3,}", question.strip())} - ROLE_WORDS
    return sentence is not None and bool(body & {w.lower() for w in re.findall(r"[\w'’-]+", sentence.text)}) \
        and holds(span) and not anothers_holder(question, span, windows)


def _holder_test(question: str, windows: Sequence[Window]) -> Callable[[Span], bool] | None:
    """A test of whether a span is given the role the question asks of (``prefer_holder``) beside the name, as one
    held now, of no other body named and of no other kind ("managing" for "finance director"); None when the
    question asks of no role."""
    role = current_holder_role(question)
    roles = (role,) if role is not None else acted_roles(question)
    if not roles:
        return None
    named = {w.lower() for w in re.findall(r"(?<!^)\b[A-Z][\w'’-]+", question.strip())} if role is None else None
    by_rank = {w.rank: w for w in windows}
    asked = question.lower()
    asked_words = set(re.findall(r"[\w'’-]{4,}", asked))
    names_body = re.search(r"(?<!^)\b[A-Z]", question.strip()) is not None    # "of Harbourline Foods"
    asked_owner = _OWNER.search(question)

    def about_asked(span: Span, sentence) -> bool:
        """Whether the span's window (its sentence and those beside it) names a name the question does, or the role
        beside the span is qualified by a word of the question ("Carnival referee Graham Tully" for "Who refereed
        the carnival?"); a role qualified by another name is another's (``anothers_holder``)."""
        window = by_rank.get(span.window_rank)
        if named & {w.lower() for w in re.findall(r"[\w'’-]+", window.text if window is not None else sentence.text)}:
            return True
        at, to = span.start - sentence.start, span.end - sentence.start
        return any((words := _beside(role, sentence.text, at, to)) is not None
                   and {w.lower() for w in re.findall(r"[\w'’-]{4,}", words)} & asked_words for role in roles)

    def holds(span: Span) -> bool:
        sentence = span.sentence_in(by_rank)
        if sentence is None:
            return False
        if named is not None:           # an act's doer: a whole name, in a sentence about what the question asks
            words = span.text.split()
            if len(words) < 2 or not all(w[:1].isupper() for w in words) or not about_asked(span, sentence):
                return False
        return any(holds_as(span, sentence, role) for role in roles)

    def holds_as(span: Span, sentence, role: str) -> bool:
        at, to = span.start - sentence.start, span.end - sentence.start
        if re.match(rf"\s+(?:is|has been)\s+(?:the|its|their)\s+(?:[\w-]+\s+){{0,2}}?{role}\b",
                    sentence.text[to:], re.IGNORECASE):
            return True            # "Hoesung Lee is the chair of the IPCC"
        words = _beside(role, sentence.text, at, to)
        words = None if words is None else _own_phrase(words)
        owner = None if words is None else _OWNER.search(words)
        if owner is not None and asked_owner is not None and owner.group(1).lower() != asked_owner.group(1).lower():
            return False           # "the group's director" for "Who is the developer's director?"
        return words is not None and not _NOT_NOW.search(words) and not _BEFORE_NOW.search(words) \
            and not _UNDER.search(words) and not (names_body and _names_another(re.findall(r"\b[A-Z][\w'’-]*", words),
                                                                                asked)) \
            and not other_kind(role, words, _opens(sentence.text, words, at))

    def other_kind(role: str, words: str, opens: bool) -> bool:
        """Whether the text's words for the role make it another post than the question's: "managing director"
        for "finance director" (each has a word the other lacks; a body's name, or a word the question holds
        anywhere, is no such word: "Festival director" for "the festival's artistic director")."""
        mine = _role_modifiers(question, role)
        split = words.split()       # a capital opening the sentence alone ("Finance director"), not a name's
        theirs = {w.lower() for k, w in enumerate(split) if (w.islower() or (
            opens and k == 0 and (len(split) == 1 or split[1].islower())))
            and w.lower() not in _FUNCTION and w.lower() not in asked_words}
        return bool(mine) and bool(theirs) and not mine & {w.lower() for w in words.split()}
    return holds


def _opens(text: str, words: str, before: int) -> bool:
    """Whether ``words`` (found before ``text[before:]``) open a sentence, so that a capital says nothing."""
    at = text.rfind(words.strip(), 0, before)
    prefix = text[:max(at, 0)].rstrip()
    return not prefix or prefix[-1] in ".!?\"“”"


def _role_modifiers(question: str, role: str) -> set[str]:
    """The words right before the role in the question's holder phrase ("finance" of "Who is the finance director
    of the co-operative?"), none for an act asked ("Who chairs ...?")."""
    found = _HOLDER.match(question)
    if found is None:
        return set()
    phrase = re.split(r"\b(?:of|at|in|for|on|to)\b", found.group(1).lower())[0].split()
    at = next((k for k in range(len(phrase) - 1, -1, -1) if phrase[k].startswith(role)), None)
    return set() if at is None else {w for w in phrase[max(0, at - 2):at]
                                     if w not in _FUNCTION and not _OWNER.search(w)}   # "developer's": whose


# words of a question that say nothing of the act it asks about: places and times around it ("over", "near",
# "after"), an order ("second")
_NOT_THE_ACT = frozenset(stem(w) for w in "over under near after before off into onto about around between during "
                         "while when since until first second third last new old".split())
_ROLE_STEMS = frozenset(stem(w) for w in ROLE_WORDS)
# "Who ...?", "Which Tararua councillor ...?", "Which Timaru district councillor ...?" (the kind after the names)
_WHO_ASKED = re.compile(r"^\W*(?:[Ww]ho|[Ww]hom|[Ww]hich\s+(?:[A-Z][\w'’-]*\s+)*([a-z]+)(?:\s+([a-z]+))?)\b")


def prefer_told(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "Which Tararua councillor wants the council to consider a community trust taking over the building?",
    a whole name whose sentence says two or more of the question's words of its act ("Fellow councillor Mike
    Jepson said he would ask the council to explore whether a community trust could take over the building") put
    first when the best span's sentence says none ("Councillor Kerry Sutherland said the loss was a hammer
    blow"): the reader found the question's names and role there, not the act. The order is kept otherwise,
    for questions asking only who holds a role (no words of an act), and for those ``prefer_holder`` reads (a
    post, "Who skippered the boat ...?")."""
    asked = _WHO_ASKED.match(question)
    if asked is None or len(spans) < 2 or (asked.group(1) and not {asked.group(1), asked.group(2)} & ROLE_WORDS) \
            or current_holder_role(question) is not None or acted_roles(question):
        return list(spans)          # a post or a role's act: ``prefer_holder`` reads the role beside the name
    act = predicate_stems(question) - _ROLE_STEMS - _NOT_THE_ACT
    if len(act) < 2:
        return list(spans)
    by_rank = {w.rank: w for w in windows}
    first = spans[0].sentence_in(by_rank)
    if first is None or act & stems(first.text):
        return list(spans)
    for span in spans[1:]:
        words = span.text.split()
        sentence = span.sentence_in(by_rank)
        if len(words) < 2 or not all(w[:1].isupper() for w in words) or sentence is None \
                or sentence.start == first.start:
            continue
        if len(act & stems(sentence.text)) >= 2:
            return [span, *(x for x in spans if x is not span)]
    return list(spans)


@lru_cache(maxsize=64)
def _body_post(question: str, qualified: bool = False) -> str | None:
    """The post a question asks who holds when it asks it of a named body ("of X", "X's"; with ``qualified``, also a
    name right before the post: "the NSW Health Minister"), else None: read once per question, not per span."""
    role = current_holder_role(question)
    if role is None:
        return None
    forms = [rf"\b{role}s?\s+(?:of|at|for)\s+(?:the\s+)?[A-Z]",
             rf"[A-Z][\w.&-]*['’]s?\s+(?:[\w-]+\s+){{0,2}}{role}\b"]
    if qualified:
        forms.append(rf"(?<!^)\b[A-Z][\w.&-]*\s+(?:[A-Z][\w-]*\s+){{0,2}}(?i:{role})\b")
    return role if re.search("|".join(forms), question.strip()) else None


def anothers_holder(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether the text gives the span the role the question asks who holds (or whose act it asks, "Who chairs
    the trustees of the orchestra?"), right beside the name, as another body's: "Startup Futures Australia chief
    executive Elena Moraes" for "Who is Ledgerly's chief executive?"."""
    role = current_holder_role(question)
    roles = (role,) if role is not None else acted_roles(question)
    if role is not None and _body_post(question) is None:
        return False            # "Who is the sprinter who broke the Tasmanian record?": no body's post asked
    sentence = span.sentence_in({w.rank: w for w in windows}) if roles else None
    if sentence is None or re.search(r"(?<!^)\b[A-Z]", question.strip()) is None:
        return False
    for role in roles:
        words = _beside(role, sentence.text, span.start - sentence.start, span.end - sentence.start)
        if re.search(rf"\b{role}s?$", span.text, re.IGNORECASE):     # the role itself: "North Devon Council
            words = re.sub(rf"\s*\b{role}s?$", "", span.text, flags=re.IGNORECASE)   # chairman" (its holder's)
        owner = []              # the capitalised words right before the role ("Startup Futures Australia chief"),
        for word in reversed((words or "").split()):     # not a clause's ("She trained under coach Rob Teasdale")
            if _NOT_NOW.fullmatch(word) or _UNDER.fullmatch(word):
                continue        # "Former", "Acting", "Deputy": said of the post, not whose it is
            if word[:1].isupper():
                owner.append(word)
            elif word.lower() not in ROLE_WORDS:
                break
        if _names_another(owner, question.lower()):
            return True
    return False


# a role written right before a name ("SPCA Waikato area manager Tom Rihari", "Councillor Nadia Ferris")
_TITLE_BEFORE = re.compile(r"\b([A-Za-z][a-z-]+),?\s+$")     # "chief health officer, Dr Stephen Kwan" too


def titled_otherwise(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether a span answering "Who is the managing director of SafeLane Traffic?" is a person the text titles with
    another post right before the name ("Councillor Nadia Ferris", "SPCA Waikato area manager Tom Rihari"), in a
    sentence that names the asked post nowhere: the text says what they are, and it is not that. Only for a body's
    post asked ("of X", "X's", "the NSW Health Minister")."""
    role = _body_post(question, qualified=True)
    if role is None:
        return False
    sentence = span.sentence_in({w.rank: w for w in windows})
    if sentence is None or re.search(rf"\b{role[:5]}", sentence.text, re.IGNORECASE):
        return False            # "chairs" for "chair", "directors" for "director": the post is named there
    words = span.text.split()
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return False            # a whole name only: "Lucy" or "the council" is no one titled
    title = _TITLE_BEFORE.search(sentence.text[:span.start - sentence.start])
    word = title.group(1).lower() if title is not None else ""
    return (word in ROLE_WORDS or word.removesuffix("s") in ROLE_WORDS) and word not in _NOT_A_POST


# role words that say no post: "Fellow councillor" is one, but "member Jo Bright" or "partner" may be anything
_NOT_A_POST = frozenset("member partner volunteer investor assistant agent builder farmer driver player".split())


# (question word, antonyms) by ``clauses.stem``: superlatives and changes that no paraphrase turns around
_OPPOSITES = (("largest", "smallest"), ("biggest", "smallest"), ("highest", "lowest"), ("greatest", "least"),
              ("oldest", "youngest"), ("longest", "shortest"), ("earliest", "latest"), ("most", "least"),
              ("maximum", "minimum"), ("majority", "minority"), ("increas", "decreas"), ("increas", "reduc"),
              ("ris", "declin"), ("insid", "outsid"), ("beginning", "end"), ("current", "former"),
              ("incumbent", "former"), ("new", "exist"), ("new", "old"), ("new", "former"),
              ("hous", "unit"), ("hous", "apartment"))     # "the median unit price": not the house price
# "Who was the first minister to leave?" is not answered by "Ferreira is the second minister to leave"
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "last")
_OPPOSITES += tuple((a, b) for i, a in enumerate(_ORDINALS) for b in _ORDINALS[i + 1:]) + (("first", "final"),)
_ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITES:
    _ANTONYMS[_a] = _ANTONYMS.get(_a, frozenset()) | {_b}
    _ANTONYMS[_b] = _ANTONYMS.get(_b, frozenset()) | {_a}
_FUNCTION = frozenset("a an the of in on at to for by from with and or as is was were be been are its their his her "
                      "this that these those each every any some all than".split())
_AFTER = 3      # content words after a qualifier that say what it is said of


def _words(text: str) -> list[str]:
    """The words of a text as stems ("beginning" kept whole: its stem "begin" is also the verb's)."""
    return [w if w == "beginning" else stem(w) for w in re.findall(r"[a-z]+", text.lower())]


# "Who is the chief whip now?" asks for the current one: read as "Who is the current chief whip?"
# the words that say a question is of now ("Who is now ...?", "How many does it currently employ?")
_NOW_WORDS = r"now|currently|presently|today|at\s+present"
_NOW = re.compile(rf"^\W*(?:who|what|which)\s+(?:is|are)\s+(?=.*\b(?:{_NOW_WORDS})\b)", re.IGNORECASE)


def _asked_words(question: str) -> list[str]:
    """``_words`` of a question, "now" read as "current" of what it asks about (``_NOW``)."""
    found = _NOW.match(question)
    if found is None or re.search(r"\b(?:current|incumbent)\b", question, re.IGNORECASE):
        return _words(question)
    return _words(question[:found.end()]) + ["current"] + _words(question[found.end():])


def _of(words: list[str], at: int) -> set[str]:
    """The first content words after ``words[at]``: what a qualifier there is said of (an ordinal, of the
    very next one: "second term as minister" counts terms, not ministers)."""
    return set([w for w in words[at + 1:] if w not in _FUNCTION][:1 if words[at] in _ORDINALS else _AFTER])


def _opposite(asked: list[str], said: list[str], elided: frozenset[str] = frozenset()) -> bool:
    """``opposite`` on the question's and the sentence's words (``_words``); an antonym in ``elided``
    stands for the asked thing whatever follows it."""
    says = set(said) | ({"current"} if "now" in said else set())     # "the chief whip now is ..."
    for i, word in enumerate(asked):
        others = _ANTONYMS.get(word, frozenset())
        if not others or word in says or others & set(asked):
            continue
        of = _of(asked, i)
        if any(w in others and (w in elided or of & _of(said, j)) for j, w in enumerate(said)):
            return True
    return False


# "Canterbury had the longest list ... . The West Coast had the shortest, with 38.": a superlative or
# ordinal after "the" with its noun left out says it of the thing the text is speaking of
_ELIDED = re.compile(r"\bthe\s+([a-z]+est|" + "|".join(_ORDINALS) + r")\s*(?:[,.;:!?]|$)")


def _elided(text: str) -> frozenset[str]:
    """The superlatives and ordinals of ``text`` whose noun is left out (``_ELIDED``), as ``_words``."""
    return frozenset(stem(w) for w in _ELIDED.findall(text.lower()))


def opposite(question: str, text: str) -> bool:
    """Whether ``text`` says the antonym of a word of the question of the same thing, and not the word."""
    return _opposite(_asked_words(question), _words(text), _elided(text))


# "the Second World War" / "the First World War", "the United States Parliament" / "the United Kingdom
# Parliament": a run of capitalised words, titles and articles aside
_RUN = re.compile(r"\b([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)+)")
_LEADING = frozenset("the a an mr mrs ms miss dr sir dame prof professor".split())


def _runs(text: str) -> list[tuple[str, ...]]:
    """The runs of two or more capitalised words of a text, without leading articles and titles, in
    lower case without accents (``echoes.plain``: "Pedro Menéndez de Avilés" and "Menendez"
    meet); a possessive run ("Genghis Khan's descendants") is left out: what is someone's may well bear
    their name ("Ghazan Khan")."""
    found = []
    for run in _RUN.findall(text):
        words = [plain(w).rstrip(".") for w in run.split()]
        if words[-1].endswith(("'s", "’s", "'", "’")):
            continue
        while words and words[0] in _LEADING:
            words.pop(0)
        if len(words) >= 2:
            found.append(tuple(words))
    return found


def _question_runs(question: str) -> list[tuple[str, ...]]:
    """The runs of a question (``_runs``) after its first word, capitalised only as the first."""
    return _runs(" ".join(question.split()[1:]))


def _spelt_alike(a: str, b: str) -> bool:
    """Two (lower-cased) words one may be a misspelling or short form of the other ("Sante" / "Santa", "Sentanta" /
    "Setanta", "Steph" / "Stephanie"): one starts the other, or they are at most two edits apart."""
    if a.startswith(b) or b.startswith(a):
        return True
    if abs(len(a) - len(b)) > 2:
        return False
    row = list(range(len(b) + 1))                 # Levenshtein distance, one row at a time
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1] <= 2


def _namesake(asked: list[tuple[str, ...]], text: str) -> bool:
    """``namesake`` on the question's runs, people's names out."""
    said = _runs(text)
    folded = plain(text)
    for run in asked:
        if " ".join(run) in folded:
            continue
        for other in said:
            if len(other) != len(run) or other[-1] != run[-1] or other == run:
                continue
            pairs = [(a, b) for a, b in zip(run, other) if a != b]
            if all(not _spelt_alike(a, b) and not re.search(rf"\b{re.escape(a)}\b", folded) for a, b in pairs):
                return True
    return False


def namesake(question: str, text: str, people: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` names another of what the question names: a run of capitalised words with the
    question's last word and as many words, others in place of the rest ("the First World War" for "the
    Second World War"; "Jane Smith" for "John Smith"), while the question's own run is not in the text.
    A run that shares only its first word ("City Council" for "City Parliament") may be the same thing
    said another way, and is not counted; nor a person's name (``people``: the words of the question's
    PERSON entities): "Jane Smith" may be John Smith's wife."""
    return _namesake([run for run in _question_runs(question) if not set(run) & people], text)


# a news story's headline, dateline and first paragraph: where it says when it happens
_LEAD = 700


def year_told_elsewhere(asked: frozenset[int], sentence: str, window: str, document: str) -> bool:
    """Whether a sentence that names no year is not of the asked one, as its story tells: the story names the
    asked year, but not in its lead (its own time is another) nor anywhere in the sentence's window. "How much
    did widening the spillway in 1991 cost?" is not answered by *$148m* of the headline of a 2025 story whose
    one mention of 1991 is "The spillway was widened in 1991." elsewhere."""
    if not asked or _named(sentence)[0]:
        return False
    return _told_out_of_lead(asked, document) and not _names_year(asked, window)


# a dateline on a line of its own among a story's first: "TIMARU, Tuesday 4 November 2025", "EUROA, Victoria,
# Saturday 19 October 2024", "14 October 2025", "Published: March 3, 2026"; it dates the story, and so every
# sentence of it that names no other time
_DATED = re.compile(rf"^\s*(?:(?:published|posted|updated|filed)\s*:?\s*|"
                    rf"(?:[A-Z][A-Za-z'’.-]+(?:\s+[A-Z][A-Za-z'’.-]+){{0,3}}\s*[,–—-]\s*){{1,2}})?"
                    rf"(?:{WEEKDAY},?\s+)?(?:\d{{1,2}}\s+(?:{_MONTHS})\.?|(?:{_MONTHS})\.?\s+\d{{1,2}},?)"
                    rf"\s+(1\d{{3}}|20\d{{2}})\s*$", re.IGNORECASE | re.MULTILINE)
# words that set a sentence in another time than its story's: "last year", "two seasons ago", "the previous
# record", "at the time", "formerly"
_ANOTHER_TIME = re.compile(r"\b(?:last|previous|past|prior|preceding|earlier|ago|before|former(?:ly)?|once|"
                           r"then|at the time|since|until|used to|originally|first|next|later|record)\b", re.IGNORECASE)


@lru_cache(maxsize=64)
def story_year(document: str) -> int | None:
    """The year of a story's dateline, a line of its own among its first lines; None without one."""
    found = _DATED.search(document[:_LEAD])
    return int(found.group(1)) if found else None


_THIS_YEAR = re.compile(r"\bthis\s+year\b", re.IGNORECASE)


def years_said(sentence: str, document: str | None) -> frozenset[int]:
    """The year a sentence names by its story's dateline: "this year" in a story dated 2025 -> {2025}, and so
    "its driest spring since 2019" (a fact of now, told against a year before); empty without a dateline.
    ("last year" is left out: in "fell from 742 in 2022 to 668 this year, and it overspent last year" it is of
    another clause than the figures.)"""
    said = document is not None and (_THIS_YEAR.search(sentence) or _SINCE.search(sentence))
    year = story_year(document) if said else None
    return frozenset() if year is None else frozenset({year})


def dated_otherwise(asked: frozenset[int], sentence: str, document: str) -> bool:
    """Whether a sentence is of its story's dated time, which is not the asked year: the story is dated another
    year and never names the asked one, and the sentence names no year nor another time. "How many passenger
    journeys a day did the line carry in 2021?" is not answered by *3,100* of "The line carries about 3,100
    passenger journeys a day." in a story dated 2025 that never names 2021."""
    if not asked or _named(sentence)[0] or _ANOTHER_TIME.search(sentence):
        return False
    year = story_year(document)
    return year is not None and year not in asked and not _names_year(asked, document)


@lru_cache(maxsize=64)
def _told_out_of_lead(asked: frozenset[int], document: str) -> bool:
    """Whether a story names an asked year, but not in its lead; once per story, not per sentence checked."""
    return _names_year(asked, document) and not _names_year(asked, document[:_LEAD])


# a question about the year before the story's ("last year's carnival", "a year earlier", "in the year before the
# leak", "last season"), and the words a sentence says that time with ("last year", "the previous season", "a
# year ago", "up from 88 the year before")
_LAST_YEAR_ASKED = re.compile(r"\b(?:last\s+(?:year|season)|(?:a|the)\s+year\s+(?:earlier|before|ago)|(?:the\s+)?"
                              r"(?:previous|prior|preceding)\s+(?:year|season))(?:['’]s)?\b", re.IGNORECASE)
_LAST_TIME = re.compile(r"\b(?:last\s+(?:year|season|summer|winter|spring|autumn|time|edition)|(?:year|season)s?\s+"
                        r"(?:earlier|before|ago)|(?:previous|prior|preceding|past)\s+(?:\w+\s+)?(?:year|season|"
                        r"twelve\s+months|12\s+months)|12\s+months\s+(?:earlier|before|ago))\b", re.IGNORECASE)


# "What caused last year's overspend?": a reason, which its sentence gives without the time again
_CAUSE_ASKED = re.compile(r"^\W*what\s+(?:caused|causes|led\s+to|drove|prompted|triggered|was\s+behind)\b",
                          re.IGNORECASE)


def last_year_asked(question: str) -> bool:
    """Whether a question asks for a fact of the year (or season) before its story's: "at last year's carnival";
    not a reason or a clause (why, how, yes/no: their sentences need not say the time again)."""
    return _LAST_YEAR_ASKED.search(question) is not None and question_form(question) is None \
        and _CAUSE_ASKED.match(question) is None


def not_last_year(sentence: str, document: str | None) -> bool:
    """Whether a sentence says nothing of the year before its story's, for a question asking about that year: no
    "last year", "a year earlier", "the previous season", nor the year before its dateline's. "How many
    rescues did patrols carry out at last year's carnival?" is not answered by *four* of "Volunteer patrols
    carried out four rescues during the day." A sentence naming a year, in an undated story, is left alone."""
    if _LAST_TIME.search(sentence):
        return False
    named = _named(sentence)[0]
    if not named:
        return True
    year = story_year(document) if document is not None else None
    return year is not None and not _names_year(frozenset({year - 1}), sentence)


# a time counted back from a story's own: "two years ago", "six seasons earlier", "3 years before"
_BACK_COUNTS = "two three four five six seven eight nine ten eleven twelve".split()
_YEARS_BACK = re.compile(r"\b(\d{1,2}|" + "|".join(_BACK_COUNTS) + r")\s+(?:years?|seasons?)\s+"
                         r"(?:ago|earlier|before|previously)\b", re.IGNORECASE)


def _back(word: str) -> int:
    return int(word) if word.isdigit() else _BACK_COUNTS.index(word.lower()) + 2


def years_back_asked(question: str) -> int | None:
    """How many years before its story's time a question asks about ("the crowd two years ago" -> 2); None
    without such a time, for one year back (``last_year_asked``), or for a reason or a clause."""
    found = _YEARS_BACK.search(question)
    if found is None or question_form(question) is not None or _CAUSE_ASKED.match(question):
        return None
    back = _back(found.group(1))
    return back if back >= 2 else None


def not_years_back(back: int, sentence: str, document: str | None) -> bool:
    """Whether a sentence says nothing of the time ``back`` years before its story's: not "eight years ago" (or
    earlier, before) with that count, nor the year that far before its dateline's. "What was the crowd at the
    Kairangi Cup two years ago?" is not answered by *11,200* of "a crowd of about 11,200 attended, up from 9,600
    last year". A sentence naming a year, in an undated story, is left alone."""
    if any(_back(found.group(1)) == back for found in _YEARS_BACK.finditer(sentence)):
        return False
    if not _named(sentence)[0]:
        return True
    year = story_year(document) if document is not None else None
    return year is not None and not _names_year(frozenset({year - back}), sentence)


# the times a sentence can say by its story's dateline alone: "this year", "last year", "the past year", "a year
# ago", "three years ago"
_SAID_BY_DATELINE = re.compile(r"\b(?:this\s+year|last\s+year|(?:the\s+)?past\s+(?:year|12\s+months|twelve\s+months)|"
                               r"a\s+year\s+ago|(\d{1,2}|" + "|".join(_BACK_COUNTS) + r")\s+years\s+ago|"
                               r"(?:has|have|had)\s+now|now\s+(?:stands?|sits?)|currently)(?:['’]s)?\b",
                               re.IGNORECASE)     # "had now reached $720": the dateline's time


def dated_by_words(asked: frozenset[int], sentence: str, document: str) -> bool:
    """Whether a sentence naming no year sets itself by its story's dateline in other years than the asked ones:
    "How many written submissions did the council receive during its 2013 consultation?" is not answered by
    *1,942* of "This year's public consultation ... drew 1,942 written submissions" in a story dated 2025, nor
    "How many complaints were made in 2020?" by "37 complaints ... in the past year alone". The story's own year
    always counts as said (a figure of now beside "up from 9,600 last year"); a sentence with a time the
    dateline cannot place ("three years earlier", "at the time") is left alone."""
    if not asked or _named(sentence)[0]:
        return False
    said = list(_SAID_BY_DATELINE.finditer(sentence))
    year = story_year(document) if said else None
    if year is None or _ANOTHER_TIME.search(_SAID_BY_DATELINE.sub(" ", sentence)):
        return False
    years = {year}
    for found in said:
        words = found.group(0).lower()
        if found.group(1):
            years.add(year - _back(found.group(1)))
        elif not words.startswith("this") and "now" not in words and "currently" not in words:
            years.add(year - 1)
    return not asked & years


# a question about the story's own time ("How many students are enrolled this year?", "How many teachers does the
# school currently employ?"), and the words a sentence ties a fact of another year to now with ("up from 412 in
# 2021", "compared with 902 in 2024", "since 2019", "this year", "now")
_NOW_ASKED = re.compile(rf"\b(?:this\s+year|{_NOW_WORDS})\b", re.IGNORECASE)
_TIED_TO_NOW = re.compile(rf"\b(?:from|than|compared\s+(?:with|to)|against|versus|since|this\s+year|{_NOW_WORDS}|"
                          r"so\s+far)\b", re.IGNORECASE)


def now_asked(question: str) -> bool:
    """Whether a question asks for a fact of its story's own time, by "this year", "currently", "now"; not a reason
    or a clause."""
    return _NOW_ASKED.search(question) is not None and question_form(question) is None \
        and _CAUSE_ASKED.match(question) is None


def of_other_years(sentence: str, document: str | None) -> bool:
    """Whether a sentence names years, none its story's dateline's, and ties nothing to now: "How many students
    are enrolled at the school this year?" is not answered by *14* of "The school opened in 1924 as a one-teacher
    school with 14 pupils and stayed under 200 students until 2016" in a story dated 2025. "rose from 412 in
    2021 to 786 this year", "1,126 new students compared with 902 in 2024" are left alone; so is an undated
    story."""
    year = story_year(document) if document is not None else None
    if year is None or not _named(sentence)[0] or _TIED_TO_NOW.search(sentence):
        return False
    return not _names_year(frozenset({year}), sentence)


# a when-question of what is still to come ("From what date will charges apply?", "When does she start?") or of
# what is done ("When did the plant open?"): answered by no date its story's dateline puts on the other side of the
# story's year
_WHEN = r"^\W*(?:when|(?:(?:from|on|by|until|till|in|since)\s+)?what\s+(?:date|day|year|month))\s+"
_WHEN_AHEAD = re.compile(r"^\W*(?:when|(?:(?:from|on|by|until|till)\s+)?what\s+(?:date|day))\s+(?:does|do)\b"
                         r"(?!.*\b(?:say|says|claim|claims|believe|believes|think|thinks|"
                         r"know|recall|remember|estimate|date|dates)\b)|" + _WHEN +
                         r"(?:will|shall|(?:is|are)\s+(?:\w+\s+){0,4}?(?:due|set|expected|scheduled|planned)\s+to)\b",
                         re.IGNORECASE)
_WHEN_DONE = re.compile(_WHEN + r"(?:did|had)\b", re.IGNORECASE)


def asked_tense(question: str) -> str | None:
    """"ahead" for a when-question of what is still to come, "done" for one of what happened, else None."""
    return "ahead" if _WHEN_AHEAD.match(question) else "done" if _WHEN_DONE.match(question) else None


_MONTH_NUMBER = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# a date without its year, this far before a story's dateline, is of the weeks just gone; further before, it may
# be of the next year ("from 15 January" in a story of 8 December)
_JUST_GONE = 90


@lru_cache(maxsize=64)
def story_date(document: str) -> date | None:
    """The date of a story's dateline ("ARMIDALE, Monday 8 December 2025"), or None without a whole one."""
    found = _DATED.search(document[:_LEAD])
    days = _dates(found.group(0)) if found else set()
    if len(days) != 1:
        return None
    (day, month), = days
    try:
        return date(int(found.group(1)), _MONTH_NUMBER[month], day)
    except ValueError:
        return None


def _just_gone(day: int, month: str, dated: date) -> bool:
    """Whether a day of a month without its year falls in the ``_JUST_GONE`` days before a dateline."""
    try:
        same_year = date(dated.year, _MONTH_NUMBER[month], day)
    except ValueError:
        return False
    before = (dated - same_year).days % 365
    return 0 < before <= _JUST_GONE


def across_dateline(tense: str | None, span: str, document: str, named: frozenset[int] = frozenset(),
                    sentence: str = "") -> bool:
    """Whether a date answers a when-question from the wrong side of its story's dateline: "March 2020" for
    "From what date will parking charges apply?" in a story dated 2025 (when free parking began), or a year
    after the story's for what happened. A date naming its year is judged by the year; one naming none, for what
    is still to come, by whether it fell in the weeks just before the dateline ("3 November" for "From what date
    do level 3 restrictions take effect?" in a story of 8 December), unless its ``sentence`` names a year ("will run
    from 10 to 19 October 2025") or the question ``named`` the dateline's ("When will the 2025 festival take
    place?" of a story just after it). Only a dated story is judged."""
    if tense is None:
        return False
    years = _named(span)[0]
    if not years and tense == "ahead" and (days := _dates(span)) and (dated := story_date(document)) is not None:
        return dated.year not in named and not _named(sentence)[0] \
            and all(_just_gone(day, month, dated) for day, month in days)
    year = story_year(document) if years else None
    if year is None:
        return False
    return all(y < year for y in years) if tense == "ahead" else all(y > year for y in years)


def drop_contradicted(question: str, spans: Sequence[Span], windows: Sequence[Window],
                      parse: Callable[[str], object] | None = None,
                      documents: Mapping[str, Document] | None = None) -> list[Span]:
    """The spans (best first, as given) without those in a sentence about a year (or weekday) other than the one the
    question asks about (or, with ``documents``, that names no year in a story that tells of the asked year
    only elsewhere; or a number the sentence ties to another year; or a person given the role the
    question asks an earlier holder of, as theirs now), that says the opposite of what
    the question asks about, that gives a figure asked for one part only for the whole (``given_whole``), or
    that names another of what it names instead of it (``parse``, spaCy's,
    tells which names are people's; without it that check is not made). The question is read once, each
    sentence checked once."""
    years, days, words = asked_years(question), asked_days(question), _asked_words(question)
    months, dates = asked_months(question), frozenset(_dates(question))
    if dates and (when := expected_type(question)) is not None and when.name in ("time", "date", "clock"):
        dates = frozenset()     # "On what date is the next sale after the 20 November one?": another date is asked
    earlier, current = earlier_holder_role(question), current_holder_role(question)
    post = _post_asked(question, current)
    under_asked = _UNDER.search(question) is not None        # "Who is the deputy mayor?"
    runs = _question_runs(question) if parse is not None else []
    if runs:
        people = {plain(w) for e in parse(question).ents if e.label_ == "PERSON" for w in e.text.split()}
        runs = [run for run in runs if not set(run) & people]
    antonyms = any(w in _ANTONYMS for w in words)
    measures, numbers, part = asked_measures(question), asked_numbers(question), part_asked(question)
    tense = asked_tense(question) if documents is not None else None
    named = frozenset(_named(question)[0]) if tense is not None else frozenset()
    last_year, back, now = last_year_asked(question), years_back_asked(question), now_asked(question)
    if not years and not days and not months and not antonyms and not runs and earlier is None and current is None \
            and post is None and not measures and not numbers and not part and tense is None and not last_year \
            and not dates and back is None and not now:
        return list(spans)
    by_rank = {w.rank: w for w in windows}
    verdicts: dict[tuple[str, int], bool] = {}      # (document, sentence start) -> contradicted
    given: dict[int, bool] = {}                      # window rank -> it gives every figure the question names

    def contradicted(span: Span) -> bool:
        sentence = span.sentence_in(by_rank)
        if sentence is None:
            return False
        if numbers and span.window_rank not in given:
            window = by_rank[span.window_rank].text
            story = documents.get(sentence.doc_id) if documents is not None else None
            given[span.window_rank] = all(described_elsewhere(question, n, window, story.text if story else None)
                                          for n in numbers - _figures(window))
        if numbers and not given[span.window_rank]:
            return True             # "There are 231 seats in which chamber?": not from a window giving 131
        story = documents.get(sentence.doc_id) if documents is not None else None
        key = (sentence.doc_id, sentence.start)
        if key not in verdicts:
            text = sentence.text
            document = story if years else None
            verdicts[key] = (other_year(years, text) and not years & years_said(text, story.text if story else None)) \
                or other_day(days, text) or other_date(dates, text) \
                or (document is not None and (year_told_elsewhere(years, text, by_rank[span.window_rank].text,
                                                                  document.text)
                                              or dated_otherwise(years, text, document.text)
                                              or dated_by_words(years, text, document.text))) \
                or (antonyms and _opposite(words, _words(text), _elided(text))) \
                or (bool(runs) and _namesake(runs, text)) or other_measure(measures, text) \
                or (bool(part) and given_whole(part, text)) \
                or (last_year and not_last_year(text, story.text if story is not None else None)) \
                or (back is not None and not_years_back(back, text, story.text if story is not None else None)) \
                or (now and not years and of_other_years(text, story.text if story is not None else None))
        at, to = span.start - sentence.start, span.end - sentence.start
        if tense is not None and story is not None \
                and across_dateline(tense, span.text, story.text, named, sentence.text):
            return True
        return verdicts[key] or number_of_another_year(years, sentence.text, at, to) or \
            other_month(months, span.text) or \
            (earlier is not None and holds_role_now(earlier, sentence.text, at, to)) or \
            (current is not None and (held_role_before(current, sentence.text, at, to)
                                      or (not under_asked and holds_role_under(current, sentence.text, at, to))
                                      or qualifies_role(current, sentence.text, to))) or \
            another_post(post, sentence.text, at, to)

    return [span for span in spans if not contradicted(span)]
