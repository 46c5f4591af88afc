"""A report's heading tree: numbered headings, topic lines, 一是/二是 items, section roles."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.ingest.chrome import FRONT, front_kind
from assistant.ingest.headings import parse_heading
from assistant.models import Line, Role, Section

# 一是 / 第一， / 其一， open an item of the enclosing section (at a paragraph or sentence start).
ITEM = re.compile(
    r"(?:^|(?<=[。；;！？：:]))\s*(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,、]|其[一二三四五六七八九十][，,、])"
)
# A standalone unnumbered line this short, not ending a sentence, is a topic heading.
MAX_TOPIC_CHARS = 30
# An inline topic ("重点文旅基础设施欠账较多。正文…") has a lead sentence this short …
MAX_LEAD_CHARS = 22
# … and at least this many sibling paragraphs share the shape before they count as headings.
MIN_INLINE_TOPICS = 2
# Sentences opening with these are narrative, not topic leads.
NOT_LEAD = re.compile(r"^(\d|今年|去年|一年来|近年|目前|截至|同时|此外|另外|其中|针对|通过|全年|上半年|各位代表)")
# A topic line ending in a colon is a short label ("2024年工作谋划："), not an intro sentence.
MAX_COLON_TOPIC_CHARS = 15
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?$")
# A line naming only the presenting unit (沙洋县财政局, 中共XX县委办公室) is at most this long.
MAX_UNIT_LINE_CHARS = 16
UNIT_LINE = re.compile(r"(局|委|会|府|办|室|社|院|处|所|中心|街道|镇|乡|联|组|部|队|公司)$")
INTRO_LINE = re.compile(r"现将(?:我局|我委|我乡|我镇|我街道|我办|我社|我单位|本单位)?(.{4,24}?)(?:汇报|报告|总结)如下[：:]?$")

YEAR = re.compile(r"(20\d{2})\s*年?")
# A five-year plan named by its number (“十四五”): the Nth plan from the 6th on starts in
# 1981 + 5 × (N − 6) (the 14th: 2021–2025, the 15th: 2026–2030).
FIVE_YEAR_PLAN = re.compile(r"([一二三四五六七八九十]{1,3})五")
NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def role_rules() -> list[tuple[str, re.Pattern[str]]]:
    """(role, heading-word pattern) from the lexicon's roles.txt, in checking order."""
    return [(Role(role), pattern) for role, pattern in lexicon.keyed_patterns("roles.txt")]


def plan_years(heading: str) -> list[tuple[int, int]]:
    """The (first, last) years of the five-year plans a heading names (“十五五” → 2026–2030)."""
    spans = []
    for m in FIVE_YEAR_PLAN.finditer(heading):
        digits = m.group(1)
        n = NUMERALS[digits] if len(digits) == 1 else 10 + NUMERALS.get(digits[-1], 0)
        if digits.startswith("十") and n >= 6:
            start = 1981 + 5 * (n - 6)
            spans.append((start, start + 4))
    return spans


def is_appendix(text: str) -> bool:
    """A standalone line opening an appendix (附件1, 名词解释, 注释 …)."""
    return any(p.match(text) for p in lexicon.patterns("appendix.txt"))


