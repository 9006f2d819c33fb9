"""Loading a corpus: a folder of .txt/.md/.html/.pdf/.docx files or a JSON Lines file of documents.

Unreadable files (not UTF-8, binary, empty, too large, encrypted or scanned PDFs, broken .docx)
are skipped with a reason naming the file, so one bad file never stops the rest of the corpus
from loading. ``rag.formats`` turns each file into the text that citations index into.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import CorpusError, UploadError
from rag.formats import SUFFIXES, Extracted, decode_text, extract, html_to_text  # noqa: F401  (re-exported)
from rag.types import Document, Skipped

TEXT_SUFFIXES = SUFFIXES               # the file types a folder corpus reads (rag.formats)
METADATA_FILE = "metadata.json"       # optional: {"file name": {"title": ..., "outlet": ...}}
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Corpus:
    """The documents that loaded, in a stable order, and the files that did not."""

    documents: list[Document]
    skipped: list[Skipped] = field(default_factory=list)
    root: Path | None = None          # the folder new files are added to (None for a .jsonl corpus)

    def by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}


def content_hash(text: str) -> str:
    """sha256 of a document's text: what the index manifest compares to find changed documents."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title_from(path: Path, text: str) -> str:
    if path.suffix == ".md":
        match = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
        if match:
            return match.group(1).strip()
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def read_file(path: Path, root: Path, metadata: dict[str, dict]) -> Document:
    """One corpus file as a Document; ValueError with the reason if it cannot be used."""
    name = path.relative_to(root).as_posix()
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{name} is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit; split it")
    extracted = extract(name, path.read_bytes())
    meta = metadata.get(name, {})
    doc_id = name.rsplit(".", 1)[0]
    return Document(doc_id=doc_id, title=meta.get("title") or extracted.title or _title_from(path, extracted.text),
                    text=extracted.text, source=str(path), outlet=meta.get("outlet", ""))


