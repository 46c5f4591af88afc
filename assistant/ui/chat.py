"""The 问答 tab's logic: a question (with filters and the conversation so far) → the chat
message and its citation cards, streaming the LLM's tokens when one is configured."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from assistant.answer.llm import llm_config
from assistant.answer.query import Filters
from assistant.answer.result import AnswerResult, ask
from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.ui.render import (
    answer_markdown,
    cards,
    citation_card,
    esc_markdown,
    streaming_markdown,
)
from assistant.ui.startup import Startup

ALL = ""  # the filter value meaning "any"
NOT_YET = "已建立的部分中暂时没有相关段落，请稍后再问。"
EXAMPLE_QUESTIONS = [
    "哪些乡镇提到了燃气安全？",
    "县审计局存在哪些问题？",
    "区残联2023年救助了多少残疾大学生？",
    "乡镇的2024年计划里关于人居环境的安排",
    "区民政局2024年的工作安排是什么？",
]
EMPTY_HINT = f"请先在输入框中写下问题，例如：{EXAMPLE_QUESTIONS[0]}"


def message_text(message: dict) -> str:
    """A chat message's text (Gradio may hand content back as a list of parts)."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def filters_of(level: str, department: str, role: str, period: str) -> Filters:
    """The chosen filters ("" = any)."""
    return Filters(
        level=(level,) if level else (),
        department=(department,) if department else (),
        role=(role,) if role else (),
        period=(period,) if period else (),
    )


def citation_cards(result: AnswerResult) -> str:
    """The answer's citations as cards, each with its whole section as context."""
    items = [citation_card(citation, context.org, context.section)
             for citation, context in zip(result.data["citations"], result.contexts, strict=True)]
    empty = "没有可引用的段落。" if result.answer.abstained else ""
    return cards(items, empty)


def while_building(data: dict, abstained: bool, building: str) -> dict:
    """An answer's JSON while the library is still built (`building` says how far): the part
    not yet searchable may hold the answer, so an abstention becomes the building notice
    (never 「未找到」), and an answer found in the searchable part carries it as its notice."""
    if not building:
        return data
    if abstained:
        return {**data, "answer": f"{building}。{NOT_YET}"}
    return {**data, "notice": "；".join(n for n in (building, data.get("notice")) if n)}


def _answer_stream(index: Index, question: str, filters: Filters, history: list[str]):
    """Yield partial LLM text while it streams, then the final Answer."""
    tokens: queue.Queue = queue.Queue()
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["answer"] = ask(index, question, filters, history, on_token=tokens.put)
        except Exception as exc:  # surfaced to the user below, never swallowed
            box["error"] = exc
        tokens.put(None)

    threading.Thread(target=run, daemon=True).start()
    text = ""
    while (piece := tokens.get()) is not None:
        text += piece
        yield text
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    yield box["answer"]


def respond(
    index: Index,
    question: str,
    chat: list[dict],
    level: str = ALL,
    department: str = ALL,
    role: str = ALL,
    period: str = ALL,
    startup: Startup | None = None,
) -> Iterator[tuple[list[dict], str, str]]:
    """Chat update generator: (messages, citation cards HTML, the cleared question box);
    `startup` is the first-start build, told about while it runs."""
    chat = list(chat or [])
    history = [message_text(m) for m in chat if m.get("role") == "user"]
    chat.append({"role": "user", "content": esc_markdown(question)})  # HTML shown as text
    filters = filters_of(level, department, role, period)
    try:
        if llm_config() is None:
            result = ask(index, question, filters, history)
        else:
            result = None
            for part in _answer_stream(index, question, filters, history):
                if isinstance(part, AnswerResult):
                    result = part
                else:
                    yield [*chat, {"role": "assistant", "content": streaming_markdown(part)}], "", ""
    except AssistantError as exc:  # the UI boundary: a Chinese notice, never a traceback
        yield [*chat, {"role": "assistant", "content": f"⚠️ {exc}"}], "", ""
        return
    building = startup.notice(len(index.derived().chunks)) if startup else ""
    reply = answer_markdown(while_building(result.data, result.answer.abstained, building))
    yield [*chat, {"role": "assistant", "content": reply}], citation_cards(result), ""
