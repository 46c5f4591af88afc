"""The Python API: one Library over an index directory with the CLI's verbs."""

from __future__ import annotations

from assistant.api import Library
from tests.fixtures.paths import SAMPLE_REPORT_COUNT

REPORT = """县测试局2023年工作总结
一、2023年工作总结
（一）抓好燃气安全专项整治。全年排查燃气用户XX户，整改隐患XX处。
二、存在的问题
人员力量不足，专业能力有待提升。
三、2024年工作计划
（一）持续开展燃气安全检查。
"""


def test_verbs_over_the_sample_index(sample_index):
    lib = Library(sample_index.dir)
    assert len(lib.reports()) == SAMPLE_REPORT_COUNT and all(r.sections for r in lib.reports())
    hits = lib.search("县审计局存在哪些问题？", k=3)
    assert hits[0].chunk.report_title.startswith("县审计局")
    result = lib.ask("县审计局存在哪些问题？")
    assert not result.abstained and result.citations
    outline, examples = lib.outline("县民政局2024年工作计划")
    assert outline.nodes and {e.report.id for e in examples} == set(outline.examples)
    lib.close()


def test_add_a_file_then_ask_about_it(tmp_path):
    path = tmp_path / "县测试局.txt"
    path.write_text(REPORT, encoding="utf-8")
    lib = Library(tmp_path / "index")
    result = lib.add([path])
    assert len(result.added) == 1 and not result.failed
    assert [r.title for r in lib.reports()] == ["县测试局2023年工作总结"]
    assert lib.search("燃气安全", k=1)[0].chunk.report_title == "县测试局2023年工作总结"
    assert lib.add([path]).unchanged
    lib.close()
