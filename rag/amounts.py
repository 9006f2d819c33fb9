"""Amounts: which number answers "how many / how much / by how much". The reader finds numbers well and confuses
them freely: a count for a sum of money, one total for another, the level after a change for the change. These checks
put the amount of the kind asked first (the margin, ``prefer_margin``; the amount "of" the thing asked,
``prefer_measure_of``; the new level of "from X to Y", ``change_end``), drop the level for a change asked
(``drop_levels``), give the crowd a match report states (``crowd_size``), keep the measure asked in its written
form (a winning time, a temperature: ``in_measure_asked``), take "the most" from "a maximum of 160"
(``most_given``), and tell what a number counts (``counts``, ``UNITS``), so that ``rag.answer_types.rescore`` can
drop a tally or unit of another thing, and cut a span to the count asked (``counted_part``: "19 staff and 210
students") or to the part of a total the question names (``part_named``: "612, of which 548 were opposed").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Sequence

from rag.clauses import predicate_stems, stem, stems
from rag.question_types import HOW_MANY, MONEY_QUESTION, NAME_SMALL_WORDS, SUM_NOUNS, Expected
from rag.types import Span, Window


DIGIT = re.compile(r"\d")
# money written as money, which spaCy's small model does not always label MONEY ("A$611 million", "134.9p")
CURRENCY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|(?<!per )cents?|pence|guineas?|yen|rupees?|francs?)\b|\d[pc]\b",
                      re.IGNORECASE)
# a percentage, which spaCy's small model may label MONEY ("47.3 per cent")
PER_CENT = re.compile(r"\s*(?:%|per\s*cent\b|pc\b)", re.IGNORECASE)      # what makes a number a percentage
PERCENT_FIGURE = re.compile(r"\d" + PER_CENT.pattern, re.IGNORECASE)
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
                         "fifty hundred thousand million billion dozen".split())
# a bare number of one to three digits that spaCy reads as no date or time: a count or an age, which
# never says when (a day or an hour comes with its month or "am", "pm", "o'clock")
BARE_COUNT = re.compile(r"^\s*\d{1,3}\s*$")
# a unit of time a question names: "How many days ...?", "in the past ten years"
TIME_UNIT = re.compile(r"\b(?:second|minute|hour|day|night|week|weekend|fortnight|month|year|decade|century|"
                       r"centuries|season|term|time)s?\b", re.IGNORECASE)
# a length of time and nothing else: says how long, never when ("about a week", "three years")
LENGTH_OF_TIME = re.compile(r"^(?:(?:about|around|roughly|nearly|almost|some|at least|more than|less than|over|"
                            r"under|up to|just)\s+)?(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
                            r"eleven|twelve|a few|several|\d+)\s+(?:second|minute|hour|day|week|fortnight|month|"
                            r"year|decade|century)s?$", re.IGNORECASE)
# a number in figures or words, which every age has ("58", "sixty-one", "in her forties"; "five-eighth" is none)
NUMBER_WORD = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                         r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
                         r"seventy|eighty|ninety|hundred|teens?|twenties|thirties|forties|fifties|sixties|"
                         r"seventies|eighties|nineties)\b(?![-‐]\w)", re.IGNORECASE)
# words of an amount that hold no figure: "tens of millions", "a few thousand", "half", "an undisclosed sum"
SCALES = re.compile(r"\b(?:thousands?|millions?|billions?|trillions?|dozens?|half|quarter|sum)\b", re.IGNORECASE)
# "By how many votes did Kovacs win?", "What was the winning margin?": the difference, not either count
ASKS_MARGIN = re.compile(r"^\W*by\s+how\s+(?:many|much|far)\b|\bby\s+what\s+(?:margin|amount|percentage)\b|"
                         r"\bwinning\s+margin\b|\bmargin\s+of\s+(?:victory|defeat|the\s+win)\b|"
                         r"\bhow\s+(?:big|large|wide|narrow|close)\s+was\s+the\s+(?:margin|majority|gap)\b|"
                         r"\b(?:lead|advantage|gap)\s+(?:over|on|to)\b|\bhow\s+far\s+(?:ahead|behind|clear)\b|"
                         r"\b(?:win|won|lose|lost|lead|led|beat|trail|trailed)\s+by\s*\?*\s*$", re.IGNORECASE)
# "How many votes did Bolton get?": a count received, which no difference is
_ASKS_RECEIVED = re.compile(r"^\W*how\s+many\b.*\b(?:get|got|receive|received|poll|polled|win|won|score|scored|"
                            r"secure|secured|earn|earned|take|took|attract|attracted|record|recorded)\b|"
                            r"^\W*what\s+(?:was|is|were)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?(?:turnout|vote|tally|"
                            r"total|attendance|crowd)\b", re.IGNORECASE)   # "What was the turnout?": not "by 312 votes"
# "What was Aramoana's winning time?": a time clocked, which no difference is ("four seconds ahead of")
_ASKS_TIME_TAKEN = re.compile(r"\b(?:winning|finishing|race|final|qualifying|record|fastest|best)\s+time\b|"
                              r"^\W*what\s+was\s+[\w\s'’-]*?['’]s\s+time\s+(?:in|for|at|over)\b|"   # "Grace's time in"
                              r"(?<!\bat\s)\bwhat\s+time\s+did\s+.+\b(?:finish|finished|clock|clocked|run|ran|"
                              r"record|recorded|post|posted|set(?!\s+(?:off|out|up|down|sail|away))|swim|swam|row|"
                              r"rowed|cross|crossed)\b", re.IGNORECASE)     # not "At what time did the march set off?"
# what the text sets before a difference: "unseating Bolton by 1,240 votes", "a margin of 12 seconds"
_MARGIN_BEFORE = re.compile(r"(?:\bby|\b(?:margin|majority|lead|gap|deficit)\s+of|\b(?:margin|majority)\b[^.;:\d]{0,25}"
                            r"\b(?:was|is|were|stood\s+at|of)|\bwon\s+by)\s+(?:just|only|a\s+mere|some|about|around|"
                            r"nearly|almost|more\s+than|less\s+than|fewer\s+than|over|under)?\s*$", re.IGNORECASE)
# ... and after it: "a 1,240-vote margin", "a 12-second lead", "four seconds ahead of"
_MARGIN_AFTER = re.compile(r"^[\w.,-]*\s*(?:margin|majority|lead|gap|win|ahead\s+of|clear\s+of|behind|"
                           r"in\s+front\s+of)\b", re.IGNORECASE)
MARGIN_CONSIDER = 0.05     # a difference the reader finds at least this share as likely as its best answer


def prefer_margin(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "By how many votes did Kovacs win?", a number the text gives as a difference ("by 1,240 votes", "a
    margin of 12 seconds") put first, however much less likely the reader finds it (11,872, her count, at 0.22
    against 1,240 at 0.03): the text's "by" says which number is the margin. Order kept when there is none.
    For a count received ("How many votes did Bolton get?") or a time clocked ("What was Aramoana's winning
    time?"), such a difference is dropped ("four seconds ahead of Aramoana")."""
    asks = ASKS_MARGIN.search(question) is not None
    received = not asks and (_ASKS_RECEIVED.search(question) or _ASKS_TIME_TAKEN.search(question)) is not None
    if not spans or not (asks and len(spans) > 1 or received):
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def margin(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None or not NUMBER_WORD.search(span.text):
            return False
        before = window.text[max(0, span.start - window.start - 40):span.start - window.start]
        after = window.text[span.end - window.start:span.end - window.start + 30]
        return _MARGIN_BEFORE.search(before) is not None or _MARGIN_AFTER.match(after) is not None

    marked = [x for x in spans if margin(x)]
    if received:
        return [x for x in spans if x not in marked]
    best = max(x.score for x in spans)      # "by" is everywhere: not "by 3 per cent" of another sentence at 0.0
    return _first([x for x in marked if x.score >= MARGIN_CONSIDER * best], spans)


# measures a question asks for that only their own written form answers: a time clocked ("5min 41.62sec",
# "6:58.70", "2hr 10min") and a temperature ("47.3C", "45 degrees")
_ASKS_TEMPERATURE = re.compile(r"\b(?:what|which)\s+(?:[a-z]+\s+){0,2}temperatures?\b|\bhow\s+(?:hot|cold|warm)\b",
                               re.IGNORECASE)
_CLOCKED = re.compile(r"\d:\d\d|\d\s*(?:min|mins|minutes?|m)\b\W*\d|\d(?:\.\d+)?\s*(?:sec|secs|seconds?|s)\b|"
                      r"\d\s*(?:hr|hrs|hours?|h)\b", re.IGNORECASE)
_DEGREES = re.compile(r"\d\s*(?:°|º|degrees?\b|(?-i:C|F)\b)", re.IGNORECASE)


def in_measure_asked(question: str, spans: Sequence[Span]) -> list[Span]:
    """For "What was Aramoana's winning time?", the spans written as a time clocked; for "What temperature did
    Mildura reach?", those written as a temperature; all spans for any other question. "12 years" is no winning
    time, "three" no temperature."""
    form = _CLOCKED if _ASKS_TIME_TAKEN.search(question) else _DEGREES if _ASKS_TEMPERATURE.search(question) \
        else None
    return list(spans) if form is None else [x for x in spans if form.search(x.text)]


def _first(marked: list[Span], spans: Sequence[Span]) -> list[Span]:
    """The ``marked`` spans first, the rest after in their order; the order kept when none is marked or the
    first already is."""
    if not marked or marked[0] is spans[0]:
        return list(spans)
    return marked + [x for x in spans if x not in marked]


# what a price is asked by: no per cent answers it
PRICE = re.compile(r"\b(?:cost|costs|costing|price|priced|fare|fee|charge|charged|charges|sell\s+for|sold\s+for|"
                   r"fetch|fetched|worth)\b", re.IGNORECASE)
# "How much snapper was misreported?": the thing measured, after "how much"
_MUCH_OF = re.compile(r"\bhow\s+much\s+([a-z][a-z-]+)\b", re.IGNORECASE)


def prefer_measure_of(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How much snapper was misreported?", an amount the text gives as one of that thing ("about 7.8 tonnes
    of snapper") put first, however much less likely the reader finds it ($112,000, the snapper's value, at 0.53
    against 0.0003): "of snapper" says what the amount measures. Order kept when there is none, and for money
    ("How much money ...?") or a word that names no thing ("How much more ...?")."""
    asked = _MUCH_OF.search(question)
    if len(spans) < 2 or asked is None or MONEY_QUESTION.search(question.lower()) or \
            asked.group(1).lower() in NAME_SMALL_WORDS | {"more", "less", "longer", "higher", "further", "did",
                                                          "does", "do", "is", "was", "were", "are", "has", "had",
                                                          "will", "would", "can"}:
        return list(spans)
    thing = stem(asked.group(1).lower())
    by_rank = {w.rank: w for w in windows}

    def measures(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None or not NUMBER_WORD.search(span.text) or CURRENCY.search(span.text):
            return False
        after = re.match(r"\s+of\s+(?:the\s+|its\s+|their\s+)?([a-z][a-z-]+)",
                         window.text[span.end - window.start:span.end - window.start + 40], re.IGNORECASE)
        return after is not None and stem(after.group(1).lower()) == thing

    return _first([x for x in spans if measures(x)], spans)


# a sum noun (``question_types.SUM_NOUNS``) as the text writes the one asked: "prize money of $30,000", "a $1.2
# million grant"
_SUM_NOUN = re.compile(rf"\b({SUM_NOUNS})(?:s|es)?\b", re.IGNORECASE)
# ... as what is asked, not a word beside it ("How much did the fund contribute to the budget?")
_SUM_ASKED = re.compile(rf"^\W*(?:how\s+much\s+(?:[\w-]+\s+){{0,2}}?|how\s+(?:large|big|small)\s+(?:is|was|are|were|"
                        rf"will\s+be)\s+the\s+(?:[\w-]+\s+){{0,3}}?|what\s+(?:is|was|are|were|will\s+be)\s+the\s+"
                        rf"(?:[\w-]+\s+){{0,3}}?)({SUM_NOUNS})(?:s|es)?\b", re.IGNORECASE)


def _sum_noun(word: str) -> str:
    """A sum noun in the singular, lower case ("Grants" -> "grant")."""
    found = _SUM_NOUN.fullmatch(word)
    return found.group(1).lower() if found else word.lower()


def prefer_sum_of(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How much prize money went to the winners?", a sum the text writes with the noun asked ("prize money of
    $30,000") put first, before a likelier one it writes with none ("$2.6 million into the city's economy"). Order
    kept when no sum is so written, or the question names no such noun."""
    head = _SUM_ASKED.search(question)
    if len(spans) < 2 or head is None:
        return list(spans)
    asked = {head.group(1).lower()}
    by_rank = {w.rank: w for w in windows}
    top = by_rank.get(spans[0].window_rank)
    said = top.sentence_at(spans[0].start) if top is not None else None
    if said is not None and any(_sum_noun(w) in asked for w in re.findall(r"[a-z]+", said.text.lower())):
        return list(spans)          # "a grant of $1,000 per adult and $400 per child": the reader reads which

    def written_with(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None or not CURRENCY.search(span.text):
            return False
        at, to = span.start - window.start, span.end - window.start
        before = re.search(r"\b([a-z]+)\s+(?:money\s+)?(?:of|was|is|worth|totall?ing|valued\s+at|of\s+up\s+to|"
                           r"of\s+about|of\s+around|of\s+nearly|of\s+almost|of\s+more\s+than)\s+$",
                           window.text[max(0, at - 40):at], re.IGNORECASE)
        # ... or after it, within three words of its clause: "a $1.2 million government grant"
        after = re.findall(r"[a-z]+", re.split(r"[,.;:()]", window.text[to:to + 40])[0].lower())[:3]
        return (before is not None and _sum_noun(before.group(1)) in asked) or any(_sum_noun(w) in asked for w in after)

    return _first([x for x in spans if written_with(x)], spans)


# "How big was the crowd?", "How many people watched the match?": the size of a crowd at an event (not one on
# television or in another year, which the question would name)
_ASKS_CROWD = re.compile(r"^(?!.*\b(?:tv|television|online|broadcast|stream\w*|last\s+year|\d{4})\b)"
                         r"(?:.*\bhow\s+(?:big|large)\s+was\s+the\s+crowd\b|"
                         r".*\bwhat\s+was\s+the\s+(?:crowd|attendance)\b|"
                         r".*\bhow\s+many\s+(?:people|spectators|fans|supporters)\s+"
                         r"(?:watched|attended|turned\s+(?:up|out)|came|were\s+(?:at|there|in\s+the\s+crowd)))",
                         re.IGNORECASE)
# ... as a report gives it: "in front of a crowd of 18,500", "About 1400 people watched the match", "1,800
# spectators attended"
_CROWD = re.compile(r"\b(?:crowd|attendance)\s+of\s+(?:(?:about|around|more\s+than|nearly|almost|some|over|just\s+over|"
                    r"just\s+under)\s+)?(\d[\d,]*)\b|(?<![\d,.])(\d[\d,]*)\s+(?:people|spectators|fans|supporters)\s+"
                    r"(?:watched|attended|turned\s+(?:up|out)|packed|were\s+(?:at|there|in\s+attendance))\b",
                    re.IGNORECASE)


def crowd_size(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How big was the crowd?", the number a report gives as the crowd ("a crowd of 1,873", "About 1400
    people watched the match") first, as the reader finds it or from its window, however unsure the reader is
    of it (it gave *1400* 0.01 in a match report); the spans as they are when the question asks no crowd or the
    windows give none."""
    if not spans or _ASKS_CROWD.search(" ".join(question.split())) is None:
        return list(spans)
    for window in windows:
        found = _CROWD.search(window.text)
        if found is not None:
            at = found.start(1) if found.group(1) else found.start(2)
            start, end = window.start + at, window.start + found.end(1 if found.group(1) else 2)
            same = [x for x in spans if (x.doc_id, x.start, x.end) == (window.doc_id, start, end)]
            crowd = replace(same[0] if same else Span(window.text[at:at + end - start], window.doc_id, start, end,
                                                      0.0, window.rank), type_fit=1)
            return [crowd, *(x for x in spans if x not in same)]
    return list(spans)


def stated_crowd(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether the answer is the crowd the report gives (``crowd_size``) for a question asking one."""
    if _ASKS_CROWD.search(" ".join(question.split())) is None:
        return False
    window = next((w for w in windows if w.rank == span.window_rank and w.doc_id == span.doc_id), None)
    if window is None:
        return False
    return any((window.start + found.start(k), window.start + found.end(k)) == (span.start, span.end)
               for found in _CROWD.finditer(window.text) for k in (1, 2) if found.group(k))


# "How long is each period in minutes?": the question gives the unit, a bare number answers it
IN_UNITS = re.compile(r"\bin\s+(?:seconds|minutes|hours|days|weeks|months|years|decades|centuries|metres|meters|"
                      r"kilometres|kilometers|km|miles|feet|inches|yards)\b", re.IGNORECASE)


def bare_number(text: str) -> bool:
    """A number and nothing else: "six", "1,200", "21"."""
    text = text.strip().lower()
    return text in NUMBER_WORDS or re.fullmatch(r"\d[\d,.]*", text) is not None


def other_nouns(question: str, parse: Callable[[str], object]) -> frozenset[str]:
    """For "How many <things> ...?", the stems of the question's other nouns ("booth" of "How many informal
    votes were there at the Temuka booths?"); empty for any other question."""
    doc = parse(question)
    counted = _counted_noun(doc)
    if counted is None:
        return frozenset()
    asked = stem(counted.text)
    return frozenset(stem(t.text) for t in doc if t.pos_ == "NOUN" and stem(t.text) != asked)


def _counted_noun(doc):  # -> spacy Token | None
    """The noun "how many" counts in a parsed question ("votes" of "How many informal votes ...?"), or None."""
    many = next((t for t in doc if t.lower_ == "many" and t.i > 0 and doc[t.i - 1].lower_ == "how"), None)
    return many.head if many is not None and many.head.pos_ == "NOUN" else None


def counted_asked(question: str, parse: Callable[[str], object]) -> str | None:
    """The stem of the noun "how many" counts ("student" of "How many students does it have?"), or None."""
    counted = _counted_noun(parse(question))
    return None if counted is None else stem(counted.text)


def counted_part(asked: str | None, span: Span, doc, window: Window) -> Span:
    """Of a span counting two things ("19 staff and 210" of "19 staff and 210 students"), the number counting
    the asked one ("210" for "How many students ...?"); the span as it is when it counts one thing or none
    asked."""
    if asked is None:
        return span
    numbers = [t for t in doc if span.start <= window.start + t.idx < span.end and t.dep_ == "nummod"
               and t.head.pos_ == "NOUN"]
    if len({stem(t.head.text) for t in numbers}) < 2:
        return span
    own = [t for t in numbers if stem(t.head.text) == asked]
    if len(own) != 1:
        return span
    start = window.start + own[0].idx
    end = start + len(own[0].text)
    return replace(span, text=window.text[start - window.start:end - window.start], start=start, end=end)


# "In how many of the boxes ...?" asks for a part of a total; "18 of the 1,080 boxes" writes the part first (in
# SQuAD train, of 69 such questions the answer is the first of such a pair twice and the second never)
_HOW_MANY_OF = r"\bhow\s+many\s+of\s+(?:the|its|their|these|those)\b"
_OF_THE_ASKED = re.compile(_HOW_MANY_OF, re.IGNORECASE)
_PART_OF = re.compile(r"(?<![\w.,$£€])(\d[\d,]*|" + "|".join(NUMBER_WORDS) +
                      r")\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+|all\s+|[\w-]+['’]s\s+){0,2}$", re.IGNORECASE)
# "How many buses does the company have?", "How many are there in total?": the whole is asked, not a part of it
_WHOLE_ASKED = re.compile(r"\b(?:in\s+total|altogether|in\s+all|total|(?:are|were|is|was)\s+there)\b|"
                          r"\b(?:does|do|did|has|have|had)\b.*\bhave\s*\??\s*$", re.IGNORECASE)
# "How many of the 19 strengthened buildings ...?": a part of a total the question gives, so no more than it
_OF_TOTAL = re.compile(_HOW_MANY_OF + r"\s+(\d[\d,]*)\b", re.IGNORECASE)


def beyond_total(question: str, span: Span) -> bool:
    """Whether a span is a figure larger than the total the question takes a part of ("61" for "How many of the
    19 strengthened buildings are heritage-listed?"), or that total itself but for "all 19"."""
    total = _OF_TOTAL.search(question)
    figure = re.search(r"\d[\d,]*(?:\.\d+)?", span.text) if total is not None else None
    if figure is None:
        return False
    scale = 1_000_000 if re.search(r"\b(?:million|m|billion|bn)\b", span.text, re.IGNORECASE) else 1
    value, whole = float(figure.group().replace(",", "")) * scale, int(total.group(1).replace(",", ""))
    return value > whole or (value == whole and not re.search(r"\ball\b", span.text, re.IGNORECASE))


# "612 submissions, of which 548 were opposed": a total, then its parts, each named by what follows it
_PARTS_FOLLOW = re.compile(r"[^.;:]{0,40}?\b(?:of\s+(?:which|whom|them|those|these)|including)\b", re.IGNORECASE)
_PART = re.compile(r"(?<![\w.,$£€])(\d[\d,]*(?:\.\d+)?)((?:\s+[a-z]+){1,3})")
# "1,046 search and rescue incidents in the 2022-23 financial year, 38 of which involved commercial fishing vessels":
# the part after the total, named by the words after "of which"
_OF_WHICH_AFTER = re.compile(r"[^.;:]{0,80}?,\s+(\d[\d,]*)\s+of\s+(?:which|whom|them|those)((?:\s+[a-z]+){1,4})")
_PLAIN = frozenset(stem(w) for w in "how many much were was are is be been did do does the a an of in on at to for by "
                   "and or with from that which who had has have they it its their".split())


def _said_of_part(question: str, span: Span, window: Window) -> bool:
    """Whether the span's sentence says of its part what the question asks, in a word of the question beyond the
    counted things: "reported" of "about 210 of the association's 640 member orchards ... had reported damage"
    for "How many member orchards had reported frost damage?"; not "How many boxes were in the container?" of
    "built into 18 of the 1,080 boxes"."""
    sentence = span.sentence_in({window.rank: window})
    if sentence is None:
        return False
    at = span.end - sentence.start
    counted = stems(" ".join(sentence.text[at:].split()[:3]))        # "640 member orchards"
    return bool(predicate_stems(question) & (stems(sentence.text) - counted))


def part_named(question: str, span: Span, window: Window) -> Span:
    """For "How many submissions opposing the quarry did the council receive?", the part of a total the
    question names ("548" of "received 612 submissions, of which 548 were opposed, 51 were in support"), when
    the span is the total; for "In how many of the boxes was it hidden?", the part written before the total
    ("18" of "18 of the 1,080 boxes"), and so for any how-many question not asking the whole ("210" of "about 210
    of the association's 640 member orchards had reported damage"); the span as it is otherwise."""
    if (_OF_THE_ASKED.search(question) or (HOW_MANY.search(question) and not _WHOLE_ASKED.search(question))) \
            and re.fullmatch(r"\d[\d,.]*", span.text):
        part = _PART_OF.search(window.text, 0, span.start - window.start)
        if part is not None and (_OF_THE_ASKED.search(question) or _said_of_part(question, span, window)):
            start, end = window.start + part.start(1), window.start + part.end(1)
            return replace(span, text=part.group(1), start=start, end=end)
    to = span.end - window.start
    asked = {stem(w) for w in re.findall(r"[a-z]+", question.lower())} - _PLAIN
    after = _OF_WHICH_AFTER.match(window.text, to) if re.fullmatch(r"\d[\d,.]*", span.text) else None
    if after is not None and asked & {stem(w) for w in after.group(2).split()} - \
            {stem(w) for w in re.findall(r"[a-z]+", window.text[to:to + after.start(1) - to].lower())}:
        start, end = window.start + after.start(1), window.start + after.end(1)    # "38 of which involved ..."
        return replace(span, text=after.group(1), start=start, end=end)
    follows = _PARTS_FOLLOW.match(window.text, to)
    if follows is None or not re.fullmatch(r"[$£€]?\d[\d,.]*", span.text):
        return span
    total = {stem(w) for w in re.findall(r"[a-z]+", follows.group(0).lower())}
    stop = window.text.find(". ", follows.end(0))
    for found in _PART.finditer(window.text, follows.end(0), len(window.text) if stop < 0 else stop):
        if asked & ({stem(w) for w in found.group(2).split()} - total):
            start, end = window.start + found.start(1), window.start + found.end(1)
            return replace(span, text=found.group(1), start=start, end=end)
    return span


# units of measure, each a thing no other unit counts: "How many hectares ...?" is not "14" of "14 hours"
UNITS = {stem(form): unit for unit, forms in (
    ("second", "second seconds sec secs"), ("minute", "minute minutes min mins"), ("hour", "hour hours hr hrs"),
    ("day", "day days"), ("week", "week weeks"), ("month", "month months"), ("year", "year years"),
    ("metre", "metre metres meter meters"), ("kilometre", "kilometre kilometres kilometer kilometers km kms"),
    ("centimetre", "centimetre centimetres cm"), ("millimetre", "millimetre millimetres mm"),
    ("mile", "mile miles"), ("hectare", "hectare hectares ha"), ("acre", "acre acres"),
    ("tonne", "tonne tonnes ton tons"), ("kilogram", "kilogram kilograms kg kilo kilos"),
    ("litre", "litre litres liter liters"), ("degree", "degree degrees")) for form in forms.split()}


# what scores and tallies count, no two the same thing: "How many tries did Lolo score?" is not "17" of "17 points"
TALLIES = {stem(form): pair.split("/")[0] for pair in (
   "point/points try/tries goal/goals vote/votes seat/seats run/runs wicket/wickets medal/medals lap/laps "
   "game/games match/matches win/wins loss/losses title/titles cap/caps").split() for form in pair.split("/")}


def tally_asked(question: str, parse: Callable[[str], object]) -> str | None:
    """For "How many tries did Lolo score?", the tally asked ("try"); None when the counted noun is no tally."""
    counted = counted_asked(question, parse)
    return None if counted is None else TALLIES.get(counted)


def counts(span: Span, doc, offset: int) -> frozenset[str]:
    """The stems of the nouns a number span counts ("booth" of "two" in "at two booths")."""
    return frozenset(stem(t.head.text) for t in doc if span.start <= offset + t.idx < span.end
                     and t.dep_ == "nummod" and t.head.pos_ == "NOUN")


# Amounts: a number with what follows it is rarely still the amount asked. Names and dates are not
# cut (SQuAD's answers keep "Eleutherian gunpowder mills", "German university model", a life's span).
_AMOUNTS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
# what may come before an amount's entity in a span that opens with the amount: whom it cost ("cost us about
# $80m"), and the currency sign spaCy's small model leaves out of it ("189" of "$189")
_BEFORE_AMOUNT = re.compile(r"(?P<whom>(?:us|them|him|her|me|you)\s+)?(?:[A-Z]{0,3}[$€£¥])?", re.IGNORECASE)
_SCALE = re.compile(r"(?:m|bn|k)\b")       # written onto the number, which spaCy's amount may leave off


def _opening_amounts(span: Span, doc, window: Window):
    """(entity label, start, end) of the amounts the span opens with, in document offsets: an entity at its
    start, or after whom it cost and a currency sign spaCy leaves out of it; the start is past whom it cost."""
    for ent in doc.ents:
        start, end = window.start + ent.start_char, window.start + ent.end_char
        before = _BEFORE_AMOUNT.fullmatch(span.text[:start - span.start]) if start >= span.start else None
        if before is not None:
            yield ent.label_, span.start + len(before.group("whom") or ""), end    # the sign stays


def leading_amount(span: Span, doc, window: Window, expected: Expected) -> Span | None:
    """A misfitting span that opens with an amount of an asked type (or with whom it cost, "us about $80m
    in the half"), cut to that amount ("30 per cent" of "30 per cent as costs bite" for "By how much did
    profit fall?"); None when it opens with none."""
    for label, start, end in _opening_amounts(span, doc, window):
        suffix = _SCALE.match(window.text, end - window.start)     # "$80" + "m" of "$80m"
        end = end + len(suffix.group(0)) if suffix else end
        if end <= span.end and (start, end) != (span.start, span.end) and label in expected.labels & _AMOUNTS:
            return replace(span, text=window.text[start - window.start:end - window.start], start=start, end=end,
                           type_fit=1)
    return None


# "to" before the level a change reached, with a hedge: "to about $842,000"
TO_LEVEL = r"\bto\s+(?:about\s+|around\s+|nearly\s+|almost\s+)?"


def closing_level(question: str, span: Span, doc, window: Window, expected: Expected) -> Span | None:
    """A span that ends with the level a change reached, of an asked type, cut to it ("$842,000" of
    "1.8 per cent over the quarter to $842,000" for "What is the median house price?"); None otherwise, and for
    a question asking the change ("How much did it rise?", ``asks_change``)."""
    if asks_change(question):
        return None
    for ent in doc.ents:
        start, end = window.start + ent.start_char, window.start + ent.end_char
        if span.start < start and end == span.end and ent.label_ in expected.labels & _AMOUNTS and \
                re.search(TO_LEVEL + r"[$€£¥]?$", window.text[span.start - window.start:start - window.start]):
            if window.text[start - window.start - 1:start - window.start] in "$€£¥":
                start -= 1
            return replace(span, text=window.text[start - window.start:end - window.start], start=start, end=end,
                           type_fit=1)
    return None


# a change written before the level it reached: "gained 6,871 people to reach 52,940", "dropped by 10.6 per cent, to
# 1,455"
_CHANGED_BY = re.compile(r"\b(?:gained|gaining|grew\s+by|rose\s+by|increased\s+by|fell\s+by|dropped\s+by|declined\s+by|"
                         r"decreased\s+by|lost|losing|added|adding|shed|shedding)\s+$", re.IGNORECASE)
_LEVEL_AFTER = re.compile(r"(?:\s+[a-z]+){0,2},?\s+to\s+(?:reach\s+)?(?:about\s+|around\s+|nearly\s+|almost\s+)?"
                          r"([$€£¥]?\d[\d,.]*\d(?:\s*(?:million|billion|m|bn)\b)?)")
_FIGURE_OR_SHARE = re.compile(r"[$€£¥]?\d[\d,.]*(?:\s*(?:%|per\s*cent|million|billion|m|bn))?")


def level_after_change(question: str, span: Span, window: Window) -> Span:
    """For a question asking an amount, not its change ("How many people lived in Port Halloran in 2023?"), the
    level a change reached in place of the change ("52,940" of "gained 6,871 people to reach 52,940"); the span as
    it is otherwise, and for a question asking a change or a share."""
    if asks_change(question) or re.search(r"\b(?:per\s*cent|percentage|proportion|share)\b", question, re.I) or \
            _FIGURE_OR_SHARE.fullmatch(span.text.strip()) is None:
        return span
    at, to = span.start - window.start, span.end - window.start
    level = _LEVEL_AFTER.match(window.text, to) if _CHANGED_BY.search(window.text[max(0, at - 16):at]) else None
    if level is None:
        return span
    start, end = window.start + level.start(1), window.start + level.end(1)
    return replace(span, text=level.group(1), start=start, end=end)


def amount_alone(span: Span, doc, window: Window) -> Span:
    """An amount answer without a second thing joined to it ("50 knots" of "50 knots and waves of up to five
    metres", "$189" of "$189 and VIP passes for $349"); a range ("$80m and $120m") stays whole."""
    for label, start, end in _opening_amounts(span, doc, window):
        if end < span.end and label in _AMOUNTS \
                and re.match(r"\s+and\s+(?![\d$€£¥]|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten)\b)",
                             window.text[end - window.start:span.end - window.start]):
            return replace(span, text=window.text[start - window.start:end - window.start], start=start, end=end)
    return span


# "How much did home values rise?" asks for the change, not the level it reached ("climbed 0.6 per cent over
# the month to $812,500"), as ``clauses.stem`` gives them
_CHANGES = frozenset(stem(w) for w in "rise rose risen climb increase grow grew grown jump fall fell fallen drop "
                     "decline decrease slip slid shrink shrank gain lose lost surge plunge".split())
_HOW_MUCH = re.compile(r"\bhow (?:much|many|far)\b|\bby what (?:amount|percentage)\b", re.IGNORECASE)


def asks_change(question: str) -> bool:
    """Whether the question asks how much something changed ("How much did X rise?"), not what it reached
    ("... rise to?")."""
    return _HOW_MUCH.search(question) is not None and re.search(r"\bto\s*\??\s*$", question) is None and \
        any(stem(w) in _CHANGES for w in re.findall(r"[a-z]+", question.lower()))


def drop_levels(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How much did X rise / fall / grow?", the spans without the level a change reached ("$812,500" of
    "climbed 0.6 per cent over the month to $812,500": "to" after a verb of change in the same clause); a
    question asking what it rose to ("... grow to?") asks for the level, and keeps it."""
    if not spans or not asks_change(question):
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def level(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None:
            return False
        before = window.text[max(0, span.start - window.start - 80):span.start - window.start]
        if not re.search(r"\bto\s+$", before):
            return False
        clause = re.split(r"[.;:!?,](?=\s)", before)[-1]         # "0.6" is no clause's end
        return any(stem(w) in _CHANGES for w in re.findall(r"[a-z]+", clause.lower()))

    return [x for x in spans if not level(x)]


# "How many of the soil samples taken ... tested positive?": the things a part of which is asked
_WHOLE_OF = re.compile(r"^\W*how\s+many\s+of\s+(?:the|its|their|his|her|[\w'’-]+['’]s)\s+(?:\d[\d,]*\s+)?"
                      r"([\w-]+(?:\s+[\w-]+)?)", re.IGNORECASE)       # its first two words


def drop_wholes(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How many of the soil samples ... tested positive?", the spans without a count the text writes with
    those things ("212 soil samples", "38 kiwi"): that is the whole, of which a part is asked ("31 tested
    positive")."""
    found = _WHOLE_OF.match(question)
    if found is None or not spans:
        return list(spans)
    things = {stem(w) for w in re.findall(r"[a-z][\w-]*", found.group(1).lower())} - {stem("people")}
    by_rank = {w.rank: w for w in windows}

    def whole(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        number = re.search(r"\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", span.text,
                           re.IGNORECASE)
        if window is None or number is None:
            return False            # the words after its (first) number: "two of the four" is a part
        at = span.start - window.start + number.end()
        after = re.findall(r"[a-z][\w-]*", window.text[at:at + 30].lower())
        return bool(after) and any(stem(w) in things for w in after[:2])

    return [x for x in spans if not whole(x)]


# a figure as news writes it, with its sign and scale: "$4.2m", "44.5 per cent", "1.3 million"
_FIGURE_WRITTEN = r"[$£€]?\d[\d,.]*(?:\s*(?:per\s*cent|percent|%|million|billion|m|bn|k)\b)?"
_FROM_TO = re.compile(r"^(?:from\s+)?(.+?)\s+to\s+(.+)$", re.IGNORECASE)
_LATER = re.compile(r"\b(?:now|currently|current|latest|most recent|revised|updated|today|nowadays|these days|"
                    r"at present|after|since|this\s+(?:year|season|term|month|week))\b", re.IGNORECASE)
# the end of a change after its start: "from 742 [students in 2022] to 668 this year"
_TO_END = re.compile(rf"[^.;:]{{0,40}}?\s+to\s+((?:about\s+|around\s+|nearly\s+|almost\s+|just\s+)?{_FIGURE_WRITTEN})",
                     re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:before|previously|originally|original|initial|formerly|used to|at first|initially|"
                      r"earlier|prior to|last time|previous)\b", re.IGNORECASE)
# a number and, right after it, what it was before: "48.2 per cent, up from 44.5 per cent at the previous
# election" ("last year" or "a year ago" in a question may be the time of the new figure: not read as before)
# the number now, before what it was: "to cost $48.6 million, up from the $31 million estimate"
_NOW_BEFORE = re.compile(rf"({_FIGURE_WRITTEN})\s*,?\s*(?:up|down)\s+from\s+(?:the\s+|a\s+|an\s+)?"
                         r"(?:about\s+|around\s+|nearly\s+|almost\s+)?$", re.IGNORECASE)
_UP_FROM = re.compile(r"^\s*,?\s*(?:(?:up|down|rising|falling|increasing|decreasing|a rise|a fall|an increase|"
                      r"a decrease|a drop)\s+)?from\s+((?:about\s+|around\s+|nearly\s+|almost\s+)?"
                      rf"{_FIGURE_WRITTEN})", re.IGNORECASE)


_ASKS_MOST = re.compile(r"\b(?:the\s+most|maximum|at\s+most|peak|the\s+highest|the\s+largest)\b", re.IGNORECASE)
_MOST_GIVEN = re.compile(r"\b(?:(?:a\s+)?(?:maximum|max|peak|high)\s+of|up\s+to|as\s+many\s+as|at\s+most)\s+"
                         rf"({_FIGURE_WRITTEN})", re.IGNORECASE)


def most_given(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """For "What is the most truck movements a day the quarry would generate?", the figure the span (or the words
    right after it) gives as the most ("160" of "96 truck movements a day, rising to a maximum of 160"); the span
    as it is otherwise."""
    if not _ASKS_MOST.search(question) or not DIGIT.search(span.text):
        return span
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None:
        return span
    at = span.start - window.start
    found = _MOST_GIVEN.search(window.text, at, min(len(window.text), span.end - window.start + 80))
    if found is None or found.start() > span.end - window.start + 2 and not re.match(
            r"(?:\s+[a-z]+){0,4}\s*,?\s*(?:rising|climbing|increasing|growing|going)\s+(?:to\s+)?",
            window.text[span.end - window.start:]):
        return span
    start = window.start + found.start(1)
    return replace(span, text=found.group(1), start=start, end=start + len(found.group(1)))


def change_end(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """Of a change "from X to Y", the end the question asks for: Y when it asks what is so now (or after; and N of
    "N, up from X" when the reader took X), X when it asks what was so before ("How long does it now take to
    register an overseas nurse?" -> *six weeks*, not *five months to six weeks* of "cut the time ... from five
    months to six weeks"); and before, of a number the text follows with what it was before ("48.2 per cent, up
    from 44.5 per cent"), that ("What was the turnout last time?"); and now, of a number the text gives as a
    change's start, its end ("668" of "fallen from 742 students in 2022 to 668 this year"). A span that is no
    such change, or a question that says neither (or both), is left as it is."""
    later, earlier = bool(_LATER.search(question)), bool(_EARLIER.search(question))
    found = _FROM_TO.match(span.text)
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if earlier and not later and found is None and window is not None and DIGIT.search(span.text):
        before = _UP_FROM.match(window.text[span.end - window.start:])    # "48.2 per cent, up from 44.5 per cent"
        if before is not None:
            start = span.end + before.start(1)
            return replace(span, text=before.group(1), start=start, end=start + len(before.group(1)))
    if later and not earlier and found is None and window is not None and DIGIT.search(span.text):
        now = _NOW_BEFORE.search(window.text[:span.start - window.start])   # "$48.6 million, up from the $31 million"
        if now is not None:
            start = window.start + now.start(1)
            return replace(span, text=now.group(1), start=start, end=start + len(now.group(1)))
    if later and not earlier and found is None and window is not None and DIGIT.search(span.text) \
            and re.search(r"\bfrom\s+$", window.text[:span.start - window.start], re.IGNORECASE):
        end = _TO_END.match(window.text, span.end - window.start)     # "from 742 students in 2022 to 668"
        if end is not None:
            start = window.start + end.start(1)
            return replace(span, text=end.group(1), start=start, end=start + len(end.group(1)))
    if later == earlier or found is None:
        return span
    before = window.text[:span.start - window.start] if window is not None else ""
    if not (span.text.lower().startswith("from ") or re.search(r"\bfrom\s+$", before, re.IGNORECASE)):
        return span
    group = 2 if later else 1
    start = span.start + found.start(group)
    return replace(span, text=found.group(group), start=start, end=start + len(found.group(group)))


# "How large is the Heriots' property?": the size with its unit, as the text writes it ("2,400-hectare")
_ASKS_SIZE = re.compile(r"\bhow\s+(?:large|big|long|far|tall|high|deep|wide|heavy|fast)\b|"
                        r"^\W*what\s+(?:is|was|are|were)\s+the\s+(?:size|area|length|distance|height|depth|width|"
                        r"weight|speed)\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"(?:-|\s)([a-z]+)\b")


def whole_measure(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """For "How large is the property?", a bare number the text follows with its unit ("2,400" of "the
    2,400-hectare property") taken with the unit; the span as it is otherwise, and when the question names the
    unit itself ("How many hectares ...?")."""
    if not _ASKS_SIZE.search(question) or not bare_number(span.text):
        return span
    window = next((w for w in windows if w.rank == span.window_rank), None)
    unit = _UNIT_AFTER.match(window.text, span.end - window.start) if window is not None else None
    if unit is None or stem(unit.group(1)) not in UNITS or \
            UNITS[stem(unit.group(1))] in {UNITS[stem(w)] for w in re.findall(r"[a-z]+", question.lower())
                                           if stem(w) in UNITS}:
        return span
    end = window.start + unit.end()
    return replace(span, text=window.text[span.start - window.start:end - window.start], end=end)


# a rate: "per cubic metre", "for every kilogram", "a year" after an amount ("$310 a year plus $2.15 for every cubic
# metre"); the unit is the noun after a word of measure ("cubic metre" -> "metre")
_RATE_OF = r"(?:(?:cubic|square|metric|single)\s+)?([a-z]+)"
_RATE_ASKED = re.compile(r"\b(?:per|for\s+every|for\s+each)\s+" + _RATE_OF, re.IGNORECASE)
_RATE_AFTER = re.compile(r"\s*(?:a|an|per|each|every|for\s+each|for\s+every)\s+" + _RATE_OF, re.IGNORECASE)
# units a rate is written in, which a plain noun after "a" ("$310 a year", not "$5m a boost") must be
_RATE_UNITS = frozenset("year month week day hour minute second night fortnight quarter annum share person capita "
                        "head household home house resident passenger pupil student child litre liter kilogram kilo "
                        "kg tonne ton metre meter kilometre km mile acre hectare game match unit barrel gallon pound "
                        "ticket visit item".split())
# ways of saying one unit ("per annum" is "a year")
_SAME_RATE = (frozenset({"year", "annum"}), frozenset({"pupil", "student", "child"}),
              frozenset({"capita", "person", "head", "resident"}), frozenset({"household", "home", "house"}),
              frozenset({"kilogram", "kilo", "kg"}), frozenset({"kilometre", "km"}), frozenset({"metre", "meter"}),
              frozenset({"litre", "liter"}), frozenset({"tonne", "ton"}))


def _unit(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and word[:-1] in _RATE_UNITS else word


def _rates_asked(question: str) -> set[str]:
    return {_unit(m.group(1)) for m in _RATE_ASKED.finditer(question)}


def _in_rate(given: str, asked: set[str]) -> bool:
    return any(given == a or any(given in s and a in s for s in _SAME_RATE) for a in asked)


_FIGURE = re.compile(r"[$€£¥]?\d[\d,.]*(?:\s*(?:m|bn|million|billion|c|p|cents?)\b)?")


def rate_part(question: str, span: Span, window: Window) -> Span:
    """For "How much per cubic metre?", the amount of a span written as that rate ("$2.15" of "$310 a year plus
    $2.15" when "for every cubic metre" follows); the span as it is otherwise."""
    asked = _rates_asked(question)
    if not asked:
        return span
    at = span.start - window.start
    for found in _FIGURE.finditer(span.text):
        after = _RATE_AFTER.match(window.text, at + found.end())
        if after is not None and _in_rate(_unit(after.group(1)), asked):
            if found.group(0) == span.text:
                return span
            start, end = span.start + found.start(), span.start + found.end()
            return replace(span, text=found.group(0), start=start, end=end)
    return span


def other_rate(question: str, span: Span, window: Window) -> bool:
    """Whether an amount is written as a rate in another unit than the one asked ("How much per cubic metre?": not
    "$310" of "$310 a year plus $2.15 for every cubic metre"). Of 216 SQuAD train questions asking a rate
    ("per X", "for every X"), no answer is followed by a rate in another unit."""
    asked = _rates_asked(question)
    after = _RATE_AFTER.match(window.text, span.end - window.start) if asked else None
    return after is not None and _unit(after.group(1)) in _RATE_UNITS and not _in_rate(_unit(after.group(1)), asked)


# "What starting point did Judge Pryde choose ...?", "What was the club's membership fee?": the thing asked, named
# (one to three words before the verb or a preposition); the amount a sentence gives as it ("settled on a starting
# point of $650,000", "the fee was $40") says what is asked
_THING_ASKED = re.compile(r"^\W*(?i:what)\s+(?:(?:is|was|were|are|will\s+be)\s+(?:the|its|their|his|her|(?:the\s+)?"
                          r"(?:[A-Z][\w'’-]*\s+)*[\w-]+['’]s)\s+)?(?P<thing>(?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)(?:\s+"
                          r"(?:of|for|did|does|do|was|were|is|are|has|had|will|in|on|at|before|after|that|"
                          r"set|given|imposed|agreed|paid|charged|offered)\b|\s*\?)")
# what a figure given as the thing may be instead of it: a limit, a guess, a plan or an earlier one ("The maximum
# penalty is a fine of $1.5 million")
_NOT_THE_THING = frozenset("maximum minimum possible potential proposed previous original former initial expected "
                           "estimated average likely median typical usual".split())
_AMOUNT = re.compile(r"^(?:about|around|roughly|nearly|almost|some|more than|over|just over|just under)?\s*"
                     r"[$€£¥]?\d[\d,.]*(?:\s*(?:%|per\s*cent|m|bn|million|billion|[a-z]+))?$", re.IGNORECASE)


def stated_amount(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether the answer is the amount the text gives as the thing the question names ("$650,000" of "settled on
    a starting point of $650,000" for "What starting point did Judge Pryde choose?"), and no limit, guess or
    plan for it (``_NOT_THE_THING``)."""
    asked = _THING_ASKED.match(" ".join(question.split()))
    if asked is None or _AMOUNT.match(span.text.strip()) is None or not DIGIT.search(span.text):
        return False
    window = next((w for w in windows if w.rank == span.window_rank and w.doc_id == span.doc_id), None)
    if window is None:
        return False
    thing = r"\s+".join(re.escape(w) for w in asked.group("thing").split())
    before = window.text[max(0, span.start - window.start - 80):span.start - window.start]
    before = re.split(r"[.!?]\s", before)[-1]          # this sentence's words only
    found = re.search(rf"\b(?:a|an|the|its|their|his|her)\s+(?:[a-z-]+\s+)?{thing}s?\s+(?:of|was|is|were|"
                      rf"stood\s+at|came\s+to|totalled|totaled)\s+$", before)
    return found is not None and not _NOT_THE_THING & set(re.findall(r"[a-z]+", before.lower()))
