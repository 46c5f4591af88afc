"""The 资料库 tab's upload logic over real indexes: every file of an upload gets its outcome
row under the user's own name, a failing file never costs the others, and a re-upload of an
edited file replaces the earlier upload of its name (ids kept where the content is unchanged)."""

from __future__ import annotations

from pathlib import Path

from assistant.answer.compose import answer
from assistant.index.index import Index
from assistant.ui import library, removal

V1 = """县园林局2023年工作总结
一、主要工作
（一）古树名木保护。全年完成古树名木普查建档，挂牌保护古树三十七株，落实管护责任人。
二、存在的问题
专业养护人员不足。
"""
V2 = V1.replace("三十七株", "五十二株").replace("落实管护责任人", "聘请樟树专家会诊复壮")
SECOND = """县园林局2024年工作计划
一、重点任务
（一）口袋公园建设。新建口袋公园六处，补植乡土树种。
"""


def gradio_copy(tmp_path: Path, folder: str, name: str, text: str) -> str:
    """A file stored the way Gradio stores an upload: its own folder per content."""
    path = tmp_path / "gradio" / folder / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def cited_texts(index: Index, question: str) -> list[str]:
    return [c.hit.chunk.text for c in answer(index, question).citations]


def test_a_batch_with_a_failing_file_stores_the_others_and_shows_every_outcome(tmp_path):
    good = gradio_copy(tmp_path, "a1", "县园林局总结.txt", V1)
    bad = gradio_copy(tmp_path, "b2", "坏文件.docx", "not a zip")
    odd = gradio_copy(tmp_path, "c3", "表格.xls", "x")
    plan = gradio_copy(tmp_path, "d4", "园林局计划.txt", SECOND)
    index = Index(tmp_path / "index")
    rows = library.upload(index, [(good, "县园林局总结（定稿）.txt"), (bad, "坏文件.docx"),
                                  (odd, "表格.xls"), (plan, "园林局计划.txt")])
    assert [r[:2] for r in rows] == [["县园林局总结（定稿）.txt", "已入库"], ["坏文件.docx", "失败"],
                                     ["表格.xls", "失败"], ["园林局计划.txt", "已入库"]]
    assert all(r[2] for r in rows) and "1 篇报告" in rows[0][2]
    assert [s.report.title for s in index.store.list_reports()] == [
        "县园林局2023年工作总结", "县园林局2024年工作计划"]
    assert library.upload(index, [(good, "县园林局总结（定稿）.txt")])[0][1] == "未变化"
    index.close()


def test_reupload_of_an_edited_file_leaves_one_version_cited(tmp_path):
    index = Index(tmp_path / "index")
    first = gradio_copy(tmp_path, "hash1", "县园林局总结.txt", V1)
    assert library.upload(index, [(first, "县园林局总结.txt")])[0][1] == "已入库"
    assert any("三十七株" in t for t in cited_texts(index, "县园林局挂牌保护了多少株古树？"))
    edited = gradio_copy(tmp_path, "hash2", "县园林局总结.txt", V2)
    (row,) = library.upload(index, [(edited, "县园林局总结.txt")])
    assert row == ["县园林局总结.txt", "已替换", "已替换同名文件的旧版本（1 篇报告）"]
    (only,) = index.store.list_reports()
    assert only.report.source == [str(Path(edited).resolve())]
    cited = cited_texts(index, "县园林局挂牌保护了多少株古树？")
    assert any("五十二株" in t for t in cited) and not any("三十七株" in t for t in cited)
    again = gradio_copy(tmp_path, "hash3", "县园林局总结.txt", V2)  # same content, another copy
    assert library.upload(index, [(again, "县园林局总结.txt")])[0][1] == "未变化"
    assert [s.report.id for s in index.store.list_reports()] == [only.report.id]
    index.close()


def test_replacing_keeps_the_ids_of_unchanged_reports_and_spares_other_names(tmp_path):
    index = Index(tmp_path / "index")
    both = gradio_copy(tmp_path, "h1", "园林局汇编.txt", V1 + "\n" + SECOND)
    other = gradio_copy(tmp_path, "h2", "另一份.txt", SECOND.replace("六处", "八处"))
    library.upload(index, [(both, "园林局汇编.txt"), (other, "另一份.txt")])
    ids = {s.report.title: s.report.id for s in index.store.list_reports()}
    edited = gradio_copy(tmp_path, "h3", "园林局汇编.txt", V2 + "\n" + SECOND)
    assert library.upload(index, [(edited, "园林局汇编.txt")])[0][1] == "已替换"
    after = [(s.report.title, s.report.id) for s in index.store.list_reports()]
    assert len(after) == 3 and ("县园林局2024年工作计划", ids["县园林局2024年工作计划"]) in after
    assert ("县园林局2023年工作总结", ids["县园林局2023年工作总结"]) not in after
    assert sorted(index.store.upload_names().values()) == ["另一份.txt", "园林局汇编.txt"]
    index.close()


def test_files_of_one_upload_with_the_same_name_never_replace_each_other(tmp_path):
    index = Index(tmp_path / "index")
    a = gradio_copy(tmp_path, "x1", "总结.txt", V1)
    b = gradio_copy(tmp_path, "x2", "总结.txt", SECOND)
    rows = library.upload(index, [(a, "总结.txt"), (b, "总结.txt")])
    assert [r[1] for r in rows] == ["已入库", "已入库"] and len(index.store.list_reports()) == 2
    index.close()


