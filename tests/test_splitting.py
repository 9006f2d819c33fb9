"""Sentence splitting keeps exact offsets, and copes with news text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.corpus import load_corpus
from rag.splitting import split_documents, split_sentences
from rag.types import Document

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus"] + [p for p in (ROOT / "tests" / "data").glob("*") if p.is_dir() or p.suffix == ".jsonl"]


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_offsets_are_exact_on_every_corpus_in_the_repo(path: Path) -> None:
    corpus = load_corpus(path)
    by_id = corpus.by_id()
    sentences = split_documents(corpus.documents)
    for doc_id, doc_sentences in sentences.items():
        assert doc_sentences, f"{doc_id} produced no sentences"
        for i, s in enumerate(doc_sentences):
            assert by_id[doc_id].text[s.start:s.end] == s.text
            assert s.index == i and s.text == s.text.strip()


def test_news_abbreviations_quotes_and_ellipses() -> None:
    text = ('Dr Sharma met Ms Ardern and Mr McAnulty. "There is a pathway back," she said. '
            'He paused... then left. The U.S. envoy arrived.\nA new paragraph starts here')
    sentences = [s.text for s in split_sentences(Document("d", "t", text))]
    assert sentences[0] == "Dr Sharma met Ms Ardern and Mr McAnulty."
    assert sentences[1] == '"There is a pathway back," she said.'
    assert sentences[-1] == "A new paragraph starts here"
    assert not any(s in ("Dr", "Ms", "Mr") for s in sentences)


def test_sentences_never_cross_paragraphs() -> None:
    text = "Line one has no full stop\nLine two has none either"
    assert [s.text for s in split_sentences(Document("d", "t", text))] == [
        "Line one has no full stop", "Line two has none either"]


_FRESH_SPACY = """
import sys
from rag.nlp import full_pipeline
ents = [e.label_ for e in full_pipeline()("Jacinda Ardern met Gaurav Sharma in Hamilton.").ents]
loaded = sorted(m for m in ("torch", "spacy.cli", "weasel", "typer") if m in sys.modules)
import spacy, spacy.cli
print(ents, loaded, spacy.cli.__file__.endswith("__init__.py"), callable(spacy.cli.download), spacy.info()["spacy_version"])
"""


def test_spacy_loads_without_torch_or_its_command_line_which_stays_importable() -> None:
    """rag.nlp keeps torch and spaCy's command line (~0.4 s of every cold start) out of the import,
    and a later ``import spacy.cli`` or ``spacy.info()`` still gets the real thing."""
    import spacy

    done = subprocess.run([sys.executable, "-c", _FRESH_SPACY], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["['PERSON',", "'PERSON',", "'GPE']", "[]", "True", "True", spacy.__version__]


_PRELOAD = """
import sys
from rag import nlp
thread = nlp.preload()
import torch                                  # another thread may import torch meanwhile
thread.join()
print(thread is not None, nlp.preload() is None, "torch" in sys.modules,
      [e.label_ for e in nlp.full_pipeline()("Jacinda Ardern spoke.").ents])
"""


def test_spacy_preloads_on_a_thread_and_torch_stays_importable_meanwhile() -> None:
    """``rag.nlp.preload`` loads the pipeline once on its own thread; keeping torch out of spaCy's
    import applies to that thread only, so the main thread can import torch at the same time."""
    done = subprocess.run([sys.executable, "-c", _PRELOAD], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True", "True", "['PERSON']"]
    assert "failed" not in done.stderr
