"""Which user a request of the app comes from, and the index as that user sees it. Imports no
Gradio (the launcher uses it before Gradio is set up)."""

from __future__ import annotations

from typing import Any

from assistant import accounts
from assistant.accounts import AccountError
from assistant.index.index import CallerIndex, Index

NOBODY: frozenset[str] = frozenset()
Request = Any  # a gr.Request, or anything with the `username` Gradio's login set (or None)


class Viewer:
    """The index as the user of one request sees it: the whole library while it has no
    account (the single-user mode), else the libraries granted to the logged-in user, and no
    report at all for a request without a known user."""

    def __init__(self, index: Index) -> None:
        self.index = index

    @property
    def accounts(self) -> bool:
        """Whether the library has accounts (read afresh: one may be made while serving)."""
        return accounts.has_accounts(self.index.store)

    def user(self, request: Request) -> accounts.User | None:
        """The logged-in account of a request (None: no login, or an account since removed)."""
        name = getattr(request, "username", None) if request is not None else None
        try:
            return accounts.user(self.index.store, name) if name else None
        except AccountError:
            return None

    def __call__(self, request: Request) -> Index | CallerIndex:
        if not self.accounts:
            return self.index
        account = self.user(request)
        if account is None:
            return self.index.as_caller(NOBODY, NOBODY)
        return self.index.as_caller(account.libraries, account.writable)
