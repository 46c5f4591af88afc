"""Reading one file into numbered lines: which reader a suffix goes to, and folders expanded.

The readers live in `assistant.ingest.formats`, one module per format family. Every failure
becomes a LoadError with a short reason a user can act on; the caller records it against the
file and goes on with the rest of the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from assistant.ingest.formats.base import EMPTY, LoadError, Read
from assistant.ingest.formats.limits import check_chars
from assistant.ingest.formats.ofd import read_ofd
from assistant.ingest.formats.office import CONVERTED_SUFFIXES, read_converted
from assistant.ingest.formats.pdf import read_pdf
from assistant.ingest.formats.scans import IMAGE_SUFFIXES, read_image
from assistant.ingest.formats.text import read_text
from assistant.ingest.formats.web import read_page
from assistant.ingest.formats.word import read_docx
from assistant.models import LoadedFile

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "iter_input_files", "load_file"]

Reader = Callable[[Path, bytes], Read]
READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    **dict.fromkeys(CONVERTED_SUFFIXES, read_converted),
    **dict.fromkeys((".html", ".htm", ".mhtml"), read_page),
    **dict.fromkeys(IMAGE_SUFFIXES, read_image),
    ".ofd": read_ofd,
}
SUPPORTED_SUFFIXES = tuple(READERS)
# Formats deliberately not read, with the reason and the next step (README, "Formats").
NOT_READ = {
    **dict.fromkeys((".xls", ".xlsx", ".et", ".csv"), ("表格", "请把报告正文另存为 .docx 后上传")),
    **dict.fromkeys((".ppt", ".pptx", ".dps"), ("演示文稿", "请把讲稿另存为 .docx 后上传")),
    **dict.fromkeys((".zip", ".rar", ".7z"), ("压缩包", "请解压后上传其中的文件")),
    **dict.fromkeys((".caj", ".kdh", ".nh"), ("知网格式", "请用 CAJViewer 另存为 PDF 后上传")),
    **dict.fromkeys((".dot", ".dotx", ".wpt"), ("模板文件", "请用 Word 或 WPS 打开后另存为 .docx 后上传")),
}
BROKEN_LINK = "符号链接循环或指向不存在的文件：请检查这个链接，或直接给出文件本身"
MAX_FILE_BYTES = 50 * 1024 * 1024  # a report compilation is a few MB at most; 50 MB is not a report


def load_file(path: str | Path) -> LoadedFile:
    """Read one supported file into lines; raises LoadError for anything unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, _unsupported(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb, limit = -(-size // 2**20), MAX_FILE_BYTES // 2**20
            raise LoadError(path, f"文件过大（{mb} MB，上限 {limit} MB）：请拆分后再上传")
        data = path.read_bytes()
    except OSError as exc:
        reason = f"无法读取文件（{exc.strerror or type(exc).__name__}）：请检查文件是否存在、是否有读取权限"
        raise LoadError(path, reason) from exc
    if not data.strip():
        raise LoadError(path, EMPTY)
    read = READERS[suffix](path, data)
    check_chars(path, sum(len(line.text) for line in read.lines))
    return LoadedFile(str(path), read.lines, read.encoding, hashlib.sha256(data).hexdigest(), read.ocr)


def _unsupported(path: Path) -> str:
    """The reason given for a file whose suffix we do not read, with what to do instead."""
    suffix = path.suffix.lower()
    if suffix in NOT_READ:
        kind, step = NOT_READ[suffix]
        return f"不支持的文件类型 {suffix}（{kind}）：{step}"
    return f"不支持的文件类型 {suffix or '（无扩展名）'}：请另存为 .docx 后上传"


def _hidden(name: str) -> bool:
    """Hidden files/folders and Word's ~$ lock files are skipped when expanding a folder."""
    return name.startswith((".", "~$"))


def iter_input_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively, sorted) into supported files and skipped ones."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for given in map(Path, paths):
        if given.is_symlink() and not given.exists():
            skipped.append((str(given), BROKEN_LINK))
            continue
        if given.is_dir():
            inside = [p for p in given.rglob("*") if not any(map(_hidden, p.relative_to(given).parts))]
            skipped += [(str(p), BROKEN_LINK) for p in inside if p.is_symlink() and not p.exists()]
            found = sorted(p for p in inside if p.is_file())
        elif given.exists():
            found = [given]  # named explicitly: the user means it
        else:
            skipped.append((str(given), "文件或文件夹不存在：请检查路径"))
            continue
        for path in found:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                skipped.append((str(path), _unsupported(path)))
    return files, skipped
