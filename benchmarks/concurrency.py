"""Question latency under concurrent use: 20 askers (threads calling the app's own question
handler, ui/chat.respond) against the sample library, idle and while an upload of new reports
(≥ 100 passages no run embedded before) is ingested through the app's upload path, in one run.
Target: during-upload p95 ≤ 2 × idle p95.

    python benchmarks/concurrency.py [--askers 20] [--rounds 3] [--passages 120] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import percentiles, sample_index, table  # noqa: E402

QUESTIONS = [
    "哪些乡镇提到了燃气安全？",
    "县审计局存在哪些问题？",
    "区残联2023年救助了多少残疾大学生？",
    "区民政局2024年的工作安排是什么？",
    "县统计局2024年工作计划有哪些？",
]
TARGET_RATIO = 2.0  # issue 12: during-upload p95 at most twice the idle p95
SECTIONS_PER_REPORT = 12  # one passage each: a section body of ~170 characters
NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
TOPICS = ["农村公路养护", "饮水安全巩固", "森林防火巡查", "养老服务提升", "人居环境整治",
          "招商引资推进", "河道清淤疏浚", "校园安全管理", "食品安全抽检", "耕地保护督查",
          "就业帮扶培训", "文化惠民演出"]


def fresh_reports(folder: Path, passages: int) -> list[tuple[str, str]]:
    """Reports whose passages no run embedded before (figures unique to this run), as the
    app's upload pairs (path, user's file name)."""
    stamp, files = time.time_ns(), []
    for n in range(-(-passages // SECTIONS_PER_REPORT)):
        lines = [f"第{n + 1}镇2023年工作总结"]
        for i, topic in enumerate(TOPICS[:SECTIONS_PER_REPORT]):
            lines.append(f"{NUMERALS[i]}、{topic}工作")
            lines.append(f"全年围绕{topic}开展专项行动{stamp % 97 + i}次，投入资金{stamp % 1000 + n}万元，"
                         f"覆盖村组{i * 7 + n}个，编号{stamp}-{n}-{i}，群众满意度明显提升。"
                         f"下一步将继续完善{topic}长效机制，压实属地责任，加强督查考核，"
                         f"确保{topic}各项任务按期完成、取得实效，第{n + 1}镇第{i + 1}项。")
        path = folder / f"镇{n + 1}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append((str(path), path.name))
    return files


def ask_all(index, askers: int, keep_going) -> list[float]:
    """Seconds per question of `askers` threads, each asking in turn while keep_going()."""
    from assistant.ui.chat import respond

    latencies: list[float] = []
    lock = threading.Lock()

    def asker(k: int) -> None:
        asked = 0
        while keep_going(asked):
            question = QUESTIONS[(k + asked) % len(QUESTIONS)]
            start = time.perf_counter()
            *_, (_, cards, _) = respond(index, question, [])
            seconds = time.perf_counter() - start
            if 'class="cite-card"' not in cards:
                raise SystemExit(f"error: no citation for {question!r}")
            with lock:
                latencies.append(seconds)
            asked += 1

    threads = [threading.Thread(target=asker, args=(k,)) for k in range(askers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def run(askers: int, rounds: int, passages: int) -> dict:
    """Idle and during-upload latency figures of one run."""
    from assistant.ui import library

    with tempfile.TemporaryDirectory() as tmp:
        index = sample_index(Path(tmp) / "index")
        before = len(index.derived().chunks)
        ask_all(index, 1, lambda asked: asked < len(QUESTIONS))  # warm: engines loaded once
        idle = ask_all(index, askers, lambda asked: asked < rounds)
        upload_dir = Path(tmp) / "upload"
        upload_dir.mkdir()
        files = fresh_reports(upload_dir, passages)
        rows: list[list[str]] = []
        start = time.perf_counter()
        uploading = threading.Thread(target=lambda: rows.extend(library.upload(index, files)))
        uploading.start()
        during = ask_all(index, askers, lambda asked: uploading.is_alive() or asked < 1)
        uploading.join()
        upload_s = time.perf_counter() - start
        stored = sum(1 for r in rows if r[1] == library.Outcome.STORED)
        new_passages = len(index.derived().chunks) - before
        index.close()
    (idle_p50, idle_p95), (up_p50, up_p95) = percentiles(idle), percentiles(during)
    return {
        "askers": askers, "idle_questions": len(idle), "during_questions": len(during),
        "idle_p50_ms": idle_p50, "idle_p95_ms": idle_p95,
        "during_p50_ms": up_p50, "during_p95_ms": up_p95,
        "ratio_p95": up_p95 / idle_p95, "upload_s": upload_s, "files_stored": stored,
        "passages_uploaded": new_passages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--askers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="questions per asker when idle")
    parser.add_argument("--passages", type=int, default=120, help="new passages uploaded")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures = run(args.askers, args.rounds, args.passages)
    print(table(["phase", "questions", "p50 ms", "p95 ms"], [
        ["idle", figures["idle_questions"], figures["idle_p50_ms"], figures["idle_p95_ms"]],
        ["during upload", figures["during_questions"], figures["during_p50_ms"],
         figures["during_p95_ms"]],
    ]))
    verdict = "met" if figures["ratio_p95"] <= TARGET_RATIO else "NOT met"
    print(f"\nupload of {figures['passages_uploaded']} passages in {figures['files_stored']} files: "
          f"{figures['upload_s']:.1f} s; p95 during/idle = {figures['ratio_p95']:.2f} "
          f"(target ≤ {TARGET_RATIO}: {verdict})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    main()
