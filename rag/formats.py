"""Files to text: the one place that knows file formats (.txt, .md, .html, .pdf, .docx).

``extract(name, data)`` turns a file's bytes into the plain text that becomes ``Document.text``;
sentences, offsets and citations all index into that text, so a cited sentence is always a
verbatim substring of it whatever the original format was. A file that cannot be used raises
``ValueError`` with a reason a person can act on (encrypted PDF, scanned pages, broken .docx).

The parsers (pypdf, python-docx, trafilatura) are imported on first use: most corpora are plain
text, and ``import rag`` stays cheap.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

PLAIN_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (*PLAIN_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx")


@dataclass(frozen=True)
class Extracted:
    """A file's text (one paragraph per line) and the title the file itself gives ("" if none)."""

    text: str
    title: str = ""


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file to str, or a ValueError saying why it is not a readable text file."""
    if not data.strip():
        raise ValueError(f"{name} is empty")
    if b"\x00" in data[:8192]:
        raise ValueError(f"{name} looks binary (contains NUL bytes), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not UTF-8 text (bad byte at position {exc.start}); "
                         "re-save it as UTF-8") from None
    if not text.strip():
        raise ValueError(f"{name} has no text")
    return text


def _paragraphs(lines: list[str]) -> str:
    """One paragraph per line: whitespace inside a line collapsed, blank lines dropped."""
    cleaned = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in cleaned if line)


class _TextExtractor(HTMLParser):
    """HTML to plain text: drops script/style, turns block elements into line breaks."""

    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
              "section", "article", "header", "footer", "blockquote", "pre", "table", "title"}
    _SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, text) of an HTML page, every visible text kept: the fallback when the article
    extractor finds no article. One paragraph per line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(parser.title.split()), _paragraphs("".join(parser.parts).split("\n"))


def article_text(html: str) -> tuple[str, str]:
    """(title, text) of a saved web page's article alone: menus, captions, cookie notices, related
    links and footers dropped (trafilatura). Falls back to all visible text when it finds no article."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_images=False, include_tables=True,
                               favor_precision=True) or ""
    text = _paragraphs(text.split("\n"))
    fallback_title, fallback = html_to_text(html)
    if not text:
        return fallback_title, fallback
    metadata = trafilatura.extract_metadata(html)
    title = " ".join((metadata.title or "").split()) if metadata is not None else ""
    return title or fallback_title, text


def pdf_text(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, one paragraph per line (lines of a page joined into paragraphs)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    encrypted = f"{name} is a password-protected PDF; save an unprotected copy and add that"
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):   # many open with an empty password
            raise ValueError(encrypted)
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "")
    except (FileNotDecryptedError, DependencyError):   # DependencyError: AES needs a crypto package
        raise ValueError(encrypted) from None
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValueError(f"{name} is not a readable PDF ({type(exc).__name__}: {exc})") from None
    paragraphs: list[str] = []
    for page in pages:
        # a blank line ends a paragraph; single line breaks inside one are the page's layout
        for block in re.split(r"\n\s*\n", page):
            paragraphs.append(re.sub(r"(\w)-\n(\w)", r"\1\2", block).replace("\n", " "))
    text = _paragraphs(paragraphs)
    if not text:
        raise ValueError(f"{name} has no text layer (scanned pages or images only); "
                         "run OCR on it first, then add the result")
    return Extracted(text, " ".join(title.split()))


def docx_text(data: bytes, name: str) -> Extracted:
    """The paragraphs (and table rows) of a Word .docx file, one per line, in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValueError(f"{name} is not a readable Word document ({type(exc).__name__}); "
                         "open it in Word and save it again as .docx") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                             for cell in row.iterchildren() if cell.tag.endswith("}tc")]
                    lines.append(" | ".join(c.strip() for c in cells if c.strip()))
    text = _paragraphs(lines)
    if not text:
        raise ValueError(f"{name} has no text")
    return Extracted(text, " ".join((document.core_properties.title or "").split()))


def extract(name: str, data: bytes) -> Extracted:
    """A file's text and own title by its suffix; ValueError naming the file and what is wrong.

    Raises:
        ValueError: unknown suffix, empty, not UTF-8, binary, encrypted or image-only PDF, broken .docx.
    """
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix in PLAIN_SUFFIXES:
        return Extracted(decode_text(data, name))
    if suffix in HTML_SUFFIXES:
        title, text = article_text(decode_text(data, name))
        if not text.strip():
            raise ValueError(f"{name} has no visible text")
        return Extracted(text, title)
    if not data.strip():
        raise ValueError(f"{name} is empty")
    if suffix == ".pdf":
        return pdf_text(data, name)
    if suffix == ".docx":
        return docx_text(data, name)
    raise ValueError(f"{name}: only {', '.join(SUFFIXES)} files can be read")
