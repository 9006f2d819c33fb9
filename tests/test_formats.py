"""Files to text (rag.formats) and the corpus over PDF, Word and saved web pages: the text is the
article's, citations index into it verbatim, and bad files are skipped or refused saying why.

The PDF and .docx files are built by the helpers in conftest.py, not committed as binaries.
"""

from __future__ import annotations

from pathlib import Path
import pytest

from conftest import FakeEmbedder, FakeSplitter, SentenceReader, encrypt_pdf, make_docx, make_pdf
from rag.assistant import Assistant
from rag.corpus import load_corpus
from rag.errors import UploadError
from rag.formats import extract
from rag.settings import Settings

NEWS_PAGE = """<html><head><title>Storm hits Quillfen | Daily Bugle</title></head><body>
<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li><li>Sport</li></ul></nav>
<div class='cookie-banner'>We use cookies to improve your experience. Accept all cookies</div>
<article><h1>Storm hits Quillfen</h1>
<p>A storm hit the coastal town of Quillfen on Tuesday night, knocking out power to 4,000 homes.</p>
<figure><img src='harbour.jpg'><figcaption>The harbour at dawn. Photo: J. Smith</figcaption></figure>
<p>The mayor, Ana Ruiz, said repairs would take until Friday. "We are working around the clock," she said.</p>
<p>Residents were told to stay indoors and to avoid the harbour wall, where waves reached six metres.</p>
</article>
<aside>Most read: Cat elected mayor of Smalltown</aside>
<footer>Copyright 2024 Daily Bugle. Privacy policy. Terms of use.</footer></body></html>"""

PDF_LINES = [["The Quillfen lighthouse was built in 1887 by the", "engineer Tomasz Verrell. Its lamp was first lit",
              "on a stormy night in March."], ["The keeper, Mira Olsen, kept a diary (in Danish)."]]


def test_saved_news_page_keeps_the_article_only() -> None:
    got = extract("storm.html", NEWS_PAGE.encode())
    assert got.title == "Storm hits Quillfen"
    assert "The mayor, Ana Ruiz, said repairs would take until Friday." in got.text
    for boilerplate in ("Home", "cookies", "Photo: J. Smith", "Most read", "Copyright", "Privacy"):
        assert boilerplate not in got.text, boilerplate


def test_a_page_with_no_article_falls_back_to_its_visible_text() -> None:
    got = extract("tiny.html", b"<html><head><title>A Page</title><script>x=1</script></head>"
                               b"<body><p>First para.</p><p>Second &amp; last.</p></body></html>")
    assert (got.title, got.text) == ("A Page", "First para.\nSecond & last.")


def test_pdf_text_is_one_paragraph_per_block_with_its_title() -> None:
    got = extract("lighthouse.pdf", make_pdf(PDF_LINES, title="Lighthouse report"))
    assert got.title == "Lighthouse report"
    assert got.text.split("\n") == [
        "The Quillfen lighthouse was built in 1887 by the engineer Tomasz Verrell. Its lamp was first lit "
        "on a stormy night in March.", "The keeper, Mira Olsen, kept a diary (in Danish)."]


def test_docx_paragraphs_and_tables_in_order() -> None:
    got = extract("memo.docx", make_docx(["Budget memo.", "", "The fund holds 3 million."], title="Memo",
                                         table=[["Year", "Amount"], ["2024", "3m"]]))
    assert got.title == "Memo"
    assert got.text == "Budget memo.\nThe fund holds 3 million.\nYear | Amount\n2024 | 3m"


