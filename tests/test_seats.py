"""Seats: which electorate a member represents, cut from the role the documents give them."""

from __future__ import annotations

import re

import pytest

from rag.seats import asked, find
from rag.types import Sentence


@pytest.mark.parametrize("question, member", [
    ("Which electorate does Steph Lewis represent?", "Steph Lewis"),
    ("What seat did Diane Abbott hold?", "Diane Abbott"),
    ("Which seat does Gaurav Sharma hold in Parliament?", "Gaurav Sharma"),
    ("What electorate did Gaurav Sharma win in 2020?", "Gaurav Sharma"),
    ("Where is Steph Lewis an MP?", "Steph Lewis"),
    ("Which constituency is Diane Abbott the MP for?", "Diane Abbott"),
    ("What is the name of Sharma's electorate?", "Sharma"),
    ("What is Gaurav Sharma's electorate?", "Gaurav Sharma"),
    ("What is the electorate of Adrian Rurawhe?", "Adrian Rurawhe"),
    ("Which electorate is represented by Steph Lewis?", "Steph Lewis"),
    # not a seat question, or of no one named
    ("Which electorate does he represent?", None),
    ("Who represents Whanganui?", None),
    ("Which party does Steph Lewis represent?", None),
    ("Where is Sharma's electorate office?", None),
])
def test_whose_seat_a_question_asks(question: str, member) -> None:
    assert asked(question) == member


def _sentences(*texts: str) -> list[Sentence]:
    return [Sentence("d", i, 0, len(t), t) for i, t in enumerate(texts)]


def _mentions(corpus: list[Sentence]):
    """The corpus's sentences holding a word in any case, as BM25's postings give them."""
    return lambda word: [s.text for s in corpus if re.search(rf"\b{re.escape(word)}\b", s.text, re.IGNORECASE)]


@pytest.mark.parametrize("member, text, seat", [
    ("Adrian Rurawhe", "Labour's Te Tai Hauārau MP Adrian Rurawhe chose not to comment.", "Te Tai Hauārau"),
    ("Gaurav Sharma", "Dr Sharma, the first-term Hamilton West MP, attacked Ms Ardern.", "Hamilton West"),
    ("Gaurav Sharma", "Ms Lewis backed the decision to expel West Hamilton MP Gaurav Sharma.", "West Hamilton"),
    ("Diane Abbott", "Diane Abbott, the MP for Hackney North and Stoke Newington, was suspended.",
     "Hackney North and Stoke Newington"),
    ("Andrew Rosindell", "The MP for Romford, Andrew Rosindell, said so.", "Romford"),
    ("Bernie Sanders", "The bill was backed by Vermont Senator Bernie Sanders.", "Vermont"),
    # a role, a party or a list seat is no place
    ("Soraya Peke-Mason", "Incoming Labour list MP Soraya Peke-Mason would not comment.", None),
    ("Kieran McAnulty", "Sharma attacked former whip Kieran McAnulty.", None),
    ("Diane Abbott", "The Labour Party suspended Labour MP Diane Abbott.", None),
    ("Ana Ruiz", "The decision angered Deputy Prime Minister Ana Ruiz.", None),
    ("Jacob Rees-Mogg", "The bill was criticised by Tory MP Jacob Rees-Mogg.", None),      # no "Tory Party" written
    ("Caroline Lucas", "She was joined by Green MP Caroline Lucas.", None),
    ("Ted Cruz", "Later, Republican Senator Ted Cruz spoke.", None),
    ("Gerry Brownlee", "The motion was moved by Ilam MP Gerry Brownlee.", "Ilam"),
    ("Jane Green", "Jane Green, the Epsom MP, backed the bill.", "Epsom"),     # a surname that is a party word
    ("Dr Jane Green", "The bill was backed by Epsom MP Dr Jane Green.", "Epsom"),
    # a run that starts its sentence may be capitalised only for that
    ("Gaurav Sharma", "Renegade MP Gaurav Sharma has been suspended.", None),
    # the seat of someone else in the sentence
    ("Steph Lewis", "Steph Lewis backed the decision to expel West Hamilton MP Gaurav Sharma.", None),
])
def test_the_seat_a_sentence_gives_a_member(member: str, text: str, seat) -> None:
    corpus = _sentences(text)
    found = find(member, corpus, _mentions(corpus))
    assert (found.text if found else None) == seat
    if found is not None:
        assert found.sentence.text[found.start:found.end] == seat


def test_a_run_that_starts_its_sentence_is_a_seat_when_the_corpus_also_writes_it_inside_one() -> None:
    opening = "West Hamilton MP Gaurav Sharma was expelled from the caucus."
    alone = _sentences(opening, "Lewis backed the decision.")
    assert find("Gaurav Sharma", alone[:1], _mentions(alone)) is None
    confirmed = _sentences(opening, "Lewis backed the decision to expel West Hamilton MP Gaurav Sharma.")
    found = find("Gaurav Sharma", confirmed[:1], _mentions(confirmed))
    assert found is not None and found.text == "West Hamilton" and found.sentence is confirmed[0]


def test_a_run_that_starts_two_sentences_about_the_member_is_a_seat_unless_it_is_a_word() -> None:
    """"Whanganui MP Steph Lewis" opens two paragraphs; "Renegade" is written in lower case elsewhere."""
    twice = _sentences("Whanganui MP Steph Lewis has backed the decision.", "Whanganui MP Steph Lewis told the paper.")
    found = find("Steph Lewis", twice, _mentions(twice))
    assert found is not None and found.text == "Whanganui"
    assert find("Steph Lewis", twice[:1], _mentions(twice[:1])) is None
    epithet = _sentences("Renegade MP Gaurav Sharma was suspended.", "Renegade MP Gaurav Sharma spoke.",
                         "The renegade MP would not stop.")
    assert find("Gaurav Sharma", epithet, _mentions(epithet)) is None
