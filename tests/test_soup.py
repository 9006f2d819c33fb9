"""rag.tools.soup: two readers' weights interpolated, with their lineage; mismatched readers refused."""

import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from rag.tools.soup import main, soup
from rag.tools.train_reader import _lineage
from rag.util import sha256_file


def _reader(folder, weight, tokenizer="vocab-1", base_sha256="base"):
    """A reader folder as train_reader leaves it, with tiny tensors in place of a network."""
    folder.mkdir(parents=True)
    save_file({"layer.weight": torch.full((2, 3), weight, dtype=torch.float16),
               "position_ids": torch.arange(4)}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "tokenizer.json").write_text(tokenizer)
    (folder / "tokenizer_config.json").write_text("{}")
    (folder / "config.json").write_text("{}")
    (folder / "reader.json").write_text('{"normalization": "joint"}\n')
    (folder / "training.json").write_text(json.dumps({"config": {"seed": 1}, "base_sha256": base_sha256,
                                                      "model_sha256": sha256_file(folder / "model.safetensors")}))
    (folder / "MODEL_CARD.md").write_text("# Reader B\n\nWhat it is.\n\n## Training\nB's run.\n")
    return folder


def test_weights_are_mixed_in_proportion_and_recorded(tmp_path):
    a = _reader(tmp_path / "a", 1.0)
    b = _reader(tmp_path / "b", 3.0, base_sha256=sha256_file(a / "model.safetensors"))
    out = soup(a, b, 0.25, tmp_path / "mix")
    weights = load_file(str(out / "model.safetensors"))
    assert weights["layer.weight"].dtype == torch.float16
    assert torch.allclose(weights["layer.weight"].float(), torch.full((2, 3), 1.5))   # 0.75 * 1 + 0.25 * 3
    assert torch.equal(weights["position_ids"], torch.arange(4))                        # integers kept as they are
    digest = sha256_file(out / "model.safetensors")
    assert (out / "SHA256SUMS").read_text() == f"{digest}  model.safetensors\n"
    record = json.loads((out / "training.json").read_text())
    assert record["model_sha256"] == digest
    assert record["interpolated"]["alpha"] == 0.25
    assert record["interpolated"]["a"]["sha256"] == sha256_file(a / "model.safetensors")
    assert record["interpolated"]["b"]["sha256"] == sha256_file(b / "model.safetensors")
    card = (out / "MODEL_CARD.md").read_text()
    assert card.index("## Weight interpolation") < card.index("## Training")
    assert "B's base: B was trained from A" in card and "0.25" in card
    # a stage trained from the mix keeps it in its lineage
    assert _lineage(out)[1][-1]["interpolated"]["sha256"] == digest


@pytest.mark.parametrize("change", ["tokenizer", "shape", "tensors"])
def test_readers_of_different_families_are_refused(tmp_path, change):
    a = _reader(tmp_path / "a", 1.0, tokenizer="vocab-2" if change == "tokenizer" else "vocab-1")
    b = _reader(tmp_path / "b", 3.0)
    if change != "tokenizer":
        tensors = {"layer.weight": torch.zeros((3, 3) if change == "shape" else (2, 3), dtype=torch.float16)}
        if change == "shape":
            tensors["position_ids"] = torch.arange(4)
        save_file(tensors, str(a / "model.safetensors"))
    with pytest.raises(ValueError):
        soup(a, b, 0.5, tmp_path / "mix")
    assert not (tmp_path / "mix" / "model.safetensors").exists()


def test_command_line_says_what_is_wrong(tmp_path, capsys):
    a, b = _reader(tmp_path / "a", 1.0), _reader(tmp_path / "b", 3.0)
    assert main(["--a", str(a), "--b", str(b), "--alpha", "1.5", "--output", str(tmp_path / "m")]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert main(["--a", str(a), "--b", str(b), "--output", str(b)]) == 2
    assert main(["--a", str(a), "--b", str(b), "--output", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "MODEL_CARD.md").is_file()