def test_a_name_several_stored_files_share_replaces_none_of_them(tmp_path):
    index = Index(tmp_path / "index")
    a = gradio_copy(tmp_path, "y1", "总结.txt", V1)  # a folder upload: 2023/总结.txt, 2024/总结.txt
    b = gradio_copy(tmp_path, "y2", "总结.txt", SECOND)
    library.upload(index, [(a, "总结.txt"), (b, "总结.txt")])
    c = gradio_copy(tmp_path, "y3", "总结.txt", V2)
    assert library.upload(index, [(c, "总结.txt")])[0][1] == "已入库"
    assert len(index.store.list_reports()) == 3
    index.close()


def test_the_upload_event_value_gives_each_file_its_users_name():
    payload = [{"path": "/tmp/gradio/ab12/县园林局总结修订.txt", "orig_name": "县园林局总结<修订>.txt"},
               {"path": "/tmp/gradio/cd34/b.txt", "orig_name": None}]
    assert library.uploads_of(payload) == [
        ("/tmp/gradio/ab12/县园林局总结修订.txt", "县园林局总结<修订>.txt"), ("/tmp/gradio/cd34/b.txt", "b.txt")]
    assert library.uploads_of(payload[1]) == [("/tmp/gradio/cd34/b.txt", "b.txt")]
    assert library.uploads_of(None) == []


def test_the_list_shows_files_and_unknown_values_in_chinese(tmp_path):
    index = Index(tmp_path / "index")
    plain = gradio_copy(tmp_path, "z1", "无单位.txt", "2023年工作总结\n一、主要工作\n完成各项任务，群众满意。\n")
    library.upload(index, [(plain, "我的总结.txt")])
    (row,) = library.report_rows(index)
    assert row[2] == "未识别" and "unknown" not in row and row[7] == "我的总结.txt"
    assert library.report_rows(index, "我的总结") == [row] and library.report_rows(index, "别的") == []
    index.close()


def test_identical_titles_are_told_apart_in_the_pickers(tmp_path):
    index = Index(tmp_path / "index")
    a = gradio_copy(tmp_path, "t1", "甲.txt", SECOND)
    b = gradio_copy(tmp_path, "t2", "乙.txt", SECOND.replace("六处", "九处"))
    c = gradio_copy(tmp_path, "t3", "丙.txt", V1)
    library.upload(index, [(a, "甲.txt"), (b, "乙.txt"), (c, "丙.txt")])
    labels = sorted(label for label, _ in library.report_choices(index))
    assert labels == ["县园林局2023年工作总结", "县园林局2024年工作计划（县园林局 · 乙.txt）",
                      "县园林局2024年工作计划（县园林局 · 甲.txt）"]
    index.close()


def test_removal_shows_what_will_go_and_removes_only_that(tmp_path):
    index = Index(tmp_path / "index")
    both = gradio_copy(tmp_path, "r1", "汇编.txt", V1 + "\n" + SECOND)
    other = gradio_copy(tmp_path, "r2", "另一份.txt", SECOND.replace("六处", "八处"))
    library.upload(index, [(both, "园林局汇编.txt"), (other, "另一份.txt")])
    first = next(s.report for s in index.store.list_reports() if s.report.title == "县园林局2023年工作总结")
    assert removal.preview(index, removal.plan(index, None, False)).startswith("请先")
    one = removal.plan(index, first.id, whole_file=False)
    assert one.items == [first.id]
    whole = removal.plan(index, first.id, whole_file=True)
    shown = removal.preview(index, whole)
    assert shown.startswith("**确认删除以下 2 篇报告？** ") and shown.count("文件：园林局汇编.txt") == 2
    assert "单位：县园林局" in shown and len(index.store.list_reports()) == 3  # nothing gone yet
    assert removal.carry_out(index, whole).startswith("已删除 2 篇报告：")
    assert [s.report.source for s in index.store.list_reports()] == [[str(Path(other).resolve())]]
    assert removal.carry_out(index, whole) == "报告已不在资料库中。"
    index.close()


def test_the_table_is_paged_and_the_pickers_list_a_bounded_number(sample_index, monkeypatch):
    monkeypatch.setattr(library, "PAGE_ROWS", 8)
    monkeypatch.setattr(library, "PICKER_LIMIT", 5)
    whole = library.report_rows(sample_index)
    first, note, page = library.report_page(sample_index)
    assert first == whole[:8] and page == 1 and note == f"第 1 / 3 页，共 {len(whole)} 篇"
    last, note, page = library.report_page(sample_index, "", 9)  # past the end: the last page
    assert last == whole[16:] and page == 3 and note.startswith("第 3 / 3 页")
    found, note, _ = library.report_page(sample_index, "审计")
    assert found and all("审计" in r[1] + r[2] for r in found) and note.endswith("（搜索结果）")
    choices = library.report_choices(sample_index)
    assert [rid for _, rid in choices] == [sample_index.store.list_reports()[i].report.id
                                           for i in range(5)]
    far = whole[12][0]  # a chosen report outside the first five stays among the choices
    far_id = sample_index.store.resolve_id(far)
    assert [rid for _, rid in library.report_choices(sample_index, "", far_id)][-1] == far_id
    assert {label for label, _ in library.report_choices(sample_index, "审计")} == {
        label for label, _ in library.choices(
            [s for s in sample_index.store.list_reports() if "审计" in s.report.title + s.report.org],
            {})}
