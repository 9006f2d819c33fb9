"""The chat in a real browser: Debian's chromium driven by Playwright against a real ``app.py``.

Covers a cited answer with its highlight and marker, a follow-up, a refusal, an upload that can
be asked about at once, and corpus markup shown as text. Screenshots go to each test's tmp_path.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from ui_server import UiServer, ui_server  # noqa: F401  (the fixture, shared with test_gradio_client)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 180_000

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

UPLOAD = ("The Quillfen lighthouse was built in 1887 by the engineer Tomasz Verrell.\n"
          "Its lamp was first lit on a stormy night in March.\n"
          "Visitors once scratched <script>alert(1)</script> and <img src=x onerror=alert(1)> into the door.\n")


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: "sync_api.Browser", ui_server: UiServer) -> Iterator["sync_api.Page"]:
    """A fresh page (so a fresh chat session); any JavaScript dialog fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert dialogs == [], f"a script in the page opened a dialog: {dialogs}"


def open_app(page: "sync_api.Page", url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#question textarea")


def ask(page: "sync_api.Page", question: str) -> "sync_api.Locator":
    """Type a question, press Enter, and return the new reply once it is shown."""
    replies = page.locator("#chat .rag-reply")
    before = replies.count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .rag-reply').length > {before}",
                           timeout=ANSWER_TIMEOUT_MS)
    return replies.last


def shot(page: "sync_api.Page", path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def test_answer_is_quoted_highlighted_and_linked_to_its_source(page: "sync_api.Page", ui_server: UiServer,
                                                               tmp_path: Path) -> None:
    started = time.perf_counter()
    open_app(page, ui_server.url)
    loaded = time.perf_counter()
    assert page.get_by_text("How long did Sharma say he waited in his office?").first.is_visible()   # example on the empty chat
    shot(page, tmp_path / "empty_chat.png")

    reply = ask(page, "How long did Sharma say he waited in his office?")
    answered = time.perf_counter()
    print(f"page load {loaded - started:.2f} s; page load to first answer {answered - started:.2f} s "
          f"(question to answer {answered - loaded:.2f} s)")
    assert "two hours" in reply.locator(".rag-answer").inner_text()
    quote = reply.locator(".rag-quote").first
    assert "two hours" in quote.locator("mark").inner_text()
    assert "waited in his office" in quote.inner_text()

    sources = page.locator("#sources")
    assert "Gaurav Sharma suspended from Labour caucus" in sources.inner_text()
    assert "waited in his office" in sources.locator("#src-0-1 .rag-passage").inner_text()
    assert "two hours" in sources.locator("#src-0-1 .rag-passage mark").inner_text()

    reply.locator("a.rag-marker").first.click()
    page.wait_for_function("document.querySelector(':target') && document.querySelector(':target').id === 'src-0-1'")
    assert page.locator("#src-0-1").is_visible()
    shot(page, tmp_path / "first_answer.png")

    page.click("#clear")
    page.wait_for_function("document.querySelectorAll('#chat .rag-reply').length === 0")
    assert page.get_by_text("How long did Sharma say he waited in his office?").first.is_visible()


def test_follow_up_uses_the_chat_history(page: "sync_api.Page", ui_server: UiServer, tmp_path: Path) -> None:
    open_app(page, ui_server.url)
    ask(page, "Who is Steph Lewis?")
    reply = ask(page, "What leave was she on?")
    assert "maternity" in reply.locator(".rag-answer").inner_text().lower()
    assert "maternity" in reply.locator(".rag-quote mark").first.inner_text().lower()
    shot(page, tmp_path / "follow_up.png")

    assert "What leave was she on?" in page.locator("#sources").inner_text()
    page.locator("#chat .rag-reply").first.click()   # a click on an earlier reply shows its sources
    page.locator("#sources").get_by_text("For: “Who is Steph Lewis?”").wait_for()


def test_unanswerable_question_is_refused_with_related_sentences(page: "sync_api.Page", ui_server: UiServer,
                                                                 tmp_path: Path) -> None:
    open_app(page, ui_server.url)
    reply = ask(page, "What is Gaurav Sharma's favourite food?")
    assert "The documents don't say" in reply.inner_text()
    assert reply.locator("mark").count() == 0
    assert "Related — not evidence" in page.locator("#sources").inner_text()
    shot(page, tmp_path / "refusal.png")


def test_uploaded_document_can_be_asked_about_and_markup_shows_as_text(page: "sync_api.Page", ui_server: UiServer,
                                                                      tmp_path: Path) -> None:
    good = tmp_path / "quillfen_lighthouse.txt"
    good.write_text(UPLOAD, encoding="utf-8")
    binary = tmp_path / "not_text.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    open_app(page, ui_server.url)
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#doc-table table")
    assert "Whanganui Chronicle" in page.locator("#doc-table").inner_text()

    page.set_input_files("#upload input[type=file]", str(binary))
    page.wait_for_selector("#upload-status .rag-error", timeout=ANSWER_TIMEOUT_MS)
    assert "not a text file" in page.locator("#upload-status").inner_text()
    assert not (ui_server.corpus / binary.name).exists()

    page.set_input_files("#upload input[type=file]", str(good))
    page.wait_for_selector("#upload-status .rag-ok", timeout=ANSWER_TIMEOUT_MS)
    assert "3 sentences" in page.locator("#upload-status").inner_text()
    assert "quillfen lighthouse" in page.locator("#doc-table").inner_text()
    viewer = page.locator("#doc-view")
    viewer.get_by_text("Tomasz Verrell").wait_for()
    assert "<script>alert(1)</script>" in viewer.inner_text()
    assert "<img src=x onerror=alert(1)>" in viewer.inner_text()
    shot(page, tmp_path / "documents.png")

    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, "Who built the Quillfen lighthouse?")
    assert "Tomasz Verrell" in reply.locator(".rag-answer").inner_text()
    sources = page.locator("#sources").inner_text()
    assert "quillfen lighthouse" in sources
    assert "<script>alert(1)</script>" in sources   # the neighbouring sentence, as text
    # nothing from the corpus became an element
    assert page.locator("#sources script, #doc-view script, img[src='x']").count() == 0
    shot(page, tmp_path / "uploaded_answer.png")
