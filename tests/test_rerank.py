"""The reranking stage (rag.rerank) behind its seam, and the training tool's pieces (rag.tools.train_reranker)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from rag.errors import ModelError
from rag.rerank import TrainedReranker, load_reranker, passage_text, rerank, weigh_spans
from rag.settings import Settings
from rag.types import Document, Hit, Reranker, Sentence, Span, Window

DOCS = {"d": Document("d", "Pets", "Cats purr. Dogs bark. Birds sing. Fish swim.")}
SENTS = [Sentence("d", i, 0, 0, t) for i, t in enumerate(["Cats purr.", "Dogs bark.", "Birds sing.", "Fish swim."])]


class WordReranker:
    """A fake reranker: a passage scores 0.9 when it holds the question's last word, else 0.1."""

    name = "fake-word"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        self.seen.extend(passages)
        word = question.rstrip("?").split()[-1].lower()
        return [0.9 if word in p.lower() else 0.1 for p in passages]


def _hits() -> list[Hit]:
    return [Hit(s, score=1.0 - i / 10) for i, s in enumerate(SENTS)]


def test_rerank_reorders_the_head_and_keeps_the_tail() -> None:
    fake = WordReranker()
    assert isinstance(fake, Reranker)
    out = rerank("Which animal can sing?", _hits(), fake, depth=3, documents=DOCS)
    assert [h.sentence.text for h in out] == ["Birds sing.", "Cats purr.", "Dogs bark.", "Fish swim."]
    assert [h.rerank_score for h in out] == [0.9, 0.1, 0.1, None]       # ties keep the fused order
    assert fake.seen == [passage_text("Pets", s.text) for s in SENTS[:3]]   # the depth bounds the work


def test_rerank_cannot_reach_below_its_depth() -> None:
    out = rerank("Which animal can swim?", _hits(), WordReranker(), depth=3, documents=DOCS)
    assert out[-1].sentence.text == "Fish swim."


def _window(rank: int, rerank_score: float | None) -> Window:
    s = SENTS[rank]
    return Window("d", "Pets", s.text, 0, 0, (s,), 0, rank, 0.0, rerank_score=rerank_score)


def test_weigh_spans_lets_the_reranker_choose_between_close_windows_and_keeps_the_own_score() -> None:
    spans = [Span("purr", "d", 0, 4, score=0.5, window_rank=0), Span("sing", "d", 0, 4, score=0.4, window_rank=2),
             Span("bark", "d", 0, 4, score=0.1, window_rank=1, window_score=0.3)]
    windows = [_window(0, 0.2), _window(1, None), _window(2, 0.9)]
    out = weigh_spans(spans, windows, power=1.0)
    assert [s.text for s in out] == ["sing", "purr", "bark"]
    assert [round(s.score, 4) for s in out] == [0.36, 0.1, 0.02]     # window 1 was not reranked: the lowest, 0.2
    assert [s.own_score for s in out] == [0.4, 0.5, 0.3]              # the reader's own, for comparing sources
    assert weigh_spans(spans, windows, power=0) == spans
    assert weigh_spans(spans, [_window(0, None), _window(2, None)], power=1.0) == spans   # no reranker ran
    assert [s.text for s in weigh_spans(spans, windows, power=0.1)] == ["purr", "sing", "bark"]   # a nudge only
    with pytest.raises(ValueError, match="rerank_prior"):
        Settings(rerank_prior=-1.0)


class BadReranker:
    name = "bad"

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        return [1.5] * len(passages)


def test_rerank_rejects_scores_outside_0_1() -> None:
    with pytest.raises(ValueError, match="outside"):
        rerank("q?", _hits(), BadReranker(), depth=2, documents=DOCS)
    with pytest.raises(ValueError, match="depth"):
        rerank("q?", _hits(), WordReranker(), depth=0, documents=DOCS)


