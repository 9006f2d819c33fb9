"""Errors a user can act on. Each message names the bad value or file."""

from __future__ import annotations


class RagError(Exception):
    """Base class: anything the assistant reports to a user instead of a stack trace."""


class QuestionError(RagError, ValueError):
    """The question cannot be asked (empty, too long, not text)."""


class CorpusError(RagError):
    """The corpus cannot be loaded at all (missing folder, nothing readable)."""


class IndexError_(RagError):
    """The persisted index is broken or does not match; it is rebuilt, never served."""


class ModelError(RagError):
    """A model's files are missing or fail their checksum."""


class UploadError(RagError, ValueError):
    """An uploaded file is rejected (type, size, name, encoding); nothing was changed."""
