"""The one error base: every failure a user can cause or meet is an `AssistantError`.

Its message is one line a user can act on; the CLI prints it as `error: <input>: <message>`
and the app shows it as a notice, each caught once at that boundary.
"""

from __future__ import annotations


class AssistantError(Exception):
    """A failure with a one-line message saying what went wrong and what to do next."""

    exit_code = 1  # DESIGN.md: 1 = some input failed, 2 = usage error

    def __init__(self, message: str, subject: object = "") -> None:
        self.message = " ".join(str(message).split())
        self.subject = str(subject)
        super().__init__(self.message)

    def line(self, fallback: object = "") -> str:
        """The CLI's `error: <input>: <why>` line."""
        return f"error: {self.subject or fallback}: {self.message}"
