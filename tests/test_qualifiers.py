"""What the question says of its answer holds in the answer's sentence: the year it asks about, and not
the opposite of what it asks about."""

from __future__ import annotations

import re

import pytest

from rag.types import Document, Sentence, Span, Window


def _window(text: str) -> Window:
    """A window of one sentence, the whole text."""
    return Window("d", "t", text, 0, len(text), (Sentence("d", 0, 0, len(text), text),), 0, 0, 1.0, 0.5)


def _spans(text: str, *names: str | tuple[str, float]) -> list[Span]:
    """Candidate spans over the first occurrence of each name in ``text`` (a window at offset 0), each scored 0.5
    unless given as (name, score)."""
    found = [(x, 0.5) if isinstance(x, str) else x for x in names]
    return [Span(n, "d", text.index(n), text.index(n) + len(n), score, 0) for n, score in found]


@pytest.fixture(scope="module")
def nlp():
    from rag.nlp import full_pipeline

    return full_pipeline()
from rag.qualifiers import asked_years, drop_contradicted, namesake, opposite, other_year


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
    assert drop_contradicted("Who went to Fort Duquesne in June 1745?", [braddock, hale], [window]) == [hale]
    assert drop_contradicted("Who went to Fort Duquesne?", [braddock, hale], [window]) == [braddock, hale]
    assert drop_contradicted("Who went to Fort Duquesne in 1790?", [braddock, hale], [window]) == []


@pytest.mark.parametrize("question, text, contrary", [
    ("The smallest party in Parliament sits in the middle of what?",
     "The largest party in the Parliament sits in the middle of the semicircle.", True),
    ("The Presiding Officer can increase speaking time if what?",
     "The Presiding Officer can reduce speaking time if a large number of members wish to speak.", True),
    ("What are established at the end of each parliamentary session?",
     "Subject Committees are established at the beginning of each parliamentary session.", True),
    ("What battle inside Quebec City did the British lose?",
     "Despite losing outside Quebec City in the Battle of Sainte-Foy, the British held.", True),
    ("What is the least used type of reduction?", "The most commonly used reduction is a polynomial-time one.", True),
    # the one who holds a post now is not its former holder
    ("Which seat did the current party leader lose?", "It was the seat of former party leader Ana Ruiz.", True),
    ("Who is the current chief whip?", "The current chief whip replaced former chief whip Ana Ruiz.", False),
    # "now" asks for the current one too, wherever it stands
    ("Who is the chief whip now?", "Sharma attacked former chief whip Kieran McAnulty.", True),
    ("Who is now the chief whip?", "Sharma attacked former chief whip Kieran McAnulty.", True),
    ("Who is the chief whip?", "Sharma attacked former chief whip Kieran McAnulty.", False),
    ("Who is the chief whip now?", "The chief whip now is Ana Ruiz, who replaced former chief whip Tom Lee.", False),
    # the antonym said of something else: "to reduce the deficit, the council raised rates"
    ("Why did the council increase rates?", "To reduce the deficit, the council raised rates by 4 per cent.", False),
    # the word itself is there too, or the question offers both
    ("Which party is the largest?", "The largest party sits in the middle, the smallest at the end.", False),
    ("Is the density the highest or lowest of any state?", "It has the lowest population density of any state.",
     False),
    # turned around by a paraphrase, so not used: older / younger, before / after, won / lost
    ("Who is older than Lewis?", "Lewis is younger than Ardern.", False),
    ("Which team lost the final?", "North Harbour won the final against Canterbury.", False),
    # another of an ordinal of the same thing; both said, or said of something else, is no contradiction
    ("Who was the first minister to leave the Cabinet?", "Ferreira is the second minister to leave the Cabinet.",
     True),
    ("Who was the last minister to leave?", "Hart was the first minister to leave.", True),
    ("Who was the first minister to leave?", "Hart was the first minister to leave and Ferreira the second.", False),
    ("Who was the first minister to leave?", "Ferreira resigned in his second term as minister.", False),
    ("How many rooms will the new lodge have?", "Our existing lodge has 22 rooms.", True),
    ("How many rooms will the new lodge have?", "The new lodge will replace the existing lodge of 22 rooms.", False),
    ("How many rooms will the new lodge have?", "The lodge will have 60 rooms.", False),
    # the noun left out after "the": said of what the text speaks of
    ("Which region has the longest list?", "The West Coast had the shortest, with 38.", True),
    ("Who was the youngest?", "Smith, 92, was the oldest.", True),
    ("Which region has the longest list?", "The West Coast had the shortest wait, with 38 days.", False),
    ("Which region has the longest list?", "Canterbury had the longest, and the West Coast the shortest.", False),
    # a house's figure for a unit's (fresh37c: *$842,000*, the median house price, for the unit price)
    ("What is the median unit price in Greater Newcastle?",
     "The median house price in Greater Newcastle rose 1.8 per cent to $842,000.", True),
    ("What is the median unit price?", "Units trailed houses, with a median price of $612,500.", False),
])
def test_a_sentence_that_says_the_opposite(question: str, text: str, contrary: bool) -> None:
    assert opposite(question, text) is contrary


def test_a_span_in_a_sentence_saying_the_opposite_is_no_answer() -> None:
    """"The smallest party in Parliament sits in the middle of what?" was answered *the semicircle* at 0.84."""
    text = "The largest party in the Parliament sits in the middle of the semicircle."
    window = _window(text)
    semicircle = Span("the semicircle", "d", text.index("the semi"), len(text) - 1, 0.8, 0)
    assert drop_contradicted("The smallest party in Parliament sits in the middle of what?", [semicircle], [window]) == []
    assert drop_contradicted("The largest party sits in the middle of what?", [semicircle], [window]) == [semicircle]


@pytest.mark.parametrize("question, text, other", [
    ("The Second World War caused what to be shelved?",
     "The outbreak of the First World War caused the plans to be shelved.", True),
    ("Final proposals for a Scottish Assembly were passed by the United States Parliament in what year?",
     "Final proposals for a Scottish Assembly were passed by the United Kingdom Parliament.", True),
    ("What did John Smith say about the vote?", "Jane Smith said the vote was rushed.", True),
    ("Who led the Labour Party?", "The National Party was led by Luxon.", True),
    # the same one said another way: a spelling, a title, a short form, accents, or the asked run too
    ("In which year did Sante Fe inhabitants return home?", "Santa Fe inhabitants returned in 1700.", False),
    ("What did Jacinda Ardern say?", "Ms Ardern said it was necessary.", False),
    ("What did Steph Lewis say?", "Stephanie Lewis said she was surprised.", False),
    ("In what year was Pedro Menendez de Aviles born?", "Pedro Menéndez de Avilés was born in 1519.", False),
    ("How did the Second World War end?", "Unlike the First World War, the Second World War ended in 1945.", False),
    ("What platform was Sentanta Sports planning on launching on?", "Setanta Sports planned to launch.", False),
    # what is someone's may bear their name: Genghis Khan's descendant Ghazan Khan
    ("Which of Genghis Khan's descendants pushed the Mamluks out?", "Ghazan Khan pushed the Mamluks out.", False),
    # sharing only the first word: maybe the same body named another way
    ("How often are elections held for the City Parliament?", "The City Council is elected every four years.",
     False),
])
def test_a_sentence_that_names_another_of_the_asked_name(question: str, text: str, other: bool) -> None:
    assert namesake(question, text) is other


