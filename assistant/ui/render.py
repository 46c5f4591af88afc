"""Pure rendering for the app: answers, citation cards, section context, report trees and
outlines as HTML/Markdown. Every string that comes from a document or a user is escaped, so
HTML inside a report or a question is shown as text, never rendered."""

from __future__ import annotations

import html
import re

from assistant.ingest.chunks import PATH_SEP
from assistant.models import UNKNOWN, Report, Role, Section

ROLE_NAMES = {
    Role.SUMMARY: "总结",
    Role.HIGHLIGHT: "亮点",
    Role.PROBLEM: "问题",
    Role.PLAN: "计划",
    Role.OTHER: "其他",
}
CARD_CSS = """
.cite-card {border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fff}
.cite-card .cite-head {font-weight:600;color:#1f2328}
.cite-card .cite-meta {color:#57606a;font-size:0.9em;margin:2px 0 6px}
.cite-card .cite-text {white-space:pre-wrap;line-height:1.7;color:#1f2328}
.cite-card mark {background:#fff3b0;padding:0 1px}
.cite-card .cite-warn {color:#9a3412;background:#fff7ed;border:1px solid #fdba74;border-radius:6px;
  padding:4px 8px;margin:4px 0 6px;font-size:0.92em}
.cite-card details {margin-top:6px}
.cite-card details summary {cursor:pointer;color:#0969da}
.cite-card .cite-context {white-space:pre-wrap;line-height:1.7;background:#f6f8fa;padding:8px;
  border-radius:6px;max-height:420px;overflow:auto}
.report-tree {white-space:pre-wrap;line-height:1.6;font-family:inherit}
"""


INSTRUCTION_WARNING = (
    "注意：此段含有疑似写给大模型的指令（如「忽略以上指令」），系统只把它当作原文引用，不会执行；"
    "请核对来源"
)
CITE_MARK = re.compile(r"\[(\d{1,3})\]")  # a citation mark as answers write it
UNRECOGNISED = "未识别"  # how a metadata field the document does not reveal (UNKNOWN) is shown
TRAILING = "。；;，,：:"  # punctuation a passage may add after a heading line


def shown(value: str) -> str:
    """A metadata value as the page shows it: 「未识别」 for one the document does not reveal."""
    return UNRECOGNISED if not value or value == UNKNOWN else value


def esc(text: object) -> str:
    """HTML-escaped text (quotes included)."""
    return html.escape(str(text), quote=True)


def esc_markdown(text: str) -> str:
    """Markdown whose raw HTML is shown as text and that loads nothing: < and & escaped, image
    marks ![…](…) defused (the browser would fetch them), other markdown marks kept."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("![", "!\\[")


def highlight(text: str, spans: list[list[int]] | list[tuple[int, int]]) -> str:
    """The escaped passage with each (start, end) span wrapped in <mark>."""
    out, pos = [], 0
    for start, end in sorted((int(a), int(b)) for a, b in spans):
        if start < pos or end <= start:
            continue
        out += [esc(text[pos:start]), f"<mark>{esc(text[start:end])}</mark>"]
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def locate(text: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` occurs in `text` ignoring whitespace and its closing punctuation
    (passages re-wrap lines and end inline headings with 。); None when absent."""
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    flat = "".join(text[i] for i in kept)
    target = re.sub(r"\s+", "", needle).rstrip(TRAILING)
    pos = flat.find(target) if target else -1
    return (kept[pos], kept[pos + len(target) - 1] + 1) if pos >= 0 else None


def context_html(context: str, quotes: list[str]) -> str:
    """The section in context, escaped, with the cited sentences marked where they occur."""
    spans = [span for q in quotes if (span := locate(context, q))]
    return highlight(context, spans)


