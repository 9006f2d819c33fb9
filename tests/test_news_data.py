"""Tests of rag.tools.news_data (news questions for the reader's training) and how train_reader joins them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from rag.tools.news_data import Built, Story, ask_kind, balance, build, leave_out, load, locate, main, write

STORY_A = ("Dam upgrade cost soars\nBy Ann Reid\nKARANUI, Monday 3 March 2025\n\n"
           "The council approved 12 new pumps on Monday. Engineer Jo Bright, 47, said 12 was the minimum.\n\n"
           "Work will start in May because the old pumps failed twice last winter.")
STORY_B = ("Chess title for teenager\nBy Sam Ode\nNELSON, Sunday 9 March 2025\n\n"
           "Mia Tane, 15, won the regional chess title in Nelson on Sunday. She beat Tom Rua in the final.")


def _probe(tmp_path: Path, questions: list[dict]) -> Path:
    folder = tmp_path / "fresh99a"
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "01_dam.txt").write_text(STORY_A, encoding="utf-8")
    (folder / "corpus" / "02_chess.txt").write_text(STORY_B, encoding="utf-8")
    (folder / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n", encoding="utf-8")
    return folder


def test_an_answer_is_placed_in_its_evidence_sentence_not_at_an_earlier_mention() -> None:
    evidence = ["Engineer Jo Bright, 47, said 12 was the minimum."]
    start, text = locate(STORY_A, ["12"], evidence)
    assert text == "12" and STORY_A.index("said 12") + 5 == start
    assert locate(STORY_A, ["12"], []) is None                  # named twice, no evidence: could be the wrong one
    assert locate(STORY_A, ["Yes"], evidence) is None            # a verdict is no span
    start, text = locate(STORY_A, ["jo  bright"], [])             # case and white space free, but exact in the text
    assert text == "Jo Bright" and STORY_A[start:start + len(text)] == text


def test_probe_sets_become_stories_with_placed_and_unanswerable_questions(tmp_path: Path) -> None:
    folder = _probe(tmp_path, [
        {"id": "a1", "question": "How old is engineer Jo Bright?", "answers": ["47"],
         "evidence": ["Engineer Jo Bright, 47, said 12 was the minimum."]},
        {"id": "a2", "question": "Who won the Nelson chess title?", "answers": ["Mia Tane"],
         "evidence": ["Mia Tane, 15, won the regional chess title in Nelson on Sunday."]},
        {"id": "a3", "question": "Did Mia Tane beat Tom Rua?", "answers": ["Yes"],
         "evidence": ["She beat Tom Rua in the final."]},
        {"id": "a4", "question": "How old is Tom Rua, the beaten chess finalist?", "answers": [], "evidence": []},
        {"id": "a5", "question": "Will Mia Tane defend the Nelson chess title?", "answers": [], "evidence": []},
    ])
    built = build([folder])
    dam, chess = built.stories
    assert dam.title == "fresh99a/01_dam" and chess.title == "fresh99a/02_chess"
    assert [a["answer"] for a in dam.answerable] == ["47"]
    assert chess.answerable == [{"question": "Who won the Nelson chess title?", "answer": "Mia Tane",
                                 "answer_start": STORY_B.index("Mia Tane")}]
    assert chess.unanswerable == [{"question": "How old is Tom Rua, the beaten chess finalist?"}]
    assert built.unplaced == ["a3"]
    # an unsettled yes/no question is left out as the settled one is: kept, yes/no would teach "no answer"
    assert built.yes_no_left_out == 1
    out = tmp_path / "news.jsonl.gz"
    write(built, out)
    assert [s["title"] for s in load(out)] == ["fresh99a/01_dam", "fresh99a/02_chess"]


def test_kinds_asked_are_clause_forms_or_expected_answer_types() -> None:
    assert ask_kind("How old is Jo Bright?") == "age"
    assert ask_kind("How many people attended the hui?") == "number"
    assert ask_kind("Why did the council close the pool?") == "why"
    assert ask_kind("Who chairs the trust?") == "person"
    assert ask_kind("What is planned for the site?") == "other"


def _story(title: str, answerable: list[str], unanswerable: list[str]) -> Story:
    return Story(title, "text", [{"question": q, "answer": "x", "answer_start": 0} for q in answerable],
                 [{"question": q} for q in unanswerable])


def test_balance_caps_each_kinds_unanswerable_share_and_keeps_the_rest() -> None:
    ages = [f"How old is person {i}?" for i in range(10)]
    counts = [f"How many boats did club {i} own?" for i in range(4)]
    built = Built([_story("a", ages[:3] + counts[:3], ages[3:8] + counts[3:4]),
                   _story("b", [], ages[8:] + ["Why did it close?"])], unplaced=["q9"], yes_no_left_out=2)
    out = balance(built, 0.4)
    # ages: 3 answerable, 7 unanswerable; at most 0.4 / 0.6 * 3 = 2 kept. Counts: 1 of 4 is under the cap;
    # "why" has no answerable question here, so none of its unanswerable ones may stay
    assert out.balanced_out == {"age": 5, "why": 1}
    kept = [q["question"] for s in out.stories for q in s.unanswerable]
    assert sum(q.startswith("How old") for q in kept) == 2 and counts[3] in kept and len(kept) == 3
    assert [len(s.answerable) for s in out.stories] == [6, 0]          # answerable questions untouched
    assert (out.unplaced, out.yes_no_left_out) == (["q9"], 2)
    assert balance(built, 0.4).stories == out.stories                   # seeded: the same questions each time
    assert len(built.stories[0].unanswerable) == 6                      # the input is not changed
    with pytest.raises(ValueError):
        balance(built, 1.0)


def test_command_line_balances_on_request(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "set"
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "01_story.txt").write_text("Hut\n\nWANAKA, Monday\n\nJo Bright, 47, runs the hut.\n")
    rows = [{"id": "a1", "question": "How old is Jo Bright?", "answers": ["47"], "evidence": ["Jo Bright, 47, runs the hut."]},
            {"id": "a2", "question": "How old is Sam Lee?", "answers": [], "evidence": []},
            {"id": "a3", "question": "How old is Ana Ruru?", "answers": [], "evidence": []}]
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(folder), "--out", str(tmp_path / "all.jsonl.gz")]) == 0
    assert len(load(tmp_path / "all.jsonl.gz")[0]["unanswerable"]) == 2
    assert main([str(folder), "--out", str(tmp_path / "fair.jsonl.gz"), "--max-unanswerable-share", "0.5"]) == 0
    assert len(load(tmp_path / "fair.jsonl.gz")[0]["unanswerable"]) == 1
    assert "age 1" in capsys.readouterr().out


def test_leave_out_drops_every_question_of_a_form_and_counts_them() -> None:
    built = Built([_story("a", ["Why did the dam fail?", "Who runs the hut?"], ["Why did it close?", "How old is Jo?"]),
                   _story("b", ["Why was it late?"], [])], unplaced=[], yes_no_left_out=1, balanced_out={"age": 2})
    out = leave_out(built, ["why"])
    assert [[q["question"] for q in s.answerable] for s in out.stories] == [["Who runs the hut?"], []]
    assert [[q["question"] for q in s.unanswerable] for s in out.stories] == [["How old is Jo?"], []]
    assert out.forms_left_out == {"why": 3}
    assert (out.yes_no_left_out, out.balanced_out) == (1, {"age": 2})   # earlier counts carried over
    assert len(built.stories[0].answerable) == 2                         # the input is not changed
    assert balance(out, 0.5).forms_left_out == {"why": 3}              # later steps keep the count


def test_news_needs_joint_reading() -> None:
    from rag.tools.train_reader import TrainConfig

    with pytest.raises(ValueError, match="news"):
        TrainConfig(max_steps=1, news="runs/news.jsonl.gz")
    with pytest.raises(ValueError, match="news"):
        TrainConfig(max_steps=1, news="runs/news.jsonl.gz", joint_windows=3, news_repeats=0)


def test_joint_data_adds_news_questions_with_their_own_distractors_repeated(tmp_path: Path) -> None:
    """Each news question comes ``news_repeats`` times with the distractors mined for it; stories are
    split as the app splits them (the headline is a sentence of its own)."""
    from rag.tools.train_reader import TrainConfig, joint_data

    folder = _probe(tmp_path, [
        {"id": "a1", "question": "How old is engineer Jo Bright?", "answers": ["47"],
         "evidence": ["Engineer Jo Bright, 47, said 12 was the minimum."]},
        {"id": "a2", "question": "Who is chief executive of the Karanui council?", "answers": [], "evidence": []},
    ])
    news = tmp_path / "news.jsonl.gz"
    write(build([folder]), news)
    unanswerable = tmp_path / "squad2.jsonl.gz"
    with gzip.open(unanswerable, "wt", encoding="utf-8") as handle:
        for title in ("Alpha", "Beta", "Gamma"):
            handle.write(json.dumps({"title": title, "context": f"{title} is a town. It has a river.",
                                     "unanswerable": [{"id": title, "question": f"How long is the river of {title}?"}]}) + "\n")
    squad_context = "The Eiffel Tower was finished in 1889. It stands in Paris."
    rows = [{"question": "When was the Eiffel Tower finished?", "answer": "1889",
             "answer_start": squad_context.index("1889"), "ctx": 0}]
    cfg = TrainConfig(max_steps=1, joint_windows=3, news=str(news), news_repeats=3, unanswerable=str(unanswerable),
                      unanswerable_holdout=0.34, fast_split=True, run_dir=str(tmp_path / "run"))
    from rag.tools.train_reader import sentence_spans

    data = joint_data(cfg, rows, [squad_context], sentence_spans([squad_context], tmp_path, fast=True), tmp_path / "run")
    news_rows = [r for r in data.answerable if r["question"] == "How old is engineer Jo Bright?"]
    assert len(data.answerable) == 1 + 3 and len(news_rows) == 3
    assert len(data.mined) == len(data.answerable) and len(data.mined_unanswerable) == len(data.unanswerable)
    assert data.mined[1] == data.mined[2] == data.mined[3]
    story = news_rows[0]["ctx"]
    assert data.contexts[story] == STORY_A and data.contexts[story][news_rows[0]["answer_start"]:].startswith("47")
    first = data.spans[story][0]
    assert data.contexts[story][first[0]:first[1]] == "Dam upgrade cost soars"
    asked = [u for u in data.unanswerable if u["question"].startswith("Who is chief executive")]
    assert len(asked) == 3 and {u["ctx"] for u in asked} == {story}
    assert sum(u["question"].startswith("How long") for u in data.unanswerable) == 2   # one article held out
