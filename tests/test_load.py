"""Load: 8 concurrent gradio_client sessions asking 50 questions each of a real ``app.py`` on
127.0.0.1. Zero errors, every answer identical to the one the same question gets alone, and no
session ever sees another session's chat. Prints the latency figures (docs/RELIABILITY.md)."""

from __future__ import annotations

import json
import math
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ui_server import ROOT, UiServer, ui_server  # noqa: F401  (the fixture, shared with the other UI tests)

pytestmark = [pytest.mark.slow]

gradio_client = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
import httpx  # noqa: E402  (installed with gradio_client)
from gradio_client.exceptions import AppError  # noqa: E402

# what a failed ask can raise: an error event from the app, an HTTP or socket failure, a timeout
ASK_ERRORS = (AppError, httpx.HTTPError, OSError, TimeoutError, ValueError)

CLIENTS = 8
ASKS_PER_CLIENT = 50
DISTINCT = 50            # questions from corpus/questions.jsonl (single-turn ones, in file order)
ASK_TIMEOUT = 120.0      # seconds for one ask, queue wait included: a hung request fails the test


def questions(path: Path = ROOT / "corpus" / "questions.jsonl", limit: int = DISTINCT) -> list[str]:
    """The first ``limit`` single-turn questions of the shipped question set."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["question"] for row in rows if "question" in row][:limit]


def ask_alone(client: "gradio_client.Client", question: str) -> tuple[list[dict], str]:
    """Ask in a new session (no history, so no follow-up resolution): (chat messages, sources panel)."""
    client.reset_session()
    messages, sources, cleared = client.submit(question, api_name="/ask").result(timeout=ASK_TIMEOUT)
    assert cleared == ""
    return messages, sources


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def test_concurrent_sessions_get_the_sequential_answers(ui_server: UiServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert ui_server.url.startswith("http://127.0.0.1:"), "loopback only"
    asked = questions()
    assert len(asked) == DISTINCT
    log_start = len(ui_server.log.read_text(encoding="utf-8", errors="replace"))   # other tests share the server

    # the reference: each question asked alone, one at a time
    reference_client = gradio_client.Client(ui_server.url, verbose=False)
    reference: dict[str, tuple[list[dict], str]] = {}
    alone: list[float] = []
    for question in asked:
        started = time.perf_counter()
        reference[question] = ask_alone(reference_client, question)
        alone.append(time.perf_counter() - started)

    def session(number: int) -> tuple[list[float], list[str]]:
        """One simulated user: ASKS_PER_CLIENT questions, starting at its own offset in the list."""
        client = gradio_client.Client(ui_server.url, verbose=False)
        latencies, problems = [], []
        for i in range(ASKS_PER_CLIENT):
            question = asked[(number * 7 + i) % len(asked)]
            started = time.perf_counter()
            try:
                messages, sources = ask_alone(client, question)
            except ASK_ERRORS as exc:   # counted and reported, so one failure does not hide the figures
                problems.append(f"client {number} ask {i}: {type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            if (messages, sources) != reference[question]:
                problems.append(f"client {number} ask {i}: answer to {question!r} differs from the sequential one")
        return latencies, problems

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(session, range(CLIENTS)))
    wall = time.perf_counter() - started
    latencies = [t for lat, _ in results for t in lat]
    problems = [p for _, probs in results for p in probs]

    with capsys.disabled():
        print(f"\nload: {CLIENTS} clients x {ASKS_PER_CLIENT} asks = {CLIENTS * ASKS_PER_CLIENT} in {wall:.1f} s "
              f"({len(latencies) / wall:.2f} answers/s), {len(problems)} errors or mismatches\n"
              f"  alone (sequential, {len(alone)} asks): median {statistics.median(alone):.3f} s, "
              f"p95 {percentile(alone, 95):.3f} s\n"
              f"  under load: median {statistics.median(latencies):.3f} s, p95 {percentile(latencies, 95):.3f} s, "
              f"max {max(latencies):.3f} s", flush=True)
    assert problems == [], "\n".join(problems[:20])
    assert len(latencies) == CLIENTS * ASKS_PER_CLIENT
    assert "Traceback" not in ui_server.log.read_text(encoding="utf-8", errors="replace")[log_start:]


def test_sessions_keep_their_own_history_under_concurrency(ui_server: UiServer) -> None:
    """Each session holds a two-turn chat while the others ask: a follow-up sees only its own turn."""
    people = ["Steph Lewis", "Kieran McAnulty", "Soraya Peke-Mason", "David Buckingham"]

    def chat(name: str) -> list[dict]:
        client = gradio_client.Client(ui_server.url, verbose=False)
        client.submit(f"Who is {name}?", api_name="/ask").result(timeout=ASK_TIMEOUT)
        messages, _, _ = client.submit("What else is said about them?", api_name="/ask").result(timeout=ASK_TIMEOUT)
        return messages

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        chats = list(pool.map(chat, people))
    for name, messages in zip(people, chats):
        users = [json.dumps(m["content"]) for m in messages if m["role"] == "user"]
        assert len(messages) == 4 and name in users[0], f"{name}'s session holds another chat: {users}"
        assert not any(other in " ".join(users) for other in people if other != name)