def find_items(text: str) -> list[str]:
    """The 一是/二是… (or 第一，第二，…) items of a body text, each up to the next item or the
    end of its paragraph."""
    items: list[str] = []
    for paragraph in text.split("\n"):
        starts = [m.start() for m in ITEM.finditer(paragraph)]
        bounds = [*starts, len(paragraph)]
        items += [paragraph[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return [i for i in items if i] if len(items) >= 2 or (items and ITEM.match(text)) else []


def _is_topic_line(text: str, style: str) -> bool:
    """A short standalone unnumbered line that introduces body text."""
    if style.startswith("Heading"):
        return True
    if style == "table" or len(text) > MAX_TOPIC_CHARS or DATE_LINE.match(text):
        return False
    if text[-1] in "：:" and (len(text) > MAX_COLON_TOPIC_CHARS or "，" in text):
        return False
    return text[-1] not in "。，；;,！？!?" and not ITEM.match(text)


def split_signoff(lines: list[Line]) -> tuple[list[Line], str]:
    """Take a closing unit name + date off the end of a report's body."""
    body = [ln for ln in lines if ln.text]
    if not body or not DATE_LINE.match(body[-1].text):
        return lines, ""
    tail = [body[-1]]
    if len(body) > 1 and len(body[-2].text) <= MAX_TOPIC_CHARS and (
            UNIT_LINE.search(body[-2].text) or front_kind(body[-2].text) == "speaker"):
        tail.insert(0, body[-2])
    keep = [ln for ln in lines if all(ln is not t for t in tail)]
    return keep, " ".join(t.text for t in tail)


def _heading_rank(style: str) -> float | None:
    """Word's "Heading N" style as a rank hint for an unnumbered line."""
    m = re.match(r"Heading (\d)", style)
    return float(m.group(1)) if m else None


def _append(section: Section, paragraph: str) -> None:
    """Add a body paragraph to a section (paragraphs are kept one per line)."""
    section.text = f"{section.text}\n{paragraph}" if section.text else paragraph


def _build_tree(lines: list[Line]) -> tuple[list[str], list[Section]]:
    """Walk body lines into (preamble paragraphs, top-level sections) by heading rank."""
    preamble: list[str] = []
    roots: list[Section] = []
    stack: list[tuple[float, Section]] = []
    topic_rank: float | None = None  # standalone topic lines are siblings of each other
    after_front = False  # the last line was front matter, and no section has begun
    for line in lines:
        text = line.text
        if not text or line.style == "Title":
            continue
        # occasion, speaker, salutation: the preamble, never headings — also in a compilation
        # (whose head is not cleaned as a page's), and the presenting unit's line after them
        # (「——…会议上」 「沙洋县财政局」 「各位代表：」)
        if line.style == FRONT or (not roots and (front_kind(text) or (
                after_front and len(text) <= MAX_UNIT_LINE_CHARS and UNIT_LINE.search(text)))):
            preamble.append(text)
            after_front = True
            continue
        after_front = False
        heading = parse_heading(text) if line.style != "table" else None
        if is_appendix(text) and not (stack and stack[-1][0] == 0 and not stack[-1][1].text
                                      and not stack[-1][1].children):
            # above every body rank: what follows belongs to the appendix (a second appendix
            # heading right under a bare 「附件2」 is that appendix's title)
            rank, section, rest = 0, Section(heading=text.rstrip("：:"), level=0), ""
            topic_rank = None
        elif heading:
            rank: float = heading.rank
            section = Section(heading=heading.title, level=0, marker=heading.marker, line=heading.line)
            rest = heading.rest
        elif _is_topic_line(text, line.style):
            hint = _heading_rank(line.style)
            if hint is not None:
                rank = hint
            elif topic_rank is not None and any(r == topic_rank for r, _ in stack):
                rank = topic_rank
            else:
                rank = stack[-1][0] + 0.5 if stack else 1
            topic_rank = rank
            section, rest = Section(heading=text.rstrip("：:"), level=0), ""
        else:
            if stack:
                _append(stack[-1][1], text)
                stack[-1][1].span = (stack[-1][1].span[0], line.number)
            else:
                preamble.append(text)
            continue
        section.span = (line.number, line.number)
        if rest:
            section.text = rest
        while stack and stack[-1][0] >= rank:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(section)
        stack.append((rank, section))
    return preamble, roots


def _lead(paragraph: str) -> tuple[str, str] | None:
    """The short lead sentence of an inline topic paragraph, with the body after it."""
    end = paragraph.find("。")
    if not 4 <= end <= MAX_LEAD_CHARS or end == len(paragraph) - 1:
        return None
    lead = paragraph[:end]
    if NOT_LEAD.match(lead) or ITEM.match(lead) or re.search(r"\d|：|:", lead):
        return None
    return lead, paragraph[end + 1 :].strip()


def _inline_topics(section: Section) -> None:
    """Turn recurring "短标题。正文…" paragraphs of a leaf section into child sections."""
    if section.children:
        for child in section.children:
            _inline_topics(child)
        return
    paragraphs = section.text.split("\n") if section.text else []
    leads = [_lead(p) for p in paragraphs]
    count = sum(lead is not None for lead in leads)
    if count < MIN_INLINE_TOPICS or count * 5 < len(paragraphs) * 2:
        return
    kept: list[str] = []
    for paragraph, lead in zip(paragraphs, leads, strict=True):
        if lead:
            child = Section(heading=lead[0], level=0, text=lead[1], span=section.span, line=f"{lead[0]}。")
            section.children.append(child)
        elif section.children:
            _append(section.children[-1], paragraph)
        else:
            kept.append(paragraph)
    section.text = "\n".join(kept)


def classify_role(heading: str, summary_year: int | None) -> str:
    """Role of a top-level section from its heading words and the periods it names: a year or
    five-year plan after the reviewed year is a plan, the reviewed year itself a summary."""
    rules = dict(role_rules())
    for role in (Role.PROBLEM, Role.HIGHLIGHT):
        if rules[role].search(heading):
            return role
    years = [int(y) for y in YEAR.findall(heading)]
    plans = plan_years(heading)
    later = summary_year is not None and (any(y > summary_year for y in years)
                                          or any(a > summary_year for a, _ in plans))
    covered = summary_year is not None and (summary_year in years
                                            or any(a <= summary_year <= b for a, b in plans))
    if later:
        return Role.PLAN
    plan_at, summary_at = _last_end(rules[Role.PLAN], heading), _last_end(rules[Role.SUMMARY], heading)
    if plan_at > summary_at:  # the head of a Chinese noun phrase comes last: 「重点工作开展情况」
        return Role.PLAN  # is done work, 「2026年重点工作」 planned work
    if summary_at or covered:
        return Role.SUMMARY
    return Role.OTHER


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of `pattern` in `text` ends (0 when none)."""
    return max((m.end() for m in pattern.finditer(text)), default=0)


def _part_line(section: Section, summary_year: int | None) -> bool:
    """An unnumbered line that opens a whole part (「“十四五”时期发展成就和2025年工作回顾」)."""
    if section.marker or is_appendix(section.heading):
        return False
    named_period = YEAR.search(section.heading) or plan_years(section.heading)
    return bool(named_period) and classify_role(section.heading, summary_year) != Role.OTHER


def _nest_under_parts(roots: list[Section], summary_year: int | None) -> list[Section]:
    """Where a report opens its parts with unnumbered lines, the numbered headings after such
    a line are its children, not its siblings (appendices stay parts of their own)."""
    parts = [s for s in roots if _part_line(s, summary_year)]
    if len(parts) < 2 or roots[0] is not parts[0]:
        return roots
    out: list[Section] = []
    for section in roots:
        if section in parts or is_appendix(section.heading) or not out:
            out.append(section)
        else:
            out[-1].children.append(section)
    return out


def _finish(sections: list[Section], parent: list[str], level: int, role: str | None) -> None:
    """Fill level, path, items, inherited role and covering span, recursively."""
    for section in sections:
        section.level = level
        section.path = [*parent, f"{section.marker}{section.heading}"]
        section.items = find_items(section.text)
        if role is not None:
            section.role = role
        _finish(section.children, section.path, level + 1, section.role)
        ends = [section.span[1], *(c.span[1] for c in section.children)]
        section.span = (section.span[0], max(ends))


def _default_roles(sections: list[Section], kind: str) -> None:
    """Unlabelled top-level parts: in a plan (工作要点, 工作计划) they are plan parts; in a
    summary, those before its plan or problem part are summary parts (appendices stay other)."""
    for section in sections:
        if section.role != Role.OTHER or is_appendix(section.heading):
            if section.role in (Role.PLAN, Role.PROBLEM) and kind != "计划":
                break
            continue
        if kind == "计划":
            section.role = Role.PLAN
        elif "总结" in kind:
            section.role = Role.SUMMARY


def _intro_section(preamble: list[str], roots: list[Section]) -> list[str]:
    """Preamble items introduced by "现将…汇报如下：" become a section of their own."""
    for i, paragraph in enumerate(preamble):
        m = INTRO_LINE.search(paragraph)
        rest = "\n".join(preamble[i + 1 :])
        if m and find_items(rest):
            roots.insert(0, Section(heading=m.group(1), level=0, text=rest))
            return preamble[: i + 1]
    return preamble


def build_sections(
    lines: list[Line], summary_year: int | None, kind: str
) -> tuple[str, list[Section]]:
    """A report body's (preamble text, top-level sections) with levels, paths, items, roles."""
    preamble, roots = _build_tree(lines)
    roots = _nest_under_parts(roots, summary_year)
    preamble = _intro_section(preamble, roots)
    for section in roots:
        _inline_topics(section)
        section.role = classify_role(section.heading, summary_year)
        if is_appendix(section.heading) and section.children:  # 「附件1」 takes the role of
            section.role = classify_role(section.children[0].heading, summary_year)  # its title
    _default_roles(roots, kind)
    _finish(roots, [], 1, None)
    return "\n".join(preamble), roots
