"""Follow-up resolution with the real spaCy pipeline: which earlier name a pronoun stands for."""

from __future__ import annotations

import pytest

from rag.conversation import resolve
from rag.types import Answer


@pytest.fixture(scope="session")
def nlp():
    from rag.nlp import full_pipeline

    return full_pipeline()


def _turn(question: str, text: str) -> tuple[str, Answer]:
    return question, Answer(question=question, text=text, abstained=not text, confidence=0.9,
                            resolved_question=question)


def test_no_history_or_no_pronoun_leaves_the_question_alone(nlp) -> None:
    assert resolve("What leave was she on?", [], nlp) == "What leave was she on?"
    history = [_turn("Who is Steph Lewis?", "Whanganui MP")]
    assert resolve("What is the Labour caucus?", history, nlp) == "What is the Labour caucus?"


def test_the_person_named_in_the_question_wins_over_a_title_in_the_answer(nlp) -> None:
    history = [_turn("Who is Steph Lewis?", "Whanganui MP")]
    assert resolve("What leave was she on?", history, nlp) == "What leave was Steph Lewis on?"
    assert resolve("Has she experienced bullying?", history, nlp) == "Has Steph Lewis experienced bullying?"


def test_a_which_question_is_about_the_person_its_answer_names(nlp) -> None:
    """"Which MP ..." is not a name: the answer is (this resolved to "Which MP" before)."""
    history = [_turn("Which MP is leaving caucus to become Parliamentary speaker?", "Adrian Rurawhe")]
    resolved = resolve("Which electorate does he represent?", history, nlp)
    assert resolved == "Which electorate does Adrian Rurawhe represent?"
    history.append(_turn(resolved, "Te Tai Hauārau"))
    assert resolve("Has he experienced bullying in Parliament?", history, nlp) == \
        "Has Adrian Rurawhe experienced bullying in Parliament?"


def test_he_is_the_person_an_answer_names_not_the_place_before_his_title(nlp) -> None:
    """"Who was expelled ...?" -> *West Hamilton MP Gaurav Sharma*; "How old is he?" was read "How old is
    Hamilton?" (spaCy calls the seat a person)."""
    history = [_turn("Who was expelled from the Labour caucus?", "West Hamilton MP Gaurav Sharma")]
    assert resolve("How old is he?", history, nlp) == "How old is Gaurav Sharma?"


def test_possessive_pronoun_and_the_latest_turn_first(nlp) -> None:
    history = [_turn("Who is Steph Lewis?", "Whanganui MP"), _turn("Who is Kieran McAnulty?", "former whip")]
    assert resolve("What was his role?", history, nlp) == "What was Kieran McAnulty's role?"


def test_a_refused_turn_still_gives_the_name_its_question_asked_about(nlp) -> None:
    history = [_turn("Who is David Buckingham?", "")]
    assert resolve("What does he say about bullying claims?", history, nlp) == \
        "What does David Buckingham say about bullying claims?"


def test_after_a_who_question_the_answer_is_the_new_subject(nlp) -> None:
    history = [_turn("Who did Gaurav Sharma label a bully?", "Mr McAnulty")]
    assert resolve("Has he responded to the claims?", history, nlp) == "Has McAnulty responded to the claims?"
    # a one-word answer is the person too, though alone the tagger calls it none: not the question's McAnulty
    history = [_turn("Who labelled McAnulty a bully?", "Sharma")]
    assert resolve("How old is he?", history, nlp) == "How old is Sharma?"
    history = [_turn("Who labelled McAnulty a bully?", "Dr Sharma")]
    assert resolve("How old is he?", history, nlp) == "How old is Dr Sharma?"


def test_who_is_x_is_about_x_even_when_its_answer_holds_another_name(nlp) -> None:
    """The answer to "Who is Adrian Rurawhe?" is a description ("Te Tai Hauārau MP"), whose place name
    spaCy may tag as a person; the follow-up is still about Rurawhe. A "who was responsible" question
    still takes its answer as the new subject."""
    history = [_turn("Who is Adrian Rurawhe?", "Te Tai Hauārau MP")]
    assert resolve("What role is he taking on?", history, nlp) == "What role is Adrian Rurawhe taking on?"
    history = [_turn("Who was responsible for the hiring freeze?", "Kieran McAnulty")]
    assert resolve("Has he responded?", history, nlp) == "Has Kieran McAnulty responded?"


