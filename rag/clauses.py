"""Questions a short span cannot answer: why, how (in what way), yes/no, "what did X do".

For these the reader's best span is often a one-word fragment ("frustrations"). The answer is
instead the clause around that span that settles the question, found in spaCy's dependency parse
of its sentence, or the whole sentence when no smaller clause holds it. No "Yes"/"No" is said: the
evidence clause is quoted and cited, and the reader of the answer judges it.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from rag.types import Span, Window
from rag.util import balance_quotes

_AUX = ("is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|shall|should|may|might|must|"
        "isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't|hadn't|won't|wouldn't|can't|couldn't")
YES_NO = re.compile(rf"^(?:{_AUX})\b", re.I)
_CHOICE = re.compile(r"\bor\b", re.I)            # "Was he suspended or expelled?" asks for a span
_WHY = re.compile(r"^why\b|\bfor what reason\b|\bwhat (?:was|is|were) the reason\b", re.I)
# "how" asks for a manner only when a verb follows ("How did she react?"); "How fast/far/many ..." ask for a span
_HOW = re.compile(r"^how (?:did|does|do|was|is|were|are|has|have|had|can|could|will|would|should|might|may)\b", re.I)
_DO = re.compile(r"^what (?:did|does|do|will|would|has|had|should|was|is|were|are) .+ (?:do|done|doing)\b", re.I)
# "What happened to Sharma?", "What could happen if ...?": an event, answered like "What did X do?"
_HAPPEN = re.compile(r"^what (?:(?:has|had|will|would|could|might|may|can|did|does|is|was) )?(?:happen|happens|happened|"
                     r"happening)\b", re.I)

# dependency labels of tokens that head a clause or a phrase that can stand as an answer
_CLAUSE_HEADS = frozenset({"advcl", "ccomp", "xcomp", "relcl", "acl", "conj", "csubj", "ROOT", "prep", "pcomp",
                           "agent", "dobj", "attr", "oprd"})


# a phrase in front of the question proper: "According to someone involved, were the complaints ...?"
_FRONTED = re.compile(r"^(?:according to|in|on|at|after|before|since|by|for|from)\b[^,?]{0,80},\s*", re.I)


def question_form(question: str) -> str | None:
    """"why", "how", "yes/no", "do" or "did" for questions a clause answers; None for span questions.
    "did" (what happened) is answered by what was done; a "do" question is one when ``did_question``
    says so. A phrase in front ("According to Newshub, ...") does not change the form."""
    q = _FRONTED.sub("", question.strip(), count=1)
    if _WHY.search(q):
        return "why"
    if _HOW.search(q):
        return "how"
    if _HAPPEN.search(q):
        return "did"
    if _DO.search(q):
        return "do"
    if YES_NO.search(q) and not _CHOICE.search(q):
        return "yes/no"
    return None


# a sentence saying that whether something happens is not settled yet: "has not yet said whether it will carry
# out its own investigation", "had not yet decided whether he would reverse his retirement", "It is unclear
# whether ..."
_UNSETTLED = re.compile(
    r"\b(?:(?:has|have|had|is|are|was|were|did|does|do)(?:\s+not|n't)\s+(?:yet\s+)?(?:said|decided|confirmed|"
    r"announced|indicated|determined|say|decide|confirm|announce|indicate|determine)|"
    r"(?:is|are|was|were|has|have|had)\s+(?:yet|still)\s+to\s+(?:decide|say|confirm|announce|determine)|"
    r"(?:would|could|will)(?:\s+not|n't)\s+(?:say|confirm)|(?:declined|refused)\s+to\s+(?:say|confirm)|"
    r"(?:unclear|uncertain|undecided|not\s+(?:yet\s+)?(?:clear|known|certain))|"
    r"no\s+decision\s+(?:has|had)\s+(?:yet\s+)?been\s+(?:made|taken))\s+(?:yet\s+)?(?:on\s+|about\s+|as\s+to\s+)?"
    r"(?:whether|if)\b", re.IGNORECASE)
# a question about the deciding or saying itself ("Has the HSE decided whether to prosecute?": "No" of "has not
# yet decided whether"), which such a sentence answers
_ASKS_DECIDING = re.compile(r"\b(?:decid\w*|decision|say|says|said|confirm\w*|announc\w*|indicat\w*|determin\w*|"
                            r"know|known|clear|sure|certain|rule[sd]?\s+out)\b", re.IGNORECASE)


# ... or that it is still to be decided, asked for or hoped: "the district council would consider a request from
# the trust", "organisers hoped to return in 2026", "The report will go to the committee", "has applied to NZTA for a
# 61% subsidy"
_PENDING = re.compile(
    r"\b(?:(?:would|will|is\s+to|are\s+to|(?:is|are)\s+(?:due|expected|set)\s+to)\s+(?:consider|decide|debate|"
    r"discuss|review|rule\s+on|vote\s+on)|hoped?\s+(?:to|that)\b|hopes\s+(?:to|that)\b|will\s+go\s+(?:to|before)|"
    r"(?:has|have|had)\s+applied|(?:is|are|was|were)\s+(?:seeking|asking\s+for)|asking\s+for)\b", re.IGNORECASE)
# the pending act asked about itself ("Will the council consider the request?")
_ASKS_PENDING = re.compile(r"\b(?:consider\w*|debat\w*|discuss\w*|review\w*|vot\w*|rul\w*|hop\w*|appl\w*|"
                           r"seek\w*|sought|ask\w*|go|going|went)\b", re.IGNORECASE)


def unsettled(question: str, sentence: str) -> bool:
    """Whether the sentence answering a yes/no question says that whether it happens is not settled ("has not
    yet decided whether ...", "would consider a request", "hoped to return"), and the question does not ask about
    the deciding, asking or hoping itself: then the documents do not say, and quoting the sentence as the answer
    passes off an open question as a settled one."""
    if not YES_NO.search(question.strip()) or _ASKS_DECIDING.search(question) is not None:
        return False
    return _UNSETTLED.search(sentence) is not None or (
        _PENDING.search(sentence) is not None and _ASKS_PENDING.search(question) is None)


def did_question(question: str, parse: Callable[[str], object]) -> bool:
    """Whether a "do" question asks what someone did ("What did Ardern do on Monday night?": "do"
    is the main verb), not for a thing ("What does Sharma want done?")."""
    return any(t.dep_ == "ROOT" and t.lower_ in ("do", "did", "does", "doing", "done") for t in parse(question))


def governing_verb(doc, start: int, end: int) -> tuple[object | None, set[int]]:
    """(the nearest verb at or above the tokens of the parsed ``doc`` that overlap characters ``start:end``,
    those tokens' indices); the verb is None when none governs them."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if not tokens:
        return None, set()
    inside = {t.i for t in tokens}
    node = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    while node.pos_ != "VERB" and node.head.i != node.i:
        node = node.head
    return (node if node.pos_ == "VERB" else None), inside


def predicate(sentence: str, start: int, end: int, parse: Callable[[str], object]) -> tuple[int, int] | None:
    """Offsets of what was done around ``sentence[start:end]``: from the nearest verb that governs it
    to the end of that verb's phrase, stopping at the first comma, semicolon, colon or dash after the span
    ("called a secret partyroom meeting on Monday night to discuss his acts without him"); None
    when no verb governs it."""
    doc = parse(sentence)
    node, inside = governing_verb(doc, start, end)
    if node is None:
        return None
    last = max(t.i for t in node.subtree)
    stop = next((t.i for t in doc[max(node.i, max(inside)) + 1:last + 1] if t.text in (",", ";", ":", "—")), None)
    last = stop - 1 if stop is not None else last
    lo = min(node.idx, start)
    hi = max(doc[last].idx + len(doc[last]), end)
    return _trim(sentence, lo, hi)


_REASON_MARKS = frozenset({"because", "since", "as", "so"})
_REASON_PREPS = frozenset({"due", "owing", "for", "after", "over", "amid", "from"})


def reason_in(sentence: str, parse: Callable[[str], object], near: int) -> tuple[int, int] | None:
    """Offsets of the phrase in ``sentence`` that gives a reason ("because ...", "in response to
    ...", "due to ...", "to + verb" of purpose, weaker "after ..."), the one nearest the character
    ``near``; None if none."""
    return _nearest([(strength, offsets) for strength, offsets, _ in _reasons(sentence, parse, frozenset())], near)


def reason_of(sentence: str, parse: Callable[[str], object], near: int, verbs: frozenset[str]) -> tuple[int, int] | None:
    """Offsets of the reason ``sentence`` gives for a verb of the asked act (``verbs``, stems), where
    "for + noun" counts too, the one nearest ``near``: "Why was Ellison given a discount?" -> "for his
    guilty plea" of "gave Ellison a discount for his guilty plea but declined a further discount,
    saying ... only after he was caught". None if it gives none."""
    return _nearest([(strength, offsets) for strength, offsets, of_act in _reasons(sentence, parse, verbs) if of_act],
                    near)


def _nearest(found: list[tuple[int, tuple[int, int]]], near: int) -> tuple[int, int] | None:
    """Of (strength, offsets) reasons, the offsets of the one nearest the character ``near`` (the
    reader's answer); among equally near ones, the strongest marker. None if there are none."""
    if not found:
        return None

    def distance(span: tuple[int, int]) -> int:
        return 0 if span[0] <= near < span[1] else min(abs(span[0] - near), abs(span[1] - near))

    return min(found, key=lambda f: (distance(f[1]), f[0]))[1]


# what "over" or "after" opens when it says when, not why: "fallen by 38% over the same period", "after 31 years"
_SPANS_OF_TIME = frozenset("period periods year years month months week weeks day days decade decades time weekend "
                           "summer winter spring autumn season seasons hour hours night nights minutes course".split())
_PLAIN_TIME = frozenset("the a an this that same past last next previous following first few several many coming "
                        "whole entire".split())


def _span_of_time(token) -> bool:
    """Whether a preposition's object is a stretch of time and nothing more ("the same period", "three years"): not
    "the driest spring in 31 years", "six weeks in which less than 15mm of rain fell" (what happened then: a reason)."""
    return token.dep_ == "pobj" and token.lower_ in _SPANS_OF_TIME and all(
        c.dep_ in ("det", "nummod", "quantmod") or (c.dep_ == "amod" and c.lower_ in _PLAIN_TIME)
        for c in token.children)


def _reasons(sentence: str, parse: Callable[[str], object], verbs: frozenset[str]):
    """(strength, offsets, whether it hangs on a verb of ``verbs``) of each reason phrase of the
    sentence; strength 0 is the strongest marker."""
    doc = parse(sentence)
    for t in doc:
        lower = t.lower_
        node, strength = None, 3
        if lower in _REASON_MARKS and t.dep_ == "mark":
            node, strength = t.head, 0
        elif lower == "in" and t.i + 2 < len(doc) and doc[t.i + 1].lower_ in ("response", "order", "protest", "light"):
            node, strength = t, 0
        elif lower in ("due", "owing") or (lower == "result" and t.i >= 2 and doc[t.i - 2].lower_ == "as"):
            node, strength = t, 0
        elif lower == "for" and t.dep_ in ("mark", "prep") and any(x.tag_ == "TO" for x in t.subtree):
            node, strength = t, 1                      # "for MPs to speak freely"
        elif lower in ("after", "over", "amid") and t.dep_ == "prep" and not any(_span_of_time(c) for c in t.children):
            node, strength = t, 2                      # not "over the same period", "after three years": when
        elif lower == "after" and t.dep_ == "mark":   # "evacuated after the river burst its banks"
            node, strength = t.head, 2
        elif lower == "to" and t.tag_ == "TO" and t.head.pos_ == "VERB" and t.head.dep_ == "advcl":
            node, strength = t.head, 2                 # purpose: "called a meeting to discuss ..."
        elif lower == "for" and t.dep_ == "prep" and _of_act(t.head, verbs):
            node, strength = t, 1                      # "gave ... a discount for his guilty plea"
        if node is None:
            continue
        subtree = list(node.subtree)
        lo = min(subtree[0].idx, t.idx)
        hi = subtree[-1].idx + len(subtree[-1])
        if sum(1 for x in subtree if not x.is_punct) >= 3:
            yield strength, _trim(sentence, lo, hi), _of_act(node.head if node is not t else t.head, verbs)


# a reason prep opens a reason even as the asked verb's own phrase ("got a discount for his guilty plea")
_REASON_OPENERS = _REASON_MARKS | _REASON_PREPS | {"given", "to", "in"}
_ARGUMENTS = frozenset({"dobj", "attr", "dative", "oprd", "prep", "pobj", "pcomp", "xcomp", "ccomp",
                        "npadvmod"})        # "fell 3.2 per cent": how much, not why
CLOSE = 0.5     # of the best span's score, for a span whose sentence holds the asked act to come first
CONTENDERS = 5  # the best spans checked for being what the asked act is about (within 50x of the best)


def _sentence_of(span: Span, windows: Sequence[Window]):
    """The sentence a span starts in, in the windows of its document; None if none holds it."""
    return next((s for w in windows if w.doc_id == span.doc_id and (s := w.sentence_at(span.start))), None)


def reasons(asked: frozenset[str], spans: Sequence[Span], windows: Sequence[Window],
            parse: Callable[[str], object]) -> list[Span]:
    """For a why-question, the spans that can give a reason, best first. Dropped: a span that is what
    the asked act is done to or about ("on Sharma's expulsion" of "would not comment on Sharma's
    expulsion", for "Why would Peke-Mason not comment?"): the question already says it. Moved first:
    when the best span's sentence does not hold the asked act ("attend") and a span scored at least
    CLOSE of it lies in a sentence that does ("chose against attending ..., saying the result was
    predetermined"), that span, as a reason must be the reason of that act. ``asked``: the stems of
    the question's act (``asked_verbs``)."""
    if not spans or not asked:
        return list(spans)

    def about_act(span: Span) -> bool:
        sentence = _sentence_of(span, windows)
        return sentence is not None and _argument_of(span, sentence, asked, parse)

    contenders = {id(x) for x in spans[:CONTENDERS] if x.score >= 0.02 * spans[0].score}   # the rest cannot win
    kept = [x for x in spans if id(x) not in contenders or not about_act(x)]
    if not kept:
        return kept

    def holds_act(span: Span) -> bool:
        sentence = _sentence_of(span, windows)
        return sentence is not None and any(stem(t.text) in asked for t in parse(sentence.text) if t.pos_ == "VERB")

    if not holds_act(kept[0]):
        best = kept[0].score
        moved = next((x for x in kept[1:] if x.score >= CLOSE * best and holds_act(x)), None)
        if moved is not None:
            kept.remove(moved)
            kept.insert(0, moved)
    return kept


# a clause giving a reason, as news writes one
_STATED_REASON = re.compile(r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result\s+of|in\s+order\s+to|so\s+that)\b",
                            re.IGNORECASE)
OVERLAP = 3     # words of what a why-question asks about (names aside) a sentence must share to be about it


def _in_stated_reason(span: Span, sentence, asked: frozenset[str]) -> bool:
    """Whether a span lies inside a "because" clause of a sentence whose clause it explains shares OVERLAP of the
    question's words: "Those three stayed quiet because ... the one relay ..., and that relay appears to have lost
    power overnight" gives why the sirens stayed quiet, not why the relay lost power. The explained clause is
    the text before the reason word, or, for a sentence opening with it ("Because ..., X"), the rest after the
    first comma past the span."""
    if sentence is None or len(asked & stems(sentence.text)) < OVERLAP:
        return False
    at = span.start - sentence.start
    marks = [m for m in _STATED_REASON.finditer(sentence.text) if m.end() <= at]
    if not marks or "." in sentence.text[marks[-1].end():at]:
        return False
    before = sentence.text[:marks[-1].start()]
    if not before.strip(' "“‘'):
        after = sentence.text[span.end - sentence.start:]
        before = after[after.index(",") + 1:] if "," in after else ""
    return len(asked & stems(before)) >= OVERLAP


def stated_reason(question: str, spans: Sequence[Span], windows: Sequence[Window],
                  limit: int = 20) -> tuple[list[Span], bool]:
    """For a why-question whose best span lies in no sentence giving a reason, the first span (of the ``limit``
    best) inside a "because" clause of a sentence sharing OVERLAP of the question's words is moved first:
    "Why was the open ocean swim shortened?" is answered by "... the open ocean swim was cut from 800 metres to
    500 metres ... because conditions became dangerous", not by "despite a two-metre swell that forced
    officials to shorten several events". Also whether the answer is such a stated reason: the text says it,
    however unsure the reader (trained on Wikipedia) is of it."""
    if not spans:
        return list(spans), False
    asked = predicate_stems(_FRONTED.sub("", question))     # what is asked about, not whom
    first = _sentence_of(spans[0], windows)
    if first is None or _STATED_REASON.search(first.text):
        return list(spans), _in_stated_reason(spans[0], first, asked)
    for span in spans[1:limit]:
        if _in_stated_reason(span, _sentence_of(span, windows), asked):
            return [span, *(x for x in spans if x is not span)], True
    return list(spans), False


def _argument_of(span: Span, sentence, asked: frozenset[str], parse: Callable[[str], object]) -> bool:
    """Whether the span is an argument of a verb of the asked act in its sentence (its object, or a
    phrase on it that opens with no reason word): what the question already says, not why."""
    doc = parse(sentence.text)
    lo, hi = span.start - sentence.start, span.end - sentence.start
    tokens = [t for t in doc if lo <= t.idx and t.idx + len(t) <= hi]
    if not tokens or tokens[0].lower_ in _REASON_OPENERS:
        return False
    inside = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    if len(heads) != 1 or heads[0].dep_ not in _ARGUMENTS:
        return False
    node = heads[0]
    if node.dep_ == "pobj":             # "his guilty plea" of "for his guilty plea": the preposition decides
        if node.head.lower_ in _REASON_OPENERS:
            return False
        node = node.head
    return node.head.pos_ == "VERB" and stem(node.head.text) in asked


def asked_verbs(question: str, parse: Callable[[str], object]) -> frozenset[str]:
    """The stems of the verbs that carry a question's act ("attend" of "Why didn't Sharma attend ...?"),
    light verbs ("do", "get", "be"), a fronted "According" and a capitalised word the small parser tags as a
    verb ("Ludlow" of "When will Ludlow accountant X be sentenced?": a name) out, as is one after a preposition
    ("of the maternity unit closure": a noun). After "Did/Does/Do/Will/Can ..." the main word is a verb whatever the
    small parser tags it ("Did the Greens back the bill?": "back" as an adverb; "Will the Secretary of State call
    in the decision?": "call" as a noun)."""
    doc = parse(question)
    done = len(doc) > 0 and doc[0].lower_ in ("did", "does", "do")
    modal = len(doc) > 0 and doc[0].lower_ in ("will", "would", "can", "could", "should")
    verbs = frozenset(stem(t.text) for t in doc if (t.pos_ == "VERB" and t.dep_ not in ("prep", "compound", "pobj")
                                                    and not (t.i > 0 and t.text[:1].isupper())   # "Ludlow": a name
                                                    and not _role_before_name(t, doc)
                                                    and not (t.dep_ == "amod" and t.tag_ in ("VBN", "VBG"))
                                                    and not _when_clause(t)) or
                      (done and t.dep_ == "ROOT" and t.i > 1 and t.pos_ in ("NOUN", "ADV", "ADJ")) or
                      (modal and t.dep_ == "ROOT" and t.i > 1 and t.pos_ == "NOUN")) - LIGHT_VERBS
    described = frozenset(stem(t.text) for t in doc if t.pos_ == "VERB" and _describing(t))
    if verbs - described:           # "the offer that included a payment": which offer, not the act asked
        verbs -= described
    elif verbs and any(t.dep_ == "ROOT" and t.pos_ == "VERB" and stem(t.text) in LIGHT_VERBS - {"be"}
                       for t in doc):
        # "Did either of the publishers approached make an offer?": the act is the light verb's, not "approached"
        return frozenset()
    named = _NAMED_SUBJECT.match(question) if not verbs else None
    if named is None:
        return verbs
    # a long name read as one noun with the verb ("Did Middlemore Hospital nurse Tevita Fifita vote for ...?"):
    # the verbs of the question asked of "they"
    doc = parse(f"{named.group(1)} they {question[named.end():]}")
    if len(doc) < 3 or doc[2].pos_ != "VERB":         # the word after the name is no verb even so
        return verbs
    return frozenset(stem(t.text) for t in doc if t.pos_ == "VERB" and t.dep_ != "prep") - LIGHT_VERBS


_TIMES = frozenset({"when", "after", "before", "while", "since", "until", "once", "following", "upon"})


_WHEN_ASKED = re.compile(r"^\W*(?:when|on what date|by when|what date)\b", re.IGNORECASE)


def prefer_dated_act(question: str, spans: Sequence[Span], windows: Sequence[Window],
                     parse: Callable[[str], object], ratio: float = 4.0) -> list[Span]:
    """For a when-question, a date from a sentence that says the act asked ("He will be sentenced at the same
    court on 2 May") before a likelier one from a sentence that does not ("found guilty on Thursday"), when the
    reader's scores are within ``ratio`` and it fits the type asked as well; spans otherwise as given."""
    if len(spans) < 2 or not _WHEN_ASKED.match(question):
        return list(spans)
    verbs = asked_verbs(question, parse)
    if not verbs:
        return list(spans)
    by_rank = {w.rank: w for w in windows}

    def says_act(span: Span) -> bool:
        sentence = span.sentence_in(by_rank)
        return sentence is not None and any(_same_act(w, verbs) for w in re.findall(r"[A-Za-z]+", sentence.text))

    if says_act(spans[0]):
        return list(spans)
    for i, span in enumerate(spans[1:6], 1):
        if span.score * ratio >= spans[0].score and span.type_fit >= max(spans[0].type_fit, 0) and says_act(span):
            return [span, *spans[:i], *spans[i + 1:]]
    return list(spans)


def _when_clause(token) -> bool:
    """Whether a verb of a question is in a clause saying when the act asked happened ("went" of "Was Ferris
    carrying a beacon when he went missing?", "charged" of "Was he granted bail after being charged?"): it
    dates the act, and the answer's sentence need not say it."""
    return any((a.dep_ == "advcl" and any(c.lower_ in _TIMES and c.dep_ in ("advmod", "mark") for c in a.children))
               or (a.dep_ == "pcomp" and a.head.lower_ in _TIMES)
               for a in (token, *token.ancestors) if a.dep_ != "ROOT")


def _role_before_name(token, doc) -> bool:
    """Whether a word the small parser tags as the verb right after the opening auxiliary is a role before a
    name: "jockey" of "Will jockey Kelly Brannigan appeal the fine?"."""
    return token.i == 1 and token.tag_ == "VB" and doc[0].pos_ == "AUX" and len(doc) > 2 \
        and doc[2].text[:1].isupper()


def _describing(token) -> bool:
    """Whether a verb of a question is in a clause that tells which thing it means ("included" of "Did the union
    accept the offer that included a payment?", "suspended" of "Did the MP who was suspended attend?", "rebranding"
    of "Has the sponsor agreed to pay the costs of rebranding the stadium?")."""
    return any(a.dep_ == "relcl" or (a.dep_ == "acl" and a.tag_ in ("VBN", "VBG") and a.head.pos_ in ("NOUN", "PROPN"))
               or _to_describe(a)
               or (a.dep_ == "pcomp" and a.head.lower_ == "of" and a.head.head.pos_ == "NOUN")
               for a in (token, *token.ancestors) if a.dep_ != "ROOT")     # not "vote to suspend", read as acl


# nouns of an act whose infinitive is the act asked: "Did the council's decision to close the library stand?"
_ACT_NOUNS = frozenset("vote decision plan bid move attempt call push effort offer threat promise pledge proposal "
                       "motion application request order ruling agreement deal refusal".split())


def _to_describe(verb) -> bool:
    """Whether an infinitive tells which thing a noun asked about is ("restrict" of "Did they pass Maguire's
    amendment to restrict the ban?"), not what an act named by a noun does ("a decision to close")."""
    head = verb.head
    return verb.dep_ == "acl" and verb.tag_ == "VB" and head.pos_ == "NOUN" and \
        head.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and head.lemma_.lower() not in _ACT_NOUNS


# a yes/no question opening with a subject of capitalised words (and the lower-case words inside it): "Did
# Middlemore Hospital nurse Tevita Fifita", "Will the Wharenui Regional Council" (not an owner: "Outback Air
# Express's maintenance base")
_NAMED_SUBJECT = re.compile(r"^((?i:did|does|do|will|would|can|could|has|have|had))\s+(?:the\s+)?"
                            r"(?:[A-Z][\w'’.&-]*\s+|[a-z]+\s+(?=[A-Z]))*[A-Z][\w'’.&-]*(?<!['’]s)\s+(?=[a-z])")


# a thing got is a thing given: "Why did Ellison get a discount?" asks why the judge gave him one
_GOT = frozenset({"get", "receiv"})
_GIVEN = frozenset({"giv", "award", "grant", "offer", "hand"})


def asked_acts(question: str, parse: Callable[[str], object]) -> frozenset[str]:
    """``asked_verbs`` of a why-question, and for a thing got or received ("Why did Ellison get a
    discount?"), the verbs of giving it too: its reason hangs on whichever way round the text says it
    ("gave Ellison a discount for his guilty plea"). Not for a thing not got ("Why didn't Ellison get a
    discount for remorse?"): the giving is not what it asks about."""
    doc = parse(question)
    got = not any(_negation(t) for t in doc) and \
        any(stem(t.text) in _GOT and any(c.dep_ == "dobj" for c in t.children) for t in doc)
    return asked_verbs(question, parse) | (_GOT | _GIVEN if got else frozenset())


def _of_act(node, verbs: frozenset[str]) -> bool:
    """Whether a token is a verb of the asked act (one of ``verbs``, stems)."""
    return bool(verbs) and node.pos_ == "VERB" and stem(node.text) in verbs


def clause_around(sentence: str, start: int, end: int, parse: Callable[[str], object], min_tokens: int = 4) -> tuple[int, int]:
    """Offsets in ``sentence`` of the smallest clause or phrase that holds ``sentence[start:end]``
    and has at least ``min_tokens`` words (the whole sentence when none does)."""
    doc = parse(sentence)
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if not tokens:
        return 0, len(sentence)
    inside = {t.i for t in tokens}
    head = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    node = head
    while True:
        kept = _own_clause(node, inside)
        lo, hi = kept[0].idx, kept[-1].idx + len(kept[-1])
        words = sum(1 for t in kept if not t.is_punct)
        if node.dep_ in _CLAUSE_HEADS and lo <= start and hi >= end and words >= min_tokens:
            return _trim(sentence, lo, hi)
        if node.head.i == node.i:
            return _trim(sentence, lo, hi) if lo <= start and hi >= end else _trim(sentence, 0, len(sentence))
        node = node.head


def _own_clause(node, inside: set[int]) -> list:
    """The tokens of ``node``'s subtree without the clauses coordinated to it ("..., but Ms Ardern
    has dismissed them") that do not hold the answer, as one contiguous run."""
    drop: set[int] = set()
    for child in node.children:
        if child.dep_ in ("conj", "cc", "parataxis") or (child.dep_ == "punct" and child.i > node.i):
            sub = {t.i for t in child.subtree}
            if not sub & inside:
                drop |= sub
    kept = [t for t in node.subtree if t.i not in drop]
    # keep one contiguous run around the node
    run = [t for t in kept if t.i <= node.i]
    first = node.i
    for t in reversed(run):
        if t.i != first and t.i != first - 1:
            break
        first = t.i
    last = node.i
    for t in (x for x in kept if x.i > node.i):
        if t.i != last + 1:
            break
        last = t.i
    return [t for t in kept if first <= t.i <= last] or [node]


def needs_clause(span_text: str, parse: Callable[[str], object], form: str | None = None) -> bool:
    """A span too small to settle a why/how/yes-no question: one word, or two words without a verb
    ("frustrations", "chat"); "never investigated" or "through a text message blunder" stand. A
    yes/no question is settled by something said, and "What did X do?" (``form`` "did", see
    ``did_question``) by something done, so there any span without a verb needs its clause
    ("unanimous caucus decision" does not say whether Ardern reached Sharma; "secret partyroom
    meeting" is not what Ardern did)."""
    words = span_text.split()
    if len(words) < 2:
        return True
    if len(words) >= 3 and form not in ("yes/no", "did"):
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in parse(span_text))


