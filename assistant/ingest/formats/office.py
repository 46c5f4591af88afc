"""Word processor files other than .docx (.doc, .wps, .rtf, .odt): converted to .docx by
LibreOffice headless, then read as .docx.

One conversion at a time (a lock): on 2 cores a second soffice only slows both. Each process
keeps one private temporary LibreOffice profile (a fresh profile costs ~1 s more a file,
measured 3.8 s against 2.8 s) and starts a new one after a failed or timed-out conversion, so
a profile left half-written by a killed soffice is never reused; it is removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from assistant import settings
from assistant.ingest.formats.base import LoadError, Read
from assistant.ingest.formats.limits import check_zip
from assistant.ingest.formats.text import MIN_TEXT_SHARE, text_share
from assistant.ingest.formats.word import read_docx

CONVERTED_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
# Seconds one conversion may take: a 40-page .doc converts in ~3 s here (most of it start-up);
# a file that takes 20× that is damaged or hostile.
CONVERT_TIMEOUT_S = 60
SAVE_AS = "请在 Word 或 WPS 中另存为 .docx 后上传"
MISSING = f"读取此类文件需要 LibreOffice，本机未安装：请安装 LibreOffice（Debian/Ubuntu：apt install libreoffice-writer-nogui），或{SAVE_AS}"
_lock = threading.Lock()
_profile: dict[str, Path] = {}  # "dir" → this process' LibreOffice profile while it is good


def _profile_dir() -> Path:
    """This process' private LibreOffice profile directory (made on first use)."""
    if "dir" not in _profile:
        _profile["dir"] = Path(tempfile.mkdtemp(prefix="report-assistant-lo-"))
    return _profile["dir"]


def _drop_profile() -> None:
    """Forget and delete the profile (after a failure, and at exit)."""
    folder = _profile.pop("dir", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_drop_profile)


def _run(soffice: str, source: Path, outdir: Path) -> bool:
    """Run one conversion in its own process group; True when soffice finished in time."""
    command = [soffice, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless",
               "--norestore", "--nologo", "--convert-to", "docx", "--outdir", str(outdir), str(source)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=CONVERT_TIMEOUT_S)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # soffice is a script: its soffice.bin too
        process.wait()
        return False


def convert_to_docx(path: Path, data: bytes) -> bytes:
    """The .docx LibreOffice makes of this file; a LoadError when it cannot."""
    soffice = settings.current().soffice
    if not soffice:
        raise LoadError(path, MISSING)
    with tempfile.TemporaryDirectory(prefix="report-assistant-convert-") as work, _lock:
        source = Path(work) / f"input{path.suffix.lower()}"
        source.write_bytes(data)
        try:
            finished = _run(soffice, source, Path(work))
        except OSError as exc:
            raise LoadError(path, f"无法启动 LibreOffice（{exc.strerror or exc}）：请检查其安装，或{SAVE_AS}") from exc
        target = source.with_suffix(".docx")
        if not finished:
            _drop_profile()
            raise LoadError(path, f"转换超时（超过 {CONVERT_TIMEOUT_S} 秒）：文件可能已损坏，{SAVE_AS}")
        if not target.is_file():
            _drop_profile()
            raise LoadError(path, f"LibreOffice 无法转换此文件（可能已损坏或加密）：{SAVE_AS}")
        return target.read_bytes()


def read_converted(path: Path, data: bytes) -> Read:
    """Lines of a .doc/.wps/.rtf/.odt through its LibreOffice .docx; an .odt package is held to
    the zip limits before LibreOffice sees it, and noise is refused."""
    suffix = path.suffix.lower()
    if suffix == ".odt":
        check_zip(path, data, f"损坏的 .odt（不是有效的压缩包）：{SAVE_AS}")
    lines = read_docx(path, convert_to_docx(path, data)).lines
    if text_share("".join(line.text for line in lines)) < MIN_TEXT_SHARE:
        # LibreOffice reads a file it cannot place as text: a damaged .doc comes out as noise
        raise LoadError(path, f"文件已损坏（转换后只有乱码）：{SAVE_AS}")
    return Read(lines, suffix.lstrip("."))
