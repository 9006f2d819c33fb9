"""Answer confidence: a logistic model over reader and retrieval scores, calibrated per reader.

The weights and the refusal threshold are fitted by ``python -m rag calibrate`` on answerable
and unanswerable questions and stored, with how they were measured, in ``rag/calibration.json``.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rag.types import Span, Window

log = logging.getLogger(__name__)
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# The reader's probabilities enter as log-odds: they crowd against 0 and 1 (a no-answer score of
# 0.97 and of 0.9999 differ a lot), and a linear model over raw probabilities cannot see that.
# "clause_question": 1 for a why / how / yes-no / what-did question (``rag.clauses.question_form``),
# whose answer is a clause: the reader, trained on SQuAD's factoid spans, is right less often on those
# at the same scores, and the fit learns by how much (session 11, docs/EVALUATION.md).
FEATURES = ("span_logit", "answerable_logit", "top_dense", "span_dense", "type_fit", "clause_question")
# With a reranker in the path, its P(the sentence answers) as log-odds: the best window's and the
# answer's window's. A cross-encoder trained on hard negatives tells "on topic" from "answers it".
RERANK_FEATURES = ("top_rerank", "span_rerank")
_EPS = 1e-6


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over FEATURES, a bias, the confidence below which we refuse, and the one
    below which a given answer is marked uncertain ("may be wrong")."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    sure: float = 0.5


# Used only until `python -m rag calibrate` has been run for a reader (or when the stored one
# was fitted on other features): a plain sum of the evidence.
_UNCALIBRATED = Calibration(weights=(0.5, 0.5, 2.0, 1.0, 0.5, 0.0), bias=-2.0, threshold=0.5, sure=0.7)


def calibration_key(reader: str, reranker: str | None = None) -> str:
    """The calibration entry of a (reader, reranker) pair: "trained", or "trained+reranker:trained"."""
    return reader if reranker in (None, "none") else f"{reader}+reranker:{reranker}"


def feature_names(key: str) -> tuple[str, ...]:
    """The features a calibration entry is fitted on."""
    return FEATURES + RERANK_FEATURES if "+reranker:" in key else FEATURES


@lru_cache(maxsize=8)
def load_calibration(key: str, path: str = str(CALIBRATION_FILE)) -> Calibration:
    """The stored calibration for a reader (``calibration_key``), or the uncalibrated default.

    With a reranker and no entry fitted for it, the reader's own entry serves: ``confidence``
    then reads only the reader's features, which come first."""
    reader = key.split("+", 1)[0]
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        if key not in entries and key != reader:
            log.warning("%s: no calibration for %s; using the %s one (`python -m rag calibrate --reranker ...` "
                        "fits it)", path, key, reader)
            key = reader
        data = entries[key]
        if list(data["features"]) != list(feature_names(key)):
            log.warning("%s: the %s calibration was fitted on other features; run `python -m rag calibrate "
                        "--reader %s`", path, key, reader)
            return _UNCALIBRATED
        threshold = float(data["threshold"])
        return Calibration(tuple(float(w) for w in data["weights"]), float(data["bias"]), threshold,
                           max(threshold, float(data.get("sure", threshold))))
    except FileNotFoundError:
        log.warning("%s not found: answers use uncalibrated confidence (`python -m rag calibrate` writes it)", path)
        return _UNCALIBRATED
    except (KeyError, ValueError, TypeError):
        return _UNCALIBRATED


def _logit(p: float) -> float:
    p = min(max(float(p), _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


def features(spans: Sequence[Span], windows: Sequence[Window], clause_question: bool = False) -> list[float]:
    """The evidence that the best span answers the question: the reader's span and answerable
    probabilities as log-odds (about -14..14), the cosine similarities of the windows,
    whether the span's type fits the question (+1, 0, -1; rag.answer_types) and whether the question
    asks for a clause (why / how / yes-no). When a reranker scored the windows, also RERANK_FEATURES
    (a window it did not score counts as its lowest score)."""
    reranked = [w.rerank_score for w in windows if w.rerank_score is not None]
    clause = float(clause_question)
    if not spans or not windows:
        base = [_logit(0.0), _logit(0.0), max((w.dense_score for w in windows), default=0.0), 0.0, 0.0, clause]
        return base + ([_logit(max(reranked)), _logit(0.0)] if reranked else [])
    best = spans[0]
    window = next((w for w in windows if w.rank == best.window_rank), windows[0])
    base = [_logit(best.score), _logit(1.0 - best.no_answer), max(w.dense_score for w in windows), window.dense_score,
            float(best.type_fit), clause]
    if not reranked:
        return base
    own = window.rerank_score if window.rerank_score is not None else min(reranked)
    return base + [_logit(max(reranked)), _logit(own)]


def confidence(values: Sequence[float], calibration: Calibration) -> float:
    """The calibrated probability that the answer is right; reads as many ``values`` as the
    calibration has weights (a reader-only calibration ignores the reranker's features)."""
    z = calibration.bias + sum(w * x for w, x in zip(calibration.weights, values))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
