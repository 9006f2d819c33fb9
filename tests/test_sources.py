"""A question that gives an outlet as its source is answered from that outlet alone (rag.sources)."""

from __future__ import annotations

from rag.sources import named as _named, outlets
from rag.types import Document

DOCS = [Document("n1", "Caucus meets", "...", "n1.txt", outlet="Newshub"),
        Document("n2", "More on the caucus", "...", "n2.txt", outlet="Newshub"),
        Document("c1", "Lewis backs decision", "...", "c1.txt", outlet="Whanganui Chronicle"),
        Document("r1", "Sharma suspended", "...", "r1.txt")]


def named(question: str, documents: list[Document]):
    return _named(question, outlets(documents))


def test_an_outlet_given_as_the_source_restricts_to_its_documents_and_leaves_the_question() -> None:
    found = named("At whom were the claims aimed, according to Newshub?", DOCS)
    assert found is not None and found.doc_ids == {"n1", "n2"}
    assert found.question == "At whom were the claims aimed?"     # where to look, not what to find
    found = named("According to the Chronicle, who quit?", DOCS)   # the last word of a longer name
    assert found is not None and found.doc_ids == {"c1"} and found.question == "Who quit?"
    for question in ("Who took the photograph in the Whanganui Chronicle story?", "What did Newshub report?",
                     "Did the Chronicle report the vote?", "What does Newshub's article say about Lewis?"):
        found = named(question, DOCS)
        assert found is not None and found.question == question, question


def test_an_outlet_only_mentioned_or_not_written_as_a_name_is_no_source() -> None:
    for question in ("What did Lewis tell the Chronicle?",        # told it: the outlet is in the story
                     "Who spoke to someone involved, who told newshub?",
                     "What happened to Sharma?"):
        assert named(question, DOCS) is None, question
    # an outlet whose last word another outlet shares is named by its whole name only
    shared = [*DOCS, Document("h1", "t", "...", "h1.txt", outlet="Otago Chronicle")]
    assert named("According to the Chronicle, who quit?", shared) is None
    assert named("According to the Otago Chronicle, who quit?", shared).doc_ids == {"h1"}


def test_the_last_question_is_asked_of_another_outlet() -> None:
    from rag.sources import asked_of

    by = outlets(DOCS)
    last = "According to Newshub, who did Sharma accuse of bullying?"
    assert asked_of(last, "the Chronicle", by) == "According to the Chronicle, who did Sharma accuse of bullying?"
    assert asked_of("What did the Whanganui Chronicle report about the vote?", "Newshub", by) == \
        "What did Newshub report about the vote?"
    assert asked_of("Who voted to expel Sharma?", "Newshub", by) == \
        "Who voted to expel Sharma, according to Newshub?"            # the last question named no source
    assert asked_of(last, "Lewis", by) is None and asked_of(last, "the BBC", by) is None   # no outlet here
