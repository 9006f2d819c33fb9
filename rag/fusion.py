"""Fusion: one ranking out of a question's dense and BM25 candidates, and how related each one is.

Three ways to fuse (``Settings.fusion``):

- ``rrf``: reciprocal rank fusion of the two rankings. It sees ranks only, so sentences that both
  retrievers find weakly outrank a sentence that one of them finds strongly (issue 12: a name
  that only BM25 can match fell out of the top 5).
- ``weighted``: a linear score over the candidate's FEATURES (dense cosine; BM25 as a share of what
  the question's terms could score; BM25 relative to the question's best candidate). The weights
  are fitted on SQuAD v1.1 train by ``python -m rag.tools.fit_fusion`` (a conditional logit: one
  softmax over each question's candidates, the gold sentence the target) and stored with their
  provenance in ``rag/fusion.json``.
- ``weighted+boost``: the same weighted score plus an exact-match boost, ``UNIQUE_BOOST`` x
  ``unique_cover``: the IDF-weighted share of the question's names and numbers that occur in one
  document only and that the sentence itself holds. A rule, not a fitted weight (fitted on SQuAD,
  where a question's names are its article's subject and occur everywhere, an exact-match weight
  comes out near 0): a name found in one document only is the strongest evidence of where the
  answer is, so the sentences holding it go first, ordered among themselves by the weighted score. A name that occurs in one
  document only has a high IDF, so the sentences holding it rise to the top.

Relatedness: P(the sentence is on the question's subject), a logistic model over features that mean
the same for every question (not ranks, not "relative to the best"), fitted on the same SQuAD data:
a sentence of the question's own article is related, any other is not, and questions about articles
that are not in the corpus have nothing related. A sentence is offered as related from the floor
stored with the model, fitted on the same data: the one that best separates questions whose article
is in the corpus (something should be offered) from questions whose article is not (nothing should).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.settings import FUSIONS

FUSION_FILE = Path(__file__).with_name("fusion.json")
FEATURES = ("dense", "bm25_cover", "bm25_rel", "name_cover", "unique_cover", "doc_name_cover", "names_known",
            "names_unknown")
UNIQUE_BOOST = 100.0   # "weighted+boost": added per unit of unique_cover, above any weighted score


@dataclass(frozen=True)
class Linear:
    """A linear model over some of FEATURES: ``score = bias + weights . x[features]``."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float = 0.0

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or len(self.features) != len(self.weights):
            raise ValueError(f"bad fusion model: features {self.features}, weights {self.weights} (known: {FEATURES})")

    def score(self, x: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``x`` (one column per FEATURES entry)."""
        if len(x) == 0:
            return np.zeros(0)
        cols = [FEATURES.index(f) for f in self.features]
        return x[:, cols] @ np.asarray(self.weights) + self.bias


@dataclass(frozen=True)
class FusionParams:
    """The fitted models of ``rag/fusion.json``: a ranker per weighted fusion, relatedness, the
    relatedness from which a sentence is offered as related, and the one below which nothing is."""

    rankers: dict[str, Linear]
    related: Linear
    floor: float
    # below this best relatedness the question is said to be off the documents' subject ("Nothing in
    # the documents seems related"); between it and ``floor`` nothing is offered, and nothing claimed
    nothing_below: float = 0.0

    def relatedness(self, x: np.ndarray) -> np.ndarray:
        """P(on the question's subject) for each row of ``x``, in [0, 1]."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.related.score(x), -30.0, 30.0)))


def _linear(record: dict) -> Linear:
    return Linear(tuple(record["features"]), tuple(float(w) for w in record["weights"]), float(record.get("bias", 0.0)))


@lru_cache(maxsize=4)
def load_fusion(path: str = str(FUSION_FILE)) -> FusionParams:
    """The fitted fusion models; a missing or malformed file is an error naming the command that writes it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        related = data["related"]
        floor = float(related["floor"])
        return FusionParams({name: _linear(data["rankers"][name]) for name in FUSIONS if name != "rrf"},
                            _linear(related), floor, float(related.get("nothing_below", floor)))
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: cannot read the fitted fusion models ({exc}); "
                         "run `python -m rag.tools.fit_fusion`") from None


def feature_matrix(dense: np.ndarray, bm25: np.ndarray, bm25_ideal: float, names: np.ndarray,
                   names_known: float | None = None) -> np.ndarray:
    """FEATURES for each candidate, one row each.

    Args:
        dense: cosine similarity of question and sentence.
        bm25: the sentence's BM25 score (0 when it shares no term with the question).
        bm25_ideal: what a sentence holding each question term once would score (the sum of the
            terms' IDFs); dividing by it makes BM25 comparable across questions.
        names: the name_cover, unique_cover and doc_name_cover columns (``BM25.name_features``).
        names_known: IDF-weighted share of the question's names and numbers that occur anywhere
            in the corpus (``BM25.names_known``; None when the question has none), the same for
            every candidate: a question about something else ("the capital of France") names what
            the documents never do. It becomes two features, known and unknown share, both 0 when
            the question names nothing.
    """
    bm25 = np.asarray(bm25, dtype=np.float64)
    top = float(bm25.max(initial=0.0))
    cover = bm25 / bm25_ideal if bm25_ideal > 0 else np.zeros_like(bm25)
    rel = bm25 / top if top > 0 else np.zeros_like(bm25)
    known = 0.0 if names_known is None else float(names_known)
    unknown = 0.0 if names_known is None else 1.0 - float(names_known)
    names = np.asarray(names, dtype=np.float64).reshape(len(bm25), 3)
    return np.column_stack([np.asarray(dense, dtype=np.float64), cover, rel, names,
                            np.full(len(bm25), known), np.full(len(bm25), unknown)])


def rrf_scores(dense_rank: Sequence[int | None], bm25_rank: Sequence[int | None], k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion from 0-based ranks (None: not returned by that retriever)."""
    return np.array([sum(1.0 / (k + r + 1) for r in ranks if r is not None)
                     for ranks in zip(dense_rank, bm25_rank)])


def idf(df: np.ndarray | int, n: int) -> np.ndarray | float:
    """BM25's (Lucene) inverse document frequency over ``n`` sentences; df = 0 gives the largest value."""
    return np.log1p((n - np.asarray(df, dtype=np.float64) + 0.5) / (np.asarray(df, dtype=np.float64) + 0.5))


# A question's first word is an ordinary capitalised word, not a name, when it is one of these.
_OPENERS = frozenset("""who whom whose what which when where why how is are was were do does did can could
will would should shall may might must has have had in on at for from to by of according name list give
describe explain during after before since as if the a an""".split())


def name_words(question: str) -> list[str]:
    """The question's rare-term candidates: capitalised words and numbers (names, places, years),
    except a capitalised first word that is a question word ("Who", "In", ...)."""
    import re

    words = re.findall(r"\w[\w'\u2019-]*", question)
    out = []
    for i, word in enumerate(words):
        if not (word[0].isupper() or word[0].isdigit()):
            continue
        if i == 0 and word.lower() in _OPENERS:
            continue
        out.append(re.sub(r"['\u2019]s$", "", word))
    return out
