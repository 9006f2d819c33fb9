"""Answer types: what a question asks for, what a candidate span is, and whether the two fit.

The reader scores spans by how well they sit in the text, not by what they are: for "Which
electorate does X represent?" it may prefer "Labour" over the place name beside it. Here the
question's form names the types an answer may have (who -> person or organisation, where ->
place, when -> date, how many -> number, how old -> age), spaCy's entities and part-of-speech
tags give each span a type, and ``rescore`` lets a fitting span beat a misfitting one when the
reader's scores are close. The fit is also a confidence feature.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from rag.clauses import YES_NO, stem
from rag.types import Span, Window

PERSON = frozenset({"PERSON"})
PERSON_OR_ORG = frozenset({"PERSON", "ORG", "NORP"})
ORG = frozenset({"ORG", "NORP"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
TIME = frozenset({"DATE", "TIME"})
NUMBER = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "NUM"})
# "How many teachers ...?" asks for a count: an amount of money is none ("around $1.8 million")
COUNT = NUMBER - {"MONEY"}
AGE = frozenset({"AGE", "CARDINAL", "DATE", "NUM"})
DURATION = frozenset({"DATE", "TIME", "QUANTITY", "CARDINAL", "NUM", "LENGTH"})
FREQUENCY = frozenset({"FREQUENCY"})
# "What is the name of ...?": any name (an entity spaCy labels, or a capitalised phrase it does not)
NAME = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                  "LANGUAGE", "PROPN"})
# "What position did X hold?": a role noun ("former chief whip"), not the person who held it
ROLE = frozenset({"ROLE"})

# nouns for what a person is or does: a "which X" question asks for a person, and a span ending in
# one answers "what position ...?"
ROLE_WORDS = frozenset(
    "mp minister whip leader politician member staffer advocate chair chairman chairwoman president premier "
    "king queen author writer player coach actor singer director founder ceo officer spokesperson spokesman "
    "spokeswoman judge senator governor mayor scientist artist secretary treasurer ambassador general "
    "commander captain chancellor professor lecturer editor manager bishop pope emperor empress prince "
    "princess duke lord chief head deputy executive adviser advisor councillor councilor representative "
    "speaker lawyer teacher doctor engineer consul admiral colonel lieutenant sergeant archbishop cardinal "
    "priest chairperson correspondent reporter journalist economist nurse pharmacist baker farmer "
    "surgeon dentist accountant architect banker chef electrician firefighter paramedic plumber detective "
    "constable inspector superintendent commissioner analyst researcher consultant entrepreneur campaigner "
    "activist candidate barrister solicitor attorney prosecutor midwife coroner counsel partner assistant agent "
    "builder trustee headteacher headmaster headmistress vice-chancellor registrar curator skipper "
    "deckhand ranger owner proprietor trainer jockey referee umpire driver pilot clerk mechanic carpenter "
    "labourer shearer veterinarian vet microbiologist physiotherapist therapist psychologist psychiatrist "
    "magistrate warden investor volunteer apprentice presenter producer composer musician "
    "vocalist frontman frontwoman novelist poet playwright designer physicist chemist biologist ecologist "
    "geologist historian archaeologist tutor convenor organiser coordinator administrator physician specialist "
    "technician winemaker fisherman businessman businesswoman restaurateur publican lobbyist unionist "
    "champion medallist rider cyclist runner athlete swimmer rower golfer sprinter cricketer batsman batter bowler "
    "striker winger goalkeeper midfielder defender halfback fullback boxer sailor".split())
# a person's noun a name may qualify: "the 24-year-old Fenwick-Lomond Cycling rider", "the Athlone man"
_PERSON_NOUN = "|".join(sorted(ROLE_WORDS | set("man woman boy girl teen teenager mother father son daughter "
                                                "grandmother grandfather resident local student pupil".split()),
                               key=len, reverse=True))
# head nouns of "which/what X" questions and the types they ask for
_NOUN_TYPES: dict[str, frozenset[str]] = {}
for _words, _types in (
    (" ".join(sorted(ROLE_WORDS)) + " person man woman", PERSON),
    ("city country electorate town region place state province seat district county continent river "
     "island village suburb capital location area nation territory", PLACE),
    ("party company body organisation organization group team agency council committee newspaper outlet "
     "paper network university school union firm bank club band", ORG),
    ("year day date month time decade century week era season", TIME),
    ("number amount age size population", NUMBER),
    ("percentage", frozenset({"PERCENT"})),
):
    for _w in _words.split():
        _NOUN_TYPES[_w] = _types

# "Who is Adrian Rurawhe?": a description of the named X is asked for ("Te Tai Hauārau MP"), not a
# name; the name must be capitalised ("Who was responsible for ...?" asks for a person), and not own
# what is asked ("Who is Velora's chief executive?" asks for a person)
DESCRIBES = re.compile(r"^\W*[Ww]ho\s+(?:is|was|are|were)\s+(?!the\b|a\b|an\b)"
                       r"(?![A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*['’]s?\s)[A-Z]")

# "How much profit did it make?", "How much did the bridge cost?": an amount of money, not its rise in per cent
MONEY = frozenset({"MONEY"})
_MONEY_Q = re.compile(
    r"^(?!.*\b(?:rise|rises|rose|risen|rising|increase|increases|increased|increasing|fall|falls|fell|fallen|"
    r"falling|drop|drops|dropped|grow|grows|grew|grown|climb|climbs|climbed|jump|jumps|jumped|soar|soared|surge|"
    r"surged|decrease|decreased|decline|declined|(?:go|goes|going|went|gone)\s+(?:up|down)|(?:come|came)\s+down|"
    r"change|changed)\b)"          # a change: often in per cent
    r".*(?:\bhow much (?:money|profit|revenue|funding|cash|debt|compensation|reparation|tax|income|rent|salary|"
    r"capital|investment|damages)\b"
    r"|\bhow much\b(?!\s+(?:of|more|less)\b).*\b(?:cost|costs|costing|pay|paid|pays|earn|earned|earns|spend|spent|"
    r"spends|charge|charged|charges|owe|owed|owes|sell for|sold for|fetch|fetched|worth|offering|offered|bid|"
    r"bidding)\b)")
# "how many <things>": a count, which no sum of money answers ("dollars", "euros" asked are money)
_MANY = re.compile(r"\bhow many\b(?!\s+(?:[\w-]+\s+)?(?:dollars|euros|cents|pounds)\b)", re.IGNORECASE)
# (pattern on the lower-cased question, types, name), first match wins
_PATTERNS: list[tuple[re.Pattern[str], frozenset[str], str]] = [
    (re.compile(r"\bhow (old|young)\b|\bwhat age\b|\bat what age\b"), AGE, "age"),
    (_MONEY_Q, MONEY, "money"),
    # "How much does the brooch weigh?", "How tall is the tower?": a measure, which no amount of money is
    # ("How high / far did the shares go?" may ask for money)
    (re.compile(r"\bhow much\b.*\bweigh(?:s|ed)?\b|\bhow (?:heavy|tall|deep|wide)\b"), COUNT - {"PERCENT"}, "measure"),
    (_MANY, COUNT, "number"),
    (re.compile(r"\bhow (many|much)\b"), NUMBER, "number"),
    (re.compile(r"\bhow (?:often|frequently)\b"), FREQUENCY, "frequency"),
    (re.compile(r"\bhow long\b"), DURATION, "duration"),
    (re.compile(r"^(when)\b|\bwhen (did|does|do|was|were|is|will|had|has)\b"), TIME, "time"),
    # "At what time did the outage begin?": a time on the clock ("5.12am"), not "summer afternoon"
    (re.compile(r"^\W*(?:at\s+)?what\s+time\b(?!\s+of\b)"), TIME, "clock"),
    # "Where did the Kingfishers finish on the table?": a standing ("14th", "second"), not a place
    (re.compile(r"^where\b.*\b(?:finish|finished|finishes|sit|sits|sat|placed|rank|ranked|ranks|lie|lies|lay|"
                r"stand|stands|stood|come|came|comes|drop|drops|dropped|move|moves|moved|climb|climbs|climbed|"
                r"slip|slips|slipped)\b.*\b(?:table|ladder|league|standings|competition|championship|race|field|"
                r"poll|rankings|classification|overall|leaderboard|order)\b"), frozenset({"ORDINAL"}), "standing"),
    (re.compile(r"^where\b|\bwhere (did|does|do|was|were|is|are|will)\b"), PLACE | ORG, "place"),
    # "Who is X?" asks for a description of X, not for a name: no type
    (DESCRIBES, frozenset(), "description"),
    # "As of 1910, who had ...?", "Against whom was ...?"; not a relative clause ("the minister who will decide")
    (re.compile(r"^(who|whom|whose)\b|(?:,\s*|\b(?:to|by|with|for|from|against|of|on|at)\s+)(who|whom) "
                r"(did|does|do|was|is|has|had|will|would)\b"), PERSON_OR_ORG, "person"),
]
_WHICH = re.compile(r"\b(?:which|what)\s+")
# "What is the name of the advocate ...?", "What was the team's name?"; a list ("Name three ...") is not
_NAME_Q = re.compile(r"^(?:what|which)\b.*\b(?:the|its|his|her|their|\w+'s)\s+(?:\w+\s+)?names?"
                     r"(?=\s+(?:of|for|given)\b|\s*\?|\s*$)(?:\s+(?:of|for|given to)\s+(?:the\s+|an?\s+)?)?")
# "What is the title of the novel ...?", "What is the exhibition called?", "What was the ferry named?": a name
_TITLE_Q = re.compile(r"^what\s+(?:is|was|are|were)\s+the\s+titles?\s+of\b|"
                      r"^what\s+(?:is|was|are|were|will)\s+(?!.*\b(?:what|which|who)\b).+\s+(?:be\s+)?"
                      r"(?:called|named|titled)\s*\??$")
# "What position / job / title ...?", "What is Rurawhe's role?" ("the title of the book" asks for a name,
# not a role)
_ROLE_Q = re.compile(r"^what\s+(?:\w+\s+|(?:is|was|are|were)\s+(?:[\w-]+\s+){0,3}?[\w'’-]+['’]s\s+)?"
                     r"(?:position|post|office|rank|job|role|profession|occupation|title(?!\s+of\b))s?\b")


@dataclass(frozen=True)
class Expected:
    """The types an answer to a question may have; ``name`` for explanations and tests."""

    name: str
    labels: frozenset[str]


# "What position does Dwyer play?": a place in a team ("lock", "goal attack"), not a post someone holds
_PLAYS = re.compile(r"\bposition\b.*\bplay(?:s|ed|ing)?\b")


def asks_role(question: str) -> bool:
    """Whether the question asks what position someone holds ("What is Rurawhe's role?", "What position
    does Dwyer play?")."""
    return _ROLE_Q.search(" ".join(question.split()).lower()) is not None


# "What did Rhona Beale do for a living before she retired?", "What was Graham Tuhoe's trade?"
_FOR_A_LIVING = re.compile(r"^\W*what\s+(?P<verb>did|does|do)\s+(?P<who>.+?)\s+do\s+for\s+(?:a\s+)?(?:living|work)\b"
                           r"\s*(?P<rest>.*?)\s*\??\s*$", re.IGNORECASE)
_POSSESSIVES = {"he": "his", "she": "her", "they": "their", "i": "my", "you": "your", "we": "our"}
_TRADE = re.compile(r"^(\W*what\s+(?:is|was)\s+(?:.*?['’]s\s+(?:\w+\s+)?|the\s+))(?:trade|line\s+of\s+work)"
                    r"(?=\s*\??\s*$|\s+(?:of|before|after|when|while|until|now|then)\b)", re.IGNORECASE)


def read_as_job(question: str) -> str:
    """"What did Rhona Beale do for a living before she retired?" -> "What was Rhona Beale's job before she
    retired?" ("What was the job of the man who died?" for a description): the question the reader reads for
    someone's occupation. Asked as a deed, the reader looks for what was done ("gave way"); asked for a job,
    it finds "retired dairy farmer Rhona Beale". "X's trade" is read as "X's job" too; other questions as
    they are."""
    living = _FOR_A_LIVING.match(question)
    if living is not None:
        verb = "was" if living.group("verb").lower() == "did" else "is"
        who, rest = living.group("who"), living.group("rest")
        own = _POSSESSIVES.get(who.lower())
        named = all(w[:1].isupper() for w in who.split())
        asked = (f"What {verb} {own} job" if own else f"What {verb} {who}'s job" if named
                 else f"What {verb} the job of {who}")
        return f"{asked} {rest}".rstrip() + "?"
    trade = _TRADE.match(question)
    return f"{trade.group(1)}job{question[trade.end():]}" if trade is not None else question


# "What position does Waves player Jess Tapsell play?": the name whose place in a team is asked
_POSITION_OF = re.compile(r"^\W*[Ww]hat\s+position\s+(?:does|did|do|will)\s+(?:(?:[\w'’-]+\s+){0,3}?player\s+)?"
                          r"(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})\s+play\b\s*\??\s*$")


def player_asked(question: str) -> str | None:
    """"What position does Waves player Jess Tapsell play?" -> "Jess Tapsell", the player whose position is
    asked, to be read as "Who is Jess Tapsell?": sports news gives a player's position as what they are
    ("Waves goal attack Jess Tapsell", "lock Harrison Dwyer"), which is how "Who is X?" is answered; None
    for any other question."""
    found = _POSITION_OF.match(question)
    return found.group("who") if found is not None else None


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


def expected_type(question: str) -> Expected | None:
    """What the question asks for, or None when its form names no type ("what happened?")."""
    q = " ".join(question.split())
    lower = q.lower()
    for pattern, labels, name in _PATTERNS:
        if pattern.search(q if name == "description" else lower):
            return Expected(name, labels) if labels else None
    if asks_role(q):     # a position played is no post held: "lock", which no role word ends
        return Expected("role", ROLE) if _PLAYS.search(lower) is None else None
    if _TITLE_Q.search(lower):        # "What is the title of the novel ...?", "What is the exhibition called?"
        return Expected("name", NAME)
    named = _NAME_Q.search(lower)
    if named:   # the name of a kind of thing the question names ("of the employment advocate"), else any name
        return _head_type(lower[named.end():]) or Expected("name", NAME)
    match = _WHICH.search(lower)
    return _head_type(lower[match.end():]) if match else None


def _head_type(rest: str) -> Expected | None:
    """The first of the next three words that names a kind of thing: "former whip ..." -> whip, "which year's
    election" -> year; not an owner further on ("What was the company's after-tax profit?" asks for no company)."""
    for at, word in enumerate(re.findall(r"[a-z-]+(?:['’]s\b)?", rest)[:3]):
        if word[-2:] in ("'s", "’s"):
            if at:
                continue
            word = word[:-2]
        for form in (word, word[:-1] if word.endswith("s") else word):
            if form in _NOUN_TYPES:
                return Expected(form, _NOUN_TYPES[form])
    return None


_SMALL = frozenset("of the and de la von van du des for in on at to a an".split())
# how often: "every four years", "one shift a month", "twice a week", "three times", "annually"
_FREQUENCY = re.compile(r"\b(?:every|each|per|a|an)\s+(?:[\w-]+\s+){0,2}?(?:second|minute|hour|day|night|week|"
                        r"weekend|fortnight|month|quarter|year|decade|century|season|term|session|shift)s?\b|"
                        r"\b(?:\w+\s+times|once|twice|thrice|always|usually|often|rarely|seldom|occasionally|"
                        r"frequently|regularly|never|sometimes|daily|weekly|monthly|yearly|annually|hourly|nightly|"
                        r"biennially|quarterly|fortnightly)\b", re.IGNORECASE)
_AGE = re.compile(r"\b\d{1,3}[- ]year[- ]old\b|\baged? \d{1,3}\b|^\d{1,3}$", re.I)
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
_DIGIT = re.compile(r"\d")
# money written as money, which spaCy's small model does not always label MONEY ("A$611 million", "134.9p")
_CURRENCY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|(?<!per )cents?|pence|guineas?|yen|rupees?|francs?)\b|\d[pc]\b",
                       re.IGNORECASE)
