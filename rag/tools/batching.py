"""Padding token rows into one batch: shared by the reader's single-window and joint training."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import torch


def pad_batch(input_ids: Sequence[Sequence[int]], token_type_ids: Sequence[Sequence[int]],
              pad_id: int) -> dict[str, "torch.Tensor"]:
    """input_ids, token_type_ids and attention_mask, padded to the longest row of this batch."""
    import torch

    width = max(len(row) for row in input_ids)
    ids = torch.full((len(input_ids), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(input_ids), width), dtype=torch.long)
    mask = torch.zeros((len(input_ids), width), dtype=torch.long)
    for r, (row, kinds) in enumerate(zip(input_ids, token_type_ids)):
        ids[r, :len(row)] = torch.tensor(row)
        types[r, :len(row)] = torch.tensor(kinds)
        mask[r, :len(row)] = 1
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}
