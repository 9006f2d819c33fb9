"""Answer confidence: a logistic model over reader and retrieval scores, calibrated per reader.

The weights and the refusal threshold are fitted by ``python -m rag calibrate`` on answerable
and unanswerable questions and stored, with how they were measured, in ``rag/calibration.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rag.types import Span, Window

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = ("span_score", "answerable", "top_dense", "span_dense")


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over FEATURES, a bias, and the confidence below which we refuse."""

    weights: tuple[float, ...]
    bias: float
    threshold: float


# Used only until `python -m rag calibrate` has been run for a reader: plain averages.
_UNCALIBRATED = Calibration(weights=(2.0, 2.0, 4.0, 2.0), bias=-5.0, threshold=0.5)


@lru_cache(maxsize=4)
def load_calibration(reader: str, path: str = str(CALIBRATION_FILE)) -> Calibration:
    """The stored calibration for a reader, or the uncalibrated default."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))[reader]
        return Calibration(tuple(float(w) for w in data["weights"]), float(data["bias"]), float(data["threshold"]))
    except (FileNotFoundError, KeyError, ValueError, TypeError):
        return _UNCALIBRATED


def features(spans: Sequence[Span], windows: Sequence[Window]) -> list[float]:
    """The evidence that the best span answers the question, as numbers in about [0, 1]."""
    if not spans or not windows:
        return [0.0, 0.0, max((w.dense_score for w in windows), default=0.0), 0.0]
    best = spans[0]
    window = next((w for w in windows if w.rank == best.window_rank), windows[0])
    return [best.score, 1.0 - best.no_answer, max(w.dense_score for w in windows), window.dense_score]


def confidence(values: Sequence[float], calibration: Calibration) -> float:
    z = calibration.bias + sum(w * x for w, x in zip(calibration.weights, values))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
