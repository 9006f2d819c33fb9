"""Conversations kept on the server: one SQLite file, one row per turn, per browser (or user).

The chat writes each turn here before it shows the answer, so a reload or a server restart
brings the conversation back. Every call names its ``owner`` (a random id the browser keeps;
with login, the user name and that id), and a conversation is found only together with its
owner: one browser never reads, renames or deletes another's. Owners are stored hashed, so the
file alone does not give anyone a key that opens a conversation in the app.

stdlib ``sqlite3`` in WAL mode (readers do not wait for the writer), one connection per call,
so any server thread may call in; ``PRAGMA foreign_keys`` makes deleting a conversation delete
its turns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from rag.errors import RagError
from rag.types import Alternative, Answer, Citation

MAX_TITLE_CHARS = 80
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id      TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    title   TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    turn         INTEGER NOT NULL,
    question     TEXT NOT NULL,
    answer       TEXT NOT NULL,
    created      REAL NOT NULL,
    PRIMARY KEY (conversation, turn)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ConversationError(RagError):
    """No such conversation for this owner, or a bad owner id or title."""


@dataclass(frozen=True)
class Conversation:
    """One stored conversation as the side list shows it."""

    id: str
    title: str
    created: float
    updated: float
    turns: int


def new_owner_id() -> str:
    """A fresh random id for a browser: 32 URL-safe characters (192 bits)."""
    return secrets.token_urlsafe(24)


def valid_owner(owner: object) -> bool:
    """Whether ``owner`` looks like an id this module handed out (or a login-qualified one)."""
    return isinstance(owner, str) and 16 <= len(owner) <= 400 and owner.isprintable()


def title_for(question: str) -> str:
    """A conversation's default title: its first question, cut at a word near MAX_TITLE_CHARS."""
    text = " ".join(question.split())
    if len(text) <= MAX_TITLE_CHARS:
        return text
    return text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"


# --- answers to and from JSON ----------------------------------------------------------------

def answer_to_json(answer: Answer) -> str:
    """An Answer as JSON (its citations, alternatives and related sentences included)."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that ``cls`` has as fields: rows written by an older or newer version
    of the dataclass still load."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _citation(data: dict[str, Any]) -> Citation:
    return Citation(**_known(Citation, data))


def answer_from_json(text: str) -> Answer:
    """The Answer ``answer_to_json`` wrote."""
    data = _known(Answer, json.loads(text))
    data["citations"] = [_citation(c) for c in data.get("citations", [])]
    data["related"] = [_citation(c) for c in data.get("related", [])]
    data["alternatives"] = [Alternative(**{**_known(Alternative, a), "citation": _citation(a["citation"])})
                            for a in data.get("alternatives", [])]
    return Answer(**data)


# --- the store -------------------------------------------------------------------------------

class ConversationStore:
    """Conversations in one SQLite file (created with its folder if missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")   # persistent: kept in the file
            db.executescript(_SCHEMA)

    def browser_secret(self) -> str:
        """A random key made once per store, for the browser-side storage of the browser's id:
        it must outlive a server restart, or every browser would lose its conversations."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('browser_secret', ?)",
                       (secrets.token_urlsafe(24),))
            return db.execute("SELECT value FROM meta WHERE key = 'browser_secret'").fetchone()[0]

    def _connect(self) -> "_Connection":
        return _Connection(self.path)

    @staticmethod
    def _key(owner: str) -> str:
        if not valid_owner(owner):
            raise ConversationError("this browser has no valid conversation id; reload the page")
        return hashlib.sha256(owner.encode("utf-8")).hexdigest()

    @staticmethod
    def _row(row: Sequence[Any]) -> Conversation:
        return Conversation(id=row[0], title=row[1], created=row[2], updated=row[3], turns=row[4])

    def _find(self, db: sqlite3.Connection, owner: str, conversation: str) -> Conversation:
        row = db.execute(
            "SELECT c.id, c.title, c.created, c.updated, (SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id) "
            "FROM conversations c WHERE c.id = ? AND c.owner = ?", (conversation, self._key(owner))).fetchone()
        if row is None:
            raise ConversationError("that conversation is not there any more (deleted, or from another browser)")
        return self._row(row)

    def create(self, owner: str, title: str = "New conversation") -> Conversation:
        """A new, empty conversation of ``owner``."""
        key, now = self._key(owner), time.time()
        conversation = Conversation(secrets.token_urlsafe(12), _clean_title(title), now, now, 0)
        with self._connect() as db:
            db.execute("INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                       (conversation.id, key, conversation.title, now, now))
        return conversation

    def add_turn(self, owner: str, conversation: str, question: str, answer: Answer) -> int:
        """Store one question and its answer as the conversation's next turn; returns its index.

        Committed (and, in WAL mode, durable against a crash of the app) when this returns."""
        with self._connect() as db:
            found = self._find(db, owner, conversation)
            db.execute("INSERT INTO turns (conversation, turn, question, answer, created) VALUES (?, ?, ?, ?, ?)",
                       (found.id, found.turns, question, answer_to_json(answer), time.time()))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), found.id))
        return found.turns

    def list(self, owner: str) -> list[Conversation]:
        """``owner``'s conversations, the most recently used first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.created, c.updated, "
                "(SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id) "
                "FROM conversations c WHERE c.owner = ? ORDER BY c.updated DESC, c.created DESC",
                (self._key(owner),)).fetchall()
        return [self._row(r) for r in rows]

    def get(self, owner: str, conversation: str) -> Conversation:
        """One conversation of ``owner``; ConversationError if it is not theirs or not there."""
        with self._connect() as db:
            return self._find(db, owner, conversation)

    def turns(self, owner: str, conversation: str) -> list[tuple[str, Answer]]:
        """The (question, Answer) turns of one of ``owner``'s conversations, in order."""
        with self._connect() as db:
            found = self._find(db, owner, conversation)
            rows = db.execute("SELECT question, answer FROM turns WHERE conversation = ? ORDER BY turn",
                              (found.id,)).fetchall()
        return [(question, answer_from_json(answer)) for question, answer in rows]

    def rename(self, owner: str, conversation: str, title: str) -> Conversation:
        """Give one of ``owner``'s conversations a new title (trimmed; must not be blank)."""
        with self._connect() as db:
            found = self._find(db, owner, conversation)
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (_clean_title(title), found.id))
        return dataclasses.replace(found, title=_clean_title(title))

    def delete(self, owner: str, conversation: str) -> None:
        """Delete one of ``owner``'s conversations and all its turns."""
        with self._connect() as db:
            found = self._find(db, owner, conversation)
            db.execute("DELETE FROM conversations WHERE id = ?", (found.id,))


def _clean_title(title: str) -> str:
    text = " ".join(str(title).split())
    if not text:
        raise ConversationError("a conversation's name cannot be empty")
    return text[:MAX_TITLE_CHARS]


class _Connection:
    """``with _Connection(path) as db``: one connection, committed on success, rolled back on an
    error, always closed (sqlite3's own context manager commits but does not close)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)   # explicit transactions

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind: type | None, *_: object) -> None:
        with closing(self._db):
            self._db.execute("COMMIT" if kind is None else "ROLLBACK")
