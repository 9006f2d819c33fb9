"""The browser chat: ``python app.py [--host H] [--port P] [--corpus PATH] [--index DIR]``.

Only wiring: it loads the assistant once, warms it up, and binds gradio components to the
step functions in ``rag.ui``, where all rendering and error handling live.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import gradio as gr

from rag.errors import RagError
from rag.settings import READERS
from rag.types import Answer
from rag.ui import CSS, EMPTY_SOURCES, EXAMPLES, MAX_TOP_K, ChatUI, render_document, warm_up

logger = logging.getLogger("app")

# System fonts only: the default theme would fetch Google Fonts, and this runs offline.
THEME = gr.themes.Default(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                          font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options: where to listen and which corpus/index to serve."""
    parser = argparse.ArgumentParser(description="Chat with the documents in a corpus, in the browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder of .txt/.md/.html files or a .jsonl file (default: the shipped corpus)")
    parser.add_argument("--index", type=Path, default=None, help="folder for the persisted index")
    parser.add_argument("--reader", choices=READERS, default=None,
                        help="the reader answers start with (default: the settings default)")
    return parser.parse_args(argv)


def build(ui: ChatUI) -> gr.Blocks:
    """The page: chat with a sources panel and settings, and a Documents tab with upload."""
    settings = ui.assistant.settings

    with gr.Blocks(title="Ask the documents", analytics_enabled=False) as demo:
        history = gr.State([])
        gr.Markdown("## Ask the documents\nAnswers are quoted from the documents, with their sources.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            elem_id="chat", label="Chat", height=560, render_markdown=False,
                            sanitize_html=True, latex_delimiters=[], allow_tags=False,
                            feedback_options=None, buttons=["copy", "copy_all"],
                            examples=[{"text": q} for q in EXAMPLES])
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask a question about the documents…",
                                                  label="Question", show_label=False, scale=5,
                                                  elem_id="question", max_lines=3)
                            ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        clear_button = gr.Button("Clear chat", elem_id="clear", size="sm")
                        with gr.Accordion("Settings", open=False, elem_id="settings"):
                            top_k = gr.Slider(1, MAX_TOP_K, value=settings.top_k, step=1,
                                              label="Number of sources searched (top_k)", elem_id="top-k")
                            reader = gr.Radio(list(READERS), value=settings.reader, label="Reader",
                                              elem_id="reader")
                    with gr.Column(scale=2):
                        sources = gr.HTML(EMPTY_SOURCES, label="Sources", elem_id="sources")
            with gr.Tab("Documents", id="docs-tab", elem_id="docs-tab") as docs_tab:
                documents = gr.HTML(elem_id="doc-table")
                with gr.Row():
                    with gr.Column(scale=3):
                        picker = gr.Dropdown(label="Read a document", elem_id="doc-pick")
                        viewer = gr.HTML(render_document(None), elem_id="doc-view")
                    with gr.Column(scale=2):
                        upload = gr.File(label="Add a document (.txt, .md or .html, up to 5 MB)",
                                         file_types=[".txt", ".md", ".html"], type="filepath",
                                         elem_id="upload")
                        status = gr.HTML(elem_id="upload-status")

        def ask(question: str, past: list[tuple[str, Answer]], top_k: float, reader: str) -> tuple:
            step = ui.ask(question, past, top_k, reader)
            return step.messages, step.sources, step.history, ""

        def ask_example(past: list[tuple[str, Answer]], top_k: float, reader: str,
                        evt: gr.SelectData) -> tuple:
            value = evt.value if isinstance(evt.value, dict) else {}
            return ask(str(value.get("text", "")), past, top_k, reader)

        def show_turn(past: list[tuple[str, Answer]], evt: gr.SelectData) -> str:
            index = evt.index if isinstance(evt.index, int) else -1
            return ui.sources(past, index // 2 if index >= 0 else -1)

        def clear() -> tuple:
            step = ui.clear()
            return step.messages, step.sources, step.history

        def refresh(selected: str | None) -> tuple:
            choices = ui.document_choices()
            value = selected if selected in {c[1] for c in choices} else None
            return ui.documents_table(), gr.Dropdown(choices=choices, value=value)

        def add(path: str | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple:
            step = ui.upload(path, progress)
            picked = gr.Dropdown(choices=step.choices, value=step.selected) if step.selected else \
                gr.Dropdown(choices=step.choices)
            return step.status, step.documents, picked, None

        # Asking and uploading share one queue slot: the assistant is shared and the CPU has 2 cores.
        chat_io: dict[str, Any] = dict(inputs=[question, history, top_k, reader],
                                       outputs=[chatbot, sources, history, question],
                                       concurrency_id="assistant", concurrency_limit=1)
        question.submit(ask, api_name="ask", **chat_io)
        ask_button.click(ask, api_visibility="private", **chat_io)
        chatbot.example_select(ask_example, inputs=[history, top_k, reader],
                               outputs=[chatbot, sources, history, question], api_visibility="private",
                               concurrency_id="assistant", concurrency_limit=1)
        chatbot.select(show_turn, inputs=[history], outputs=[sources], api_visibility="private")
        clear_button.click(clear, outputs=[chatbot, sources, history], api_visibility="private")
        chatbot.clear(clear, outputs=[chatbot, sources, history], api_visibility="private")
        picker.change(ui.show_document, inputs=[picker], outputs=[viewer], api_visibility="private")
        upload.upload(add, inputs=[upload], outputs=[status, documents, picker, upload],
                      api_visibility="private", concurrency_id="assistant", concurrency_limit=1)
        docs_tab.select(refresh, inputs=[picker], outputs=[documents, picker], api_visibility="private")
        demo.load(refresh, inputs=[picker], outputs=[documents, picker], api_visibility="private")
    return demo


def main(argv: list[str] | None = None) -> int:
    """Load the model once, answer one question to warm it up, then serve until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)   # one line per HTTP request otherwise
    from rag.assistant import Assistant   # heavy (torch, faiss): only once arguments are valid

    paths = {k: v for k, v in (("corpus", args.corpus), ("index", args.index)) if v is not None}
    try:
        assistant = Assistant.load(**paths)
        if args.reader is not None:
            assistant = assistant.with_settings(reader=args.reader)
    except RagError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    for skipped in assistant.skipped:
        logger.warning("not loaded: %s (%s)", skipped.source, skipped.reason)
    logger.info("warm-up (a question and a follow-up) took %.2f s", warm_up(assistant))

    demo = build(ChatUI(assistant))
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=args.host, server_port=args.port, css=CSS, theme=THEME, ssr_mode=False,
                show_error=False, quiet=True, max_file_size="20mb", prevent_thread_lock=True)
    print(f"Ask the documents: open {demo.local_url} in a browser (Ctrl+C to stop).", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