def test_a_person_may_share_a_name_with_another(nlp) -> None:
    """"Who is John Smith's wife?" may be answered from "Jane Smith ...": people's names are not counted,
    as spaCy tells them (``drop_contradicted`` passes them)."""
    text = "Jane Smith said the vote was rushed."
    window = _window(text)
    jane = Span("Jane Smith", "d", 0, 10, 0.5, 0)
    assert drop_contradicted("What did the mother of John Smith say about the vote?", [jane], [window], nlp) == [jane]
    law = "In 1998 the United Kingdom Parliament passed the act that shelved the plans."
    window = _window(law)
    plans = Span("the plans", "d", law.index("the plans"), law.index("the plans") + 9, 0.5, 0)
    assert drop_contradicted("What did the United States Parliament shelve?", [plans], [window], nlp) == []
    assert drop_contradicted("What did the United States Parliament shelve?", [plans], [window]) == [plans]
    # an ordinal of the same thing is told apart without a parse: "First World War" is not the Second
    war = "The outbreak of the First World War caused the plans to be shelved."
    plans = Span("the plans", "d", war.index("the plans"), war.index("the plans") + 9, 0.5, 0)
    assert drop_contradicted("The Second World War caused what to be shelved?", [plans], [_window(war)]) == []


@pytest.mark.parametrize("text, number, other", [
    ("About 60,000 homes now have rooftop solar, up from 30,000 in 2020.", "60,000", True),
    ("About 60,000 homes now have rooftop solar, up from 30,000 in 2020.", "30,000", False),
    ("The population grew from 8.0 million in 2000 to 8.2 million in 2010.", "8.0 million", True),
    ("The population grew from 8.0 million in 2000 to 8.2 million in 2010.", "8.2 million", False),
    ("In 2020 about 30,000 homes had solar.", "30,000", False),           # no number tied to a year: left alone
    ("Sales rose 12 per cent in 2019 and 4 per cent in 2020.", "12 per cent", True),
    # a noun between the number and its year (fresh43a: *52* answered "How many residents ... in 2022?")
    ("The home was full with 52 residents in 2005, had 44 in 2020 and is down to 34 today.", "52", True),
    ("The home was full with 52 residents in 2005, had 44 in 2020 and is down to 34 today.", "44", False),
    # a span's own number is its first (fresh43d: "4,260 ..." was dropped for the 3,890 of 2024 inside it)
    ("It attracted 4,260 entries this year, up from 3,890 in 2024.", "4,260 entries this year, up from 3,890", False),
    ("Pursuits had risen from 41 in 2005 to 67 in 2010.", "41 in 2005 to 67", False),     # 2010's number inside
    ("Pursuits had risen from 41 in 2005 to 67 in 2009.", "41 in 2005 to 67", True),
    # the change between the figures of two asked years (fresh45a: "By how much in percentage terms did spending
    # grow between 2021/22 and 2024/25?" dropped *72%* of "from $3.9 million in the 2021/22 financial year to ...")
    ("Spending climbed from $3.9 million in 2010 to $6.7 million in 2020, a rise of 72%.", "72%", False),
    ("Spending climbed from $3.9 million in 2010 to $6.7 million in 2021, a rise of 72%.", "72%", True),
])
def test_a_number_the_sentence_ties_to_another_year(text: str, number: str, other: bool) -> None:
    from rag.qualifiers import number_of_another_year

    at = text.index(number)
    assert number_of_another_year(frozenset({2010, 2020}), text, at, at + len(number)) is other
    assert number_of_another_year(frozenset(), text, at, at + len(number)) is False    # no year asked


def test_a_number_beside_the_asked_years_own_is_that_years() -> None:
    from rag.qualifiers import number_of_another_year

    text = ("The company reported revenue of $6.3 million in the 2023-24 financial year, up 41 per cent on the "
            "previous year, but made a loss of $14.7 million.")
    at = text.index("14.7")
    assert number_of_another_year(frozenset({2023}), text, at, at + len("14.7 million")) is False


@pytest.mark.parametrize("question, role", [
    ("Who was Velora's previous chief executive?", "executive"), ("Who was the previous mayor?", "mayor"),
    ("Who is the former whip?", "whip"), ("Who was the previous Labour leader?", "leader"),
    ("What was the last thing she said?", None), ("Who is the chief executive?", None),
    ("Who was the founding chief executive of the authority?", "executive"),
    ("Who was the club's inaugural coach?", "coach"),
])
def test_the_role_a_question_asks_an_earlier_holder_of(question: str, role: str | None) -> None:
    from rag.qualifiers import earlier_holder_role

    assert earlier_holder_role(question) == role


def test_whoever_holds_the_role_now_is_no_earlier_holder() -> None:
    """"Who was Velora's previous chief executive?" was answered *Annika Brandt* (0.85) of "Velora's chief
    executive, Annika Brandt, said": the role beside her name is hers now. Named a former one, or with
    no role beside the name, a person may be the answer."""
    from rag.qualifiers import drop_contradicted

    text = ("Velora's chief executive, Annika Brandt, said the fix was quick. Former chief executive Tom Lee, "
            "who left in 2024, declined to comment. Ana Ruiz, the finance chief, agreed.")
    window = _window(text)
    brandt, lee, ruiz = _spans(text, "Annika Brandt", "Tom Lee", "Ana Ruiz")
    question = "Who was Velora's previous chief executive?"
    assert drop_contradicted(question, [brandt, lee, ruiz], [window]) == [lee, ruiz]
    assert drop_contradicted("Who is Velora's chief executive?", [brandt, lee], [window]) == [brandt]   # now
    text = "Annika Brandt, the chief executive, said so; Tom Lee, a former chief executive, did not."
    brandt, lee = _spans(text, "Annika Brandt", "Tom Lee")
    assert drop_contradicted(question, [brandt, lee], [_window(text)]) == [lee]


@pytest.mark.parametrize("question, role", [
    ("Who is the chief whip?", "whip"), ("Who is the chief whip of Labour?", "whip"),
    ("Who was the chief whip?", None), ("Who is the former chief whip?", None), ("Who is the man?", None),
    ("Who is Labour's chief whip?", "whip"), ("Who is Air New Zealand's chief executive?", "executive"),
    ("Who is the chief financial officer of Velora?", "officer"), ("Who is the head of the inquiry?", "head"),
])
def test_the_role_a_question_asks_the_holder_of(question: str, role: str | None) -> None:
    from rag.qualifiers import current_holder_role

    assert current_holder_role(question) == role


def test_one_who_held_the_role_before_is_not_its_holder() -> None:
    """"Who is the chief whip?" was answered *Kieran McAnulty* (0.42) of "former chief whip Kieran McAnulty":
    "is" asks who holds it. The holder named in the same sentence stays, and "was" asks of any time."""
    from rag.qualifiers import drop_contradicted

    text = "The chief whip Ana Ruiz replaced former chief whip Tom Lee. Kim Ho, the previous whip, left."
    ruiz, lee, ho = _spans(text, "Ana Ruiz", "Tom Lee", "Kim Ho")
    window = _window(text)
    assert drop_contradicted("Who is the chief whip?", [lee, ruiz, ho], [window]) == [ruiz]
    assert drop_contradicted("Who was the chief whip?", [lee, ruiz, ho], [window]) == [lee, ruiz, ho]


