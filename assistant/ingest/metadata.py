"""Report metadata from its title, and from its body where the title is silent.

Organisation (县财政局), level (乡/镇/街道/县/区/市/省), department kind (财政, 民政 …, 综合 for
a whole government), period (2023年度, 2023年上半年) and document kind (总结/计划/总结+计划).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from assistant import lexicon
from assistant.ingest.chrome import front_kind
from assistant.lexicon.divisions import (
    LEVEL_COUNTY,
    LEVEL_PREFECTURE,
    LEVEL_PROVINCE,
    is_full,
    mentions,
)
from assistant.models import UNKNOWN

PERIOD_START = re.compile(r"(20\d{2})\s*年")
UNIT_SUFFIX = re.compile(r"(局|委|办|办公室|镇|乡|街道|县|区|市|省|社|联|院|会|中心|政府|队|所|部|厅|公司)$")
LEVELS_BY_PRIORITY = ("街道", "镇", "乡")
PROVINCIAL_DEPARTMENT = "厅"  # only a province's departments are 厅 (民政厅, 财政厅, 办公厅)
ADMIN = "省市区县"
# 执行情况 and 预算草案: a budget report reviews one year and plans the next (关于2022年预算执行
# 情况和2023年预算草案的报告, every 财政局's each year); a 决算（草案） reviews only.
SUMMARY_WORD = re.compile(r"总结|回顾|汇报|述职|执行情况")
PLAN_WORD = re.compile(r"计划|打算|要点|思路|安排|谋划|规划|方案|预算草案")
# A redacted place name ("XX镇") or a 2–4 character one; 全镇/本乡/各街道 are not names.
# Only at a clause start ("2023年以来，城区街道党工委…"), where a unit names itself.
# and goes on to act ("城区街道党工委…", "XX镇坚持…").
PLACE = re.compile(
    r"(?:^|[，。；、\n,])((?:XX|[\u4e00-\u9fff]{2,4}?)(?:街道|镇|乡))"
    r"(?=党|政府|办事处|人民政府|坚持|坚决|在|紧紧|认真|上下|全面|始终|以|深入|聚焦|围绕)"
)
# A department naming itself the same way (「2023年,县应急管理局被县委…」, 「…,市财政局始终坚持…」):
# a level, two to eight characters, a unit kind, then the verbs a unit acts with.
SELF_DEPARTMENT = re.compile(
    r"(?:^|[，。；、\n,])((?:市|县|区|省)[\u4e00-\u9fff]{2,8}?(?:局|委|办|中心|厅))"
    r"(?=党组|坚持|坚决|在|紧紧|认真|全面|始终|以|围绕|被|牢牢|聚焦)"
)
# 受 opens 「受XX镇人民政府委托」, the formula of a report read on a government's behalf
NOT_PLACE = re.compile(r"^(全|本|我|各|该|此|乡|村|和|的|在|对|受|重点|推进|加强)")
# Only the opening of a body is searched for its unit's own name.
BODY_HEAD_CHARS = 400
BODY_LEADER = re.compile(r"在(?:[\u4e00-\u9fff]{0,4}?)?(市|县|区)委[、，,]?\s*(?:市|县|区)?政府")
# A department named only in the body needs this many mentions, and twice the runner-up.
MIN_BODY_MENTIONS = 5


# Where a report names its own unit when its title does not (政府工作报告, 讲话, 述职报告):
# the congress it is delivered to, the speaker line, the body's 「我代表XX人民政府」.
UNIT = r"(?P<org>[\u4e00-\u9fffXx]{2,14}?(?:省|自治区|市|州|盟|县|区|旗|镇|乡|街道))"
GOV_REPORT = re.compile(r"政府工作报告")
TITLE_UNIT = re.compile(r"(?:20\d{2}\s*年)?" + UNIT + r"(?:人民)?政府工作报告")
CONGRESS = re.compile(r"在" + UNIT + r"第[一二三四五六七八九十\d]{1,4}届人民代表大会")
SPEAKER = re.compile(r"^" + UNIT + r"(?:人民政府)?(?:省长|市长|州长|盟长|县长|区长|旗长|主席|镇长|乡长|主任)")
# 「我代表XX人民政府」, or read on its behalf: 「受XX镇人民政府委托」
REPRESENT = re.compile(r"(?:我代表|受)" + UNIT + r"人民政府")
SPEAKER_UNIT = re.compile(r"^(?P<org>[\u4e00-\u9fffXx]{2,20}(?:局|委|办|厅|院|中心|社|联|所|镇|乡|街道|县|区|市))(?:党组|党委)?[\u4e00-\u9fff、]{0,12}?(?:书记|局长|主任|镇长|乡长|县长|区长|市长|厅长|院长|主席)")
# The standing committee a report is made to (「——2010年9月27日洪湖市第三届人大常委会第二十四次
# 会议」): 评议, 决算 and 审计 reports to it name their place there, and often nowhere else.
STANDING = re.compile(r"(?:\d{1,2}\s*日\s*在?|在)" + UNIT
                      + r"(?:第[一二三四五六七八九十\d]{1,4}届)?(?:人大常委会|人民代表大会常务委员会)")
# A department named without its place (民政局, 市民政局): the place named elsewhere goes before it.
PLACELESS_DEPARTMENT = re.compile(r"^(?:省|市|县|区)?(?P<own>[^省市县区镇乡\s]{1,8}(?:局|委|办|厅|中心))$")
# An official document's title with no year: 发文机关 + 关于 + 事由 (「民政局关于接受市人大常委会
# 评议的工作报告」): the unit is what stands before 关于.
ISSUER = re.compile(r"^(?P<org>[\u4e00-\u9fffXx]{2,20}?(?:局|委员会|委|办公室|办|厅|院|中心|镇|乡|街道|政府))关于")
# The unit signing an issuing notice's cover, with its date (「…现印发给你们，请认真贯彻执行。
# 永嘉县人民政府 2021年12月28日」): the document's issuer.
COVER_SIGNATURE = re.compile(r"印发给你们[^《\n]{0,60}?[。]\s*(?P<org>[\u4e00-\u9fffXx]{2,20}?"
                             r"(?:人民政府办公室|人民政府|政府办公室|办公室|局|委员会))\s*20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# A title that puts its year first (「2024年平阳县交通运输局工作计划」): the unit follows the year.
YEAR_FIRST = re.compile(r"^\s*20\d{2}\s*年(?:度)?(?P<org>[\u4e00-\u9fffXx]{2,20}?(?:局|委员会|委|办公室|办|厅|院"
                        r"|中心|社|联|镇|乡|街道|县|区|市|省|旗))(?=工作|年度|上半年|下半年|总结|计划|要点|述职)")
# A line that is only a department's name (沙洋县财政局, 中共XX县委办公室), among the first lines.
PRESENTING = re.compile(r"^(?P<org>[\u4e00-\u9fffXx]{2,14}(?:局|委员会|办公室|厅|管委会|管理委员会))$")
PRESENTING_LINES = 6
BARE_LEVEL = re.compile(r"^(全|本|我|各|该|自治|省|市|县|区)")
# 〇, its look-alike ○ (U+25CB) and 零 all write zero in a year.
CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}
CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年")
OCCASION_YEAR = re.compile(r"(20\d{2})\s*年\s*\d{1,2}\s*月")
# The line saying when and where a report was delivered (「2019年2月26日在镇第十四届人民代表大会
# 第三次会议上」): the year it was given, whatever year its title names.
DELIVERED = re.compile(r"(20\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在[^\n]{0,40}?(?:会议|大会)")


@dataclass
class Metadata:
    org: str = UNKNOWN
    level: str = UNKNOWN
    department: str = UNKNOWN
    period: str = UNKNOWN
    kind: str = UNKNOWN
    summary_year: int | None = None


def department_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(kind, pattern) pairs from the lexicon's departments.txt, in priority order."""
    return lexicon.keyed_patterns("departments.txt")


