"""A slowed index build in its own process, for the kill and concurrency tests in test_reliability.

``python tests/index_build_worker.py CORPUS INDEX [--delay S] [--pause-at STAGE]`` builds (or
updates) the index of CORPUS in INDEX with the fake embedder, sleeping ``--delay`` seconds per
batch of two sentences so a test can kill it mid-build. It prints one ``stage NAME`` line at each
point a kill is interesting; with ``--pause-at NAME`` it stops there until killed, so a test can
SIGKILL it at exactly that point. The last line is ``done {report as JSON}``.

Stages, in order: ``start`` (imports done), ``embed-<i>`` (before batch i), ``sentences-written``
(the new segment's sentence table on disk), ``faiss-written`` (its FAISS file written under its
temporary name), ``manifest-written`` (the commit point passed, unreferenced files not yet removed).
An update that leaves many tombstones merges inline afterwards and passes those stages again.

With ``--merge`` it runs ``rag.index.merge_segments(full=True)`` instead: ``sentences-written`` and
``faiss-written`` (the merged segment under ``merging-`` names), ``merge-renamed`` (its first file
renamed into place, the manifest not yet replaced), ``manifest-written``. ``--write-delay S`` sleeps
after each write stage, so a kill at a random moment often lands among the writes.

With ``--replace DOC_ID=FILE`` it first replaces that document's file with FILE's bytes the way
the Documents tab does (``rag.corpus.replace_file``), reporting ``replace-before-rename`` (the new
version written under a hidden name) and ``replace-renamed`` (it is in place), then updates the index.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

import numpy as np

from conftest import FakeEmbedder, fake_split   # this script's folder (tests/) is on sys.path

BATCH = 2


class Stages:
    """Prints each stage reached and, at the chosen one, waits to be killed."""

    def __init__(self, pause_at: str) -> None:
        self.pause_at = pause_at

    def reached(self, name: str) -> None:
        print(f"stage {name}", flush=True)
        if name == self.pause_at:
            print("paused", flush=True)
            time.sleep(600)


class SlowEmbedder(FakeEmbedder):
    """The fake embedder (same name, same vectors), sleeping per batch like a real model would."""

    def __init__(self, delay: float, stages: Stages) -> None:
        super().__init__()
        self.delay = delay
        self.stages = stages

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        parts = []
        for i in range(0, len(texts), BATCH):
            self.stages.reached(f"embed-{i // BATCH}")
            time.sleep(self.delay)
            parts.append(super().embed(texts[i:i + BATCH]))
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)


def instrument(stages: Stages, write_delay: float = 0.0) -> None:
    """Report the write steps of ``rag.index`` (segment files, a merge's renames, the manifest) as
    stages, wrapping the writers it calls."""
    import os

    import faiss

    import rag.index

    write_file, write_index, rename = rag.index.atomic_write, faiss.write_index, os.replace
    renamed = []

    def atomic_write(path: Path, data: bytes) -> None:
        write_file(path, data)
        stages.reached("manifest-written" if path.name == rag.index.MANIFEST else "sentences-written")
        time.sleep(write_delay)

    def faiss_write_index(index: object, name: str) -> None:
        write_index(index, name)
        stages.reached("faiss-written")
        time.sleep(write_delay)

    def replace(source, target) -> None:
        rename(source, target)
        if Path(source).name.startswith(rag.index.MERGING) and not renamed:
            renamed.append(target)
            stages.reached("merge-renamed")
            time.sleep(write_delay)

    rag.index.atomic_write = atomic_write
    faiss.write_index = faiss_write_index
    os.replace = replace


def instrument_replace(stages: Stages, corpus: Path) -> None:
    """Report the one rename that puts a replaced document in place (other renames pass through)."""
    import rag.corpus

    rename = rag.corpus.os.replace

    def replace(source: str, target: str) -> None:
        if Path(target).parent.resolve() != corpus.resolve():
            return rename(source, target)
        stages.reached("replace-before-rename")
        rename(source, target)
        stages.reached("replace-renamed")

    rag.corpus.os.replace = replace


def main(argv: list[str] | None = None) -> int:
    """Build the index once and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per embedding batch")
    parser.add_argument("--pause-at", default="", help="stage at which to wait until killed")
    parser.add_argument("--replace", default="", help="DOC_ID=FILE: replace that document's file first")
    parser.add_argument("--merge", action="store_true", help="merge all segments instead of building")
    parser.add_argument("--write-delay", type=float, default=0.0, help="seconds after each write stage")
    args = parser.parse_args(argv)

    from rag.corpus import load_corpus, replace_file
    from rag.index import merge_segments, open_index

    stages = Stages(args.pause_at)
    instrument(stages, args.write_delay)
    stages.reached("start")
    if args.merge:
        merged = merge_segments(args.index, full=True)
        print("done " + json.dumps({"segments": len(merged.segments) if merged else None}), flush=True)
        return 0
    if args.replace:
        doc_id, _, new = args.replace.partition("=")
        instrument_replace(stages, args.corpus)
        replace_file(load_corpus(args.corpus), doc_id, Path(new).name, Path(new).read_bytes())
    _, report = open_index(load_corpus(args.corpus), SlowEmbedder(args.delay, stages), args.index, fake_split,
                           model_sha256="abc", splitter="fake")
    print("done " + json.dumps(asdict(report)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
