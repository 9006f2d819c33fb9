"""``python -m rag bench --ray-workers 1,2``: the index build on a local Ray against the local path.

Each run builds the same corpus (xquad_en when ../shared has it) into a fresh folder with
``open_index``: once in-process (spaCy + the embedder on this process's threads), then through the
Ray Data pipelines of ``rag.ray_indexing`` with each worker count (each worker one actor per stage
with CPUs / workers threads). Ray is started once and not timed; actor start-up (model loading in
each worker) is inside the timing, as a user would wait for it. Every Ray index is checked against
the local one: same sentences and offsets, largest vector difference reported.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from rag.tools.stats import spread, timed
from rag.types import Document


def bench_ray(documents: Sequence[Document], workers: Sequence[int], repeats: int, workdir: Path,
              batch_size: int, say: Callable[[str], None]) -> dict:
    """Sentences per second of the local build and of Ray builds with each worker count (median and
    spread over ``repeats``), Ray's start-up time, and the identity check of every Ray index."""
    from rag.corpus import Corpus
    from rag.embedding import load_embedder
    from rag.index import open_index
    from rag.ray_indexing import RayEmbedder, RayOptions, RaySplitter, connect, shutdown
    from rag.splitting import SpacySplitter

    corpus = Corpus(list(documents))
    local_embedder = load_embedder(None, os.cpu_count() or 1, 32, "torch")
    rows: list[dict] = []

    def build(name: str, embedder, splitter, r: int):
        folder = workdir / f"ray-bench-{name}-{r}"
        seconds, (index, _) = timed(lambda: open_index(corpus, embedder, folder, splitter.split,
                                                       model_sha256=embedder.sha256, splitter=splitter.name))
        return seconds, index, folder

    say("local build (in-process)")
    local_s, reference = [], None
    for r in range(repeats):
        seconds, index, folder = build("local", local_embedder, SpacySplitter(), r)
        local_s.append(seconds)
        if reference is None:
            reference = ([index.sentences[i] for i in range(len(index))], index.vectors().copy())
        shutil.rmtree(folder)
    n = len(reference[0])
    rows.append({"path": "local", "workers": 0, "sentences": n, "seconds": spread(local_s),
                 "per_s": spread([n / s for s in local_s])})
    options = RayOptions("local", workers=max(workers), batch_size=batch_size, min_rows=1)
    startup = timed(lambda: connect(options))[0]
    try:
        for w in workers:
            options = RayOptions("local", workers=w, batch_size=batch_size, min_rows=1,
                                 cpus_per_worker=max(1, (os.cpu_count() or 1) // w))
            say(f"Ray build, {w} worker(s) x {options.cpus} CPU(s)")
            times, same, diff = [], True, 0.0
            for r in range(repeats):
                seconds, index, folder = build(f"ray{w}", RayEmbedder(local_embedder, options),
                                               RaySplitter(options), r)
                times.append(seconds)
                same &= [index.sentences[i] for i in range(len(index))] == reference[0]
                diff = max(diff, float(np.abs(index.vectors() - reference[1]).max()))
                shutil.rmtree(folder)
            rows.append({"path": "ray", "workers": w, "cpus_per_worker": options.cpus, "sentences": n,
                         "seconds": spread(times), "per_s": spread([n / s for s in times]),
                         "same_sentences": same, "max_vector_diff": diff})
    finally:
        shutdown()
    return {"ray_startup_s": startup, "batch_size": batch_size, "runs": rows}


def ray_report_lines(result: dict) -> list[str]:
    """The table: path, workers, build seconds and sentences/s (median [min-max]), identity check."""
    local = result["runs"][0]["per_s"]["median"]
    lines = [f"index build on Ray (local Ray started in {result['ray_startup_s']:.1f} s, not counted; "
             f"batch {result['batch_size']})",
             f"{'path':<6} {'workers':>7} {'seconds':>22} {'sentences/s':>22} {'vs local':>8}  identical to local"]
    for row in result["runs"]:
        s, p = row["seconds"], row["per_s"]
        same = "-" if row["path"] == "local" else (
            f"{'yes' if row['same_sentences'] else 'NO'} (vectors within {row['max_vector_diff']:.1e})")
        seconds = f"{s['median']:.1f} [{s['low']:.1f}-{s['high']:.1f}]"
        rate = f"{p['median']:.0f} [{p['low']:.0f}-{p['high']:.0f}]"
        lines.append(f"{row['path']:<6} {row['workers']:>7} {seconds:>22} {rate:>22} "
                     f"{p['median'] / local:>7.2f}x  {same}")
    return lines
