"""The conversation store: turns kept across a restart (a new store on the same file), answers
round-trip whole, and one owner never sees, renames or deletes another's conversations."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from rag.conversations import (ConversationError, ConversationStore, answer_from_json, answer_to_json,
                               new_owner_id, title_for)
from rag.types import Alternative, Answer, Citation

CITE = Citation("sharma", "Sharma profile", "Dr Sharma is 38 years old.", 0, 26, 0.9, 13, 15, index=0)
ALT = Alternative("39", Citation("other", "Other paper", "He is 39.", 4, 13, 0.5, 10, 12, index=2), 0.31)


def answer(text: str = "38", **kw: object) -> Answer:
    base = dict(question="How old is he?", text=text, abstained=False, confidence=0.42, citations=[CITE],
                message=text, resolved_question="How old is Dr Sharma?", uncertain=True, alternatives=[ALT],
                timings={"total": 0.1})
    return Answer(**{**base, **kw})


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "history" / "conversations.sqlite3")


def test_answer_round_trips_through_json_with_citations_alternatives_and_related() -> None:
    refused = Answer(question="q", text="", abstained=True, confidence=0.1, related=[CITE], message="no")
    for a in (answer(), refused):
        assert answer_from_json(answer_to_json(a)) == a


def test_rows_from_another_version_of_answer_still_load() -> None:
    row = answer_to_json(answer()).replace('"kind": "span"', '"kind": "span", "added_later": 1')
    assert answer_from_json(row) == answer()


def test_turns_survive_a_restart_in_order(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    owner = new_owner_id()
    first = ConversationStore(path)
    conv = first.create(owner, title_for("Who is Steph Lewis?"))
    assert first.add_turn(owner, conv.id, "Who is Steph Lewis?", answer("an MP")) == 0
    assert first.add_turn(owner, conv.id, "What leave was she on?", answer("maternity leave")) == 1
    again = ConversationStore(path)   # a server restart: a new store on the same file
    assert again.browser_secret() == first.browser_secret() and len(first.browser_secret()) >= 32
    turns = again.turns(owner, conv.id)
    assert [(q, a.text) for q, a in turns] == [("Who is Steph Lewis?", "an MP"), ("What leave was she on?",
                                                                                  "maternity leave")]
    assert turns[1][1].alternatives == [ALT] and turns[1][1].resolved_question == "How old is Dr Sharma?"
    [listed] = again.list(owner)
    assert (listed.id, listed.title, listed.turns) == (conv.id, "Who is Steph Lewis?", 2)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 2, "one row per turn"


def test_list_is_most_recent_first_and_rename_and_delete_work(store: ConversationStore) -> None:
    owner = new_owner_id()
    a = store.create(owner, "first")
    b = store.create(owner, "second")
    store.add_turn(owner, a.id, "q", answer())   # a is used last
    assert [c.id for c in store.list(owner)] == [a.id, b.id]
    assert store.rename(owner, a.id, "  Sharma's   age ").title == "Sharma's age"
    assert store.get(owner, a.id).title == "Sharma's age"
    with pytest.raises(ConversationError, match="cannot be empty"):
        store.rename(owner, a.id, "   ")
    store.delete(owner, a.id)
    assert [c.id for c in store.list(owner)] == [b.id]
    with pytest.raises(ConversationError, match="not there"):
        store.turns(owner, a.id)
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0, "its turns went with it"


def test_one_owner_cannot_see_or_touch_another_owners_conversations(store: ConversationStore) -> None:
    alice, mallory = new_owner_id(), new_owner_id()
    conv = store.create(alice, "private")
    store.add_turn(alice, conv.id, "secret question", answer())
    assert store.list(mallory) == []
    for attempt in (lambda: store.turns(mallory, conv.id), lambda: store.get(mallory, conv.id),
                    lambda: store.rename(mallory, conv.id, "mine"), lambda: store.delete(mallory, conv.id),
                    lambda: store.add_turn(mallory, conv.id, "q", answer())):
        with pytest.raises(ConversationError):
            attempt()
    assert store.get(alice, conv.id).title == "private" and len(store.turns(alice, conv.id)) == 1
    with sqlite3.connect(store.path) as db:
        owners = [row[0] for row in db.execute("SELECT owner FROM conversations")]
    assert alice not in owners, "owner ids are stored hashed"


@pytest.mark.parametrize("owner", [None, "", "short", "x" * 401, "tab\there-and-long-enough"])
def test_invalid_owner_ids_are_refused(store: ConversationStore, owner: object) -> None:
    with pytest.raises(ConversationError, match="reload the page"):
        store.list(owner)   # type: ignore[arg-type]


def test_titles_are_cut_at_a_word() -> None:
    long = "Why was Gaurav Sharma suspended from the Labour caucus and what did the Prime Minister say about it?"
    assert title_for(long).endswith("…") and len(title_for(long)) <= 81 and " ".join(long.split()[:3]) in title_for(long)
    assert title_for("  Who   is he? ") == "Who is he?"


def test_concurrent_writers_lose_no_turn(store: ConversationStore) -> None:
    owners = [new_owner_id() for _ in range(4)]
    convs = [store.create(o, "c") for o in owners]

    def write(i: int) -> None:
        for n in range(10):
            store.add_turn(owners[i], convs[i].id, f"q{n}", answer(str(n)))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o, c in zip(owners, convs):
        assert [a.text for _, a in store.turns(o, c.id)] == [str(n) for n in range(10)]