def test_who_is_xs_role_is_about_the_person_it_names(nlp) -> None:
    """"Who is Velora's chief executive?" -> *Annika Brandt*, then "When did she take over?" was read "When did
    Velora Motors take over?": a question for X's role-holder asks for a person, like "Who was responsible
    ...?", not for a description of X."""
    history = [_turn("Who is Velora's chief executive?", "Annika Brandt")]
    assert resolve("When did she take over?", history, nlp) == "When did Annika Brandt take over?"


@pytest.mark.parametrize("past, answer, follow_up, whole", [
    ("Did Sharma attend the meeting?", "", "Why?", "Why did Sharma attend the meeting?"),
    ("Who waited in his office?", "Dr Sharma", "For how long?", "How long did Dr Sharma wait in his office?"),
    ("Did Lewis go on maternity leave?", "", "How long?", "How long did Lewis go on maternity leave?"),
    ("Does Tamihana still work shifts?", "", "How often?", "How often does Tamihana still work shifts?"),
    ("How many people did the team follow?", "78,000", "For how long?", "For how long?"),   # no act to carry
    ("When was Sharma suspended?", "Tuesday", "Why?", "Why was Sharma suspended?"),
    ("Who was suspended from the Labour caucus?", "Gaurav Sharma", "Why?",
     "Why was Gaurav Sharma suspended from the Labour caucus?"),                 # the answer was the subject
    ("What happened to Gaurav Sharma?", "suspended from the Labour caucus", "And why?",
     "Why was Gaurav Sharma suspended from the Labour caucus?"),
    ("Who did Sharma accuse of bullying?", "Mr McAnulty", "Why?", "Why did Sharma accuse Mr McAnulty of bullying?"),
    ("What was Sharma accused of?", "bullying", "How come?", "Why was Sharma accused of bullying?"),
    ("Where did Sharma post his allegations?", "Facebook", "When?", "When did Sharma post his allegations?"),
    ("Who called the secret partyroom meeting?", "Ms Ardern", "When?",
     "When did Ms Ardern call the secret partyroom meeting?"),                   # the verb in its base form
    ("Which MP backed the decision to expel Sharma?", "Steph Lewis", "Why?",
     "Why did Steph Lewis back the decision to expel Sharma?"),
    ("Did Soraya Peke-Mason comment on the expulsion?", "would not comment", "Why not?",
     "Why did Soraya Peke-Mason not comment on the expulsion?"),
    ("Was Sharma expelled from Parliament?", "", "Why not?", "Why was Sharma not expelled from Parliament?"),
    ("How many Labour MPs voted to expel Sharma?", "", "Why?", "Why did Labour MPs vote to expel Sharma?"),
    ("How many nurses went on strike?", "600", "When?", "When did nurses go on strike?"),   # the count is no act
    # left as they are: nothing to build on, or a question that is already whole
    ("When was Sharma suspended?", "Tuesday", "Why not?", "Why not?"),          # nothing to negate
    ("What is the capital of France?", "", "Why?", "Why?"),
    ("Who is Steph Lewis?", "Whanganui MP", "Why?", "Why?"),
    ("When was Gaurav Sharma suspended?", "Tuesday", "Why was he suspended?", "Why was Gaurav Sharma suspended?"),
])
def test_a_bare_question_word_is_made_whole_from_the_turn_before(nlp, past: str, answer: str, follow_up: str,
                                                                 whole: str) -> None:
    assert resolve(follow_up, [_turn(past, answer)], nlp) == whole


