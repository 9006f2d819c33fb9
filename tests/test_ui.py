"""Rendering and chat steps of the web UI, with hand-made answers and a fake assistant (no models)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pytest

from rag import ui
from rag.conversations import ConversationStore, new_owner_id
from rag.errors import QuestionError, UploadError
from rag.settings import Settings
from rag.types import Alternative, Answer, Citation, Document, Sentence, Skipped

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

    def replace_file(self, doc_id: str, name: str, data: bytes) -> Document:
        if not name.endswith(".txt"):
            raise UploadError(f"{name} is not a .txt file")
        old = next(d for d in self.documents if d.doc_id == doc_id)
        new = Document(doc_id, old.title, data.decode("utf-8"), outlet=old.outlet)
        self.documents[self.documents.index(old)] = new
        return new

    def remove_document(self, doc_id: str) -> Document:
        doc = next(d for d in self.documents if d.doc_id == doc_id)
        self.documents.remove(doc)
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


def test_a_yes_no_verdict_leads_the_clause_that_decides_it() -> None:
    html = ui.render_reply(answered(kind="no", message="No: 38"), turn=0)      # (the clause is "38" here)
    assert '<p class="rag-answer"><strong>No</strong>: 38</p>' in html and "<mark>38</mark>" in html


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
    path = tmp_path / "setup.exe"
    path.write_bytes(b"MZ")
    fake = FakeAssistant()
    step = ui.ChatUI(fake).upload(str(path))
    assert "rag-error" in step.status and "Not added: setup.exe: only .txt" in step.status
    assert step.selected is None and len(fake.documents) == 1
    assert "Choose a file to add (.txt, .md, .html, .htm, .pdf, .docx)" in ui.ChatUI(fake).upload(None).status


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


# --- uncertainty, how the question was read, sources that open --------------------------------

OTHER = Document("other", "Other paper", "Dr Sharma is 39 years old, the paper says.", outlet="Post")


def unsure_answer(**kw: object) -> Answer:
    alt_sentence = sentences_of(OTHER)[0]
    alternative = Alternative("39", cite(alt_sentence, "39", doc=OTHER), 0.3)
    return answered(confidence=0.42, uncertain=True, alternatives=[alternative], **kw)


@pytest.mark.parametrize("confidence, uncertain, words, warned", [
    (0.95, False, "sure", False), (0.5, False, "likely", False), (0.35, False, "unsure", True),
    (0.9, True, "unsure", True)])
def test_confidence_in_words_number_on_hover_and_may_be_wrong(confidence: float, uncertain: bool, words: str,
                                                              warned: bool) -> None:
    reply = ui.render_reply(answered(confidence=confidence, uncertain=uncertain), 0)
    assert f'title="confidence {confidence:.0%}">{words}</span>' in reply
    assert ("May be wrong" in reply) == warned and ("rag-unsure" in reply) == warned
    assert f"{confidence:.0%}" not in reply.replace(f'title="confidence {confidence:.0%}"', ""), "number only on hover"


def test_an_answer_that_may_be_wrong_offers_the_next_best_with_its_source() -> None:
    reply = ui.render_reply(unsure_answer(), 3)
    assert reply.index("May be wrong") < reply.index('<p class="rag-answer">')
    alternative = reply[reply.index("rag-alternative"):]
    assert "Another possible answer: <strong>39</strong>" in alternative
    assert "“Dr Sharma is <mark>39</mark> years old, the paper says.”" in alternative
    assert 'href="#alt-3-1"' in alternative and "— Other paper" in alternative
    sure = ui.render_reply(answered(confidence=0.9, alternatives=unsure_answer().alternatives), 3)
    assert "rag-alternative" not in sure, "a sure answer is not second-guessed"


def test_a_resolved_follow_up_shows_how_it_was_read_in_one_line() -> None:
    follow = answered(question="What leave was she on?", resolved_question="What leave was Steph Lewis on?")
    reply = ui.render_reply(follow, 1)
    assert reply.count("Read as:") == 1 and '<p class="rag-read-as">Read as: What leave was Steph Lewis on?</p>' in reply
    assert "Read as" not in ui.render_reply(answered(resolved_question="How old is Dr Sharma?"), 0)
    assert "Read as" not in ui.render_reply(answered(resolved_question=""), 0)


def test_every_source_card_links_to_the_viewer() -> None:
    panel = ui.render_sources(answered(), 2, {"sharma": DOC}, lambda _: SENTS, active="src-2-1")
    assert 'class="rag-open" href="#src-2-1"' in panel and "rag-source rag-active" in panel
    refused = Answer(question="q", text="", abstained=True, confidence=0.1,
                     related=[cite(SENTS[2], kind="related")], message="no")
    assert 'href="#rel-0-1"' in ui.render_sources(refused, 0, {"sharma": DOC}, lambda _: SENTS)


def test_opening_a_source_of_an_old_answer_shows_its_turn_and_the_document_at_the_sentence() -> None:
    fake = FakeAssistant(documents=[DOC, OTHER], replies={"second": answered(citations=[cite(SENTS[2], "Hamilton")]),
                                                            "first": unsure_answer()})
    chat = ui.ChatUI(fake)
    history = chat.ask("second", chat.ask("first", []).history).history
    step = chat.open_source(history, "src-0-1")   # the older answer: one click opens it
    assert "For: “How old is Dr Sharma?”" in step.sources and 'rag-source rag-active" id="src-0-1"' in step.sources
    text = re.search(r'<div class="rag-viewer-text rag-doc">(.*)</div></article>', step.viewer).group(1)
    assert text.count("<p>") == 2, "the whole document, one paragraph per line"
    assert '<span class="rag-cited"><mark>38</mark></span>' in text and "He lives in Hamilton." in text
    assert "Sharma profile" in step.viewer and "source 1 of answer 1" in step.viewer
    alt = chat.open_source(history, "alt-0-1")
    assert "Other paper" in alt.viewer and "<mark>39</mark>" in alt.viewer
    for bad in ("src-9-1", "src-0-7", "close", "nonsense", ""):
        assert "rag-cited" not in chat.open_source(history, bad).viewer


def test_viewer_finds_the_sentence_in_a_replaced_document_or_says_it_is_gone() -> None:
    citation = cite(SENTS[2], "Hamilton")
    moved = Document("sharma", DOC.title, "A new first line.\n" + TEXT)
    html = ui.render_document(moved, citation)
    assert "replaced since this answer" in html and '<span class="rag-cited"><mark>Hamilton</mark></span>' in html
    gone = Document("sharma", DOC.title, "Entirely new text.")
    assert "no longer in the document" in ui.render_document(gone, citation)
    assert "has been removed" in ui.render_document(None, citation)


def test_the_page_script_handles_every_reference_the_html_uses() -> None:
    pattern = re.search(r"/\^\(\((.*?)\)-", ui.OPEN_JS)
    assert pattern is not None and set(pattern.group(1).split("|")) == {"src", "alt", "rel"}
    assert "a.rag-marker" in ui.OPEN_JS and "a.rag-open" in ui.OPEN_JS and "stopPropagation" in ui.OPEN_JS


# --- rough edges ------------------------------------------------------------------------------

def test_a_blank_question_gets_no_empty_bubble() -> None:
    chat = ui.ChatUI(FakeAssistant())
    first = chat.ask("How old is Dr Sharma?", [])
    for blank in ("", "   ", "\u200b\n"):
        step = chat.ask(blank, first.history)
        assert [m["role"] for m in step.messages] == ["user", "assistant", "assistant"]
        assert "the question is empty" in step.messages[-1]["content"] and step.draft == ""


def test_a_refused_question_stays_in_the_box_for_editing() -> None:
    long = "Why " * 300
    fake = FakeAssistant(fail=QuestionError("the question is 1,200 characters long; the limit is 1,000"))
    step = ui.ChatUI(fake).ask(long, [])
    assert step.draft == long and "the limit is 1,000" in step.messages[-1]["content"]
    assert ui.ChatUI(FakeAssistant()).ask("How old?", []).draft == ""


def test_settings_are_in_plain_words() -> None:
    assert "top_k" not in ui.TOP_K_LABEL + ui.TOP_K_INFO + ui.READER_LABEL + ui.READER_INFO
    assert ui.TOP_K_LABEL == "Passages to read" and "trained" in ui.READER_INFO


# --- documents managed ------------------------------------------------------------------------

def test_replace_and_remove_a_document_from_the_documents_tab(tmp_path: Path) -> None:
    fake = FakeAssistant(documents=[DOC, OTHER])
    chat = ui.ChatUI(fake)
    chat.ask("warm", [], 3, "baseline")
    new = tmp_path / "sharma_v2.txt"
    new.write_text("Dr Sharma is 40 years old. He moved to Wellington.", encoding="utf-8")
    step = chat.replace("sharma", str(new))
    assert "rag-ok" in step.status and "Replaced “Sharma profile” with sharma_v2.txt (2 sentences)" in step.status
    assert step.selected == "sharma" and "Wellington" in chat.show_document("sharma") and chat._variants == {}
    bad = tmp_path / "v3.pdf"
    bad.write_bytes(b"%PDF")
    assert "Not replaced: v3.pdf is not a .txt file" in chat.replace("sharma", str(bad)).status
    assert "Choose the document to replace" in chat.replace(None, str(new)).status
    removed = chat.remove("other")
    assert "Removed “Other paper”" in removed.status and [c[1] for c in removed.choices] == ["sharma"]
    assert "Other paper" not in removed.documents and "Choose the document to remove" in chat.remove(None).status


def test_documents_table_scrolls_inside_its_box_and_hides_ids_on_phones() -> None:
    table = ui.ChatUI(FakeAssistant()).documents_table()
    assert '<div class="rag-docs-wrap"><table class="rag-docs">' in table and 'class="rag-id"' in table
    assert ".rag-docs-wrap { max-width: 100%; overflow-x: auto; }" in ui.CSS and ".rag-docs .rag-id { display: none; }" in ui.CSS


# --- conversations ----------------------------------------------------------------------------

def test_turns_are_stored_before_they_are_shown_and_reopen_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    owner = new_owner_id()
    chat = ui.ChatUI(FakeAssistant(), ConversationStore(path))
    session = ui.Session(owner=owner)
    first = chat.ask("How old is Dr Sharma?", [], session=session)
    assert first.session.conversation, "the first answer starts a conversation"
    second = chat.ask("Where does he live?", first.history, session=first.session)
    assert second.session == first.session
    failed = chat.ask("", second.history, session=second.session)
    restarted = ui.ChatUI(FakeAssistant(), ConversationStore(path))   # a new server on the same file
    step = restarted.start(owner)
    assert step.chat.session == second.session and [q for q, _ in step.chat.history] == [
        "How old is Dr Sharma?", "Where does he live?"], "a failed question is not stored"
    assert step.chat.messages == second.messages and step.choices == [("How old is Dr Sharma?", first.session.conversation)]
    assert len(failed.messages) == 5


def test_conversations_list_reopen_rename_delete_and_stay_with_their_browser(tmp_path: Path) -> None:
    chat = ui.ChatUI(FakeAssistant(), ConversationStore(tmp_path / "c.sqlite3"))
    alice, bob = ui.Session(owner=new_owner_id()), ui.Session(owner=new_owner_id())
    one = chat.ask("first question", [], session=alice)
    two = chat.ask("second question", [], session=chat.clear(one.session).session)
    assert one.session.conversation != two.session.conversation
    assert [t for t, _ in chat.conversation_choices(two.session)] == ["second question", "first question"]
    reopened = chat.open_conversation(two.session, one.session.conversation)
    assert [q for q, _ in reopened.chat.history] == ["first question"]
    renamed = chat.rename_conversation(reopened.chat.session, reopened.chat.history, "  Age  ")
    assert ("Age", one.session.conversation) in renamed.choices and "Renamed" in renamed.status
    assert "cannot be empty" in chat.rename_conversation(reopened.chat.session, [], " ").status
    # another browser sees none of it and cannot open it by id
    assert chat.start(bob.owner).choices == []
    stolen = chat.open_conversation(bob, one.session.conversation)
    assert stolen.chat.history == [] and "not there" in stolen.status
    deleted = chat.delete_conversation(reopened.chat.session, reopened.chat.history)
    assert [t for t, _ in deleted.choices] == ["second question"] and deleted.chat.history == []
    # API clients (no browser id) are answered but nothing is stored
    assert chat.ask("api question", [], session=ui.Session()).session == ui.Session()
