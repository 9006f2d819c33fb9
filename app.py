"""The browser chat: ``python app.py [--host H] [--port P] [--corpus PATH] [--index DIR] [--store SPEC]
[--history FILE] [--auth USERS_FILE]``.

Only wiring: it loads the assistant once, warms it up, and binds gradio components to the
step functions in ``rag.ui``, where all rendering and error handling live.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import gradio as gr

from rag.accounts import checker, load_users
from rag.conversations import ConversationStore, new_owner_id, valid_owner
from rag.errors import RagError
from rag.paths import PROJECT_ROOT
from rag.settings import BACKENDS, READERS, Settings
from rag.ui import (CSS, EMPTY_SOURCES, EMPTY_VIEWER, EXAMPLES, FILE_TYPES, MAX_TOP_K, OPEN_JS, READER_INFO,
                    READER_LABEL, TOP_K_INFO, TOP_K_LABEL, ChatUI, History, Session, render_document, warm_up)
from rag.vector_store import store_arg

logger = logging.getLogger("app")

DEFAULT_HISTORY = PROJECT_ROOT / ".data" / "conversations.sqlite3"   # .data/ is gitignored

# System fonts only: the default theme would fetch Google Fonts, and this runs offline.
THEME = gr.themes.Default(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                          font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options: where to listen, which corpus/index to serve, where to keep chats."""
    parser = argparse.ArgumentParser(description="Chat with the documents in a corpus, in the browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder of .txt/.md/.html/.pdf/.docx files or a .jsonl file (default: the shipped corpus)")
    parser.add_argument("--index", type=Path, default=None, help="folder for the persisted index")
    parser.add_argument("--store", type=store_arg, default=Settings.store,
                        help="where vectors live: faiss (default), milvus:PATH.db or milvus:http://HOST:19530")
    parser.add_argument("--reader", choices=READERS, default=None,
                        help="the reader answers start with (default: the settings default)")
    parser.add_argument("--embedder-backend", choices=BACKENDS, default=Settings.embedder_backend,
                        help="what runs the embedding model (an ONNX one and an ONNX reader: no torch at all)")
    parser.add_argument("--reader-backend", choices=BACKENDS, default=Settings.reader_backend,
                        help="what runs the trained reader")
    parser.add_argument("--threads", type=int, default=Settings.threads,
                        help="CPU threads per model call while answering (1 can be faster on a busy machine)")
    parser.add_argument("--history", type=Path, default=DEFAULT_HISTORY,
                        help="SQLite file of the kept conversations (default: .data/conversations.sqlite3)")
    parser.add_argument("--auth", type=Path, default=None,
                        help="users file: ask for a name and password (python -m rag.accounts FILE NAME adds one)")
    args = parser.parse_args(argv)
    if args.threads <= 0:
        parser.error(f"--threads must be positive, got {args.threads}")
    return args


def owner_of(browser_id: object, request: gr.Request | None) -> tuple[str, str]:
    """(the browser's id, the conversations' owner): a fresh random id when the browser has none;
    with login on, the owner is the user name and the browser's id together."""
    browser = browser_id if valid_owner(browser_id) and len(str(browser_id)) == len(new_owner_id()) else new_owner_id()
    user = getattr(request, "username", None) if request is not None else None
    return str(browser), f"{user}:{browser}" if user else str(browser)