# words that cannot end an answer: what they belong to comes after them ("has not", "no", "the", "of")
_DANGLING_POS = frozenset({"AUX", "PART", "DET", "ADP", "CCONJ", "SCONJ"})


# closed-class words that may end a cut span: a cheap test before the parse ``dangles`` needs
_OPEN_ENDS = frozenset((
    "a an the no not never n't this that these those his her its their our my your some any every each "
    "of to in on at by for with from into onto about over under after before during since until than as "
    "and or but nor if because while whether although though so "
    "is are was were be been being am has have had do does did will would can could shall should may might must "
    "isn't aren't wasn't weren't hasn't haven't hadn't don't doesn't didn't won't wouldn't can't couldn't").split())


def may_dangle(span_text: str) -> bool:
    """Whether a span ends in a function word, so that ``dangles`` is worth a parse."""
    words = span_text.split()
    return bool(words) and words[-1].lower().strip(".,;:!?\"'“”‘’") in _OPEN_ENDS


def dangles(sentence: str, start: int, end: int, parse: Callable[[str], object]) -> bool:
    """Whether ``sentence[start:end]`` stops after a function word whose head comes later in the
    sentence ("Mr McAnulty has not" of "... has not responded to the claims"), or after a
    preposition whose object does ("the end of" of "the end of March"): a cut phrase."""
    doc = parse(sentence)
    inside = [t for t in doc if t.idx < end and t.idx + len(t) > start and not t.is_punct]
    if not inside:
        return False
    last = inside[-1]
    negation = last.dep_ == "neg" or last.lower_ in ("no", "not", "never", "n't")
    if last.pos_ == "ADP" and any(child.idx >= end for child in last.children):
        return True
    return (last.pos_ in _DANGLING_POS or negation) and last.head.i > last.i and last.head.idx >= end


