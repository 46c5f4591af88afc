"""The `outline` command on the sample index: Markdown, JSON per DESIGN.md, a .docx file,
pinned/excluded examples by id prefix, and clear errors for unusable requests."""

from __future__ import annotations

import json

import pytest
from docx import Document

from assistant.cli import main

REQUEST = "帮我写县民政局2023年工作总结和2024年工作计划的提纲"


def run(capsys, sample_index, *argv: str) -> tuple[int, str, str]:
    code = main(["--index", str(sample_index.dir), "outline", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ids_by_title(sample_index) -> dict[str, str]:
    return {s.report.title: s.report.id for s in sample_index.store.list_reports()}


def test_markdown_to_stdout(capsys, sample_index):
    code, out, _ = run(capsys, sample_index, REQUEST)
    assert code == 0
    assert out.startswith("# 县民政局2023年工作总结和2024年工作计划\n")
    assert "## 一、2023年主要工作及成效" in out and "## 四、2024年重点任务" in out
    assert "来源：" in out and "## 参考范文" in out


def test_json_follows_design(capsys, sample_index):
    code, out, _ = run(capsys, sample_index, REQUEST, "--json")
    data = json.loads(out)
    assert code == 0 and {"title", "nodes", "examples"} <= data.keys()
    known = set(ids_by_title(sample_index).values())
    assert data["examples"] and set(data["examples"]) <= known
    for node in data["nodes"]:
        assert {"heading", "level", "sources"} <= node.keys()
        assert node["sources"] or node["note"], node["heading"]
        for source in node["sources"]:
            assert source["report_id"] in known and source["section_path"]
    assert [c["report_id"] for c in data["chosen"]] == data["examples"]
    assert all(c["reason"] for c in data["chosen"])


def test_docx_written_with_headings_in_order(capsys, sample_index, tmp_path):
    target = tmp_path / "提纲.docx"
    code, out, _ = run(capsys, sample_index, REQUEST, "--format", "docx", "-o", str(target))
    assert code == 0 and str(target) in out
    headings = [
        p.text for p in Document(str(target)).paragraphs if p.style.name.startswith("Heading")
    ]
    code, out, _ = run(capsys, sample_index, REQUEST, "--json")
    assert headings == [n["heading"] for n in json.loads(out)["nodes"]]
    assert list(Document(str(target)).comments)  # the sources, as Word comments
    bare = tmp_path / "提纲-不含来源.docx"
    code, _, _ = run(capsys, sample_index, REQUEST, "--format", "docx", "--no-sources", "-o", str(bare))
    assert code == 0 and not list(Document(str(bare)).comments)


def test_examples_with_the_same_title_show_unit_and_file(capsys, sample_index):
    code, out, _ = run(capsys, sample_index, "XX镇2024年上半年工作总结")
    listed = out.split("## 参考范文", 1)[1].splitlines()
    same = [line for line in listed if "镇2023年工作总结及2024年工作计划（" in line]
    assert code == 0 and len(same) == 2
    assert "000_4110dbba3c212674.txt" in same[0] and "001_33587fe0f94e0fc1.txt" in same[1]
    assert all("XX镇" in line for line in same)


def test_markdown_file_output(capsys, sample_index, tmp_path):
    target = tmp_path / "outline.md"
    code, out, _ = run(capsys, sample_index, REQUEST, "-o", str(target))
    assert code == 0 and target.read_text("utf-8").startswith("# 县民政局")


def test_pin_and_exclude_by_id_prefix(capsys, sample_index):
    ids = ids_by_title(sample_index)
    district = ids["区民政局2023年工作总结暨2024年工作计划"]
    audit = ids["县审计局2023年工作总结和2024工作计划"]
    code, out, _ = run(
        capsys, sample_index, REQUEST, "--json", "--exclude", district[:8], "--example", audit[:8]
    )
    examples = json.loads(out)["examples"]
    assert code == 0 and audit in examples and district not in examples


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["  。？"], "提纲要求为空"),
        ([REQUEST, "--example", "ffffffffffff"], "没有编号为 'ffffffffffff' 的报告"),
    ],
)
def test_unusable_requests_are_usage_errors(capsys, sample_index, argv, message):
    code, out, err = run(capsys, sample_index, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: outline: ") and message in err and err.count("\n") == 1


def test_empty_library_is_explained(capsys, tmp_path):
    code = main(["--index", str(tmp_path / "empty"), "outline", REQUEST])
    _, err = capsys.readouterr()
    assert code == 2 and "资料库中还没有报告" in err
