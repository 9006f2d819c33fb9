"""Interpolate two readers' weights: ``python -m rag.tools.soup --a A --b B --alpha 0.5 --output DIR``.

A reader fine-tuned further on new text (news) gains there and forgets some of what its base knew
(Wikipedia, where the gold-paragraph score is measured). A straight line between the two weight sets
often keeps most of both (WiSE-FT: Wortsman et al. 2022, "Robust fine-tuning of zero-shot models");
``alpha`` is B's share. The two readers must be one architecture with one tokenizer and one decoding
(``reader.json``); the result is float16 like every shipped reader, with B's lineage and the mix
recorded in training.json and its model card.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Sequence

from rag.tools.train_reader import portable, project_path, seal
from rag.util import sha256_file

SAME_FILES = ("tokenizer.json", "reader.json")      # must match: one vocabulary, one way to decode
COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json", "reader.json", "loss_curve.png")


def mix(a: dict, b: dict, alpha: float) -> dict:
    """(1 - alpha) * a + alpha * b per tensor, in float32, returned in b's dtypes."""
    if set(a) != set(b):
        raise ValueError(f"the readers differ in tensors: {sorted(set(a) ^ set(b))[:5]}")
    out = {}
    for name, tb in b.items():
        ta = a[name]
        if ta.shape != tb.shape:
            raise ValueError(f"{name}: shape {tuple(ta.shape)} against {tuple(tb.shape)}")
        if not tb.is_floating_point():
            if not (ta == tb).all():
                raise ValueError(f"{name}: integer tensors differ; cannot interpolate")
            out[name] = tb.clone()
            continue
        out[name] = ((1.0 - alpha) * ta.float() + alpha * tb.float()).to(tb.dtype).contiguous()
    return out


def soup(a: Path, b: Path, alpha: float, output: Path) -> Path:
    """Write the interpolated reader to ``output`` with B's tokenizer and config, SHA256SUMS, lineage and card."""
    from safetensors.torch import load_file, save_file

    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha is B's share of the weights, strictly between 0 and 1 (got {alpha})")
    for folder in (a, b):
        if not (folder / "model.safetensors").is_file() or not (folder / "training.json").is_file():
            raise ValueError(f"{folder}: not a reader trained by rag.tools.train_reader "
                             "(model.safetensors and training.json expected)")
    for name in SAME_FILES:
        if (a / name).is_file() != (b / name).is_file() or (
                (a / name).is_file() and (a / name).read_bytes() != (b / name).read_bytes()):
            raise ValueError(f"{name} differs between {a} and {b}: not one reader family")
    if output.resolve() in (a.resolve(), b.resolve()):
        raise ValueError("write the mix to a new folder, not over one of its parents")
    mixed = mix(load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors")), alpha)
    output.mkdir(parents=True, exist_ok=True)
    save_file(mixed, str(output / "model.safetensors"), metadata={"format": "pt"})
    for name in COPIED:
        if (b / name).is_file():
            shutil.copy(b / name, output / name)
    digest = seal(output)
    parents = {"a": {"path": portable(a), "sha256": sha256_file(a / "model.safetensors")},
               "b": {"path": portable(b), "sha256": sha256_file(b / "model.safetensors")}}
    record = json.loads((b / "training.json").read_text())
    record["interpolated"] = {"alpha": alpha, **parents, "sha256": digest}
    record["model_sha256"] = digest
    (output / "training.json").write_text(json.dumps(record, indent=1))
    (output / "MODEL_CARD.md").write_text(card(_text(b / "MODEL_CARD.md"), record["interpolated"],
                                               b_from_a=record.get("base_sha256") == parents["a"]["sha256"]))
    return output


def card(b_card: str, mixed: dict, b_from_a: bool) -> str:
    """B's model card with a section on the interpolation after its opening paragraph."""
    a, b, alpha = mixed["a"], mixed["b"], mixed["alpha"]
    section = (
        "## Weight interpolation\n"
        f"These weights are `(1 - {alpha:g}) * A + {alpha:g} * B`, tensor by tensor (WiSE-FT, Wortsman et al. 2022),\n"
        f"made by `python -m rag.tools.soup --a {a['path']} --b {b['path']} --alpha {alpha:g}`:\n\n"
        f"- A: `{a['path']}`, weights sha256 `{a['sha256']}`"
        + (" (B's base: B was trained from A)" if b_from_a else "") + "\n"
        f"- B: `{b['path']}`, weights sha256 `{b['sha256']}`; the training below is B's\n"
        f"- this mix: weights sha256 `{mixed['sha256']}`\n\n")
    parts = re.split(r"(?m)^(?=## )", b_card, maxsplit=1)
    return parts[0] + section + (parts[1] if len(parts) > 1 else "")


def _text(path: Path) -> str:
    return path.read_text() if path.is_file() else "# Reader\n\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", default="models/reader", help="the reader at alpha 0 (e.g. the shipped one)")
    p.add_argument("--b", required=True, help="the reader at alpha 1 (e.g. one trained further from A)")
    p.add_argument("--alpha", type=float, default=0.5, help="B's share of the weights, 0 < alpha < 1")
    p.add_argument("--output", required=True)
    args = p.parse_args(argv)
    try:
        out = soup(project_path(args.a), project_path(args.b), args.alpha, project_path(args.output))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
