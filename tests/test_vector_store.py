"""The vector store seam: FAISS and Milvus (Lite, embedded) give the same rows, both update only the
documents that changed, and a switch of store moves the vectors without embedding them again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import FakeEmbedder, fake_split
from rag.corpus import load_corpus
from rag.index import open_index
from rag.settings import Settings
from rag.types import VectorStore
from rag.vector_store import FaissStore, StoreSpec, parse_store


def _open(corpus: Path, index: Path, store: str = "faiss", embedder: FakeEmbedder | None = None, **kw):
    return open_index(load_corpus(corpus), embedder or FakeEmbedder(), index, fake_split, model_sha256="abc",
                      splitter="fake", store=store, **kw)


def _ranking(index, text: str, k: int = 5) -> list[tuple[str, str]]:
    return [(index.sentences[r].doc_id, index.sentences[r].text)
            for r, _ in index.search(FakeEmbedder().embed([text])[0], k)]


def _assert_same_ranking(a, b, text: str, k: int = 5) -> None:
    """The same scores rank by rank and the same sentences at each score (the fake embedder makes
    ties, which two engines may order differently); the lowest score may be cut at ``k`` differently."""
    query = FakeEmbedder().embed([text])[0]
    found = [[(round(score, 5), a_or_b.sentences[r].text) for r, score in a_or_b.search(query, k)] for a_or_b in (a, b)]
    assert [s for s, _ in found[0]] == [s for s, _ in found[1]], text
    last = found[0][-1][0] if found[0] else None
    assert sorted(x for x in found[0] if x[0] != last) == sorted(x for x in found[1] if x[0] != last), text


def test_store_spec_is_parsed_and_bad_ones_are_named(tmp_path: Path) -> None:
    assert parse_store("faiss") == StoreSpec("faiss")
    lite = parse_store(f"milvus:{tmp_path / 'v.db'}")
    assert lite == StoreSpec("milvus", str(tmp_path / "v.db"), "rag_sentences")
    assert parse_store("milvus:http://host:19530#news") == StoreSpec("milvus", "http://host:19530", "news")
    for bad in ("milvus:", "milvus:vectors", "qdrant:x", "milvus:http://h:1#bad-name"):
        with pytest.raises(ValueError, match="store must be|Lite store is a .db|collection name"):
            parse_store(bad)
    with pytest.raises(ValueError, match="Settings.store"):
        Settings(store="qdrant")


def test_faiss_store_maps_positions_to_keys() -> None:
    from rag.index import make_faiss_index

    vectors = np.eye(4, dtype=np.float32)
    store = FaissStore(make_faiss_index(vectors), np.array([3, 5, 8, 9]), "flat")
    assert isinstance(store, VectorStore)
    assert store.search(vectors[2], 1) == [(8, 1.0)]
    np.testing.assert_array_equal(store.vectors([9, 3]), vectors[[3, 0]])
    with pytest.raises(KeyError):
        store.vectors([4])


# --- Milvus Lite ------------------------------------------------------------------------------

@pytest.fixture
def milvus(tmp_path: Path) -> str:
    """A Milvus Lite store spec in a temporary folder (skipped without pymilvus / milvus-lite)."""
    pytest.importorskip("pymilvus", reason="pymilvus is not installed (pip install -r requirements-scale.txt)")
    pytest.importorskip("milvus_lite", reason="milvus-lite is not installed (pip install -r requirements-scale.txt)")
    return f"milvus:{tmp_path / 'milvus' / 'vectors.db'}"


def test_milvus_lite_returns_what_faiss_returns(mini_corpus: Path, tmp_path: Path, milvus: str) -> None:
    faiss_index, _ = _open(mini_corpus, tmp_path / "f")
    milvus_index, report = _open(mini_corpus, tmp_path / "m", milvus)
    assert report.rebuilt_because == "no index yet" and milvus_index.faiss is None
    assert isinstance(milvus_index.store, VectorStore) and milvus_index.manifest["store"]["kind"] == "milvus"
    for question in ("Where does Rex live?", "Tom liked fish", "Parrots can talk"):
        _assert_same_ranking(milvus_index, faiss_index, question)
    rows = [0, 3, 7]
    np.testing.assert_allclose(milvus_index.vectors_at(rows), faiss_index.vectors_at(rows), atol=1e-6)


def test_milvus_lite_updates_only_changed_documents(mini_corpus: Path, tmp_path: Path, milvus: str) -> None:
    index_dir = tmp_path / "m"
    _open(mini_corpus, index_dir, milvus)
    again = FakeEmbedder()
    index, report = _open(mini_corpus, index_dir, milvus, again)
    assert not report.changed and not again.embedded, "reopened, nothing embedded"
    collection = index.manifest["store"]["name"]

    (mini_corpus / "dogs.txt").write_text("Dogs bark. Rex moved to Munich.")     # changed
    (mini_corpus / "birds.md").unlink()                                          # removed
    (mini_corpus / "fish.txt").write_text("Fish swim.")                         # added
    embedder = FakeEmbedder()
    index, report = _open(mini_corpus, index_dir, milvus, embedder)
    assert sorted(report.embedded) == ["dogs", "fish"] and report.removed == ["birds"]
    assert sorted(embedder.embedded) == ["dogs. Dogs bark.", "dogs. Rex moved to Munich.", "fish. Fish swim."]
    assert index.manifest["store"]["name"] == collection, "updated in place, not copied to a new collection"
    texts = [s.text for s in index.sentences]
    assert "Rex moved to Munich." in texts and not any("Parrot" in t for t in texts) and len(texts) == 6
    # the retired vectors are gone from Milvus: every search hit is a sentence of the table
    assert index.store.client.query(collection, filter="", output_fields=["count(*)"])[0]["count(*)"] == 6
    assert _ranking(index, "Rex moved to Munich", 1) == [("dogs", "Rex moved to Munich.")]
    assert _ranking(index, "Tom liked fish", 1) == [("cats", "Tom liked fish.")]
    assert _ranking(index, "Parrots can talk", 6)[0][0] != "birds"


def test_vectors_of_an_unfinished_build_are_never_served(mini_corpus: Path, tmp_path: Path, milvus: str) -> None:
    """A build killed after upserting its vectors but before its commit leaves keys the table does not
    hold: searches skip them and the next build deletes them."""
    index_dir = tmp_path / "m"
    index, _ = _open(mini_corpus, index_dir, milvus)
    collection, ghost = index.manifest["store"]["name"], FakeEmbedder().embed(["Rex lives in Berlin."])[0]
    index.store.client.upsert(collection, [{"key": 1000 + i, "vector": ghost.tolist()} for i in range(10)])
    reopened, report = _open(mini_corpus, index_dir, milvus)
    assert not report.changed
    hits = reopened.search(ghost, 3)
    assert len(hits) == 3 and reopened.sentences[hits[0][0]].text == "Rex lives in Berlin."
    (mini_corpus / "fish.txt").write_text("Fish swim.")
    index, _ = _open(mini_corpus, index_dir, milvus)
    assert index.store.client.query(collection, filter="", output_fields=["count(*)"])[0]["count(*)"] == 9


def test_switching_store_moves_vectors_without_embedding(mini_corpus: Path, tmp_path: Path, milvus: str) -> None:
    index_dir = tmp_path / "idx"
    faiss_index, _ = _open(mini_corpus, index_dir)
    embedder = FakeEmbedder()
    moved, report = _open(mini_corpus, index_dir, milvus, embedder)
    assert not embedder.embedded and not report.rebuilt_because
    assert moved.manifest["store"]["kind"] == "milvus" and not list(index_dir.glob("index-*.faiss"))
    _assert_same_ranking(moved, faiss_index, "Where does Rex live?")
    back, _ = _open(mini_corpus, index_dir, "faiss", embedder)
    assert not embedder.embedded and back.faiss.ntotal == 8


def test_milvus_store_answers_through_the_assistant(mini_corpus: Path, tmp_path: Path, milvus: str) -> None:
    """The same answers and citations as with FAISS, and an upload is searchable at once."""
    from conftest import SentenceReader
    from rag.assistant import Assistant

    def load(store: str, folder: str) -> Assistant:
        settings = Settings(corpus=mini_corpus, index=tmp_path / folder, store=store, abstain_below=0.0,
                            show_progress=False)
        return Assistant.load(settings=settings, embedder=FakeEmbedder(), splitter=_Splitter(),
                              reader=SentenceReader())

    with_faiss, with_milvus = load("faiss", "f"), load(milvus, "m")
    for question in ("Does Rex live in Berlin?", "What did Tom like?", "How old is Polly?"):
        expected, answer = with_faiss.ask(question), with_milvus.ask(question)
        assert (answer.text, [c.sentence for c in answer.citations]) == (
            expected.text, [c.sentence for c in expected.citations]), question
    with_milvus.add_file("zebras.txt", b"Zebras have stripes. The zebra Zed lives in Kenya.")
    assert with_milvus.ask("Where does the zebra Zed live in Kenya?").citations[0].doc_id == "zebras"


class _Splitter:
    name = "fake"

    def split(self, documents):
        return fake_split(documents)