def citation_card(citation: dict, org: str, context: str) -> str:
    """One citation: [n], report title, unit, section path, the passage with its supporting
    sentences highlighted, and the whole section in context one click away."""
    path = PATH_SEP.join(citation["section_path"])
    unit = esc(org) if shown(org) == org else f"单位{UNRECOGNISED}"
    spans = citation.get("spans") or []
    quotes = citation.get("quotes") or [citation["text"]]
    details = (
        f"<details><summary>查看原文上下文（{esc(path)}）</summary>"
        f'<div class="cite-context">{context_html(context, quotes)}</div></details>'
        if context
        else ""
    )
    warning = f'<div class="cite-warn">{INSTRUCTION_WARNING}</div>' if citation.get("instruction") else ""
    return (
        f'<div class="cite-card" id="cite-{citation["n"]}">'
        f'<div class="cite-head">[{citation["n"]}] {esc(citation["report_title"])}</div>'
        f'<div class="cite-meta">{unit} · {esc(path)}</div>{warning}'
        f'<div class="cite-text">{highlight(citation["text"], spans)}</div>{details}</div>'
    )


def cards(items: list[str], empty: str = "") -> str:
    """Citation cards as one HTML block (with `empty` shown when there are none)."""
    if not items:
        return f'<div class="cite-empty">{esc(empty)}</div>' if empty else ""
    return "".join(items)


def cite_links(text: str, numbers: set[int]) -> str:
    """Each [n] naming a citation becomes a link to its card (#cite-n, which ui/app.js scrolls
    to and highlights); other bracketed numbers stay text."""
    return CITE_MARK.sub(
        lambda m: f'<a class="cite-ref" href="#cite-{m[1]}">[{m[1]}]</a>'
        if int(m[1]) in numbers
        else m[0],
        text,
    )


# A list answer shows this many report entries on its first screen; the rest open with
# 「展开全部」 (a list of 22 provinces is 22 lines of quotes).
FIRST_SCREEN_ENTRIES = 6


def separate_leads(text: str) -> str:
    """A blank line before a lead that follows a list entry (「另有 1 份报告提到…」 after the
    exact ones): Markdown would read it as the end of that entry."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].startswith("- ") and line and not line.startswith("- "):
            out.append("")
        out.append(line)
    return "\n".join(out)


def fold_long_list(text: str) -> str:
    """The entries of a long list answer beyond the first screen, folded under 「展开全部」."""
    lines = text.split("\n")
    entries = [i for i, line in enumerate(lines) if line.startswith("- ")]
    if len(entries) <= FIRST_SCREEN_ENTRIES:
        return text
    cut = entries[FIRST_SCREEN_ENTRIES]
    rest = len(entries) - FIRST_SCREEN_ENTRIES
    return "\n".join([*lines[:cut], "", f"<details><summary>展开全部（另有 {rest} 份）</summary>", "",
                      *lines[cut:], "", "</details>"])


def answer_markdown(answer: dict) -> str:
    """The chat message for an answer: its text (HTML escaped, [n] linked to the cards, a long
    list folded after its first screen) and the notice, if any."""
    cited = {int(c["n"]) for c in answer.get("citations", [])}
    text = fold_long_list(separate_leads(cite_links(esc_markdown(answer["answer"]), cited)))
    notice = answer.get("notice")
    return f"{text}\n\n> ⚠️ {esc_markdown(notice)}" if notice else text


def streaming_markdown(text: str) -> str:
    """The chat message while the LLM's answer streams: escaped as the final message is (a
    document's <img> or ![](…) must not load while it streams either), with a cursor."""
    return f"{esc_markdown(text)} ▌"


def report_tree(report: Report) -> str:
    """A report's section tree with roles, as an escaped <pre>-like block."""
    lines = [
        report.title,
        f"单位：{shown(report.org)}　层级：{shown(report.level)}　类别：{shown(report.department)}"
        f"　期间：{shown(report.period)}　文种：{shown(report.kind)}",
        "",
    ]

    def walk(sections: list[Section], depth: int) -> None:
        for s in sections:
            role = f"　［{ROLE_NAMES.get(s.role, s.role)}］" if depth == 0 else ""
            lines.append(f"{'　' * depth}{s.marker}{s.heading}{role}")
            walk(s.children, depth + 1)

    walk(report.sections, 0)
    return f'<div class="report-tree">{esc(chr(10).join(lines))}</div>'
