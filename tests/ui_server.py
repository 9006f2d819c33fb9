"""A real ``app.py`` server on a free port, over a temp copy of the shipped corpus, for the browser
and gradio_client tests. One server per test session, shared by every module that imports
the ``ui_server`` fixture (each importing module gets its own fixture definition, so the server
itself is kept here and stopped when the last user is torn down)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 600.0   # model load, index build and warm-up on a busy 2-core CPU
EXTRA_ARGS_ENV = "RAG_APP_TEST_ARGS"   # extra app.py arguments, e.g. "--reader baseline"


@dataclass
class UiServer:
    """A running app: its URL, its private corpus folder, its log file and its command line."""

    url: str
    corpus: Path
    log: Path
    process: subprocess.Popen
    users: int = 0
    command: tuple[str, ...] = ()
    history: Path | None = None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def restart(self) -> None:
        """Stop the app and start it again with the same command (same port, corpus, index and
        conversation file), as an operator restarting the server would; waits until it serves."""
        self.stop()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(list(self.command), cwd=ROOT, env=_env(), stdout=out,
                                            stderr=subprocess.STDOUT)
        _wait(self, started_lines=self.log_tail(10**9).count("open http"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


_running: dict[str, UiServer] = {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_corpus(folder: Path) -> Path:
    """The shipped corpus's text files and metadata, copied so uploads never touch corpus/."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in [*sorted((ROOT / "corpus").glob("*.txt")), ROOT / "corpus" / "metadata.json"]:
        shutil.copy(path, folder / path.name)
    return folder


def _is_up(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # localhost, never a proxy
    try:
        with opener.open(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def _wait(server: UiServer, started_lines: int = 0) -> None:
    """Until the app has printed its URL (once more than ``started_lines`` times) and serves it."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"app.py exited with code {server.process.returncode} before serving:\n{server.log_tail()}")
        if server.log_tail(10**9).count("open http") > started_lines and _is_up(server.url):
            return
        time.sleep(1.0)
    server.stop()
    pytest.fail(f"app.py did not serve {server.url} within {START_TIMEOUT:.0f} s:\n{server.log_tail()}")


def start_server(root: Path, extra: tuple[str, ...] = ()) -> UiServer:
    """Start ``app.py`` on a free port over a copy of the shipped corpus, with its index and
    conversation file in ``root``, and wait until it serves the page (or fail with its log)."""
    corpus = copy_corpus(root / "corpus")
    port = free_port()
    log = root / "app.log"
    history = root / "conversations.sqlite3"
    command = (sys.executable, str(ROOT / "app.py"), "--corpus", str(corpus), "--index", str(root / "index"),
               "--history", str(history), "--host", "127.0.0.1", "--port", str(port), *extra,
               *os.environ.get(EXTRA_ARGS_ENV, "").split())
    with open(log, "wb") as out:
        process = subprocess.Popen(list(command), cwd=ROOT, env=_env(), stdout=out, stderr=subprocess.STDOUT)
    server = UiServer(f"http://127.0.0.1:{port}/", corpus, log, process, command=command, history=history)
    _wait(server)
    return server


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """The session's app server, started on first use and stopped after its last user."""
    if "app" not in _running:
        _running["app"] = start_server(tmp_path_factory.mktemp("ui_server"))
    server = _running["app"]
    server.users += 1
    yield server
    server.users -= 1
    if server.users == 0:
        server.stop()
        del _running["app"]
