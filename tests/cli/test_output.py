"""Text output of the CLI never passes a document's terminal escape sequences or control
characters to the terminal (a report could retitle the window or clear the screen)."""

from __future__ import annotations

import json

from assistant.cli import main
from assistant.cli.registry import printable

TITLE_SET = "\x1b]0;被篡改的标题\x07"  # OSC: set the window title
SCREEN_CLEARED = "\x1b[2J"  # CSI: clear the screen
HOSTILE = f"""县水务局2023年工作总结{TITLE_SET}
一、主要工作
（一）河道清淤{SCREEN_CLEARED}疏浚。全年清淤河道四十二公里，整治塘坝十一座。{TITLE_SET}
二、存在的问题
防汛物资储备不足。
""" + "三、2024年工作计划\n" + "".join(  # enough text that a few control bytes are not "binary"
    f"（{n}）推进第{n}批农村饮水安全巩固提升工程，完成管网改造与水质检测，落实长效管护机制。\n"
    for n in "一二三四五六七八九十")


def test_printable_removes_escape_sequences_and_controls_only():
    assert printable(f"甲{TITLE_SET}乙{SCREEN_CLEARED}丙\x1b[31m丁\x1b[0m\r戊\x00\x9b己") == "甲乙丙丁戊己"
    assert printable("第一行\n\t第二行 ASCII ok") == "第一行\n\t第二行 ASCII ok"
    assert printable("\x1b]0;never closed") == ""


def test_search_ask_and_show_print_no_escape_sequences(tmp_path, capsys):
    path = tmp_path / "水务局.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    index = str(tmp_path / "index")
    assert main(["--index", index, "ingest", str(path)]) == 0
    capsys.readouterr()
    outputs = []
    for argv in (["search", "河道清淤"], ["ask", "县水务局清淤了多少公里河道？"], ["reports"]):
        assert main(["--index", index, *argv]) == 0
        outputs.append(capsys.readouterr().out)
    assert main(["--index", index, "reports", "--json"]) == 0
    report_id = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["--index", index, "show", report_id]) == 0
    outputs.append(capsys.readouterr().out)
    for out in outputs:
        assert "\x1b" not in out and "\x07" not in out
    assert "河道清淤疏浚" in outputs[0] and "四十二公里" in outputs[1]
    assert "县水务局2023年工作总结" in outputs[3]
