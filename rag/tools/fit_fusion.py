"""Fit the fusion weights and the relatedness model of ``rag.fusion`` on SQuAD v1.1 train; write rag/fusion.json.

Data (never the measurement sets): articles of SQuAD v1.1 *train*, leaving out the 12 that
``python -m rag calibrate`` uses (``held_out_titles``, seed 7), shuffled with ``--seed`` and dealt
into four disjoint groups: a fitting corpus, fitting off-topic articles, a checking corpus and
checking off-topic articles. Each corpus is its articles' paragraphs as documents (as calibration
builds it), indexed by the app's own stages (spaCy sentences, MiniLM, FAISS, BM25). Questions are
asked of the corpus holding their article ("in-corpus") and of the corpus not holding it
("off-topic"). For every question the retriever's candidates (``HybridRetriever.candidates``) give:

- ranking: the gold sentence (the one holding the answer's first character) against the other
  candidates. A conditional logit (one softmax over a question's candidates, Newton's method, small
  L2) fits the weights of "weighted"; "weighted+boost" adds the rule ``rag.fusion.UNIQUE_BOOST``.
- relatedness: 1 for a sentence of the question's own article, 0 otherwise (every candidate of an
  off-topic question is 0). Each in-corpus question is also counted with its gold paragraph's
  candidates left out ("gold hidden", as calibration simulates an unanswerable question): related
  passages are offered when the documents do not answer, so the model must learn what a question
  on the documents' subject looks like without its answer. A logistic regression fits P(related). The floor from which a sentence
  is offered as related is fitted on the fitting half: the lowest P(related) (0.01 steps) at which at
  least ``--precision`` (90%) of the passages offered (up to 3 per question) are related, since
  "related" must mean related. The file also records, on the checking half and for floors from 0.1
  to 0.95, how often in-corpus and off-topic questions are offered something, and the precision.
  Below the floor nothing is offered; "nothing in the documents seems related" is said only under a
  lower level, also fitted on the fitting half: the highest best-candidate P(related) under which at
  most ``--nothing-miss`` (1%) of the on-topic questions fall, since that claim must be true.

The checking half is only measured: hit@1/@5 and MRR of each fusion, and how often related passages
would be offered for in-corpus and off-topic questions. Everything goes to rag/fusion.json with the
data description, so the values can be audited and refitted.

    python -m rag.tools.fit_fusion [--articles 16 --offtopic 8 --questions 600 --seed 11]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.fusion import FEATURES, FUSION_FILE, UNIQUE_BOOST, load_fusion, rrf_scores
from rag.paths import shared_path
from rag.util import atomic_write

SQUAD_TRAIN = ("training", "squad_v1.1_train", "train.jsonl.gz")
WEIGHTED = ("dense", "bm25_cover", "bm25_rel")
RELATED = ("dense", "bm25_cover", "doc_name_cover", "names_known", "names_unknown")   # absolute features only: "relative to the best" says nothing here


@dataclass(frozen=True)
class Asked:
    """One question's candidates: FEATURES rows, which one is gold (-1: not among them), and which are related."""

    features: np.ndarray
    gold: int
    related: np.ndarray
    dense_rank: list[int | None]
    bm25_rank: list[int | None]
    on_topic: bool
    hidden: bool = False     # asked with its gold paragraph left out: on topic, but the answer is not there


# --- fitting: pure functions over arrays --------------------------------------------------------
def fit_conditional_logit(groups: Sequence[tuple[np.ndarray, int]], l2: float = 1e-2, steps: int = 100) -> np.ndarray:
    """Weights w maximising sum over groups of log softmax(X w)[gold] - l2/2 |w|^2 (Newton's method
    with a backtracking line search, which plain Newton needs on softmax losses far from the optimum).

    Each group is one question: (its candidates' feature rows, the index of the gold row)."""
    dim = groups[0][0].shape[1]

    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for x, gold in groups:
            z = x @ w
            total += float(np.logaddexp.reduce(z) - z[gold])
        return total

    w = np.zeros(dim)
    current = loss(w)
    for _ in range(steps):
        grad = l2 * w
        hess = l2 * np.eye(dim)
        for x, gold in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = x.T @ p
            grad += mean - x[gold]
            hess += (x * p[:, None]).T @ x - np.outer(mean, mean)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-6 and loss(w - t * step) > current - 1e-4 * t * float(grad @ step):
            t /= 2
        w = w - t * step
        previous, current = current, loss(w)
        if previous - current < 1e-10:
            break
    return w


