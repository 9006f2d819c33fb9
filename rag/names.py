"""Names: a person asked about by one name ("Who is Sharma?") read as the whole name the corpus gives
them ("Who is Gaurav Sharma?").

News introduces a person once with the whole name and what they are ("Renegade MP Gaurav Sharma
...") and afterwards says "Dr Sharma" or "he". A question that names them by surname alone matches
every later sentence as well as the one that says who they are, so retrieval rarely brings that one
and the reader refuses; with the given name the introduction ranks first. The whole name is the one
run of capitalised words the corpus writes next to the word (titles and roles such as "Dr", "Prime
Minister", "MP" are not part of it); a word the corpus writes with two or more different names
("Smith": "Ann Smith", "Tom Smith") is left as it is, as is one written with none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from rag.question_types import DESCRIBES, ROLE_WORDS, asks_role

# words written capitalised next to a name that are not part of it: titles, and what starts a sentence
HONORIFICS = frozenset("mr mrs ms miss mx dr sir dame prof professor rev reverend hon honourable".split())
TITLES = HONORIFICS | frozenset("lord lady st saint prime deputy former incoming outgoing acting".split()) | ROLE_WORDS
_NOT_NAMES = frozenset(
    "the a an and but or so if as at by for from in into of on to with without after before when while "
    "although though since until despite under over about against according asked speaking meanwhile "
    "however yesterday today tonight tomorrow earlier later last next this that these those there here "
    "he she they we i it his her their our my your its mon tue wed thu fri sat sun monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december".split()) | TITLES
_UPPER = "A-ZÀ-ÖØ-ÞĀĒĪŌŪ"
_WORD = rf"[{_UPPER}][\w'’-]*"
_TOKEN = re.compile(r"[\w'’-]+")
MAX_MENTIONS = 2000    # sentences looked at per word: enough to see that a common surname is ambiguous
MAX_GENDER_PARSES = 20    # sentences parsed to tell a person's gender by pronouns (about 10 ms each)


def bare(name: str) -> str:
    """A name without its possessive ending ("Sharma's" -> "Sharma")."""
    return name.removesuffix("'s").removesuffix("’s")


def whole_names(word: str, sentences: Iterable[str]) -> dict[str, int]:
    """The whole names the sentences write ``word`` in, with how often: given names before it
    ("Gaurav Sharma" around "Sharma"), or a surname after it ("Kieran McAnulty" around "Kieran").
    Titles, roles and common words capitalised because they start a sentence are not names: "Prime
    Minister Jacinda Ardern" gives "Jacinda Ardern", "Dr Sharma" and "Yesterday Sharma" nothing.
    Another word at a sentence's start is taken as a name: two names make a word ambiguous, and
    leaving a question as it is costs less than completing it wrongly."""
    before = re.compile(rf"((?:{_WORD}\s+){{1,3}}){re.escape(word)}(?:'s|’s)?(?![\w'’-])")
    after = re.compile(rf"(?<![\w'’-]){re.escape(word)}((?:\s+{_WORD}){{1,2}})\b")
    found: dict[str, int] = {}
    for text in sentences:
        for match in before.finditer(text):
            given = []
            for w in reversed(match.group(1).split()):
                if w.lower().strip("'’") in _NOT_NAMES:
                    break
                given.insert(0, w)
            if given:
                name = " ".join([*given, word])
                found[name] = found.get(name, 0) + 1
        for match in after.finditer(text):
            rest = []
            for w in match.group(1).split():
                base = bare(w)
                if base.lower() in _NOT_NAMES:
                    break
                rest.append(base)
                if base != w:
                    break
            if rest:
                name = " ".join([word, *rest])
                found[name] = found.get(name, 0) + 1
    return found


def untitled(text: str) -> list[str]:
    """The words of a text that may be part of a name: titles and roles ("Dr", "MP", "Prime
    Minister") and "the" left out, possessive endings cut ("the Prime Minister's" -> [])."""
    return [w for w in map(bare, _TOKEN.findall(text)) if w.lower() not in TITLES and w.lower() != "the"]


def _part(group: str) -> str:
    return rf"(?P<{group}>first|given|christian|full|last|family|sur)\s*-?\s*name"


# "What is Sharma's first name?", "What's the full name of Ardern?": the part asked, and whose name
_NAME_PART = re.compile(rf"^\W*what(?:'s|’s|\s+is|\s+was)\s+(?:(?P<owner>.+?)(?:'s|’s)\s+{_part('part')}"
                        rf"|(?:(?:the|her|his|their)\s+)?{_part('part2')}\s+of\s+(?P<owner2>.+?))"
                        rf"\s*\??\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NamePart:
    """What a name-part question asks: ``kind`` "first", "last" or "full" of ``owner``'s name, where
    ``owner`` is a name ("Jacinda Ardern", ``named``) or a description or role ("the chief engineer",
    "the Prime Minister"), whom the reader finds (``read_as_who``) before the part is cut from the name
    it answers."""

    kind: str
    owner: str
    named: bool


def name_part(question: str) -> NamePart | None:
    """The part of a person's name a question asks for ("What is Jacinda Ardern's first name?" ->
    first of "Jacinda Ardern", named); None for any other question."""
    found = _NAME_PART.match(question)
    if found is None:
        return None
    part = (found.group("part") or found.group("part2")).lower()
    owner = (found.group("owner") or found.group("owner2")).strip()
    kind = "first" if part in ("first", "given", "christian") else "full" if part == "full" else "last"
    words = untitled(owner)      # a name ends in no title or role ("the Health Minister" is a role)
    named = bool(words) and all(_capital(w) for w in words) and bare(owner.split()[-1]).lower() not in TITLES
    return NamePart(kind, owner, named)


def read_as_who(question: str) -> str:
    """"What is the chief engineer's last name?" -> "Who is the chief engineer?": the question the
    reader reads for a name part of someone described, as it finds a person far better than a part
    of a name, which it never learnt (the part is cut from its answer); other questions as they are."""
    part = name_part(question)
    if part is None or part.named:
        return question
    verb = "was" if re.match(r"\W*what\s+was\b", question, re.IGNORECASE) else "is"
    return f"Who {verb} {part.owner}?"


def part_of(name: str, kind: str) -> tuple[int, int]:
    """Offsets in a whole name of its ``kind`` part: the first word, the last word, or all of it."""
    words = list(re.finditer(r"\S+", name))
    if kind == "first":
        return words[0].span()
    if kind == "last":
        return words[-1].span()
    return 0, len(name)


def part_in(text: str, owner: str, kind: str) -> tuple[int, int] | None:
    """Offsets in ``text`` of the ``kind`` part of the whole name it writes for ``owner`` ("first" of
    "Sharma" in "Renegade MP Gaurav Sharma has ..." -> "Gaurav"); None when it writes none, or the
    owner is a role ("the Prime Minister")."""
    words = untitled(owner)
    if not words or not _capital(words[-1]):
        return None
    for name in whole_names(words[-1], [text]):
        at = text.find(name)
        if at >= 0 and all(w in name.split() for w in words):    # not when written over a line break
            lo, hi = part_of(name, kind)
            return at + lo, at + hi
    return None


def complete(question: str, mentions: Callable[[str], Iterable[str]]) -> str:
    """"Who is Sharma?" -> "Who is Gaurav Sharma?" when the sentences ``mentions(word)`` gives (those
    holding the word) write it in one whole name only; any other question as it is. Only "Who is X?",
    "What is X's role?" and "What is X's first name?" questions are completed, as they ask what the
    introduction says: elsewhere a bare capitalised word is as often a place or a thing ("Warsaw",
    "Tesla") whose longer names are other things ("Warsaw Pact"), and completing every question lost
    more answers than it won."""
    part = name_part(question)
    if not (DESCRIBES.match(question) or asks_role(question) or (part is not None and part.named)):
        return question
    found = _bare_name(question)
    if found is None:
        return question
    start, end = found
    word = question[start:end].split()[-1]
    names = whole_names(word, mentions(word))
    if len(names) != 1:
        return question
    (name,) = names
    return question[:start] + name + question[end:]


_ORG = r"(?P<org>[A-Z][\w'’&.-]*(?:\s+(?:of\s+)?[A-Z][\w'’&.-]*)*)"
_ROLE = r"(?P<role>(?:[\w-]+\s+){0,3}?(?P<head>[\w-]+))"
# what a question may add after the body: ", which runs the marina", " in Geelong"
_AFTER_BODY = r"(?:\s*,\s*(?:which|who|whose|that)\b.*|\s+(?:in|near)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)?\s*\??\s*$"
# "Who is the chief executive of Air Aotearoa?", "Who is president of the Horsham Swimming Club?", "Who is the
# library manager for Timaru District Libraries?", "Who is Air Aotearoa's chief executive?"
_ROLE_OF = (re.compile(rf"^\W*[Ww]ho\s+(?P<verb>is|was)\s+(?:the\s+)?{_ROLE}\s+(?:of|at|for)\s+(?:the\s+)?{_ORG}"
                       + _AFTER_BODY),
            re.compile(rf"^\W*[Ww]ho\s+(?P<verb>is|was)\s+(?:the\s+)?{_ORG}['’]s?\s+{_ROLE}" + _AFTER_BODY))
# "Who chairs the Tawhiti Forest Restoration Trust?": the post a verb of holding it names, as the text writes it
# beside the holder ("Trust chairwoman Anahera Smith"; "lead" in "project leader", "coach" in "head coach")
_HOLDING = {"chairs": "chair", "coordinates": "coordinator", "leads": "lead", "coaches": "coach",
            "captains": "captain", "heads": "head", "manages": "manager", "directs": "director"}
_HOLDS = re.compile(rf"^\W*[Ww]ho\s+(?P<act>{'|'.join(_HOLDING)})\s+(?:the\s+)?{_ORG}" + _AFTER_BODY)


@dataclass(frozen=True)
class RoleOf:
    """A question asking who holds a role in a named body, read without the body: ``question`` ("Who is the
    chief executive?"), ``role`` ("chief executive") and ``body`` ("Air Aotearoa")."""

    question: str
    role: str
    body: str


def role_of(question: str) -> RoleOf | None:
    """"Who is the chief executive of Air Aotearoa?" -> ("Who is the chief executive?", "Air Aotearoa"): news
    names a company once and its people by role alone ("Chief executive Greg Foran said ..."), and the
    reader, asked of the company, finds no one in a sentence that does not name it. "Who chairs X?" is read as
    "Who is the chair?" of X. None for any other question (the role's last word must be one of ``ROLE_WORDS``);
    what the question adds after the body (", which runs the marina", "in Geelong") is left to the documents
    naming the body."""
    for pattern in _ROLE_OF:
        found = pattern.match(question)
        if found is not None and found.group("head").lower() in ROLE_WORDS:
            role = found.group("role")
            return RoleOf(f"Who {found.group('verb')} the {role}?", role, found.group("org"))
    found = _HOLDS.match(question)
    if found is not None:
        role = _HOLDING[found.group("act")]
        return RoleOf(f"Who is the {role}?", role, found.group("org"))
    return None


def titled(title: str, mentions: Callable[[str], Iterable[str]]) -> str | None:
    """The one person the corpus gives a title or role ("the Prime Minister" -> "Jacinda Ardern", of "Prime
    Minister Jacinda Ardern"; "the judge" -> "Miriam Okafor", of "Judge Miriam Okafor"; "the Harbour coach"
    -> "Brendan Kelly"), written right before their whole name; None when it writes the title before no
    name, or before two people's, or ``title`` ends in a name."""
    words = [w for w in re.findall(r"[\w'’-]+", title) if w.lower() not in ("the", "a", "an")]
    if not words or len(words) > 3 or (_capital(words[-1]) and words[-1].lower() not in TITLES):
        return None             # a name ("Brendan Kelly"), not a role ("the Harbour coach", "the Prime Minister")
    before = re.compile(r"(?<![\w'’-])(?i:" + r"\s+".join(re.escape(w) for w in words) +
                        rf")((?:\s+{_WORD}){{1,3}})")
    found: set[str] = set()
    for text in mentions(words[-1]):
        for match in before.finditer(text):
            name = [w for w in match.group(1).split() if w.lower() not in _NOT_NAMES]
            if len(name) >= 2 and all(_capital(w) for w in name):
                found.add(bare(name[-1]))
                whole = " ".join(bare(w) if i == len(name) - 1 else w for i, w in enumerate(name))
    return whole if len(found) == 1 else None


def _capital(token: str) -> bool:
    return re.match(f"[{_UPPER}]", token) is not None


def _bare_name(question: str) -> tuple[int, int] | None:
    """Where the question names someone by one capitalised word: not its first word, nor a word next
    to another capitalised one ("Gaurav Sharma" is whole already) unless that is a title ("Dr
    Sharma", then the title is included: the whole name replaces both); a possessive ending is not
    part of it. None when there is no such word."""
    tokens = list(_TOKEN.finditer(question))
    for i, token in enumerate(tokens[1:], start=1):
        word = bare(token.group(0))
        if len(word) < 3 or not _capital(word) or word.lower() in _NOT_NAMES:
            continue
        prev = tokens[i - 1].group(0)
        if i > 1 and _capital(prev) and prev.lower().rstrip(".") not in TITLES:
            continue
        if i + 1 < len(tokens) and _capital(tokens[i + 1].group(0)):
            continue
        titled = i > 1 and _capital(prev)          # "Dr Sharma" -> "Gaurav Sharma": the title goes
        return (tokens[i - 1].start() if titled else token.start()), token.start() + len(word)
    return None


# How a text tells a person's gender: a title ("Ms Ardern"), else the pronouns of sentences about them
_GENDERED_TITLES = {"ms": "f", "mrs": "f", "miss": "f", "dame": "f", "mr": "m", "sir": "m"}
_GENDERED_PRONOUNS = {"she": "f", "her": "f", "hers": "f", "herself": "f",
                      "he": "m", "him": "m", "his": "m", "himself": "m"}
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]?")


def gender(name: str, texts: Iterable[str], parse: Callable[[str], object] | None = None) -> str:
    """"f" or "m" as the texts speak of the named person, "" when they do not tell. A gendered title
    before the surname decides ("Ms Ardern", "Mr Kieran McAnulty"); without one, and with ``parse``,
    the first pronoun outside quotes after each mention of them as a subject, before any other person is
    named ("Steph Lewis has backed her caucus's decision to expel Gaurav Sharma"), when those all agree."""
    texts = list(texts)
    last = re.escape(name.split()[-1])
    titled = re.compile(rf"\b(Ms|Mrs|Miss|Dame|Mr|Sir)\.?\s+(?:[A-Z][\w'-]+\s+)?{last}\b")
    votes = {"f": 0, "m": 0}
    for text in texts:
        for found in titled.finditer(text):
            votes[_GENDERED_TITLES[found.group(1).lower()]] += 1
    if votes["f"] != votes["m"]:
        return "f" if votes["f"] > votes["m"] else "m"
    if parse is None or any(votes.values()):
        return ""
    word = re.compile(rf"\b{last}\b")
    for text in [t for t in texts if word.search(t)][:MAX_GENDER_PARSES]:
        mentions = [m.end() for m in word.finditer(text)]
        doc = parse(text)
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        others = [e.start_char for e in doc.ents if e.label_ == "PERSON" and not word.search(e.text)]
        for at in mentions:
            named = next((t for t in doc if t.idx < at <= t.idx + len(t.text)), None)
            while named is not None and named.dep_ in ("compound", "flat") and named.head.i != named.i:
                named = named.head                        # "Steph Lewis": the name's head word
            if named is None or named.dep_ not in ("nsubj", "nsubjpass"):
                continue                                  # "the events surrounding Sharma ... to her": not his
            stop = min([x for x in others if x >= at], default=len(text))   # another person: whose "her"?
            pronoun = next((t for t in doc if at <= t.idx < stop and t.lower_ in _GENDERED_PRONOUNS
                            and not any(a <= t.idx < b for a, b in quoted)), None)
            if pronoun is not None:
                votes[_GENDERED_PRONOUNS[pronoun.lower_]] += 1
    if votes["f"] and not votes["m"]:
        return "f"
    if votes["m"] and not votes["f"]:
        return "m"
    return ""