def test_the_holder_of_the_asked_role_comes_first() -> None:
    """"Who is the chief executive of Harbourline Foods?" was answered *Marcus Delahunty* (0.001, "The
    company's chief financial officer, Marcus Delahunty") over *Natalie Brennan* (0.0004, "Chief executive
    Natalie Brennan said"): the span given the asked role beside the name comes first, however unlikely;
    not one given it at another body, nor a former holder."""
    from rag.qualifiers import prefer_holder

    text = ("Chief executive Natalie Brennan said so. The company's chief financial officer, Marcus Delahunty, "
            "told analysts. Fonterra chief executive Miles Hurrell agreed. Former chief executive Tom Lee left.")
    brennan, delahunty, hurrell, lee = _spans(text, ("Natalie Brennan", 0.0004), ("Marcus Delahunty", 0.001),
                                              ("Miles Hurrell", 0.0003), ("Tom Lee", 0.0002))
    window = _window(text)
    question = "Who is the chief executive of Harbourline Foods?"
    assert prefer_holder(question, [delahunty, brennan], [window]) == [brennan, delahunty]
    assert prefer_holder(question, [delahunty, hurrell, lee], [window]) == [delahunty, lee]   # not Fonterra's
    assert prefer_holder("Who is Fonterra's chief executive?", [delahunty, hurrell], [window]) == [hurrell, delahunty]
    assert prefer_holder("Who is the chief financial officer?", [brennan, delahunty], [window]) == [delahunty, brennan]
    assert prefer_holder("Who was the chief executive?", [delahunty, brennan], [window]) == [delahunty, brennan]
    text = ("Hoesung Lee is the chair of the IPCC since 2015. Before that, it was led by his vice-Chair Ismail El "
            "Gizouli. Deputy chief executive Ana Ruiz spoke.")
    lee, gizouli, ruiz = _spans(text, "Hoesung Lee", "Ismail El Gizouli", "Ana Ruiz")
    window = _window(text)
    assert prefer_holder("Who is the chair of the IPCC?", [gizouli, lee], [window]) == [lee, gizouli]
    assert prefer_holder("Who is the chair of the IPCC?", [lee, gizouli], [window]) == [lee, gizouli]
    assert prefer_holder("Who is the chief executive?", [lee, ruiz], [window]) == [lee, ruiz]
    text = ("The group's director, Marcus Tolley, said so. Ashbury Land Co director Simon Fairweather said the "
            "homes would help.")
    tolley, fairweather = _spans(text, "Marcus Tolley", "Simon Fairweather")
    window = _window(text)
    assert prefer_holder("Who is the developer's director?", [tolley, fairweather], [window]) == [fairweather, tolley]
    assert prefer_holder("Who is the group's director?", [tolley, fairweather], [window]) == [tolley, fairweather]


def test_a_year_that_runs_across_two_is_asked_by_its_first() -> None:
    """"How many passengers used the route in the 2022-23 financial year?" (unanswerable) was answered *21,460*
    of "used the service in the 2023-24 financial year"."""
    from rag.qualifiers import asked_years, other_year

    asked = asked_years("How many passengers used the route in the 2022-23 financial year?")
    assert asked == {2022}
    assert other_year(asked, "21,460 passengers used the service in the 2023-24 financial year.")
    assert not other_year(asked, "21,460 passengers used the service in the 2022-23 financial year.")
    assert asked_years("Who won the 2019/20 season?") == {2019}


@pytest.mark.parametrize("sentence, other", [
    ("The trust reported 1,214 patients who had waited more than a year, and 87 who had waited more than 65 weeks.",
     True),                                                   # the measure asked, with another number only
    ("The trust reported 87 patients who had waited more than 78 weeks.", False),
    ("The trust reported 87 patients on its waiting list, 78 fewer.", False),   # no such measure given: left alone
])
def test_a_sentence_giving_the_asked_measure_with_another_number_speaks_of_another(sentence: str, other: bool) -> None:
    from rag.qualifiers import drop_contradicted

    span = Span("87", "d", sentence.index("87"), sentence.index("87") + 2, 0.5, 0)
    kept = drop_contradicted("How many of the trust's patients had waited more than 78 weeks?", [span],
                             [_window(sentence)])
    assert kept == ([] if other else [span])


def test_a_window_that_gives_none_of_the_asked_figures_speaks_of_something_else() -> None:
    """"There re 231 seats in which chamber?" (SQuAD 2.0, unanswerable: the text gives 131) was answered *debating
    chamber of the Scottish Parliament*; "What did Germany add to the 20 mm ...?" keeps its answer, the figure
    being in the window."""
    from rag.qualifiers import drop_contradicted

    text = "The debating chamber has 131 seats. It was designed by Enric Miralles."
    span = Span("debating chamber", "d", 4, 20, 0.5, 0)
    assert drop_contradicted("There are 231 seats in which chamber?", [span], [_window(text)]) == []
    assert drop_contradicted("There are 131 seats in which chamber?", [span], [_window(text)]) == [span]
    assert drop_contradicted("Which chamber has 1,31 seats in 2020?", [span], [_window(text)]) == [span]
    # a figure written onto its unit is given ("20mm"), and a length of time may be given in words
    gun = "A CIWS is a Gatling gun of between 20mm and 30mm calibre firing several thousand rounds per minute."
    rate = Span("several thousand rounds", "d", gun.index("several"), gun.index("several") + 23, 0.5, 0)
    assert drop_contradicted("What is the rate of fire of a gun of 20 and 30 millimeter?", [rate], [_window(gun)]) \
        == [rate]
    assert drop_contradicted("Which chamber has stood for the last 100 years?", [span], [_window(text)]) == [span]
    assert drop_contradicted("Which chamber was designed in the 20th century?", [span], [_window(text)]) == [span]
    # a figure the question compares with need not be given ("Did Tulloch win by more than 7,000 votes?": 7,231)
    assert drop_contradicted("Does the chamber have more than 100 seats?", [span], [_window(text)]) == [span]
    assert drop_contradicted("Which chamber has more than 100 seats?", [span], [_window(text)]) == []


def test_a_role_given_as_another_bodys_is_not_the_asked_holder() -> None:
    """"Who is Ledgerly's chief executive?" was answered *Elena Moraes* of "Startup Futures Australia chief
    executive Elena Moraes" (the role asked again of the story naming Ledgerly); "Co-founder and chief executive
    Anika Sorensen" holds it ("co-" is the founder's)."""
    from rag.qualifiers import anothers_holder, prefer_holder

    text = "Startup Futures Australia chief executive Elena Moraes said it was hard. Co-founder and chief " \
           "executive Anika Sorensen, 34, said the round was pulled."
    window = _window(text)
    moraes = Span("Elena Moraes", "d", text.index("Elena"), text.index("Elena") + 12, 0.3, 0)
    sorensen = Span("Anika Sorensen", "d", text.index("Anika"), text.index("Anika") + 14, 0.1, 0)
    question = "Who is Ledgerly's chief executive?"
    assert anothers_holder(question, moraes, [window]) and not anothers_holder(question, sorensen, [window])
    assert not anothers_holder("Who is the chief executive?", moraes, [window])
    coach = "She trained under coach Rob Teasdale."
    teasdale = Span("Rob Teasdale", "d", coach.index("Rob"), coach.index("Rob") + 12, 0.9, 0)
    assert not anothers_holder("Who is Jessica Calloway's coach?", teasdale, [_window(coach)])   # a clause's words
    assert prefer_holder(question, [moraes, sorensen], [window]) == [sorensen]     # another body's holder dropped
    # a body written by its initials is the one the question names in full (fresh38a: refused)
    anu = "ANU chief executive Moana Herewini said the result was a line in the sand."
    herewini = Span("Moana Herewini", "d", anu.index("Moana"), anu.index("Moana") + 14, 0.3, 0)
    assert not anothers_holder("Who is the chief executive of the Aotearoa Nurses' Union?", herewini, [_window(anu)])
    assert anothers_holder("Who is the chief executive of the Public Service Association?", herewini,
                           [_window(anu)])


