"""China's administrative divisions (divisions.txt, national data) and where a text names one.

A division is found by its full name (淄博市, 平潭县) or its short name (淄博, 平潭, 延边 for
延边朝鲜族自治州). Short names and two-character full names are ordinary words as often as
places (平安, 城区, 光明), so they count only where jieba's part-of-speech tagger reads a place
name (ns) at that very span; longer full names count wherever they stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant import lexicon

LEVEL_PROVINCE, LEVEL_PREFECTURE, LEVEL_COUNTY = "省", "市", "县"
# What a division's name ends with, stripped (longest first) to give its short name.
PROVINCE_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$")
PREFECTURE_SUFFIX = re.compile(r"(自治州|地区|盟|市)$")
COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|新区|县|区|市|旗)$")
MIN_SHORT = 2  # a one-character short name (忠 of 忠县) is no name in a question
PLACE_TAG = "ns"  # jieba's part-of-speech tag of a place name


@dataclass(frozen=True)
class Division:
    """One division: its six-digit code (PPCCDD), full name and short name ("" if none)."""

    code: str
    name: str
    short: str

    @property
    def level(self) -> str:
        """省, 市 (prefecture level) or 县 (county level)."""
        if self.code.endswith("0000"):
            return LEVEL_PROVINCE
        return LEVEL_PREFECTURE if self.code.endswith("00") else LEVEL_COUNTY

    def within(self, other: Division) -> bool:
        """This division lies inside `other` (a county inside its prefecture and province)."""
        if other.code == self.code or other.level == LEVEL_COUNTY:
            return False
        prefix = other.code[:2] if other.level == LEVEL_PROVINCE else other.code[:4]
        return self.code.startswith(prefix)


@dataclass(frozen=True)
class Mention:
    """A place named in a text: the words as written, their span, the divisions they may mean."""

    text: str
    start: int
    end: int
    divisions: tuple[Division, ...]


def _strip_nations(name: str) -> str:
    """The name without the ethnic groups it ends with (本溪满族 → 本溪)."""
    nations = sorted(lexicon.entries("nations.txt"), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for nation in nations:
            for form in (nation, nation.removesuffix("族")):
                if len(form) >= 1 and name.endswith(form) and len(name) - len(form) >= MIN_SHORT:
                    name, changed = name[: -len(form)], True
                    break
            if changed:
                break
    return name


def short_name(code: str, name: str) -> str:
    """The name a division goes by without its kind (淄博市: 淄博), "" when none is left."""
    level = Division(code, name, "").level
    suffix = {LEVEL_PROVINCE: PROVINCE_SUFFIX, LEVEL_PREFECTURE: PREFECTURE_SUFFIX}.get(level, COUNTY_SUFFIX)
    bare = suffix.sub("", name)
    if bare != name and "自治" in suffix.search(name).group(0):
        bare = _strip_nations(bare)
    return bare if len(bare) >= MIN_SHORT and bare != name else ""


@cache
def divisions() -> tuple[Division, ...]:
    """Every division of divisions.txt, in code order."""
    out = []
    for row in lexicon.entries("divisions.txt"):
        code, _, name = row.partition("\t")
        out.append(Division(code.strip(), name.strip(), short_name(code.strip(), name.strip())))
    return tuple(out)


@cache
def _names() -> dict[str, tuple[Division, ...]]:
    """Full and short name → the divisions it may mean."""
    names: dict[str, list[Division]] = {}
    for d in divisions():
        for n in {d.name, d.short} - {""}:
            names.setdefault(n, []).append(d)
    return {n: tuple(ds) for n, ds in names.items()}


@cache
def _longest() -> int:
    return max(map(len, _names()))


def _find_names(text: str):
    """(start, end) of each division name in the text, left to right, the longest at each
    place first (a dictionary look-up per length: a regex of 6,000 alternatives took 1.4 ms a
    title)."""
    names, longest, i = _names(), _longest(), 0
    while i < len(text) - 1:
        end = next((i + n for n in range(min(longest, len(text) - i), 1, -1) if text[i:i + n] in names), 0)
        if end:
            yield i, end
            i = end
        else:
            i += 1


@cache
def _tagger():
    """jieba's part-of-speech tagger over the project's own tokenizer: jieba's default one
    would load a second copy of the dictionary (~54 MB in an app process)."""
    import jieba.posseg

    from assistant.index.tokenize import get_tokenizer

    return jieba.posseg.POSTokenizer(get_tokenizer())


def _place_spans(text: str) -> set[tuple[int, int]]:
    """The spans jieba tags as place names."""
    spans, pos = set(), 0
    for word, flag in _tagger().cut(text):
        if flag == PLACE_TAG:
            spans.add((pos, pos + len(word)))
        pos += len(word)
    return spans


def is_full(name: str) -> bool:
    """The words are some division's full name."""
    return any(d.name == name for d in _names().get(name, ()))


def mentions(text: str, trusted: bool = False, full_only: bool = False) -> list[Mention]:
    """The divisions `text` names, left to right, longest name first; `trusted` texts (a unit's
    own name: 平潭综合实验区财政金融局) count short names without the tagger's word,
    `full_only` counts full names of three characters or more only (no tagger at all: a
    report's title, read for every report of a library)."""
    places: set[tuple[int, int]] | None = None
    found = []
    for start, end in _find_names(text):
        name = text[start:end]
        short = len(name) <= MIN_SHORT or not is_full(name)
        if short and full_only:
            continue
        if not trusted and short:
            if places is None:
                places = _place_spans(text)
            if (start, end) not in places:
                continue
        found.append(Mention(name, start, end, _names()[name]))
    return found