def made_whole(sentence: str, start: int, end: int, parse: Callable[[str], object],
               min_tokens: int = 4) -> tuple[int, int] | None:
    """Offsets of the smallest clause or phrase (``clause_around``, at least ``min_tokens`` words)
    holding ``sentence[start:end]`` when that span ``dangles``; None when it is not cut."""
    if not dangles(sentence, start, end, parse):
        return None
    return clause_around(sentence, start, end, parse, min_tokens=min_tokens)


# verbs that carry no claim of their own ("is he going to", "did she get"); words that hedge a claim;
# words that deny without a negation ("unable to", "refused"), which the rule below leaves alone
LIGHT_VERBS = frozenset({"be", "hav", "do", "go", "get", "let", "mak"})      # as stem() gives them
_HEDGES = frozenset({"if", "whether", "unless", "might", "may", "could", "perhaps", "possibly", "maybe",
                     "reportedly", "allegedly", "likely", "unlikely", "expected"})
_IMPLICIT_NO = frozenset({"unabl", "refus", "deny", "fail", "declin", "reject", "without", "yet"})   # stems
_NEGATIONS = frozenset({"not", "n't", "never", "no", "nothing", "none", "nobody", "neither", "nor"})


def _negation(token) -> bool:
    return token.dep_ == "neg" or token.lower_ in _NEGATIONS