def test_a_person_titled_with_another_post_does_not_hold_the_asked_one() -> None:
    """"Who is the managing director of SafeLane Traffic?" (unanswerable) was answered *Nadia Ferris* of "Councillor
    Nadia Ferris, who chairs the council's audit and risk committee"; "Who is the principal of Yarrabee Creek State
    School?" *Gavin Pohl* of "Education Queensland regional director Gavin Pohl"."""
    from rag.qualifiers import prefer_holder, titled_otherwise

    window = _sentences("Councillor Nadia Ferris said ratepayers had been taken for a ride.",
                        "Managing director Tom Lane declined to comment.")
    text = window.text
    ferris, lane = _spans(text, "Nadia Ferris", "Tom Lane")
    question = "Who is the managing director of SafeLane Traffic, one of the firms named in the audit?"
    assert titled_otherwise(question, ferris, [window]) and not titled_otherwise(question, lane, [window])
    assert prefer_holder(question, [ferris, lane], [window]) == [lane]
    assert not titled_otherwise("Who is the managing director?", ferris, [window])     # no body's post asked
    both = "Councillor Nadia Ferris, who chairs the committee, spoke first."
    assert not titled_otherwise("Who is the chair of the Nelson audit committee?", _spans(both, "Nadia Ferris")[0],
                                [_window(both)])        # the post is named in her sentence
    # the post of a body named before it, the title set off by a comma (fresh39c: *Dr Stephen Kwan*, 0.51)
    kwan = "Queensland's chief health officer, Dr Stephen Kwan, said the outbreak was a reminder."
    assert titled_otherwise("Who is the Queensland Health Minister that the MP wrote to?",
                            _spans(kwan, "Dr Stephen Kwan")[0], [_window(kwan)])
    # no one at all: a common noun or a body (fresh42e: *Rangiwai District Council* for "Who is the mayor of
    # Rangiwai ...?"), but a body may own
    from rag.qualifiers import _no_one

    assert _no_one("mayor", "Rangiwai District Council") and _no_one("executive", "auction manager")
    assert not _no_one("mayor", "Ngaire Hollis") and not _no_one("owner", "Fonterra Ltd")
    assert not _no_one(None, "auction manager")
    member = "Member Jo Bright said the club would fight on."
    assert not titled_otherwise("Who is the president of the Nelson Tramping Club?", _spans(member, "Jo Bright")[0],
                                [_window(member)])     # "member" says no post


@pytest.mark.parametrize("question, sentence, whole", [
    # the asked part joined to another, no part singled out: the figure is the whole's
    ("How many submissions were received in the 2022 consultation alone?",
     "The council consulted twice, in 2022 and 2023, and received 1,148 submissions, about 62 per cent of which "
     "supported an upgrade.", True),
    ("How much will it cost to repair the water treatment plant on its own?",
     "The estimate for repairing roads, bridges and the water treatment plant was $23 million.", True),
    ("How much did Mansfield Shire Council on its own contribute to the trail?",
     "The Strathbogie and Mansfield shire councils gave $1.3 million between them.", True),
    # the part singled out, or named alone: answered
    ("How many submissions were received in the 2022 consultation alone?",
     "The council received 1,148 submissions in 2022 and 2023, 700 of them in 2022.", False),
    ("How much rain fell at Eurondah on Friday alone?",
     "The bureau recorded 436 millimetres in 72 hours, including 188 millimetres on Friday alone.", False),
    ("How much did the third Terminator movie make domestically alone?",
     "Terminator 3 went on to earn over $150 million domestically.", False),
    # no part asked ("identified themselves"), or no figure asked
    ("How many Americans identified themselves as multiracial in 2010 and 2020?",
     "In 2010 and 2020, about 9 million people identified as multiracial.", False),
    ("Who alone survived the 2022 and 2023 floods?", "In 2022 and 2023 only Smith survived.", False),
])
def test_a_part_asked_of_a_figure_given_for_the_whole(question: str, sentence: str, whole: bool) -> None:
    """"How many submissions in the 2022 consultation alone?" was answered *1,148* (0.78), the figure for 2022
    and 2023 together."""
    figure = next(m for m in re.finditer(r"[$\d][\d,.]*(?: million)?", sentence))
    span = Span(figure.group(), "d", figure.start(), figure.end(), 0.5, 0)
    assert drop_contradicted(question, [span], [_window(sentence)]) == ([] if whole else [span])


@pytest.mark.parametrize("sentence, other", [
    ("Mildura reached 47.3C at 4.15pm on Saturday.", True),         # another day only
    ("Mildura reached 47.3C on Saturday and 46.1C on Sunday.", False),
    ("It was hot from Friday to Sunday, peaking at 47.3C.", False),   # a run of days that may hold it
    ("Mildura reached 47.3C, the Sunday Times reported.", False),    # a name, no day
    ("Mildura reached 47.3C.", False),                                # no day: says nothing either way
])
def test_a_sentence_about_another_day_of_the_week(sentence: str, other: bool) -> None:
    """"What maximum temperature did Mildura record on the Sunday of the heatwave?" (unanswerable) was answered
    *47.3C* (0.58) from the Saturday's reading."""
    span = Span("47.3C", "d", sentence.index("47.3C"), sentence.index("47.3C") + 5, 0.5, 0)
    kept = drop_contradicted("What maximum temperature did Mildura record on the Sunday of the heatwave?", [span],
                             [_window(sentence)])
    assert kept == ([] if other else [span])


@pytest.mark.parametrize("question, span_text, dropped", [
    ("On what date in March did Doyle and Benton plead guilty?", "14 October", True),
    ("On what date in March did Doyle and Benton plead guilty?", "14 March", False),
    ("Which day in early May does the relay end?", "25 May", False),
    ("After its April departure, when did the torch return?", "May 4", False),   # a month only named: context
    ("On what date in March did they plead guilty?", "an earlier hearing", False),   # no month: nothing said
])
def test_a_date_asked_within_a_month_is_not_one_of_another_month(question: str, span_text: str,
                                                                   dropped: bool) -> None:
    """"On what date in March did Doyle and Benton plead guilty?" (the text says only "in March") was answered
    *14 October* (0.74), the day of their arrest."""
    sentence = f"They were arrested on {span_text} at the unit."
    span = Span(span_text, "d", sentence.index(span_text), sentence.index(span_text) + len(span_text), 0.5, 0)
    assert drop_contradicted(question, [span], [_window(sentence)]) == ([] if dropped else [span])


