"""The persisted index: FAISS against a numpy oracle, reuse, incremental updates, and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FakeEmbedder, fake_split
from rag.corpus import load_corpus
from rag.index import MANIFEST, dense_search, make_faiss_index, manifest_files, merge_segments, open_index


def _open(corpus_dir: Path, index_dir: Path, embedder: FakeEmbedder, **kw):
    return open_index(load_corpus(corpus_dir), embedder, index_dir, fake_split, model_sha256="abc",
                      splitter="fake", **kw)


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_faiss_search_matches_numpy_brute_force(kind: str) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.normal(size=(20, 32)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    scores, ids = dense_search(make_faiss_index(vectors, kind), queries, 10)
    oracle = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    if kind == "flat":
        assert (ids == oracle).all()
        np.testing.assert_allclose(scores, np.take_along_axis(queries @ vectors.T, oracle, 1), rtol=1e-5)
    else:   # approximate: recall@10 against exact
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, oracle)])
        assert recall >= 0.95


def test_search_with_fewer_rows_than_k() -> None:
    vectors = np.eye(3, dtype=np.float32)
    scores, ids = dense_search(make_faiss_index(vectors), vectors[:1], 10)
    assert ids.shape == (1, 3) and ids[0, 0] == 0


def test_index_is_reused_then_updated_incrementally(mini_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    embedder = FakeEmbedder()
    index, report = _open(mini_corpus, index_dir, embedder)
    assert report.rebuilt_because == "no index yet" and len(index) == 8
    first = len(embedder.embedded)

    index, report = _open(mini_corpus, index_dir, embedder)
    assert not report.changed and len(embedder.embedded) == first, "nothing re-embedded on reuse"

    (mini_corpus / "dogs.txt").write_text("Dogs bark. Rex moved to Munich.")     # changed
    (mini_corpus / "birds.md").unlink()                                          # removed
    (mini_corpus / "fish.txt").write_text("Fish swim.")                         # added
    embedder.embedded.clear()
    index, report = _open(mini_corpus, index_dir, embedder)
    assert sorted(report.embedded) == ["dogs", "fish"] and report.removed == ["birds"]
    # each sentence is embedded with its document title (rag.index.embedding_text)
    assert sorted(embedder.embedded) == ["dogs. Dogs bark.", "dogs. Rex moved to Munich.", "fish. Fish swim."]
    texts = [s.text for s in index.sentences]
    assert "Rex moved to Munich." in texts and not any("Parrot" in t for t in texts)
    # the reused rows still find their own sentences
    row = texts.index("Tom liked fish.")
    assert index.search(FakeEmbedder().embed(["Tom liked fish."])[0], 1)[0][0] == row
    # only the current generation's files are left
    assert len(list(index_dir.glob("index-*.faiss"))) == 1


def test_model_change_forces_rebuild(mini_corpus: Path, tmp_path: Path) -> None:
    _open(mini_corpus, tmp_path, FakeEmbedder())
    other = FakeEmbedder()
    other.name = "another-model"
    _, report = _open(mini_corpus, tmp_path, other)
    assert "model changed" in report.rebuilt_because and len(other.embedded) == 8


@pytest.mark.parametrize("damage", ["truncate_faiss", "garbage_manifest", "edit_sentences", "delete_faiss"])
def test_broken_index_is_detected_and_rebuilt(mini_corpus: Path, tmp_path: Path, damage: str) -> None:
    index, _ = _open(mini_corpus, tmp_path, FakeEmbedder())
    files = index.manifest["segments"][0]["files"]
    if damage == "truncate_faiss":
        path = tmp_path / files["faiss"]
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "garbage_manifest":
        (tmp_path / MANIFEST).write_text("{ not json")
    elif damage == "edit_sentences":
        path = tmp_path / files["sentences"]
        path.write_bytes(path.read_bytes().replace(b"Tom", b"Tim"))
    else:
        (tmp_path / files["faiss"]).unlink()
    embedder = FakeEmbedder()
    index, report = _open(mini_corpus, tmp_path, embedder)
    assert report.rebuilt_because, "a broken index is never served"
    assert len(embedder.embedded) == 8 and "Tom liked fish." in [s.text for s in index.sentences]
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["counts"] == {"documents": 3, "sentences": 8}


def test_manifest_records_model_documents_and_checksums(mini_corpus: Path, tmp_path: Path) -> None:
    _open(mini_corpus, tmp_path, FakeEmbedder())
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["model"] == {"name": "fake-bow", "sha256": "abc", "dim": 64}
    assert set(manifest["documents"]) == {"cats", "dogs", "birds"}
    assert all(len(v["sha256"]) == 64 for v in manifest["documents"].values())
    assert set(manifest["checksums"]) == set(manifest_files(manifest))


def test_checksums_are_xxh3_and_an_older_index_with_sha256_still_opens(mini_corpus: Path, tmp_path: Path) -> None:
    """Data files are checked with xxh3_128 (fast enough for a 1 GB index at every reopen); an index
    written with sha256 sums opens without re-embedding, and a wrong sha256 is still caught."""
    import hashlib

    _open(mini_corpus, tmp_path, FakeEmbedder())
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert all(v.startswith("xxh3_128:") and len(v) == 9 + 32 for v in manifest["checksums"].values())
    older = {**manifest, "checksums": {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
                                       for name in manifest["checksums"]}}
    (tmp_path / MANIFEST).write_text(json.dumps(older))
    embedder = FakeEmbedder()
    index, report = _open(mini_corpus, tmp_path, embedder)
    assert not embedder.embedded and not report.rebuilt_because and len(index) == 8
    name = next(iter(older["checksums"]))
    older["checksums"][name] = "0" * 64
    (tmp_path / MANIFEST).write_text(json.dumps(older))
    index, report = _open(mini_corpus, tmp_path, FakeEmbedder())
    assert "checksum" in report.rebuilt_because and len(index) == 8


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_new_documents_go_to_a_new_segment_and_no_old_file_is_rewritten(mini_corpus: Path, tmp_path: Path,
                                                                         kind: str) -> None:
    index_dir = tmp_path / "idx"
    _open(mini_corpus, index_dir, FakeEmbedder(), kind=kind)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in index_dir.iterdir()
              if p.name != MANIFEST and not p.name.startswith(".")}
    (mini_corpus / "ants.txt").write_text("Ants carry leaves. The ant Adam lives in Rome.")   # sorts first
    embedder = FakeEmbedder()
    index, report = _open(mini_corpus, index_dir, embedder, kind=kind)
    assert report.embedded == ["ants"] and not report.removed and not report.rebuilt_because
    assert embedder.embedded == ["ants. Ants carry leaves.", "ants. The ant Adam lives in Rome."]
    assert len(index) == 10 and len(index.segments) == 2 and index.manifest["index_kind"] == kind
    for name, (inode, mtime, data) in before.items():   # the first segment's files are untouched
        path = index_dir / name
        assert (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()) == (inode, mtime, data), name
    # the new rows come after the old ones and are found by their own vectors
    assert [s.doc_id for s in index.sentences[8:]] == ["ants", "ants"]
    assert index.search(FakeEmbedder().embed(["ants. The ant Adam lives in Rome."])[0], 1)[0][0] == 9
    assert index.doc_sentences("ants")[1].text == "The ant Adam lives in Rome."

    # reopening serves the two segments as they are: nothing embedded, nothing rebuilt
    again = FakeEmbedder()
    reopened, report = _open(mini_corpus, index_dir, again, kind=kind)
    assert not report.changed and not again.embedded
    assert [s.text for s in reopened.sentences] == [s.text for s in index.sentences]
    assert len(list(index_dir.glob("index-*.faiss"))) == 2 and len(list(index_dir.glob("sentences-*"))) == 2


def test_auto_kind_is_chosen_per_segment_and_again_by_a_merge(mini_corpus: Path, tmp_path: Path) -> None:
    index, _ = _open(mini_corpus, tmp_path / "a", FakeEmbedder(), kind="auto", approximate_above=9)
    assert index.manifest["index_kind"] == "flat"      # 8 rows
    (mini_corpus / "fish.txt").write_text("Fish swim.")
    index, report = _open(mini_corpus, tmp_path / "a", FakeEmbedder(), kind="auto", approximate_above=9)
    assert report.embedded == ["fish"] and [seg.entry["kind"] for seg in index.segments] == ["flat", "flat"]
    merged = merge_segments(tmp_path / "a", full=True)
    assert merged is not None and len(merged.segments) == 1 and len(merged) == 9
    assert merged.manifest["index_kind"] == "hnsw" and merged.faiss.ntotal == 9
