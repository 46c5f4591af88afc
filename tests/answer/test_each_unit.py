"""「分别」 questions over a kind of region, on real web reports (北京, 内蒙古, 宁夏): only units of
that kind, each once before any twice, and each with its own year's figure — the 2026 section's
target, not the five-year plan's beside it in a plan-start year."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.retrieve import search
from tests.fixtures.paths import WEB_CORPUS

needs_web = pytest.mark.skipif(not WEB_CORPUS.is_dir(), reason="../shared/corpus-web not beside the project")
REPORTS = ("2026_北京市_政府工作报告.txt", "2026_内蒙古自治区_政府工作报告.txt",
           "2026_宁夏回族自治区_政府工作报告.txt")
TARGET = "地区生产总值增长5%左右"  # each of the three states its 2026 target so


@pytest.fixture(scope="module")
def regions(tmp_path_factory):
    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("regions-files")
    for name in REPORTS:
        shutil.copy(WEB_CORPUS / name, folder / name)
    index = Index(tmp_path_factory.mktemp("regions-index"))
    assert not ingest([folder], index).failed
    return index


@needs_web
def test_each_autonomous_region_once_with_its_own_years_target(regions):
    hits = search(regions, "两个自治区2026年的经济增长目标分别是多少？", k=5)
    units = [h.chunk.report_title for h in hits]
    assert len(set(units[:2])) == 2 and all("自治区" in u for u in units)
    assert all(TARGET in hits[i].chunk.text for i in range(2))


@needs_web
def test_a_municipalitys_year_target_comes_before_its_five_year_targets(regions):
    hits = search(regions, "各直辖市今年的地区生产总值增长目标分别是多少？", k=5)
    assert hits and all("北京" in h.chunk.report_title for h in hits)
    assert TARGET in hits[0].chunk.text and "年均增速" not in hits[0].chunk.text
