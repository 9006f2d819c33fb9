"""Tests of rag.readers.trained (the shipped models/reader) and the gold-paragraph windows."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import ModelError, QuestionError
from rag.tools.gold_eval import paragraph_windows
from rag.types import Reader, Sentence, Window

MODEL_DIR = None   # None = the shipped models/reader
DOC_ID = "doc-1"
DOC = ("Intro line that no one asks about. The Eiffel Tower was finished in 1889 for the World's Fair. "
       "It stands on the Champ de Mars in Paris. Gustave Eiffel's company designed and built it. "
       "The tower is 330 metres tall and was the tallest structure in the world until 1930.")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        spans.append((start, end))
        start = end + 1
    return spans


def _windows(size: int = 2) -> list[Window]:
    return paragraph_windows(DOC_ID, "Eiffel Tower", DOC, _sentence_spans(DOC), window=size, stride=1)


def test_paragraph_windows_keep_document_offsets() -> None:
    spans = _sentence_spans(DOC)
    assert [DOC[s:e] for s, e in spans][0] == "Intro line that no one asks about."
    windows = _windows(2)
    assert len(windows) == len(spans) - 1
    for r, w in enumerate(windows):
        assert DOC[w.start:w.end] == w.text and w.rank == r and len(w.sentences) == 2
        assert all(DOC[s.start:s.end] == s.text for s in w.sentences)
    whole = paragraph_windows(DOC_ID, "t", DOC, spans, window=0, stride=1)
    assert len(whole) == 1 and whole[0].text == DOC


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    from rag.readers.trained import TrainedReader

    with pytest.raises(ModelError, match="does not exist"):
        TrainedReader(tmp_path / "nowhere")


@pytest.fixture(scope="session")
def reader():
    """The shipped reader, loaded once for the whole session."""
    from rag.readers.trained import TrainedReader

    return TrainedReader(MODEL_DIR)


@pytest.mark.slow
def test_spans_are_verbatim_with_document_offsets_one_per_window(reader) -> None:
    windows = _windows(2)
    spans = reader.read("When was the Eiffel Tower finished?", windows)
    assert isinstance(reader, Reader) and reader.name == "trained"
    assert len(spans) == len(windows)
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)
    for span in spans:
        window = windows[span.window_rank]
        assert span.doc_id == DOC_ID and span.text
        assert DOC[span.start:span.end] == span.text
        assert window.start <= span.start < span.end <= window.end
        assert 0.0 <= span.score <= 1.0 and 0.0 <= span.no_answer <= 1.0
    assert spans[0].text == "1889"


@pytest.mark.slow
def test_batched_read_equals_one_window_at_a_time(reader) -> None:
    """Padding in the batch must not change any window's answer or scores (per-window softmax,
    so each window's scores can be compared alone; the shipped reader's joint scores are tested below)."""
    from rag.readers.trained import TrainedReader

    reader = TrainedReader(MODEL_DIR, normalization="window")
    windows = [replace(w, rank=i) for i, w in enumerate(_windows(1) + _windows(3))]
    question = "Who built the tower?"
    batched = {s.window_rank: s for s in reader.read(question, windows)}
    alone = [reader.read(question, [w])[0] for w in windows]
    assert len(batched) == len(windows)
    for span in alone:
        twin = batched[span.window_rank]
        assert (twin.text, twin.start) == (span.text, span.start)
        assert twin.score == pytest.approx(span.score, abs=1e-4)
        assert twin.no_answer == pytest.approx(span.no_answer, abs=1e-4)


def test_windows_of_about_one_length_are_read_together() -> None:
    from rag.readers.trained import length_groups

    assert length_groups([98, 126, 60, 100, 97]) == [[1], [3, 0, 4], [2]]   # padding within 10% of the tokens
    assert length_groups([100] * 4) == [[0, 1, 2, 3]] and length_groups([]) == []
    groups = length_groups([10, 200, 30, 190, 11], tolerance=1.5)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]


def test_reading_in_length_groups_gives_the_logits_of_one_padded_batch(reader) -> None:
    """Each group is cut to its own longest window; the logits of every real token are those of
    one batch padded to the longest window (past a window's end nothing is read)."""
    import numpy as np

    windows = _windows(1) + _windows(3) + [replace(_windows(1)[0], text=DOC)]
    feeds, _ = reader.encode("Who built the tower?", windows)
    grouped = reader._run_grouped(feeds)
    padded = reader._loaded.run(feeds)
    real = feeds["attention_mask"].astype(bool)
    assert len(set(feeds["attention_mask"].sum(axis=1).tolist())) > 2        # lengths differ: several groups
    for ours, theirs in zip(grouped, padded):
        assert ours.shape == theirs.shape
        assert np.abs(ours[real] - theirs[real]).max() < 1e-3


@pytest.mark.slow
def test_joint_scores_share_one_softmax_across_windows() -> None:
    """Normalised jointly (as the reader was trained), the best spans of all windows are
    disjoint events of one distribution: their probabilities sum to at most 1, and the
    answer is the same as when each window is scored on its own."""
    from rag.readers.trained import TrainedReader

    joint = TrainedReader(MODEL_DIR, normalization="joint")
    windows = [replace(w, rank=i) for i, w in enumerate(_windows(1))]
    spans = joint.read("When was the Eiffel Tower finished?", windows)
    assert sum(s.score for s in spans) <= 1.0 + 1e-4
    assert spans[0].text == "1889"
    alone = TrainedReader(MODEL_DIR, normalization="window").read("When was the Eiffel Tower finished?", windows)
    assert alone[0].text == "1889"


@pytest.mark.slow
def test_no_answer_is_higher_where_the_answer_is_absent(reader) -> None:
    spans = _sentence_spans(DOC)
    question = "How tall is the tower?"

    def window(i: int) -> Window:
        s, e = spans[i]
        return Window(DOC_ID, "t", DOC[s:e], s, e, (Sentence(DOC_ID, i, s, e, DOC[s:e]),), 0, i, 0.0)
    with_answer = reader.read(question, [window(4)])[0]
    without = reader.read(question, [window(0)])[0]
    assert "330" in with_answer.text
    assert without.no_answer > with_answer.no_answer


@pytest.mark.slow
def test_empty_question_and_empty_windows(reader) -> None:
    with pytest.raises(QuestionError):
        reader.read("  ", _windows())
    assert reader.read("Who built it?", []) == []


@pytest.mark.slow
def test_model_is_loaded_once_per_folder(reader) -> None:
    from rag.readers import load_reader
    from rag.readers.trained import _load

    before = _load.cache_info().hits
    again = load_reader("trained")
    assert again._loaded is reader._loaded and _load.cache_info().hits == before + 1


@pytest.mark.slow
def test_corrupted_weights_fail_with_both_hashes(reader, tmp_path: Path) -> None:
    from rag.readers.trained import TrainedReader, expected_sha256

    copy = tmp_path / "reader"
    shutil.copytree(reader.folder, copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match") as info:
        TrainedReader(copy)
    assert str(weights) in str(info.value) and expected_sha256(copy) in str(info.value)
    (copy / "SHA256SUMS").unlink()
    with pytest.raises(ModelError, match="SHA256SUMS"):
        TrainedReader(copy)


@pytest.mark.slow
def test_int8_reader_still_gives_verbatim_spans(reader) -> None:
    from rag.readers.trained import TrainedReader

    quantized = TrainedReader(reader.folder, quantize=True)
    spans = quantized.read("When was the Eiffel Tower finished?", _windows(2))
    assert spans and all(DOC[s.start:s.end] == s.text for s in spans)
    assert spans[0].text == "1889"
