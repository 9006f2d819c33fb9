"""The browser chat's logic: answers, sources and documents rendered as escaped HTML, and the
step functions (ask, upload, browse) that ``app.py`` wires to gradio components.

No gradio import here, so every piece is unit-tested without a browser. Every string that comes
from a document, a question or a file name goes through ``esc`` (``html.escape``): corpus text is
shown as text, never interpreted as HTML or Markdown.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence

from rag.errors import RagError
from rag.metrics import normalize_answer
from rag.settings import READERS, Settings
from rag.types import Answer, Citation, Document, Sentence, Skipped

logger = logging.getLogger(__name__)

CONTEXT_SENTENCES = 2    # neighbours each side of a cited sentence shown in the sources panel
WIDER_SENTENCES = 6      # neighbours each side under "Wider context"
MAX_TOP_K = 10           # the settings slider's upper end; must stay <= Settings.candidates
GENERIC_ERROR = "Sorry, something went wrong. The details are in the server log."
EMPTY_SOURCES = ('<div class="rag-sources rag-empty"><p>Ask a question: the sources of the latest '
                 'answer appear here, each with its passage.</p></div>')
EXAMPLES = (
    "How long did Sharma say he waited in his office?",
    "Why was Gaurav Sharma suspended from the Labour caucus?",
    "Who is Steph Lewis?",
    "Who did Gaurav Sharma accuse of bullying?",
)

# Styles for the chat and panels; passed to gradio's launch(css=...) by app.py.
CSS = """
.rag-reply p { margin: 0 0 .4em 0; }
.rag-answer { font-size: 1.1em; }
.rag-quote { margin: .4em 0; padding: .3em .7em; border-left: 3px solid #c9a227; background: rgba(201,162,39,.08); }
.rag-from, .rag-meta, .rag-note { font-size: .85em; opacity: .8; }
.rag-marker { text-decoration: none; font-weight: 600; }
.rag-error { color: #b42318; }
.rag-ok { color: #067647; }
mark { background: #ffe066; color: inherit; padding: 0 .1em; }
.rag-cited { text-decoration: underline; text-decoration-color: #c9a227; text-underline-offset: 3px; }
.rag-source { border: 1px solid rgba(128,128,128,.35); border-radius: 6px; padding: .5em .7em; margin: .5em 0; }
.rag-source:target { outline: 3px solid #f59f00; background: rgba(245,159,0,.10); }
.rag-related { border-style: dashed; }
.rag-tag { font-size: .75em; text-transform: uppercase; letter-spacing: .04em; padding: .1em .4em; border-radius: 4px; background: rgba(128,128,128,.18); }
.rag-title { font-weight: 600; }
.rag-outlet, .rag-score { font-size: .85em; opacity: .8; }
.rag-docs { width: 100%; border-collapse: collapse; }
.rag-docs th, .rag-docs td { text-align: left; padding: .25em .5em; border-bottom: 1px solid rgba(128,128,128,.25); }
.rag-doc p { margin: 0 0 .6em 0; }
"""

History = list[tuple[str, Answer]]
Message = dict[str, str]
ProgressFn = Callable[[float, str], object]


class Backend(Protocol):
    """What the UI needs from ``rag.assistant.Assistant`` (a protocol so tests can pass a fake)."""

    settings: Settings
    documents: list[Document]
    skipped: list[Skipped]

    def sentences(self, doc_id: str) -> list[Sentence]: ...

    def ask(self, question: str, history: Sequence[tuple[str, Answer]] = ()) -> Answer: ...

    def with_settings(self, **changes: object) -> "Backend": ...

    def add_file(self, name: str, data: bytes) -> Document: ...


def warm_up(assistant: Backend) -> float:
    """Ask one question and one follow-up so models and pipelines load before the first user
    asks; returns the seconds it took. A RagError (e.g. a missing model) is logged, not raised."""
    started = time.perf_counter()
    try:
        first = assistant.ask(EXAMPLES[0])
        assistant.ask("How did he respond?", history=[(EXAMPLES[0], first)])
    except RagError as exc:
        logger.warning("warm-up question failed: %s", exc)
    return time.perf_counter() - started


def esc(text: str) -> str:
    """HTML-escaped text with line breaks kept: the only way document text reaches the page."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def marked(text: str, offset: int, cited: tuple[int, int] | None = None,
           answer: tuple[int, int] | None = None) -> str:
    """Escaped ``text`` (which starts at document offset ``offset``) with the cited sentence
    underlined and the short answer in ``<mark>``; ranges are document offsets, clipped to the text."""
    ranges = [r for r in (cited, answer) if r is not None]
    cuts = sorted({0, len(text)} | {min(max(p - offset, 0), len(text)) for r in ranges for p in r})
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        piece = esc(text[a:b])
        if answer is not None and answer[0] <= a + offset and b + offset <= answer[1]:
            piece = f"<mark>{piece}</mark>"
        if cited is not None and cited[0] <= a + offset and b + offset <= cited[1]:
            piece = f'<span class="rag-cited">{piece}</span>'
        pieces.append(piece)
    return "".join(pieces)


def answer_range(citation: Citation) -> tuple[int, int] | None:
    """Document offsets of the short answer inside the cited sentence, or None if not inside it."""
    a, b = citation.answer_start, citation.answer_end
    if a is None or b is None or not citation.start <= a < b <= citation.end:
        return None
    return a, b


def answer_in(citation: Citation) -> str:
    """The short answer's words as they appear in this citation's sentence ("" if not inside)."""
    rng = answer_range(citation)
    return citation.sentence[rng[0] - citation.start:rng[1] - citation.start] if rng else ""


def source_id(turn: int, number: int) -> str:
    """The anchor id of source ``number`` (1-based) of chat turn ``turn``: markers link to it."""
    return f"src-{turn}-{number}"


def _marker(turn: int, number: int) -> str:
    return f'<a class="rag-marker" href="#{source_id(turn, number)}" title="Show source {number}">[{number}]</a>'


def render_quote(citation: Citation, turn: int, number: int) -> str:
    """One supporting sentence, quoted, with the answer marked, its marker and its document."""
    sentence = marked(citation.sentence, citation.start, answer=answer_range(citation))
    return (f'<blockquote class="rag-quote">“{sentence}” {_marker(turn, number)}'
            f'<br><span class="rag-from">— {esc(citation.title)}</span></blockquote>')


def _conflict_sides(citations: Sequence[Citation]) -> list[tuple[str, list[int]]]:
    """Citations grouped by the answer each one gives: [(answer words, [citation positions])]."""
    sides: dict[str, tuple[str, list[int]]] = {}
    for i, c in enumerate(citations):
        words = answer_in(c)
        key = normalize_answer(words) or f"#{i}"
        sides.setdefault(key, (words, []))[1].append(i)
    return list(sides.values())


def render_reply(answer: Answer, turn: int) -> str:
    """The chat bubble for one answer: short answer then quoted evidence with markers; a plain
    refusal when abstaining; both sides with their sources when the sources disagree."""
    parts = ['<div class="rag-reply">']
    if answer.abstained:
        parts.append(f'<p class="rag-message">{esc(answer.message or "The documents don’t say.")}</p>')
        if answer.related:
            parts.append('<p class="rag-note">The closest sentences are in the sources panel, marked '
                         '“Related — not evidence”.</p>')
    elif answer.conflict:
        parts.append(f'<p class="rag-message">{esc(answer.message or "The sources disagree.")}</p>')
        for side, (words, positions) in enumerate(_conflict_sides(answer.citations), start=1):
            label = f"“{esc(words)}”" if words else "another answer"
            parts.append(f'<p class="rag-side">Side {side}: {label}</p>')
            parts.extend(render_quote(answer.citations[i], turn, i + 1) for i in positions)
    else:
        parts.append(f'<p class="rag-answer"><strong>{esc(answer.text)}</strong></p>')
        parts.extend(render_quote(c, turn, i) for i, c in enumerate(answer.citations, start=1))
    if not answer.abstained:
        parts.append(f'<p class="rag-meta">confidence {answer.confidence:.0%}</p>')
    parts.append("</div>")
    return "".join(parts)


def render_error(message: str) -> str:
    """A chat bubble for a question that could not be answered (bad question, failure)."""
    return f'<div class="rag-reply"><p class="rag-error">{esc(message)}</p></div>'


def render_user(question: str) -> str:
    """The user's question as a chat bubble (escaped: the chat never renders Markdown)."""
    return f'<span class="rag-question">{esc(question)}</span>'


def to_messages(history: Sequence[tuple[str, Answer]], failed: tuple[str, str] | None = None) -> list[Message]:
    """The chatbot's messages for a history, plus (question, error) of a failed last question."""
    messages: list[Message] = []
    for turn, (question, answer) in enumerate(history):
        messages.append({"role": "user", "content": render_user(question)})
        messages.append({"role": "assistant", "content": render_reply(answer, turn)})
    if failed is not None:
        messages.append({"role": "user", "content": render_user(failed[0])})
        messages.append({"role": "assistant", "content": render_error(failed[1])})
    return messages


def _position(sentences: Sequence[Sentence], citation: Citation) -> int | None:
    for i, s in enumerate(sentences):
        if s.start == citation.start and s.end == citation.end:
            return i
    return None


def render_passage(citation: Citation, document: Document | None, sentences: Sequence[Sentence],
                   radius: int) -> str:
    """The cited sentence within ``radius`` neighbouring sentences, cited sentence underlined and
    answer marked; just the sentence when the document's sentences are not known."""
    rng = answer_range(citation)
    at = _position(sentences, citation)
    if document is None or at is None:
        return marked(citation.sentence, citation.start, (citation.start, citation.end), rng)
    first, last = sentences[max(at - radius, 0)], sentences[min(at + radius, len(sentences) - 1)]
    text = document.text[first.start:last.end]
    return marked(text, first.start, (citation.start, citation.end), rng)


def render_source(citation: Citation, number: int, turn: int, document: Document | None,
                  sentences: Sequence[Sentence]) -> str:
    """One card of the sources panel: title, outlet, score, the passage, and wider context."""
    related = citation.kind == "related"
    outlet = document.outlet if document is not None else ""
    meta = [f'<span class="rag-outlet">{esc(outlet)}</span>'] if outlet else []
    meta.append(f'<span class="rag-score">score {citation.score:.3f}</span>')
    if related:
        meta.append('<span class="rag-tag">Related — not evidence</span>')
    head = [_marker(turn, number) if not related else f"<span>({number})</span>",
            f'<span class="rag-title">{esc(citation.title)}</span><br>{" · ".join(meta)}']
    cls = "rag-source rag-related" if related else "rag-source"
    anchor = source_id(turn, number) if not related else f"rel-{turn}-{number}"
    return (f'<section class="{cls}" id="{anchor}"><div class="rag-source-head">{" ".join(head)}</div>'
            f'<p class="rag-passage">{render_passage(citation, document, sentences, CONTEXT_SENTENCES)}</p>'
            f'<details><summary>Wider context</summary><p class="rag-wider">'
            f'{render_passage(citation, document, sentences, WIDER_SENTENCES)}</p></details></section>')


def render_sources(answer: Answer | None, turn: int, documents: Mapping[str, Document],
                   sentences: Callable[[str], Sequence[Sentence]]) -> str:
    """The sources panel for one answer: its evidence, or when abstaining its related sentences."""
    if answer is None:
        return EMPTY_SOURCES

    def cards(citations: Sequence[Citation]) -> str:
        return "".join(render_source(c, i, turn, documents.get(c.doc_id), sentences(c.doc_id))
                       for i, c in enumerate(citations, start=1))

    question = f'<p class="rag-note">For: “{esc(answer.question)}”</p>'
    if answer.abstained:
        if not answer.related:
            return f'<div class="rag-sources">{question}<p>No related sentences were found.</p></div>'
        return (f'<div class="rag-sources">{question}<h3>Related — not evidence</h3>'
                f'<p class="rag-note">The documents do not answer this; these are the closest sentences.</p>'
                f'{cards(answer.related)}</div>')
    title = "Sources (they disagree)" if answer.conflict else "Sources"
    return f'<div class="rag-sources">{question}<h3>{title}</h3>{cards(answer.citations)}</div>'


def render_documents(documents: Sequence[Document], counts: Mapping[str, int],
                     skipped: Sequence[Skipped] = ()) -> str:
    """The Documents tab's table (title, outlet, sentence count) and the files that did not load."""
    rows = "".join(f"<tr><td>{esc(d.title)}</td><td>{esc(d.outlet)}</td><td>{counts.get(d.doc_id, 0)}</td>"
                   f"<td><code>{esc(d.doc_id)}</code></td></tr>" for d in documents)
    out = (f'<p>{len(documents)} documents.</p><table class="rag-docs"><thead><tr><th>Title</th>'
           f"<th>Outlet</th><th>Sentences</th><th>Id</th></tr></thead><tbody>{rows}</tbody></table>")
    if skipped:
        items = "".join(f"<li><code>{esc(Path(s.source).name)}</code>: {esc(s.reason)}</li>" for s in skipped)
        out += f'<p class="rag-note">Not loaded:</p><ul class="rag-skipped">{items}</ul>'
    return out


def render_document(document: Document | None) -> str:
    """A whole document for the viewer, one paragraph per line of its text, all escaped."""
    if document is None:
        return '<p class="rag-note">Choose a document to read it.</p>'
    paragraphs = "".join(f"<p>{esc(line)}</p>" for line in document.text.split("\n") if line.strip())
    outlet = f'<p class="rag-outlet">{esc(document.outlet)}</p>' if document.outlet else ""
    return f'<article class="rag-doc"><h3>{esc(document.title)}</h3>{outlet}{paragraphs}</article>'


def render_status(message: str, ok: bool) -> str:
    """The upload status line, green for done and red for rejected."""
    return f'<p class="{"rag-ok" if ok else "rag-error"}">{esc(message)}</p>'


@dataclass(frozen=True)
class ChatStep:
    """What one chat event returns: the chatbot messages, the sources panel and the new history."""

    messages: list[Message]
    sources: str
    history: History


@dataclass(frozen=True)
class UploadStep:
    """What an upload returns: a status line, the refreshed document table and viewer choices."""

    status: str
    documents: str
    choices: list[tuple[str, str]]
    selected: str | None


class ChatUI:
    """The UI's state-free logic over one loaded assistant, shared by all browser sessions.

    Per-session state (the chat history) is passed in and returned, never kept here. Assistants
    for other settings are derived with ``with_settings`` and cached until the corpus changes.
    """

    def __init__(self, assistant: Backend) -> None:
        self.assistant = assistant
        self._variants: dict[tuple[int, str], Backend] = {}
        self._lock = threading.Lock()

    def _for_settings(self, top_k: int, reader: str) -> Backend:
        base = self.assistant.settings
        if (top_k, reader) == (base.top_k, base.reader):
            return self.assistant
        with self._lock:
            if (top_k, reader) not in self._variants:
                self._variants[(top_k, reader)] = self.assistant.with_settings(top_k=top_k, reader=reader)
            return self._variants[(top_k, reader)]

    def _documents(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.assistant.documents}

    def sources(self, history: Sequence[tuple[str, Answer]], turn: int) -> str:
        """The sources panel for chat turn ``turn`` (the latest when out of range)."""
        if not history:
            return EMPTY_SOURCES
        if not 0 <= turn < len(history):
            turn = len(history) - 1
        return render_sources(history[turn][1], turn, self._documents(), self.assistant.sentences)

    def ask(self, question: str | None, history: Sequence[tuple[str, Answer]], top_k: float | None = None,
            reader: str | None = None) -> ChatStep:
        """Answer ``question`` as a follow-up to ``history``; failures become a message, never a trace."""
        history = list(history or [])
        question = question if isinstance(question, str) else ""
        base = self.assistant.settings
        k = int(round(top_k)) if top_k is not None else base.top_k
        reader = reader or base.reader
        if reader not in READERS or not 1 <= k <= MAX_TOP_K:
            return self._failed(history, question, f"Settings not allowed: reader {reader!r} must be one of "
                                                   f"{', '.join(READERS)}, sources {k} must be 1 to {MAX_TOP_K}.")
        try:
            answer = self._for_settings(k, reader).ask(question, history=history)
        except RagError as exc:
            return self._failed(history, question, str(exc))
        except Exception:  # the UI boundary: log the trace, show a short message
            logger.exception("answering %r failed", question)
            return self._failed(history, question, GENERIC_ERROR)
        history.append((question, answer))
        return ChatStep(to_messages(history), self.sources(history, len(history) - 1), history)

    def _failed(self, history: History, question: str, message: str) -> ChatStep:
        panel = self.sources(history, len(history) - 1)
        return ChatStep(to_messages(history, failed=(question, message)), panel, history)

    def clear(self) -> ChatStep:
        """An empty chat (the example questions show again)."""
        return ChatStep([], EMPTY_SOURCES, [])

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, doc_id) pairs for the viewer's dropdown."""
        return [(f"{d.title} ({d.outlet})" if d.outlet else d.title, d.doc_id) for d in self.assistant.documents]

    def documents_table(self) -> str:
        """The Documents tab's table for the corpus as it is now."""
        docs = self.assistant.documents
        counts = {d.doc_id: len(self.assistant.sentences(d.doc_id)) for d in docs}
        return render_documents(docs, counts, self.assistant.skipped)

    def show_document(self, doc_id: str | None) -> str:
        """One document for the viewer."""
        return render_document(self._documents().get(doc_id or ""))

    def upload(self, path: str | None, progress: ProgressFn | None = None) -> UploadStep:
        """Add an uploaded file to the corpus and index; a rejected file changes nothing and says why."""
        report: ProgressFn = progress or (lambda fraction, desc: None)
        if not path:
            return self._upload_step(render_status("Choose a .txt, .md or .html file to add.", False), None)
        name = Path(path).name
        try:
            report(0.05, f"Reading {name}")
            data = Path(path).read_bytes()
            report(0.2, f"Splitting and indexing {name}")
            document = self.assistant.add_file(name, data)
        except RagError as exc:
            return self._upload_step(render_status(f"Not added: {exc}", False), None)
        except OSError as exc:
            return self._upload_step(render_status(f"Not added: could not read {name} ({exc.strerror}).", False), None)
        except Exception:  # the UI boundary: log the trace, show a short message
            logger.exception("adding %r failed", name)
            return self._upload_step(render_status(f"Not added: {GENERIC_ERROR}", False), None)
        with self._lock:
            self._variants.clear()   # derived assistants may hold the old corpus
        report(1.0, "Done")
        count = len(self.assistant.sentences(document.doc_id))
        status = render_status(f"Added “{document.title}” ({count} sentences). You can ask about it now.", True)
        return self._upload_step(status, document.doc_id)

    def _upload_step(self, status: str, selected: str | None) -> UploadStep:
        return UploadStep(status, self.documents_table(), self.document_choices(), selected)