def build(ui: ChatUI) -> gr.Blocks:
    """The page: a side list of conversations, the chat with a source viewer, sources and settings,
    and a Documents tab to read, add, replace and remove documents."""
    settings = ui.assistant.settings
    secret = ui.store.browser_secret() if ui.store is not None else None

    with gr.Blocks(title="Ask the documents", analytics_enabled=False) as demo:
        history = gr.State([])
        session = gr.State(Session())
        browser = gr.BrowserState(None, storage_key="rag-browser-id", secret=secret)
        gr.Markdown("## Ask the documents\nAnswers are quoted from the documents, with their sources.")
        with gr.Sidebar(label="Conversations", open=False, elem_id="sidebar"):
            gr.Markdown("### Conversations")
            conversations = gr.Radio([], label="Past conversations (newest first)", elem_id="conversations")
            conversation_name = gr.Textbox(label="Name of this conversation", elem_id="conversation-name",
                                           max_lines=1)
            with gr.Row():
                rename_button = gr.Button("Rename", size="sm", elem_id="rename-conversation")
                delete_button = gr.Button("Delete", size="sm", variant="stop", elem_id="delete-conversation")
            conversation_status = gr.HTML(elem_id="conversation-status")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            elem_id="chat", label="Chat", show_label=False, height=560, render_markdown=False,
                            sanitize_html=True, latex_delimiters=[], allow_tags=False,
                            feedback_options=None, buttons=["copy", "copy_all"],
                            examples=[{"text": q} for q in EXAMPLES])
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask a question about the documents…",
                                                  label="Question", show_label=False, scale=5,
                                                  elem_id="question", max_lines=3)
                            ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                            api_button = gr.Button(visible=False)   # carries the /ask API endpoint
                        clear_button = gr.Button("New chat", elem_id="clear", size="sm")
                        with gr.Accordion("Settings", open=False, elem_id="settings"):
                            top_k = gr.Slider(1, MAX_TOP_K, value=settings.top_k, step=1, label=TOP_K_LABEL,
                                              info=TOP_K_INFO, elem_id="top-k")
                            reader = gr.Radio(list(READERS), value=settings.reader, label=READER_LABEL,
                                              info=READER_INFO, elem_id="reader")
                    with gr.Column(scale=2):
                        viewer = gr.HTML(EMPTY_VIEWER, elem_id="viewer", js_on_load=OPEN_JS)
                        sources = gr.HTML(EMPTY_SOURCES, label="Sources", elem_id="sources")
            with gr.Tab("Documents", id="docs-tab", elem_id="docs-tab") as docs_tab:
                documents = gr.HTML(elem_id="doc-table")
                with gr.Row():
                    with gr.Column(scale=3):
                        picker = gr.Dropdown(label="Read a document", elem_id="doc-pick")
                        document_view = gr.HTML(render_document(None), elem_id="doc-view")
                    with gr.Column(scale=2):
                        # no file_types: a refused file reaches the server, which says why in the status line
                        upload = gr.File(label=f"Add a document ({FILE_TYPES}, up to 5 MB)", type="filepath",
                                         elem_id="upload")
                        status = gr.HTML(elem_id="upload-status")
                        gr.Markdown("**The document chosen under “Read a document”:**")
                        replacement = gr.File(label="Replace it with a new version (a file of the same type)",
                                              type="filepath", elem_id="replace")
                        remove_button = gr.Button("Remove it from the documents", variant="stop",
                                                  elem_id="remove")

        def ask_api(question: str, past: History, top_k: float, reader: str) -> tuple:
            step = ui.ask(question, past, top_k, reader)   # an API client: nothing is stored
            return step.messages, step.sources, step.history, step.draft

        def ask(question: str, past: History, top_k: float, reader: str, state: Session, browser_id: object,
                request: gr.Request) -> tuple:
            if not state.owner and valid_owner(browser_id):   # asked before the page's load event ran
                state = Session(owner=owner_of(browser_id, request)[1])
            step = ui.ask(question, past, top_k, reader, state)
            return step.messages, step.sources, step.history, step.draft, step.session

        def ask_example(past: History, top_k: float, reader: str, state: Session, browser_id: object,
                        request: gr.Request, evt: gr.SelectData) -> tuple:
            value = evt.value if isinstance(evt.value, dict) else {}
            return ask(str(value.get("text", "")), past, top_k, reader, state, browser_id, request)

        def show_turn(past: History, evt: gr.SelectData) -> str:
            index = evt.index if isinstance(evt.index, int) else -1
            return ui.sources(past, index // 2 if index >= 0 else -1)

        def open_source(past: History, evt: gr.EventData) -> tuple:
            step = ui.open_source(past, str(getattr(evt, "_data", {}).get("ref", "")))
            return step.sources, step.viewer

        def conversation_outputs(step: Any) -> tuple:
            chat = step.chat
            return (chat.messages, chat.sources, chat.history, chat.session, EMPTY_VIEWER,
                    gr.Radio(choices=step.choices, value=chat.session.conversation or None),
                    _name(step.choices, chat.session.conversation), step.status)

        def _name(choices: list[tuple[str, str]], conversation: str) -> str:
            return next((title for title, cid in choices if cid == conversation), "")

        def start(browser_id: object, request: gr.Request) -> tuple:
            browser_id, owner = owner_of(browser_id, request)
            return (browser_id, *conversation_outputs(ui.start(owner)))

        def listed(state: Session) -> tuple:
            choices = ui.conversation_choices(state)
            return gr.Radio(choices=choices, value=state.conversation or None), _name(choices, state.conversation)

        def clear(state: Session) -> tuple:
            return conversation_outputs(ui.new_conversation(state))

        def refresh(selected: str | None) -> tuple:
            choices = ui.document_choices()
            value = selected if selected in {c[1] for c in choices} else None
            return ui.documents_table(), gr.Dropdown(choices=choices, value=value)

        def changed(step: Any) -> tuple:
            picked = gr.Dropdown(choices=step.choices, value=step.selected)
            return step.status, step.documents, picked, ui.show_document(step.selected), None

        def add(path: str | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple:
            return changed(ui.upload(path, progress))

        def replace(doc_id: str | None, path: str | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple:
            return changed(ui.replace(doc_id, path, progress))

        def remove(doc_id: str | None) -> tuple:
            return changed(ui.remove(doc_id))

        private: dict[str, Any] = dict(api_visibility="private")
        assistant_slot: dict[str, Any] = dict(concurrency_id="assistant", concurrency_limit=1)
        conversation_io = [chatbot, sources, history, session, viewer, conversations, conversation_name,
                           conversation_status]
        # Asking and changing documents share one queue slot: the assistant is shared and the CPU has 2 cores.
        # The browser's events also read the browser's id (a BrowserState); API clients have none, so
        # /ask is its own endpoint on a hidden button, with the inputs and outputs it always had.
        api_button.click(ask_api, inputs=[question, history, top_k, reader], outputs=[chatbot, sources, history, question],
                         api_name="ask", **assistant_slot)
        chat_io: dict[str, Any] = dict(inputs=[question, history, top_k, reader, session, browser],
                                       outputs=[chatbot, sources, history, question, session], **assistant_slot,
                                       **private)
        list_io: dict[str, Any] = dict(inputs=[session], outputs=[conversations, conversation_name], **private)
        question.submit(ask, **chat_io).then(listed, **list_io)
        ask_button.click(ask, **chat_io).then(listed, **list_io)
        chatbot.example_select(ask_example, inputs=[history, top_k, reader, session, browser],
                               outputs=[chatbot, sources, history, question, session], **private,
                               **assistant_slot).then(listed, **list_io)
        chatbot.select(show_turn, inputs=[history], outputs=[sources], **private)
        viewer.click(open_source, inputs=[history], outputs=[sources, viewer], **private)
        clear_button.click(clear, inputs=[session], outputs=conversation_io, **private)
        chatbot.clear(clear, inputs=[session], outputs=conversation_io, **private)
        conversations.input(lambda state, cid: conversation_outputs(ui.open_conversation(state, cid)),
                            inputs=[session, conversations], outputs=conversation_io, **private)
        rename_button.click(lambda state, past, name: conversation_outputs(ui.rename_conversation(state, past, name)),
                            inputs=[session, history, conversation_name], outputs=conversation_io, **private)
        conversation_name.submit(lambda state, past, name: conversation_outputs(
            ui.rename_conversation(state, past, name)), inputs=[session, history, conversation_name],
            outputs=conversation_io, **private)
        delete_button.click(lambda state, past: conversation_outputs(ui.delete_conversation(state, past)),
                            inputs=[session, history], outputs=conversation_io, **private)
        picker.change(ui.show_document, inputs=[picker], outputs=[document_view], **private)
        doc_io = [status, documents, picker, document_view]
        upload.upload(add, inputs=[upload], outputs=[*doc_io, upload], **private, **assistant_slot)
        replacement.upload(replace, inputs=[picker, replacement], outputs=[*doc_io, replacement], **private,
                           **assistant_slot)
        remove_button.click(remove, inputs=[picker], outputs=[*doc_io, replacement], **private, **assistant_slot)
        docs_tab.select(refresh, inputs=[picker], outputs=[documents, picker], **private)
        demo.load(refresh, inputs=[picker], outputs=[documents, picker], **private)
        demo.load(start, inputs=[browser], outputs=[browser, *conversation_io], **private)
    return demo


def main(argv: list[str] | None = None) -> int:
    """Load the model once, answer one question to warm it up, then serve until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)   # one line per HTTP request otherwise
    from rag.assistant import Assistant   # heavy (torch, faiss): only once arguments are valid

    paths = {k: v for k, v in (("corpus", args.corpus), ("index", args.index)) if v is not None}
    try:
        auth = checker(load_users(args.auth)) if args.auth is not None else None
        settings = Settings(embedder_backend=args.embedder_backend, reader_backend=args.reader_backend,
                            threads=args.threads, store=args.store)
        assistant = Assistant.load(**paths, settings=settings)
        if args.reader is not None:
            assistant = assistant.with_settings(reader=args.reader)
        store = ConversationStore(args.history)   # after the corpus loaded: a failed start creates nothing
    except (RagError, sqlite3.Error, OSError) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    for skipped in assistant.skipped:
        logger.warning("not loaded: %s (%s)", skipped.source, skipped.reason)
    logger.info("warm-up (a question and a follow-up) took %.2f s", warm_up(assistant))

    demo = build(ChatUI(assistant, store))
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=args.host, server_port=args.port, css=CSS, theme=THEME, ssr_mode=False,
                show_error=False, quiet=True, max_file_size="20mb", prevent_thread_lock=True, auth=auth,
                auth_message="Log in to ask the documents." if auth else None)
    print(f"Ask the documents: open {demo.local_url} in a browser (Ctrl+C to stop).", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
