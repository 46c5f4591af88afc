"""Word processor files other than .docx, read through LibreOffice (real soffice)."""

from __future__ import annotations

import shutil

import pytest

from assistant import settings
from assistant.index.index import Index
from assistant.ingest import pipeline
from assistant.ingest.formats.office import MISSING
from assistant.ingest.load import LoadError, load_file
from assistant.ingest.reports import parse_file
from tests.fixtures.documents import TITLE, soffice_convert, write_report_docx

pytestmark = pytest.mark.skipif(not settings.current().soffice, reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The report as .docx and as LibreOffice's .doc, .rtf and .odt of it, plus the .doc saved
    under a .wps name (WPS Writer's .wps is a .doc-format file)."""
    folder = tmp_path_factory.mktemp("office")
    source = write_report_docx(folder / "民政局.docx")
    files = {".docx": source}
    for suffix in ("doc", "rtf", "odt"):
        files[f".{suffix}"] = soffice_convert(source, suffix, folder)
    files[".wps"] = folder / "民政局.wps"
    shutil.copy(files[".doc"], files[".wps"])
    return files


def shape(report):
    """What must survive the conversion: title, metadata, and the section tree with its text."""
    tree = [(s.level, s.path, s.role, s.text) for s in report.walk()]
    return (report.title, report.org, report.level, report.department, report.period,
            report.kind, report.preamble, tree)


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".rtf", ".odt"])
def test_each_format_parses_like_the_docx(converted, suffix):
    [expected] = parse_file(load_file(converted[".docx"]))
    assert expected.title == TITLE and len(expected.sections) == 3
    loaded = load_file(converted[suffix])
    assert loaded.encoding == suffix.lstrip(".")
    [report] = parse_file(loaded)
    assert shape(report) == shape(expected)


def test_damaged_doc_is_one_line(tmp_path):
    path = tmp_path / "坏.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40)
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert "另存为 .docx" in info.value.reason and "\n" not in info.value.reason


def test_without_soffice_the_rest_of_the_batch_is_stored(converted, tmp_path, monkeypatch):
    good = tmp_path / "园林局.txt"
    good.write_text("县园林局2025年工作总结\n一、主要工作\n全年新增绿地12公顷，改造街头游园5处。\n",
                    encoding="utf-8")
    monkeypatch.delenv(settings.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # soffice hidden from the search path
    assert settings.current().soffice == ""
    result = pipeline.ingest([converted[".doc"], good], Index(tmp_path / "index"))
    assert result.failed == [(str(converted[".doc"].resolve()), MISSING)]
    assert result.added == [str(good.resolve())] and result.reports == 1