# a percentage, which spaCy's small model may label MONEY ("47.3 per cent")
PER_CENT = re.compile(r"\s*(?:%|per\s*cent\b|pc\b)", re.IGNORECASE)      # what makes a number a percentage
_PERCENT = re.compile(r"\d" + PER_CENT.pattern, re.IGNORECASE)
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
                          "fifty hundred thousand million billion dozen".split())


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
            percent = ent.label_ == "MONEY" and _PERCENT.search(ent.text) and not _CURRENCY.search(ent.text)
            labels.add("PERCENT" if percent else ent.label_)
    words = span_text.lower().split()
    money = _CURRENCY.search(span_text) and (_DIGIT.search(span_text) or labels & {"MONEY", "CARDINAL"})
    if len(words) <= 4 and _PERCENT.search(span_text) and not money:
        labels = (labels - {"MONEY"}) | {"PERCENT", "NUM"}
    elif len(words) <= 4 and money:
        labels = (labels - {"CARDINAL", "QUANTITY", "DATE"}) | {"MONEY"}     # an amount of money, no count or time
    elif len(words) <= 4 and (_DIGIT.search(span_text) or any(w.strip(",.") in _NUMBER_WORDS for w in words)):
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
    if not labels and words and all(w[:1].isupper() for w in span_text.split() if w.lower() not in _SMALL) \
            and any(t.pos_ in ("PROPN", "NOUN") for t in doc
                    if span_start <= offset + t.idx < span_end):
        labels.add("PROPN")          # a name spaCy did not recognise ("Newshub"); not "Former" opening a sentence
    if _BODY.search(span_text):
        labels.add("BODY")           # "Ministry of Education": a body, whatever spaCy's small model calls it
    if _TITLED.search(span_text):
        labels.add("TITLED")         # "Health Minister Andrew Pelham", "Barnsley coach Neil Crowther": a person
    if _role(words) and not labels & {"PERSON"}:
        labels.add("ROLE")           # "former chief whip", "Prime Minister", "clinical director of oncology"
    return labels


