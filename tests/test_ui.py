"""Rendering and chat steps of the web UI, with hand-made answers and a fake assistant (no models)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pytest

from rag import ui
from rag.errors import QuestionError, UploadError
from rag.settings import Settings
from rag.types import Answer, Citation, Document, Sentence, Skipped

TEXT = ("Dr Sharma is 38 years old. He was elected in 2020.\n"
        "He lives in Hamilton. He likes <script>alert(1)</script> tags.")
XSS = "<img src=x onerror=alert(1)>"


def sentences_of(doc: Document) -> list[Sentence]:
    """Sentences at each '. ' or line end: enough for these hand-made documents."""
    out = []
    for match in re.finditer(r"[^.\n]+\.?", doc.text):
        s, e = match.span()
        while doc.text[s].isspace():
            s += 1
        out.append(Sentence(doc.doc_id, len(out), s, e, doc.text[s:e]))
    return out


DOC = Document("sharma", "Sharma profile", TEXT, outlet="Herald")
SENTS = sentences_of(DOC)


def cite(sentence: Sentence, answer: str | None = None, kind: str = "evidence", score: float = 0.9,
         doc: Document = DOC) -> Citation:
    a = doc.text.index(answer, sentence.start) if answer else None
    return Citation(doc.doc_id, doc.title, sentence.text, sentence.start, sentence.end, score,
                    answer_start=a, answer_end=a + len(answer) if answer else None, kind=kind,
                    index=sentence.index)


def answered(text: str = "38", **kw: object) -> Answer:
    base = dict(question="How old is Dr Sharma?", text=text, abstained=False, confidence=0.8,
                citations=[cite(SENTS[0], text)], message=text)
    return Answer(**{**base, **kw})


@dataclass
class FakeAssistant:
    """Answers from a script; records what it was asked; can be told to fail."""

    documents: list[Document] = field(default_factory=lambda: [DOC])
    settings: Settings = field(default_factory=lambda: Settings(reader="baseline", top_k=5))
    skipped: list[Skipped] = field(default_factory=list)
    replies: dict[str, Answer] = field(default_factory=dict)
    fail: Exception | None = None
    asked: list[tuple[str, int, Settings]] = field(default_factory=list)

    def sentences(self, doc_id: str) -> list[Sentence]:
        return next((sentences_of(d) for d in self.documents if d.doc_id == doc_id), [])

    def ask(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Answer:
        self.asked.append((question, len(history), self.settings))
        if self.fail is not None:
            raise self.fail
        if not question.strip():
            raise QuestionError("the question is empty; type a question about the documents")
        return self.replies.get(question, answered())

    def with_settings(self, **changes: object) -> "FakeAssistant":
        return FakeAssistant(self.documents, self.settings.with_(**changes), self.skipped, self.replies,
                             self.fail, self.asked)

    def add_file(self, name: str, data: bytes) -> Document:
        if not name.endswith((".txt", ".md", ".html")):
            raise UploadError(f"{name}: only .txt, .md, .html files can be added")
        doc = Document(Path(name).stem, Path(name).stem, data.decode("utf-8"))
        self.documents.append(doc)
        return doc


def test_esc_turns_markup_into_text() -> None:
    assert ui.esc("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert ui.esc(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert ui.esc('a "b" \'c\' & d\ne') == "a &quot;b&quot; &#x27;c&#x27; &amp; d<br>e"


def test_marked_puts_answer_in_mark_inside_cited_sentence() -> None:
    s = SENTS[0]
    out = ui.marked(TEXT[:60], 0, (s.start, s.end), (13, 15))
    assert out.startswith('<span class="rag-cited">Dr Sharma is </span><span class="rag-cited"><mark>38</mark>')
    assert out.count("<mark>") == 1 and "He was elected" in out.split("</span>")[-1]


def test_marked_uses_document_offsets_and_clips() -> None:
    # the text starts at offset 13 of its document; the answer range runs past its end
    assert ui.marked("38 years", 13, None, (13, 100)) == "<mark>38 years</mark>"
    assert ui.marked("a<b", 5) == "a&lt;b"


def test_reply_quotes_evidence_with_mark_and_marker() -> None:
    html = ui.render_reply(answered(), turn=0)
    assert '<p class="rag-answer"><strong>38</strong></p>' in html
    assert "“Dr Sharma is <mark>38</mark> years old.”" in html
    assert 'href="#src-0-1"' in html and "[1]" in html
    assert "— Sharma profile" in html


def test_reply_without_answer_offsets_has_no_mark() -> None:
    answer = answered(citations=[cite(SENTS[1])])
    assert "<mark>" not in ui.render_reply(answer, turn=0)
    assert ui.answer_range(Citation("d", "t", "abc", 10, 13, 1.0, 9, 12)) is None   # starts before the sentence


def test_reply_escapes_corpus_text_everywhere() -> None:
    evil = Document("evil", f"Title {XSS}", f"Evil is {XSS} here. And <script>alert(1)</script> too.",
                    outlet="<b>Outlet</b>")
    s = sentences_of(evil)
    answer = Answer(question=f"What is {XSS}?", text=XSS, abstained=False, confidence=0.9,
                    citations=[cite(s[0], XSS, doc=evil)], message=XSS)
    html = ui.render_reply(answer, 0) + ui.render_sources(answer, 0, {"evil": evil}, lambda _: s)
    html += "".join(m["content"] for m in ui.to_messages([(answer.question, answer)]))
    html += ui.render_document(evil) + ui.render_documents([evil], {"evil": 2}, [Skipped("x/<i>.txt", XSS)])
    assert "<script" not in html and "<img" not in html and "<b>Outlet" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_abstained_reply_says_so_and_panel_shows_related_not_evidence() -> None:
    related = [cite(SENTS[2], kind="related", score=0.41)]
    answer = Answer(question="What is his favourite food?", text="", abstained=True, confidence=0.1,
                    related=related, message="The documents don't say.")
    reply = ui.render_reply(answer, 0)
    assert "The documents don&#x27;t say." in reply and "<mark>" not in reply and "rag-quote" not in reply
    panel = ui.render_sources(answer, 0, {"sharma": DOC}, lambda _: SENTS)
    assert "Related — not evidence" in panel and "rag-related" in panel and "He lives in Hamilton." in panel
    assert 'id="src-' not in panel   # related sentences are not cited sources


def test_conflict_reply_shows_each_side_with_its_source() -> None:
    other = Document("other", "Other paper", "Dr Sharma is 39 years old.", outlet="Post")
    s2 = sentences_of(other)
    answer = answered(conflict=True, citations=[cite(SENTS[0], "38"), cite(s2[0], "39", doc=other)],
                      message='The sources differ: “Sharma profile” says "38", while Post says "39".')
    reply = ui.render_reply(answer, 2)
    assert "The sources differ" in reply
    assert "Side 1: “38”" in reply and "Side 2: “39”" in reply
    assert reply.index("— Sharma profile") < reply.index("Side 2") < reply.index("— Other paper")
    assert 'href="#src-2-1"' in reply and 'href="#src-2-2"' in reply
    panel = ui.render_sources(answer, 2, {"sharma": DOC, "other": other}, lambda d: SENTS if d == "sharma" else s2)
    assert "disagree" in panel and 'id="src-2-2"' in panel and "Post" in panel


def test_source_card_has_title_outlet_score_and_passage_with_neighbours() -> None:
    card = ui.render_source(cite(SENTS[2], "Hamilton"), 1, 0, DOC, SENTS)
    assert 'id="src-0-1"' in card and "Sharma profile" in card and "Herald" in card and "score 0.900" in card
    passage = re.search(r'<p class="rag-passage">(.*?)</p>', card).group(1)
    # two neighbours each side of sentence 2 (of 4): sentences 0-3, all there
    assert "Dr Sharma is 38" in passage and "tags." in passage
    assert '<span class="rag-cited">He lives in </span><span class="rag-cited"><mark>Hamilton</mark>' in passage


def test_passage_falls_back_to_the_sentence_when_sentences_unknown() -> None:
    assert ui.render_passage(cite(SENTS[0], "38"), DOC, [], 2) == (
        '<span class="rag-cited">Dr Sharma is </span><span class="rag-cited"><mark>38</mark></span>'
        '<span class="rag-cited"> years old.</span>')


def test_ask_keeps_history_and_passes_it_as_follow_up_context() -> None:
    fake = FakeAssistant()
    chat = ui.ChatUI(fake)
    first = chat.ask("How old is Dr Sharma?", [], 5, "baseline")
    second = chat.ask("Where does he live?", first.history, 5, "baseline")
    assert [q for q, _ in second.history] == ["How old is Dr Sharma?", "Where does he live?"]
    assert [n for _, n, _ in fake.asked] == [0, 1]
    assert [m["role"] for m in second.messages] == ["user", "assistant"] * 2
    assert 'id="src-1-1"' in second.sources   # the panel shows the latest turn
    assert 'id="src-0-1"' in chat.sources(second.history, 0)


def test_ask_uses_settings_from_the_ui() -> None:
    fake = FakeAssistant()
    chat = ui.ChatUI(fake)
    chat.ask("q one", [], 3.0, "trained")
    chat.ask("q two", [], None, None)
    assert (fake.asked[0][2].top_k, fake.asked[0][2].reader) == (3, "trained")
    assert (fake.asked[1][2].top_k, fake.asked[1][2].reader) == (5, "baseline")
    bad = chat.ask("q", [], 50, "baseline")
    assert "must be 1 to 10" in bad.messages[-1]["content"] and bad.history == []


def test_rag_error_becomes_a_message_and_history_is_unchanged() -> None:
    chat = ui.ChatUI(FakeAssistant())
    step = chat.ask("   ", [], 5, "baseline")
    assert step.history == []
    assert "the question is empty" in step.messages[-1]["content"] and "rag-error" in step.messages[-1]["content"]
    assert step.sources == ui.EMPTY_SOURCES


def test_unexpected_error_is_logged_and_shown_without_a_trace(caplog: pytest.LogCaptureFixture) -> None:
    chat = ui.ChatUI(FakeAssistant(fail=RuntimeError("secret internals at line 42")))
    with caplog.at_level(logging.ERROR, logger="rag.ui"):
        step = chat.ask("How old?", [], 5, "baseline")
    shown = step.messages[-1]["content"]
    assert ui.GENERIC_ERROR in shown and "secret" not in shown and "Traceback" not in shown
    assert "secret internals" in caplog.text and caplog.records[0].exc_info is not None


def test_clear_empties_chat_and_panel() -> None:
    step = ui.ChatUI(FakeAssistant()).clear()
    assert (step.messages, step.sources, step.history) == ([], ui.EMPTY_SOURCES, [])


def test_upload_adds_document_reports_progress_and_refreshes_lists(tmp_path: Path) -> None:
    path = tmp_path / "zorblax.txt"
    path.write_text("The Zorblax festival is held in Quillfen. It started in 1887.", encoding="utf-8")
    fake = FakeAssistant()
    chat = ui.ChatUI(fake)
    chat.ask("warm", [], 3, "baseline")   # caches a derived assistant that must be dropped
    steps: list[tuple[float, str]] = []
    step = chat.upload(str(path), lambda f, d: steps.append((f, d)))
    assert "rag-ok" in step.status and "zorblax" in step.status and "2 sentences" in step.status
    assert ("zorblax", "zorblax") in step.choices and step.selected == "zorblax"
    assert "zorblax" in step.documents
    assert [f for f, _ in steps] == [0.05, 0.2, 1.0]
    assert chat._variants == {}


def test_rejected_upload_says_why_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "data.pdf"
    path.write_bytes(b"%PDF-1.4")
    fake = FakeAssistant()
    step = ui.ChatUI(fake).upload(str(path))
    assert "rag-error" in step.status and "Not added: data.pdf: only .txt" in step.status
    assert step.selected is None and len(fake.documents) == 1
    assert "Choose a .txt" in ui.ChatUI(fake).upload(None).status


def test_documents_table_lists_title_outlet_and_sentence_count() -> None:
    chat = ui.ChatUI(FakeAssistant(skipped=[Skipped("/c/bad.txt", "bad.txt is not UTF-8 text")]))
    table = chat.documents_table()
    assert "<td>Sharma profile</td><td>Herald</td><td>4</td>" in table
    assert "bad.txt" in table and "not UTF-8" in table
    assert chat.document_choices() == [("Sharma profile (Herald)", "sharma")]
    view = chat.show_document("sharma")
    assert view.count("<p>") == 2 and "&lt;script&gt;" in view
    assert "Choose a document" in chat.show_document(None)


def test_app_wires_the_ui_with_an_ask_endpoint() -> None:
    pytest.importorskip("gradio", reason="gradio is not installed")
    import app

    demo = app.build(ui.ChatUI(FakeAssistant()))
    endpoints = demo.get_api_info()["named_endpoints"]
    assert list(endpoints) == ["/ask"]   # the other events are private
    assert [p["parameter_name"] for p in endpoints["/ask"]["parameters"]] == ["question", "top_k", "reader"]


def test_warm_up_asks_a_question_and_a_follow_up_and_survives_a_rag_error() -> None:
    fake = FakeAssistant()
    assert ui.warm_up(fake) >= 0
    assert [(q, n) for q, n, _ in fake.asked] == [(ui.EXAMPLES[0], 0), ("How did he respond?", 1)]
    ui.warm_up(FakeAssistant(fail=QuestionError("model missing")))   # logged, not raised
