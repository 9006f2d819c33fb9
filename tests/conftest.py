"""Shared fixtures: a readable fake embedder, a miniature corpus, and the real models once per session."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


class FakeEmbedder:
    """Bag-of-words vectors: each lower-cased word sets one of 64 dimensions, so texts sharing
    words are similar, and a test can predict the ranking by eye. Counts what it embeds."""

    name = "fake-bow"
    dim = 64

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def fake_split(documents):
    """Split on '. ' only: enough for the miniature corpus, and no spaCy needed."""
    from rag.types import Sentence

    out = {}
    for doc in documents:
        sentences, start = [], 0
        for match in re.finditer(r"[^.]+\.?", doc.text):
            s, e = match.span()
            while s < e and doc.text[s].isspace():
                s += 1
            if s < e:
                sentences.append(Sentence(doc.doc_id, len(sentences), s, e, doc.text[s:e]))
        out[doc.doc_id] = sentences
    return out


class SentenceReader:
    """A fake reader: answers with each window's hit sentence, best window first (no spaCy, no model)."""

    name = "fake-sentence"

    def read(self, question: str, windows):
        from rag.types import Span

        return [Span(w.sentences[w.center].text, w.doc_id, w.sentences[w.center].start,
                     w.sentences[w.center].end, 1.0 / (1 + w.rank), w.rank) for w in windows]


def spans_in(windows, wants) -> list:
    """A fake reader's spans: each (text, score) of ``wants`` wherever a window's sentence holds the text."""
    from rag.types import Span

    return [Span(text, w.doc_id, x.start + x.text.index(text), x.start + x.text.index(text) + len(text), score, w.rank)
            for text, score in wants for w in windows for x in w.sentences if text in x.text]


def one_story(tmp_path: Path, text: str, abstain_below: float):
    """Settings over a corpus of one story (``text``), read whole sentence by sentence, with no reranker."""
    from rag.settings import Settings

    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    return Settings(corpus=corpus, index=tmp_path / "idx", show_progress=False, window=0, reranker="none",
                    abstain_below=abstain_below)


class FakeSplitter:
    """``fake_split`` behind the Splitter seam."""

    name = "fake-split"

    def split(self, documents):
        return fake_split(documents)


MINI = {
    "cats.txt": "Cats sleep for sixteen hours a day. A cat named Tom lived in Paris. Tom liked fish.",
    "dogs.txt": "Dogs bark at the postman. The dog Rex was born in 2015. Rex lives in Berlin.",
    "birds.md": "# Birds\nParrots can talk. The parrot Polly is 30 years old.",
}


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir()
    for name, text in MINI.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def shipped_corpus(tmp_path_factory) -> Path:
    """A private copy of the shipped corpus, so tests never touch corpus/."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in (ROOT / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def assistant(shipped_corpus, tmp_path_factory):
    """The real assistant (real embedding model, FAISS, default reader) on the shipped corpus, once."""
    from rag import Assistant
    from rag.settings import Settings

    return Assistant.load(settings=Settings(corpus=shipped_corpus, index=tmp_path_factory.mktemp("index"),
                                            show_progress=False))


# --- files in other formats, built here rather than committed as binaries -----------------------

def make_pdf(pages: Sequence[Sequence[str]], title: str = "") -> bytes:
    """A minimal PDF (Helvetica, one text line per string, one list of lines per page), written by
    hand: enough for pypdf's text extraction. A page with no lines has no text layer, like a scan."""
    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = "".join(f"({escape(line)}) Tj T* " for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 72 720 Td {ops}ET" if lines else "0 0 1 rg 72 600 200 100 re f"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    info = f" /Info {len(objects) + 1} 0 R" if title else ""
    if title:
        objects.append(f"<< /Title ({escape(title)}) >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """The PDF locked with a user password (RC4: pypdf needs no crypto package for it)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(paragraphs: Sequence[str], title: str = "", table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word .docx with these paragraphs (and an optional table after them), via python-docx."""
    import io

    import docx

    document = docx.Document()
    document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
