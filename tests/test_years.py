"""A question asked about a year is not answered from a sentence about another year."""

from __future__ import annotations

import pytest

from rag.types import Sentence, Span, Window
from rag.years import asked_years, drop_other_years, other_year


@pytest.mark.parametrize("question, years", [
    ("What television network did the AFL sign a deal with in 2000?", {2000}),
    ("In Sept 1706 who negotiated a capitulation from Montreal?", {1706}),
    ("Who took command of the French in the spring of 1735?", {1735}),
    ("Under the Scotland Act 1988, ordinary general elections are held when?", {1988}),
    ("Who won the 2015 season?", {2015}),
    ("How many of the 2000 soldiers died?", set()),          # a count, not a year
    ("How much did the 2,000 tickets cost?", set()),
    ("Who won the election?", set()),
])
def test_the_year_a_question_asks_about(question: str, years: set[int]) -> None:
    assert asked_years(question) == years


@pytest.mark.parametrize("text, other", [
    ("Beginning with the 2003 season, the AFL made a deal with NBC, renewed in 2005.", True),
    ("In September 1760, Governor Vaudreuil negotiated a capitulation.", True),
    ("TNN signed a deal with the league in 2000.", False),
    ("From 1995 to 2005 the league grew.", False),           # a range holding the year
    ("The 1999-01 deal was with TNN.", False),
    ("Ratings fell through the 2000s.", False),              # a decade holding it
    ("Jeffrey Vinik became owner of the Tampa Bay Storm.", False),   # no year: the one before may hold it
    ("The league sold 2,000 season tickets.", False),        # a count
])
def test_a_sentence_about_another_year(text: str, other: bool) -> None:
    assert other_year(frozenset({2000}), text) is other


def test_a_span_in_a_sentence_about_another_year_is_no_answer() -> None:
    """"Who went to Fort Duquesne in June 1745?" was answered *Braddock* from a sentence about June 1755."""
    one, two = ("Braddock led an expedition in June 1755 to take Fort Duquesne.",
                "In June 1745 Colonel Hale marched to the fort.")
    text = f"{one} {two}"
    sentences = (Sentence("d", 0, 0, len(one), one), Sentence("d", 1, len(one) + 1, len(text), two))
    window = Window("d", "t", text, 0, len(text), sentences, 0, 0, 1.0, 0.5)
    braddock = Span("Braddock", "d", 0, 8, 0.6, 0)
    hale = Span("Colonel Hale", "d", text.index("Colonel"), text.index("Colonel") + 12, 0.2, 0)
    assert drop_other_years("Who went to Fort Duquesne in June 1745?", [braddock, hale], [window]) == [hale]
    assert drop_other_years("Who went to Fort Duquesne?", [braddock, hale], [window]) == [braddock, hale]
    assert drop_other_years("Who went to Fort Duquesne in 1790?", [braddock, hale], [window]) == []