def _hedges(token) -> bool:
    """Whether a word hedges its clause or denies it without a negation ("may", "unable"); not "could" or "yet"
    beside a negation of their verb ("could not extend", "has not yet begun"), which deny it outright."""
    if token.lower_ in ("could", "yet") and any(_negation(c) for c in token.head.children):
        return False
    return token.lower_ in _HEDGES or stem(token.text) in _IMPLICIT_NO


# what, above a clause, turns it away from happening: "chose against attending", "refused to attend",
# "stopped short of expelling", "instead of voting"
_AVOIDING = frozenset({"against", "instead", "rather", "avoid", "stop", "short", "ceas", "abandon", "cancel",
                       "prevent", "ban", "forbid", "hesitat", "reluctant", "plan", "intend", "want", "hop",
                       "threaten", "consider", "propos"})


def _governing(node):
    """``node``'s ancestors, up to a clause joined to another with its own subject or auxiliary: "He did not
    enter a plea and was refused bail": "not enter" is beside "was refused", not above it."""
    while node.dep_ != "ROOT":
        if node.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass") for c in node.children):
            return
        node = node.head
        yield node


def _doubted_above(node) -> bool:
    """Whether something above ``node``'s clause negates, hedges or avoids it: an ancestor, or a
    negation, hedge or auxiliary beside one ("Dr Sharma then chose against attending a formal
    caucus meeting": no "Yes" for "Did Sharma attend?"; "It is yet to be seen whether ...";
    "She was unable to get through"). A planned or wanted act is not a done one either."""
    inside = {t.i for t in node.subtree}
    for above in _governing(node):
        if _negation(above) or above.lower_ in _HEDGES or stem(above.text) in _IMPLICIT_NO | _AVOIDING:
            return True
        for side in above.children:
            if side.i in inside or side.dep_ not in ("neg", "advmod", "aux", "auxpass", "mark", "prep", "acomp"):
                continue
            if _negation(side) or side.lower_ in _HEDGES or stem(side.text) in _IMPLICIT_NO | _AVOIDING:
                return True
    return False


