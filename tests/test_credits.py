"""Credit lines (bylines, photo credits) answer who wrote or photographed a story, nothing else."""

from __future__ import annotations

import pytest

from rag.credits import asks_credit, drop_credit_spans, is_credit
from rag.types import Sentence, Span, Window


@pytest.mark.parametrize("text, credit", [
    ("By Aroha Wiremu, Court Reporter", True),
    ("By Sam Whitaker", True),
    ("By Jo Lee and Ana Ruiz of Reuters", True),
    ("Photo / Mark Mitchell.", True),
    ("Photo: AP", True),
    ("Additional reporting by Jo Lee.", True),
    ("By Tuesday, the council had voted.", False),      # a sentence, not a line of its own
    ("By 2050, the number will almost triple.", False),
    ("By contrast, the bank said nothing.", False),
    ("By far the largest", False),
    ("Former bank manager jailed for stealing $2.3 million", False),
    ("DUNMERE, Wednesday 22 October 2025", True),          # a dateline
    ("NEW YORK, March 3 (Reuters)", True),
    ("USA, Canada and Mexico", False),                     # capitals, but no date
    ("NASA, the space agency, said on Monday it would launch.", False),
])
def test_a_credit_line_is_told_from_a_sentence(text: str, credit: bool) -> None:
    assert is_credit(text) is credit


@pytest.mark.parametrize("question, asks", [
    ("Who wrote the article?", True),
    ("Who took the photo?", True),
    ("Who is the author of the story?", True),
    ("Who was sentenced for stealing from elderly clients?", False),
    ("Who won the final?", False),
    ("Who took over as chief whip?", False),     # only taking a photo is a credit
    ("Who photographed the meeting?", True),
])
def test_a_question_about_a_credit_is_told_apart(question: str, asks: bool) -> None:
    assert asks_credit(question) is asks


def test_a_name_in_a_byline_answers_only_who_wrote_the_story() -> None:
    """"Who was sentenced ...?" was answered *Aroha Wiremu* (0.57), the court reporter in the byline."""
    title, byline, lede = ("Bank manager jailed", "By Aroha Wiremu, Court Reporter",
                           "Dunedin man Grant Ellison, 52, was sentenced on Thursday.")
    text = f"{title}\n\n{byline}\n\n{lede}"
    starts = [text.index(x) for x in (title, byline, lede)]
    sentences = tuple(Sentence("d", i, a, a + len(x), x) for i, (a, x) in enumerate(zip(starts, (title, byline, lede))))
    window = Window("d", "t", text, 0, len(text), sentences, 1, 0, 1.0, 0.5)
    reporter = Span("Aroha Wiremu", "d", text.index("Aroha"), text.index("Aroha") + 12, 0.6, 0)
    accused = Span("Grant Ellison", "d", text.index("Grant"), text.index("Grant") + 13, 0.2, 0)
    assert drop_credit_spans("Who was sentenced?", [reporter, accused], [window]) == [accused]
    assert drop_credit_spans("Who wrote the story?", [reporter, accused], [window]) == [reporter, accused]


def test_a_dateline_answers_no_question_about_the_story() -> None:
    """"Who chaired the inquiry into the footbridge collapse?" was answered *DUNMERE* of the dateline "DUNMERE,
    Wednesday 22 October 2025", and "On what date will the Charlton branch close?" by another story's dateline;
    a first paragraph opening "OHAKUNE - " is filed from there too."""
    title, dateline, lede = ("Footbridge collapse inquiry reports", "DUNMERE, Wednesday 22 October 2025",
                             "OHAKUNE - The inquiry, chaired by Sir Malcolm Ferrier, found corroded bolts.")
    text = f"{title}\n\n{dateline}\n\n{lede}"
    starts = [text.index(x) for x in (title, dateline, lede)]
    sentences = tuple(Sentence("d", i, a, a + len(x), x) for i, (a, x) in enumerate(zip(starts, (title, dateline,
                                                                                                    lede))))
    window = Window("d", "t", text, 0, len(text), sentences, 1, 0, 1.0, 0.5)
    place = Span("DUNMERE", "d", text.index("DUNMERE"), text.index("DUNMERE") + 7, 0.6, 0)
    day = Span("Wednesday 22 October 2025", "d", text.index("Wednesday"), text.index("2025") + 4, 0.5, 0)
    filed = Span("OHAKUNE", "d", text.index("OHAKUNE"), text.index("OHAKUNE") + 7, 0.4, 0)
    chair = Span("Sir Malcolm Ferrier", "d", text.index("Sir"), text.index("Sir") + 19, 0.1, 0)
    assert drop_credit_spans("Who chaired the inquiry?", [place, day, filed, chair], [window]) == [chair]
    assert drop_credit_spans("When was the story filed?", [place, chair], [window]) == [place, chair]
