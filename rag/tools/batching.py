"""Batching helpers shared by the reader's single-window and joint training: padding, answer tokens."""

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


def segment_ids(encoding, i: int) -> list[int]:
    """Row ``i``'s segments as BERT's token_type_ids lay them out: 0 up to the window, 1 from its
    first token to the end. Derived from the sequence ids for tokenizers that give none (MPNet)."""
    if "token_type_ids" in encoding:
        return encoding["token_type_ids"][i]
    seq = encoding.sequence_ids(i)
    first = next((t for t, sid in enumerate(seq) if sid == 1), len(seq))
    return [0] * first + [1] * (len(seq) - first)


def model_inputs(model, batch: dict[str, "torch.Tensor"]) -> dict[str, "torch.Tensor"]:
    """The batch's input tensors that ``model`` takes: token_type_ids only where the architecture
    has segment embeddings (BERT does, MPNet does not)."""
    from rag.readers.trained import forward_inputs

    names = forward_inputs(model)
    return {k: v for k, v in batch.items()
            if k in ("input_ids", "attention_mask", "token_type_ids") and k in names}


def answer_tokens(sequence_ids: Sequence[int | None], offsets: Sequence[Sequence[int]], start: int,
                  end: int) -> tuple[int, int] | None:
    """First and last token of the window (segment 1) that cover the characters [start, end), or
    None when truncation cut the answer off (the model cannot see it: a no-answer target)."""
    ctx = [t for t, sid in enumerate(sequence_ids) if sid == 1]
    starts = [t for t in ctx if offsets[t][1] > start]
    ends = [t for t in ctx if offsets[t][0] < end]
    if ctx and starts and ends and offsets[ctx[-1]][1] >= end and starts[0] <= ends[-1]:
        return starts[0], ends[-1]
    return None
