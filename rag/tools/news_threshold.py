"""Fit the refusal threshold on news questions, cross-validated: ``python -m rag news-threshold``.

The confidence model (its weights) is fitted on SQuAD by ``rag calibrate``; on news the reader is
less sure of itself, so a threshold fitted on SQuAD refuses too many answerable news questions.
This tool keeps the weights and refits only the threshold on a news question set, k-fold by
question item (a conversation stays in one fold): each fold's refusal rates are measured with a
threshold fitted on the other folds, so the reported rates come from questions the threshold
never saw. ``--write`` stores the threshold fitted on all questions, with the cross-validated
rates, in rag/calibration.json.

``--sets DIR...`` pools probe sets (folders with ``questions.jsonl`` and ``corpus/``, as in docs/probes)
instead of one question file: a threshold fitted on news a reader was not trained on and the reports do
not use (say, the sets before the blind ones), rather than on the shipped questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from rag.confidence import CALIBRATION_FILE, calibration_key, confidence, load_calibration
from rag.metrics import f1_score
from rag.settings import DEFAULT_CORPUS, PROJECT_ROOT, READERS, RERANKERS, Settings
from rag.tools.calibrate import choose_threshold
from rag.tools.evaluate import load_questions


def collect(assistant, items, prefix: str = "") -> list[dict]:
    """Per case: item id (after ``prefix``, to keep pooled sets apart), the confidence features, and
    whether it is answerable and answered right."""
    from tqdm import tqdm

    from rag.types import Answer

    rows = []
    for item in tqdm(items, desc="news questions", unit="item"):
        history: list[tuple[str, Answer]] = []
        for case in item.cases:
            trace = assistant.run(case.question, history=history)
            spans = trace.spans
            text = trace.answer.text or (spans[0].text if spans else "")
            rows.append({"item": prefix + item.id, "id": prefix + case.id, "features": trace.features, "answerable": case.answerable,
                         "right": case.answerable and bool(text) and f1_score(text, case.answers) >= 0.5})
            history.append((case.question, trace.answer))
    return rows


def probe_sets(folders: list[Path]) -> list[tuple[str, Path, Path]]:
    """(name, question file, corpus folder) of each probe folder; ValueError naming one that is not a set."""
    found = []
    for folder in folders:
        questions, corpus = folder / "questions.jsonl", folder / "corpus"
        if not questions.is_file() or not corpus.is_dir():
            raise ValueError(f"{folder} is not a probe set: questions.jsonl and corpus/ expected")
        found.append((folder.name, questions, corpus))
    if len({name for name, _, _ in found}) != len(found):
        raise ValueError("two probe sets share a folder name; their question ids would mix")
    return found


def fold_of(item_id: str, folds: int) -> int:
    """A stable fold for an item (a hash of its id), so reruns split the same way."""
    return int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % folds


def rates(conf: np.ndarray, rows: list[dict], threshold: float) -> dict[str, float]:
    """Refusal of unanswerable and false refusal of rightly answered questions at a threshold."""
    neg = np.array([not r["answerable"] for r in rows])
    pos = np.array([r["right"] for r in rows])
    return {"refusal": float(np.mean(conf[neg] < threshold)) if neg.any() else float("nan"),
            "false_refusal": float(np.mean(conf[pos] < threshold)) if pos.any() else float("nan"),
            "unanswerable": int(neg.sum()), "answered_right": int(pos.sum())}


def cross_validate(conf: np.ndarray, rows: list[dict], folds: int, max_false_refusal: float) -> dict:
    """Thresholds fitted on k-1 folds, rates measured on the left-out fold, pooled over folds."""
    fold = np.array([fold_of(r["item"], folds) for r in rows])
    pos = np.array([r["right"] for r in rows])
    neg = np.array([not r["answerable"] for r in rows])
    refused_neg = refused_pos = 0
    per_fold = []
    for k in range(folds):
        train, test = fold != k, fold == k
        t, _, _ = choose_threshold(conf[train & pos], conf[train & neg], max_false_refusal)
        refused_neg += int(np.sum(conf[test & neg] < t))
        refused_pos += int(np.sum(conf[test & pos] < t))
        per_fold.append({"fold": k, "threshold": t, **rates(conf[test], [r for r, m in zip(rows, test) if m], t)})
    return {"refusal": round(refused_neg / max(1, int(neg.sum())), 4),
            "false_refusal": round(refused_pos / max(1, int(pos.sum())), 4), "folds": per_fold}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag news-threshold", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "corpus" / "questions.jsonl")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=PROJECT_ROOT / "embeddings")
    parser.add_argument("--sets", type=Path, nargs="+", default=None,
                        help="probe folders (questions.jsonl and corpus/) pooled instead of --questions/--corpus")
    parser.add_argument("--index-root", type=Path, default=None,
                        help="with --sets: keep each set's index in a folder of this name here (default: a "
                             "temporary folder per run)")
    parser.add_argument("--reader", choices=READERS, default=Settings.reader)
    parser.add_argument("--reranker", choices=RERANKERS, default=Settings.reranker,
                        help="reranker in the path (its calibration entry is the one refit)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-false-refusal", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=Settings.threads)
    parser.add_argument("--write", action="store_true", help="store the threshold fitted on all questions")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE,
                        help="the calibration file whose weights are used and, with --write, refit")
    args = parser.parse_args(argv)
    if not args.out.is_file():   # load_calibration would fall back to uncalibrated weights: a silently wrong report
        print(f"error: {args.out} not found; --out names the calibration file to read (and, with --write, "
              f"refit), default {CALIBRATION_FILE}", file=sys.stderr)
        return 2
    try:
        sets = probe_sets(args.sets) if args.sets else None
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from rag.assistant import Assistant

    settings = Settings(corpus=args.corpus, index=args.index, reader=args.reader, threads=args.threads,
                        reranker=args.reranker, show_progress=False)
    if sets is None:
        rows = collect(Assistant.load(settings=settings), load_questions(args.questions))
        asked = (str(args.questions.resolve().relative_to(PROJECT_ROOT))
                 if args.questions.resolve().is_relative_to(PROJECT_ROOT) else args.questions.name)
    else:
        rows = []
        with tempfile.TemporaryDirectory() as scratch:
            for name, questions, corpus in sets:
                index = (args.index_root or Path(scratch)) / name
                assistant = Assistant.load(corpus=corpus, index=index, settings=settings)
                rows += collect(assistant, load_questions(questions), prefix=f"{name}/")
        asked = "probe sets " + ", ".join(name for name, _, _ in sets)
    key = calibration_key(args.reader, args.reranker)
    calibration = load_calibration(key, str(args.out))
    conf = np.array([confidence(r["features"], calibration) for r in rows])
    cv = cross_validate(conf, rows, args.folds, args.max_false_refusal)
    pos = np.array([r["right"] for r in rows])
    neg = np.array([not r["answerable"] for r in rows])
    threshold, _, _ = choose_threshold(conf[pos], conf[neg], args.max_false_refusal)
    report = {"threshold": threshold, "squad_threshold": calibration.threshold,
              "at_squad_threshold": rates(conf, rows, calibration.threshold),
              "cross_validated": cv, "questions": asked}
    print(json.dumps(report, indent=2))
    if args.write:
        data = json.loads(args.out.read_text(encoding="utf-8"))
        if key not in data:
            print(f"{args.out} has no {key} entry to refit: run `python -m rag calibrate --reader {args.reader} "
                  f"--reranker {args.reranker}` first", file=sys.stderr)
            return 2
        entry = data[key]
        entry["squad_threshold"] = entry.get("squad_threshold", entry["threshold"])
        entry["threshold"] = threshold
        entry["sure"] = max(entry.get("sure", threshold), threshold)
        entry["threshold_rule"] = (f"refit on news questions ({report['questions']}, weights kept from SQuAD): "
                                   f"the most refusals with at most {args.max_false_refusal:.0%} false refusals; "
                                   f"{args.folds}-fold cross-validated by item: refusal {cv['refusal']}, "
                                   f"false refusal {cv['false_refusal']} (python -m rag news-threshold --write)")
        entry["news_cross_validated"] = {"refusal": cv["refusal"], "false_refusal": cv["false_refusal"],
                                         "folds": args.folds}
        args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        load_calibration.cache_clear()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
