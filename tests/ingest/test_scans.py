"""Scanned PDFs and photos of pages, read by OCR (real rapidocr, on pages the test renders)."""

from __future__ import annotations

import pytest

from assistant.answer.retrieve import search
from assistant.index.index import Index
from assistant.ingest import pipeline
from assistant.ingest.formats import ocr
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from tests.fixtures.scans import REPORT_TITLE, photographed, render, sample_report

TOP_HEADINGS = ["一、主要经济指标完成情况", "二、重点工作进展情况", "三、存在问题", "四、下一步工作安排"]


@pytest.fixture(scope="module")
def scan():
    """Two pages of a sample report set in a CJK font: pictures only, no text layer."""
    pages = render(sample_report(), 2)
    assert REPORT_TITLE in pages.texts[0] and "开展数据核查115次" in pages.texts[1]
    return pages


@pytest.fixture(scope="module")
def scanned_index(scan, tmp_path_factory):
    """An index holding the two pages saved as an image-only PDF (OCR'd once, by ingest)."""
    folder = tmp_path_factory.mktemp("scans")
    pdf = folder / "统计局扫描件.pdf"
    scan.pages[0].save(pdf, save_all=True, append_images=scan.pages[1:], resolution=150)
    index = Index(folder / "index")
    steps: list[tuple[float, int, str]] = []
    result = pipeline.ingest([pdf], index, progress=lambda done, total, _path, detail: steps.append(
        (done, total, detail)))
    assert result.added == [str(pdf.resolve())] and not result.failed
    index.steps = steps  # what the progress bar was told, for the per-page test
    return index


def test_progress_is_reported_per_recognised_page(scanned_index):
    assert scanned_index.steps == [(0.5, 1, "识别第 1/2 页"), (1.0, 1, "识别第 2/2 页"), (1, 1, "")]


def test_scanned_pdf_is_read_into_its_title_and_headings(scanned_index):
    [summary] = scanned_index.store.list_reports()
    report = scanned_index.store.get_report(summary.report.id)
    assert report.title == REPORT_TITLE
    assert [s.path[-1] for s in report.sections] == TOP_HEADINGS
    assert (report.org, report.department, report.kind) == ("县统计局", "统计", "总结+计划")


def test_a_figure_on_page_two_is_found(scanned_index):
    [top, *_] = search(scanned_index, "开展了多少次数据核查", k=3)
    assert "开展数据核查115次" in top.chunk.text
    assert top.chunk.section_path[0] == "二、重点工作进展情况"


def test_photo_of_a_page_is_read_into_its_title_and_headings(scan, tmp_path):
    photo = tmp_path / "手机拍照.png"
    photographed(scan.pages[0]).save(photo)
    loaded = load_file(photo)
    assert loaded.encoding == "ocr" and loaded.ocr.pages == 1 and loaded.ocr.confidence > 0.95
    [report] = parse_file(loaded)
    assert report.title == REPORT_TITLE
    assert [s.path[-1] for s in report.sections] == TOP_HEADINGS[:2]
    # paragraphs come back whole: the preamble is one line, as typed
    assert loaded.lines[1].text == sample_report()[1]


def test_nothing_is_fetched_while_recognising(scan, no_network):
    engine = ocr.new_engine()  # a fresh engine: its models must come from the wheel
    title_strip = scan.pages[0].crop((0, 80, 1240, 200)).convert("RGB")
    import numpy as np

    result = engine(np.asarray(title_strip))
    assert REPORT_TITLE in "".join(result.txts)


def test_lines_become_paragraphs_by_geometry():
    def line(text, left, right, top):
        return ocr.OcrLine(text, left, top, right, top + 30, 0.99)

    page = ocr.OcrPage([
        line("县统计局工作总结", 400, 800, 100),  # centred title: short, its own line
        line("一、主要指标", 110, 300, 150),  # heading mark, short
        line("全县地区生产总值增长3.3%，其中第一产业", 170, 1130, 200),  # indented: opens
        line("增加值增长10.4%。", 110, 500, 250),  # short: closes
        line("二、重点工作(一)第五次全国经济普查阶段", 110, 1128, 300),  # heading mark opens
        line("性工作圆满完成。", 110, 400, 350),
    ])
    assert ocr.paragraphs([page]) == [
        "县统计局工作总结",
        "一、主要指标",
        "全县地区生产总值增长3.3%，其中第一产业增加值增长10.4%。",
        "二、重点工作(一)第五次全国经济普查阶段性工作圆满完成。",
    ]
    assert ocr.fix_punctuation("重点工作(一)第五次,共3,500人") == "重点工作（一）第五次，共3,500人"


def test_reports_and_show_mark_a_report_read_by_ocr(scanned_index, capsys):
    import json

    from assistant.cli import main
    from assistant.ingest.formats.scans import SCAN_NOTICE

    assert main(["--index", str(scanned_index.dir), "reports", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["ocr"] is True and 0.95 < listed["ocr_confidence"] <= 1
    assert main(["--index", str(scanned_index.dir), "show", listed["id"]]) == 0
    shown = capsys.readouterr().out
    assert "read by OCR: 2 pages, mean confidence 0.9" in shown and SCAN_NOTICE in shown
    assert main(["--index", str(scanned_index.dir), "show", "--json", listed["id"]]) == 0
    ocr = json.loads(capsys.readouterr().out)["ocr"]
    assert ocr["pages"] == 2 and isinstance(ocr["low_lines"], list)
    assert all(line.startswith("第") and "页：" in line for line in ocr["low_lines"])


def test_a_scan_past_its_page_cap_or_time_budget_is_refused(scan, tmp_path, monkeypatch):
    from assistant.ingest.formats import scans
    from assistant.ingest.load import LoadError

    tiff = tmp_path / "三页.tif"
    # copies: saving the pages as PDF earlier leaves encoder settings on the image objects
    first, second = scan.pages[0].copy(), scan.pages[1].copy()
    first.save(tiff, save_all=True, append_images=[second, first.copy()], compression="tiff_lzw")
    monkeypatch.setattr(scans, "MAX_OCR_PAGES", 2)
    with pytest.raises(LoadError) as info:
        load_file(tiff)
    assert info.value.reason.startswith("需要识别的扫描页数超出上限（3 页，上限 2 页）")
    monkeypatch.setattr(scans, "MAX_OCR_PAGES", 100)
    monkeypatch.setattr(scans, "OCR_BUDGET_S", -1)  # spent before the first page
    with pytest.raises(LoadError) as info:
        load_file(tiff)
    assert info.value.reason.startswith("文字识别超时（0 页用了超过")
