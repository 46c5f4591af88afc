"""Optional LLM polish of a draft outline: the model rewords, drops or reorders the draft's
headings, named by their numbers; levels, sources and points stay the draft's, so every
heading is still traced to its examples. Any failure keeps the draft with a notice."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer import llm
from assistant.models import Outline, OutlineNode
from assistant.outline.layout import number_nodes
from assistant.prompts import load_prompt

LINE = re.compile(r"^\s*[\[【](\d+)[\]】]\s*(.*?)\s*$")
NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])\s*"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_HEADING_CHARS = 40  # a longer "heading" is prose: the draft's heading is kept instead
MIN_KEPT_SHARE = 0.5  # a reply keeping fewer of the draft's headings than this is rejected
POLISHED_NOTE = "提纲措辞经大模型润色，结构与来源均取自参考范文。"


def bare(heading: str) -> str:
    """A heading without its 公文 number (一、 （一） 1.)."""
    return NUMBERING.sub("", heading.strip(), count=1)


def render_draft(outline: Outline) -> tuple[str, str]:
    """The draft as numbered, indented heading lines, and the points under their numbers."""
    draft, points = [], []
    for n, node in enumerate(outline.nodes, 1):
        draft.append(f"[{n}] {'  ' * (node.level - 1)}{llm.neutralise(bare(node.heading))}")
        points += [f"[{n}] {llm.neutralise(text)}" for text, _ in node.points]
    return "\n".join(draft), "\n".join(points)


def _parents(nodes: list[OutlineNode]) -> list[int | None]:
    """The index of each node's parent in the draft (None for top-level nodes)."""
    parents: list[int | None] = []
    last_at: dict[int, int] = {}
    for i, node in enumerate(nodes):
        parents.append(last_at.get(node.level - 1) if node.level > 1 else None)
        last_at[node.level] = i
    return parents


def apply_polish(outline: Outline, reply: str) -> Outline:
    """The outline rebuilt from the model's numbered lines; LLMError when the reply drops a
    top-level part or keeps too little of the draft."""
    draft, parents = outline.nodes, _parents(outline.nodes)
    wanted: dict[int, str] = {}
    for line in reply.splitlines():
        m = LINE.match(line)
        if m and 1 <= int(m.group(1)) <= len(draft) and int(m.group(1)) - 1 not in wanted:
            wanted[int(m.group(1)) - 1] = m.group(2)
    if any(node.level == 1 and i not in wanted for i, node in enumerate(draft)):
        raise llm.LLMError("the model dropped a top-level part of the outline")
    kept: list[int] = []
    open_at: dict[int, int] = {}  # level → draft index of the last kept node at that level
    for i in wanted:
        level = draft[i].level
        if level > 1 and open_at.get(level - 1) != parents[i]:
            continue  # moved out of its parent: the heading's sources would no longer fit
        kept.append(i)
        open_at = {k: v for k, v in open_at.items() if k < level} | {level: i}
    if len(kept) < MIN_KEPT_SHARE * len(draft):
        raise llm.LLMError("the model kept too little of the outline")
    nodes = [replace(draft[i], heading=_heading(wanted[i], draft[i].heading)) for i in kept]
    number_nodes(nodes)
    return replace(outline, nodes=nodes, notes=[*outline.notes, POLISHED_NOTE])


def _heading(proposed: str, original: str) -> str:
    """The model's wording when it is a plausible heading, else the draft's."""
    text = bare(proposed).strip("：:。 ")
    return text if CJK.search(text) and len(text) <= MAX_HEADING_CHARS else bare(original)


def polish(outline: Outline, request_text: str, config: llm.LLMConfig | None = None) -> Outline:
    """The LLM-polished outline, or the draft with a one-line notice when the LLM fails."""
    from langchain_core.messages import HumanMessage, SystemMessage

    draft, points = render_draft(outline)
    user = load_prompt("outline_user").format(
        request=llm.neutralise(request_text), draft=draft, points=points
    )
    messages = [SystemMessage(content=load_prompt("outline_system")), HumanMessage(content=user)]
    try:
        return apply_polish(outline, llm.stream_text(messages, config=config))
    except llm.LLMError as exc:
        notice = f"大模型不可用（{exc}），以下为按参考范文归纳的提纲。"
        return replace(outline, notes=[*outline.notes, notice])
