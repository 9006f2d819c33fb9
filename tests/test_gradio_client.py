"""The chat endpoint ``/ask`` through gradio_client, against a real ``app.py`` server."""

from __future__ import annotations

import re

import pytest

from ui_server import UiServer, ui_server  # noqa: F401  (the fixture, shared with test_browser)

pytestmark = [pytest.mark.slow]

gradio_client = pytest.importorskip("gradio_client", reason="gradio_client is not installed")


def short_answer(reply: str) -> str:
    """The short answer of a rendered reply ("" when it has none, e.g. a refusal)."""
    match = re.search(r'<p class="rag-answer"><strong>(.*?)</strong></p>', reply)
    return match.group(1) if match else ""


def reply_text(messages: list[dict]) -> str:
    """The text of the last chat message (content is a list of {"text", "type"} parts in gradio 6)."""
    content = messages[-1]["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def test_ask_endpoint_answers_quotes_and_follows_up(ui_server: UiServer) -> None:
    client = gradio_client.Client(ui_server.url, verbose=False)
    messages, sources, cleared = client.predict("How long did Sharma say he waited in his office?", api_name="/ask")
    reply = reply_text(messages)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "two hours" in short_answer(reply) and "<mark>" in reply and 'href="#src-0-1"' in reply
    assert 'id="src-0-1"' in sources and "waited in his office" in sources
    assert cleared == ""

    # the same client is one session: its history makes this a follow-up
    client.predict("Who is Steph Lewis?", api_name="/ask")
    messages, sources, _ = client.predict("What leave was she on?", api_name="/ask")
    assert len(messages) == 6
    assert "maternity" in short_answer(reply_text(messages)).lower()


def test_ask_endpoint_refuses_and_reports_bad_questions(ui_server: UiServer) -> None:
    client = gradio_client.Client(ui_server.url, verbose=False)
    messages, sources, _ = client.predict("What is Gaurav Sharma's favourite food?", api_name="/ask")
    assert "The documents don&#x27;t say" in reply_text(messages)
    assert "Related — not evidence" in sources

    messages, _, _ = client.predict("   ", 3, "baseline", api_name="/ask")
    reply = reply_text(messages)
    assert "rag-error" in reply and "empty" in reply and "Traceback" not in reply