def test_trained_is_the_default_none_turns_it_off_and_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    assert Settings().reranker == "trained" and load_reranker("none") is None
    with pytest.raises(ModelError, match="train_reranker"):
        TrainedReranker(tmp_path / "no-model")
    with pytest.raises(ValueError, match="reranker"):
        Settings(reranker="bogus")
    with pytest.raises(ValueError, match="unknown reranker"):
        load_reranker("bogus")


def test_the_shipped_reranker_loads_verified_and_puts_the_answering_sentence_first() -> None:
    """The weights in models/reranker (the default reranker) load through ONNX Runtime fp32 and the
    default int8 copy (word embeddings in int8 too), and both rank the sentence that answers above
    sentences on the same subject."""
    from rag.onnx_models import DEFAULT_CACHE, cache_folder
    from rag.readers.trained import expected_sha256

    reranker = load_reranker("trained")
    question = "When did Berlin Zoo open?"
    sentences = ["Berlin Zoo is the most visited zoo in Europe.", "The zoo opened in 1844.",
                 "About 20,000 animals live in Berlin Zoo."]
    scores = reranker.score(question, [passage_text("Berlin Zoo", s) for s in sentences])
    assert reranker.backend == "onnx" and all(0.0 <= s <= 1.0 for s in scores)
    assert max(range(3), key=scores.__getitem__) == 1, scores
    small = load_reranker("trained", backend=Settings.reranker_backend)
    int8 = small.score(question, [passage_text("Berlin Zoo", s) for s in sentences])
    assert small.backend == "onnx-int8" and max(range(3), key=int8.__getitem__) == 1, int8
    copy = cache_folder("reranker", expected_sha256(small.folder), DEFAULT_CACHE) / "int8-emb.onnx"
    assert copy.stat().st_size < 30e6                    # the 47 MB float32 embedding table is int8 too


def test_assistant_passes_the_injected_reranker_between_fusion_and_reading(mini_corpus: Path, tmp_path: Path,
                                                                           fake_embedder) -> None:
    from conftest import fake_split
    from rag.assistant import Assistant

    class Splitter:
        name = "fake"

        def split(self, documents):
            return fake_split(documents)

    class Reader:
        name = "fake"

        def __init__(self) -> None:
            self.first: list[str] = []

        def read(self, question, windows):
            self.first.append(windows[0].sentences[windows[0].center].text)
            return []

    reader = Reader()
    settings = Settings(corpus=mini_corpus, index=tmp_path / "idx", show_progress=False, reranker="none")
    plain = Assistant.load(settings=settings, embedder=fake_embedder, splitter=Splitter(), reader=reader)
    assert plain.reranker is None            # "none" works with no models/reranker folder
    plain.run("Where does Tom live? Paris")
    reranked = Assistant.load(settings=settings.with_(reranker="trained"), embedder=fake_embedder,
                              splitter=Splitter(), reader=reader, reranker=WordReranker())
    trace = reranked.run("Which pet liked fish")
    assert reader.first[-1] == "Tom liked fish." and trace.hits[0].rerank_score == 0.9
    assert "rerank" in trace.timings
    assert reranked.retrieve("Which pet liked fish", k=1)[0].sentence.text == "Tom liked fish."
    assert reranked.with_settings(top_k=3).reranker is reranked.reranker


class NewsReader:
    """A fake reader: a sure span in any window that names the harbour, nothing elsewhere; with
    ``doubt_after`` it answers from the second window instead, once it has been called that often."""

    name = "fake-news"

    def __init__(self, doubt_after: int = 0, hit_only: bool = False) -> None:
        self.calls = 0
        self.doubt_after = doubt_after
        self.hit_only = hit_only     # answer only when the harbour sentence is the window's hit

    def read(self, question, windows):
        self.calls += 1
        if self.doubt_after and self.calls > self.doubt_after:
            w = windows[1]
            return [Span(w.text, w.doc_id, w.start, w.end, 0.9, w.rank)]
        return [Span(x.text, x.doc_id, x.start, x.end, 0.9, w.rank) for w in windows
                for i, x in enumerate(w.sentences) if "harbour" in x.text and (i == w.center or not self.hit_only)]