# the pipeline runs without spaCy's lemmatizer (rag.nlp), so words are compared by a crude stem:
# common irregular past forms, then the regular endings ("expelled", "expels" -> "expel")
_IRREGULAR = {w: base for base, forms in (
    ("be", "is are was were been being am"), ("have", "has had having"), ("say", "said"), ("tell", "told"),
    ("go", "went gone going goes"), ("get", "got gotten"), ("do", "did done does doing"), ("make", "made"),
    ("take", "took taken"),
    ("give", "gave given"), ("know", "knew known"), ("think", "thought"), ("leave", "left"), ("meet", "met"),
    ("find", "found"), ("win", "won"), ("lose", "lost"), ("hold", "held"), ("keep", "kept"),
    ("bring", "brought"), ("buy", "bought"), ("speak", "spoke spoken"), ("write", "wrote written"),
    ("begin", "began begun"), ("run", "ran"), ("see", "saw seen"), ("come", "came"), ("become", "became"),
    ("stand", "stood"), ("send", "sent"), ("spend", "spent"), ("build", "built"), ("pay", "paid"),
    ("lead", "led"), ("feel", "felt"), ("hear", "heard"), ("fall", "fell fallen"), ("choose", "chose chosen"),
    ("seek", "sought"), ("teach", "taught"), ("catch", "caught"), ("fight", "fought"), ("sell", "sold"),
    ("understand", "understood"), ("drink", "drank drunk"), ("break", "broke broken"),
    ("forget", "forgot forgotten"), ("rise", "rose risen"), ("drive", "drove driven"), ("eat", "ate eaten"),
    ("grow", "grew grown"), ("throw", "threw thrown"), ("wear", "wore worn"), ("show", "shown"),
    ("draw", "drew drawn"), ("die", "died dying death deaths")) for w in (base, *forms.split())}


def stem(word: str) -> str:
    """A crude common key for the forms of an English word: "responded"/"responds" -> "respond",
    "expelled" -> "expel", "told" -> "tell"."""
    w = word.lower()
    if w in _IRREGULAR:
        w = _IRREGULAR[w]
    else:
        for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: len(w) - len(suffix)] + keep
                break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]                                      # "committ" -> "commit", "expell" -> "expel"
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


# words an answer may share with its question without merely repeating it: function words and titles
_ECHO_IGNORED = frozenset("a an the of in on at to for by with from and or as is was were be been his her their "
                          "its mr ms mrs dr sir dame".split())


def content_words(text: str) -> list[str]:
    """The lower-cased words of a text that say something (articles, prepositions, titles out)."""
    words = (w.removesuffix("'s").removesuffix("\u2019s") for w in re.findall(r"[\w'\u2019]+", text.lower()))
    return [w for w in words if w not in _ECHO_IGNORED]


def stems(text: str) -> frozenset[str]:
    """The stems (``stem``) of a text's content words: "responded to the claims" -> {"respond", "claim"}."""
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


