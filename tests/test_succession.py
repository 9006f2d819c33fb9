"""Who held a post before or after someone (rag.succession): the question's forms, the text's forms."""

from __future__ import annotations

import re

import pytest

from conftest import spans_in
from rag.succession import Asked, asked, holder
from rag.types import Sentence, Span, Window


@pytest.fixture(scope="module")
def nlp():
    from rag.nlp import full_pipeline

    return full_pipeline()


def _window(text: str, doc_id: str = "d", rank: int = 0) -> Window:
    """A window over ``text`` at offset 0, split after each full stop."""
    sentences = [Sentence(doc_id, i, m.start(), m.end(), m.group(0))
                 for i, m in enumerate(re.finditer(r"[^ ][^.]*\.", text))]
    return Window(doc_id, "t", text, 0, len(text), tuple(sentences), 0, rank, 1.0, 0.5)


def _span(text: str, words: str, score: float) -> Span:
    return Span(words, "d", text.index(words), text.index(words) + len(words), score, 0)


@pytest.mark.parametrize("question, expected", [
    ("Who coached the Ballarat Banksias before Michelle Arnott?", Asked("Michelle Arnott", "before")),
    ("Who was ASTU president before Kiri Matenga?", Asked("Kiri Matenga", "before")),
    ("Whom did Alison Carradine succeed?", Asked("Alison Carradine", "before")),
    ("Who was Jacinda Ardern's predecessor?", Asked("Jacinda Ardern", "before")),
    ("Who replaced Kieran McAnulty as chief whip?", Asked("Kieran McAnulty", "after")),
    ("Who is Grant Robertson's successor?", Asked("Grant Robertson", "after")),
    ("Who spoke before Christmas Day?", None),          # a date, not a person
    ("Who led the union before 2019?", None),
    ("Who was elected after the vote?", None),
    ("Who ran the hospital before it closed?", None),
])
def test_the_question_names_whose_predecessor_or_successor_it_asks_for(nlp, question, expected) -> None:
    assert asked(question, nlp) == expected


@pytest.mark.parametrize("text, question, name", [
    # a verb of succession, the asked person its subject
    ("Ms Matenga, 49, was elected president last November, succeeding Hamish Laidlaw, who had led the union "
     "for six years.", "Who was ASTU president before Kiri Matenga?", "Hamish Laidlaw"),
    ("Chief executive Alison Carradine, who took over from long-serving boss Derek Pennington in 2022, "
     "blamed wages.", "Whom did Alison Carradine succeed?", "Derek Pennington"),
    ("Broughton, 47, took over as chief executive in January following the retirement of Graham Pettit, who "
     "led the company for 11 years.", "Who ran Eastern Ranges Power before Natalie Broughton?", "Graham Pettit"),
    # the other way round: passive, and the successor asked for
    ("Hamish Laidlaw was replaced by Kiri Matenga in November.", "Who was president before Kiri Matenga?",
     "Hamish Laidlaw"),
    ("Kiri Matenga replaced Hamish Laidlaw in November.", "Who replaced Hamish Laidlaw?", "Kiri Matenga"),
    # "Her predecessor", the asked person named in the sentence before
    ("Michelle Arnott rebuilt the defensive end. Her predecessor, Deb Kinsella, was sacked after two wins.",
     "Who coached the Banksias before Michelle Arnott?", "Deb Kinsella"),
    # a former holder of the role the question names, in a story that names the asked person
    ("Director Simon Achterberg said the theft was a shock. Security had been raised before. In 2019 its "
     "former director, Professor Gillian Marsh, wrote to the council.",
     "Who was the director of the museum before Simon Achterberg?", "Gillian Marsh"),
])
def test_the_person_the_text_says_came_before_or_after_comes_first(nlp, text, question, name) -> None:
    other = _span(text, text.split()[0], 0.8)
    held = holder(question, [other], [_window(text)], nlp)
    assert held.stated and held.spans[0].text == name
    assert text[held.spans[0].start:held.spans[0].end] == name and held.spans[1:] == [other]


