"""Reading one file into numbered lines: .txt/.md in any common Chinese encoding, .docx, .pdf.

Every failure becomes a LoadError with a short reason a user can act on; the caller records
it against the file and goes on with the rest of the batch.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

from assistant.models import Line, LoadedFile

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".md")
MAX_FILE_BYTES = 50 * 1024 * 1024  # a report compilation is a few MB at most; 50 MB is not a report
# Share of control characters above which decoded "text" is really binary.
MAX_CONTROL_SHARE = 0.01
INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class LoadError(Exception):
    """A file that cannot be read; `reason` says why in a few words."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason


def _lines(text: str, style_of=None) -> list[Line]:
    """Numbered lines with invisible characters removed and trailing space stripped."""
    rows = INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = []
    for number, row in enumerate(rows, start=1):
        row = row.strip()
        style = ""
        if style_of:
            row, style = style_of(row)
        lines.append(Line(text=row, number=number, style=style))
    return lines


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Text and encoding name: BOMs first, then strict UTF-8, then charset-normalizer."""
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"invalid {name} text") from exc
    if b"\x00" in data:
        raise LoadError(path, "not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise LoadError(path, "could not detect the text encoding")
    return str(best), best.encoding


def _check_text(text: str, path: str | Path) -> None:
    if not text.strip():
        raise LoadError(path, "empty file")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise LoadError(path, "not a text file (binary content)")


def _markdown_style(row: str) -> tuple[str, str]:
    m = MD_HEADING.match(row)
    return (m.group(2).strip(), f"Heading {len(m.group(1))}") if m else (row, "")


def _load_text(path: Path, data: bytes) -> tuple[list[Line], str]:
    text, encoding = decode(data, path)
    _check_text(text, path)
    return _lines(text, _markdown_style if path.suffix.lower() == ".md" else None), encoding


def _load_docx(path: Path) -> tuple[list[Line], str]:
    """Paragraphs and table rows in document order; Word style names kept as hints."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        blocks = list(document.iter_inner_content())
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(path, f"corrupt .docx ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # python-docx raises assorted errors on damaged parts
        raise LoadError(path, f"corrupt .docx ({type(exc).__name__})") from exc
    lines: list[Line] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(row.cells))  # merged cells repeat the same object
                text = " | ".join(c.text.strip() for c in cells)
                lines.append(Line(text=text, number=len(lines) + 1, style="table"))
        else:
            style = block.style.name if block.style is not None else ""
            for row in INVISIBLE.sub("", block.text).split("\n"):
                lines.append(Line(text=row.strip(), number=len(lines) + 1, style=style))
    if not any(line.text for line in lines):
        raise LoadError(path, "empty file")
    return lines, "docx"


def _load_pdf(path: Path) -> tuple[list[Line], str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise LoadError(path, "encrypted PDF")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(path, f"unreadable PDF ({type(exc).__name__})") from exc
    if not text.strip():
        raise LoadError(path, "no text layer (scanned?)")
    return _lines(text), "pdf"


def load_file(path: str | Path) -> LoadedFile:
    """Read one supported file into lines; raises LoadError for anything unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(path, f"file too large ({size // 2**20} MB > {MAX_FILE_BYTES // 2**20} MB limit)")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, exc.strerror or "cannot read the file") from exc
    if not data.strip():
        raise LoadError(path, "empty file")
    if suffix == ".docx":
        lines, encoding = _load_docx(path)
    elif suffix == ".pdf":
        lines, encoding = _load_pdf(path)
    else:
        lines, encoding = _load_text(path, data)
    return LoadedFile(str(path), lines, encoding, hashlib.sha256(data).hexdigest())


def iter_input_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively, sorted) into supported files and skipped ones."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.is_file())
        elif given.exists():
            found = [given]
        else:
            skipped.append((str(given), "no such file or directory"))
            continue
        for path in found:
            if path.name.startswith((".", "~$")):
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                skipped.append((str(path), f"unsupported file type {path.suffix.lower() or '(none)'}"))
    return files, skipped
