"""Index segments: BM25 scored over segments equals bm25s over one index, a corpus added one
document at a time retrieves exactly what one build does, tombstones hide rows at once, merges drop
them, and adding an article never rewrites the large segment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, FakeEmbedder, fake_split
from rag.bm25 import BM25, Postings, SegmentView, bm25_texts
from rag.corpus import load_corpus
from rag.index import MANIFEST, manifest_files, merge_segments, open_index
from rag.retrieval import HybridRetriever
from rag.segments import merge_plan
from rag.sentence_table import SentenceTable

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "corpus" / "questions.jsonl").read_text().splitlines()
             if line.strip() and "question" in json.loads(line)][:12] + ["Rex Berlin", "Who attacked whom?"]


def _open(corpus: Path, index: Path, **kw):
    return open_index(load_corpus(corpus), FakeEmbedder(), index, fake_split, model_sha256="abc", splitter="fake", **kw)


def _retrieved(index, corpus: Path) -> list[list[tuple]]:
    """Everything retrieval hands on, per question: each hit's sentence, its scores and ranks, in order."""
    retriever = HybridRetriever(index, FakeEmbedder(), load_corpus(corpus).documents)
    out = []
    for question in QUESTIONS:
        hits, _ = retriever.rank(question)
        out.append([(h.sentence, h.score, h.dense_score, h.bm25_score, h.dense_rank, h.bm25_rank, h.relatedness)
                    for h in hits])
    return out


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped corpus's documents."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    for path in (ROOT / "corpus").iterdir():
        if path.suffix == ".txt":
            shutil.copy(path, folder / path.name)
    return folder


def test_bm25_over_one_segment_scores_bit_for_bit_as_bm25s(shipped: Path) -> None:
    import bm25s
    import Stemmer

    sentences = [s for doc in fake_split(load_corpus(shipped).documents).values() for s in doc]
    texts = bm25_texts(sentences)
    reference = bm25s.BM25()
    reference.index(bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False),
                    show_progress=False)
    ours = BM25(texts, [s.doc_id for s in sentences])
    for question in QUESTIONS:
        tokens = bm25s.tokenize([question], stopwords="en", stemmer=Stemmer.Stemmer("english"),
                                show_progress=False, return_ids=False)[0]
        ids = reference.get_tokens_ids(tokens)
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(texts), np.float32)
        np.testing.assert_array_equal(ours.scores(question)[0], expected, err_msg=question)


def test_bm25_split_into_segments_with_tombstones_scores_as_one_index(shipped: Path) -> None:
    """Corpus-wide N, document frequencies and mean length: two segments plus a dead document score
    every live row exactly as one index over the live rows does."""
    sentences = [s for doc in fake_split(load_corpus(shipped).documents).values() for s in doc]
    cut = len(sentences) // 2
    while sentences[cut].doc_id == sentences[cut - 1].doc_id and cut < len(sentences) - 1:
        cut += 1                                              # documents do not straddle segments
    parts = [sentences[:cut], sentences[cut:]]
    ghost = [type(s)("ghost", s.index, s.start, s.end, s.text + " Rex Berlin whip") for s in sentences[:5]]
    views = []
    for i, part in enumerate(parts):
        rows = part + ghost if i == 0 else part                  # the ghost document is tombstoned
        table = SentenceTable.from_sentences(rows)
        live = np.arange(len(part)) if i == 0 else None
        views.append(SegmentView(Postings.build(bm25_texts(rows)), live, table.doc_codes, table.doc_names))
    segmented = BM25.over(views)
    whole = BM25(bm25_texts(sentences), [s.doc_id for s in sentences])
    assert segmented.size == whole.size == len(sentences)
    for question in QUESTIONS:
        scores, ideal = segmented.scores(question)
        np.testing.assert_array_equal(scores, whole.scores(question)[0], err_msg=question)
        assert ideal == whole.scores(question)[1]
        assert segmented.names_known(question) == whole.names_known(question)
        np.testing.assert_array_equal(segmented.name_features(question, sentences[:20]),
                                      whole.name_features(question, sentences[:20]))
    for word in ("Sharma", "whip", "Berlin", "nowhere"):   # Berlin: only in the tombstoned document
        rows = segmented.rows_with(word)
        assert rows == whole.rows_with(word)
        assert all(word.lower() in (sentences[r].text + sentences[r - 1].text).lower() for r in rows)
    assert segmented.rows_with("Berlin") == [] and segmented.rows_with("Sharma", limit=3) == whole.rows_with("Sharma")[:3]


def test_added_one_document_at_a_time_retrieves_exactly_what_one_build_does(shipped: Path, tmp_path: Path) -> None:
    one_go, _ = _open(shipped, tmp_path / "one-go")
    growing = tmp_path / "growing"
    growing.mkdir()
    for path in sorted(shipped.iterdir()):                   # corpus order: rows end up in the same order
        shutil.copy(path, growing / path.name)
        index, report = _open(growing, tmp_path / "by-one", merge="off")
        assert report.embedded == [load_corpus(growing).documents[-1].doc_id]
    assert len(index.segments) == len(list(shipped.iterdir())) > 1
    assert list(index.sentences) == list(one_go.sentences)
    assert _retrieved(index, shipped) == _retrieved(one_go, shipped)
    merged = merge_segments(tmp_path / "by-one", full=True)
    assert merged is not None and len(merged.segments) == 1
    assert _retrieved(merged, shipped) == _retrieved(one_go, shipped)


