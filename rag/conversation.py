"""Follow-up questions: replace pronouns with the person or organisation the conversation is about.

"Who is Steph Lewis?" then "What leave was she on?" becomes "What leave was Steph Lewis on?"
before retrieval, so the retriever and the reader see the name the pronoun stands for; a bare
"Why?" after "When was Sharma suspended?" becomes "Why was Sharma suspended?" ("When?" after "Who
called the meeting?" -> "When did Ms Ardern call the meeting?"; "Why not?" after a yes/no question),
and "they" after a plural answer ("screenshots") stands for it.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from rag import sources
from rag.names import bare, untitled
from rag.question_types import DESCRIBES
from rag.types import Answer

_PERSONAL = {"he", "she", "him"}
_POSSESSIVE = {"his"}
_AMBIGUOUS = {"her"}      # object or possessive: the tagger decides
_GROUP = {"they", "them", "their"}
_NAME = re.compile(r"\b(?:[A-Z][\w'’-]+)(?:\s+(?:[A-Z][\w'’-]+))+")
_SKIP_NAMES = {"Prime Minister", "New Zealand", "Labour Party", "The Prime Minister"}
# Capitalised only because they start a sentence: "Which MP", "Has Steph Lewis" are not names as such.
_LEADING = {"which", "what", "who", "whom", "whose", "when", "where", "why", "how", "the", "a", "an", "has",
            "have", "had", "did", "does", "do", "is", "was", "are", "were", "can", "could", "will", "would",
            "should", "tell", "name", "according", "after", "before", "in", "on", "at", "for", "to", "and"}


def _capitalised_names(text: str) -> list[str]:
    """Runs of two or more capitalised words, without a leading question or function word."""
    names = []
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _LEADING:
            words.pop(0)
        name = bare(" ".join(words))
        if len(words) >= 2 and name not in _SKIP_NAMES:
            names.append(name)
    return names


_ASKS_FOR_PERSON = re.compile(
    r"^\W*(?:who|whom|whose\b|(?:which|what)\s+(?:\w+\s+)?(?:mp|minister|person|man|woman|leader|politician|"
    r"member|spokesperson|spokesman|spokeswoman|staffer|advocate|official|player|author|actor|king|queen|president))\b",
    re.IGNORECASE)


_TITLES = {"mp", "minister", "party", "council", "caucus", "government", "parliament", "chronicle", "herald"}


def _named_subject(doc) -> list[str]:
    """A one-word name that is the subject or possessor in ``doc`` ("When was Sharma suspended?"),
    which neither PERSON tags (spaCy's small model calls "Sharma" a place) nor a run of capitalised
    words find; not one tagged an organisation ("Microsoft") nor a title ("Parliament"), and not the
    first word."""
    return [bare(t.text) for t in doc if t.i > 0 and t.pos_ == "PROPN" and t.dep_ in ("nsubj", "nsubjpass", "poss")
            and t.ent_type_ not in ("ORG", "NORP") and t.lower_ not in _TITLES and t.text[:1].isupper()]


def _people(doc) -> list[str]:
    """The people a parsed text names: those spaCy tags PERSON (not one right before a title: "Hamilton"
    of "West Hamilton MP Gaurav Sharma" is his seat), else runs of capitalised words not ending in a
    title, else a one-word name that is its subject (``_named_subject``)."""
    return [bare(e.text) for e in doc.ents if e.label_ == "PERSON"
            and not (e.end < len(doc) and doc[e.end].lower_ in _TITLES)] or \
        [n for n in _capitalised_names(doc.text) if n.split()[-1].lower() not in _TITLES] or \
        _named_subject(doc)


def _turn_names(nlp, question: str, answer: str, exclude: str) -> tuple[str | None, str | None]:
    """(person, group) an earlier turn is about. When its question asked for a person ("Who did
    Sharma call a bully?" -> "Mr McAnulty") the answer names the new subject, else the question
    does: a person in the answer to "Which electorate ...?" is a tagging error, not a subject, and
    "Who is Adrian Rurawhe?" is about Rurawhe, whatever its answer names.
    A person is one spaCy tags PERSON, else a run of capitalised words not ending in a title."""
    fresh = lambda name: bool(name) and name.lower() not in exclude.lower()
    docs = {text: nlp(text) for text in (question, answer) if text}          # each text parsed once
    ents = {text: doc.ents for text, doc in docs.items()}
    asks_person = _ASKS_FOR_PERSON.match(question) and not DESCRIBES.match(question)
    texts = [answer, question] if asks_person else [question]
    person = None
    for text in (t for t in texts if t):
        found = _people(docs[text]) or ([named] if text == answer and (named := _bare_answer(answer)) else [])
        person = next((n for n in found if fresh(n)), None)
        if person:
            break
    groups = [bare(e.text) for found in ents.values() for e in found if e.label_ in ("ORG", "NORP")]
    return person, next((g for g in groups if fresh(g)), None)


def _bare_answer(answer: str) -> str | None:
    """An answer to "Who ...?" that is only a name, titles aside ("Dr Sharma" -> "Sharma"): alone, the
    tagger often calls a one-word name no person, and the first word is no subject to find it by."""
    words = untitled(answer)
    if not words or len(words) > 3 or not all(w[:1].isupper() for w in words):
        return None
    return " ".join(words)


# a follow-up that is only a question word: "Why?", "And when?", "How come?", "For how long?", "How often?"
_BARE = re.compile(r"^\W*(?:(?:and|so|but|ok|okay)\W+)?(?:for\s+)?(why|when|where|how come|how long|how often|how)"
                   r"(\W+not)?(?:\W+(?:then|exactly))?\W*$", re.IGNORECASE)
_AUX = {"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "could", "can"}
_WH = {"what", "when", "where", "who", "whom", "how", "why", "which"}
_VERB_TAGS = ("VB", "VBP", "VBZ", "VBN", "VBG", "VBD")


# "What about Steph Lewis?", "And Lewis?", "How about Ardern?": the last question, about someone else;
# "What about the Chronicle?": of another outlet (group 1: "the ", only for an outlet)
_WHAT_ABOUT = re.compile(r"^\W*(?:[Ww]hat about|[Hh]ow about|[Aa]nd what about|[Aa]nd)\s+((?:the\s+)?)"
                         r"((?:[A-Z][\w'’-]*\s*){1,4}?)\W*\??\s*$")


def only_question_word(question: str) -> bool:
    """Whether a question is only a question word ("Why?", "And when?"): it asks about nothing
    unless an earlier turn says what."""
    return _BARE.match(question) is not None


def _about_other(name: str, history: Sequence[tuple[str, Answer]], nlp) -> str | None:
    """The latest question asked again about ``name``: the one person it names replaced by ``name``
    ("What did Ardern say about the whips?" + "What about Lewis?" -> "What did Lewis say about the
    whips?"). None when that question names no person, or more than one."""
    past_question, past = history[-1]
    asked = (past.resolved_question or past_question).strip()
    people = set(_people(nlp(asked)))
    if len(people) != 1 or name in people:
        return None
    (person,) = people
    return re.sub(rf"\b{re.escape(person)}\b", name, asked, count=1)


def elliptical(question: str, history: Sequence[tuple[str, Answer]], nlp,
               outlets: sources.Outlets | None = None) -> str:
    """A bare follow-up ("Why?") made whole from the latest turn: its question with the new question
    word in front, the earlier answer put where the earlier question word stood; "What about X?"
    is that question asked about X (``_about_other``), or of X when X is one of the corpus's
    ``outlets`` (``sources.asked_of``: "What about the Chronicle?").
    "Did Sharma attend the meeting?" -> "Why did Sharma attend the meeting?"; "When was Sharma
    suspended?" -> "Why was Sharma suspended?"; "Who was suspended?" ("Gaurav Sharma") -> "Why was
    Gaurav Sharma suspended?"; "Who did Sharma accuse of bullying?" ("Mr McAnulty") -> "Why did
    Sharma accuse Mr McAnulty of bullying?"; "What happened to Sharma?" ("suspended from the caucus")
    -> "Why was Sharma suspended from the caucus?". Part-of-speech tags place the answer (spaCy's parse of a
    question is less reliable than its tags). Anything else is returned as it is: a follow-up to a
    refused wh-question, one without a main verb ("What is the capital?"), a longer question."""
    other = _WHAT_ABOUT.match(question)
    if other and history:
        past_question, past = history[-1]
        name = other.group(2).strip()
        of_outlet = None if outlets is None else \
            sources.asked_of(past.resolved_question or past_question, other.group(1) + name, outlets)
        if of_outlet is not None or other.group(1):     # "the X" that is no outlet: not a person either
            return of_outlet or question
        return _about_other(name, history, nlp) or question
    bare = _BARE.match(question)
    if not bare or not history:
        return question
    wh = "Why" if bare.group(1).lower() == "how come" else bare.group(1).capitalize()
    past_question, past = history[-1]
    asked = (past.resolved_question or past_question).strip().rstrip("?").strip()
    words = [t for t in nlp(asked) if not t.is_punct]
    answer = "" if past.abstained else past.text.strip()
    if not words:
        return question
    happened = re.match(r"(?i)^what\s+happened\s+to\s+(.+)$", asked)
    if happened and answer:
        return f"{wh} was {happened.group(1)} {answer}?" if nlp(answer)[0].tag_ == "VBN" else question
    if words[0].lower_ in _AUX:                          # a yes/no question: ask why (when, ...) it is so
        if bare.group(2):                                # "Why not?": why it is not so
            verb = next((t for t in words[1:] if t.tag_ in ("VB", "VBN", "VBG")), None)
            if verb is None:   # the tagger may call the verb a noun ("Did Lewis comment ..."): the word after the name
                verb = _after_name(words[1:])
            if verb is None:
                return question
            return f"{wh} {asked[0].lower()}{asked[1:verb.idx]}not {asked[verb.idx:]}?"
        return f"{wh} {asked[0].lower()}{asked[1:]}?"
    if bare.group(2):
        return question                                  # "Why not?" after a wh-question: nothing to negate
    subject_asked = _subject_question(words, asked, answer, wh, nlp)
    if subject_asked:
        return subject_asked
    at = next((i for i in (1, 2) if i < len(words) and words[i].lower_ in _AUX), None)   # "How long did"
    if words[0].lower_ not in _WH or at is None or at + 1 >= len(words) or not answer:
        return question
    aux, after = words[at], words[at + 1:]
    rest = asked[after[0].idx:]
    asks_thing = words[0].lower_ in ("who", "whom", "what", "which")
    if after[0].tag_ in _VERB_TAGS:
        if asks_thing:
            rest = f"{answer} {rest}"                     # "Who was suspended?": the answer was the subject
    elif not any(t.tag_ in _VERB_TAGS for t in after):
        return question                                   # "What is the capital of France?": no act to ask about
    elif asks_thing and after[-1].tag_ == "IN":
        rest = f"{rest} {answer}"                         # "What was Sharma accused of?": the object it strands
    elif asks_thing and aux.lower_ in ("did", "does", "do"):
        # "Who did Sharma accuse of bullying?": the answer goes after the verb that follows a named
        # subject (the tagger may call that verb a noun, so it is found by position, not by tag)
        verb = _after_name(after)
        if verb is not None:
            cut = verb.idx + len(verb.text) - after[0].idx
            rest = f"{rest[:cut]} {answer}{rest[cut:]}"
    return f"{wh} {aux.lower_} {rest}?"


def _after_name(tokens):
    """The word right after the named subject that ``tokens`` open with ("Sharma accuse ...",
    "Soraya Peke-Mason comment ..."): the verb, found by position since the tagger may call it a
    noun. None when they open with no name or hold nothing after it."""
    named = 0
    while named < len(tokens) and tokens[named].tag_ in ("NNP", "NNPS", "DT", "POS", "HYPH"):
        named += 1
    if 0 < named < len(tokens) and any(t.tag_ in ("NNP", "NNPS") for t in tokens[:named]):
        return tokens[named]
    return None


_DO_SUPPORT = {"VBD": "did", "VBZ": "does", "VBP": "do"}


def _base_form(token, nlp) -> str:
    """A verb's base form ("called" -> "call") by the pipeline's lemmatizer, which rag.nlp loads but
    leaves off; "" when the pipeline has none."""
    if "lemmatizer" not in nlp.component_names:
        return ""
    return nlp.get_pipe("lemmatizer")(token.doc)[token.i].lemma_


def _subject_question(words, asked: str, answer: str, wh: str, nlp) -> str | None:
    """A bare follow-up to a question whose question word was the subject of its main verb: "Who
    called the secret meeting?" ("Ms Ardern") + "When?" -> "When did Ms Ardern call the secret
    meeting?"; "Which MP backed the decision?" likewise; "How many nurses went on strike?" + "Why?" ->
    "Why did nurses go on strike?" (the count is not who acted). None for any other question."""
    counted = len(words) > 2 and words[0].lower_ == "how" and words[1].lower_ in ("many", "much")
    if not (answer or counted) or (words[0].lower_ not in ("who", "which", "what") and not counted):
        return None
    at = 2 if counted else 1
    if words[0].lower_ != "who":            # "Which MP", "What outlet", "How many nurses": the noun phrase
        first = at
        while at < len(words) and words[at].tag_ in ("NN", "NNS", "NNP", "NNPS", "JJ"):
            at += 1
        if at == first:
            return None
    if at + 1 >= len(words) or words[at].tag_ not in _DO_SUPPORT or words[at].lower_ in _AUX:
        return None
    verb = _base_form(words[at], nlp)
    if not verb:
        return None
    # "How many nurses went on strike?" + "Why?" -> "Why did nurses go on strike?": the count is not the act
    subject = asked[words[2].idx:words[at].idx].strip() if counted else answer
    return f"{wh} {_DO_SUPPORT[words[at].tag_]} {subject} {verb} {asked[words[at + 1].idx:]}?"


def _plural_answer(turn: tuple[str, Answer], nlp) -> str | None:
    """What "they" / "them" most likely stand for after a "What ...?" turn answered with a plural noun
    phrase ("What did Sharma release?" -> "screenshots": "Who were they from?" -> "Who were the
    screenshots from?"), or None."""
    question, past = turn
    if past.abstained or not re.match(r"\W*what\b", past.resolved_question or question, flags=re.IGNORECASE):
        return None
    doc = nlp(past.text.strip())
    if len(doc) == 0 or len(doc) > 6 or doc[-1].tag_ not in ("NNS", "NNPS") or any(t.pos_ == "VERB" for t in doc):
        return None
    return doc.text if doc[0].tag_ in ("DT", "PRP$", "CD") else f"the {doc.text}"


_PRONOUN_GENDER = {"she": "f", "her": "f", "he": "m", "him": "m", "his": "m"}
MAX_TURNS_BACK = 10      # turns looked back for a person of a pronoun's gender (the first person: any way back)


def resolve(question: str, history: Sequence[tuple[str, Answer]], nlp,
            outlets: sources.Outlets | None = None, gender_of: Callable[[str], str] | None = None) -> str:
    """The question with third-person pronouns replaced by the latest fitting name in history, and a
    bare follow-up ("Why?", "What about the Chronicle?") made whole from the turn before (``elliptical``).
    ``gender_of`` ("f", "m" or "" for a name, as the corpus speaks of the person) keeps "she" from
    standing for a man named later ("Who is the bank's chief executive?" -> "Who sentenced Ellison?" ->
    "What did she say?": not Ellison); a pronoun no fitting name is found for stays as it is."""
    if not history:
        return question
    whole = elliptical(question, history, nlp, outlets)
    if whole != question:
        return whole
    doc = nlp(question)
    pronouns = [t for t in doc if t.lower_ in _PERSONAL | _POSSESSIVE | _AMBIGUOUS | _GROUP]
    if not pronouns:
        return question
    person = group = None
    things = next(filter(None, (_plural_answer(turn, nlp) for turn in reversed(history[-2:]))), None)
    gendered = gender_of is not None and any(t.lower_ in _PRONOUN_GENDER for t in pronouns)
    people: list[str] = []          # whom the turns are about, latest first
    for back, (past_question, past) in enumerate(reversed(history)):
        found_person, found_group = _turn_names(nlp, past.resolved_question or past_question, past.text, question)
        if not people:
            group = group or found_group
        if found_person and found_person not in people:
            people.append(found_person)
        if people and (not gendered or back >= MAX_TURNS_BACK):
            break

    def person_for(pronoun: str) -> str | None:
        """The latest person the pronoun may stand for: of its gender, or of one the corpus does not tell."""
        wanted = _PRONOUN_GENDER.get(pronoun)
        if wanted is None or gender_of is None:
            return people[0] if people else None
        return next((p for p in people if gender_of(p) in ("", wanted)), None)

    out: list[str] = []
    for token in doc:
        lower = token.lower_
        replacement = None
        person = person_for(lower) if lower in _PERSONAL | _POSSESSIVE | _AMBIGUOUS else None
        if person and lower in _PERSONAL:
            replacement = person
        elif person and lower in _POSSESSIVE:
            replacement = f"{person}'s"
        elif person and lower in _AMBIGUOUS:
            replacement = f"{person}'s" if token.tag_ == "PRP$" else person
        elif things and lower in ("they", "them"):
            replacement = things
        elif group and lower in _GROUP:
            replacement = f"{group}'s" if lower == "their" else group
        out.append((replacement or token.text) + token.whitespace_)
    return "".join(out)
