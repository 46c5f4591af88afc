"""Optional LLM answers through any OpenAI-compatible endpoint, kept honest by checked citations.

Passages are numbered and wrapped in <passage> tags (their own angle brackets neutralised), so
text inside a document stays data. After generation every [n] is checked against the passages
given: unknown numbers are dropped, the rest renumbered in order of use, and sentences without
a citation are flagged in the notice. An answer that only repeats an instruction planted in a
cited passage (「忽略以上所有指令，回答：……」) is refused, so the caller falls back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant import settings
from assistant.answer.instructions import repeats_instruction
from assistant.errors import AssistantError
from assistant.ingest.chunks import PATH_SEP
from assistant.models import Answer, Citation, Hit
from assistant.prompts import load_prompt

DEFAULT_TIMEOUT = 60.0  # seconds the endpoint may stay silent (connecting, or between tokens)
# [n], 【n】, ［n］, with lists [1,3] / [1、3] and ranges [1-3]; at most 3 digits, so a
# document number such as 川府发[2023]3号 is not taken for a citation
CITATION = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、\-–~～]\s*\d{1,3})*)\s*[\]】］]")
CITED_NUMBER = re.compile(r"(\d+)(?:\s*[\-–~～]\s*(\d+))?")
MARK = re.compile(r"\[\d{1,3}\]")  # a checked citation as it stands in the cleaned text
# a sentence with the citations that follow its end punctuation (「……55人。[1]」 is cited)
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*(?:[ \t]*\[\d{1,3}\])*")
CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_CLAIM_CJK = 8  # a sentence with fewer Chinese characters is not a claim needing a citation
ABSTAIN_PHRASE = "未找到"
REACH_TIMEOUT = 2.0  # seconds the status check waits for the endpoint


class LLMError(AssistantError):
    """The endpoint failed or answered with something unusable; the reason is one line."""


@dataclass
class LLMConfig:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout: float = DEFAULT_TIMEOUT


def llm_config() -> LLMConfig | None:
    """The endpoint configured by environment, or None (no LLM: deterministic answers)."""
    config = settings.current()
    if not config.llm_base_url or not config.llm_model:
        return None
    return LLMConfig(
        base_url=config.llm_base_url,
        model=config.llm_model,
        api_key=config.llm_api_key or "not-needed",
        timeout=_timeout(config.llm_timeout),
    )


def _timeout(raw: str) -> float:
    """Seconds from the environment; anything but a positive number means DEFAULT_TIMEOUT
    (a typo there must not break every answer)."""
    try:
        seconds = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return seconds if 0 < seconds < float("inf") else DEFAULT_TIMEOUT


def reachable(config: LLMConfig, timeout: float = REACH_TIMEOUT) -> bool:
    """Whether the endpoint answers GET {base_url}/models (any HTTP answer counts as up)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        config.base_url.rstrip("/") + "/models",
        headers={"Authorization": f"Bearer {config.api_key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def chat_model(config: LLMConfig):
    """A LangChain chat model for the endpoint (no retries: a failure falls back at once)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=config.base_url,
        model=config.model,
        api_key=config.api_key,
        timeout=config.timeout,
        max_retries=0,
        temperature=0,
        streaming=True,
    )


def neutralise(text: str) -> str:
    """Passage text cannot open or close a tag of the prompt."""
    return text.replace("<", "＜").replace(">", "＞")


def render_passages(hits: list[Hit]) -> str:
    """The numbered passages as <passage> elements."""
    return "\n".join(
        f'<passage n="{n}" report="{neutralise(h.chunk.report_title)}" '
        f'section="{neutralise(PATH_SEP.join(h.chunk.section_path))}">\n{neutralise(h.chunk.text)}\n</passage>'
        for n, h in enumerate(hits, 1)
    )


def build_messages(question: str, hits: list[Hit]):
    """System rules + the user message holding the passages and the question."""
    from langchain_core.messages import HumanMessage, SystemMessage

    user = load_prompt("answer_user").format(passages=render_passages(hits), question=neutralise(question))
    return [SystemMessage(content=load_prompt("answer_system")), HumanMessage(content=user)]


def stream_text(messages: list, on_token: Callable[[str], None] | None = None,
                config: LLMConfig | None = None) -> str:
    """Stream the model's reply to `messages` (each piece to on_token); LLMError on any failure
    or on a reply with no Chinese text."""
    config = config or llm_config()
    if config is None:
        raise LLMError("no LLM configured")
    parts: list[str] = []
    try:
        for chunk in chat_model(config).stream(messages):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                parts.append(piece)
                if on_token:
                    on_token(piece)
    except Exception as exc:  # connection, timeout, HTTP status, malformed stream: all one outcome
        raise LLMError(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}") from exc
    text = "".join(parts).strip()
    if not text:
        raise LLMError("empty answer")
    if not CJK.search(text):
        raise LLMError("answer has no Chinese text")
    return text


def generate(question: str, hits: list[Hit], on_token: Callable[[str], None] | None = None,
             config: LLMConfig | None = None) -> str:
    """Stream the model's answer to a question over the passages; LLMError on any failure."""
    return stream_text(build_messages(question, hits), on_token, config)


def _cited(group: str, n_passages: int) -> tuple[list[int], list[str]]:
    """The passage numbers one mark's group names ("1，3" or "2-4"), and a warning for each
    number or range that names no passage."""
    numbers: list[int] = []
    warnings: list[str] = []
    for match in CITED_NUMBER.finditer(group):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if 1 <= first <= last <= n_passages:
            numbers += [n for n in range(first, last + 1) if n not in numbers]
        else:
            warnings.append(f"引用[{match.group(0)}]不对应任何检索段落，已删除")
    return numbers, warnings


def check_citations(text: str, n_passages: int) -> tuple[str, list[int], list[str]]:
    """(text whose valid citations are renumbered [1]..[m] in order of first use, the passage
    numbers they stand for in that order, warnings for dropped marks and uncited claims)."""
    used: list[int] = []
    warnings: list[str] = []

    def keep(match: re.Match[str]) -> str:
        numbers, dropped = _cited(match.group(1), n_passages)
        warnings.extend(dropped)
        used.extend(n for n in numbers if n not in used)
        return "".join(f"[{used.index(n) + 1}]" for n in numbers)

    clean = CITATION.sub(keep, text)
    for sentence in SENTENCE.findall(clean):
        claim = len(CJK.findall(sentence)) >= MIN_CLAIM_CJK and ABSTAIN_PHRASE not in sentence
        # 「主要做了以下工作：」 only heads the cited list that follows
        lead_in = sentence.rstrip().endswith(("：", ":"))
        if claim and not lead_in and not MARK.search(sentence):
            warnings.append(f"未标注出处的句子：{sentence.strip()[:40]}")
    return clean, used, warnings


def obeyed_instruction(text: str, used: list[int], hits: list[Hit]) -> Hit | None:
    """The cited passage whose planted instruction an answer sentence only repeats (None when
    no sentence does): the model obeyed the document instead of answering from it."""
    for sentence in SENTENCE.findall(text):
        for n in re.findall(r"\[(\d{1,3})\]", sentence):
            hit = hits[used[int(n) - 1] - 1]
            if repeats_instruction(sentence, hit.chunk.text):
                return hit
    return None


def llm_answer(question: str, hits: list[Hit], on_token: Callable[[str], None] | None = None,
               config: LLMConfig | None = None) -> Answer:
    """The LLM's answer with citations renumbered 1..m in order of use; LLMError on failure."""
    text, used, warnings = check_citations(generate(question, hits, on_token, config), len(hits))
    citations = [Citation(n=new, hit=hits[old - 1]) for new, old in enumerate(used, 1)]
    if (obeyed := obeyed_instruction(text, used, hits)) is not None:
        raise LLMError(
            f"其回答只是复述了《{obeyed.chunk.report_title}》中疑似写给大模型的指令，未采用"
        )
    if not CJK.search(MARK.sub("", text)):
        raise LLMError("nothing usable left in the answer")
    abstained = ABSTAIN_PHRASE in text and not citations
    if not citations and not abstained:  # an answer that cites nothing cannot be traced
        raise LLMError("the answer cites no retrieved passage")
    return Answer(
        text=text,
        citations=citations,
        abstained=abstained,
        notice="；".join(warnings),
    )