@pytest.mark.parametrize("name, data, reason", [
    ("locked.pdf", encrypt_pdf(make_pdf(PDF_LINES), "s3cret"), "password-protected PDF"),
    ("scan.pdf", make_pdf([[], []]), "no text layer (scanned pages or images only)"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
    ("truncated.docx", make_docx(["Some text."])[:400], "not a readable Word document"),
    ("empty.docx", make_docx([]), "has no text"),
    ("empty.pdf", b"   ", "is empty"),
    ("setup.exe", b"MZ\x90\x00", "only .txt, .md, .html, .htm, .pdf, .docx"),
])
def test_bad_files_say_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        extract(name, data)


def fake_assistant(corpus: Path, index: Path) -> Assistant:
    """The real pipeline with fake models; RRF, since the fitted fusion weights are for MiniLM's
    cosines, not the fake bag-of-words ones (the real embedder is tested with them elsewhere)."""
    return Assistant.load(settings=Settings(corpus=corpus, index=index, abstain_below=0.0, show_progress=False,
                                            fusion="rrf"),
                          embedder=FakeEmbedder(), splitter=FakeSplitter(), reader=SentenceReader())


def test_pdf_docx_and_web_page_are_cited_verbatim_and_bad_ones_skipped(mini_corpus: Path, tmp_path: Path) -> None:
    (mini_corpus / "lighthouse.pdf").write_bytes(make_pdf(PDF_LINES, title="Lighthouse report"))
    (mini_corpus / "memo.docx").write_bytes(make_docx(["The Zorblax fund holds three million crowns."]))
    (mini_corpus / "storm.html").write_text(NEWS_PAGE, encoding="utf-8")
    (mini_corpus / "scan.pdf").write_bytes(make_pdf([[]]))
    (mini_corpus / "locked.pdf").write_bytes(encrypt_pdf(make_pdf(PDF_LINES), "s3cret"))
    corpus = load_corpus(mini_corpus)
    assert {"lighthouse", "memo", "storm"} <= set(corpus.by_id())
    assert sorted((Path(s.source).name, "password" in s.reason or "no text layer" in s.reason)
                  for s in corpus.skipped) == [("locked.pdf", True), ("scan.pdf", True)]
    assistant = fake_assistant(mini_corpus, tmp_path / "index")
    for question, doc_id, words in [("Who built the Quillfen lighthouse engineer?", "lighthouse", "Tomasz Verrell"),
                                    ("How much does the Zorblax fund hold?", "memo", "three million"),
                                    ("What did the mayor Ana Ruiz say about repairs?", "storm", "until Friday")]:
        answer = assistant.ask(question)
        cited = answer.citations[0]
        assert cited.doc_id == doc_id and words in cited.sentence
        assert assistant.document(doc_id).text[cited.start:cited.end] == cited.sentence
    assert not any("cookies" in s.text for s in assistant.sentences("storm"))


def test_pdf_and_docx_uploads_are_indexed_and_bad_ones_refused(mini_corpus: Path, tmp_path: Path) -> None:
    assistant = fake_assistant(mini_corpus, tmp_path / "index")
    doc = assistant.add_file("lighthouse.pdf", make_pdf(PDF_LINES, title="Lighthouse report"))
    assert doc.title == "Lighthouse report" and assistant.sentences("lighthouse")
    assistant.add_file("memo.docx", make_docx(["The Zorblax fund holds three million crowns."]))
    assert "memo" in {d.doc_id for d in assistant.documents}
    before = sorted(p.name for p in mini_corpus.iterdir())
    for name, data, reason in [("locked.pdf", encrypt_pdf(make_pdf(PDF_LINES), "pw"), "password-protected"),
                               ("scan.pdf", make_pdf([[]]), "no text layer"),
                               ("broken.docx", b"PK\x03\x04 nope", "not a readable Word document")]:
        with pytest.raises(UploadError, match=reason):
            assistant.add_file(name, data)
    assert sorted(p.name for p in mini_corpus.iterdir()) == before, "a refused file is never written"


def test_replace_puts_the_new_version_in_place_and_reindexes(mini_corpus: Path, tmp_path: Path) -> None:
    assistant = fake_assistant(mini_corpus, tmp_path / "index")
    new = "Cats sleep all day. A cat named Tom moved to Lyon. Tom now likes cheese."
    doc = assistant.replace_file("cats", "cats_v2.txt", new.encode())
    assert doc.doc_id == "cats" and (mini_corpus / "cats.txt").read_text() == new
    assert sorted(p.name for p in mini_corpus.iterdir()) == ["birds.md", "cats.txt", "dogs.txt"]
    assert [s.text for s in assistant.sentences("cats")] == ["Cats sleep all day.", "A cat named Tom moved to Lyon.",
                                                             "Tom now likes cheese."]
    assert assistant.report.embedded == ["cats"], "only the replaced document is embedded again"
    answer = assistant.ask("Where did Tom the cat move?")
    assert answer.citations[0].sentence == "A cat named Tom moved to Lyon."

    before = {p.name: p.read_bytes() for p in mini_corpus.iterdir()}
    for doc_id, name, data, reason in [
            ("cats", "cats.pdf", make_pdf(PDF_LINES), "can be replaced only by a .txt file"),
            ("cats", "cats.txt", new.encode(), "nothing to replace"),
            ("cats", "c.txt", (mini_corpus / "dogs.txt").read_bytes(), "same text as document 'dogs'"),
            ("cats", "c.txt", b"\xff\xfe bad", "not UTF-8"),
            ("nope", "c.txt", b"Text.", "no document 'nope'")]:
        with pytest.raises(UploadError, match=reason):
            assistant.replace_file(doc_id, name, data)
    assert {p.name: p.read_bytes() for p in mini_corpus.iterdir()} == before


def test_remove_drops_the_document_from_corpus_and_index(mini_corpus: Path, tmp_path: Path) -> None:
    assistant = fake_assistant(mini_corpus, tmp_path / "index")
    assistant.remove_document("dogs")
    assert not (mini_corpus / "dogs.txt").exists() and "dogs" not in {d.doc_id for d in assistant.documents}
    assert assistant.sentences("dogs") == [] and assistant.report.removed == ["dogs"]
    assert all(c.doc_id != "dogs" for c in assistant.ask("Where does Rex the dog live?").citations)