def verdict(question: str, sentence: str, context: str, parse: Callable[[str], object],
            start: int = 0, end: int | None = None) -> tuple[str, int, int] | None:
    """("yes" or "no", lo, hi) when ``sentence`` settles the yes/no ``question`` by a rule, else None;
    ``sentence[lo:hi]`` is what to quote with it: the answer ``sentence[start:end]`` if it holds a verb
    the verdict is about, else the clause holding those verbs (an answer outside it gets no verdict).

    The rule, strict on purpose (a wrong "No" is worse than none): the question is not itself
    negative; every verb of it that carries a claim appears in the sentence (the same ``stem``);
    each name, number and noun of it appears in the sentence or in ``context`` (its story);
    the clause that holds those verbs (without the clauses joined to it by "but", "and" or a comma)
    neither hedges nor denies by implication ("may", "if", "unable"; an "if" the question asks too aside),
    and its negations are either none ("yes") or exactly one, on one of those verbs or on its object ("has not
    responded", "experienced no bullying": "no") or on a need above it ("will not need to apply"). A verb of the
    sentence done to another thing than the question's ("study history" for "study English?") decides
    nothing. A few verbs stand for each other (``_SAME_ACT``: "back" / "support", "detect" / "find").
    More ways of saying "no" to one act: "no" on its noun for whether anyone did it ("No charges have
    been laid"), "un-" before it ("The rate was unchanged"), "unchanged" for a change ("Did the rate
    rise?"), "no" on the thing asked whether someone has ("a country with no such scheme"), and the act done
    under the opposite preposition ("voted against the offer" for "vote for the offer?", ``_OPPOSED``)."""
    tally = _tally_verdict(question, sentence, context, parse)
    if tally is not None:
        return tally
    q = parse(question)
    if any(_negation(t) for t in q):
        return None
    verbs = asked_verbs(question, parse)
    had = _had_thing(q) if not verbs else None
    quality = _asked_quality(q) if not verbs and had is None else None
    if not verbs and had is None and quality is None:
        return None
    doc = parse(sentence)
    if "?" in sentence:
        return None
    if any(t.lower_ in ("another", "again") for t in q) and not _AGAIN.search(sentence):
        return None                 # "Will the city run another trial?": not "the trial was due to run until ..."
    if quality is not None:
        return _quality_verdict(q, quality, doc, sentence, context, start, end)
    matched = [t for t in doc if t.pos_ == "VERB" and _same_act(t.text, verbs)]
    if verbs <= _BEAT and not all(_beat_as_asked(q, v) for v in matched):
        return None                 # "Did Tasman beat Otago?": not "Tasman, who had been thrashed by Otago"
    none = undone = None
    if had is not None or {_act(t.text, verbs) for t in matched} != verbs:
        # "Has anyone been charged?": "No charges have been laid"; "Has the rate changed?": "was unchanged";
        # "Does Australia have a compensation scheme?": "one of the few countries with no compensation scheme"
        none = _none_had(doc, had) if had is not None else _none_done(q, doc, verbs)
        undone = _undone(doc, verbs) if none is None else None
        if none is None and undone is None:
            return None
        matched = [none or undone]
    # the clause that holds those verbs, without clauses joined to it ("..., but Ms Ardern has dismissed
    # them as without foundation"): hedges, implicit denials and negations count only inside it
    common = set.intersection(*({a.i for a in v.ancestors} | {v.i} for v in matched))
    top = max((doc[i] for i in common), key=lambda t: len(list(t.ancestors)))
    while (top.dep_ == "xcomp" and stem(top.head.text) in _NEEDING) or (top is none and top.dep_ != "ROOT"):
        top = top.head                  # "will not need to apply", "No charges have been laid": the clause above
    scope = _own_clause(top, {v.i for v in matched})
    asked_if = {t.lower_ for t in q if t.lower_ in ("if", "unless")}     # "... if the water table rises?": asked
    if any(_hedges(t) for t in scope if (undone is None or t.i != undone.i) and t.lower_ not in asked_if) \
            or _doubted_above(top):
        return None
    own = {stem(t.text) for t in doc}
    if not _terms_given(q, own, context, verbs):
        return None
    opposed = _opposed(q, matched, verbs)       # "voted against the offer" for "Did he vote for the offer?"
    if not opposed and _other_object(q, matched, own, verbs):
        return None
    negations = [t for t in scope if _negation(t)]
    if len(negations) > 1:
        return None
    if negations:
        neg = negations[0]
        on_verb = any(neg.head.i == v.i for v in matched) or (neg.head.i == top.i and stem(top.text) in _NEEDING)
        on_object = neg.dep_ == "det" and any(neg.head.head.i == v.i for v in matched)
        # "pleaded not guilty", "was found not guilty" for "Did he plead guilty?": on the verb's complement asked
        on_complement = neg.head.dep_ in ("acomp", "oprd") and any(neg.head.head.i == v.i for v in matched) \
            and stem(neg.head.text) in {stem(t.text) for t in q}
        if not (on_verb or on_object or on_complement):
            return None
    if (undone is not None or opposed) and negations:
        return None                 # "not unchanged", "did not vote against": a double negation
    said = "no" if negations or undone is not None or opposed else "yes"
    end = len(sentence) if end is None else end
    if any(start <= v.idx < end for v in matched):
        return said, start, end
    lo, hi = _trim(sentence, scope[0].idx, scope[-1].idx + len(scope[-1]))
    return (said, lo, hi) if lo <= start < hi else None


# words that tell of another one of a thing, as "Will they run another trial?" asks
_AGAIN = re.compile(r"\b(?:another|new|second|third|further|fresh|again|more|next|repeat|renewed|extended)\b",
                    re.IGNORECASE)


# "Was the vote unanimous?": a tally says it ("voted 6-1", "by eight votes to seven", "passed 9-0")
_UNANIMOUS_ASKED = re.compile(r"\bunanimous(?:ly)?\b", re.IGNORECASE)
_COUNTS = {w: k for k, w in enumerate("nil one two three four five six seven eight nine ten eleven twelve thirteen "
                                      "fourteen fifteen".split())} | {"none": 0, "zero": 0}
_COUNT = r"(\d{1,2}|" + "|".join(_COUNTS) + r")"
_TALLY = re.compile(rf"\b(?:vot(?:e|ed|es|ing)|passed|approved|rejected|carried|defeated|backed|by)\s+(?:[\w-]+\s+){{0,2}}?"
                    rf"{_COUNT}\s*(?:-|–|votes?\s+to|to)\s*{_COUNT}\b", re.IGNORECASE)


def _tally_verdict(question: str, sentence: str, context: str,
                   parse: Callable[[str], object]) -> tuple[str, int, int] | None:
    """For "Were councillors unanimous in voting to fund the repairs?": "no" when the sentence gives the vote as a
    tally with votes against ("Councillors voted 6-1 to fund the work"), "yes" for none against ("passed 9-0"), its
    names and nouns given (``_terms_given``); else None. The whole sentence is quoted."""
    if _UNANIMOUS_ASKED.search(question) is None or "?" in sentence:
        return None
    found = _TALLY.search(sentence)
    if found is None:
        return None
    against = found.group(2).lower()
    against = _COUNTS[against] if against in _COUNTS else int(against)
    q = parse(question)
    if any(_negation(t) for t in q) or not _terms_given(q, {stem(t.text) for t in parse(sentence)}, context,
                                                        frozenset({stem("vote")})):
        return None
    return ("no" if against else "yes"), 0, len(sentence)


def said_of_asked(question: str, sentence: str, parse: Callable[[str], object]) -> bool:
    """Whether a sentence does an asked act (``asked_verbs``) with a subject the question names: "the club had
    confirmed it as the new record" for "Has the fishing club confirmed the marlin as the record?"; not "Staff
    will also have to pay" for "Will dialysis patients have to pay?", nor an act without a subject of its own
    ("The audit, carried out by the finance team"). A verb with none ("agreed to introduce") takes the subject of
    the verb it completes. For "Will ...?", the act must be ahead (a base form or "will", "would")."""
    verbs = asked_verbs(question, parse)
    said = {stem(w) for w in re.findall(r"[\w'’]+", sentence.lower())}
    if not verbs or not any(v in said or _SAME_ACT.get(v, frozenset()) & said for v in verbs):
        return False                # no word of the act: no parse needed
    asked = stems(question)
    ahead = question.split()[0].lower() in ("will", "would") if question.split() else False
    for verb in (t for t in parse(sentence) if t.pos_ == "VERB" and _same_act(t.text, verbs)):
        node = verb
        while node.dep_ in ("xcomp", "conj") and not any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children):
            node = node.head
        subject = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None or subject.pos_ == "PRON" or stem(subject.text.lower()) not in asked:
            continue
        if ahead and not (verb.tag_ == "VB" or any(c.lower_ in _AHEAD for c in (*verb.children, *node.children))):
            continue                # "Will it be held there again?": not "it had been held there from 2019"
        return True
    return False


# the words that put an act ahead: "will", "would", "'ll", "shall", "is going to"
_AHEAD = frozenset({"will", "would", "'ll", "shall", "going"})


