"""Where things live: the project root and the shared data beside it (``../shared``).

One resolver for the shared folder, so no module carries a machine's absolute path. Override it
with the ``RAG_SHARED`` environment variable (or a tool's ``--shared`` flag, which sets it).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "RAG_SHARED"


class SharedDataMissing(FileNotFoundError):
    """The shared data folder (or a file in it) is not where it was looked for."""


def shared_dir() -> Path:
    """The shared data folder: ``$RAG_SHARED`` if set, else ``../shared`` next to the project root."""
    override = os.environ.get(SHARED_ENV)
    return Path(override).expanduser().resolve() if override else PROJECT_ROOT.parent / "shared"


def shared_path(*parts: str, must_exist: bool = False) -> Path:
    """A path inside the shared folder; with ``must_exist``, a clear error when it is not there."""
    path = shared_dir().joinpath(*parts)
    if must_exist and not path.exists():
        raise SharedDataMissing(
            f"{path} not found: the shared data is looked for in ../shared beside the project root "
            f"({PROJECT_ROOT.parent}); set {SHARED_ENV}=/path/to/shared or pass --shared to point elsewhere")
    return path


def use_shared(path: str | Path | None) -> None:
    """Point ``shared_dir`` at ``path`` for this process (a tool's ``--shared`` flag); None keeps it."""
    if path:
        os.environ[SHARED_ENV] = str(Path(path).expanduser().resolve())