def columns(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    return x[:, [FEATURES.index(n) for n in names]]


def ranking_metrics(asked: Sequence[Asked], score) -> dict[str, float]:
    """hit@1, hit@5 and MRR (over the top 5) of a scoring function over in-corpus questions."""
    ranks = []
    for a in asked:
        if a.gold < 0:
            ranks.append(None)
            continue
        s = score(a)
        ranks.append(int((s > s[a.gold]).sum()) + 1)   # ties count in the gold's favour, as a sort by row might not
    n = len(ranks)
    return {"hit@1": round(sum(r == 1 for r in ranks if r) / n, 4),
            "hit@5": round(sum(r <= 5 for r in ranks if r) / n, 4),
            "mrr": round(sum(1 / r for r in ranks if r and r <= 5) / n, 4),
            "gold_in_candidates": round(sum(r is not None for r in ranks) / n, 4)}


def related_metrics(asked: Sequence[Asked], prob, floor: float, limit: int = 3) -> dict[str, float]:
    """At ``floor``: share of in-corpus questions, of the same with their gold paragraph hidden, and
    of off-topic questions offered at least one related passage; and the precision of the passages
    offered (top ``limit`` by probability)."""
    offered: dict[str, list[bool]] = {"in_corpus": [], "gold_hidden": [], "off_topic": []}
    right = shown = 0
    for a in asked:
        p = prob(a)
        top = [i for i in np.argsort(-p)[:limit] if p[i] >= floor]
        kind = "gold_hidden" if a.hidden else "in_corpus" if a.on_topic else "off_topic"
        offered[kind].append(bool(top))
        shown += len(top)
        right += int(sum(a.related[i] for i in top))
    out = {f"{kind}_offered": round(float(np.mean(v)), 4) if v else None for kind, v in offered.items()}
    return {**out, "precision": round(right / shown, 4) if shown else None}


def linear(record: dict):
    """The scoring function of a stored linear model over an Asked's features."""
    w = np.asarray(record["weights"])
    return lambda a: columns(a.features, record["features"]) @ w + record.get("bias", 0.0)


def prob(record: dict):
    score = linear(record)
    return lambda a: 1 / (1 + np.exp(-score(a)))


def best_related(asked: Sequence[Asked], prob_of) -> dict[str, np.ndarray]:
    """Each question's best candidate relatedness (0 with no candidate), on-topic questions (in the
    corpus, or with their gold paragraph hidden) and off-topic ones apart."""
    best: dict[str, list[float]] = {"on_topic": [], "off_topic": []}
    for a in asked:
        p = prob_of(a)
        best["on_topic" if a.on_topic else "off_topic"].append(float(p.max()) if len(p) else 0.0)
    return {kind: np.asarray(v) for kind, v in best.items()}


def nothing_rates(best: dict[str, np.ndarray], level: float) -> dict[str, float]:
    """Share of on-topic and of off-topic questions (``best_related``) whose best candidate is under
    ``level``: told "nothing related"."""
    return {f"{kind}_told_nothing": round(float(np.mean(v < level)), 4) if len(v) else None
            for kind, v in best.items()}


def choose_nothing_level(best: dict[str, np.ndarray], miss: float) -> float:
    """The highest level (0.01 grid) at which at most ``miss`` of the on-topic questions would be
    told that nothing in the documents is related: that claim must be true, while a question merely
    not offered any passage claims nothing."""
    chosen = 0.0
    for level in np.round(np.arange(0.01, 1.0, 0.01), 2):
        if nothing_rates(best, float(level))["on_topic_told_nothing"] > miss:
            break
        chosen = float(level)
    return chosen


def choose_floor(asked: Sequence[Asked], prob_of, precision: float) -> float:
    """The lowest floor (on a 0.01 grid) at which at least ``precision`` of the passages offered
    (``related_metrics``) are related; 0.99 if none reaches it."""
    for floor in np.round(np.arange(0.01, 1.0, 0.01), 2):
        offered = related_metrics(asked, prob_of, float(floor))["precision"]
        if offered is not None and offered >= precision:
            return float(floor)
    return 0.99


# --- data ---------------------------------------------------------------------------------------
def deal_articles(rows: Sequence[dict], articles: int, offtopic: int, seed: int) -> list[list[str]]:
    """[fit corpus, fit off-topic, check corpus, check off-topic] article titles, disjoint, none of
    them one that calibration holds out."""
    from rag.tools.calibrate import held_out_titles

    titles = sorted({r["title"] for r in rows})
    pool = sorted(set(titles) - held_out_titles(titles, 12, 7))
    random.Random(seed).shuffle(pool)
    sizes = (articles, offtopic, articles, offtopic)
    if sum(sizes) > len(pool):
        raise ValueError(f"asked for {sum(sizes)} articles, only {len(pool)} available")
    out, at = [], 0
    for size in sizes:
        out.append(pool[at:at + size])
        at += size
    return out


def ask_all(corpus_titles: Sequence[str], offtopic_titles: Sequence[str], rows: Sequence[dict], questions: int,
            seed: int, workdir: Path, label: str) -> list[Asked]:
    """Index the corpus articles, ask ``questions`` of their questions and as many off-topic
    ones, and return every question's candidates with labels."""
    from rag.assistant import Assistant
    from rag.settings import Settings

    chosen = set(corpus_titles)
    paragraphs: dict[str, str] = {}
    article_of: dict[str, str] = {}
    on, off = [], []
    for r in rows:
        if r["title"] in chosen:
            doc_id = paragraphs.setdefault(r["context"], f"{r['title']}-{len(paragraphs)}")
            article_of[doc_id] = r["title"]
            on.append((r["question"], doc_id, r["answer_start"], r["title"]))
        elif r["title"] in offtopic_titles:
            off.append((r["question"], "", -1, r["title"]))
    rng = random.Random(seed)
    sample = rng.sample(on, min(questions, len(on))) + rng.sample(off, min(questions, len(off)))
    corpus = workdir / f"{label}.jsonl"
    corpus.write_text("".join(json.dumps({"doc_id": d, "title": article_of[d].replace("_", " "), "text": t}) + "\n"
                              for t, d in paragraphs.items()), encoding="utf-8")
    assistant = Assistant.load(settings=Settings(corpus=corpus, index=workdir / f"{label}-index", show_progress=False))
    retriever = assistant.retriever
    print(f"{label}: {len(paragraphs)} paragraphs of {len(chosen)} articles, {len(assistant.index)} sentences; "
          f"{len(sample)} questions", flush=True)
    vectors = retriever.embedder.embed([q for q, *_ in sample])
    asked = []
    for (question, doc_id, answer_start, title), vector in zip(sample, vectors):
        found, _ = retriever.candidates(question, query_vector=vector)
        sentences = [assistant.index.sentences[r] for r in found.rows]
        gold = next((i for i, s in enumerate(sentences)
                     if s.doc_id == doc_id and s.start <= answer_start < s.end), -1)
        related = np.array([article_of[s.doc_id] == title for s in sentences], dtype=float)
        asked.append(Asked(found.features, gold, related, found.dense_rank, found.bm25_rank, bool(doc_id)))
        if doc_id:   # the same question as if its answer were not in the documents: still on its subject
            keep = [i for i, s in enumerate(sentences) if s.doc_id != doc_id]
            asked.append(Asked(found.features[keep], -1, related[keep], [found.dense_rank[i] for i in keep],
                               [found.bm25_rank[i] for i in keep], True, hidden=True))
    return asked


# --- command line -------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.fit_fusion", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=16, help="articles in each corpus (fitting, checking)")
    parser.add_argument("--offtopic", type=int, default=8, help="articles whose questions are asked off-topic, each half")
    parser.add_argument("--questions", type=int, default=600, help="in-corpus questions asked per half")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--squad", type=Path, help="SQuAD v1.1 train .jsonl.gz (default: ../shared)")
    parser.add_argument("--out", type=Path, default=FUSION_FILE)
    parser.add_argument("--workdir", type=Path, help="keep the corpora and indexes here (reused by a rerun)")
    parser.add_argument("--precision", type=float, default=0.9,
                        help="share of offered related passages that must be related, on the fitting half")
    parser.add_argument("--nothing-miss", type=float, default=0.01,
                        help="share of on-topic questions that may be told 'nothing related', on the fitting half")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    squad = args.squad or shared_path(*SQUAD_TRAIN, must_exist=True)
    rows = [json.loads(line) for line in gzip.open(squad, "rt", encoding="utf-8")]
    fit_corpus, fit_off, check_corpus, check_off = deal_articles(rows, args.articles, args.offtopic, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        fit = ask_all(fit_corpus, fit_off, rows, args.questions, args.seed, workdir, "fit")
        check = ask_all(check_corpus, check_off, rows, args.questions, args.seed + 1, workdir, "check")

    groups = [(columns(a.features, WEIGHTED), a.gold) for a in fit if a.on_topic and not a.hidden and a.gold >= 0]
    w = [round(float(v), 5) for v in fit_conditional_logit(groups)]
    rankers = {"weighted": {"features": list(WEIGHTED), "weights": w, "bias": 0.0},
               "weighted+boost": {"features": [*WEIGHTED, "unique_cover"], "weights": [*w, UNIQUE_BOOST], "bias": 0.0,
                                  "note": "unique_cover's weight is rag.fusion.UNIQUE_BOOST, a rule, not fitted"}}
    print("weighted: " + ", ".join(f"{n} {v:+.3f}" for n, v in zip(WEIGHTED, w)), flush=True)

    from rag.tools.calibrate import fit_logistic

    x_rel = np.vstack([columns(a.features, RELATED) for a in fit])
    y_rel = np.concatenate([a.related for a in fit])
    weights, bias = fit_logistic(x_rel, y_rel)
    related = {"features": list(RELATED), "weights": [round(float(v), 5) for v in weights], "bias": round(bias, 5)}
    related["floor"] = choose_floor(fit, prob(related), args.precision)
    related["floor_rule"] = (f"the lowest P(related) at which >= {args.precision:.0%} of the passages offered on the "
                             "fitting half are related")
    related["nothing_below"] = min(related["floor"],
                                   choose_nothing_level(best_related(fit, prob(related)), args.nothing_miss))
    related["nothing_rule"] = (f"the highest best-candidate P(related) under which at most {args.nothing_miss:.0%} of "
                               "the on-topic questions of the fitting half (in the corpus or with their gold paragraph "
                               "hidden) fall: only there is 'nothing in the documents seems related' said")

    on_check = [a for a in check if a.on_topic and not a.hidden]
    on_fit = [a for a in fit if a.on_topic and not a.hidden]
    metrics = {"rrf": lambda a: rrf_scores(a.dense_rank, a.bm25_rank, 60),
               **{name: linear(record) for name, record in rankers.items()}}
    check_ranking = {name: ranking_metrics(on_check, f) for name, f in metrics.items()}
    fit_ranking = {name: ranking_metrics(on_fit, f) for name, f in metrics.items()}
    record = {
        "features": {"dense": "cosine of question and sentence (MiniLM, title + sentence embedded)",
                     "bm25_cover": "BM25 score / sum of the IDFs of the question's known terms",
                     "bm25_rel": "BM25 score / the best BM25 score among the question's candidates",
                     "name_cover": "IDF-weighted share of the question's capitalised words and numbers the "
                                   "sentence itself holds; absent ones count at the highest IDF",
                     "unique_cover": "the same, over those of them that occur in one document only",
                     "doc_name_cover": "the same share, held anywhere in the sentence's document",
                     "names_known": "IDF-weighted share of those words that some sentence of the corpus holds "
                                    "(0 when the question has none)",
                     "names_unknown": "1 - names_known (0 when the question has none)"},
        "rankers": rankers,
        "related": related,
        "fitted_on": (f"SQuAD v1.1 train (never dev or xquad_en; not the 12 calibration articles): fitting corpus "
                      f"{len(fit_corpus)} articles, fitting off-topic {len(fit_off)} articles; checked on another "
                      f"{len(check_corpus)} + {len(check_off)} articles (seed {args.seed}); paragraphs as documents; "
                      f"{len(on_fit)} in-corpus (each also with its gold paragraph hidden) + "
                      f"{sum(not a.on_topic for a in fit)} off-topic questions to fit "
                      f"({len(groups)} with the gold sentence among the candidates)"),
        "articles": {"fit": fit_corpus, "fit_offtopic": fit_off, "check": check_corpus, "check_offtopic": check_off},
        "fit": {"ranking": fit_ranking, "related": related_metrics(fit, prob(related), related["floor"])},
        "check_related_by_floor": {f"{floor:.2f}": related_metrics(check, prob(related), floor)
                             for floor in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)},
        "check_nothing": nothing_rates(best_related(check, prob(related)), related["nothing_below"]),
        "check": {"ranking": check_ranking, "related": related_metrics(check, prob(related), related["floor"]),
                  "questions": len(on_check), "off_topic_questions": sum(not a.on_topic for a in check)},
        "settings": {"candidates": 30, "rrf_k": 60},
        "command": " ".join(["python -m rag.tools.fit_fusion", *(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
                                                                 if k in ("articles", "offtopic", "questions", "seed", "precision",
                                                                          "nothing_miss"))]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    atomic_write(args.out, json.dumps(record, indent=2) + "\n")
    load_fusion.cache_clear()
    print(json.dumps({k: record[k] for k in ("rankers", "related", "check")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
