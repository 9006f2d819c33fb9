"""Corpus loading: folders and JSON Lines, HTML stripping, and bad files skipped with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.corpus import html_to_text, load_corpus
from rag.errors import CorpusError


def test_folder_loads_txt_md_html_with_titles(mini_corpus: Path) -> None:
    (mini_corpus / "page.html").write_text("<html><head><title>A Page</title><script>x=1</script></head>"
                                           "<body><p>First para.</p><p>Second &amp; last.</p></body></html>")
    corpus = load_corpus(mini_corpus)
    docs = corpus.by_id()
    assert set(docs) == {"cats", "dogs", "birds", "page"}
    assert docs["birds"].title == "Birds"
    assert docs["page"].title == "A Page"
    assert docs["page"].text == "First para.\nSecond & last."
    assert corpus.skipped == []


def test_shipped_corpus_titles_and_outlets() -> None:
    corpus = load_corpus(Path(__file__).resolve().parent.parent / "corpus")
    outlets = {d.doc_id: d.outlet for d in corpus.documents}
    assert len(corpus.documents) == 3
    assert outlets == {"000_35cb16b9355ba512": "", "001_a73b8f6d096a124e": "Newshub",
                       "002_943de78afd3db06c": "Whanganui Chronicle"}
    assert all(d.title and d.title != d.doc_id for d in corpus.documents)


@pytest.mark.parametrize("name, data, reason", [
    ("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "not UTF-8"),
    ("empty.txt", b"  \n ", "empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
])
def test_unreadable_file_is_skipped_with_its_name(mini_corpus: Path, name: str, data: bytes, reason: str) -> None:
    (mini_corpus / name).write_bytes(data)
    corpus = load_corpus(mini_corpus)
    assert len(corpus.documents) == 3, "the rest of the corpus still loads"
    [skipped] = corpus.skipped
    assert name in skipped.source and reason in skipped.reason


def test_duplicate_documents_are_loaded_once(mini_corpus: Path) -> None:
    (mini_corpus / "cats_copy.txt").write_text((mini_corpus / "cats.txt").read_text())
    corpus = load_corpus(mini_corpus)
    assert [d.doc_id for d in corpus.documents].count("cats") == 1
    assert "cats_copy" not in corpus.by_id()
    assert "same text" in corpus.skipped[0].reason


def test_jsonl_corpus_with_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    rows = [json.dumps({"doc_id": "a", "title": "A", "text": "Alpha text."}), "{not json",
            json.dumps({"doc_id": "b", "title": "B", "text": ""})]
    path.write_text("\n".join(rows) + "\n")
    corpus = load_corpus(path)
    assert [d.doc_id for d in corpus.documents] == ["a"]
    assert [s.source for s in corpus.skipped] == [f"{path}:2", f"{path}:3"]


def test_missing_or_unreadable_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "only.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorpusError, match="no readable documents"):
        load_corpus(tmp_path)


def test_html_to_text_drops_scripts_and_keeps_blocks() -> None:
    title, text = html_to_text("<title>T</title><div>one <b>two</b></div><style>p{}</style><li>three</li>")
    assert title == "T" and text == "one two\nthree"
