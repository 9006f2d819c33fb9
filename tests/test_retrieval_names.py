"""Issue 12 end to end, with the real embedding model: a name found wherever it is (with the
"weighted+boost" fusion, and with the defaults: "weighted" fusion, without the boost, which costs answer F1
on the shipped set, and the reranker; docs/EVALUATION.md),
and nothing offered as related that is not (any fusion)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from rag.assistant import NOT_IN_CORPUS
from rag.citing import NOTHING_RELATED

UPLOAD = ("Harbourside Trust opens the new Whanganui river pool\n\n"
          "The Harbourside Trust opened its new river pool in Whanganui on Saturday, after two years of building. "
          "Board chair Miriam Tolland said the pool cost $4.2 million, most of it raised from local donors. "
          "She thanked the volunteers who had run the fundraising stalls every weekend. "
          "The pool will be free for children under twelve until the end of the summer.")


@pytest.fixture(scope="module")
def with_upload(tmp_path_factory):
    """The assistant over a copy of the shipped corpus plus one document that names Miriam Tolland,
    fusing with weights fitted on SQuAD train and the exact-match boost for names."""
    from rag import Assistant
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("corpus_upload")
    for path in (ROOT / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    (folder / "harbourside_pool.txt").write_text(UPLOAD, encoding="utf-8")
    return Assistant.load(settings=Settings(corpus=folder, index=tmp_path_factory.mktemp("index_upload"),
                                            fusion="weighted+boost", show_progress=False))


@pytest.mark.slow
def test_a_fact_only_in_an_uploaded_document_is_retrieved_first_by_its_name(with_upload) -> None:
    hits = with_upload.retrieve("Who is Miriam Tolland?", k=5)
    assert "Board chair Miriam Tolland" in hits[0].sentence.text, [h.sentence.text for h in hits]
    rrf = with_upload.with_settings(fusion="rrf").retrieve("Who is Miriam Tolland?", k=5)
    assert all("Tolland" not in h.sentence.text for h in rrf[:1])   # what issue 12 saw: RRF pushes it down


@pytest.mark.slow
def test_a_fact_only_in_an_uploaded_document_is_answered_and_cited_first(with_upload) -> None:
    result = with_upload.ask("Who is Miriam Tolland?")
    assert not result.abstained, result.message
    assert "Miriam Tolland" in result.citations[0].sentence
    assert "chair" in result.text.lower() or "Harbourside" in result.text, result.text


@pytest.mark.slow
def test_the_default_fusion_and_reranker_also_put_the_uploaded_name_first(with_upload) -> None:
    """Without the name boost: weighted fusion and the reranker (the defaults) find it as well."""
    from rag.settings import Settings

    default = with_upload.with_settings(fusion=Settings.fusion)
    assert default.settings.reranker == Settings.reranker == "trained"
    assert "Miriam Tolland" in default.retrieve("Who is Miriam Tolland?", k=1)[0].sentence.text
    result = default.ask("Who is Miriam Tolland?")
    assert not result.abstained and "Miriam Tolland" in result.citations[0].sentence, result.message


@pytest.mark.slow
def test_an_off_topic_question_is_refused_with_nothing_offered_as_related(with_upload) -> None:
    result = with_upload.ask("What is the capital of France?")
    assert result.abstained and result.related == []
    assert result.message.startswith(NOT_IN_CORPUS) and NOTHING_RELATED in result.message


@pytest.mark.slow
def test_related_passages_of_an_unanswerable_question_are_best_first_in_0_1(with_upload) -> None:
    result = with_upload.ask("What is Gaurav Sharma's favourite food?")
    assert result.abstained and result.related and result.message == NOT_IN_CORPUS
    scores = [c.score for c in result.related]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
