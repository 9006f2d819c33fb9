"""The training loop both trained models share (reader, reranker): time/step budget (a pause of the
process does not count), warm-up and linear decay, gradient clipping, a log line every few steps,
atomic checkpoints and resume.

What differs between the two is only what one batch is and how it becomes a loss; each caller
passes that in as ``epoch_batches`` and ``step``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from rag.util import atomic_write

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel

# One batch -> (loss, examples in it, named metrics to average and log beside the loss)
StepFn = Callable[[Any], tuple["torch.Tensor", int, Mapping[str, float]]]


class StepClock:
    """The training time a step counts toward the budget: its wall time, except that a step taking
    over ``pause_factor`` times the median of the recent ones counts as that median. The process was
    stopped (SIGSTOP while a benchmark runs, a suspended machine), not training; counted in full,
    such a pause spent the budget and moved the LR schedule on without a step being taken."""

    def __init__(self, pause_factor: float = 5.0, window: int = 50, warmup: int = 10) -> None:
        self.pause_factor, self.window, self.warmup = pause_factor, window, warmup
        self.recent: list[float] = []

    def count(self, seconds: float) -> float:
        if len(self.recent) >= self.warmup:
            typical = sorted(self.recent)[len(self.recent) // 2]
            if seconds > self.pause_factor * typical:
                return typical
        self.recent = [*self.recent[-(self.window - 1):], seconds]
        return seconds


def start(cfg: Any, model: "PreTrainedModel", run_dir: Path, resume: bool) -> tuple["torch.optim.Optimizer", dict]:
    """Seed torch, build AdamW and a fresh state, or restore both from ``run_dir`` on resume;
    records ``cfg`` as run_dir/config.json."""
    import torch
    from dataclasses import asdict

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    model.train()
    optimizer = build_optimizer(model, cfg)
    state = {"step": 0, "epoch": 0, "batch": 0, "examples": 0, "train_seconds": 0.0, "curve": [],
             "config": asdict(cfg)}
    if resume and (run_dir / "state.json").exists():
        saved = load_checkpoint(run_dir, model, optimizer)
        state.update({k: saved[k] for k in ("step", "epoch", "batch", "examples", "train_seconds", "curve")})
        print(f"resumed at step {state['step']} (epoch {state['epoch']}, batch {state['batch']})", flush=True)
    atomic_write(run_dir / "config.json", json.dumps(asdict(cfg), indent=1))
    return optimizer, state


def run(cfg: Any, model: "PreTrainedModel", optimizer: "torch.optim.Optimizer", state: dict, run_dir: Path,
        epoch_batches: Callable[[int], Sequence[Any]], step: StepFn, unit: str = "ex") -> dict:
    """Train until the budget in ``cfg`` (max_steps / max_minutes / max_epochs) is spent; the state
    is checkpointed every ``cfg.checkpoint_minutes`` and at the end. ``epoch_batches(epoch)`` must be
    deterministic, so a resumed run rebuilds the same batches and continues at ``state['batch']``.
    Curve rows are [step, examples, mean loss, *mean metrics]."""
    import torch

    running, metrics, run_n = 0.0, {}, 0
    clock = StepClock()
    last_ckpt = time.monotonic()
    log_start, log_examples = time.monotonic(), 0
    done = False
    while not done and state["epoch"] < cfg.max_epochs:
        batches = epoch_batches(state["epoch"])
        while state["batch"] < len(batches):
            progress = progress_of(cfg, state["step"], state["train_seconds"])
            if progress >= 1.0:
                done = True
                break
            t0 = time.monotonic()
            for group in optimizer.param_groups:
                group["lr"] = cfg.lr * lr_factor(progress, cfg.warmup)
            loss, n, extra = step(batches[state["batch"]])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            state["step"] += 1
            state["batch"] += 1
            state["examples"] += n
            state["train_seconds"] += clock.count(time.monotonic() - t0)
            log_examples += n
            running, run_n = running + loss.item(), run_n + 1
            for key, value in extra.items():
                metrics[key] = metrics.get(key, 0.0) + value
            if state["step"] % cfg.log_every == 0:
                means = {k: v / run_n for k, v in metrics.items()}
                state["curve"].append([state["step"], state["examples"], round(running / run_n, 4),
                                       *(round(v, 4) for v in means.values())])
                rate = log_examples / (time.monotonic() - log_start)
                log_start, log_examples = time.monotonic(), 0
                done_frac = progress_of(cfg, state["step"], state["train_seconds"])
                eta = state["train_seconds"] * (1 - done_frac) / max(done_frac, 1e-9)
                shown = "".join(f" {k} {v:.3f}" for k, v in means.items())
                print(f"step {state['step']} ep {state['epoch']} {unit} {state['examples']} "
                      f"loss {running / run_n:.4f}{shown} lr {optimizer.param_groups[0]['lr']:.2e} "
                      f"{rate:.1f} {unit}/s progress {done_frac:.1%} eta {eta / 60:.1f} min", flush=True)
                running, metrics, run_n = 0.0, {}, 0
            if time.monotonic() - last_ckpt >= cfg.checkpoint_minutes * 60:
                save_checkpoint(run_dir, model, optimizer, state)
                last_ckpt = time.monotonic()
        else:
            state["epoch"] += 1
            state["batch"] = 0
    save_checkpoint(run_dir, model, optimizer, state)
    return state


def build_optimizer(model: "PreTrainedModel", cfg: Any) -> "torch.optim.AdamW":
    """AdamW without weight decay on biases and LayerNorm weights (the usual BERT recipe)."""
    import torch

    decay = [p for n, p in model.named_parameters() if not n.endswith("bias") and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)


def lr_factor(progress: float, warmup: float) -> float:
    """Linear warm-up over the first ``warmup`` of the schedule, then linear decay to 0."""
    if progress < warmup:
        return progress / warmup
    return max(0.0, (1.0 - progress) / (1.0 - warmup))


def progress_of(cfg: Any, step: int, train_seconds: float) -> float:
    """Fraction of the schedule done: the further of the step budget and the time budget."""
    parts = []
    if cfg.max_steps > 0:
        parts.append(step / cfg.max_steps)
    if cfg.max_minutes > 0:
        parts.append(train_seconds / (cfg.max_minutes * 60.0))
    return max(parts)


def save_checkpoint(run_dir: Path, model: "PreTrainedModel", optimizer: "torch.optim.Optimizer",
                    state: dict) -> None:
    """Model and AdamW tensors as safetensors, step/RNG/data position as JSON; each file atomic.

    ``state.json`` is written last and names the other two files' hashes, so a crash mid-way
    leaves the previous complete checkpoint in force (resume checks them).
    """
    import torch
    from safetensors.torch import save_file

    run_dir.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    opt = optimizer.state_dict()
    opt_tensors: dict[str, torch.Tensor] = {}
    for pid, pstate in opt["state"].items():
        for key, value in pstate.items():
            value = value if torch.is_tensor(value) else torch.tensor(value)
            opt_tensors[f"{pid}.{key}"] = value.detach().contiguous()
    opt_tensors["__torch_rng__"] = torch.get_rng_state()
    files = {}
    for name, data in (("model", tensors), ("optimizer", opt_tensors)):
        final = run_dir / f"{name}-{state['step']}.safetensors"
        tmp = final.with_name(final.name + ".tmp")
        save_file(data, str(tmp))
        os.replace(tmp, final)
        files[name] = final.name
    groups = [{k: v for k, v in g.items()} for g in opt["param_groups"]]
    record = dict(state, files=files, param_groups=groups)
    atomic_write(run_dir / "state.json", json.dumps(record, indent=1))
    for old in run_dir.glob("*.safetensors"):   # keep only the checkpoint state.json points at
        if old.name not in files.values():
            old.unlink()


def load_checkpoint(run_dir: Path, model: "PreTrainedModel", optimizer: "torch.optim.Optimizer") -> dict:
    """Restore model, optimizer and torch RNG from ``run_dir``; returns the JSON state."""
    import torch
    from safetensors.torch import load_file

    record = json.loads((run_dir / "state.json").read_text())
    model.load_state_dict(load_file(str(run_dir / record["files"]["model"])))
    flat = load_file(str(run_dir / record["files"]["optimizer"]))
    torch.set_rng_state(flat.pop("__torch_rng__"))
    opt_state: dict[int, dict] = {}
    for key, value in flat.items():
        pid, name = key.split(".", 1)
        opt_state.setdefault(int(pid), {})[name] = value
    optimizer.load_state_dict({"state": opt_state, "param_groups": record["param_groups"]})
    return record


def config_parser(prog: str, description: str, config: type) -> argparse.ArgumentParser:
    """A command line with one flag per field of the ``config`` dataclass, plus --resume."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    for f in fields(config):
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            parser.add_argument(flag, action="store_true", help=f"(default {f.default})")
        else:
            kind = {"int": int, "float": float, "str": str}[str(f.type)]
            parser.add_argument(flag, type=kind, default=f.default, help=f"(default {f.default})")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in --run-dir")
    return parser


def command_line(prog: str, config: type, cfg: dict) -> str:
    """The ``python -m prog`` command that reproduces ``cfg`` (non-default flags only, paths left out)."""
    defaults = {f.name: f.default for f in fields(config)}
    flags = []
    for key, value in cfg.items():
        if key in ("output", "run_dir") or value == defaults[key]:
            continue
        flag = "--" + key.replace("_", "-")
        flags.append(flag if value is True else f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    return " ".join([f"python -m {prog}", *flags])