# a word only the name of a body has ("Ministry of Education", "Kōwhai Timber Ltd", "Hallett District Council")
_BODY = re.compile(r"(?<!^)\b(?:Ministry|Council|University|Ltd|Limited|Inc|Company|Corporation|Department|Trust|"
                   r"Club|College|Bank|Authority|Commission|Board|Association|Society|Party|Agency|Foundation|"
                   r"Institute|Union|Federation|Holdings|Committee)\b|^(?:Ministry|Department)\s+of\b")
# a person by their title: an honorific or a role word, then a name of two capitalised words
_TITLED = re.compile(r"(?:^|\s)(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?|(?i:" + "|".join(sorted(
    w for w in ROLE_WORDS if w.isalpha())) + r"))\s+[A-Z][\w'’-]+\s+[A-Z][\w'’-]+")
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


# a bare number of one to three digits that spaCy reads as no date or time: a count or an age, which
# never says when (a day or an hour comes with its month or "am", "pm", "o'clock")
_BARE_COUNT = re.compile(r"^\s*\d{1,3}\s*$")


# a unit of time a question names: "How many days ...?", "in the past ten years"
_TIME_UNIT = re.compile(r"\b(?:second|minute|hour|day|night|week|weekend|fortnight|month|year|decade|century|"
                        r"centuries|season|term|time)s?\b", re.IGNORECASE)