# verbs whose negation, above the asked one, denies it: "Families will not need to apply", "did not have to pay"
_NEEDING = frozenset({"need", "hav", "manag", "bother"})
# a question about whether anyone did it: "Has anyone been charged?"
_ANY = frozenset({"anyone", "anybody", "anything", "any", "someone", "somebody"})


def _none_done(question, doc, verbs: frozenset[str]):
    """For a question whether anyone did one thing ("Has anyone been charged over the crash?"), the
    noun of that act the sentence says none of ("No charges have been laid", "there have been no
    arrests"), else None."""
    if len(verbs) != 1 or not any(t.lower_ in _ANY for t in question):
        return None
    return next((t for t in doc if t.pos_ == "NOUN" and stem(t.text) in verbs
                 and any(c.dep_ == "det" and c.lower_ == "no" for c in t.children)), None)


# verbs that stand for each other in a yes/no question and its evidence ("Did the Greens back the bill?":
# "The bill was supported by ... the three Greens"), as stems; few and close on purpose: a wrong "Yes"
# is worse than none
# acts of one side over another, whose sides the verdict must see the right way round (``_BEAT``)
_BEATING = "beat defeat thrash down edge overcome rout crush outclass"
_SAME_ACT = {stem(w): frozenset(map(stem, group.split())) for group in (
    "back support endorse", "detect find", "sack fire dismiss", "buy purchase", "hurt injure", "arrest detain",
    "start begin commence", "need require", "pay repay repaid", "hire recruit", "resign quit", "build construct",
    "cancel scrap axe axed", "close shut", _BEATING)
    for w in group.split()}
_BEAT = frozenset(map(stem, _BEATING.split()))
_WHO = frozenset({"who", "which", "that"})


