"""Who runs a command: the whole library, or the user named by the global --user (its
libraries only; for scripts — the app has its own login). A user name with no account is an
error, never the whole library."""

from __future__ import annotations

import argparse

from assistant.accounts import AccountError, caller_index, user
from assistant.index.index import CallerIndex, Index


def index_for(args: argparse.Namespace) -> Index | CallerIndex:
    """The index as the command's caller sees it."""
    index = Index(args.index)
    name = getattr(args, "user", None)
    return caller_index(index, name) if name else index


def check_manager(args: argparse.Namespace, index: Index) -> None:
    """Account and library commands run as --user need a 管理员 (without --user they are the
    operator's, who holds the library's files)."""
    name = getattr(args, "user", None)
    if name and not user(index.store, name).manages:
        raise AccountError(f"用户“{name}”不是管理员：只有管理员能管理用户和资料库")