def test_a_span_the_reader_gave_keeps_its_score(nlp) -> None:
    text = "Ms Matenga was elected president last November, succeeding Hamish Laidlaw."
    laidlaw = _span(text, "Hamish Laidlaw", 0.004)
    held = holder("Who was ASTU president before Kiri Matenga?", [_span(text, "November", 0.9), laidlaw],
                  [_window(text)], nlp)
    assert [(x.text, x.score) for x in held.spans] == [("Hamish Laidlaw", 0.004), ("November", 0.9)]


@pytest.mark.parametrize("text, question", [
    # a former holder beside the asked one, not said to be theirs ("Ms Ardern and former whip ...")
    ("Dr Sharma attacked Ms Ardern and former whip Kieran McAnulty in a post.", "Who led Labour before Jacinda Ardern?"),
    # a former holder of another role than the one asked
    ("Director Simon Achterberg spoke. Its former treasurer, Gillian Marsh, wrote to the council.",
     "Who was the director before Simon Achterberg?"),
    # two former holders: which one came right before is not said
    ("Director Simon Achterberg spoke. Former director Gillian Marsh and former director Tom Price wrote to "
     "the council.", "Who was the director before Simon Achterberg?"),
    # the text says who came after, not who came before
    ("Kiri Matenga replaced Hamish Laidlaw in November.", "Who was president before Hamish Laidlaw?"),
    # nothing said of the asked person
    ("Hamish Laidlaw led the union for six years.", "Who was president before Kiri Matenga?"),
])
def test_no_one_is_put_first_when_the_text_does_not_say_who_came_before(nlp, text, question) -> None:
    spans = [_span(text, text.split()[0], 0.8)]
    held = holder(question, spans, [_window(text)], nlp)
    assert not held.stated and held.spans == spans


class SuccessionReader:
    """A fake reader that answers every question with the age in the story ("49") and "November" after it."""

    name = "fake-succession"

    def read(self, question, windows):
        return spans_in(windows, (("49", 0.9), ("November", 0.5)))


def test_the_predecessor_the_text_names_is_given_however_unsure_the_reader_is(tmp_path, fake_embedder) -> None:
    """"Who was ASTU president before Kiri Matenga?" was answered *49* (of "Ms Matenga, 49,") at 0.72: the
    predecessor the text names ("succeeding Hamish Laidlaw") comes first, at the refusal threshold if the
    reader gave it less, marked uncertain; with attribution off, the reader's answer stands."""
    from conftest import FakeSplitter, one_story
    from rag.assistant import Assistant

    settings = one_story(tmp_path, "Ms Kiri Matenga, 49, was elected president in November, succeeding Hamish "
                                   "Laidlaw. Teachers will strike.", abstain_below=0.6)

    def ask(question: str, **changes):
        return Assistant.load(settings=settings.with_(**changes), embedder=fake_embedder, splitter=FakeSplitter(),
                              reader=SuccessionReader()).ask(question)

    answer = ask("Who was the union's president before Kiri Matenga?")
    assert answer.text == "Hamish Laidlaw" and answer.uncertain and answer.confidence == 0.6
    assert "succeeding Hamish Laidlaw" in answer.citations[0].sentence
    assert ask("Who was the union's president before Kiri Matenga?", attribution=False).text not in (
        "Hamish Laidlaw", "49")      # the reader's answer without this stage; an age is no one's name
    assert ask("Who was elected president in November?").text != "Hamish Laidlaw"    # no succession asked


def test_the_one_a_story_calls_by_their_age_is_the_asked_person(nlp) -> None:
    """"Who preceded Elaine Mortimer as vice-chancellor?" was refused: the text says "The 56-year-old took up
    the role in September 2021, succeeding Professor Alan Gatiss", calling her by her age after naming her.
    When the caller knows whom such an opening stands for, it stands for them; else no one is found."""
    text = "The 56-year-old took up the role in September 2021, succeeding Professor Alan Gatiss."
    question = "Who preceded Elaine Mortimer as vice-chancellor?"
    held = holder(question, [], [_window(text)], nlp, called=lambda sentence: "mortimer")
    assert held.stated and held.spans[0].text.endswith("Alan Gatiss")
    assert not holder(question, [], [_window(text)], nlp, called=lambda sentence: "kennaway").stated
    assert not holder(question, [], [_window(text)], nlp).stated
