"""What a question asks for, read from its words alone: the types an answer may have (who -> a person or body,
where -> a place, how many -> a number, how old -> an age; ``expected_type``), the kind or title it names ("Which
jockey ...?", "Who was the Conservative candidate?"), and the names it holds. The answer side (what a span is, whether
it fits) is ``rag.answer_types``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
    "builder trustee headteacher headmaster headmistress principal vice-chancellor registrar curator skipper "
    "deckhand ranger owner proprietor trainer jockey referee umpire driver pilot clerk mechanic carpenter "
    "labourer shearer veterinarian vet microbiologist physiotherapist therapist psychologist psychiatrist "
    "magistrate warden investor volunteer apprentice presenter producer composer musician "
    "vocalist frontman frontwoman novelist poet playwright designer physicist chemist biologist ecologist "
    "geologist historian archaeologist tutor convenor organiser coordinator administrator physician specialist "
    "technician winemaker fisherman businessman businesswoman restaurateur publican lobbyist unionist "
    "champion medallist rider cyclist runner athlete swimmer rower golfer sprinter cricketer batsman batter bowler "
    "striker winger goalkeeper midfielder defender halfback fullback boxer sailor".split())
# a person's noun a name may qualify: "the 24-year-old Fenwick-Lomond Cycling rider", "the Athlone man"
PERSON_NOUN = "|".join(sorted(ROLE_WORDS | set("man woman boy girl teen teenager mother father son daughter "
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
MONEY_QUESTION = re.compile(
    r"^(?!.*\b(?:rise|rises|rose|risen|rising|increase|increases|increased|increasing|fall|falls|fell|fallen|"
    r"falling|drop|drops|dropped|grow|grows|grew|grown|climb|climbs|climbed|jump|jumps|jumped|soar|soared|surge|"
    r"surged|decrease|decreased|decline|declined|(?:go|goes|going|went|gone)\s+(?:up|down)|(?:come|came)\s+down|"
    r"change|changed)\b)"          # a change: often in per cent
    r".*(?:\bhow much (?:(?:prize|reward|bonus|transfer|redundancy|severance)\s+)?(?:money|profit|revenue|funding|cash|debt|compensation|reparation|tax|income|rent|salary|"
    r"capital|investment|damages)\b"
    r"|\bhow much\b(?!\s+(?:of|more|less)\b).*\b(?:cost|costs|costing|pay|paid|pays|earn|earned|earns|spend|spent|"
    r"spends|charge|charged|charges|owe|owed|owes|sell for|sold for|fetch|fetched|worth|offering|offered|bid|"
    r"bidding)\b)")
# "What is the median house price in Maitland?", "What price per share did Granite Peak offer?": a price or fee
# named as what is asked is a sum of money (54 of 57 such SQuAD train questions); not a change in it ("the price
# rise") nor a thing said of it ("the price of beer versus ..."); "What fine was imposed on the company?" too
_PRICE_ASKED = re.compile(r"^what\s+(?:(?:is|was|are|were|will\s+be)\s+(?:the|its|their|his|her|[\w-]+['’]s)\s+"
                          r"(?:[\w-]+\s+){0,3}?(?:price|cost|fee|fare|salary|wage|valuation|prize\s+money|purse|payout|"
                          r"fine|budget|rent)s?(?:\s+(?:of|for|in|per|at|on)\b[^?]*)?\s*\??$|(?:price|sum|fine|fee|fare)s?(?![\w-]))")
# sums a question may name as what it asks ("How much prize money ...?", "How large is the grant?"); "money", "cash"
# name every sum (``amounts.prefer_sum_of`` takes the one written with the noun)
SUM_NOUNS = ("grant|loan|fine|bail|bonus|payout|subsidy|prize|compensation|donation|budget|salary|fee|deficit|"
             "surplus|profit|loss|debt|settlement|reward|sponsorship|investment|dividend|overrun|funding|bid|offer|"
             "levy|rebate|refund|allowance|pension|wage|damages|redundancy|severance|purse|windfall|jackpot")
# "How large is the government grant?": the size of a sum is money
_SIZE_OF_SUM = re.compile(r"^how\s+(?:large|big|small)\s+(?:is|was|are|were|will\s+be)\s+(?:the|its|their|his|her|"
                          rf"[\w-]+['’]s)\s+(?:[\w-]+\s+){{0,3}}?(?:{SUM_NOUNS}|pay\s+rise)(?:s|es)?\b")
# "how many <things>": a count, which no sum of money answers ("dollars", "euros" asked are money)
HOW_MANY = re.compile(r"\bhow many\b(?!\s+(?:[\w-]+\s+)?(?:dollars|euros|cents|pounds)\b)", re.IGNORECASE)
# (pattern on the lower-cased question, types, name), first match wins
_PATTERNS: list[tuple[re.Pattern[str], frozenset[str], str]] = [
    (re.compile(r"\bhow (old|young)\b|\bwhat age\b|\bat what age\b"), AGE, "age"),
    (MONEY_QUESTION, MONEY, "money"),
    (_PRICE_ASKED, MONEY, "money"),
    # "What did it cost the school to put on the show?", "What will the new bridge cost?": a sum
    (re.compile(r"^\W*what\s+(?:did|does|do|will|would|could|might|has|have|had)\s+(?:[\w'’&.-]+\s+){1,8}?cost\b"
                r"(?!\s+(?:[\w'’-]+\s+){0,3}?in\s+(?:jobs|lives|time|votes)\b)"), MONEY, "money"),
    (_SIZE_OF_SUM, MONEY, "money"),
    # "How much does the brooch weigh?", "How tall is the tower?": a measure, which no amount of money is
    # ("How high / far did the shares go?" may ask for money)
    (re.compile(r"\bhow much\b.*\bweigh(?:s|ed)?\b|\bhow (?:heavy|tall|deep|wide)\b"), COUNT - {"PERCENT"}, "measure"),
    (HOW_MANY, COUNT, "number"),
    # "By how much in percentage terms did spending grow?": a rise in per cent, not the sums it rose between
    (re.compile(r"\bhow much\b.*\bin\s+(?:percentage|per\s*cent(?:age)?)\s+terms\b"), frozenset({"PERCENT"}),
     "percentage"),
    (re.compile(r"\bhow (many|much)\b"), NUMBER, "number"),
    (re.compile(r"\bhow (?:often|frequently)\b"), FREQUENCY, "frequency"),
    (re.compile(r"\bhow long\b"), DURATION, "duration"),
    # "What sentence did Prescott get?": a term of years ("four years and three months"), not the crime
    (re.compile(r"^\W*what\s+(?:jail\s+|prison\s+)?(?:sentence|term)\s+(?:did|was|has|had|will|is)\b.*\b(?:get|got|"
                r"given|receive|received|serve|serving|impose|imposed|hand|handed|face|facing|jailed|sentenced)\b"),
     DURATION, "duration"),
    (re.compile(r"^(when)\b|\bwhen (did|does|do|was|were|is|will|had|has)\b"), TIME, "time"),
    # "At what time did the outage begin?": a time on the clock ("5.12am"), not "summer afternoon"
    (re.compile(r"^\W*(?:at\s+)?(?:(?:roughly|about|approximately|around|exactly|precisely)\s+)?what\s+time\b"
                r"(?!\s+(?:of|fram\w*|period|span|zone|limit)\b)"), TIME, "clock"),   # not "What time frame ...?"
    # "Where did the Kingfishers finish on the table?": a standing ("14th", "second"), not a place
    (re.compile(r"^where\b.*\b(?:finish|finished|finishes|sit|sits|sat|placed|rank|ranked|ranks|lie|lies|lay|"
                r"stand|stands|stood|come|came|comes|drop|drops|dropped|move|moves|moved|climb|climbs|climbed|"
                r"slip|slips|slipped)\b.*\b(?:table|ladder|league|standings|competition|championship|race|field|"
                r"poll|rankings|classification|overall|leaderboard|order)\b"), frozenset({"ORDINAL"}), "standing"),
    (re.compile(r"^where\b|\bwhere (did|does|do|was|were|is|are|will)\b"), PLACE | ORG, "place"),
    # "In which quarter did the Harriers take the lead?": a part of a game in order ("third"), not "14-11"; a
    # year's quarter may be a date ("the September quarter")
    (re.compile(r"^\W*(?:in|during)\s+(?:which|what)\s+(?:quarter|half|innings|lap|set|minute)\b"),
     frozenset({"ORDINAL", "DATE"}), "part"),
    # "What was Ella Prowse's world ranking?": a place in an order ("612th"), most often (22 of 29 SQuAD train
    # questions asking someone's ranking); not a "high-ranking official" nor a rank held ("Major General")
    (re.compile(r"^\W*what\s+(?:is|was|are|were)\b.*(?:['’]s\s+(?:[\w-]+\s+)?ranking|\branking\s+of)\b"),
     frozenset({"ORDINAL"}), "ranking"),
    # "What was the Powerball number?", "What is zinc's atomic number?": a number (16 of 20 such SQuAD train
    # questions; not "the number one export" nor "the number of ...", a count the patterns above ask)
    (re.compile(r"^\W*what\s+(?:is|was|are|were)\s+(?:the|its|their|his|her|[\w-]+['’]s)\s+(?:[\w-]+\s+){0,2}"
                r"number\b(?!\s+(?:of|one|two|\d)\b)"), NUMBER, "number"),
    # "Who is X?" asks for a description of X, not for a name: no type
    (DESCRIBES, frozenset(), "description"),
    # "As of 1910, who had ...?", "Against whom was ...?"; not a relative clause ("the minister who will decide")
    (re.compile(r"^(who|whom|whose)\b|(?:,\s*|\b(?:to|by|with|for|from|against|of|on|at)\s+)(who|whom) "
                r"(did|does|do|was|is|has|had|will|would)\b"), PERSON_OR_ORG, "person"),
]
_WHICH = re.compile(r"\b(?:which|what)\s+")
# "What is the name of the advocate ...?", "What was the team's name?"; a list ("Name three ...") is not
NAME_QUESTION = re.compile(r"^(?:what|which)\b.*\b(?:the|its|his|her|their|\w+'s)\s+(?:\w+\s+)?names?"
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


# "What is the age of X?", "What age is X?": an age asked in other words than "How old is X?"
_AGE_OF = re.compile(r"^\W*[Ww]hat\s+(?:(?P<verb>is|was)\s+the\s+age\s+of|age\s+(?P<verb2>is|was))\s+(?P<who>.+?)\s*\??\s*$")


def read_as_how_old(question: str) -> str:
    """"What is the age of Whakamoana deputy mayor Sione Lātū?" / "What age is Neil Pagan, secretary of ...?" ->
    "How old is ...?": the reader, trained on SQuAD's wording, is much surer of an age asked so (0.03 against
    0.0002 for "Sione Lātū, 44,"); other questions as they are."""
    found = _AGE_OF.match(question)
    if found is None:
        return question
    return f"How old {found.group('verb') or found.group('verb2')} {found.group('who')}?"


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
    named = NAME_QUESTION.search(lower)
    if named:   # the name of a kind of thing the question names ("of the employment advocate"), else any name
        return _head_type(lower[named.end():]) or Expected("name", NAME)
    match = _WHICH.search(lower)
    return _head_type(lower[match.end():]) if match else None


def _head_type(rest: str) -> Expected | None:
    """The first of the next three words that names a kind of thing: "former whip ..." -> whip, "which year's
    election" -> year; not an owner further on ("What was the company's after-tax profit?" asks for no company)."""
    words = re.findall(r"[a-z-]+(?:['’]s\b)?", rest)
    for at, word in enumerate(words[:3]):
        owner = word[-2:] in ("'s", "’s")        # "Which team's captain ...?" asks for the team
        if owner:
            if at:
                continue
            word = word[:-2]
        for form in (word, word[:-1] if word.endswith("s") else word):
            if form in _NOUN_TYPES:
                after = words[at + 1] if at + 1 < len(words) else ""
                person = next((f for f in (after, after[:-1]) if _NOUN_TYPES.get(f) == PERSON), None)
                if person is not None and not owner and _NOUN_TYPES[form] != PERSON and "of" not in words[:at]:
                    return Expected(person, PERSON)     # "Which union organiser ...?": a person of a body
                return Expected(form, _NOUN_TYPES[form])
    return None


