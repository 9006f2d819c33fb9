"""The columnar sentence store and the persisted BM25: what is written is what is read, rows are
built lazily from the mapped file, and a format-1 index is converted without embedding."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FakeEmbedder, fake_split
from rag.bm25 import BM25, Postings, SegmentView, bm25_texts
from rag.corpus import load_corpus
from rag.index import MANIFEST, open_index
from rag.sentence_table import SentenceTable
from rag.types import Sentence

ROWS = [Sentence("a", 0, 0, 9, "Rex barks"), Sentence("a", 1, 10, 24, "He likes Köln."),
        Sentence("b", 0, 0, 11, "Tom 🐈 naps")]


def test_table_round_trip_through_the_mapped_file(tmp_path: Path) -> None:
    path = tmp_path / "t.arrow"
    path.write_bytes(SentenceTable.from_sentences(ROWS, first_key=5).to_bytes())
    table = SentenceTable.read(path)
    assert list(table) == ROWS and table[-1] == ROWS[-1] and table[1:] == ROWS[1:]
    assert table.keys.tolist() == [5, 6, 7] and table.rows_of_keys([7, 5, 9]).tolist() == [2, 0, -1]
    assert table.doc_counts() == {"a": 2, "b": 1} and table.doc_rows() == {"a": range(0, 2), "b": range(2, 3)}
    more = table.concat(SentenceTable.from_sentences([Sentence("c", 0, 0, 2, "Hi")], first_key=8))
    assert [s.doc_id for s in more.take(np.array([0, 3]))] == ["a", "c"]
    with pytest.raises(ValueError, match="keys must grow"):
        more.concat(SentenceTable.from_sentences(ROWS, first_key=0))


def test_reading_a_table_maps_its_columns_without_importing_pandas(tmp_path: Path) -> None:
    """pyarrow's to_numpy imports pandas to check for it: ~0.5-1 s of every cold start, for nothing."""
    import subprocess
    import sys

    path = tmp_path / "t.arrow"
    path.write_bytes(SentenceTable.from_sentences(ROWS, first_key=5).to_bytes())
    code = ("import sys; from rag.sentence_table import SentenceTable; t = SentenceTable.read(sys.argv[1]); "
            "print(t.keys.tolist(), t.doc_codes.tolist(), t.end.tolist(), 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split("\n")[0]
    assert out == "[5, 6, 7] [0, 0, 1] [9, 24, 11] False"


def test_our_tokens_are_bm25s_tokens() -> None:
    """rag.bm25.tokenize writes bm25s.tokenize out (its import costs half a second of a cold start)."""
    import bm25s

    from rag.bm25 import _stemmer, tokenize

    texts = ["How old is Gaurav Sharma?", "The 38-year-old MP's posts, e-mails & Köln's U.S. office; running runs RAN",
             "", "a an the", "Te Tai Hauārau MP Adrian Rurawhe", "x 1 22 ___ 3.5% naïve café CAFÉ", "It's isn't"]
    stemmer = _stemmer()
    theirs = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False, return_ids=False)
    assert tokenize(texts, stemmer) == [list(doc) for doc in theirs]
    assert tokenize([]) == []


def test_a_file_that_is_not_a_sentence_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.arrow"
    path.write_bytes(b"not arrow at all")
    with pytest.raises(ValueError, match="not a readable Arrow file"):
        SentenceTable.read(path)


def test_saved_bm25_postings_score_like_fresh_ones(tmp_path: Path) -> None:
    fresh = BM25(bm25_texts(ROWS), [s.doc_id for s in ROWS])
    names = Postings.build(bm25_texts(ROWS)).save(tmp_path, "bm25-x")
    table = SentenceTable.from_sentences(ROWS)
    loaded = BM25.over([SegmentView(Postings.load(tmp_path, names), None, table.doc_codes, table.doc_names)])
    for question in ("Where does Rex live?", "Who naps?", "Köln"):
        np.testing.assert_array_equal(loaded.scores(question)[0], fresh.scores(question)[0])
        np.testing.assert_allclose(loaded.name_features(question, ROWS), fresh.name_features(question, ROWS))
    assert loaded.names_known("Rex and Tom") == fresh.names_known("Rex and Tom") == 1.0


def test_reopen_serves_the_persisted_bm25_and_converts_format_1(mini_corpus: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def build():
        return open_index(load_corpus(mini_corpus), FakeEmbedder(), tmp_path, fake_split, model_sha256="abc",
                          splitter="fake")

    index, _ = build()
    # a format-1 index: the same sentences as JSON lines, the FAISS file as it is
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    lines = "".join(json.dumps({"doc_id": s.doc_id, "index": s.index, "start": s.start, "end": s.end,
                                "text": s.text}) + "\n" for s in index.sentences).encode()
    import hashlib

    (tmp_path / "sentences-old.jsonl").write_bytes(lines)
    faiss_file = manifest["segments"][0]["files"]["faiss"]
    v1 = {k: v for k, v in manifest.items() if k not in ("store", "bm25", "next_key", "segments", "index_request")}
    v1.update(format_version=1, files={"sentences": "sentences-old.jsonl", "faiss": faiss_file},
              checksums={"sentences-old.jsonl": hashlib.sha256(lines).hexdigest(),
                         faiss_file: manifest["checksums"][faiss_file]})
    (tmp_path / MANIFEST).write_text(json.dumps(v1))
    embedder = FakeEmbedder()
    converted, report = open_index(load_corpus(mini_corpus), embedder, tmp_path, fake_split, model_sha256="abc",
                                   splitter="fake")
    assert not embedder.embedded and not report.changed
    assert converted.manifest["format_version"] == 3 and list(converted.sentences) == list(index.sentences)
    assert not list(tmp_path.glob("*.jsonl"))

    def no_tokenising(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reopen must load BM25, not rebuild it")

    monkeypatch.setattr("bm25s.tokenize", no_tokenising)
    reopened, report = build()
    assert not report.changed and reopened.bm25 is not None and reopened.bm25.size == len(index)
    monkeypatch.undo()   # questions are tokenised, of course
    assert reopened.bm25.search("Rex Berlin", 1)[0][0] == [s.text for s in index.sentences].index("Rex lives in Berlin.")