@pytest.mark.parametrize("question, sentence, name, dropped", [
    ("Who is the chairman of Outback Air Express?",
     "Outback Air Express chief executive Joanne Petrakis, 49, will become chief operating officer.",
     "Joanne Petrakis", True),
    ("Who is the chairman of Outback Air Express?",
     "Joanne Petrakis, the company's chief executive, will stay on.", "Joanne Petrakis", True),
    ("Who is the chairman of Outback Air Express?",
     "Chairman and chief executive Joanne Petrakis will stay on.", "Joanne Petrakis", False),   # holds both
    ("Who is the chief executive of Tallyfield?",
     "Founder and chief executive Michael Tran, 47, will vote for the deal.", "Michael Tran", False),
    ("Who is the chief executive officer of the league?", "CAFL CEO Gary Morris said so.", "Gary Morris", False),
    ("Who is the chief executive of Tallyfield?",       # a role that is no post of ``_POSTS``: may be the one
     "Managing director Michael Tran said so.", "Michael Tran", False),
    ("Who is the founder of Tallyfield?", "Chief executive Michael Tran said so.", "Michael Tran", False),
    ("What is the name of the federal Treasurer that the council will write to?",
     "The council would write to the bank's chief executive, Andrew Feeney, and to the federal Treasurer.",
     "Andrew Feeney", True),
    ("Who is the secretary of the berth holders' association?",     # fresh43a: its president was the answer
     "Berth holders' association president Lorraine Fitzgerald, 66, said members were shocked.",
     "Lorraine Fitzgerald", True),
    ("Who is the secretary of the berth holders' association?",
     "Association secretary Peter Duggan said members were shocked.", "Peter Duggan", False),
])
def test_a_person_given_another_post_beside_the_name_does_not_hold_the_asked_one(
        question: str, sentence: str, name: str, dropped: bool) -> None:
    """"Who is the chairman of Outback Air Express?" (unanswerable) was answered *Joanne Petrakis* (0.65), its
    chief executive. On SQuAD train, the 33 questions asking who holds such a post lose no answer to it."""
    span = Span(name, "d", sentence.index(name), sentence.index(name) + len(name), 0.5, 0)
    assert drop_contradicted(question, [span], [_window(sentence)]) == ([] if dropped else [span])


def test_a_sentence_without_a_year_in_a_story_that_tells_of_the_asked_year_elsewhere() -> None:
    """"How much did widening the spillway in 1991 cost?" was answered *$148m* of the headline of a 2025 story
    whose one mention of 1991 is far from it: the sentence is of the story's own time."""
    from rag.qualifiers import year_told_elsewhere

    lead = "Dam bill soars to $148m\nTIMARU, Tuesday 4 November 2025\n\nThe cost of the upgrade has jumped. " * 8
    story = lead + "\n\nThe spillway was widened in 1991."
    assert year_told_elsewhere(frozenset({1991}), "Dam bill soars to $148m", "Dam bill soars to $148m", story)
    # the asked year in the lead is the story's own time; in the window, the sentence's
    assert not year_told_elsewhere(frozenset({2025}), "The cost of the upgrade has jumped.", "", story)
    assert not year_told_elsewhere(frozenset({1991}), "It cost $2m.", "The spillway was widened in 1991. It cost $2m.",
                                   story)
    # a story that never names the year says nothing; nor does a sentence naming a year (other_year decides)
    assert not year_told_elsewhere(frozenset({1968}), "Dam bill soars to $148m", "", story)
    assert not year_told_elsewhere(frozenset({1991}), "In 2025 it cost $148m.", "", story)


def test_a_sentence_of_a_story_dated_another_year_that_never_names_the_asked_one() -> None:
    """"How many lambs did the meatworks process in 2020?" was answered *3,000* of "On 3,000 lambs, that's real
    money" in a story dated 2025 that never names 2020: a sentence naming no time is of its story's date."""
    from rag.qualifiers import dated_otherwise, story_year

    story = ("Meatworks to close\nBy Jo Lee\nPAHIATUA, Tarararua, Tuesday 4 November 2025\n\n"
             "The plant will close in February. On 3,000 lambs, that's real money, a farmer said.")
    assert story_year(story) == 2025
    assert story_year("Meatworks to close\n\nOn 4 May 1945 the war in Europe ended.") is None   # no dateline
    sentence = "On 3,000 lambs, that's real money, a farmer said."
    assert dated_otherwise(frozenset({2020}), sentence, story)
    assert not dated_otherwise(frozenset({2025}), sentence, story)               # the story's own year
    assert not dated_otherwise(frozenset({2020}), "It processed 3,000 lambs last season.", story)  # another time
    assert not dated_otherwise(frozenset({2020}), sentence, story + " The plant opened in 2020.")  # named: elsewhere
    assert not dated_otherwise(frozenset({2020}), sentence, story.replace("PAHIATUA, Tarararua, Tuesday 4 November 2025",
                                                                         "Tuesday"))       # undated: no verdict


def _sentences(*texts: str) -> Window:
    """A window of the given sentences, joined by spaces."""
    text, sentences = "", []
    for i, t in enumerate(texts):
        start = len(text) + (1 if text else 0)
        text = f"{text} {t}" if text else t
        sentences.append(Sentence("d", i, start, start + len(t), t))
    return Window("d", "t", text, 0, len(text), tuple(sentences), 0, 0, 1.0, 0.5)


def test_the_doer_of_an_asked_act_named_by_its_role_comes_first() -> None:
    """"Who is prosecuting Liam Gorton?" was answered *Mohammed Aziz* (0.86), the driver he hit, over *Helen
    Quarry* (0.00005) of "Opening the case, prosecutor Helen Quarry told the jury that Mr Gorton ...": news names
    the doer of a prosecution, a skippering or a coaching by the role, and that name comes first; not another
    boat's skipper, nor for the one acted on ("Who was prosecuted?")."""
    from rag.qualifiers import acted_roles, prefer_holder

    assert acted_roles("Who is prosecuting Liam Gorton?") == ("prosecutor",)
    assert acted_roles("Who skippered the Salt Shaker?") == ("skipper",)
    assert acted_roles("Who was prosecuted?") == () and acted_roles("Who found the prisoner?") == ()
    assert acted_roles("Who coached the team before Arnott?") == ("coach",)
    assert acted_roles("Who was the former coach?") == ()
    window = _sentences("Liam Gorton denies causing harm to driver Mohammed Aziz, 54.",
                        "Opening the case, prosecutor Helen Quarry told the jury that Mr Gorton boarded the bus.",
                        "Red Kite skipper Tom Hale said the wind dropped.")
    aziz, quarry, hale = (Span(n, "d", window.text.index(n), window.text.index(n) + len(n), score, 0)
                          for n, score in (("Mohammed Aziz", 0.86), ("Helen Quarry", 0.00005), ("Tom Hale", 0.01)))
    assert prefer_holder("Who is prosecuting Liam Gorton?", [aziz, quarry], [window]) == [quarry, aziz]
    assert prefer_holder("Who was prosecuted by Helen Quarry?", [aziz, quarry], [window]) == [aziz, quarry]
    assert prefer_holder("Who skippered the Salt Shaker?", [aziz, hale], [window]) == [aziz]   # another boat's
    window = _sentences("Peter Ng, 58, won the ironman for Kings Point.",
                        "Carnival referee Graham Tully, 66, said the swim was cut.")
    ng, tully = (Span(n, "d", window.text.index(n), window.text.index(n) + len(n), score, 0)
                 for n, score in (("Peter Ng", 0.5), ("Graham Tully", 0.001)))
    assert prefer_holder("Who refereed the carnival at Mollymook?", [ng, tully], [window]) == [tully, ng]


