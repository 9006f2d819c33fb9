"""Small helpers more than one stage needs: file hashing and checksums, atomic writes, percentiles,
quote marks kept in pairs."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Sequence


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


FILE_CHECKSUM = "xxh3_128"


def file_checksum(path: Path | str, chunk: int = 1 << 22) -> str:
    """``"xxh3_128:<hex>"`` of a file: the checksum the index writes for its own data files.

    A check against truncation and damage, not against an adversary (model weights from a package
    keep sha256): xxh3 reads a file at memory speed, about 6x sha256 here, and a 1M-sentence index
    is verified at every reopen."""
    import xxhash

    digest = xxhash.xxh3_128()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return f"{FILE_CHECKSUM}:{digest.hexdigest()}"


def checksum_matches(path: Path | str, expected: str | None) -> bool:
    """Whether ``path`` has the checksum ``expected``: ``"xxh3_128:<hex>"``, or a bare sha256 hex
    digest as indexes written before 2026-11-30 recorded."""
    if not isinstance(expected, str):
        return False
    if expected.startswith(f"{FILE_CHECKSUM}:"):
        return file_checksum(path) == expected
    return len(expected) == 64 and sha256_file(path) == expected


def atomic_write(path: Path | str, data: bytes | str) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``:
    a reader sees the old file or the new one, never half of one, even after a crash."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation, as numpy's default; 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in [0, 100], got {q!r}")
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


_QUOTE_PAIRS = (('"', '"'), ("\u201c", "\u201d"))


def balance_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` widened by one character where that closes a quotation it opens (or opens
    one it closes): trimming quote marks off an answer's ends must not leave
    ``called "repeated breaches of colleagues' trust`` with its quotation open."""
    for opening, closing in _QUOTE_PAIRS:
        inner = text[start:end]
        if opening == closing:
            if inner.count(opening) % 2 == 0:
                continue
            if end < len(text) and text[end] == closing:
                end += 1
            elif start > 0 and text[start - 1] == opening:
                start -= 1
            continue
        if inner.count(opening) > inner.count(closing) and end < len(text) and text[end] == closing:
            end += 1
        elif inner.count(closing) > inner.count(opening) and start > 0 and text[start - 1] == opening:
            start -= 1
    return start, end