# a length of time and nothing else: says how long, never when ("about a week", "three years")
_LENGTH_OF_TIME = re.compile(r"^(?:(?:about|around|roughly|nearly|almost|some|at least|more than|less than|over|"
                             r"under|up to|just)\s+)?(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
                             r"eleven|twelve|a few|several|\d+)\s+(?:second|minute|hour|day|week|fortnight|month|"
                             r"year|decade|century)s?$", re.IGNORECASE)


# How much a span's reader score counts after the type check: a misfit needs MISFIT_PENALTY^-1
# times the score of a fitting span to stay first, so it wins only when the reader is much surer.
MISFIT_PENALTY = 0.2
# a number in figures or words, which every age has ("58", "sixty-one", "in her forties"; "five-eighth" is none)
_NUMBER_WORD = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                          r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
                          r"seventy|eighty|ninety|hundred|teens?|twenties|thirties|forties|fifties|sixties|"
                          r"seventies|eighties|nineties)\b(?![-‐]\w)", re.IGNORECASE)
# "How old is Bolton?", "How old was Hallett mayor Trudy Kennaway?": of a person named, not described ("the nurse
# from Toowoomba")
_OF_NAMED = re.compile(r"^\W*how\s+old\s+(?:is|was|are|were)\s+(?!the\b|a\b|an\b|his\b|her\b|their\b)", re.IGNORECASE)
# words of an amount that hold no figure: "tens of millions", "a few thousand", "half", "an undisclosed sum"
_SCALES = re.compile(r"\b(?:thousands?|millions?|billions?|trillions?|dozens?|half|quarter|sum)\b", re.IGNORECASE)
# a number no one's age is: "4,259" (votes), "2022" (a year); "aged 8 and 11", "58" are ages, and a thing's
# age says its unit ("2,100 years old")
_PAST_AGES = re.compile(r"^\D*(?:\d{1,3},\d|[1-9]\d{3}|1[3-9]\d|[2-9]\d\d)")
_AGE_UNIT = re.compile(r"\b(?:years?|old|centur(?:y|ies)|millenni(?:um|a)|million|billion)\b", re.IGNORECASE)


def _no_ones_age(text: str) -> bool:
    """Whether a span is a number too large to be anyone's age, with no unit of a thing's age."""
    return _PAST_AGES.search(text) is not None and _AGE_UNIT.search(text) is None


# what makes a time a date on the calendar: its month ("April 2", "9 March", "March 2022") or day and month in
# figures ("2/4/2026")
_CALENDAR = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                       r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b|\b\d{1,2}[/.]\d{1,2}\b",
                       re.IGNORECASE)


def rescore(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
            consider: float = MISFIT_PENALTY) -> list[Span]:
    """The spans with ``type_fit`` set, reordered: by reader score, a misfit's score times
    MISFIT_PENALTY. Only spans within ``consider`` x the best score are parsed (spaCy, per
    window): a span further down cannot overtake the best one, whatever its type."""
    expected = expected_type(question)
    if expected is None or not spans:
        return list(spans)
    if expected.name == "frequency":    # a form no other answer has: any span of it beats all others
        marked = [replace(x, type_fit=1 if _FREQUENCY.search(x.text) else -1) for x in spans]
        return sorted(marked, key=lambda x: -x.type_fit) if any(x.type_fit > 0 for x in marked) else list(spans)
    if expected.name == "date":     # "On what date is he due back in court?": "April 2", not "Monday", "next month"
        spans = [x for x in spans if _CALENDAR.search(x.text)]
        if not spans:
            return []
    if expected.name == "money":    # "How much redundancy pay will she receive?": not "above the statutory minimum"
        spans = [x for x in spans if _NUMBER_WORD.search(x.text) or _CURRENCY.search(x.text) or _SCALES.search(x.text)]
        if _PRICE.search(question) and not _ASKS_MARGIN.search(question):   # "How much does a ticket cost?":
            # not "18 per cent" (a pay offer may be one, and "By how much did the cost go up?" asks a change)
            spans = [x for x in spans if not _PERCENT.search(x.text)]
        if not spans:
            return []
    if expected.name == "standing":     # "Where does Ashworth sit in the classification?": "third", not "Moloney"
        spans = [x for x in spans if len(x.text.split()) <= 4 and _ORDINAL.search(x.text.lower())]
        if not spans:
            return []
    if expected.name == "age":      # "How old is Josh McAllister?": not "five-eighth" (an age is a number),
        spans = [x for x in spans if _NUMBER_WORD.search(x.text) and not _no_ones_age(x.text)]   # nor "2022"
        if not spans:
            return []
    by_rank = {w.rank: w for w in windows}
    best = max(s.score for s in spans)
    others = _other_nouns(question, parse) if expected.name == "number" else frozenset()
    tally = _tally_asked(question, parse) if expected.name == "number" else None
    parsed: dict[int, object] = {}
    out: list[Span] = []
    for span in spans:
        if expected.labels <= NAME and bare_number(span.text):
            continue                # "What is the name of the man who was arrested?": not "44"
        if expected.name == "number" and _MANY.search(question) and _LENGTH_OF_TIME.match(span.text) \
                and not _TIME_UNIT.search(question):
            continue                # "How many of the stolen books were recovered?": not "more than 200 years"
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
        lead = (_leading_fit(span, parsed[window.rank], window, expected)
                or _leading_person(span, parsed[window.rank], window, expected)) if fitted < 0 else None
        if lead is not None:
            span, fitted = lead, 1
        if fitted > 0 and expected.name in ("number", "money"):
            span = _amount_alone(span, parsed[window.rank], window)
        if fitted > 0 and expected.name == "age" and _age_of_another(question, span, window):
            if _OF_NAMED.match(question):
                continue           # "How old is Bolton?": not Kovacs's age ("Kovacs, a 41-year-old pharmacist")
            fitted = -1            # "How old is the nurse from Toowoomba?": the name may be no person's
        elif fitted > 0 and expected.name == "age":          # as a number
            fitted = -1 if _no_age(span, window, parsed[window.rank]) else 1
        span = own_age(span) if expected.name == "age" else span
        if expected.name == "duration" and bare_number(span.text) and not _IN_UNITS.search(question):
            continue               # "How long will the rail line be?": not "six" (six stations); a length has a unit
        if fitted > 0 and expected.name == "time" and _LENGTH_OF_TIME.match(span.text):
            fitted = -1            # "When will she apply for a recount?": not "about a week" (how long, not when)
        if fitted > 0 and expected.name == "clock" and not _CLOCK.search(span.text):
            fitted = -1            # "What time did the band come on stage?": "4pm", not "summer afternoon"
        if fitted < 0 and expected.name == "time" and _BARE_COUNT.match(span.text):
            continue               # "When did Okonkwo die?": not "81" of "dies at 81"
        if fitted < 0 and expected.name == "money" and "PERCENT" not in labels and (
                "NUM" in labels or _LENGTH_OF_TIME.match(span.text)):
            continue               # "How much will it fetch?": not "one boat", "about a week" (a pay rise may be a per cent)
        if fitted < 0 and expected.name == "number" and "MONEY" in labels and _CURRENCY.search(span.text) \
                and _MANY.search(question):
            continue               # "How many teachers are employed?": not "$1.8 million" (a count is no sum)
        if fitted > 0 and expected.name == "number" and _aged(span, window):
            fitted = -1            # "How many votes did Whitcombe get?": not "64" of "Pooley, 64, received"
        if fitted > 0 and others and _counts(span, parsed[window.rank], window.start) & others:
            continue               # "How many votes were there at the booths?": not "two" of "at two booths"
        if tally is not None and (counted := {_TALLIES[c] for c in _counts(span, parsed[window.rank], window.start)
                                              if c in _TALLIES}) and tally not in counted:
            continue               # "How many tries did Lolo score?": not "17" of "17 points"
        if tally is not None and _aged(span, window):
            continue               # ... nor "23" of "Lolo, 23,": an age is no tally
        out.append(replace(span, type_fit=fitted))
    return sorted(out, key=lambda s: -(s.score * (MISFIT_PENALTY if s.type_fit < 0 else 1.0)))