def test_a_when_question_is_not_answered_from_the_other_side_of_the_dateline() -> None:
    """"From what date will parking charges apply?" was answered *March 2020* (when free parking began) in a
    story dated November 2025: a date before the story's year answers nothing still to come, and one after it
    nothing done."""
    from rag.qualifiers import across_dateline, asked_tense

    assert asked_tense("From what date will parking charges apply at Kingsmead Hospital?") == "ahead"
    assert asked_tense("When is the bridge expected to reopen?") == "ahead"
    assert asked_tense("When did the plant open?") == "done" and asked_tense("When was it built?") is None
    assert asked_tense("When does Aino Lehtinen start as chief conductor?") == "ahead"
    assert asked_tense("In what year does the family say the painting was lent?") is None     # a past told now
    story = "Parking charges\nBy Jo Lee\nTAUNTON, Thursday 20 November 2025\n\nCharges start on Monday 1 December."
    assert across_dateline("ahead", "March 2020", story)
    assert not across_dateline("ahead", "Monday 1 December", story)            # no year: not judged
    assert not across_dateline("ahead", "January 2026", story)
    assert across_dateline("done", "2027", story) and not across_dateline("done", "2024", story)
    assert not across_dateline("ahead", "March 2020", "Parking charges\n\nCharges start soon.")   # undated


def test_a_date_without_its_year_just_before_the_dateline_is_no_date_to_come() -> None:
    """fresh43d: "From what date do level 3 water restrictions take effect in Armidale?" was answered *3 November*
    (when level 2 began) in a story dated Monday 8 December 2025: a day of a month in the weeks just before the
    dateline is gone; further before, it may be of the next year."""
    from rag.qualifiers import across_dateline, asked_tense, story_date

    assert asked_tense("From what date do level 3 water restrictions take effect in Armidale?") == "ahead"
    assert asked_tense("On what date does the report say the fire began?") is None
    story = "Water\nBy Lachlan Reid\nARMIDALE, Monday 8 December 2025\n\nText."
    assert story_date(story).isoformat() == "2025-12-08" and story_date("Water\n\nText.") is None
    assert across_dateline("ahead", "3 November", story) and across_dateline("ahead", "October 1", story)
    assert not across_dateline("ahead", "15 December", story) and not across_dateline("ahead", "8 December", story)
    assert not across_dateline("ahead", "15 January", story)          # next year's, as likely as not
    assert not across_dateline("done", "3 November", story)
    assert not across_dateline("ahead", "3 November", story, frozenset({2025}))   # "the 2025 festival": this year's
    assert not across_dateline("ahead", "3 November", story, sentence="It runs to 3 November 2026.")   # a year said


def test_a_question_about_last_year_is_not_answered_by_a_sentence_of_this_year() -> None:
    """"How many rescues did patrols carry out at last year's carnival?" was answered *four* (0.86) of a sentence
    about this year's: a sentence must say "last year", "a year earlier", "the previous season" or the year
    before the story's dateline."""
    from rag.qualifiers import drop_contradicted, last_year_asked, not_last_year

    assert last_year_asked("How many points did Kings Point score at last year's carnival?")
    assert last_year_asked("How many students sat the exam in the year before the leak?")
    assert not last_year_asked("How many points did Kings Point score this year?")
    assert not last_year_asked("What caused last year's overspend?")       # a reason: its sentence needn't say when
    assert not last_year_asked("Why did the bakery close its store last year?")
    story = "Carnival\nMOLLYMOOK, Sunday 7 December 2025\n\nText."
    assert not_last_year("Volunteer patrols carried out four rescues during the day.", story)
    assert not not_last_year("Incidents rose from 88 in 2023 to 117 last year.", story)
    assert not not_last_year("It paid 43 cents more than the previous year.", story)
    assert not not_last_year("In 2024 the club scored 389 points.", story)
    assert not_last_year("In 2019 the club scored 389 points.", story)
    assert not not_last_year("In 2019 the club scored 389 points.", None)      # undated: left alone
    text = "Volunteer patrols carried out four rescues during the day."
    span = Span("four", "d", text.index("four"), text.index("four") + 4, 0.86, 0)
    assert drop_contradicted("How many rescues did patrols carry out at last year's carnival?", [span],
                             [_window(text)]) == []
    assert drop_contradicted("How many rescues did patrols carry out at the carnival?", [span],
                             [_window(text)]) == [span]


def test_a_day_of_a_month_is_no_figure_the_window_must_give() -> None:
    """fresh42a: "How many bales of wool sold at the Christchurch auction on 20 November?" was refused: "20" was
    taken for a figure the answer's window must give, and that window is dated only by the story's dateline."""
    from rag.qualifiers import asked_numbers

    assert asked_numbers("How many bales of wool sold at the auction on 20 November?") == frozenset()
    assert asked_numbers("What happened on March 15th at the 231 site?") == frozenset({"231"})
    assert asked_numbers("There are 231 seats in which chamber?") == frozenset({"231"})


def test_a_sentence_naming_another_day_of_the_month_is_of_another_day() -> None:
    """fresh42a: "How many bales sold at the Christchurch auction on 20 November?" is not answered by *11,200* of
    "The next sale will be held in Napier on 4 December, when 11,200 bales are expected to be offered"."""
    from rag.qualifiers import drop_contradicted, other_date

    asked = frozenset({(20, "nov")})
    assert other_date(asked, "The next sale will be held in Napier on 4 December, when 11,200 bales are expected.")
    assert not other_date(asked, "Of the 9,840 bales offered, 8,910 sold.")           # no date: no verdict
    assert not other_date(asked, "On November 20, 2025, 8,910 bales sold.")
    assert not other_date(asked, "Prices may 5 times over rise.")                       # "may" is no month
    text = "The next sale will be held in Napier on 4 December, when 11,200 bales are expected."
    span = Span("11,200", "d", text.index("11,200"), text.index("11,200") + 6, 0.5, 0)
    assert drop_contradicted("How many bales sold at the auction on 20 November?", [span], [_window(text)]) == []


def test_this_year_is_the_year_of_the_dateline() -> None:
    """fresh42d: "How many presentations did the emergency department record in September 2025?" was refused:
    "rose from 3,412 in September 2024 to 3,958 in September this year" names 2024 only, and "this year" of a
    story dated 2025 is 2025; "3,412 in September 2024" is a figure of another year."""
    from rag.qualifiers import drop_contradicted, number_of_another_year, years_said

    story = "ED figures\nWHANGANUI, Monday 6 October 2025\n\nText."
    text = "Presentations rose from 3,412 in September 2024 to 3,958 in September this year."
    assert years_said(text, story) == frozenset({2025})
    assert years_said("It rose last year and will rise next year.", story) == frozenset()    # of another clause
    assert years_said(text, None) == frozenset() and years_said("It rose.", story) == frozenset()
    assert number_of_another_year(frozenset({2025}), text, text.index("3,412"), text.index("3,412") + 5)
    assert not number_of_another_year(frozenset({2025}), text, text.index("3,958"), text.index("3,958") + 5)
    low, high = (Span(n, "d", text.index(n), text.index(n) + 5, 0.5, 0) for n in ("3,412", "3,958"))
    documents = {"d": Document("d", "t", story)}
    assert drop_contradicted("How many presentations were there in September 2025?", [low, high], [_window(text)],
                             documents=documents) == [high]


