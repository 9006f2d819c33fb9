"""The browser chat's logic: answers, sources, documents and conversations rendered as escaped
HTML, and the step functions (ask, open a source, upload, replace, remove, reopen a conversation)
that ``app.py`` wires to gradio components.

No gradio import here, so every piece is unit-tested without a browser. Every string that comes
from a document, a question or a file name goes through ``esc`` (``html.escape``): corpus text is
shown as text, never interpreted as HTML or Markdown.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence

from rag.conversations import ConversationError, ConversationStore, title_for
from rag.errors import RagError
from rag.formats import SUFFIXES
from rag.metrics import normalize_answer
from rag.settings import READERS, Settings
from rag.types import Answer, Citation, Document, Sentence, Skipped

logger = logging.getLogger(__name__)

CONTEXT_SENTENCES = 2    # neighbours each side of a cited sentence shown in the sources panel
WIDER_SENTENCES = 6      # neighbours each side under "Wider context"
MAX_TOP_K = 10           # the settings slider's upper end; must stay <= Settings.candidates
# Bands of the calibrated confidence (rag/calibration.json): on the calibration questions 90% of the
# answers from its "sure" level (0.33) up are right; rightly answered news questions sit at 0.6-0.8.
SURE_FROM = 0.6          # confidence from which an answer is called "sure"
UNSURE_BELOW = 0.4       # below this (or when Answer.uncertain) an answer is marked "may be wrong"
VIEWER_CHARS = 60_000    # a longer document is shown in the viewer as this much around the sentence
EMPTY_QUESTION = "the question is empty; type a question about the documents"
GENERIC_ERROR = "Sorry, something went wrong. The details are in the server log."
FILE_TYPES = ", ".join(SUFFIXES)
EMPTY_SOURCES = ('<div class="rag-sources rag-empty"><p>Ask a question: the sources of the latest '
                 'answer appear here, each with its passage. Click a source or a [number] to read it '
                 'in its document.</p></div>')
EMPTY_VIEWER = ""
EXAMPLES = (
    "How long did Sharma say he waited in his office?",
    "Why was Gaurav Sharma suspended from the Labour caucus?",
    "Who is Steph Lewis?",
    "Who did Gaurav Sharma accuse of bullying?",
)
TOP_K_LABEL = "Passages to read"
TOP_K_INFO = "How many of the best-matching passages the reader reads: more can find more, but answers take longer."
READER_LABEL = "Reader"
READER_INFO = ("The model that picks the answer out of the passages: “trained” (our own, best) or "
               "“baseline” (a quick rule-based one, for comparison).")

# Styles for the chat and panels; passed to gradio's launch(css=...) by app.py.
CSS = """
.rag-reply p { margin: 0 0 .4em 0; }
.rag-answer { font-size: 1.1em; }
.rag-quote { margin: .4em 0; padding: .3em .7em; border-left: 3px solid #c9a227; background: rgba(201,162,39,.08); }
.rag-from, .rag-meta, .rag-note, .rag-read-as { font-size: .85em; opacity: .8; }
.rag-read-as { font-style: italic; }
.rag-marker, .rag-open { text-decoration: none; font-weight: 600; cursor: pointer; }
.rag-error { color: #b42318; }
.rag-ok { color: #067647; }
.rag-unsure { border-left: 4px solid #d97706; padding-left: .6em; }
.rag-unsure .rag-answer strong { text-decoration: underline wavy #d97706; text-underline-offset: 4px; }
.rag-warning { color: #b45309; font-weight: 600; }
.rag-alternative { margin-top: .5em; padding: .3em .6em; border: 1px dashed #d97706; border-radius: 6px; }
.rag-confidence { border-bottom: 1px dotted currentColor; cursor: help; }
mark { background: #ffe066; color: inherit; padding: 0 .1em; }
.rag-cited { text-decoration: underline; text-decoration-color: #c9a227; text-underline-offset: 3px; }
.rag-source { border: 1px solid rgba(128,128,128,.35); border-radius: 6px; padding: .5em .7em; margin: .5em 0; }
.rag-source.rag-active { outline: 3px solid #f59f00; background: rgba(245,159,0,.10); }
.rag-related { border-style: dashed; }
.rag-tag { font-size: .75em; text-transform: uppercase; letter-spacing: .04em; padding: .1em .4em; border-radius: 4px; background: rgba(128,128,128,.18); }
.rag-title { font-weight: 600; }
.rag-outlet, .rag-score { font-size: .85em; opacity: .8; }
.rag-docs-wrap { max-width: 100%; overflow-x: auto; }
.rag-docs { width: 100%; border-collapse: collapse; }
.rag-docs th, .rag-docs td { text-align: left; padding: .25em .5em; border-bottom: 1px solid rgba(128,128,128,.25); overflow-wrap: anywhere; }
.rag-doc p { margin: 0 0 .6em 0; }
.rag-viewer { border: 2px solid #f59f00; border-radius: 8px; padding: .5em .8em; margin-bottom: .6em; }
.rag-viewer-head { display: flex; flex-wrap: wrap; gap: .2em .8em; align-items: baseline; margin-bottom: .4em; }
.rag-viewer-text { max-height: 45vh; overflow-y: auto; padding-right: .4em; }
.rag-viewer-text .rag-cited { background: rgba(245,159,0,.22); }
.rag-close { margin-left: auto; }
#viewer:not(:has(.rag-viewer, .rag-note)) { display: none; }
#conversations .wrap label { width: 100%; }
@media (max-width: 700px) {
  #chat { height: 45vh !important; min-height: 280px; }
  .rag-docs .rag-id { display: none; }
  .rag-viewer-text { max-height: 60vh; }
}
"""

# One click handler for the whole page (installed by the viewer component's js_on_load): a
# citation marker, an "Open in document" link or an alternative's source, in the chat or the
# sources panel, asks the server to open it in the viewer (one click, for old answers too); when
# the viewer shows it, the cited sentence is scrolled into view.
OPEN_JS = """
if (!window.__ragOpenInstalled) {
  window.__ragOpenInstalled = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.rag-marker, a.rag-open, a.rag-close');
    if (!link) return;
    const ref = (link.getAttribute('href') || '').replace(/^#/, '');
    if (!/^((src|alt|rel)-[0-9]+-[0-9]+|close)$/.test(ref)) return;
    event.preventDefault();
    event.stopPropagation();   // not also a chatbot "select": that would reset the sources panel
    trigger('click', {ref: ref});
  }, true);
}
watch('value', () => {
  const cited = element.querySelector('.rag-viewer-text .rag-cited');
  const viewer = element.querySelector('.rag-viewer');
  if (viewer) viewer.scrollIntoView({block: 'nearest', behavior: 'instant'});
  if (cited) cited.scrollIntoView({block: 'center', behavior: 'instant'});
});
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

    def replace_file(self, doc_id: str, name: str, data: bytes) -> Document: ...

    def remove_document(self, doc_id: str) -> Document: ...


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
    """The reference of source ``number`` (1-based) of chat turn ``turn``: markers and the
    "Open in document" links carry it, and the sources panel's card has it as its id."""
    return f"src-{turn}-{number}"


def _marker(turn: int, number: int) -> str:
    return (f'<a class="rag-marker" href="#{source_id(turn, number)}" '
            f'title="Open source {number} in its document">[{number}]</a>')


def may_be_wrong(answer: Answer) -> bool:
    """Whether a given answer is marked "may be wrong": the assistant says it is uncertain, or its
    confidence is under ``UNSURE_BELOW``."""
    return not answer.abstained and (answer.uncertain or answer.confidence < UNSURE_BELOW)


def confidence_words(answer: Answer) -> str:
    """Confidence as a person says it: "sure", "likely" or "unsure" (the number goes on hover)."""
    if may_be_wrong(answer):
        return "unsure"
    return "sure" if answer.confidence >= SURE_FROM else "likely"


def read_as(answer: Answer) -> str:
    """The question as the assistant read it when that differs from what was typed (a follow-up
    whose pronoun was resolved, a bare "Why?" rebuilt from the turn before, or a two-hop question
    asked about the entity it described), else ""."""
    resolved = answer.resolved_question.strip()
    if not resolved or " ".join(resolved.split()).casefold() == " ".join(answer.question.split()).casefold():
        return ""
    return resolved


def render_quote(citation: Citation, turn: int, number: int) -> str:
    """One supporting sentence, quoted, with the answer marked, its marker and its document."""
    sentence = marked(citation.sentence, citation.start, answer=answer_range(citation))
    return (f'<blockquote class="rag-quote">“{sentence}” {_marker(turn, number)}'
            f'<br><span class="rag-from">— {esc(citation.title)}</span></blockquote>')


def render_alternative(answer: Answer, turn: int) -> str:
    """The next-best answer and its source, offered beside an answer that may be wrong."""
    if not answer.alternatives:
        return ""
    alt = answer.alternatives[0]
    c = alt.citation
    sentence = marked(c.sentence, c.start, answer=answer_range(c))
    return (f'<div class="rag-alternative"><p>Another possible answer: <strong>{esc(alt.text)}</strong></p>'
            f'<blockquote class="rag-quote">“{sentence}” <a class="rag-open" href="#alt-{turn}-1" '
            f'title="Open this source in its document">[open]</a><br>'
            f'<span class="rag-from">— {esc(c.title)}</span></blockquote></div>')


def _conflict_sides(citations: Sequence[Citation]) -> list[tuple[str, list[int]]]:
    """Citations grouped by the answer each one gives: [(answer words, [citation positions])]."""
    sides: dict[str, tuple[str, list[int]]] = {}
    for i, c in enumerate(citations):
        words = answer_in(c)
        key = normalize_answer(words) or f"#{i}"
        sides.setdefault(key, (words, []))[1].append(i)
    return list(sides.values())


def render_reply(answer: Answer, turn: int) -> str:
    """The chat bubble for one answer: how the question was read (for a resolved follow-up), the
    short answer then quoted evidence with markers; a plain refusal when abstaining; both sides
    with their sources when the sources disagree. An answer that may be wrong says so in words
    and style and offers the next-best answer with its source."""
    unsure = may_be_wrong(answer)
    parts = [f'<div class="rag-reply{" rag-unsure" if unsure else ""}">']
    if read_as(answer):
        parts.append(f'<p class="rag-read-as">Read as: {esc(read_as(answer))}</p>')
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
        if unsure:
            parts.append('<p class="rag-warning">May be wrong: the documents do not clearly say this. '
                         'Check the source.</p>')
        if answer.kind in ("yes", "no"):       # the rule's verdict, then the clause that decides it
            parts.append(f'<p class="rag-answer"><strong>{answer.kind.capitalize()}</strong>: {esc(answer.text)}</p>')
        else:
            parts.append(f'<p class="rag-answer"><strong>{esc(answer.text)}</strong></p>')
        parts.extend(render_quote(c, turn, i) for i, c in enumerate(answer.citations, start=1))
        if unsure:
            parts.append(render_alternative(answer, turn))
    if not answer.abstained:
        parts.append(f'<p class="rag-meta">Confidence: <span class="rag-confidence" '
                     f'title="confidence {answer.confidence:.0%}">{confidence_words(answer)}</span></p>')
    parts.append("</div>")
    return "".join(parts)


def render_error(message: str) -> str:
    """A chat bubble for a question that could not be answered (bad question, failure)."""
    return f'<div class="rag-reply"><p class="rag-error">{esc(message)}</p></div>'


def render_user(question: str) -> str:
    """The user's question as a chat bubble (escaped: the chat never renders Markdown)."""
    return f'<span class="rag-question">{esc(question)}</span>'


def is_blank(text: str) -> bool:
    """Whether nothing visible would be left of ``text`` (spaces, control and format characters)."""
    return all(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text)


def to_messages(history: Sequence[tuple[str, Answer]], failed: tuple[str, str] | None = None) -> list[Message]:
    """The chatbot's messages for a history, plus (question, error) of a failed last question
    (a blank question gets the error alone: no empty bubble)."""
    messages: list[Message] = []
    for turn, (question, answer) in enumerate(history):
        messages.append({"role": "user", "content": render_user(question)})
        messages.append({"role": "assistant", "content": render_reply(answer, turn)})
    if failed is not None:
        if not is_blank(failed[0]):
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


def _open_link(ref: str) -> str:
    return f'<a class="rag-open" href="#{ref}" title="Open in the document viewer">Open in document ›</a>'


def render_source(citation: Citation, number: int, turn: int, document: Document | None,
                  sentences: Sequence[Sentence], active: bool = False) -> str:
    """One card of the sources panel: title, outlet, score, the passage, wider context, and a link
    that opens the document at this sentence."""
    related = citation.kind == "related"
    outlet = document.outlet if document is not None else ""
    meta = [f'<span class="rag-outlet">{esc(outlet)}</span>'] if outlet else []
    meta.append(f'<span class="rag-score">score {citation.score:.3f}</span>')
    if related:
        meta.append('<span class="rag-tag">Related — not evidence</span>')
    anchor = source_id(turn, number) if not related else f"rel-{turn}-{number}"
    head = [_marker(turn, number) if not related else f"<span>({number})</span>",
            f'<span class="rag-title">{esc(citation.title)}</span><br>{" · ".join(meta)}']
    cls = "rag-source" + (" rag-related" if related else "") + (" rag-active" if active else "")
    return (f'<section class="{cls}" id="{anchor}"><div class="rag-source-head">{" ".join(head)}</div>'
            f'<p class="rag-passage">{render_passage(citation, document, sentences, CONTEXT_SENTENCES)}</p>'
            f'<p class="rag-open-line">{_open_link(anchor)}</p>'
            f'<details><summary>Wider context</summary><p class="rag-wider">'
            f'{render_passage(citation, document, sentences, WIDER_SENTENCES)}</p></details></section>')


def render_sources(answer: Answer | None, turn: int, documents: Mapping[str, Document],
                   sentences: Callable[[str], Sequence[Sentence]], active: str = "") -> str:
    """The sources panel for one answer: its evidence, or when abstaining its related sentences;
    the card whose reference is ``active`` (the one open in the viewer) is outlined."""
    if answer is None:
        return EMPTY_SOURCES

    def cards(citations: Sequence[Citation], prefix: str) -> str:
        return "".join(render_source(c, i, turn, documents.get(c.doc_id), sentences(c.doc_id),
                                     active=active == f"{prefix}-{turn}-{i}")
                       for i, c in enumerate(citations, start=1))

    question = f'<p class="rag-note">For: “{esc(answer.question)}”</p>'
    if answer.abstained:
        if not answer.related:
            return f'<div class="rag-sources">{question}<p>No related sentences were found.</p></div>'
        return (f'<div class="rag-sources">{question}<h3>Related — not evidence</h3>'
                f'<p class="rag-note">The documents do not answer this; these are the closest sentences.</p>'
                f'{cards(answer.related, "rel")}</div>')
    title = "Sources (they disagree)" if answer.conflict else "Sources"
    return f'<div class="rag-sources">{question}<h3>{title}</h3>{cards(answer.citations, "src")}</div>'


def render_documents(documents: Sequence[Document], counts: Mapping[str, int],
                     skipped: Sequence[Skipped] = ()) -> str:
    """The Documents tab's table (title, outlet, sentence count) and the files that did not load;
    it scrolls sideways inside its own box rather than being cut off on a narrow screen."""
    rows = "".join(f"<tr><td>{esc(d.title)}</td><td>{esc(d.outlet)}</td><td>{counts.get(d.doc_id, 0)}</td>"
                   f'<td class="rag-id"><code>{esc(d.doc_id)}</code></td></tr>' for d in documents)
    out = (f'<p>{len(documents)} documents.</p><div class="rag-docs-wrap"><table class="rag-docs"><thead><tr>'
           f'<th>Title</th><th>Outlet</th><th>Sentences</th><th class="rag-id">Id</th></tr></thead>'
           f"<tbody>{rows}</tbody></table></div>")
    if skipped:
        items = "".join(f"<li><code>{esc(Path(s.source).name)}</code>: {esc(s.reason)}</li>" for s in skipped)
        out += f'<p class="rag-note">Not loaded:</p><ul class="rag-skipped">{items}</ul>'
    return out


def _paragraphs(marked_html: str) -> str:
    """Marked-up document text (line breaks as <br>) as one <p> per paragraph. A cited sentence
    never spans a line break (sentences are split per paragraph), so no span is cut in two."""
    return "".join(f"<p>{p}</p>" for p in marked_html.split("<br>") if p.strip())


def locate(citation: Citation, document: Document) -> tuple[Citation, str]:
    """The citation placed in the document as it is now, and a note when that is not where the
    answer found it (the document was replaced since); "" note when nothing moved."""
    if document.text[citation.start:citation.end] == citation.sentence:
        return citation, ""
    at = document.text.find(citation.sentence)
    if at < 0:
        return citation, "This sentence is no longer in the document: it was replaced since this answer."
    shift = at - citation.start
    moved = replace(citation, start=at, end=at + len(citation.sentence),
                    answer_start=None if citation.answer_start is None else citation.answer_start + shift,
                    answer_end=None if citation.answer_end is None else citation.answer_end + shift)
    return moved, "The document was replaced since this answer; the sentence is shown where it is now."


def render_document(document: Document | None, citation: Citation | None = None, label: str = "") -> str:
    """A whole document for a viewer, one paragraph per line of its text, all escaped; with a
    citation, its sentence highlighted (the viewer scrolls to it) and the short answer marked."""
    if document is None:
        if citation is None:
            return '<p class="rag-note">Choose a document to read it.</p>'
        return (f'<article class="rag-viewer"><div class="rag-viewer-head"><span class="rag-title">'
                f'{esc(citation.title)}</span><a class="rag-close" href="#close">Close</a></div>'
                f'<p class="rag-note">This document has been removed from the documents. The quoted sentence '
                f'was:</p><blockquote class="rag-quote">“{esc(citation.sentence)}”</blockquote></article>')
    note = ""
    text, offset = document.text, 0
    cited = answer = None
    if citation is not None:
        citation, note = locate(citation, document)
        if not note.startswith("This sentence is no longer"):
            cited, answer = (citation.start, citation.end), answer_range(citation)
            if len(text) > VIEWER_CHARS:   # a very long document: the part around the sentence
                offset = max(0, text.rfind("\n", 0, max(0, citation.start - VIEWER_CHARS // 2)) + 1)
                text = text[offset:offset + VIEWER_CHARS]
    body = _paragraphs(marked(text, offset, cited, answer))
    outlet = f'<span class="rag-outlet">{esc(document.outlet)}</span>' if document.outlet else ""
    if citation is None:
        return f'<article class="rag-doc"><h3>{esc(document.title)}</h3>{outlet}{body}</article>'
    where = f'<span class="rag-note">{esc(label)}</span>' if label else ""
    notice = f'<p class="rag-note rag-changed">{esc(note)}</p>' if note else ""
    return (f'<article class="rag-viewer" data-doc="{esc(document.doc_id)}"><div class="rag-viewer-head">'
            f'<span class="rag-title">{esc(document.title)}</span>{outlet}{where}'
            f'<a class="rag-close" href="#close">Close</a></div>{notice}'
            f'<div class="rag-viewer-text rag-doc">{body}</div></article>')


def render_status(message: str, ok: bool) -> str:
    """A status line, green for done and red for rejected."""
    return f'<p class="{"rag-ok" if ok else "rag-error"}">{esc(message)}</p>'


@dataclass(frozen=True)
class Session:
    """Which conversation a browser tab is in. ``owner`` is the browser's random id ("" for an
    API client: nothing is stored); ``conversation`` is "" until the first answer creates one."""

    owner: str = ""
    conversation: str = ""


@dataclass(frozen=True)
class ChatStep:
    """What one chat event returns: the chatbot messages, the sources panel, the new history,
    what stays in the question box (a question that failed is kept for editing), the session."""

    messages: list[Message]
    sources: str
    history: History
    draft: str = ""
    session: Session = Session()


@dataclass(frozen=True)
class OpenStep:
    """What opening a source returns: the sources panel of its turn (that card outlined) and the viewer."""

    sources: str
    viewer: str


@dataclass(frozen=True)
class ConversationStep:
    """What opening, starting, renaming or deleting a conversation returns."""

    chat: ChatStep
    choices: list[tuple[str, str]]   # (title, conversation id) for the side list, most recent first
    status: str = ""


@dataclass(frozen=True)
class UploadStep:
    """What an upload, replace or removal returns: a status line, the refreshed document table
    and viewer choices, the selected document."""

    status: str
    documents: str
    choices: list[tuple[str, str]]
    selected: str | None


_REF = re.compile(r"(src|alt|rel)-(\d+)-(\d+)")


class ChatUI:
    """The UI's state-free logic over one loaded assistant, shared by all browser sessions.

    Per-session state (the chat history, the Session) is passed in and returned, never kept
    here. Assistants for other settings are derived with ``with_settings`` and cached until the
    corpus changes. With a ``store``, every answered turn is written to it before it is shown.
    """

    def __init__(self, assistant: Backend, store: ConversationStore | None = None) -> None:
        self.assistant = assistant
        self.store = store
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

    # --- chat ---------------------------------------------------------------------------------
    def sources(self, history: Sequence[tuple[str, Answer]], turn: int, active: str = "") -> str:
        """The sources panel for chat turn ``turn`` (the latest when out of range)."""
        if not history:
            return EMPTY_SOURCES
        if not 0 <= turn < len(history):
            turn = len(history) - 1
        return render_sources(history[turn][1], turn, self._documents(), self.assistant.sentences, active)

    def ask(self, question: str | None, history: Sequence[tuple[str, Answer]], top_k: float | None = None,
            reader: str | None = None, session: Session | None = None) -> ChatStep:
        """Answer ``question`` as a follow-up to ``history``; failures become a message, never a
        trace, and leave the question in the box. The turn is stored before it is returned."""
        history = list(history or [])
        session = session or Session()
        question = question if isinstance(question, str) else ""
        base = self.assistant.settings
        k = int(round(top_k)) if top_k is not None else base.top_k
        reader = reader or base.reader
        if is_blank(question):   # nothing to ask: no bubble of its own, the box stays as it was
            return self._failed(history, question, EMPTY_QUESTION, session)
        if reader not in READERS or not 1 <= k <= MAX_TOP_K:
            return self._failed(history, question, f"Settings not allowed: reader {reader!r} must be one of "
                                                   f"{', '.join(READERS)}, passages to read {k} must be 1 to "
                                                   f"{MAX_TOP_K}.", session)
        try:
            answer = self._for_settings(k, reader).ask(question, history=history)
        except RagError as exc:
            return self._failed(history, question, str(exc), session)
        except Exception:  # the UI boundary: log the trace, show a short message
            logger.exception("answering %r failed", question)
            return self._failed(history, question, GENERIC_ERROR, session)
        session = self._save(session, question, answer)
        history.append((question, answer))
        return ChatStep(to_messages(history), self.sources(history, len(history) - 1), history, "", session)

    def _save(self, session: Session, question: str, answer: Answer) -> Session:
        """Store the turn (a new conversation on the first one); a failure is logged, not shown."""
        if self.store is None or not session.owner:
            return session
        try:
            try:
                conversation = session.conversation or self.store.create(session.owner, title_for(question)).id
                self.store.add_turn(session.owner, conversation, question, answer)
            except ConversationError:   # deleted meanwhile (another tab): continue in a new one
                conversation = self.store.create(session.owner, title_for(question)).id
                self.store.add_turn(session.owner, conversation, question, answer)
        except (sqlite3.Error, OSError, ConversationError):
            logger.exception("could not store a turn of the conversation")
            return session
        return replace(session, conversation=conversation)

    def _failed(self, history: History, question: str, message: str, session: Session) -> ChatStep:
        panel = self.sources(history, len(history) - 1)
        draft = "" if is_blank(question) else question
        return ChatStep(to_messages(history, failed=(question, message)), panel, history, draft, session)

    def clear(self, session: Session | None = None) -> ChatStep:
        """An empty chat (the example questions show again); the next answer starts a new conversation."""
        return ChatStep([], EMPTY_SOURCES, [], "", replace(session or Session(), conversation=""))

    def open_source(self, history: Sequence[tuple[str, Answer]], ref: str) -> OpenStep:
        """Open a cited sentence in the viewer: ``ref`` is a marker's reference (``src-<turn>-<n>``,
        ``alt-…`` for an alternative's source, ``rel-…`` for a related sentence, ``close``).
        Returns that turn's sources panel with the card outlined, and the viewer."""
        match = _REF.fullmatch(ref or "")
        if ref == "close" or match is None:
            return OpenStep(self.sources(history, len(history) - 1), EMPTY_VIEWER)
        kind, turn, number = match.group(1), int(match.group(2)), int(match.group(3))
        if not 0 <= turn < len(history):
            return OpenStep(self.sources(history, len(history) - 1),
                            '<p class="rag-note">That answer is no longer in this chat.</p>')
        answer = history[turn][1]
        pool = {"src": answer.citations, "rel": answer.related,
                "alt": [a.citation for a in answer.alternatives]}[kind]
        if not 1 <= number <= len(pool):
            return OpenStep(self.sources(history, turn), '<p class="rag-note">That source is not there.</p>')
        citation = pool[number - 1]
        document = self._documents().get(citation.doc_id)
        label = {"src": f"source {number} of answer {turn + 1}", "rel": f"related sentence {number}",
                 "alt": "the other possible answer's source"}[kind]
        return OpenStep(self.sources(history, turn, active=ref), render_document(document, citation, label))

    # --- conversations ------------------------------------------------------------------------
    def _choices(self, owner: str) -> list[tuple[str, str]]:
        if self.store is None or not owner:
            return []
        return [(c.title, c.id) for c in self.store.list(owner)]

    def conversation_choices(self, session: Session) -> list[tuple[str, str]]:
        """(title, id) of this browser's conversations for the side list, most recent first."""
        try:
            return self._choices(session.owner)
        except (ConversationError, sqlite3.Error):
            logger.exception("could not list the conversations")
            return []

    def _show(self, session: Session, history: History, status: str = "") -> ConversationStep:
        panel = self.sources(history, len(history) - 1) if history else EMPTY_SOURCES
        return ConversationStep(ChatStep(to_messages(history), panel, history, "", session),
                                self._choices(session.owner), status)

    def start(self, owner: str) -> ConversationStep:
        """A page (re)load: the browser's most recent conversation, reopened as it was."""
        session = Session(owner=owner)
        try:
            recent = self._choices(owner)
            if not recent:
                return self._show(session, [])
            return self.open_conversation(session, recent[0][1])
        except (ConversationError, sqlite3.Error) as exc:
            logger.warning("could not reopen the conversations: %s", exc)
            return ConversationStep(self.clear(session), [], render_status(
                "Past conversations could not be loaded; new ones may not be kept.", False))

    def open_conversation(self, session: Session, conversation: str | None) -> ConversationStep:
        """Reopen one of this browser's conversations (its answers as they were given)."""
        if self.store is None or not conversation:
            return self._show(session, [])
        try:
            history = self.store.turns(session.owner, conversation)
        except ConversationError as exc:
            return self._show(replace(session, conversation=""), [], render_status(str(exc), False))
        return self._show(replace(session, conversation=conversation), history)

    def new_conversation(self, session: Session) -> ConversationStep:
        """An empty chat; it joins the list with its first answer."""
        return self._show(replace(session, conversation=""), [])

    def rename_conversation(self, session: Session, history: History, title: str | None) -> ConversationStep:
        """Rename the open conversation."""
        if self.store is None or not session.conversation:
            return self._show(session, history, render_status("Ask something first: a new chat has no name yet.",
                                                              False))
        try:
            self.store.rename(session.owner, session.conversation, title or "")
        except ConversationError as exc:
            return self._show(session, history, render_status(str(exc), False))
        return self._show(session, history, render_status("Renamed.", True))

    def delete_conversation(self, session: Session, history: History) -> ConversationStep:
        """Delete the open conversation and show an empty chat."""
        if self.store is None or not session.conversation:
            return self._show(replace(session, conversation=""), [])
        try:
            self.store.delete(session.owner, session.conversation)
        except ConversationError as exc:
            return self._show(session, history, render_status(str(exc), False))
        return self._show(replace(session, conversation=""), [], render_status("Conversation deleted.", True))

    # --- documents ----------------------------------------------------------------------------
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
        if not path:
            return self._upload_step(render_status(f"Choose a file to add ({FILE_TYPES}).", False), None)
        name = Path(path).name
        return self._change(path, progress, f"adding {name}", lambda data: self.assistant.add_file(name, data),
                            lambda doc, count: f"Added “{doc.title}” ({count} sentences). You can ask about it now.",
                            "Not added")

    def replace(self, doc_id: str | None, path: str | None, progress: ProgressFn | None = None) -> UploadStep:
        """Replace a document with a new version of its file; a rejected file changes nothing."""
        if not doc_id or doc_id not in self._documents():
            return self._upload_step(render_status("Choose the document to replace first.", False), None)
        if not path:
            return self._upload_step(render_status("Choose the new version's file.", False), doc_id)
        name = Path(path).name
        return self._change(path, progress, f"replacing {doc_id}",
                            lambda data: self.assistant.replace_file(doc_id, name, data),
                            lambda doc, count: f"Replaced “{doc.title}” with {name} ({count} sentences).",
                            "Not replaced", keep=doc_id)

    def remove(self, doc_id: str | None) -> UploadStep:
        """Remove a document from the corpus and the index."""
        doc = self._documents().get(doc_id or "")
        if doc is None:
            return self._upload_step(render_status("Choose the document to remove first.", False), None)
        try:
            self.assistant.remove_document(doc.doc_id)
        except RagError as exc:
            return self._upload_step(render_status(f"Not removed: {exc}", False), doc.doc_id)
        except Exception:  # the UI boundary: log the trace, show a short message
            logger.exception("removing %r failed", doc.doc_id)
            return self._upload_step(render_status(f"Not removed: {GENERIC_ERROR}", False), doc.doc_id)
        self._corpus_changed()
        return self._upload_step(render_status(f"Removed “{doc.title}”. Answers no longer use it.", True), None)

    def _change(self, path: str, progress: ProgressFn | None, what: str, apply: Callable[[bytes], Document],
                done: Callable[[Document, int], str], refused: str, keep: str | None = None) -> UploadStep:
        report: ProgressFn = progress or (lambda fraction, desc: None)
        name = Path(path).name
        try:
            report(0.05, f"Reading {name}")
            data = Path(path).read_bytes()
            report(0.2, f"Splitting and indexing {name}")
            document = apply(data)
        except RagError as exc:
            return self._upload_step(render_status(f"{refused}: {exc}", False), keep)
        except OSError as exc:
            return self._upload_step(render_status(f"{refused}: could not read {name} ({exc.strerror}).", False), keep)
        except Exception:  # the UI boundary: log the trace, show a short message
            logger.exception("%s failed", what)
            return self._upload_step(render_status(f"{refused}: {GENERIC_ERROR}", False), keep)
        self._corpus_changed()
        report(1.0, "Done")
        count = len(self.assistant.sentences(document.doc_id))
        return self._upload_step(render_status(done(document, count), True), document.doc_id)

    def _corpus_changed(self) -> None:
        with self._lock:
            self._variants.clear()   # derived assistants may hold the old corpus

    def _upload_step(self, status: str, selected: str | None) -> UploadStep:
        return UploadStep(status, self.documents_table(), self.document_choices(), selected)