def _sides(verb) -> tuple[set[str], set[str]]:
    """(the doer's, the done-to's) capitalised words of a verb: "Otago thrashed Tasman", "Tasman was thrashed by
    Otago", "Tasman, who had been thrashed by Otago" (a relative pronoun stands for the noun it follows)."""
    def names(token) -> set[str]:
        if token is None:
            return set()
        if token.lower_ in _WHO and verb.dep_ == "relcl":
            token = verb.head
        clause = {t.i for c in token.children if c.dep_ == "relcl" for t in c.subtree}   # ", who had been ..."
        return {t.lower_ for t in token.subtree if t.text[:1].isupper() and t.i not in clause}
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    by = next((p for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"), None)
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    done_to = next((c for c in verb.children if c.dep_ == "dobj"), None)
    return (names(by), names(subject)) if passive else (names(subject), names(done_to))


def _beat_as_asked(question, verb) -> bool:
    """Whether a sentence's verb of beating has the question's sides the same way round, both named."""
    asked = next((t for t in question if t.pos_ == "VERB" and stem(t.text) in _BEAT), None)
    if asked is None:
        return False
    (doer, done_to), (q_doer, q_done_to) = _sides(verb), _sides(asked)
    return bool(q_doer and q_done_to and q_doer & doer and q_done_to & done_to)


# acts of changing, which "unchanged" denies ("Did services inflation rise?": "was unchanged at 5.1 per cent")
_CHANGES = frozenset(map(stem, "change rise increase fall drop decrease grow climb decline move shift jump slip "
                                "ease".split()))


def _act(word: str, verbs: frozenset[str]) -> str:
    """The asked verb (a stem of ``verbs``) that ``word`` says, itself or by a verb of ``_SAME_ACT``."""
    key = stem(word)
    return key if key in verbs else next(iter(_SAME_ACT.get(key, frozenset()) & verbs), key)


def _same_act(word: str, verbs: frozenset[str]) -> bool:
    return _act(word, verbs) in verbs


# acts that deny each other: "rejected the offer" says no to "Did the union accept the offer?", "was refused
# bail" to "Was he granted bail?"; as stems, few and plain on purpose (a wrong "No" is worse than none)
_OPPOSITE_ACT = {stem(a): frozenset(map(stem, b.split())) for a, b in (
    ("accept", "reject decline"), ("grant", "refuse deny"), ("approve", "reject decline"), ("allow", "ban forbid"),
    ("win", "lose"), ("pass", "lose defeat reject"), ("acquit", "convict"), ("convict", "acquit"), ("open", "close"),
    ("close", "open"))}


def _undone(doc, verbs: frozenset[str]):
    """The word that says the one asked act was not done, by "un-" before it ("unchanged" for "Did
    inflation change?", "unpaid" for "Was the bill paid?"), "unchanged" for a change ("Did inflation
    rise?"), or the opposite act (``_OPPOSITE_ACT``: "rejected it" for "Did they accept it?"), as what
    the clause says; else None."""
    if len(verbs) != 1:
        return None
    opposite = _OPPOSITE_ACT.get(next(iter(verbs)), frozenset())
    return next((t for t in doc if (t.pos_ in ("ADJ", "VERB") and t.lower_.startswith("un") and len(t) > 5
                 and (stem(t.text[2:]) in verbs or (t.lower_ == "unchanged" and verbs <= _CHANGES))
                 and t.dep_ in ("ROOT", "acomp", "oprd", "conj"))
                 or (t.pos_ == "VERB" and stem(t.text) in opposite and t.dep_ in ("ROOT", "conj", "ccomp")
                     and not any(c.dep_ == "xcomp" for c in t.children))), None)   # not "declined to vote on it"


def _terms_given(question, own: set[str], context: str, verbs: frozenset[str] = frozenset()) -> bool:
    """Whether each name, number and noun of the parsed question (its verbs aside) is in the sentence (``own``,
    its stems) or its story (``context``, read as words only, and only when the sentence lacks one)."""
    missing = {stem(t.text) for t in question if (t.pos_ in ("PROPN", "NUM") or (t.pos_ == "NOUN" and not t.is_stop))
               and stem(t.text) not in verbs and not _in_fixed_phrase(t) and not _says_of_given(t, own)} - own
    missing = {re.sub(r"men$", "man", w) for w in missing} - own    # "crewmen": "crewman" of the story
    if not missing:
        return True
    told = {stem(w) for w in re.findall(r"\w+", context)}
    # a long noun the story says as a verb of its family: "registrations" of "would not register any new animals"
    return all(m in told or (len(m) >= 9 and any(len(w) >= 7 and w.startswith(m[:6]) for w in told))
               for m in missing)


def _says_of_given(token, own: set[str]) -> bool:
    """Whether a common noun of the question only qualifies one the sentence says ("town" of "Wyndham's town drinking
    water" beside "Wyndham's drinking water"): a word of the asker's, not a thing asked."""
    return token.pos_ == "NOUN" and token.dep_ == "compound" and token.head.pos_ == "NOUN" \
        and stem(token.head.text) in own


# nouns of a preposition's phrase that name nothing asked: "as a result of", "on behalf of", "in the wake of",
# "in favour of"
_FIXED_NOUNS = frozenset({"result", "behalf", "wake", "spite", "terms", "face", "course", "favour", "favor"})


def _in_fixed_phrase(token) -> bool:
    """Whether a noun of the question is part of a preposition's phrase like "as a result of" (nothing asked)."""
    return token.lower_ in _FIXED_NOUNS and token.dep_ == "pobj" and (
        any(c.lower_ == "of" for c in token.children) or (token.i + 1 < len(token.doc) and token.nbor().lower_ == "of"))


def _asked_quality(question):
    """(the adjective, the noun it is asked of) for "Was the caucus decision unanimous?" ("unanimous",
    "decision"): a form of "be" as the main verb, an adjective as its complement; else None."""
    root = next((t for t in question if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_ != "be":
        return None
    adjective = next((c for c in root.children if c.dep_ == "acomp" and c.pos_ == "ADJ"), None)
    subject = next((c for c in root.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")), None)
    return None if adjective is None or subject is None else (adjective, subject)


def _quality_verdict(question, quality, doc, sentence: str, context: str, start: int,
                     end: int | None) -> tuple[str, int, int] | None:
    """("yes" or "no", lo, hi) when the sentence gives the asked noun the asked adjective ("the unanimous caucus
    decision", "the decision was unanimous"; "was not unanimous": "no"), the question's names and nouns all in
    the sentence or its story, and nothing hedging; else None. ``sentence[lo:hi]`` is the noun phrase that says
    it, or the answer span when it holds the adjective, or the whole sentence."""
    adjective, subject = (stem(t.text) for t in quality)
    found = None
    for t in doc:
        if t.pos_ != "ADJ" or stem(t.text) != adjective:
            continue
        if t.dep_ == "amod" and stem(t.head.text) == subject:
            found, negated = t, any(c.dep_ == "det" and c.lower_ == "no" for c in t.head.children) or \
                any(_negation(c) for c in t.children)
        elif t.dep_ == "acomp" and any(c.dep_ == "nsubj" and stem(c.text) == subject for c in t.head.children):
            found, negated = t, any(_negation(c) for c in t.head.children) or any(_negation(c) for c in t.children)
        if found is not None:
            break
    if found is None:
        return None
    # said of the noun ("the unanimous caucus decision"), the quality is taken as given whatever the clause around
    # it does ("was unable to tell him of ..."); said by a clause ("the bridge may be safe"), that clause decides
    scope = list(found.subtree) if found.dep_ == "amod" else _own_clause(found.head, {found.i})
    if any(_hedges(t) for t in scope) or \
            (found.dep_ == "acomp" and _doubted_above(found.head)):
        return None
    if not _terms_given(question, {stem(t.text) for t in doc}, context):
        return None
    said = "no" if negated else "yes"
    if found.dep_ == "amod":        # the noun phrase that says it: "the unanimous caucus decision"
        words = list(found.head.subtree)
        return (said, *_trim(sentence, words[0].idx, words[-1].idx + len(words[-1])))
    end = len(sentence) if end is None else end
    if start <= found.idx < end:
        return said, start, end
    return (said, *whole(sentence))


def _had_thing(question):
    """The thing a question asks whether someone has ("Does Australia have a mandatory compensation
    scheme?" -> "scheme"): the object of its main verb "have", else None."""
    root = next((t for t in question if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX") or stem(root.text) != "hav":
        return None
    return next((c for c in root.children if c.dep_ == "dobj" and c.pos_ == "NOUN"), None)


def _none_had(doc, thing):
    """The asked ``thing`` where the sentence gives it "no" as what someone has or goes with ("one of
    the few countries with no mandatory compensation scheme", "the town has no hospital"), else None."""
    return next((t for t in doc if t.pos_ == "NOUN" and stem(t.text) == stem(thing.text)
                 and any(c.dep_ == "det" and c.lower_ == "no" for c in t.children)
                 and (t.head.lower_ == "with" or stem(t.head.text) == "hav")), None)


def _slots(verb) -> dict[str, object]:
    """What a verb is done to or where: its direct object and each preposition's object, by slot
    ("dobj", "at", "in", ...), the head word of each."""
    slots = {}
    for child in verb.children:
        if child.dep_ in ("dobj", "attr"):
            slots["dobj"] = child
        elif child.dep_ == "prep":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and child.lower_ == "in" and pobj.lower_ in ("favour", "favor"):
                of = next((c for c in pobj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
                thing = next((c for c in of.children if c.dep_ in ("pobj", "pcomp")), None) if of is not None else None
                slots["for"] = thing if thing is not None else pobj     # "voted in favour of the plan": for it
            elif pobj is not None:
                slots[child.lower_] = pobj
    return slots


# prepositions that turn an act around: "voted against the offer" answers "Did she vote for the offer?" with "No"
_OPPOSED = {"for": "against", "against": "for"}
# what a sentence calls the thing voted on once the story has named it: "voted against the scheme"
_STANDS_FOR = frozenset("scheme plan plans proposal proposals motion move idea change changes decision bid "
                        "application recommendation it them".split())


def _opposed(question, matched, verbs: frozenset[str]) -> bool:
    """Whether the sentence's asked verb is done to the question's thing under the opposite preposition
    (``_OPPOSED``): "Tevita Fifita ... voted against the offer" for "Did Tevita Fifita vote for the pay offer?", or
    under it left bare ("one of the two members who voted against")."""
    for asked in (t for t in question if stem(t.text) in verbs):
        wanted = _slots(asked)
        for verb in (v for v in matched if _act(v.text, verbs) == stem(asked.text)):
            given = _slots(verb)
            if any((other := _OPPOSED.get(slot)) is not None and slot not in given and other in given
                   and (stem(given[other].text) == stem(word.text) or given[other].lower_ in _STANDS_FOR)
                   for slot, word in wanted.items()):
                return True         # "voted against the scheme" for "vote in favour of the redevelopment?"
            # "one of the two members who voted against": the opposite preposition left bare, its object understood
            if any((other := _OPPOSED.get(slot)) is not None and slot not in given and any(
                    c.lower_ == other and c.dep_ in ("prep", "prt", "advmod") and not list(c.children)
                    for c in verb.children) for slot in wanted):
                return True
    return False


# words that make a thing another one than the question's ("backed a different bill")
_ANOTHER = frozenset({"different", "another", "other", "separate", "rival"})


def _done_to(verb) -> dict[str, object]:
    """The subject of a passive verb, what it is done to ("the lake" of "The lake has been closed"), as slot
    "nsubjpass"; empty for an active one."""
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    return {"nsubjpass": subject} if subject is not None else {}


def _other_object(question, matched, own: set[str], verbs: frozenset[str]) -> bool:
    """Whether the sentence's asked verb is done to something else than the question's: "Is Liam
    going to study English?" and "He will study history" (English in the sentence before) is no
    verdict, nor is "backed a different bill" for "Did they back the bill?", nor "The lake has been closed" for
    "Have the footpaths been shut?" (what a passive verb is done to counts as its object). A slot the sentence leaves
    empty or fills with a pronoun ("something the Prime Minister would not commit to") does not count; the
    question's word must then be near, as ``verdict`` asks."""
    for asked in (t for t in question if stem(t.text) in verbs):
        wanted = _slots(asked) | _done_to(asked)
        for verb in (v for v in matched if _act(v.text, verbs) == stem(asked.text)):
            given = _slots(verb) | _done_to(verb)
            if any(slot not in ("dobj", "nsubjpass") and slot not in given and word.pos_ in ("NOUN", "PROPN") and any(
                    other not in ("dobj", "nsubjpass") and stem(filler.text) == stem(word.text)
                    for other, filler in given.items())
                   for slot, word in wanted.items()):
                return True         # "bought before auction" for "buy ... at auction?": another relation to it
            for slot, filler in given.items():
                word = wanted.get(slot)
                if word is None or filler.pos_ == "PRON" or word.pos_ not in ("NOUN", "PROPN", "NUM"):
                    continue
                if stem(word.text) not in own or any(c.lower_ in _ANOTHER for c in filler.children):
                    return True
    return False


def whole(sentence: str) -> tuple[int, int]:
    """Offsets of the whole sentence, without surrounding quote marks and end punctuation."""
    return _trim(sentence, 0, len(sentence))


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Without surrounding spaces, quote marks and trailing punctuation (a quote mark that closes a
    quotation opened inside stays: ``rag.util.balance_quotes``)."""
    while lo < hi and (text[lo].isspace() or text[lo] in "\"'“”‘’,;:"):
        lo += 1
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] in "\"'“”‘’,;:.!?"):
        hi -= 1
    return balance_quotes(text, lo, hi) if hi > lo else (lo, hi)