def test_a_deputy_does_not_hold_the_post() -> None:
    """fresh42d: "Who is the mayor of Whanganui?" (unanswerable) was answered *Helen Craig* (0.78) of "Whanganui
    District Council deputy mayor Helen Craig said ...": a post under the asked one is not it."""
    from rag.qualifiers import drop_contradicted, holds_role_under

    text = "Whanganui District Council deputy mayor Helen Craig said she had written to the minister."
    at = text.index("Helen Craig")
    assert holds_role_under("mayor", text, at, at + 11)
    assert not holds_role_under("mayor", "Mayor Helen Craig said so.", 6, 17)
    span = Span("Helen Craig", "d", at, at + 11, 0.8, 0)
    assert drop_contradicted("Who is the mayor of Whanganui?", [span], [_window(text)]) == []
    assert drop_contradicted("Who is the deputy mayor of Whanganui?", [span], [_window(text)]) == [span]
    council = Span("Whanganui District Council deputy", "d", 0, 33, 0.8, 0)     # whose the post is, not its holder
    assert drop_contradicted("Who is the mayor of Whanganui?", [council], [_window(text)]) == []


def test_a_time_counted_back_is_said_by_the_sentence_that_answers_it() -> None:
    """fresh42c: "What was the crowd at the Kairangi Cup two years ago?" was answered *11,200* of "a crowd of
    about 11,200 attended, up from 9,600 last year", "How many submissions did the council receive six years
    ago?" *4,300* of "up from 1,150 three years earlier": the sentence must say that count of years back or the
    year that far before its dateline."""
    from rag.qualifiers import drop_contradicted, not_years_back, years_back_asked

    assert years_back_asked("What was the crowd at the Kairangi Cup two years ago?") == 2
    assert years_back_asked("How many submissions did it receive six years earlier?") == 6
    assert years_back_asked("What was the crowd a year ago?") is None           # last_year_asked reads that
    assert years_back_asked("Why did the club move the cup two years ago?") is None   # a reason
    story = "Cup day\nASHGROVE, Saturday 8 November 2025\n\nText."
    assert not_years_back(2, "A crowd of about 11,200 attended, up from 9,600 last year.", story)
    assert not_years_back(6, "More than 4,300 were received, up from 1,150 three years earlier.", story)
    assert not not_years_back(8, "It cost $48.6 million, up from the $31 million put to ratepayers eight years ago.",
                              story)
    assert not not_years_back(2, "The crowd was 9,100 in 2023.", story)
    assert not_years_back(2, "The crowd was 9,100 in 2021.", story)
    assert not not_years_back(2, "The crowd was 9,100 in 2021.", None)            # undated: left alone
    text = "A crowd of about 11,200 attended, up from 9,600 last year."
    span = Span("11,200", "d", text.index("11,200"), text.index("11,200") + 6, 0.4, 0)
    assert drop_contradicted("What was the crowd at the Kairangi Cup two years ago?", [span], [_window(text)]) == []


def test_this_year_and_the_past_year_are_not_an_asked_earlier_year() -> None:
    """fresh42e/c: "How many written submissions did the council receive during its 2013 fluoridation
    consultation?" was answered *1,942* (0.81) of "This year's public consultation ... drew 1,942 written
    submissions", "How many odour complaints were made in 2020?" *37* of "in the past year alone", in stories
    dated 2025 that tell of 2013 and 2020 elsewhere. "its 2013 consultation" now asks 2013 too."""
    from rag.qualifiers import asked_years, dated_by_words, drop_contradicted

    assert asked_years("How many submissions did the council receive during its 2013 consultation?") == {2013}
    assert asked_years("Who chaired the committee at the time of the 2013 vote?") == {2013}
    assert asked_years("How many of the 2000 soldiers died?") == frozenset()        # a count
    story = "Fluoride\nRANGIWAI, Wednesday 14 May 2025\n\nThe council last considered fluoridation in 2013."
    text = "This year's public consultation, which closed on 2 May, drew 1,942 written submissions."
    assert dated_by_words(frozenset({2013}), text, story)
    assert not dated_by_words(frozenset({2025}), text, story)
    assert dated_by_words(frozenset({2020}), "She made 37 complaints in the past year alone.", story)
    assert not dated_by_words(frozenset({2024}), "She made 37 complaints in the past year alone.", story)
    assert not dated_by_words(frozenset({2025}), "About 11,200 attended, up from 9,600 last year.", story)  # now's
    assert not dated_by_words(frozenset({2013}), "It drew 1,150 three years earlier, this year 1,942.", story)
    assert not dated_by_words(frozenset({2013}), "The 2013 count was 900; this year 1,942.", story)   # names one
    assert not dated_by_words(frozenset({2013}), text, "Fluoride\n\nUndated text.")
    span = Span("1,942", "d", text.index("1,942"), text.index("1,942") + 5, 0.8, 0)
    documents = {"d": Document("d", "t", story)}
    assert drop_contradicted("How many written submissions did the council receive during its 2013 consultation?",
                             [span], [_window(text)], documents=documents) == []


def test_a_question_of_now_is_not_answered_by_a_sentence_of_other_years_only() -> None:
    """fresh43a: "How many students are enrolled at Yarrabee Creek State School this year?" was answered *14* (0.77)
    of "The school opened in 1924 as a one-teacher school with 14 pupils and stayed under 200 students until
    2016", in a story dated 2025: a sentence naming years, none the dateline's, and tying nothing to now."""
    from rag.qualifiers import drop_contradicted, now_asked, of_other_years

    assert now_asked("How many students are enrolled at the school this year?")
    assert now_asked("How many teachers does the school currently employ?")
    assert not now_asked("Why is the school now full?") and not now_asked("How many students were enrolled?")
    story = "School roll\nIPSWICH, Monday 3 November 2025\n\nText."
    text = "The school opened in 1924 as a one-teacher school with 14 pupils and stayed small until 2016."
    assert of_other_years(text, story)
    assert not of_other_years("Enrolments rose from 412 in 2021 to 786 this year.", story)
    assert not of_other_years("It took 1,126 new students compared with 902 in 2024.", story)
    assert not of_other_years("The roll has doubled since 2019.", story)
    assert not of_other_years("The roll reached 786 in 2025.", story)
    assert not of_other_years("The roll is 786.", story) and not of_other_years(text, None)
    span = Span("14", "d", text.index("14 "), text.index("14 ") + 2, 0.77, 0)
    documents = {"d": Document("d", "t", story)}
    assert drop_contradicted("How many students are enrolled at the school this year?", [span], [_window(text)],
                             documents=documents) == []
    assert drop_contradicted("How many students were enrolled at the school?", [span], [_window(text)],
                             documents=documents) == [span]


def test_a_name_whose_sentence_tells_the_act_asked_goes_first() -> None:
    """fresh43a: "Which Tararua District councillor wants the council to consider a community trust taking over
    the building?" was answered *Kerry Sutherland* (0.77), a councillor whose sentence says nothing of it; the
    next sentence names "Fellow councillor Mike Jepson", who would ask the council to explore it."""
    from rag.qualifiers import prefer_told

    window = _sentences("Tararua District councillor Kerry Sutherland said the loss was a hammer blow for a town "
                        "where one in four residents is over 65.",
                        "Fellow councillor Mike Jepson said he would ask the council to explore whether a community "
                        "trust could take over the building.")
    text = window.text
    sutherland, jepson = _spans(text, ("Kerry Sutherland", 0.5), ("Mike Jepson", 0.03))
    asked = "Which Tararua District councillor wants the council to consider a community trust taking over the building?"
    assert prefer_told(asked, [sutherland, jepson], [window]) == [jepson, sutherland]
    assert prefer_told("Which Tararua District councillor called the loss a hammer blow?", [sutherland, jepson],
                       [window]) == [sutherland, jepson]         # the best one's sentence tells it
    assert prefer_told("Who is the Tararua District councillor?", [sutherland, jepson],
                       [window]) == [sutherland, jepson]         # a role only: no act to tell
    assert prefer_told("Which town wants the council to consider a community trust taking over the building?",
                       [sutherland, jepson], [window]) == [sutherland, jepson]    # no person asked
    assert prefer_told("Who chairs the Tararua trust that wants a community trust taking over the building?",
                       [sutherland, jepson], [window]) == [sutherland, jepson]    # a post: prefer_holder's