@pytest.mark.parametrize("past, follow_up, whole", [
    ("What did Jacinda Ardern say about the whips?", "What about Steph Lewis?", "What did Steph Lewis say about the whips?"),
    ("Has Steph Lewis experienced bullying in Parliament?", "And Adrian Rurawhe?",
     "Has Adrian Rurawhe experienced bullying in Parliament?"),
    ("How old is Gaurav Sharma?", "How about Jacinda Ardern?", "How old is Jacinda Ardern?"),
    ("What is the capital of France?", "And Germany?", "And Germany?"),         # no person to replace
    ("How old is Gaurav Sharma?", "What about the whips?", "What about the whips?"),   # not a name
])
def test_what_about_someone_else_asks_the_last_question_about_them(nlp, past: str, follow_up: str,
                                                                    whole: str) -> None:
    assert resolve(follow_up, [_turn(past, "an answer")], nlp) == whole


@pytest.mark.parametrize("follow_up, whole", [
    ("What about the Chronicle?", "According to the Chronicle, who did Sharma accuse of bullying?"),
    ("And Newshub?", "According to Newshub, who did Sharma accuse of bullying?"),
    ("What about the Speaker?", "What about the Speaker?"),      # "the X" that is no outlet is no person either
])
def test_what_about_an_outlet_asks_the_last_question_of_it(nlp, follow_up: str, whole: str) -> None:
    from rag.sources import outlets as of_documents
    from rag.types import Document

    outlets = of_documents([Document("n1", "t", "...", "n1.txt", outlet="Newshub"),
                            Document("c1", "t", "...", "c1.txt", outlet="Whanganui Chronicle")])
    past = _turn("According to Newshub, who did Sharma accuse of bullying?", "Mr McAnulty")
    assert resolve(follow_up, [past], nlp, outlets) == whole


def test_a_one_word_name_that_is_the_subject_is_who_he_or_she_stands_for(nlp) -> None:
    """spaCy's small model tags "Sharma" as a place, and one word is no run of capitalised words: the
    subject of the question still names who the next turn's pronoun means; an organisation does not."""
    assert resolve("Why was he suspended?", [_turn("When was Sharma suspended?", "Tuesday")], nlp) == \
        "Why was Sharma suspended?"
    assert resolve("Was she bullied?", [_turn("What did Lewis say about the whips?", "nothing")], nlp) == \
        "Was Lewis bullied?"
    assert resolve("Why did he leave?", [_turn("What did Microsoft decide?", "to leave")], nlp) == \
        "Why did he leave?"


def test_they_after_a_plural_answer_is_that_answer(nlp) -> None:
    released = _turn("What did Sharma release on Monday?", "screenshots")
    assert resolve("Who were they from?", [released], nlp) == "Who were the screenshots from?"
    later = [released, _turn("Who were the screenshots from?", "Labour colleagues")]
    assert resolve("What did one of them say?", later, nlp) == "What did one of the screenshots say?"
    # a singular answer is not what "they" stands for
    set_up = _turn("What did Labour set up?", "a mediation process")
    assert "mediation" not in resolve("What did they decide?", [set_up], nlp)


def test_she_does_not_stand_for_a_man_named_since(nlp) -> None:
    """"What did she say?" after a refused "Who sentenced Ellison?" was read as "What did Ellison say?"."""
    genders = {"Lisa Tran": "", "Ellison": "m", "Jacinda Ardern": "f", "Gaurav Sharma": "m"}
    history = [_turn("Who is the chief executive of Southern Mutual Bank?", "Lisa Tran"),
               _turn("Who sentenced Ellison?", "")]
    assert resolve("What did she say?", history, nlp, gender_of=genders.get) == "What did Lisa Tran say?"
    assert resolve("What did he say?", history, nlp, gender_of=genders.get) == "What did Ellison say?"
    # each pronoun its own person
    history = [_turn("Who is Jacinda Ardern?", "Prime Minister"), _turn("Who is Gaurav Sharma?", "Renegade MP")]
    assert resolve("What did she say about him?", history, nlp, gender_of=genders.get) == \
        "What did Jacinda Ardern say about Gaurav Sharma?"
    # no one of that gender: the pronoun stays; without genders, the latest person as before
    only_him = [_turn("Who is Gaurav Sharma?", "Renegade MP")]
    assert resolve("What did she say?", only_him, nlp, gender_of=genders.get) == "What did she say?"
    assert resolve("What did she say?", only_him, nlp) == "What did Gaurav Sharma say?"
