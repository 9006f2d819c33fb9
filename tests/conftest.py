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