def _load_metadata(folder: Path) -> dict[str, dict]:
    meta_path = folder / METADATA_FILE
    if not meta_path.exists():
        return {}
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{meta_path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{meta_path} must be a JSON object of {{\"file name\": {{\"title\": ..., \"outlet\": ...}}}}, "
                          f"not a {type(data).__name__}")
    # only text values: a number or list as a title would reach the page and the embedder as is
    return {name: {key: value for key, value in entry.items() if key in ("title", "outlet") and isinstance(value, str)}
            for name, entry in data.items() if isinstance(entry, dict)}


def _load_folder(folder: Path) -> Corpus:
    metadata = _load_metadata(folder)
    documents: list[Document] = []
    skipped: list[Skipped] = []
    paths = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in paths:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        try:
            documents.append(read_file(path, folder, metadata))
        except (ValueError, OSError) as exc:
            skipped.append(Skipped(str(path), str(exc)))
    return Corpus(*_dedupe(documents, skipped), root=folder)


def _load_jsonl(path: Path) -> Corpus:
    documents: list[Document] = []
    skipped: list[Skipped] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from None
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        where = f"{path}:{lineno}"
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8"))
            doc_id, text = str(row["doc_id"]), row["text"]
            if not isinstance(text, str) or not text.strip():
                raise ValueError("'text' is empty or not a string")
            documents.append(Document(doc_id=doc_id, title=str(row.get("title") or doc_id), text=text,
                                      source=where, outlet=str(row.get("outlet", ""))))
        except UnicodeDecodeError:
            skipped.append(Skipped(where, "line is not UTF-8"))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped.append(Skipped(where, f"not a {{doc_id, title, text}} JSON object ({exc})"))
    return Corpus(*_dedupe(documents, skipped), root=None)


def _dedupe(documents: list[Document], skipped: list[Skipped]) -> tuple[list[Document], list[Skipped]]:
    """Drop repeated ids and exact duplicate texts, so the same sentence is never cited twice."""
    seen_ids: set[str] = set()
    seen_text: dict[str, str] = {}
    kept: list[Document] = []
    for doc in documents:
        digest = content_hash(doc.text)
        if doc.doc_id in seen_ids:
            skipped.append(Skipped(doc.source, f"duplicate document id {doc.doc_id!r}"))
        elif digest in seen_text:
            skipped.append(Skipped(doc.source, f"same text as document {seen_text[digest]!r}"))
        else:
            seen_ids.add(doc.doc_id)
            seen_text[digest] = doc.doc_id
            kept.append(doc)
    return kept, skipped


def load_corpus(path: str | Path) -> Corpus:
    """Load a folder of text files or a .jsonl file; raises CorpusError if nothing usable is there."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus not found: {path} does not exist")
    corpus = _load_folder(path) if path.is_dir() else _load_jsonl(path)
    if not corpus.documents:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in corpus.skipped[:5])
        raise CorpusError(f"no readable documents in {path}" + (f" ({reasons})" if reasons else
                          f" (expected {', '.join(TEXT_SUFFIXES)} files or a .jsonl file)"))
    return corpus


def _checked_name(name: str) -> str:
    """The last component of an uploaded file's name, or UploadError if it is no plain file name."""
    base = Path(str(name).replace("\\", "/")).name
    if not base or base != str(name).replace("\\", "/").split("/")[-1] or base.startswith("."):
        raise UploadError(f"invalid file name {name!r}")
    if "/" in str(name) or "\\" in str(name) or ".." in str(name):
        raise UploadError(f"file name {name!r} must not contain a path")
    # control and format characters (NUL, newlines, right-to-left overrides that disguise the
    # extension) and over-long names would fail in open() or mislead; refuse them by name
    if (len(base.encode("utf-8")) > 255 or not Path(base).stem.strip()
            or any(unicodedata.category(ch).startswith("C") for ch in base)):
        raise UploadError(f"file name {name!r} is not allowed: use visible characters, at most 255 bytes")
    if Path(base).suffix.lower() not in TEXT_SUFFIXES:
        raise UploadError(f"{base}: only {', '.join(TEXT_SUFFIXES)} files can be added")
    return base


def _checked_data(base: str, data: bytes) -> Extracted:
    """The uploaded file's text, or UploadError (too big, unreadable) before anything is written."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{base} is {len(data) / 1e6:.1f} MB; the upload limit is {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        return extract(base, data)   # encrypted or scanned PDF, broken .docx, not UTF-8, ...
    except ValueError as exc:
        raise UploadError(str(exc)) from None


def save_upload(corpus: Corpus, name: str, data: bytes) -> Document:
    """Write an uploaded file into a folder corpus, checked and atomically; UploadError changes nothing.

    Returns the new Document; the caller re-indexes."""
    root = corpus.root
    if root is None:
        raise UploadError("this corpus is a .jsonl file; uploads need a folder corpus")
    base = _checked_name(name)
    _checked_data(base, data)
    target = root / base
    if target.exists():
        raise UploadError(f"{base} already exists in the corpus; rename the file to add it")
    if any(d.doc_id == target.stem for d in corpus.documents):
        raise UploadError(f"a document named {target.stem!r} already exists; rename the file")
    metadata = _load_metadata(root)   # before writing: a broken metadata.json must not leave the file behind
    # Written in full under a hidden name (the loader skips dot-files), then hard-linked into
    # place: a crash never leaves half a document, and the link never overwrites, even in a race.
    partial = root / f".upload-{secrets.token_hex(8)}.part"
    try:
        with open(partial, "xb") as handle:   # (not mkstemp: the document keeps the umask's mode)
            handle.write(data)
        os.link(partial, target)
    except FileExistsError:
        raise UploadError(f"{base} already exists in the corpus; rename the file to add it") from None
    except OSError as exc:
        raise UploadError(f"could not save {base} in the corpus folder ({exc.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    try:
        doc = read_file(target, root, metadata)
        # the corpus loader would skip a second copy, so the upload would add nothing: say so
        same = next((d.doc_id for d in corpus.documents if d.text == doc.text), None)
        if same is not None:
            raise ValueError(f"{base} has the same text as document {same!r}, which is already in the corpus")
    except (ValueError, OSError) as exc:
        target.unlink(missing_ok=True)
        raise UploadError(str(exc)) from None
    return doc


def _own_file(corpus: Corpus, doc_id: str) -> tuple[Document, Path]:
    """A document of a folder corpus and its file, or UploadError when there is no such file."""
    if corpus.root is None:
        raise UploadError("this corpus is a .jsonl file; documents can be changed only in a folder corpus")
    doc = corpus.by_id().get(doc_id)
    if doc is None:
        raise UploadError(f"no document {doc_id!r} in the corpus")
    path = Path(doc.source)
    try:
        path.resolve().relative_to(corpus.root.resolve())
    except ValueError:
        raise UploadError(f"{doc_id!r} is not a file of the corpus folder") from None
    return doc, path


def remove_file(corpus: Corpus, doc_id: str) -> Document:
    """Delete one document's file from a folder corpus (one atomic unlink); UploadError if it cannot."""
    doc, path = _own_file(corpus, doc_id)
    try:
        path.unlink()
    except FileNotFoundError:
        pass   # already gone: the re-index drops it all the same
    except OSError as exc:
        raise UploadError(f"could not remove {path.name} ({exc.strerror})") from None
    return doc


def replace_file(corpus: Corpus, doc_id: str, name: str, data: bytes) -> Document:
    """Put a new version of a document's file in place: checked first, then one atomic rename, so
    the folder holds the old file or the new one, never half of one. UploadError changes nothing.

    The new file must be of the same type (suffix) as the old one: the document keeps its file
    name, id and metadata. Returns the new Document; the caller re-indexes."""
    doc, path = _own_file(corpus, doc_id)
    base = _checked_name(name)
    if Path(base).suffix.lower() != path.suffix.lower():
        raise UploadError(f"{base} is not a {path.suffix} file: {path.name} can be replaced only by a "
                          f"{path.suffix} file (remove it and add {base} as a new document instead)")
    extracted = _checked_data(base, data)
    if extracted.text == doc.text:
        raise UploadError(f"{base} has the same text as the current {path.name}; nothing to replace")
    same = next((d.doc_id for d in corpus.documents if d.doc_id != doc_id and d.text == extracted.text), None)
    if same is not None:
        raise UploadError(f"{base} has the same text as document {same!r}, which is already in the corpus")
    root = corpus.root
    assert root is not None   # _own_file refuses a .jsonl corpus
    metadata = _load_metadata(root)   # before writing: a broken metadata.json changes nothing
    partial = path.parent / f".upload-{secrets.token_hex(8)}.part"   # hidden: the loader skips it
    try:
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)   # the commit point: atomic on POSIX
    except OSError as exc:
        raise UploadError(f"could not save the new {path.name} ({exc.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    return read_file(path, root, metadata)
