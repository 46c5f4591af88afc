"""Resource limits every reader keeps, checked before parsing so a hostile file costs nothing.

A zip-based document (.docx, .odt, .ofd) is checked from its directory first — entry count
from the end record, sizes from the entries — and then every part is inflated once in small
pieces and dropped: zipfile stops a part at its declared size and fails its CRC when the part
holds more, so after this check the declared sizes bound what the parsers inflate (zipfile's
read() of a whole part inflates all it can in one call before cutting it to size, so a part
that lies about its size must be caught here, in pieces). XML parts declaring a DTD are
refused: Word, LibreOffice and OFD writers never write one, and entity expansion is how an XML
bomb grows.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from lxml import etree

from assistant.ingest.formats.base import LoadError

# A .docx holds ~20 parts, one with many pictures a few hundred; an OFD ~3 per page (3,000
# pages). The central directory of 10,000 entries costs ~5 MB to parse; a 50 MB file could
# declare a million.
MAX_ZIP_ENTRIES = 10_000
# All parts together, decompressed. python-docx holds every part in memory; pictures barely
# compress and XML compresses ~10:1, so a real 50 MB upload inflates to well under this, and
# a process holding it stays far below the 600 MB that issue 12 sets for a hostile file.
MAX_UNZIPPED_BYTES = 200 * 2**20
# One XML part, decompressed. LibreOffice writes 6.7 bytes of document.xml per character of
# the larger sample (309 KB for 46,516), Word's run markup ~3× that: 32 MB is over a million
# characters. lxml's tree takes ~10× the part (a 32 MB part: 344 MB peak, measured), so the
# process stays under issue 12's 600 MB.
MAX_XML_PART_BYTES = 32 * 2**20
# Characters per file: the larger sample compilation has 46,516; 2 million is ~800 such
# reports, ~7,000 passages, ~25 minutes of embedding at 4.7 passages/s on 2 cores.
MAX_CHARS = 2_000_000
# Pages per PDF text layer or OFD: a compilation of 范文 runs to a few hundred pages.
MAX_PAGES = 2_000
XML_SUFFIXES = (".xml", ".rels")
INFLATE_PIECE_BYTES = 2**20  # what one read inflates while checking a part: memory stays flat
DTD_PEEK_BYTES = 4096  # a DOCTYPE must come before the root element, within the prologue
EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
EOCD_SEARCH = 22 + 65_535  # end record plus the longest zip comment



def _declared_entries(data: bytes) -> int | None:
    """The entry count a zip's end record declares (zip64 aware), or None without a record."""
    at = data.rfind(EOCD, max(0, len(data) - EOCD_SEARCH))
    if at < 0 or at + 22 > len(data):
        return None
    total = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if total == 0xFFFF and locator >= 0 and data[locator:locator + 4] == ZIP64_LOCATOR:
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 40 <= len(data):
            total = struct.unpack_from("<Q", data, record + 32)[0]
    return total


def too_large(path: str | Path, what: str, amount: str, limit: str) -> LoadError:
    """The one-line refusal of a file past one of these limits."""
    return LoadError(path, f"{what}超出上限（{amount}，上限 {limit}）：文件可能已损坏或被恶意构造，请拆分或重新另存后上传")


def check_chars(path: str | Path, count: int) -> None:
    """Refuse a file whose text is longer than MAX_CHARS."""
    if count > MAX_CHARS:
        raise too_large(path, "文字量", f"{count:,} 字", f"{MAX_CHARS:,} 字")


def check_pages(path: str | Path, count: int) -> None:
    """Refuse a file with more than MAX_PAGES pages."""
    if count > MAX_PAGES:
        raise too_large(path, "页数", f"{count:,} 页", f"{MAX_PAGES:,} 页")


def check_zip(path: str | Path, data: bytes, damaged: str) -> None:
    """Refuse a zip-based document past the entry or size limits, or with a DTD in an XML part,
    before anything is parsed; `damaged` is the reason given for a package that is not a zip."""
    declared = _declared_entries(data)
    if declared is None or not zipfile.is_zipfile(BytesIO(data)):
        raise LoadError(path, damaged)
    if declared > MAX_ZIP_ENTRIES:
        raise too_large(path, "压缩包条目数", f"{declared:,} 个", f"{MAX_ZIP_ENTRIES:,} 个")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise too_large(path, "压缩包条目数", f"{len(infos):,} 个", f"{MAX_ZIP_ENTRIES:,} 个")
            total = sum(info.file_size for info in infos)
            if total > MAX_UNZIPPED_BYTES:
                raise too_large(path, "解压后大小", f"{-(-total // 2**20):,} MB", f"{MAX_UNZIPPED_BYTES // 2**20} MB")
            for info in infos:
                _check_part(path, archive, info)
    except LoadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, RuntimeError,
            NotImplementedError) as exc:  # damaged, encrypted or exotic packages
        raise LoadError(path, damaged) from exc


def _check_part(path: str | Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """One part inflated in pieces to its end (its CRC checked), an XML part's size and
    prologue checked; a part holding more than it declares raises BadZipFile."""
    xml = info.filename.lower().endswith(XML_SUFFIXES)
    if xml and info.file_size > MAX_XML_PART_BYTES:
        raise too_large(path, f"部件 {info.filename} 解压后大小",
                        f"{-(-info.file_size // 2**20):,} MB", f"{MAX_XML_PART_BYTES // 2**20} MB")
    with archive.open(info) as part:
        head = part.read(DTD_PEEK_BYTES).upper()
        while part.read(INFLATE_PIECE_BYTES):
            pass
    if xml and (b"<!DOCTYPE" in head or "<!DOCTYPE".encode("utf-16-le") in head):
        raise LoadError(path, f"部件 {info.filename} 含 DTD 声明（正常文档没有，可能是恶意构造的文件）：请用原软件重新另存后上传")


def parse_xml(path: str | Path, data: bytes, part: str) -> etree._Element:
    """One XML part parsed without entity expansion or fetching; damage is a LoadError."""
    # No entities resolved, no DTD or network fetched, no tree past libxml2's size limits; a
    # parser per call (lxml parsers are not to be shared between threads).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise LoadError(path, f"文件内部 {part} 已损坏（{exc}）：请用原软件重新另存后上传") from exc
