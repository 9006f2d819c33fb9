"""Two-hop questions through a described entity: "How old is the MP that Labour voted to expel?"
is asked as "Who is the MP that Labour voted to expel?", then again about that answer ("How old is
Dr Sharma?").

The sentence that answers such a question names the entity but shares few words with the question,
so retrieval ranks it low, and the description's own sentence holds no answer of the asked type: the
reader refuses, or answers with the entity itself ("What position had the man who drank beer ...?"
-> "Mr McAnulty"). Splitting the question at its relative clause is the "bridging" decomposition of
Min et al. 2019 ("Multi-hop Reading Comprehension through Question Decomposition and Rescoring"),
done here with the parse instead of a trained splitter. ``Assistant.run`` tries it only on an answer
that would be refused or whose type does not fit the question (``Settings.bridging``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rag.ages import ANOTHERS

# nouns that name a person: "the MP that ..." asks who, "the river that ..." asks what
PERSON_NOUNS = frozenset("""man woman men women person people boy girl child mp politician minister
leader president senator member candidate king queen prince princess emperor ruler official officer
player coach author writer artist actor actress singer composer director founder owner chief whip
spokesperson spokesman spokeswoman advocate lawyer judge doctor scientist teacher student staffer
worker employee manager ceo chairman chair journalist reporter editor""".split())
_RELATIVES = {"who", "whom", "whose", "that", "which"}
_PERSON_RELATIVES = {"who", "whom", "whose"}
_WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
_CONTENT = {"NOUN", "PROPN", "ADJ", "ADV", "VERB", "NUM"}   # "How long is the river that ...?": "long"
# the fallback when the parse finds no relative clause: a determiner, one to three words, a relative
# pronoun, and the rest of the question ("the MP that Labour MPs voted to expel on Tuesday")
_DESCRIBED = re.compile(r"\b(?:the|a|an)\s+(?:[\w'’-]+\s+){0,2}?([\w'’-]+)\s+(who|whom|whose|that)\s+[^?]+",
                        re.IGNORECASE)
_EMPTY_VERBS = frozenset({"be", "hav", "do"})       # as clauses.stem gives them
MAX_ENTITY_WORDS = 8
MAX_ENTITIES = 2      # first-hop answers tried: the answer and its next-best one


@dataclass(frozen=True)
class Bridge:
    """The description of an entity inside a question, and the question that asks who or what it is."""

    description: str      # "the MP that Labour MPs voted to expel on Tuesday"
    start: int            # its offsets in the question
    end: int
    inner: str            # "Who is the MP that Labour MPs voted to expel on Tuesday?"
    loose: bool = False   # no relative clause ("How old is the sacked manager?"): a weaker split, held to more

    def outer(self, question: str, entity: str) -> str:
        """The question asked again about the entity the description names."""
        return f"{question[:self.start]}{entity}{question[self.end:]}"


def find_bridge(question: str, parse: Callable[[str], object]) -> Bridge | None:
    """The question's described entity (a noun with a relative clause, or, asked how old, any description
    of a person: ``Bridge.loose``), or None when it has none or when nothing is asked about it ("Who was
    the king who signed the treaty?" asks for the entity)."""
    doc = parse(question)
    found = _parsed(doc) or _matched(question) or _aged(question)
    if found is None:
        return None
    start, end, head, relative = found
    while end > start and question[end - 1] in " ?.!,;:":
        end -= 1
    description = question[start:end]
    rest = [t for t in doc if not start <= t.idx < end]
    if not any(t.pos_ in _CONTENT and t.lower_ not in _WH and not _is_be(t) for t in rest):
        return None
    who = relative.lower() in _PERSON_RELATIVES or head.lower() in PERSON_NOUNS or not relative
    return Bridge(description, start, end, f"{'Who' if who else 'What'} is {description}?", loose=not relative)


def _parsed(doc) -> tuple[int, int, str, str] | None:
    """The first relative clause of the parse: (start, end, head noun, relative pronoun)."""
    for token in doc:
        if token.dep_ != "relcl" or token.head.pos_ not in ("NOUN", "PROPN"):
            continue
        head = token.head
        # the relative pronoun sits between the noun and the clause's verb ("the MP whose expulsion
        # Lewis backed"); a "that" after the verb introduces something else ("... said that ...")
        pronoun = next((t.lower_ for t in token.doc[head.i + 1:token.i] if t.lower_ in _RELATIVES), "")
        if not pronoun:
            continue      # "the whip Sharma said watched ...": a bare clause is too often misparsed
        last = token.right_edge
        return head.left_edge.idx, last.idx + len(last.text), head.text, pronoun
    return None


# "How old is the sacked manager?": an age is a person's, so a description without a relative clause is one
# too (the news names the person once, "Kingsmoor Rovers have sacked manager Gary Doyle, 47, ..."), as is
# "How old is Tidewater Lass's trainer?" (someone else's role: the trainer is not Tidewater Lass)
_AGED = re.compile(rf"^\s*(?i:how\s+old\s+(?:is|was|are|were))\s+((?i:the|a|an)\s+[^?]+?|{ANOTHERS}[^?]*?)\s*\??\s*$")


def _aged(question: str) -> tuple[int, int, str, str] | None:
    m = _AGED.match(question)
    return (m.start(1), m.end(1), "person", "") if m else None


def _matched(question: str) -> tuple[int, int, str, str] | None:
    m = _DESCRIBED.search(question)
    return (m.start(), m.end(), m.group(1), m.group(2)) if m else None


def _is_be(token) -> bool:
    """A form of be / have / do, which asks nothing on its own ("Who is the MP that ...?"). By
    ``clauses.stem``: the pipeline runs without spaCy's lemmatizer, so ``lemma_`` is mostly empty."""
    from rag.clauses import stem

    return token.pos_ == "AUX" or stem(token.text) in _EMPTY_VERBS


def entity_of(text: str) -> str | None:
    """The inner answer as a name to put in the question, or None when it is no short name."""
    text = text.strip().strip("\"'“”‘’").strip()
    if not text or len(text.split()) > MAX_ENTITY_WORDS:
        return None
    return text