class HarbourReranker:
    """A fake reranker that knows where the answer is: 0.9 for a passage naming the harbour, else 0.1."""

    name = "fake-harbour"

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        return [0.9 if "harbour" in p else 0.1 for p in passages]


def test_a_refusal_gets_a_second_deeper_look_and_only_new_evidence_overturns_it(tmp_path: Path,
                                                                                  fake_embedder) -> None:
    from conftest import FakeSplitter
    from rag.assistant import Assistant

    corpus = tmp_path / "news"
    corpus.mkdir()
    filler = " ".join(f"The council met on day {i} of the month." for i in range(8))
    (corpus / "a.txt").write_text(f"{filler} The ferry left from the old harbour.", encoding="utf-8")
    settings = Settings(corpus=corpus, index=tmp_path / "idx", show_progress=False, window=0,
                        abstain_below=0.0, rerank_depth=5, second_look_depth=10)
    question = "When did the council meet this month?"
    rank = [h.sentence.text for h in Assistant.load(settings=settings.with_(reranker="none"), embedder=fake_embedder,
                                                    splitter=FakeSplitter()).retrieve(question)]
    assert 5 <= rank.index("The ferry left from the old harbour.") < 10    # below the first look's depth

    def ask(reader, **changes):
        return Assistant.load(settings=settings.with_(**changes), embedder=fake_embedder, splitter=FakeSplitter(),
                              reader=reader, reranker=HarbourReranker()).run(question)

    trace = ask(NewsReader())
    assert not trace.answer.abstained and trace.looks == 2 and "second_look" in trace.timings
    assert trace.answer.text == "The ferry left from the old harbour."
    off = ask(NewsReader(), second_look_depth=0)
    assert off.answer.abstained and off.looks == 1 and "second_look" not in off.timings
    seen = ask(NewsReader(doubt_after=1))          # the second look answers from a sentence the first retrieved
    assert seen.answer.abstained and seen.looks == 1 and seen.timings["second_look"] > 0
    # a sentence the first look read only beside a hit is new evidence: the reranker never judged it
    (corpus / "a.txt").write_text(f"{filler} The council met this month. The ferry left from the old harbour.",
                                  encoding="utf-8")
    settings = settings.with_(index=tmp_path / "idx2", window=1)
    first = ask(NewsReader(hit_only=True), second_look_depth=0)
    assert first.answer.abstained and any("harbour" in w.text for w in first.windows)   # read, beside a hit
    neighbour = ask(NewsReader(hit_only=True))
    assert neighbour.looks == 2 and neighbour.answer.text == "The ferry left from the old harbour."
    with pytest.raises(ValueError, match="second_look_depth"):
        Settings(second_look_depth=-1)


# --- the training tool ------------------------------------------------------------------------
def test_group_loss_prefers_the_gold_pair_first() -> None:
    import torch

    from rag.tools.train_reranker import group_loss

    logits = torch.tensor([3.0, -1.0, -2.0, 0.0, 4.0, -1.0])     # two groups of 3: the second ranks gold second
    loss, accuracy = group_loss(logits, 3, 0.5)
    assert accuracy == 0.5 and loss.item() > 0
    better, accuracy = group_loss(torch.tensor([3.0, -1.0, -2.0, 5.0, 4.0, -1.0]), 3, 0.5)
    assert accuracy == 1.0 and better.item() < loss.item()