def test_changed_and_removed_documents_are_tombstoned_then_merged_away(mini_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    first, _ = _open(mini_corpus, index_dir, merge="off")
    big = {name: (index_dir / name).read_bytes() for name in manifest_files(first.manifest)}
    (mini_corpus / "dogs.txt").write_text("Dogs bark. Rex moved to Munich.")
    (mini_corpus / "birds.md").unlink()
    index, report = _open(mini_corpus, index_dir, merge="off")
    assert sorted(report.embedded) == ["dogs"] and report.removed == ["birds"]
    assert index.manifest["segments"][0]["deleted"] == ["birds", "dogs"]
    assert all((index_dir / name).read_bytes() == data for name, data in big.items()), "the old segment is as it was"
    texts = [s.text for s in index.sentences]
    assert sorted(texts) == sorted(["Cats sleep for sixteen hours a day.", "A cat named Tom lived in Paris.",
                                    "Tom liked fish.", "Dogs bark.", "Rex moved to Munich."])
    query = FakeEmbedder().embed(["Rex lives in Berlin."])[0]
    assert all(index.sentences[r].text != "Rex lives in Berlin." for r, _ in index.search(query, 5))
    assert index.bm25.search("Berlin Polly parrot", 5) == [], "tombstoned rows score nothing"
    assert index.doc_sentences("dogs")[1].text == "Rex moved to Munich." and index.doc_sentences("birds") == []

    merged = merge_segments(index_dir, full=True)
    assert merged is not None and len(merged.segments) == 1 and merged.manifest["segments"][0]["deleted"] == []
    assert [s.text for s in merged.sentences] == texts and merged.faiss.ntotal == 5
    assert sorted(p.name for p in index_dir.iterdir() if not p.name.startswith(".")) == sorted(
        [MANIFEST, *manifest_files(merged.manifest)]), "the merged segments' files are gone"
    reopened, report = _open(mini_corpus, index_dir)
    assert not report.changed and [s.text for s in reopened.sentences] == texts


def test_adding_articles_one_by_one_never_rewrites_the_large_segment(mini_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    first, _ = _open(mini_corpus, index_dir, max_segments=3)
    big = {name: (index_dir / name).stat().st_mtime_ns for name in manifest_files(first.manifest)}
    for i in range(9):
        (mini_corpus / f"zz{i}.txt").write_text(f"Article {i} is short. It names Zed{i}.")
        index, report = _open(mini_corpus, index_dir, max_segments=3)
        assert report.embedded == [f"zz{i}"]
        assert len(index.segments) <= 3, "small segments are merged with each other"
        assert index.segments[0].id == first.segments[0].id
        assert {name: (index_dir / name).stat().st_mtime_ns for name in big} == big
        hit = index.search(FakeEmbedder().embed([f"zz{i}. It names Zed{i}."])[0], 1)[0][0]
        assert index.sentences[hit].doc_id == f"zz{i}"
    assert len(index) == 8 + 2 * 9


def test_merge_plan_keeps_the_large_segment_unless_many_rows_are_dead() -> None:
    assert merge_plan([1000, 2, 2], [0, 0, 0], max_segments=3) is None
    assert merge_plan([1000, 2, 2, 2], [0, 0, 0, 0], max_segments=3) == range(1, 4)
    assert merge_plan([5, 1000, 2, 2, 2], [0, 0, 0, 0, 0], max_segments=3) == range(2, 5)
    assert merge_plan([1000, 2], [400, 0]) == range(0, 2), "tombstones over 30%: everything"
    assert merge_plan([1000], [400]) == range(0, 1)
    assert merge_plan([1000, 2], [0, 0], full=True) == range(0, 2)


def test_a_merge_and_an_update_at_once_lose_nothing(mini_corpus: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A document changed and one removed while a merge builds its segment: the merge commits after
    them, the tombstones they wrote carry over to the merged segment, nothing comes back."""
    import rag.index

    index_dir = tmp_path / "idx"
    _open(mini_corpus, index_dir, merge="off")
    (mini_corpus / "fish.txt").write_text("Fish swim. Wanda is orange.")
    _open(mini_corpus, index_dir, merge="off")                     # two segments
    write_segment = rag.index._write_segment

    def update_meanwhile(*args, **kwargs):
        out = write_segment(*args, **kwargs)
        if kwargs.get("prefix"):                                   # the merge's segment is written: update now
            (mini_corpus / "cats.txt").write_text("Cats nap. Tom moved to Lyon.")
            (mini_corpus / "fish.txt").unlink()
            _, report = _open(mini_corpus, index_dir, merge="off")
            assert sorted(report.embedded) == ["cats"] and report.removed == ["fish"]
        return out

    monkeypatch.setattr(rag.index, "_write_segment", update_meanwhile)
    merged = merge_segments(index_dir, full=True)
    monkeypatch.undo()
    assert merged is not None
    expected = sorted((s.doc_id, s.text) for doc in fake_split(load_corpus(mini_corpus).documents).values() for s in doc)
    assert sorted((s.doc_id, s.text) for s in merged.sentences) == expected
    reopened, report = _open(mini_corpus, index_dir, merge="off")
    assert not report.changed and sorted((s.doc_id, s.text) for s in reopened.sentences) == expected
    deleted = [entry["deleted"] for entry in reopened.manifest["segments"]]
    assert deleted[0] == ["cats", "fish"], "deleted during the merge: tombstoned in the merged segment"


def test_a_reload_reuses_the_open_segments(mini_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index, _ = _open(mini_corpus, tmp_path / "idx")
    (mini_corpus / "fish.txt").write_text("Fish swim.")
    read = []
    monkeypatch.setattr("rag.index.SentenceTable.read", lambda path: read.append(path) or SentenceTable.read(path))
    updated, report = _open(mini_corpus, tmp_path / "idx", current=index)
    assert report.embedded == ["fish"] and read == [] and updated.segments[0].table is index.segments[0].table
