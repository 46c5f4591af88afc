"""The command registry and output helpers every command module uses: @command, arg,
print_json, error, display-width tables, the progress bar."""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
Arg = tuple[tuple[str, ...], dict]



@dataclass
class Command:
    """A subcommand: its help line, its arguments and the function that runs it."""

    name: str
    help: str
    handler: Handler
    args: tuple[Arg, ...]


COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **kwargs: object) -> Arg:
    """An argument spec, passed as-is to argparse's add_argument."""
    return flags, kwargs


JSON_FLAG = arg("--json", action="store_true", help="print JSON (UTF-8, not escaped)")


def command(name: str, help: str, *args: Arg) -> Callable[[Handler], Handler]:
    """Register the decorated handler as subcommand `name` with the given arguments."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(name, help, handler, args)
        return handler

    return register


# -- output helpers --------------------------------------------------------------------------
# What a document's text must not send to a terminal: escape sequences (CSI ESC [ … final byte,
# such as ESC [2J clearing the screen; OSC ESC ] … BEL or ESC \, such as ESC ]0;title BEL
# setting the window title; other ESC sequences) and the remaining C0/C1 control characters.
# Newline and tab stay: they are the output's own layout.
TERMINAL_CONTROL = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]",
    re.DOTALL,
)


def printable(text: object) -> str:
    """`text` with terminal escape sequences and control characters removed (text output of
    document content: a document must not retitle the window or clear the screen)."""
    return TERMINAL_CONTROL.sub("", str(text))


def say(text: object = "") -> None:
    """Print a line of text output, made printable."""
    print(printable(text))


def print_json(obj: object) -> None:
    """JSON on stdout, Chinese kept readable (ensure_ascii=False)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def error(what: object, why: object) -> None:
    """One `error: <file or input>: <why>` line on stderr."""
    reason = " ".join(printable(why).split())
    print(f"error: {printable(what)}: {reason}", file=sys.stderr)


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` display columns, with an ellipsis when cut."""
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table aligned by display width."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in cells]
    return "\n".join(lines)


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies under it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


class ProgressBar:
    """A tqdm bar on stderr, created on the first callback; inert when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bar = enabled, None

    def __call__(self, done: float, total: int, path: str, detail: str = "") -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="file", leave=False)
        name = Path(path).name
        self.bar.set_postfix_str(f"{name}（{detail}）" if detail else name, refresh=bool(detail))
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal (it is not left behind)."""
        if self.bar is not None:
            self.bar.close()


class EmbedBar:
    """The embedding status on stderr: passages still waiting and the time left at the rate
    measured so far (tqdm's); inert when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bar = enabled, None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="段", leave=False,
                            bar_format="{desc}，剩余约 {remaining}")
        self.bar.set_description_str(f"还有 {total - done} 段等待向量化（已可按关键词检索）",
                                     refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal."""
        if self.bar is not None:
            self.bar.close()