def test_epoch_groups_are_deterministic_and_never_use_the_gold_as_a_negative() -> None:
    from rag.tools.train_reranker import Mined, RerankConfig, epoch_groups

    mined = Mined(texts=[f"s{i}" for i in range(20)], questions=["a?", "b?", "c?"], gold=[0, 5, 9],
                  negatives=[[1, 2, 3, 4, 6, 7, 8], [6], []])
    cfg = RerankConfig(max_steps=1, negatives=3, mine_depth=10)
    groups = epoch_groups(mined, cfg, 0)
    assert groups == epoch_groups(mined, cfg, 0) and groups != epoch_groups(mined, cfg, 1)
    for q, gold, *negatives in groups:
        assert gold == mined.gold[q] and len(negatives) == 3 and gold not in negatives
        assert len(set(negatives)) == 3
        if q == 0:
            assert set(negatives) <= {1, 2, 3, 4, 6, 7}                   # drawn from the hardest 2 x negatives


def test_a_group_with_no_gold_sentence_is_pushed_down_on_every_pair_and_on_its_best() -> None:
    """Unanswerable groups (SQuAD 2.0): no softmax target; the loss falls as their highest logit falls."""
    import torch

    from rag.tools.train_reranker import group_loss

    answerable = torch.tensor([3.0, -1.0, -2.0])
    high, accuracy = group_loss(torch.cat([answerable, torch.tensor([2.0, -3.0, -3.0])]), 3, 0.5, [False, True])
    low, _ = group_loss(torch.cat([answerable, torch.tensor([-2.0, -3.0, -3.0])]), 3, 0.5, [False, True])
    assert accuracy == 1.0 and low.item() < high.item()            # accuracy counts the answerable group only
    alone, accuracy = group_loss(torch.tensor([-2.0, -3.0, -3.0]), 3, 0.5, [True])
    assert accuracy != accuracy and alone.item() > 0                # NaN: no answerable group to rank


def test_unanswerable_questions_make_groups_of_their_own_paragraph_first() -> None:
    from rag.tools.train_reranker import Mined, RerankConfig, epoch_groups

    mined = Mined(texts=[f"s{i}" for i in range(12)], questions=["a?"], gold=[0], negatives=[[1, 2, 3]],
                  null_questions=["x?", "y?"], null_rows=[[6, 7, 8, 9, 10, 11], [9, 10]])
    cfg = RerankConfig(max_steps=1, negatives=3, mine_depth=10, unanswerable_repeats=2)
    groups = epoch_groups(mined, cfg, 0)
    null = [g for g in groups if g[0] < 0]
    assert len(groups) == 1 + 2 * 2 and len(null) == 4 and all(len(g) == 1 + 4 for g in groups)
    for q, *rows in null:
        own = mined.null_rows[-q - 1]
        assert len(set(rows)) == 4
        assert set(rows) <= set(own) if len(own) >= 4 else set(own) <= set(rows)   # topped up when too few


def test_config_rejects_an_endless_schedule_and_bad_groups() -> None:
    from rag.tools.train_reranker import RerankConfig

    with pytest.raises(ValueError, match="max-minutes"):
        RerankConfig()
    with pytest.raises(ValueError, match="mine_depth"):
        RerankConfig(max_steps=1, negatives=8, mine_depth=8)


def test_base_kind_tells_a_reader_from_a_reranker_stage_and_the_card_says_which(tmp_path: Path) -> None:
    """A reranker may start from our reader's encoder; its card must not call that an earlier stage."""
    from rag.paths import PROJECT_ROOT
    from rag.tools.train_reranker import base_kind, model_card

    assert base_kind(PROJECT_ROOT / "models" / "reader") == "reader"
    assert base_kind(PROJECT_ROOT / "models" / "reranker") == "reranker"
    assert base_kind(tmp_path) == "encoder"                      # no config.json
    cfg = {"base": "models/reader", "holdout_articles": 12, "holdout_seed": 7, "negatives": 7, "mine_depth": 30,
           "fusion": "rrf", "threads": 2, "bf16": True, "warmup": 0.06, "grad_clip": 1.0, "bce_weight": 0.5,
           "log_every": 20}
    info = {"config": cfg, "base": "models/reader", "base_sha256": "ab" * 32, "base_kind": "reader",
            "questions_seen": 10, "train_seconds": 5.0, "training_groups": 10, "command": "python -m ...",
            "steps": 2, "final_loss": 1.0, "final_gold_first": 0.5}
    card = model_card(info)
    assert "span head is dropped" in card and "continued training" not in card and "bf16" in card
    assert "continued training" in model_card({**info, "base_kind": "reranker"})


