"""Offline question answering over a folder of documents, with verified sentence citations.

``import rag`` is cheap: torch, faiss and the models load only when an assistant is built.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# Nothing is ever fetched from a model hub: weights come from installed packages and models/.
# Set here, once, before any module of the package can import transformers or huggingface_hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

__all__ = ["Assistant", "answer", "Answer", "Citation", "Settings"]

if TYPE_CHECKING:
    from rag.assistant import Assistant, answer
    from rag.settings import Settings
    from rag.types import Answer, Citation


def __getattr__(name: str) -> Any:
    # Lazy so that `import rag` does not pull in torch (see STYLE habit 7).
    if name in ("Assistant", "answer"):
        from rag import assistant
        return getattr(assistant, name)
    if name == "Settings":
        from rag.settings import Settings
        return Settings
    if name in ("Answer", "Citation"):
        from rag import types
        return getattr(types, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
