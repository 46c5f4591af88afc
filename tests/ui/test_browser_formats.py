"""The formats an office has, dropped together into 资料库 in a real browser: a .doc and a .wps
(real LibreOffice), an image-only scanned .pdf and a photo .png (real rapidocr)."""

from __future__ import annotations

import shutil

import docx
import pytest

from assistant import settings
from assistant.index.index import Index
from tests.fixtures.browser import BROWSER_TEST, WAIT_MS, serve, shot
from tests.fixtures.documents import TITLE, soffice_convert, write_report_docx
from tests.fixtures.scans import REPORT_TITLE, photographed, render, sample_report

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.skipif(not settings.current().soffice, reason="LibreOffice not installed"),
]
WPS_TITLE = "县文旅局2023年工作总结和2024年工作计划"
PHOTO_TITLE = "县审计局2023年工作总结和2024工作计划"


def _wps(folder):
    """A .wps as WPS Writer keeps one: a .doc-format file under that name (another report)."""
    source = folder / "文旅局.docx"
    document = docx.Document()
    document.add_paragraph(WPS_TITLE, style="Title")
    document.add_paragraph("一、2023年工作成效")
    document.add_paragraph("全年接待游客312万人次，旅游综合收入增长14.6%，新创建3A级景区2家。")
    document.add_paragraph("二、2024年工作计划")
    document.add_paragraph("推进全域旅游示范区创建，办好乡村旅游文化节。")
    document.save(str(source))
    wps = folder / "文旅局.wps"
    shutil.move(soffice_convert(source, "doc", folder), wps)
    return wps


def test_doc_wps_scan_and_photo_dropped_together_are_all_stored(page, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    doc = soffice_convert(write_report_docx(folder / "民政局.docx"), "doc", folder)
    scan = folder / "统计局扫描件.pdf"
    render(sample_report(), 1).pages[0].save(scan, resolution=150)
    photo = folder / "审计局拍照.png"
    photographed(render(sample_report(PHOTO_TITLE), 1).pages[0]).save(photo)
    files = [doc, _wps(folder), scan, photo]
    index = Index(tmp_path / "index")
    app, url = serve(index)
    try:
        page.goto(url)
        page.get_by_role("tab", name="资料库").click()
        page.locator("#upload-files input[type=file]").set_input_files([str(f) for f in files])
        page.wait_for_function(
            "(document.querySelector('#ingest-results')?.innerText.match(/已入库/g) || []).length >= 4",
            timeout=WAIT_MS * 5,  # OCR of two pages on a loaded 2-core machine: about a minute
        )
        shot(page, "formats-uploaded")
        results = page.inner_text("#ingest-results")
        assert all(f.name in results for f in files), results
        listed = page.inner_text("#reports")
        for title in (TITLE, WPS_TITLE, REPORT_TITLE, PHOTO_TITLE):
            assert title in listed, listed
        titles = {s.report.title for s in index.store.list_reports()}
        assert titles == {TITLE, WPS_TITLE, REPORT_TITLE, PHOTO_TITLE}
    finally:
        app.close()
        index.close()