def prefer_named_age(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How old is Karen Doyle?", the age set beside that name ("Karen Doyle, 58, who has lived there for
    22 years") put first, as a number, however much less likely the reader finds it (22 at 0.38 against 58
    at 0.02): the text says whose age it is. The order is kept when the best span already is one."""
    expected = expected_type(question)
    if expected is None or expected.name != "age" or len(spans) < 2:
        return list(spans)
    named = [x for x in spans if named_age(question, x, windows)]
    if not named or named[0] is spans[0]:
        return list(spans)
    return [replace(own_age(x), type_fit=1) for x in named] + [x for x in spans if x not in named]


# "By how many votes did Kovacs win?", "What was the winning margin?": the difference, not either count
_ASKS_MARGIN = re.compile(r"^\W*by\s+how\s+(?:many|much|far)\b|\bby\s+what\s+(?:margin|amount|percentage)\b|"
                          r"\bwinning\s+margin\b|\bmargin\s+of\s+(?:victory|defeat|the\s+win)\b|"
                          r"\bhow\s+(?:big|large|wide|narrow|close)\s+was\s+the\s+(?:margin|majority|gap)\b|"
                          r"\b(?:lead|advantage|gap)\s+(?:over|on|to)\b|\bhow\s+far\s+(?:ahead|behind|clear)\b|"
                          r"\b(?:win|won|lose|lost|lead|led|beat|trail|trailed)\s+by\s*\?*\s*$", re.IGNORECASE)
# "How many votes did Bolton get?": a count received, which no difference is
_ASKS_RECEIVED = re.compile(r"^\W*how\s+many\b.*\b(?:get|got|receive|received|poll|polled|win|won|score|scored|"
                            r"secure|secured|earn|earned|take|took|attract|attracted|record|recorded)\b", re.IGNORECASE)
# what the text sets before a difference: "unseating Bolton by 1,240 votes", "a margin of 12 seconds"
_MARGIN_BEFORE = re.compile(r"(?:\bby|\b(?:margin|majority|lead|gap|deficit)\s+of|\b(?:margin|majority)\b[^.;:\d]{0,25}"
                            r"\b(?:was|is|were|stood\s+at|of)|\bwon\s+by)\s+(?:just|only|a\s+mere|some|about|around|"
                            r"nearly|almost|more\s+than|less\s+than|fewer\s+than|over|under)?\s*$", re.IGNORECASE)
# ... and after it: "a 1,240-vote margin", "a 12-second lead"
_MARGIN_AFTER = re.compile(r"^[\w.,-]*\s*(?:margin|majority|lead|gap|win)\b", re.IGNORECASE)


MARGIN_CONSIDER = 0.05     # a difference the reader finds at least this share as likely as its best answer


def prefer_margin(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "By how many votes did Kovacs win?", a number the text gives as a difference ("by 1,240 votes", "a
    margin of 12 seconds") put first, however much less likely the reader finds it (11,872, her count, at 0.22
    against 1,240 at 0.03): the text's "by" says which number is the margin. Order kept when there is none.
    For a count received ("How many votes did Bolton get?"), such a difference is dropped."""
    asks = _ASKS_MARGIN.search(question) is not None
    received = not asks and _ASKS_RECEIVED.search(question) is not None
    if not spans or not (asks and len(spans) > 1 or received):
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def margin(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None or not _NUMBER_WORD.search(span.text):
            return False
        before = window.text[max(0, span.start - window.start - 40):span.start - window.start]
        after = window.text[span.end - window.start:span.end - window.start + 30]
        return _MARGIN_BEFORE.search(before) is not None or _MARGIN_AFTER.match(after) is not None

    marked = [x for x in spans if margin(x)]
    if received:
        return [x for x in spans if x not in marked]
    best = max(x.score for x in spans)      # "by" is everywhere: not "by 3 per cent" of another sentence at 0.0
    return _first([x for x in marked if x.score >= MARGIN_CONSIDER * best], spans)


def _first(marked: list[Span], spans: Sequence[Span]) -> list[Span]:
    """The ``marked`` spans first, the rest after in their order; the order kept when none is marked or the
    first already is."""
    if not marked or marked[0] is spans[0]:
        return list(spans)
    return marked + [x for x in spans if x not in marked]


# what a price is asked by: no per cent answers it
_PRICE = re.compile(r"\b(?:cost|costs|costing|price|priced|fare|fee|charge|charged|charges|sell\s+for|sold\s+for|"
                    r"fetch|fetched|worth)\b", re.IGNORECASE)
# "How much snapper was misreported?": the thing measured, after "how much"
_MUCH_OF = re.compile(r"\bhow\s+much\s+([a-z][a-z-]+)\b", re.IGNORECASE)


def prefer_measure_of(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How much snapper was misreported?", an amount the text gives as one of that thing ("about 7.8 tonnes
    of snapper") put first, however much less likely the reader finds it ($112,000, the snapper's value, at 0.53
    against 0.0003): "of snapper" says what the amount measures. Order kept when there is none, and for money
    ("How much money ...?") or a word that names no thing ("How much more ...?")."""
    asked = _MUCH_OF.search(question)
    if len(spans) < 2 or asked is None or _MONEY_Q.search(question.lower()) or \
            asked.group(1).lower() in _SMALL | {"more", "less", "longer", "higher", "further", "did", "does", "do",
                                                "is", "was", "were", "are", "has", "had", "will", "would", "can"}:
        return list(spans)
    thing = stem(asked.group(1).lower())
    by_rank = {w.rank: w for w in windows}

    def measures(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        if window is None or not _NUMBER_WORD.search(span.text) or _CURRENCY.search(span.text):
            return False
        after = re.match(r"\s+of\s+(?:the\s+|its\s+|their\s+)?([a-z][a-z-]+)",
                         window.text[span.end - window.start:span.end - window.start + 40], re.IGNORECASE)
        return after is not None and stem(after.group(1).lower()) == thing

    return _first([x for x in spans if measures(x)], spans)


# "How long is each period in minutes?": the question gives the unit, a bare number answers it
_IN_UNITS = re.compile(r"\bin\s+(?:seconds|minutes|hours|days|weeks|months|years|decades|centuries|metres|meters|"
                       r"kilometres|kilometers|km|miles|feet|inches|yards)\b", re.IGNORECASE)


def bare_number(text: str) -> bool:
    """A number and nothing else: "six", "1,200", "21"."""
    text = text.strip().lower()
    return text in _NUMBER_WORDS or re.fullmatch(r"\d[\d,.]*", text) is not None


def _other_nouns(question: str, parse: Callable[[str], object]) -> frozenset[str]:
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


# what scores and tallies count, no two the same thing: "How many tries did Lolo score?" is not "17" of "17 points"
_TALLIES = {stem(form): pair.split("/")[0] for pair in (
    "point/points try/tries goal/goals vote/votes seat/seats run/runs wicket/wickets medal/medals lap/laps "
    "game/games match/matches win/wins loss/losses title/titles cap/caps").split() for form in pair.split("/")}


def _tally_asked(question: str, parse: Callable[[str], object]) -> str | None:
    """For "How many tries did Lolo score?", the tally asked ("try"); None when the counted noun is no tally."""
    counted = _counted_noun(parse(question))
    return None if counted is None else _TALLIES.get(stem(counted.text))


def _counts(span: Span, doc, offset: int) -> frozenset[str]:
    """The stems of the nouns a number span counts ("booth" of "two" in "at two booths")."""
    return frozenset(stem(t.head.text) for t in doc if span.start <= offset + t.idx < span.end
                     and t.dep_ == "nummod" and t.head.pos_ == "NOUN")


_NAME_WORD = re.compile(r"(?<!^)(?<![.?!] )\b([A-Z][\w’'-]{2,})")


def question_names(question: str) -> list[str]:
    """The capitalised words of a question after its first word ("Lewis", "Cup"), possessives cut."""
    return [w.removesuffix("'s").removesuffix("’s") for w in _NAME_WORD.findall(question.strip())]


# whom an age is said of: "Bolton, 67,", "Kovacs, a 41-year-old pharmacist", "91-year-old Doris Fenwick"
_NAME_BEFORE_AGE = re.compile(r"([A-Z][\w'\u2019-]+)\s*[,(]\s*(?:(?:a|an|the|aged)\s+)?$")
_NAME_AFTER_AGE = re.compile(r"^[- ]?(?:year[- ]old)?((?:\s+[A-Z][\w'\u2019.-]*)+)")
# ... unless those words qualify a person's noun: "24-year-old Fenwick-Lomond Cycling rider" names no one
_QUALIFIES = re.compile(rf"^\s+(?:{_PERSON_NOUN})\b")
_YEARS_OLD = re.compile(r"^(?:(?:the|a|an)\s+)?(\d{1,3})[- ]year[- ]old$", re.I)
_AGE_NOT_NAMES = frozenset("mr mrs ms miss dr sir dame mp prof professor judge the a an".split())


def _name_after_age(text: str) -> re.Match[str] | None:
    """The capitalised words right after an age ("91-year-old Doris Fenwick"), not those before a noun."""
    found = _NAME_AFTER_AGE.match(text)
    if found is None or re.search(r"[.'’]", found.group(1)):    # "Jordan Whitcombe. Whitcombe's father"
        return found
    return None if _QUALIFIES.match(text[found.end():]) else found


def _aged(span: Span, window: Window) -> bool:
    """Whether a bare number is the age set off beside a name ("Pooley, 64, received ..."), not a count."""
    at, to = span.start - window.start, span.end - window.start
    return bool(_BARE_COUNT.match(span.text)) and re.match(r"\s*[,)]", window.text[to:to + 2]) is not None \
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
    return expected is not None and expected.name == "age" and (
        not question_names(question) or _ANOTHERS.match(question) is not None)


# "How old is Tidewater Lass's trainer?": the one asked about is described by another's name (a name, "'s", a
# lower-case word); bridging splits such a question at it
ANOTHERS = r"(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w-]*['’]s\s+[a-z]"
_ANOTHERS = re.compile(rf"^\s*(?i:how\s+old\s+(?:is|was|are|were))\s+{ANOTHERS}")


def named_age(question: str, span: Span, windows: Sequence[Window]) -> bool:
    """Whether a number answering "How old is Doyle?" is the age set beside that name ("Karen Doyle, 58,"),
    which no other answer beats, however less likely the reader finds it. Only for a question asking an age
    ("How many siblings does Calloway have?" is not answered by "Calloway, 29,")."""
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if window is None or not (_BARE_COUNT.match(span.text) or _YEARS_OLD.match(span.text)):
        return False
    expected = expected_type(question)
    if expected is None or expected.name != "age":
        return False
    asked = {w.lower() for w in question_names(question)}
    at, to = span.start - window.start, span.end - window.start
    if not asked & age_holder(window.text, at, to):
        return False
    # the whole name beside the age, when the text gives one: "Jordan Whitcombe, 19," and "19-year-old Jordan
    # Whitcombe" are not Darren Whitcombe's
    before = _WHOLE_NAME_BEFORE_AGE.search(window.text[max(0, at - 80):at])
    after = _name_after_age(window.text[to:to + 80])
    written = " ".join(x.group(1) for x in (before, after) if x is not None)
    given = {w.lower().rstrip(".") for w in written.split()} - _AGE_NOT_NAMES
    return len(given) < 2 or len(asked) < 2 or asked <= given


# the capitalised words before an age set off after a name ("Jordan Whitcombe, 19,", "Amira and Yusuf Haddad, 18,")
_WHOLE_NAME_BEFORE_AGE = re.compile(r"((?:[A-Z][\w'\u2019-]+\s+(?:and\s+)?){0,3}[A-Z][\w'\u2019-]+)\s*[,(]\s*"
                                    r"(?:(?:a|an|the|aged)\s+)?$")


def _age_of_another(question: str, span: Span, window: Window) -> bool:
    """Whether an age answering "How old is Bolton?" is said of someone the question does not name
    ("Kovacs, a 41-year-old pharmacist"); False when the question names no one or no name is beside it."""
    asked = {w.lower() for w in question_names(question)}
    holder = age_holder(window.text, span.start - window.start, span.end - window.start)
    return bool(asked and holder and not holder & asked)


# a number that opens a compound of something else counts no years of age: "three-term", "16-year wait"
_COMPOUND = re.compile(r"^[\w.,]+-(?!years?[- ]old\b)[A-Za-z]")


# "for 22 years", "22 years ago": how long, not how old ("58 years old", "58 years of age" are ages)
_YEARS_LONG = re.compile(r"^\s+years?\b(?![- ]old\b)(?!\s+of\s+age\b)", re.IGNORECASE)


_LASTED = re.compile(r"\b(?:for|over|in|after|within)\s+$")     # "fishing for" 34 years


def _no_age(span: Span, window: Window, doc) -> bool:
    """Whether a number answering "How old ...?" opens a compound that is no age ("three" of "three-term
    incumbent Derek Bolton", "16" of "a 16-year wait"; "41-year-old" is one), counts something ("about 140"
    of "about 140 residents") or says how many years something lasted ("22" of "for 22 years", "34 years" of
    "fishing for 34 years")."""
    at, to = span.start - window.start, span.end - window.start
    if _LENGTH_OF_TIME.match(span.text) and _LASTED.search(window.text[max(0, at - 12):at]):
        return True                     # "34 years" of "fishing for 34 years"
    return bool(_COMPOUND.match(window.text[at:at + len(span.text) + 20]) or _YEARS_LONG.match(window.text[to:]) or
                _counts(span, doc, window.start) - {"year"})


# "The 61-year-old, who replaced ...", "The 27-year-old has played ...": news names a person, then calls them by
# their age; not "The 38-year-old and the 29-year-old" (two, described before) or "The 27-year-old's contract"
BY_AGE = re.compile(rf"^\W*The\s+(\d{{1,3}})-year-old(?=,|\s+(?!and\b)[a-z]+\b|"
                    rf"\s+(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_PERSON_NOUN})\b)")


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


def _leading_fit(span: Span, doc, window: Window, expected: Expected) -> Span | None:
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


# "Which firm ...?": the kind of thing asked for (its noun, after "which" / "what")
_KIND_ASKED = re.compile(r"^\W*(?:which|what)\s+([a-z]+)\b", re.IGNORECASE)
# the name written right after a kind noun ("auditing firm Caldwell Irons", "wine company Southern Cross Vintners")
# (on the same line: a headline's last word is followed by the byline, "... Theatre\n\nBy Orla Breathnach")
_NAME_AFTER = re.compile(r"[ \t]+((?:[A-Z][\w'’&.-]*)(?:[ \t]+(?:&[ \t]+|of[ \t]+)?[A-Z][\w'’&.-]*){0,4})")


# words after "what" that ask no kind of thing ("What is ...?", "What did ...?", "What kind of ...?")
_NO_KIND = frozenset("is are was were be been am do does did has have had will would can could shall should may "
                     "might must kind sort type sorts kinds types".split())


def kind_asked(question: str) -> str | None:
    """The kind of thing a "Which/What <kind> ...?" question asks for ("Which jockey rode ...?" -> "jockey"),
    or None."""
    found = _KIND_ASKED.match(question)
    kind = found.group(1).lower() if found else None
    return kind if kind is not None and kind not in _NO_KIND else None


# "Who was the Conservative candidate?", "Who is the Harbour coach?": a title asked of no one named
_TITLE_ASKED = re.compile(r"^\W*[Ww]ho\s+(?:is|was)\s+the\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)\s*\??\s*$")


def title_asked(question: str) -> str | None:
    """The title a "Who is/was the <title>?" question asks who holds ("Conservative candidate"), or None."""
    found = _TITLE_ASKED.match(question)
    return found.group(1) if found is not None else None


def name_after_kind(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """For "Which firm carried out the review?", a span that only describes the kind asked ("Wellington auditing
    firm") made the name the text writes right after it ("... auditing firm Caldwell Irons, found"); the span
    as it is otherwise."""
    kind = _KIND_ASKED.match(question)
    words = span.text.split()
    if kind is None or not words or words[-1].lower().rstrip(",.") not in (kind.group(1).lower(),
                                                                       kind.group(1).lower() + "s"):
        return span
    window = next((w for w in windows if w.rank == span.window_rank), None)
    found = _NAME_AFTER.match(window.text, span.end - window.start) if window is not None else None
    if found is None:
        return span
    start, end = window.start + found.start(1), window.start + found.end(1)
    return replace(span, text=found.group(1), start=start, end=end, type_fit=1)


def _amount_alone(span: Span, doc, window: Window) -> Span:
    """An amount answer without a second thing joined to it ("50 knots" of "50 knots and waves of up to five
    metres", "$189" of "$189 and VIP passes for $349"); a range ("$80m and $120m") stays whole."""
    for label, start, end in _opening_amounts(span, doc, window):
        if end < span.end and label in _AMOUNTS \
                and re.match(r"\s+and\s+(?![\d$€£¥]|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten)\b)",
                             window.text[end - window.start:span.end - window.start]):
            return replace(span, text=window.text[start - window.start:end - window.start], start=start, end=end)
    return span


# words an answer may share with its question without merely repeating it: function words and titles
_ECHO_IGNORED = frozenset("a an the of in on at to for by with from and or as is was were be been his her their "
                          "its mr ms mrs dr sir dame".split())
# "Was Sharma suspended or expelled?", "Which city is higher, Matte or Langgasse?", "... between the
# Broncos and the Steelers?": the answer is one of the options, which no question word follows ("The
# presence or absence of what ...?" offers no choice)
_CHOICE = re.compile(r"(?:\bor\b|\bbetween\b.+\band\b)(?!.*\b(?:what|which|who|whom|whose|when|where|why|how)\b)",
                     re.I)
_OPTION = re.compile(r"([\w'\u2019-]+)\s*,?\s+(?:or|and)\s+(?:the\s+|a\s+|an\s+)?([\w'\u2019-]+)", re.I)


def content_words(text: str) -> list[str]:
    """The lower-cased words of a text that say something (articles, prepositions, titles out)."""
    words = (w.removesuffix("'s").removesuffix("\u2019s") for w in re.findall(r"[\w'\u2019]+", text.lower()))
    return [w for w in words if w not in _ECHO_IGNORED]


def stems(text: str) -> frozenset[str]:
    """The stems (``clauses.stem``) of a text's content words: "responded to the claims" -> {"respond", "claim"}."""
    return frozenset(stem(w) for w in content_words(text))


# auxiliaries, question words and pronouns: not what a question asks about
_NOT_ASKED = frozenset("did does do has have had is was were are am will would can could should may might must "
                       "not what why how who whom whose when where which i you he she it we they me him her us "
                       "them my your its our their there this that these those".split())


def predicate_stems(question: str) -> frozenset[str]:
    """The stems of what a question asks about, without its auxiliaries, question words, pronouns and
    the names it asks it of ("Did Sharma attend the caucus meeting?" -> {"attend", "caucu", "meet"})."""
    named = {w.lower() for w in re.findall(r"[\w'’]+", question)[1:] if w[:1].isupper()}
    return frozenset(stem(w) for w in content_words(question)
                     if w not in _NOT_ASKED and w not in named and not w.endswith(("n't", "n’t")))


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


# "How much did home values rise?" asks for the change, not the level it reached ("climbed 0.6 per cent over
# the month to $812,500"), as ``clauses.stem`` gives them
_CHANGES = frozenset(stem(w) for w in "rise rose risen climb increase grow grew grown jump fall fell fallen drop "
                     "decline decrease slip slid shrink shrank gain lose lost surge plunge".split())
_HOW_MUCH = re.compile(r"\bhow (?:much|many|far)\b|\bby what (?:amount|percentage)\b", re.IGNORECASE)


def drop_levels(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "How much did X rise / fall / grow?", the spans without the level a change reached ("$812,500" of
    "climbed 0.6 per cent over the month to $812,500": "to" after a verb of change in the same clause); a
    question asking what it rose to ("... grow to?") asks for the level, and keeps it."""
    if not spans or not _HOW_MUCH.search(question) or re.search(r"\bto\s*\??\s*$", question) or \
            not any(stem(w) in _CHANGES for w in re.findall(r"[a-z]+", question.lower())):
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
    return plain(found.group(1)).removesuffix("'s"), plain(found.group(2)).removesuffix("'s")


def prefer_options(question: str, spans: Sequence[Span], consider: float = 0.02) -> list[Span]:
    """For a question offering a choice, the spans that name one of its options first (best first among
    them), the others after: "Kirchenfeld" is no answer to "Which city is higher, Matte or
    Langgasse?" however sure the reader is. Only spans within ``consider`` x the best are moved up."""
    offered = options(question) if spans else None
    if not offered:
        return list(spans)
    best = max(s.score for s in spans)

    def names(span: Span) -> bool:
        words = set(re.findall(r"[\w'\u2019-]+", plain(span.text)))
        return span.score >= consider * best and any(o in words for o in offered)

    return [s for s in spans if names(s)] + [s for s in spans if not names(s)]


_FROM_TO = re.compile(r"^(?:from\s+)?(.+?)\s+to\s+(.+)$", re.IGNORECASE)
_LATER = re.compile(r"\b(?:now|currently|today|nowadays|these days|at present|after|since)\b", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:before|previously|originally|formerly|used to|at first|initially|earlier|prior to|"
                      r"last time|previous)\b", re.IGNORECASE)
# a number and, right after it, what it was before: "48.2 per cent, up from 44.5 per cent at the previous
# election" ("last year" or "a year ago" in a question may be the time of the new figure: not read as before)
_UP_FROM = re.compile(r"^\s*,?\s*(?:(?:up|down|rising|falling|increasing|decreasing|a rise|a fall|an increase|"
                      r"a decrease|a drop)\s+)?from\s+((?:about\s+|around\s+|nearly\s+|almost\s+)?"
                      r"[$£€]?\d[\d,.]*(?:\s*(?:per\s*cent|percent|%|million|billion|m|bn|k)\b)?)", re.IGNORECASE)


def change_end(question: str, span: Span, windows: Sequence[Window]) -> Span:
    """Of a change "from X to Y", the end the question asks for: Y when it asks what is so now (or after),
    X when it asks what was so before ("How long does it now take to register an overseas nurse?" ->
    *six weeks*, not *five months to six weeks* of "cut the time ... from five months to six weeks"); and
    before, of a number the text follows with what it was before ("48.2 per cent, up from 44.5 per cent"),
    that ("What was the turnout last time?"). A span that is no such change, or a question that says
    neither (or both), is left as it is."""
    later, earlier = bool(_LATER.search(question)), bool(_EARLIER.search(question))
    found = _FROM_TO.match(span.text)
    window = next((w for w in windows if w.rank == span.window_rank), None)
    if earlier and not later and found is None and window is not None and _DIGIT.search(span.text):
        before = _UP_FROM.match(window.text[span.end - window.start:])    # "48.2 per cent, up from 44.5 per cent"
        if before is not None:
            start = span.end + before.start(1)
            return replace(span, text=before.group(1), start=start, end=start + len(before.group(1)))
    if later == earlier or found is None:
        return span
    before = window.text[:span.start - window.start] if window is not None else ""
    if not (span.text.lower().startswith("from ") or re.search(r"\bfrom\s+$", before, re.IGNORECASE)):
        return span
    group = 2 if later else 1
    start = span.start + found.start(group)
    return replace(span, text=found.group(group), start=start, end=start + len(found.group(group)))
