"""Who said it: an answer to "What did Ardern say about ...?" must be something Ardern said.

News articles quote several people side by side, and the reader, trained on SQuAD's single-voice
paragraphs, picks what fits the question's words whoever said it: "What did Ardern say about
Sharma's allegations?" answered *the result was predetermined*, which Sharma said ("Dr Sharma
then chose against attending ..., saying the result was predetermined"). Here the question's
speaker (the named subject of its speech verb) is compared with the speaker of each candidate span
(the named subject of the speech verb that governs the span in its sentence), and a span someone
else says is no candidate. Only a clash of two names counts: a title ("the Prime Minister said") or
no speech verb at all leaves the span as it was, since those may well be the asked person. Words a
sentence leaves unattributed ('"...," she said.', a quoted paragraph running on) are given to the
name ``sayer`` finds for them earlier in the document, which also answers "Who said ...?". The same
clash rules out a clause about someone else for a question whether or what a named person did ("Did
Lewis experience bullying?" is not answered by "Rurawhe said he had experienced no bullying").
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from rag.ages import BY_AGE
from rag.answer_types import MISFIT_PENALTY
from rag.clauses import LIGHT_VERBS, governing_verb, stem, stems
from rag.credits import is_credit
from rag.echoes import plain
from rag.names import gender
from rag.question_types import PERSON_OR_ORG, expected_type, question_names
from rag.types import Sentence, Span, Window

# speech and claim verbs, by ``clauses.stem`` (the pipeline has no lemmatizer)
SPEECH = frozenset(stem(w) for w in (
    "say", "said", "tell", "told", "claim", "argue", "describe", "label", "add", "note", "explain", "insist",
    "admit", "deny", "suggest", "warn", "state", "write", "wrote", "accuse", "allege", "announce", "believe",
    "think", "thought", "reply", "respond", "comment", "complain", "criticise", "criticize", "praise",
    "tweet", "post", "report", "confirm", "reveal", "acknowledge", "concede", "stress", "maintain"))
# words of a name that do not tell two people apart
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "prof", "professor", "prime", "minister",
                     "mp", "president", "leader", "chief", "whip", "deputy", "the", "labour", "party"})
_NAMED = frozenset({"PERSON", "ORG", "NORP"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_QUOTES = ('"', "\u201c", "\u201d")


def _inside_quote(text: str, at: int) -> bool:
    """Whether a quote is open at character ``at`` of ``text``: an odd number of quotation marks before it."""
    return sum(text[:at].count(q) for q in _QUOTES) % 2 == 1


def _opens_quote(text: str) -> bool:
    return text.lstrip()[:1] in _QUOTES


def _speaks(text: str) -> bool:
    """Whether ``text`` holds a speech word at all: most questions do not, and need no parse here."""
    return any(stem(w) in SPEECH for w in re.findall(r"[A-Za-z]+", text))


def _is_speech(token) -> bool:
    return token.pos_ in ("VERB", "AUX") and stem(token.text) in SPEECH


def _subject(verb):
    """The subject of ``verb``, or of the verb it hangs from when it has none ("..., saying X": the
    one who chose is the one who said), or None."""
    for node in (verb, verb.head):
        found = next((c for c in node.children if c.dep_ in _SUBJECTS), None)
        if found is not None:
            return found
        if node.head.i == node.i or node.dep_ not in ("advcl", "conj", "xcomp"):
            break
    return None


def _name_words(tokens) -> frozenset[str]:
    return frozenset(t.text.lower().removesuffix("'s").removesuffix("’s") for t in tokens
                     if t.pos_ == "PROPN" and t.text.lower() not in _TITLES)


def asks_words(question: str, parse: Callable[[str], object]) -> bool:
    """Whether the question asks what was said ("What did the Prime Minister say about ...?"): its
    answers are statements, and two different ones from two outlets are two things said, not a
    contradiction (as for why / how questions)."""
    if not re.match(r"\W*what\b", question, flags=re.IGNORECASE) or not _speaks(question):
        return False
    return any(_is_speech(t) and t.dep_ == "ROOT" for t in parse(question))


# a question that ends on a verb of saying or believing, or on what the words were about (not every SPEECH
# verb: "What did the company announce?" asks for a thing, "the iPhone")
_STATEMENT = re.compile(r"\b(?:say|said|tell|told|write|wrote|claim|argue|believe|think)\b"
                        r"(?:\s+(?:about|of|regarding|on)\b[^?]*)?\s*\?\s*$", re.IGNORECASE)


def asks_statement(question: str, parse: Callable[[str], object]) -> bool:
    """Whether the question asks for a whole statement ("What did X say?", "... say about Y?"), not a
    word of one ("What did Ardern say there were grounds for?" -> "expulsion")."""
    return _STATEMENT.search(question) is not None and asks_words(question, parse)


def asks_sayer(question: str, parse: Callable[[str], object]) -> bool:
    """Whether the question asks who said something ("Who said the complaints were never
    investigated?", "Which MP told reporters ...?"): a question word is the subject of its active
    speech verb. ("Which outlet was told ...?" asks for whom it was said to: not this.)"""
    if not re.match(r"\W*(?:who|which|whose)\b", question, flags=re.IGNORECASE) or not _speaks(question):
        return False
    doc = parse(question)
    root = next((t for t in doc if t.head.i == t.i), None)
    subject = None if root is None or not _is_speech(root) else next(
        (c for c in root.children if c.dep_ == "nsubj"), None)
    # the question word opens the question and the root's subject ("those who think ..." is no such question)
    return subject is not None and any(t.i == 0 or (t.i == 1 and doc[0].is_punct) for t in subject.subtree)


def said_not_sayer(doc, start: int, end: int) -> bool:
    """Whether the characters ``start:end`` of the parsed ``doc`` are a name or noun phrase in what a
    speech verb says or whom it is said to, not who says it ("someone involved told *Newshub* the
    complaints against *Dr Sharma* were never investigated"): it hangs from the verb by anything but
    its subject. Nor is anything inside quotation marks ('"... the actions of *Gaurav*."': the quote
    was opened before it and not closed). A span holding a verb is a clause and left alone."""
    if _inside_quote(doc.text, start):
        return True
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if not tokens or any(t.pos_ in ("VERB", "AUX") for t in tokens):
        return False                      # a clause: it may hold the sayer, or be the whole answer
    inside = {t.i for t in tokens}
    node = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    while node.head.i != node.i:
        if _is_speech(node.head):
            return node.dep_ not in _SUBJECTS
        node = node.head
    return False


def asked_speaker(question: str, parse: Callable[[str], object]) -> frozenset[str]:
    """The name words of the person or body a question asks the words of ("What did Ardern say ...?"
    -> {"ardern"}); empty when it asks no one's words or names no one ("What did she say?")."""
    if not _speaks(question):
        return frozenset()          # most questions: no parse needed
    doc = parse(question)
    for verb in (t for t in doc if _is_speech(t)):
        subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
        if subject is not None:
            return _name_words(subject.subtree)
    return frozenset()


def asked_subject(question: str, parse: Callable[[str], object]) -> frozenset[str]:
    """The name words of the named subject of a question whether or what someone did ("Has Steph Lewis
    been bullied?" -> {"steph", "lewis"}); empty when its subject is not a name ("Did the caucus vote?"). The small
    parser often misreads a short question ("Did Lewis experience bullying?" with "experience" a
    noun), so the names right after the opening auxiliary count as its subject too."""
    doc = parse(question)
    root = next((t for t in doc if t.head.i == t.i), None)
    subject = None if root is None else next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    if subject is not None and any(t.ent_type_ in _NAMED for t in subject.subtree):
        return _name_words(subject.subtree)
    opening = []
    for token in list(doc)[1:]:
        if token.pos_ != "PROPN":
            break
        opening.append(token)
    return _name_words(opening)


def clause_subject(doc, start: int, end: int) -> frozenset[str] | None:
    """The name words of whom the clause holding the characters ``start:end`` of the parsed ``doc``
    is about: the named subject of the nearest verb with a subject at or above the span ("However,
    Rurawhe said *he had experienced no bullying*" -> {"rurawhe"}: a pronoun standing for the
    sentence's subject counts as that subject). None when that subject is not named."""
    subject = _subject_of_clause(doc, start, end)
    if subject is not None and subject.pos_ == "PRON":
        subject = _bound(subject)
    if subject is None or not (subject.pos_ == "PROPN" or any(t.ent_type_ in _NAMED for t in subject.subtree)):
        return None                 # (as span_speaker: the small model calls "Sharma" a place)
    return _name_words(subject.subtree) or None


def _subject_of_clause(doc, start: int, end: int):
    """The subject token of the nearest verb with a subject at or above the characters ``start:end``
    of the parsed ``doc``, or None."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if not tokens:
        return None
    inside = {t.i for t in tokens}
    node = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    for _ in range(12):
        verb = node.pos_ in ("VERB", "AUX")
        subject = next((c for c in node.children if c.dep_ in _SUBJECTS), None) if verb else None
        if subject is not None:
            return subject
        if node.head.i == node.i:
            return None
        node = node.head
    return None


def _other_gender(doc, start: int, end: int, gender: str) -> bool:
    """Whether the clause holding the characters ``start:end`` is about a "he" or "she" its sentence does
    not name, of the gender other than ``gender`` ("f" or "m"): "she is not yet a member ..." is not
    about Sharma, whom the corpus calls "he"."""
    subject = _subject_of_clause(doc, start, end)
    if not gender or subject is None or subject.lower_ not in ("he", "she") or _bound(subject) is not None:
        return False
    return _PRONOUNS[subject.lower_] != gender


def _speech_above(doc, start: int, end: int):
    """(the speech verb nearest above the characters ``start:end`` of the parsed text ``doc``, or at the
    root a quote's attribution beside it; whether the span lies in that verb's subject, the sayer's
    own phrase), or (None, False)."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if not tokens:
        return None, False
    inside = {t.i for t in tokens}
    node = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    below = None
    for _ in range(12):                   # up the tree to the speech verb that governs the span
        if _is_speech(node) and node.i not in inside:
            return node, below is not None and below.dep_ in _SAYER_DEPS
        if node.head.i == node.i:
            # the root: a quote with its attribution beside it ('"...," she said.' parses as parataxis)
            return next((c for c in node.children if c.dep_ == "parataxis" and _is_speech(c)), None), False
        below, node = node, node.head
    return None, False


def _governing_speech(doc, start: int, end: int):
    """The speech verb that governs the characters ``start:end`` of the parsed text ``doc`` (the nearest
    above them; at the root, a quote's attribution beside it), or None. Words in the sayer's own phrase
    are not said by them ("23" of '"...," said Lolo, 23, who ...')."""
    verb, sayer = _speech_above(doc, start, end)
    return None if sayer else verb


def in_sayer_phrase(doc, start: int, end: int) -> bool:
    """Whether the characters ``start:end`` of the parsed text ``doc`` lie in the subject of a speech verb
    ("Board chair Margaret Liu" and "Lolo, 23" of "... said Lolo, 23, who ..."): who speaks, not what
    is said."""
    return _speech_above(doc, start, end)[1]


_SAYER_DEPS = frozenset({"nsubj", "nsubjpass", "agent", "csubj"})


def span_speaker(doc, start: int, end: int) -> frozenset[str] | None:
    """The name words of whoever the parsed text ``doc`` has say its characters ``start:end``: the
    named subject of the nearest speech verb above the span (a pronoun standing for the subject of
    its sentence counts as that subject). None when nothing says it, or the sayer is not named (a
    pronoun from another sentence, a title, "the party")."""
    verb = _governing_speech(doc, start, end)
    subject = None if verb is None else _subject(verb)
    if subject is not None and subject.pos_ == "PRON":
        subject = _bound(subject)
    if subject is None or not (subject.pos_ == "PROPN" or any(t.ent_type_ in _NAMED for t in subject.subtree)):
        return None
    return _name_words(subject.subtree) or None


def _said_elsewhere(doc, start: int, end: int) -> bool:
    """Whether the characters ``start:end`` of the parsed sentence ``doc`` are words whose sayer another
    sentence names: they are inside quotation marks (opened before them, or closed after them in a
    sentence that began inside a quote), or a pronoun opening the sentence says them ("She said ...")."""
    text = doc.text
    if _inside_quote(text, start) or (_inside_quote(text, len(text)) and not any(q in text[:start] for q in _QUOTES)):
        return True
    verb = _governing_speech(doc, start, end)
    subject = None if verb is None else _subject(verb)
    return subject is not None and subject.pos_ == "PRON" and _bound(subject) is None


def _bound(pronoun):
    """The named subject of the sentence's main verb when it comes before ``pronoun`` ("Dr Sharma
    released screenshots of what he said were ..."): a pronoun inside a sentence most often means
    its subject. None otherwise: a pronoun opening its sentence ('"...," she said.') points back
    to another sentence, which is not looked into."""
    root = pronoun.sent.root
    subject = next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    if subject is None or subject.i >= pronoun.i or subject.pos_ == "PRON":
        return None
    return subject


def rescore(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
            consider: float = 0.02, subject_clause: bool = False,
            speaker_of: Callable[[Sentence], str | None] | None = None,
            gender_of: Callable[[str], str] | None = None,
            titled: Callable[[str], str | None] | None = None) -> list[Span]:
    """The spans without those put in the mouth of someone other than the question's speaker: what
    Sharma said is no answer to "What did Ardern say?", however well it fits the words (a misfit of
    type is only weighed down, ``answer_types.rescore``; a clash of two names is dropped). For "Who
    said ...?", what was said and whom it was said to are no answer either (``said_not_sayer``). For a
    question whether or what a named person did (``subject_clause``: "Did Lewis experience bullying?",
    "What was Sharma doing ...?"), a clause about someone else is no answer (``clause_subject``; with
    ``gender_of``, a name's gender as the corpus tells it, nor one about a "she" for a man). Only
    spans within ``consider`` x the best one kept are parsed; the rest cannot become the answer.
    ``speaker_of`` names who says a sentence from its document (``sayer``), for a span its own
    sentence leaves unattributed ('"...," she said.', a running quote). ``titled`` names the one person
    the corpus gives a role ("the Prime Minister" -> "Jacinda Ardern", ``names.titled``): a question
    asking of a role, not a name ("Has the Prime Minister backed an investigation?"), is asked of them."""
    if spans and asks_sayer(question, parse):
        return _sayers(spans, windows, parse, consider)
    asked = asked_speaker(question, parse) if spans else frozenset()
    role = None                 # "the Harbour coach": Brendan Kelly, not anyone "Harbour" names
    if spans and titled is not None and (_speaks(question) or subject_clause):
        role, speaks = _role_holder(question, parse, titled)
        asked = _words_of(role) if role and speaks else asked
    if not asked and spans and subject_clause:
        subject = _words_of(role) or asked_subject(question, parse)
        if subject:
            named = role or " ".join(w for w in re.findall(r"[\w'’-]+", question) if w.lower() in subject)
            told = gender_of(named) if gender_of is not None and named else ""

            def about(doc, start: int, end: int, sentence: Sentence) -> bool:
                said_of = clause_subject(doc, start, end)
                if said_of:
                    return bool(said_of & subject)
                return not _other_gender(doc, start, end, told)

            return _kept(spans, windows, parse, consider, about)
    if not asked:
        return list(spans)
    theirs: set[tuple[str, int]] = set()     # (document, start) of the spans the asked person says
    words = asks_words(question, parse)

    def fits(doc, start: int, end: int, sentence: Sentence) -> bool:
        if words and in_sayer_phrase(doc, start, end):   # who speaks is no answer to what was said
            return False                                 # ("Has McAnulty responded?" may quote him, though)
        said_by = span_speaker(doc, start, end)
        if said_by is None and speaker_of is not None and _said_elsewhere(doc, start, end):
            named = speaker_of(sentence)
            said_by = frozenset(re.findall(r"\w+", named.lower())) - _TITLES if named else None
        if said_by and said_by & asked:
            theirs.add((sentence.doc_id, sentence.start + start))
        return not said_by or bool(said_by & asked)

    kept = _kept(spans, windows, parse, consider, fits)
    if not words:       # "Why does Lewis say ...?" asks for a reason, not her words
        return kept
    return _prefer_said(question, kept, windows, lambda span: (span.doc_id, span.start) in theirs)


def _role_holder(question: str, parse: Callable[[str], object],
                 titled: Callable[[str], str | None]) -> tuple[str | None, bool]:
    """(the person the corpus gives the role that is the question's subject, whether that is the subject
    of its speech verb rather than its main verb): "the Prime Minister" of "Has the Prime Minister backed
    ...?" -> "Jacinda Ardern" (``titled``); None when the subject is a name, a pronoun, or a role no one
    holds."""
    doc = parse(question)
    speech = next((t for t in doc if _is_speech(t)), None)
    verb = speech or next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = None if verb is None else next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    if subject is None or subject.pos_ == "PRON" or any(t.ent_type_ == "PERSON" for t in subject.subtree):
        return None, False
    return titled(" ".join(t.text for t in subject.subtree)), speech is not None


def _words_of(name: str | None) -> frozenset[str]:
    """The words of a name, in lower case, titles out."""
    return frozenset(re.findall(r"[\w'’-]+", name.lower())) - _TITLES if name else frozenset()


def prefer_doer(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
                consider: float = MISFIT_PENALTY) -> list[Span]:
    """For "Who <did something>?" ("Who sold the painting?") or "Which <kind> <did it>?", the spans within
    ``consider`` x the best one that are who did it in their sentence (the subject of the same verb, or its
    agent: "It was sold by the family of a Dunedin collector") put before those that are not ("A painting by
    Colin McCahon has sold ..." names the painter, not the seller); for "Who <was done something>?" ("Who
    was jailed?"), whom it was done to ("Jordan Pike, 27, was jailed ...", not "The store's owner, Helen
    Voss, told the court"). When the best span is another part of the asked verb's own clause ("Ashworth
    City have signed Rhys Pendry from Thornbury Rovers": the seller, for "Which club has signed Pendry?"),
    the doer of that clause comes first however much less likely the reader finds it. Best first within
    each. Not for a speech verb (``rescore`` weighs sayers), a light verb ("Who had ...?") or "be"; the
    order is kept when no span close enough is one, or the best one is."""
    if len(spans) < 2 or not re.match(r"\W*(?:who|which|what)\b", question, re.IGNORECASE):
        return list(spans)
    q = parse(question)
    root = next((t for t in q if t.dep_ == "ROOT"), None)
    # "who" itself, or the noun "which" / "what" picks when it is a kind of person or body ("Which club has
    # signed ...?", not "What year was it created?"), as the verb's subject
    picks = bool(expected.labels & PERSON_OR_ORG) if (expected := expected_type(question)) is not None else False
    who = None if root is None else next((c.dep_ for c in root.children if c.lower_ == "who" or (
        picks and c.pos_ in ("NOUN", "PROPN") and any(d.dep_ == "det" and d.lower_ in ("which", "what")
                                                      for d in c.children))), None)
    if root is None or root.pos_ != "VERB" or _is_speech(root) or stem(root.text) in LIGHT_VERBS \
            or who not in ("nsubj", "nsubjpass"):
        return list(spans)
    verb = stem(root.text)
    roles = {"nsubj": ("nsubj",), "nsubjpass": ("nsubjpass", "dobj")}[who]   # "was jailed" / "jailed Pike"
    by_rank = {w.rank: w for w in windows}

    def part(span: Span) -> tuple[object, str] | None:
        """(the span's sentence, "doer" / "other" / ""): whether the span is who did the asked verb, another
        part of that verb's clause (its object, or after a preposition on it), or neither."""
        sentence = span.sentence_in(by_rank)
        if sentence is None:
            return None
        doc = parse(sentence.text)
        start, end = span.start - sentence.start, min(span.end, sentence.end) - sentence.start
        kind = ""
        for token in (t for t in doc if t.idx < end and t.idx + len(t) > start):
            if token.dep_ in roles and token.head.pos_ == "VERB" and stem(token.head.text) == verb:
                return sentence, "doer"
            if who == "nsubj" and token.dep_ == "pobj" and token.head.dep_ == "agent" \
                    and stem(token.head.head.text) == verb:
                return sentence, "doer"
            on = token.head.head if token.dep_ == "pobj" and token.head.dep_ in ("prep", "agent") else token.head
            if token.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "agent") and on.pos_ == "VERB" \
                    and stem(on.text) == verb:
                kind = "other"
        return sentence, kind

    first = part(spans[0])
    if first is not None and first[1] == "doer":
        return list(spans)
    clause = first[0] if first is not None and first[1] == "other" else None
    best = spans[0].score
    doers = [x for x in spans[1:] if (x.score >= consider * best or clause is not None)
             and (found := part(x)) is not None and found[1] == "doer"
             and (x.score >= consider * best or found[0] == clause)]
    if not doers:
        return list(spans)
    return doers + [x for x in spans if x not in doers]


# verbs of getting something, as ``clauses.stem`` gives them: one asked, the text may say another
_GETTING = frozenset({"get", "receiv", "win", "obtain", "gain", "earn", "secur"})


def others_act(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
               consider: float = 0.02) -> list[Span]:
    """For a question what or how much a named person did ("How many votes did Kovacs receive?"), the
    spans without those that are what another named person did the same (the question's main verb):
    "3,015" of "A third candidate, retired teacher Ngaire Poutama, received 3,015 votes". The other
    must be a person spaCy names, and the asked one a name that is not a place: a team or a city may be
    named two ways ("the Broncos" / "Denver"), a person's names overlap ("Rachel Kovacs" / "Kovacs").
    Only the verb the asked person is the subject of counts ("What did Ardern suggest Sharma had
    committed?": what Sharma committed is the answer), and not a speech verb (``rescore`` weighs who
    says what, quotes and pronouns included)."""
    if not spans:
        return list(spans)
    q = parse(question)
    root = next((t for t in q if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ != "VERB" or _is_speech(root):
        return list(spans)
    verb = stem(root.text)
    if verb in _GETTING:    # "How many votes did Kovacs get?": any verb of getting (the text says "received")
        asked_thing = any(c.dep_ == "dobj" for c in root.children) or \
            any(t.pos_ == "NOUN" and any(m.lower_ in ("many", "much") for m in t.children) for t in q)
        if verb in LIGHT_VERBS and not asked_thing:      # ("how many votes" may be parsed hanging from "did")
            return list(spans)                     # "get" alone ("got to the final") gets nothing
        verbs = _GETTING
    elif verb in LIGHT_VERBS:
        return list(spans)
    else:
        verbs = frozenset({verb})
    subjects = [c for c in root.children if c.dep_ == "nsubj"]     # "How many votes did Kovacs get?": two
    subject = next((c for c in subjects if c.pos_ == "PROPN"), subjects[0] if subjects else None)
    if subject is None or subject.pos_ != "PROPN" or \
            any(t.ent_type_ in ("GPE", "LOC", "FAC", "NORP") for t in subject.subtree):
        return list(spans)          # "the first AFL season" is no one; a place may stand for its team or people
    asked = frozenset(plain(w) for w in _name_words(subject.subtree))
    if not asked:
        return list(spans)
    return _kept(spans, windows, parse, consider, lambda doc, start, end, _: not _acted_by_other(doc, start, end,
                                                                                               verbs, asked))


def _acted_by_other(doc, start: int, end: int, verbs: frozenset[str], asked: frozenset[str]) -> bool:
    """Whether the characters ``start:end`` of the parsed sentence ``doc`` are in what a verb of ``verbs``
    takes, whose subject names a person none of whose name words are ``asked``, and not owned by an asked one."""
    node, inside = governing_verb(doc, start, end)
    if node is None or stem(node.text) not in verbs:
        return False
    subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
    if subject is None or inside & {t.i for t in subject.subtree}:
        return False
    if any(t.dep_ == "poss" and t.head.i in inside and plain(t.text) in asked for t in doc):
        return False                # "received 11,482 votes to Palmer's 11,170": Palmer's own
    aged = subject.pos_ == "PROPN" and any(c.dep_ == "appos" and c.like_num for c in subject.children)
    people = [t for t in subject.subtree if t.ent_type_ == "PERSON" or (aged and t.pos_ == "PROPN")]
    named = frozenset(plain(w) for w in _name_words(people))    # "Pooley, 64,": a person spaCy did not tag
    return bool(named) and not named & asked              # "Juárez" is "Juarez"


# "What did X say about Y?": a span in words X says, and one in a sentence about Y, outweighs one that
# is neither unless the reader scores it this many times lower (as a misfit type, answer_types.rescore)
UNSAID_PENALTY = MISFIT_PENALTY
_ABOUT = re.compile(r"\babout\s+(.+?)\s*\??\s*$", re.IGNORECASE)


def _topic(question: str) -> frozenset[str]:
    """The stems (``clauses.stem``) of what a question asks someone's words about ("... say about
    commenting on the expulsion?" -> {"comment", "expulsion"}); empty when it names no topic."""
    found = _ABOUT.search(question)
    return stems(found.group(1)) if found else frozenset()


def _prefer_said(question: str, spans: list[Span], windows: Sequence[Window],
                 said: Callable[[Span], bool]) -> list[Span]:
    """The spans reordered so that the asked person's own words, and words in a sentence about the
    question's topic, win over narration about them ("Peke-Mason ... would not comment") and over
    their words on something else, unless the reader scores those UNSAID_PENALTY^-1 times higher."""
    topic = _topic(question)
    by_rank = {w.rank: w for w in windows}

    def on_topic(span: Span) -> bool:
        sentence = span.sentence_in(by_rank)
        return bool(topic & stems(span.text if sentence is None else sentence.text))

    def weight(span: Span) -> float:
        return (1.0 if said(span) else UNSAID_PENALTY) * (1.0 if not topic or on_topic(span) else UNSAID_PENALTY)

    return sorted(spans, key=lambda span: -span.score * weight(span))


def _sayers(spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
            consider: float) -> list[Span]:
    """For "Who said ...?": the spans without those that are what was said or whom it was said to."""
    return _kept(spans, windows, parse, consider, lambda doc, start, end, _: not said_not_sayer(doc, start, end))


def _kept(spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object], consider: float,
          fits: Callable[[object, int, int, Sentence], bool]) -> list[Span]:
    """The spans (best first) that ``fits(parsed sentence, start, end, sentence)`` accepts. A span under
    ``consider`` x the best one kept so far is kept unparsed: it cannot become the answer."""
    by_rank = {w.rank: w for w in windows}
    kept: list[Span] = []
    top = 0.0
    for span in spans:
        sentence = None if kept and span.score < consider * top else span.sentence_in(by_rank)
        if sentence is None or fits(parse(sentence.text), span.start - sentence.start,
                                    min(span.end, sentence.end) - sentence.start, sentence):
            kept.append(span)
            top = max(top, span.score)
    return kept


# News quotes run on without naming their speaker again: '"...," she said.', or a quoted paragraph
# after "Ms Ardern said ...". ``sayer`` follows both to a name.
_PRONOUNS = {"she": "f", "her": "f", "he": "m", "him": "m", "they": "", "them": ""}
LOOK_BACK = 10      # sentences a running quote or a pronoun is followed back (and 3 forward in a quote)


def _quoted(sentence: Sentence, document_text: str) -> bool:
    """Whether the sentence opens a quote or starts inside one left open earlier in its paragraph."""
    before = document_text[document_text.rfind("\n", 0, sentence.start) + 1:sentence.start]
    return _opens_quote(sentence.text) or _inside_quote(before, len(before))


def _name(subject) -> tuple[int, int] | None:
    """Character offsets (in the subject's sentence) of the name a subject is ("Whanganui MP Steph
    Lewis" -> "Steph Lewis", "Dr Sharma" -> "Sharma", "list MP Soraya Peke-Mason" in apposition): the
    proper nouns ending at its head word, titles aside. None when it names no one ("the PM")."""
    if subject.pos_ != "PROPN":
        subject = next((c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if subject is None or subject.text.lower() in _TITLES:
        return None
    first = subject
    while first.i > 0:
        before = first.nbor(-1)
        joined = before.text == "-" and not before.whitespace_ and before.i > 0   # "Peke-Mason"
        if joined:
            before = before.nbor(-1)
        if before.pos_ != "PROPN" or before.text.lower() in _TITLES:
            break
        first = before
    return first.idx, subject.idx + len(subject)


def _gender(name: str, document_text: str) -> str:
    """"f" or "m" when the text calls the named person by a gendered title ("Ms Ardern"), else ""."""
    return gender(name, [document_text])


_FIRST_PERSON = frozenset({"i", "we", "you", "me", "us"})


def _speech(doc):
    """The verb that says a parsed sentence: the first speech verb outside quotation marks with a
    subject that is not the quoted speaker's "I" or "we" ('"I think ...," he said.' is said by "he";
    in '"The Prime Minister has also said ..."' the speaker quotes someone else), else a verb with a
    subject after the quote closes ('"...," one reads.'); None when there is neither."""
    def said_by(verb) -> bool:
        subject = _subject(verb)
        return subject is not None and subject.text.lower() not in _FIRST_PERSON
    found = next((t for t in doc if _is_speech(t) and said_by(t) and not _inside_quote(doc.text, t.idx)), None)
    closing = max((t.i for t in doc if t.text in _QUOTES), default=None)
    if found is None and closing is not None and closing > 0:
        found = next((t for t in doc[closing + 1:] if t.pos_ in ("VERB", "AUX") and said_by(t)), None)
    return found


def sayer(sentences: Sequence[Sentence], at: int, parse: Callable[[str], object],
          document_text: str, unnamed: bool = False) -> tuple[int, int] | None:
    """Document offsets of the name of who says sentence ``at`` of a document (``sentences``, in
    order, of ``document_text``): the named subject of its speech verb; for a pronoun ('"...," she
    said.') the nearest earlier named person of that gender (by titles such as "Ms"); for a quote
    with no speech verb, the sayer named where the quote closes ('..., " one reads.') or before it
    (a quoted paragraph after "Ms Ardern said ..."), or, when no one is said to say it, the person the
    sentence before the quote is about (a quoted paragraph after "He would continue to push for an
    investigation": news runs a person's words after their position). None when the sayer is unnamed
    ("the PM"), or with ``unnamed`` the words that describe them ("someone involved at the time of those
    disputes", ``_described``)."""
    verb = _speech(parse(sentences[at].text))
    if verb is None and _quoted(sentences[at], document_text):
        ahead = range(at + 1, min(len(sentences), at + 4))
        for i in ahead:               # the quote's closing sentence may name who says it
            if not _quoted(sentences[i], document_text) or _opens_quote(sentences[i].text):
                break
            verb = _speech(parse(sentences[i].text))
            if verb is not None:
                return _said_by(sentences, i, verb, parse, document_text, unnamed)
        for i in range(at - 1, max(-1, at - LOOK_BACK), -1):   # else the speaker named before it
            verb = _speech(parse(sentences[i].text))
            if verb is not None:
                return _said_by(sentences, i, verb, parse, document_text, unnamed)
            if not _quoted(sentences[i], document_text):
                return _about(sentences, i, parse, document_text)
        return None
    return None if verb is None else _said_by(sentences, at, verb, parse, document_text, unnamed)


def _about(sentences: Sequence[Sentence], at: int, parse: Callable[[str], object],
           document_text: str) -> tuple[int, int] | None:
    """The person sentence ``at`` is about: its main verb's subject when that is a person's name or a
    personal pronoun followed back to one (``_antecedent``); None for anything else ("Labour", "the PM")."""
    doc = parse(sentences[at].text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = next((c for c in root.children if c.dep_ in _SUBJECTS), None) if root is not None else None
    if subject is None:
        return None
    if subject.lower_ in ("he", "she"):
        return _antecedent(sentences, at, subject, parse, document_text)
    found = _person(subject)
    return None if found is None else (sentences[at].start + found[0], sentences[at].start + found[1])


def _person(subject) -> tuple[int, int] | None:
    """``_name`` of a subject that spaCy calls a person ("Labour" and "the PM" are none)."""
    found = _name(subject)
    person = found is not None and any(e.label_ == "PERSON" and e.start <= subject.i < e.end for e in subject.doc.ents)
    return found if person else None


def named_describer(sentences: Sequence[Sentence], at: int, start: int, end: int, parse: Callable[[str], object],
                    document_text: str) -> tuple[int, int] | None:
    """Document offsets of the name of an unnamed sayer that ``document_text[start:end]`` describes, when
    the next sentence is a quote said by a named person: 'One former parliamentary staffer turned
    employment advocate said the only way ... . "Without some kind of accountability, ...," said David
    Buckingham.' (news paraphrases a source, then quotes and names them). None otherwise: the span is
    not in the subject of sentence ``at``'s speech verb, that subject names someone ("Ms Ardern") or is a
    pronoun, or the next sentence is no quote said by a named person."""
    if at + 1 >= len(sentences) or not _opens_quote(sentences[at + 1].text):
        return None                     # (most spans: no parse needed)
    sentence, following = sentences[at], sentences[at + 1]
    verb = _speech(parse(sentence.text))
    subject = _subject(verb) if verb is not None else None
    if subject is None or subject.pos_ == "PRON" or _name(subject) is not None:
        return None
    words = list(subject.subtree)
    if not (sentence.start + words[0].idx <= start and end <= sentence.start + words[-1].idx + len(words[-1])):
        return None
    doc = parse(following.text)
    said = _speech(doc)
    named = _subject(said) if said is not None and not _inside_quote(doc.text, said.idx) else None
    found = _person(named) if named is not None else None
    return None if found is None else (following.start + found[0], following.start + found[1])


_INDEFINITE = re.compile(r"^\W*(?:A|An)\s")
_LEDE_WITHIN = 4       # sentences from a story's start its first paragraph may begin at (headline, byline)


_WHERE_FROM = frozenset({"from", "in", "near"})


def named_later(sentences: Sequence[Sentence], at: int, start: int, end: int,
                parse: Callable[[str], object]) -> tuple[int, int] | None:
    """Document offsets of the name of a person a story opens by describing, when ``[start, end)`` is that
    description: news leads with "A former deputy principal who stole ... has been jailed" (or a headline,
    "Teacher jailed ...") and names the person in the next sentence, "Hamilton man Peter Grady, 58, was
    sentenced ..." (delayed identification). None unless the first paragraph (within the first
    ``_LEDE_WITHIN`` sentences) opens with "A" or "An", the span is the headline's first words or in that
    opening's subject and names no one, and the next sentence's subject is a person named for the first
    time, not as a speaker ("Police spokesperson Tom Harris said ..." names the source, not the person),
    introduced as news introduces them (an age, "Hamilton man") or doing what the opening said ("won")."""
    lede = next((i for i, x in enumerate(sentences[:_LEDE_WITHIN]) if _INDEFINITE.match(x.text)
                 and not is_credit(x.text)), None)
    if lede is None or at > lede or lede + 1 >= len(sentences):
        return None
    sentence = sentences[at]
    doc = parse(sentence.text)
    inside = [t for t in doc if start <= sentence.start + t.idx < end]
    # a name after "from" or "in" is where they are from ("A 14-year-old schoolgirl from Ludlow", Ludlow read as a
    # person's name), not who they are
    if not inside or any(t.ent_type_ == "PERSON" and not (t.dep_ == "pobj" and t.head.lower_ in _WHERE_FROM)
                         for t in inside):
        return None
    if at == lede:
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        subject = None if root is None else next((c for c in root.children if c.dep_ in _SUBJECTS), None)
        if subject is None or not {t.i for t in inside} <= {t.i for t in subject.subtree}:
            return None
        # the described one, not what a clause about them names ("his school"); a span holding the subject's own
        # word ("A 14-year-old schoolgirl from Ludlow") is the one described, whatever else it holds
        for token in ([] if subject in inside else inside):
            while token.i != subject.i:
                if token.dep_ in ("relcl", "acl", "prep", "pobj"):
                    return None
                token = token.head
    elif start - sentence.start > len(sentence.text) - len(sentence.text.lstrip()) + 1:
        return None                       # a headline: only its first words are whom it is about
    following = sentences[lede + 1]
    doc = parse(following.text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or _is_speech(root):
        return None
    subject = next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    found = _person(subject) if subject is not None else None
    if found is None:
        return None
    name = following.text[found[0]:found[1]]
    if any(plain(w) in plain(x.text) for x in sentences[:lede + 1] for w in name.split()[-1:]):
        return None                       # named before: the opening was about someone else
    introduced = _AGED.match(following.text[found[1]:]) or _LOCAL.search(following.text[:found[0]])
    opening = {stem(t.text) for x in sentences[:lede + 1] for t in parse(x.text) if t.pos_ in ("VERB", "AUX")}
    if not introduced and stem(root.text) not in opening - LIGHT_VERBS:
        return None                       # "Detective Sergeant Karen Olsen arrested the 45-year-old": another
    return following.start + found[0], following.start + found[1]


def aged_referent(sentences: Sequence[Sentence], at: int, parse: Callable[[str], object],
                  document_text: str) -> tuple[int, int] | None:
    """Document offsets of the name of whom sentence ``at`` calls by their age ("The 61-year-old, who replaced
    ..."): in the nearest earlier sentence (up to LOOK_BACK) that names a person outside quotation marks, its
    named sayer, else its subject, else the one person it names ("The Kingfishers have signed prop Tane
    Whaanga"). None when the sentence opens no such way, or that sentence names several and says none of them."""
    if not BY_AGE.match(sentences[at].text) or _by_age_names(parse(sentences[at].text)):
        return None
    for i in range(at - 1, max(-1, at - LOOK_BACK), -1):
        doc = parse(sentences[i].text)
        people = [e for e in doc.ents if e.label_ == "PERSON" and not _inside_quote(doc.text, e.start_char)]
        if not people:
            continue
        verb = _speech(doc)
        subjects = ([_subject(verb)] if verb is not None else []) + [t for t in doc if t.dep_ in _SUBJECTS]
        for subject in subjects:
            found = _person(subject)
            if found is not None:
                return sentences[i].start + found[0], sentences[i].start + found[1]
        if len({e.text.split()[-1] for e in people}) == 1:
            return sentences[i].start + people[-1].start_char, sentences[i].start + people[-1].end_char
        return None
    return None


def _by_age_names(doc) -> bool:
    """Whether the noun phrase "The N-year-old ..." that opens a parsed sentence holds a name ("The 58-year-old
    principal Andrew Barclay"), so the age is not said of someone named before."""
    first = next((t for t in doc if t.dep_ in _SUBJECTS), None)
    if first is None:
        return False
    clauses = {t.i for c in first.children if c.dep_ in ("relcl", "acl") for t in c.subtree}  # "who replaced X"
    return any(t.ent_type_ == "PERSON" for t in first.subtree if t.i not in clauses)


# how news introduces the person its opening described: "Peter Grady, 58,", "Maya Osei, a Year 10 pupil",
# "Hamilton man Peter Grady"
_AGED = re.compile(r"^\s*(?:,\s*(?:aged\s+)?\d{1,3}\s*,|\(\s*\d{1,3}\s*\)|"
                   r",\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?(?:pupil|student|schoolgirl|schoolboy|teenager|man|woman|girl|"
                   r"boy|mother|father|resident|grandmother|grandfather|worker|employee|teacher|nurse|farmer)\b)")
_LOCAL = re.compile(r"\b[A-Z][\w'’-]+\s+(?:man|woman|teen|teenager|boy|girl|resident|mother|father|couple)\s*$")


def _said_by(sentences: Sequence[Sentence], at: int, verb, parse: Callable[[str], object],
             document_text: str, unnamed: bool = False) -> tuple[int, int] | None:
    """The name of the subject of ``verb`` in sentence ``at``, a pronoun followed back (``_antecedent``);
    with ``unnamed``, the words of a subject that names no one (``_described``)."""
    subject = _subject(verb)
    if subject.pos_ == "PRON" and subject.lower_ in _PRONOUNS:
        return _antecedent(sentences, at, subject, parse, document_text, unnamed)
    found = _name(subject) or (_described(subject) if unnamed else None)
    return None if found is None else (sentences[at].start + found[0], sentences[at].start + found[1])


_SOMEONE = frozenset({"someone", "somebody"})


def _described(subject) -> tuple[int, int] | None:
    """Offsets (in its sentence) of the words of a subject that names no one, when they hold a common
    noun (or "someone") and no proper one: "someone involved at the time of those disputes"; None for
    "one" or "another", and for "the Prime Minister" (a title: the person may well be named elsewhere)."""
    words = list(subject.subtree)
    if not any(t.pos_ == "NOUN" or t.lower_ in _SOMEONE for t in words) or any(t.pos_ == "PROPN" for t in words):
        return None
    return words[0].idx, words[-1].idx + len(words[-1])


def _antecedent(sentences: Sequence[Sentence], at: int, pronoun, parse: Callable[[str], object],
                document_text: str, unnamed: bool = False) -> tuple[int, int] | None:
    """The nearest named subject before ``pronoun`` (in sentence ``at`` or up to LOOK_BACK before it)
    whose title does not say another gender; in each sentence the sayer first, then (in an earlier
    sentence) the main clause's subject, then the subject nearest the pronoun."""
    wanted = _PRONOUNS.get(pronoun.text.lower())
    if wanted is None:
        return None
    for i in range(at, max(-1, at - LOOK_BACK), -1):
        doc = pronoun.doc if i == at else parse(sentences[i].text)
        verb = _speech(doc) if i < at else None
        said_by = [] if verb is None else [_subject(verb)]
        if said_by and said_by[0].text.lower() not in _PRONOUNS and _name(said_by[0]) is None:
            # "someone involved told Newshub ... They said ...": the unnamed sayer
            found = _described(said_by[0]) if unnamed else None
            return None if found is None else (sentences[i].start + found[0], sentences[i].start + found[1])
        subjects = [t for t in doc if t.dep_ in _SUBJECTS and (i < at or t.i < pronoun.i)][::-1]
        if i < at:      # an earlier sentence's main subject first: not "Whitcombe" of "A pathologist, Dr Anneke
            subjects.sort(key=lambda t: t.head.dep_ != "ROOT")   # de Groot, gave evidence that Whitcombe died"
        ordered = said_by + subjects
        for subject in ordered:
            found = _name(subject)
            if found is None:
                continue
            text = sentences[i].text[found[0]:found[1]]
            if not wanted or _gender(text, document_text) in ("", wanted):
                return sentences[i].start + found[0], sentences[i].start + found[1]
    return None


_PERSONAL = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself|they|them|their|theirs|themselves|"
                       r"i|me|my|mine|we|us|our|ours)\b", re.IGNORECASE)


def of_the_person(question: str, spans: Sequence[Span], windows: Sequence[Window], parse: Callable[[str], object],
                  most: int = 5) -> list[Span]:
    """For a question about what a named person is or did ("Where does Anil Mehta work?"), a span from a
    sentence that speaks of no one (no word of their name, no personal pronoun) weighs MISFIT_PENALTY
    when one of the ``most`` best spans comes from a sentence naming them: *Harbour Road* of "Work on the
    first section, a 3-kilometre lane on Harbour Road, is due to start" (the reader matched "work"), beside
    "Dr Anil Mehta, an emergency doctor at Dunmore Hospital". A sentence with "he" or "her" may be about
    them and is left alone."""
    if len(spans) < 2:
        return list(spans)
    q = parse(question)
    root = next((t for t in q if t.dep_ == "ROOT"), None)
    subject = None if root is None else next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    if subject is None:
        return list(spans)
    asked = frozenset(plain(w) for w in _name_words(t for t in subject.subtree if t.ent_type_ == "PERSON"))
    if not asked:
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def sentence(span: Span) -> str:
        found = span.sentence_in(by_rank)
        return found.text if found is not None else ""

    def names(text: str) -> bool:
        return bool(asked & {plain(w) for w in re.findall(r"[\w'’-]+", text)})

    if not any(names(sentence(s)) for s in spans[:most]):
        return list(spans)

    def weight(span: Span) -> float:
        text = sentence(span)
        own = 1.0 if names(text) or _PERSONAL.search(text) else MISFIT_PENALTY
        return span.score * own * (MISFIT_PENALTY if span.type_fit < 0 else 1.0)

    return sorted(spans, key=lambda s: -weight(s))


# "Where is Sophie Marchant from?", "Which town does Okafor come from?": where a named person comes from
_ASKS_ORIGIN = re.compile(r"^\W*(?:where|which\s+[\w-]+|what\s+[\w-]+)\s+(?:is|was|are|were|does|did|do)\s+.*\b"
                          r"(?:from|come\s+from|hail\s+from)\s*\??\s*$", re.IGNORECASE)
# the place a story says someone is from, right after their name (and age): "Prowse, 19, from Launceston"
_FROM_AFTER_NAME = re.compile(r"([A-Z][\w'’-]+)(?:,\s*\d{1,3})?,\s+(?:from|of)\s+$")
# ... or right after someone described, not named: "A 14-year-old schoolgirl from Ludlow"
_FROM_AFTER_PERSON = re.compile(r"\b(?:man|woman|boy|girl|schoolgirl|schoolboy|teenager|teen|pupil|student|resident|"
                                r"mother|father|couple|family|player|driver|farmer)\s+(?:from|of)\s+$",
                                re.IGNORECASE)


def others_origin(question: str, spans: Sequence[Span], windows: Sequence[Window]) -> list[Span]:
    """For "Which town is Sophie Marchant from?", the spans without the place the text gives as another's home
    right after their name ("Launceston" of "Prowse, 19, from Launceston"), or after someone described, not named
    just before ("Ludlow" of "A 14-year-old schoolgirl from Ludlow" for Richard Penhale's town); the spans as given
    otherwise."""
    asked = {plain(w) for w in question_names(question)}
    if not asked or _ASKS_ORIGIN.match(question) is None:
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def another(span: Span) -> bool:
        window = by_rank.get(span.window_rank)
        at = span.start - window.start if window is not None else -1
        found = _FROM_AFTER_NAME.search(window.text[max(0, at - 50):at]) if at >= 0 else None
        if found is not None:
            return plain(found.group(1)) not in asked
        if at < 0 or not _FROM_AFTER_PERSON.search(window.text[max(0, at - 30):at]):
            return False
        sentence = span.sentence_in(by_rank)
        start = max(0, at - 60, sentence.start - window.start if sentence is not None else 0)
        return not asked & {plain(w) for w in re.findall(r"[\w'’-]+", window.text[start:at])}   # "Grady, a farmer from"

    return [x for x in spans if not another(x)]


def what_was_said(text: str, start: int, end: int, parse: Callable[[str], object]) -> tuple[int, int] | None:
    """Offsets (in ``text``, a sentence) of what is said, when ``text[start:end]`` holds the sayer (or
    opens on the speech verb), the speech verb and what they said ('Victory coach Arthur Diles said his
    side had been "too passive"' -> 'his side had been "too passive"' for "What did Diles say about his
    side?"): the question names the sayer already. None when the span holds no such speech."""
    doc = parse(text)
    for verb in (t for t in doc if start <= t.idx < end and _is_speech(t)):
        subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
        said = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        if said is None or said.i < verb.i or (verb.idx > start and (subject is None or subject.idx < start)):
            continue               # the span must hold the sayer, or open on the speech verb ("said it was ...")
        words = [t for t in said.subtree if t.idx < end]
        lo, hi = words[0].idx, words[-1].idx + len(words[-1])
        if lo < hi:
            return lo, min(hi, end)
    return None