def test_since_a_year_tells_of_now() -> None:
    """fresh43d: "How much rain fell in Armidale between September and November 2025?" was refused: *61mm* of
    "... recorded its driest spring since 2019, with just 61mm of rain in Armidale between September and November"
    was dropped as of 2019. A sentence telling something "since 2019" is of the story's own time (and not of a year
    between: "Was the show held in 2020?" is not answered by "the first time it has won since 2011")."""
    from rag.qualifiers import years_said

    story = "Water\nARMIDALE, Monday 8 December 2025\n\nText."
    text = "The region recorded its driest spring since 2019, with just 61mm of rain between September and November."
    assert years_said(text, story) == frozenset({2025})
    assert years_said("Just 61mm of rain fell in spring 2019.", story) == frozenset()
    assert years_said(text, None) == frozenset()


def test_a_post_of_another_kind_or_body_is_not_the_one_asked() -> None:
    """"Who is the finance director of the Dyffryn Milk Co-operative?" was refused with "Co-operative managing
    director Rhodri Pugh" first; "Who chairs the trustees of the North Devon Youth Orchestra?" was answered
    *Cllr Malcolm Prowse* ("North Devon Council chairman") at 0.75. A post with another word before it is
    another post, another body's holder is no answer, and "Who is musical director of ...?" (no "the") asks
    of a post too; the holder written beside the name in a sentence naming the body is stated."""
    from rag.qualifiers import current_holder_role, prefer_holder, stated_holder

    text = ("Co-operative managing director Rhodri Pugh, 54, said so. Finance director Carys Jenkins said the "
            "co-operative would borrow. North Devon Council chairman Cllr Malcolm Prowse said the orchestra was "
            "superb. Musical director Helen Okafor, 52, who has led the orchestra since 2014, spoke.")
    pugh, jenkins, prowse, okafor = _spans(text, ("Rhodri Pugh", 0.3), ("Carys Jenkins", 0.01),
                                           ("Cllr Malcolm Prowse", 0.5), ("Helen Okafor", 0.007))
    window = _window(text)
    finance = "Who is the finance director of the Dyffryn Milk Co-operative?"
    assert prefer_holder(finance, [pugh, jenkins], [window]) == [jenkins, pugh]
    assert prefer_holder("Who is the managing director of the co-operative?", [pugh, jenkins], [window]) \
        == [pugh, jenkins]
    assert current_holder_role("Who is musical director of the North Devon Youth Orchestra?") == "director"
    assert current_holder_role("Who is Helen Okafor?") is None
    assert prefer_holder("Who chairs the trustees of the North Devon Youth Orchestra?", [prowse, okafor],
                         [window]) == [okafor]
    musical = "Who is musical director of the North Devon Youth Orchestra?"
    assert prefer_holder(musical, [prowse, okafor], [window]) == [okafor, prowse]
    assert stated_holder(musical, okafor, [window])
    assert not stated_holder("Who is musical director of the Harbour Youth Band?", okafor, [window])
    assert not stated_holder(finance, pugh, [window])
    # a post asked by its act (fresh45b: "Who chairs the Gippsland Community Food Trust ...?" was *Moe*, the reader's
    # best once "state government funding" was no one; "Trust chair Margaret Lindqvist, 63," states her)
    trust = "Trust chair Margaret Lindqvist, 63, said the board wanted evidence."
    lindqvist = _spans(trust, "Margaret Lindqvist")[0]
    assert stated_holder("Who chairs the Gippsland Community Food Trust?", lindqvist, [_window(trust)])
    assert not stated_holder("Who chairs the Harbour Youth Band?", lindqvist, [_window(trust)])
    assert not stated_holder("Who praised the Gippsland Community Food Trust?", lindqvist, [_window(trust)])



def test_a_figure_describing_the_thing_asked_may_be_given_elsewhere_in_its_story() -> None:
    """"Which telecommunications company wants to build a 25-metre cell tower in Mangawhai Heads?" was refused:
    "Telecommunications company Kora Mobile wants to build the tower ..." was dropped, as its window does not give
    25. The story's lead does ("a planned 25-metre mobile phone tower"); an age ("the 34-year-old man") tells
    which person and must still be in the window, and another such figure there ("a 15-metre pole") speaks of
    another thing."""
    from rag.qualifiers import described_elsewhere

    story = "About 180 people marched against a planned 25-metre mobile phone tower. Kora Mobile wants to build it."
    question = "Which telecommunications company wants to build a 25-metre cell tower in Mangawhai Heads?"
    assert described_elsewhere(question, "25", "Kora Mobile wants to build the tower on the reserve.", story)
    assert not described_elsewhere(question, "25", "Kora Mobile wants a 15-metre pole there.", story)
    assert not described_elsewhere(question, "25", "Kora Mobile wants to build it.", "Kora Mobile wants a tower.")
    assert not described_elsewhere("What is the name of the 34-year-old man who escaped?", "34", "He escaped.",
                                   "The 34-year-old man escaped on Monday.")


def test_a_sentence_saying_now_is_of_the_datelines_year() -> None:
    """"What was the median weekly rent ... in 2020?" was answered *$720* (0.89) of "He said the median weekly
    rent for a three-bedroom house had now reached $720", in a story dated 2025."""
    from rag.qualifiers import dated_by_words

    story = "MERRIN HEADS, Wednesday 8 October 2025\n\nRents rose."
    assert dated_by_words(frozenset({2020}), "He said the median weekly rent had now reached $720.", story)
    assert not dated_by_words(frozenset({2025}), "He said the median weekly rent had now reached $720.", story)
    assert not dated_by_words(frozenset({2020}), "He said the median weekly rent had reached $720.", story)


def test_a_bodys_kind_or_its_adjective_before_the_role_is_the_body_asked() -> None:
    """Blind fresh44d / fresh44e, after their round: "Club president Aroha Ngata" for "Who is president of the
    Whakatāne Volunteer Lifeguard Service?" and "Scootly's Australian general manager, Tessa Rowe" for "Who is
    Scootly's general manager in Australia?" were dropped as other bodies' holders (*Tessa Rowe* at 0.90 became
    *Scootly's Australian*): a kind alone ("Club") names the body itself, "Australian" is the question's
    "Australia"; "North Devon Council" is still another body."""
    from rag.qualifiers import anothers_holder

    text = ("Club president Aroha Ngata, 38, said so. Scootly's Australian general manager, Tessa Rowe, said no. "
            "North Devon Council president Cllr Malcolm Prowse spoke.")
    window = _window(text)
    ngata, rowe, prowse = _spans(text, "Aroha Ngata", "Tessa Rowe", "Cllr Malcolm Prowse")
    lifeguards = "Who is president of the Whakatāne Volunteer Lifeguard Service?"
    assert not anothers_holder(lifeguards, ngata, [window])
    assert anothers_holder(lifeguards, prowse, [window])
    assert not anothers_holder("Who is Scootly's general manager in Australia?", rowe, [window])
