"""OFD (GB/T 33190) documents built by the test to the standard's structure."""

from __future__ import annotations

import zipfile

import pytest

from assistant.ingest.load import LoadError, load_file
from assistant.ingest.reports import parse_file
from tests.fixtures.documents import REPORT, TITLE, write_report_docx, write_report_ofd


def shape(report):
    tree = [(s.level, s.path, s.role, s.text) for s in report.walk()]
    return (report.title, report.org, report.level, report.department, report.period,
            report.kind, report.preamble, tree)


def test_two_page_ofd_reads_as_the_report(tmp_path):
    path = write_report_ofd(tmp_path / "民政局.ofd")
    with zipfile.ZipFile(path) as package:
        assert {"OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_1/Content.xml"} <= set(package.namelist())
    loaded = load_file(path)
    assert loaded.encoding == "ofd"
    # wrapped lines come back as whole paragraphs, in reading order across both pages
    assert [line.text for line in loaded.lines] == [text for _, text in REPORT]
    [report] = parse_file(loaded)
    [expected] = parse_file(load_file(write_report_docx(tmp_path / "民政局.docx")))
    assert report.title == TITLE and shape(report) == shape(expected)
    assert [s.path[-1] for s in report.sections] == ["一、2023年工作成效", "二、存在的问题", "三、2024年工作计划"]


def test_damaged_and_hostile_ofd_are_one_line(tmp_path):
    broken = tmp_path / "broken.ofd"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    source = write_report_ofd(tmp_path / "good.ofd")
    dtd = tmp_path / "dtd.ofd"
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(dtd, "w") as bad:
        for info in good.infolist():
            data = good.read(info)
            if info.filename == "OFD.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            bad.writestr(info.filename, data)
    without_document = tmp_path / "nodoc.ofd"
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(without_document, "w") as bad:
        for info in good.infolist():
            if info.filename != "Doc_0/Document.xml":
                bad.writestr(info.filename, good.read(info))
    reasons = []
    for path in (broken, dtd, without_document):
        with pytest.raises(LoadError) as info:
            load_file(path)
        reasons.append(info.value.reason)
    assert reasons[0].startswith("损坏的 .ofd")
    assert reasons[1].startswith("部件 OFD.xml 含 DTD 声明")
    assert reasons[2].startswith("无法读取的 .ofd") and "\n" not in reasons[2]