NAME_SMALL_WORDS = frozenset("of the and de la von van du des for in on at to a an".split())
_NAME_WORD = re.compile(r"(?<!^)(?<![.?!] )\b([A-Z][\w’'-]{2,})")


def question_names(question: str) -> list[str]:
    """The capitalised words of a question after its first word ("Lewis", "Cup"), possessives cut."""
    return [w.removesuffix("'s").removesuffix("’s") for w in _NAME_WORD.findall(question.strip())]


# "Which firm ...?": the kind of thing asked for (its noun, after "which" / "what")
KIND_ASKED = re.compile(r"^\W*(?:which|what)\s+([a-z]+)\b", re.IGNORECASE)
# words after "what" that ask no kind of thing ("What is ...?", "What did ...?", "What kind of ...?")
_NO_KIND = frozenset("is are was were be been am do does did has have had will would can could shall should may "
                     "might must kind sort type sorts kinds types".split())


def kind_asked(question: str) -> str | None:
    """The kind of thing a "Which/What <kind> ...?" question asks for ("Which jockey rode ...?" -> "jockey"),
    or None."""
    found = KIND_ASKED.match(question)
    if found is not None and found.group(1)[:1].isupper():     # "Which Magpies winger ...?": the team's winger
        owned = _KIND_OF_NAMED.match(question)
        return owned.group(1) if owned is not None and owned.group(1) in ROLE_WORDS else None
    kind = found.group(1).lower() if found else None
    return kind if kind is not None and kind not in _NO_KIND else None


# "Which Magpies winger scored ...?": a kind of person after the name of what they belong to
_KIND_OF_NAMED = re.compile(r"^\W*(?i:which|what)\s+(?:[A-Z][\w'’.&-]*\s+){1,3}([a-z]+)\b")


# "Who was the Conservative candidate?", "Who is the Harbour coach?": a title asked of no one named
_TITLE_ASKED = re.compile(r"^\W*[Ww]ho\s+(?:is|was)\s+the\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)\s*\??\s*$")


def title_asked(question: str) -> str | None:
    """The title a "Who is/was the <title>?" question asks who holds ("Conservative candidate"), or None."""
    found = _TITLE_ASKED.match(question)
    return found.group(1) if found is not None else None
