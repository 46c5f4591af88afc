"""The command line: ingest / reports / show / remove, in-process and as `python -m assistant`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from tests.fixtures.paths import ROOT, SAMPLE_REPORT_COUNT, SAMPLES

GOOD_REPORT = """县民政局2023年工作总结
一、工作成效
（一）兜底保障
全年发放低保金1200万元。一是提高保障标准；二是扩大救助范围；三是规范审核程序。
二、存在问题
基层经办力量薄弱，信息化水平不高。
三、2024年工作计划
继续完善分层分类社会救助体系，推进养老服务提质增效。
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """main(argv) in-process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> tuple[int, object, str]:
    code, out, err = run(capsys, *argv)
    return code, json.loads(out), err


def write_good(folder: Path) -> Path:
    path = folder / "民政局总结.txt"
    path.write_text(GOOD_REPORT, encoding="utf-8")
    return path


def write_bad_files(folder: Path) -> list[Path]:
    """An empty .txt, a binary .txt, a corrupt .docx and a PDF without text."""
    from pypdf import PdfWriter

    empty, binary, docx, pdf = (folder / n for n in ("empty.txt", "binary.txt", "broken.docx",
                                                       "blank.pdf"))
    empty.write_bytes(b"")
    binary.write_bytes(bytes(range(256)) * 16 + os.urandom(1024))
    docx.write_bytes(os.urandom(4096))
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with pdf.open("wb") as fh:
        writer.write(fh)
    return [empty, binary, docx, pdf]


def test_ingest_samples_subprocess_then_noop_reingest(tmp_path, capsys):
    index = tmp_path / "index"
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--index", str(index), "ingest", str(SAMPLES),
         "--json"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)
    assert set(first) == {"added", "unchanged", "failed", "reports", "chunks"}
    assert first["reports"] == SAMPLE_REPORT_COUNT and first["failed"] == [] and len(first["added"]) == 2
    assert proc.stderr.count("error:") == 0

    code, listed, _ = run_json(capsys, "--index", str(index), "reports", "--json")
    assert code == 0 and len(listed) == SAMPLE_REPORT_COUNT
    assert set(listed[0]) == {"id", "title", "org", "level", "department", "period", "kind",
                              "source", "sections", "chunks", "ocr", "library"}
    assert {r["library"] for r in listed} == {"公共"}  # no --library: the default one
    assert all(r["sections"] > 0 for r in listed)

    from assistant.index.store import Store

    with Store(index) as store:
        generation = store.generation
    code, again, _ = run_json(capsys, "--index", str(index), "ingest", str(SAMPLES), "--json")
    assert code == 0
    assert again["added"] == [] and sorted(again["unchanged"]) == sorted(first["added"])
    assert again["reports"] == SAMPLE_REPORT_COUNT
    with Store(index) as store:
        assert store.generation == generation  # a no-op writes nothing
    code, listed_again, _ = run_json(capsys, "--index", str(index), "reports", "--json")
    assert listed_again == listed


def test_changed_file_replaces_its_reports(tmp_path, capsys):
    index, copy = str(tmp_path / "index"), tmp_path / "sample.txt"
    sample = sorted(SAMPLES.glob("*.txt"))[0]
    shutil.copyfile(sample, copy)
    copy.chmod(0o644)
    code, first, _ = run_json(capsys, "--index", index, "ingest", str(copy), "--json")
    assert code == 0 and first["added"] == [str(copy.resolve())]
    _, before, _ = run_json(capsys, "--index", index, "reports", "--json")

    with copy.open("a", encoding="utf-8") as fh:
        fh.write("\n今后我们将持续改进工作作风，确保各项任务落到实处，奋力开创工作新局面。\n")
    code, second, _ = run_json(capsys, "--index", index, "ingest", str(copy), "--json")
    assert code == 0 and second["added"] == [str(copy.resolve())] and second["unchanged"] == []
    _, after, _ = run_json(capsys, "--index", index, "reports", "--json")
    assert len(after) == len(before) == second["reports"]
    old_ids, new_ids = {r["id"] for r in before}, {r["id"] for r in after}
    assert old_ids != new_ids  # the last report's content, hence its id, changed
    assert len(old_ids & new_ids) == len(old_ids) - 1  # the others are kept as they were


def test_bad_inputs_fail_one_by_one_and_good_file_is_stored(tmp_path, capsys):
    index = str(tmp_path / "index")
    bad = write_bad_files(tmp_path)
    good = write_good(tmp_path)
    code, result, err = run_json(capsys, "--index", index, "ingest", *map(str, bad), str(good),
                                 "--json")
    assert code == 1
    failed = {f["path"]: f["error"] for f in result["failed"]}
    assert set(failed) == {str(p.resolve()) for p in bad}
    assert all(why.strip() for why in failed.values())
    assert result["added"] == [str(good.resolve())] and result["reports"] == 1
    error_lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(error_lines) == 4
    for path in bad:
        assert sum(ln.startswith(f"error: {path.resolve()}: ") for ln in error_lines) == 1

    code, listed, _ = run_json(capsys, "--index", index, "reports", "--json")
    assert [r["title"] for r in listed] == ["县民政局2023年工作总结"]
    assert listed[0]["source"] == [str(good.resolve())]


def test_ingest_text_summary_and_unsupported_file(tmp_path, capsys):
    good = write_good(tmp_path)
    other = tmp_path / "notes.xyz"
    other.write_text("hello", encoding="utf-8")
    code, out, err = run(capsys, "--index", str(tmp_path / "i"), "ingest", str(good), str(other))
    assert code == 1
    assert "stored" in out and "failed" in out and "1 stored" in out
    assert err.count("error: ") == 1 and "notes.xyz" in err


def test_reports_table_show_tree_and_json(tmp_path, capsys):
    index = str(tmp_path / "index")
    run(capsys, "--index", index, "ingest", str(write_good(tmp_path)))
    code, out, _ = run(capsys, "--index", index, "reports")
    assert code == 0 and "县民政局2023年工作总结" in out and "sections" in out.splitlines()[0]
    _, [listed], _ = run_json(capsys, "--index", index, "reports", "--json")

    code, out, _ = run(capsys, "--index", index, "show", listed["id"][:8])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "县民政局2023年工作总结"
    assert f"id: {listed['id']}" in lines and "org: 县民政局" in lines
    assert any(ln.startswith("一、工作成效") and "[summary]" in ln for ln in lines)
    assert any(ln.startswith("  （一）兜底保障") and "(3 items)" in ln for ln in lines)
    assert any(ln.startswith("三、2024年工作计划") and "[plan]" in ln for ln in lines)

    code, shown, _ = run_json(capsys, "--index", index, "show", listed["id"], "--json")
    assert code == 0 and shown["id"] == listed["id"]
    assert shown["sections"][0]["children"][0]["heading"].endswith("兜底保障")


def test_remove_by_id_and_by_path(tmp_path, capsys):
    index = str(tmp_path / "index")
    good = write_good(tmp_path)
    sample = tmp_path / "sample.txt"
    shutil.copyfile(sorted(SAMPLES.glob("*.txt"))[0], sample)
    run(capsys, "--index", index, "ingest", str(good), str(sample))
    _, listed, _ = run_json(capsys, "--index", index, "reports", "--json")
    good_id = next(r["id"] for r in listed if r["title"] == "县民政局2023年工作总结")

    code, removed, _ = run_json(capsys, "--index", index, "remove", good_id, "--json")
    assert code == 0 and removed == {"removed": [good_id]}
    code, removed, _ = run_json(capsys, "--index", index, "remove", str(sample), "--json")
    assert code == 0 and len(removed["removed"]) == len(listed) - 1
    _, listed, _ = run_json(capsys, "--index", index, "reports", "--json")
    assert listed == []

    code, removed, err = run_json(capsys, "--index", index, "remove", "deadbeefcafe", "--json")
    assert code == 1 and removed == {"removed": []}
    assert err.strip() == "error: deadbeefcafe: no such report or ingested file"


def test_unknown_id_usage_errors_and_index_env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_ASSISTANT_INDEX", str(tmp_path / "env-index"))
    code, out, err = run(capsys, "show", "0123456789ab")
    assert code == 1 and out == ""
    assert err.startswith("error: 0123456789ab: ")
    assert (tmp_path / "env-index" / "reports.sqlite").exists()

    code, listed, _ = run_json(capsys, "reports", "--index", str(tmp_path / "other"), "--json")
    assert code == 0 and listed == [] and (tmp_path / "other" / "reports.sqlite").exists()

    for argv in ([], ["show"], ["ingest"], ["frobnicate"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


WEB_PAGE = """您的位置：首页 > 通知公告
来源：XX县人民政府办公室
发布时间：2025-07-15
【字号：大 中 小】
打印
XX县园林局2025年上半年工作总结
上半年，我局围绕城市绿化提质工作主线，扎实推进各项工作，取得了阶段性成效。
一、主要工作
完成新增绿地12公顷，改造提升街头游园5处，城区绿化覆盖率达到41.2%。
二、下半年打算
持续推进口袋公园建设，加强古树名木保护，确保全年目标任务完成。
扫一扫在手机打开当前页
相关链接
"""


def test_show_lists_what_was_dropped_as_page_chrome(tmp_path, capsys):
    page = tmp_path / "园林局.txt"
    page.write_text(WEB_PAGE, encoding="utf-8")
    index = str(tmp_path / "index")
    assert main(["--index", index, "ingest", str(page)]) == 0
    capsys.readouterr()
    code, listed, _ = run_json(capsys, "--index", index, "reports", "--json")
    assert listed[0]["title"] == "XX县园林局2025年上半年工作总结"
    assert main(["--index", index, "show", listed[0]["id"]]) == 0
    shown = capsys.readouterr().out
    assert "dropped as page chrome (7 lines):" in shown
    assert "  来源：XX县人民政府办公室" in shown and "  相关链接" in shown
    assert "一、主要工作" in shown.split("dropped")[0]