CONTEXTS = [
    ("Eiffel_Tower", "The Eiffel Tower was finished in 1889. It stands in Paris. Gustave Eiffel's company built it. "
                     "It is 330 metres tall."),
    ("Berlin_Zoo", "Berlin Zoo opened in 1844. It is the oldest zoo in Germany. About 20,000 animals live there. "
                   "It has an aquarium."),
]
QUESTIONS = [(0, "When was the Eiffel Tower finished?", "1889"), (0, "How tall is the tower?", "330 metres"),
             (0, "Whose company built the tower?", "Gustave Eiffel's company"), (1, "When did Berlin Zoo open?", "1844"),
             (1, "How many animals live in Berlin Zoo?", "About 20,000"), (1, "What does the zoo also have?", "an aquarium")]


@pytest.mark.slow
def test_tiny_run_mines_trains_checkpoints_resumes_and_exports(tmp_path: Path) -> None:
    """A few steps with the real MiniLM base: mining finds negatives, the export loads as a reranker."""
    from rag.tools.train_reranker import RerankConfig, train

    data = tmp_path / "train.jsonl.gz"
    with gzip.open(data, "wt") as handle:
        for i, (c, question, answer) in enumerate(QUESTIONS):
            title, context = CONTEXTS[c]
            handle.write(json.dumps({"id": str(i), "title": title, "context": context, "question": question,
                                     "answer": answer, "answer_start": context.index(answer)}) + "\n")
    common = dict(data=str(data), output=str(tmp_path / "model"), run_dir=str(tmp_path / "run"), group_batch=3,
                  negatives=3, mine_depth=6, holdout_articles=0, log_every=1, fast_split=True, lr=1e-4, max_epochs=10)
    first = train(RerankConfig(max_steps=2, **common))
    assert first["step"] == 2 and len(first["curve"]) == 2
    mined = next((tmp_path / "run").glob("mined-*.json"))
    record = json.loads(mined.read_text())
    assert len(record["gold"]) == 6 and all(len(n) >= 3 for n in record["negatives"])
    second = train(RerankConfig(max_steps=4, **common), resume=True)
    assert second["step"] == 4 and second["curve"][:2] == first["curve"]
    out = tmp_path / "model"
    for name in ("model.safetensors", "config.json", "tokenizer.json", "training.json", "MODEL_CARD.md", "SHA256SUMS"):
        assert (out / name).is_file(), name
    assert "CC BY-SA 4.0" in (out / "MODEL_CARD.md").read_text()
    from safetensors import safe_open

    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        assert all(handle.get_tensor(k).dtype.is_floating_point and handle.get_tensor(k).element_size() == 2
                   for k in list(handle.keys())[:5])
    question = "When was the Eiffel Tower finished?"
    passages = [passage_text("Eiffel Tower", "The Eiffel Tower was finished in 1889."),
                passage_text("Berlin Zoo", "It has an aquarium, and the zoo's many visitors come from all over Europe.")]
    cache = tmp_path / "onnx"                            # not models/onnx: these weights are thrown away
    served = TrainedReranker(out, cache=cache)           # the default backend: ONNX Runtime fp32
    scores = served.score(question, passages)
    assert served.backend == "onnx" and list(cache.glob("reranker-*/fp32.onnx"))
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
    # ONNX Runtime gives torch's logits (padded pairs of different lengths in one batch)
    np.testing.assert_allclose(served.logits(question, passages),
                               TrainedReranker(out, backend="torch").logits(question, passages), atol=1e-4)