def department_business() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(kind, pattern) pairs of each department kind's own business words."""
    return lexicon.keyed_patterns("department_business.txt")


def regions() -> dict[str, str]:
    """Every name of a provincial-level region (canonical, short, abbreviation) → canonical."""
    return _region_names(lexicon.table("regions.txt"))


@cache
def _region_names(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """The name → canonical map of the regions.txt rows, built once per lexicon contents (the
    rows are the cache key, so a swapped lexicon gets its own map). Callers must not modify it."""
    names: dict[str, str] = {}
    for canonical, aliases in rows:
        names[canonical] = canonical
        names.update({alias: canonical for alias in aliases})
    return names


def canonical_org(org: str) -> str:
    """A provincial region's canonical name (江苏 → 江苏省, 内蒙古 → 内蒙古自治区); else `org`."""
    names = regions()
    if org in names and len(org) >= 2:
        return names[org]
    bare = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$", "", org)
    return names.get(bare, org) if len(bare) >= 2 else org


def level_of(org: str) -> str:
    """The administrative level an organisation name implies (provincial regions: 省; a 厅 is
    a province's department: 民政厅)."""
    if canonical_org(org) in regions().values() or org.endswith(PROVINCIAL_DEPARTMENT):
        return "省"
    for level in LEVELS_BY_PRIORITY:
        if level in org:
            return level
    found = [c for c in org if c in ADMIN]
    return found[-1] if found else UNKNOWN


def _org_from_body(body: str, bare_level: str) -> str:
    """The unit a body names, for titles that do not (镇2023年… / 2023年工作总结…)."""
    names = [m for m in PLACE.findall(body[:BODY_HEAD_CHARS]) if not NOT_PLACE.match(m)]
    if bare_level:
        names = [n for n in names if n.endswith(bare_level)]
        redacted = f"XX{bare_level}"
        if redacted in body:
            return redacted
    if names:
        return Counter(names).most_common(1)[0][0]
    departments = SELF_DEPARTMENT.findall(body[:BODY_HEAD_CHARS])
    if departments and not bare_level:
        return Counter(departments).most_common(1)[0][0]
    if bare_level in ADMIN and f"XX{bare_level}" in body:
        return f"XX{bare_level}"
    return bare_level or UNKNOWN


def _department(title: str, org: str, body: str) -> str:
    """Department kind: named in the title — the one the unit's name names too when it names
    several (市审计局's report on 财政收支 is 审计's; 国资委's 党建 report is 党建's) — or in the
    unit's name, else clearly dominant in the body, else 综合."""
    named = [kind for kind, pattern in department_words() if org != UNKNOWN and pattern.search(org)]
    topic = title.replace(org, " ") if org != UNKNOWN else title  # the title's words after its unit
    titled = [kind for kind, pattern in department_words() if pattern.search(topic)]
    both = [kind for kind in titled if kind in named]
    if both or titled or named:
        return (both or titled or named)[0]
    counts = Counter({kind: len(p.findall(body)) for kind, p in department_words()})
    ranked = counts.most_common(2)
    dominant = ranked and ranked[0][1] >= MIN_BODY_MENTIONS and ranked[0][1] >= 2 * ranked[1][1]
    if dominant and (org == UNKNOWN or level_of(org) in ADMIN):
        return ranked[0][0]
    return "综合" if level_of(org) != UNKNOWN or org == UNKNOWN else UNKNOWN


def _period(title: str) -> tuple[str, int | None]:
    """The period a report covers, as "2023年度" or "2023年上半年", with its year."""
    m = PERIOD_START.search(title)
    if not m:
        return UNKNOWN, None
    year = int(m.group(1))
    half = re.search(r"(上|下)半年", title[m.end() : m.end() + 8])
    return (f"{year}年{half.group(0)}" if half else f"{year}年度"), year


def _kind(title: str) -> str:
    """总结, 计划 or 总结+计划 from the title's words."""
    summary, plan = bool(SUMMARY_WORD.search(title)), bool(PLAN_WORD.search(title))
    if summary and plan:
        return "总结+计划"
    return "总结" if summary else "计划" if plan else UNKNOWN


def _named_unit(title: str, body: str) -> str:
    """The unit a report names outside its title's prefix: 「2026年江苏省政府工作报告」, the
    congress (「在XX省第十四届人民代表大会…上」), the speaker line, 「我代表XX省人民政府」."""
    head = body[:BODY_HEAD_CHARS]
    # a salutation names its audience, never the unit (「尊敬的市人大主任、副主任：」)
    lines = [ln.strip() for ln in head.split("\n") if front_kind(ln.strip()) != "salutation"]
    found = [m.group("org") for m in (TITLE_UNIT.search(title), CONGRESS.search(head)) if m]
    # a speaker line may stand where the title should (「汕头市潮阳区审计局局长 郑创平」)
    found += [m.group("org") for ln in [title, *lines] if (m := SPEAKER.match(ln) or SPEAKER_UNIT.match(ln))]
    found += [m.group("org") for m in (REPRESENT.search(head), COVER_SIGNATURE.search(head)) if m]
    named = [org for org in found if not BARE_LEVEL.match(org)]
    return canonical_org(named[0]) if named else ""


SPEAKER_LINE_CHARS = 40  # a speaker line is short: a unit, a title and a name


def speaker_line(line: str) -> bool:
    """The line names who delivers the report: a unit with its head's title (「三明市财政局局长
    苏迎平」, 「魏庄镇人民政府镇长 杨杰」)."""
    line = line.strip()
    return len(line) <= SPEAKER_LINE_CHARS and bool(SPEAKER.match(line) or SPEAKER_UNIT.match(line))


PLACE_BEFORE_CHARS = 8  # the longest division name (内蒙古自治区's leagues and banners: 8)


def _placed_department(own: str, body: str) -> str:
    """A department named without its place (林业局) as its body's opening names it whole, led by
    a division's full name (「以石门县林业局局长身份」 → 石门县林业局), or ""."""
    head = body[:BODY_HEAD_CHARS]
    for m in re.finditer(re.escape(own), head):
        before = head[max(0, m.start() - PLACE_BEFORE_CHARS): m.start()]
        place = next((before[i:] for i in range(len(before) - 1) if is_full(before[i:])), "")
        if place:
            return place + own
    return ""


# 「中山人社系统坚决落实…」, 「舞阳粮食系统这个摊子」: a place's short name, a department's, 系统 —
# the whole system of that department, which its own unit (人社局, 粮食局) reports for.
SYSTEM = re.compile(r"(?P<run>[\u4e00-\u9fff]{3,10}?)系统")
SYSTEM_UNIT = "局"
LEVEL_RANK = {LEVEL_COUNTY: 0, LEVEL_PREFECTURE: 1, LEVEL_PROVINCE: 2}


def _system_unit(body: str) -> str:
    """The unit of a department's system its body speaks for, with its place (「中山人社系统」
    and 「人社局长千企行」 → 中山市人社局), when the body also names that bureau; else ""."""
    head = body[:BODY_HEAD_CHARS]
    for m in SYSTEM.finditer(head):
        for place in mentions(m.group("run"), trusted=True):
            kind = m.group("run")[place.end:]
            if 2 <= len(kind) <= 4 and kind + SYSTEM_UNIT in body:
                # a short name alone means its highest division (中山: 中山市, not 大连's 中山区)
                top = max(place.divisions, key=lambda d: LEVEL_RANK[d.level])
                return top.name + kind + SYSTEM_UNIT
    return ""


def _presenting_unit(body: str) -> str:
    """The department a line of the report's opening names alone (「沙洋县财政局」 under the
    occasion line of a budget report): the unit presenting it, more specific than its title's
    place. A government's line (XX省人民政府) is its place's and is not read here."""
    lines = [ln.strip() for ln in body[:BODY_HEAD_CHARS].split("\n")][:PRESENTING_LINES]
    return next((m.group("org") for ln in lines if (m := PRESENTING.match(ln))), "")


def _gov_report(title: str, body: str, meta: Metadata) -> Metadata:
    """A 政府工作报告 reviews the year before it is delivered and plans the year it is in:
    period = the reviewed year, kind 总结+计划, the whole government (综合). The delivery line
    dates it best: a town's 「2018年政府工作报告」 is delivered in 2019 and reviews 2018, a
    province's 「2024年政府工作报告」 is delivered in 2024 and reviews 2023."""
    head = body[:BODY_HEAD_CHARS]
    year = DELIVERED.search(head) or PERIOD_START.search(title) or OCCASION_YEAR.search(head)
    reviewed = int(year.group(1)) - 1 if year else None
    meta.period = f"{reviewed}年度" if reviewed else meta.period
    meta.summary_year = reviewed or meta.summary_year
    meta.kind = "总结+计划"
    meta.department = "综合"
    return meta


def arabic_years(text: str) -> str:
    """Years written in Chinese numerals as digits: 二〇二五年 / 二○二五年 / 二零二五年 → 2025年."""
    return CN_YEAR.sub(lambda m: "".join(CN_DIGITS[c] for c in m.group(1)) + "年", text)


def extract_metadata(title: str, body: str, unit_hint: str = "") -> Metadata:
    """Metadata of one report from its title and body text; `unit_hint` is the issuing unit
    its page names (发布机构), taken when the report names none or only part of it."""
    title, body = arabic_years(title), arabic_years(body[:BODY_HEAD_CHARS]) + body[BODY_HEAD_CHARS:]
    meta = _extract(title, body)
    gov = bool(GOV_REPORT.search(title))
    unnamed = meta.org == UNKNOWN or not UNIT_SUFFIX.search(meta.org) or meta.org.startswith("在")
    bare = meta.org in (*LEVELS_BY_PRIORITY, *ADMIN) or not PERIOD_START.split(title)[0].strip()
    if unnamed or bare or gov:
        named = _named_unit(title, body)
        # the title's own unit stands unless the named one is more specific (or a 政府工作报告's)
        if named and (unnamed or gov or named.startswith(meta.org)):
            meta.org, meta.level = named, level_of(named)
            meta.department = _department(title, named, body)
    presenting = _presenting_unit(body)
    if presenting and (meta.org == UNKNOWN or (presenting.startswith(meta.org)
                                               and presenting != meta.org)):
        meta.org, meta.level = presenting, level_of(presenting)  # 沙洋县 → 沙洋县财政局
        meta.department = _department(title, presenting, body)
    standing = STANDING.search(body[:BODY_HEAD_CHARS])
    bare_department = PLACELESS_DEPARTMENT.match(meta.org)
    if standing and bare_department and not BARE_LEVEL.match(standing.group("org")):
        meta.org = standing.group("org") + bare_department.group("own")  # 民政局 → 洪湖市民政局
        meta.level = level_of(standing.group("org"))
    elif bare_department and meta.org == bare_department.group("own") and (
            placed := _placed_department(meta.org, body)):  # a level alone (县统计局) is kept
        meta.org, meta.level = placed, level_of(placed)
    if meta.org == UNKNOWN and (system := _system_unit(body)):
        meta.org, meta.level = system, level_of(system)
        meta.department = _department(title, system, body)
    if unit_hint and (meta.org == UNKNOWN or meta.org in unit_hint or BARE_LEVEL.match(meta.org)
                      or "XX" in meta.org):
        meta.org, meta.level = unit_hint, level_of(unit_hint)
        meta.department = _department(title, unit_hint, body)
    return _gov_report(title, body, meta) if gov else meta


def _extract(title: str, body: str) -> Metadata:
    """Metadata from the title's prefix and words, and the body's opening where it is silent."""
    m = PERIOD_START.search(title)
    issuer = None if m else ISSUER.match(title)
    prefix = issuer.group("org") if issuer else re.sub(
        r"^关于", "", (title[: m.start()] if m else "").strip().rstrip("的关于"))
    org = prefix if prefix and UNIT_SUFFIX.search(prefix) else ""
    if not prefix and (first := YEAR_FIRST.match(title)):
        org = first.group("org")
    if not org or prefix in (*LEVELS_BY_PRIORITY, *ADMIN):
        org = _org_from_body(body, prefix if prefix in (*LEVELS_BY_PRIORITY, *ADMIN) else "")
    level = level_of(org)
    if level == UNKNOWN:
        leader = BODY_LEADER.search(body)
        level = leader.group(1) if leader else UNKNOWN
    period, year = _period(title)
    return Metadata(
        org=org,
        level=level,
        department=_department(title, org, body),
        period=period,
        kind=_kind(title),
        summary_year=year,
    )
