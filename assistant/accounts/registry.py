"""Users, libraries and grants, kept in the library's store (SQLite or PostgreSQL: the same
statements), and the view of the index a user may see (assistant/index/index.py CallerIndex).
Account changes do not bump the store's generation: search structures do not depend on them."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import StrEnum

from assistant.accounts.passwords import hash_password, verify_password
from assistant.errors import AssistantError
from assistant.index.index import CallerIndex, Index
from assistant.index.store import Store

# A user or library name: what a person types at a login or in a command; no spaces, quotes
# or control characters, at most 40 characters (a department's full name is ~15).
NAME = re.compile(r"[^\s'\"\\/:\x00-\x1f\x7f]{1,40}")


class UserRole(StrEnum):
    """What a user may do; the libraries it may do it in are its grants."""

    ADMIN = "管理员"  # manages users, libraries and grants; adds and removes reports
    EDITOR = "编辑"  # adds and removes reports in its libraries; asks and outlines
    READER = "读者"  # asks and outlines


WRITERS = (UserRole.ADMIN, UserRole.EDITOR)
MIN_PASSWORD = 8  # characters: each guess costs a login attempt, and logins are throttled


class AccountError(AssistantError):
    """An account or library command that cannot be done (the message says why)."""


@dataclass(frozen=True)
class User:
    """An account: its name, role and the libraries granted to it."""

    name: str
    role: UserRole
    libraries: frozenset[str]

    @property
    def writable(self) -> frozenset[str]:
        """The libraries it may add reports to and remove them from."""
        return self.libraries if self.role in WRITERS else frozenset()

    @property
    def manages(self) -> bool:
        return self.role == UserRole.ADMIN


def _name(kind: str, name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise AccountError(f"{kind}名“{name}”不可用：1–40 个字符，不含空格、引号、斜杠和冒号")
    return name


def has_accounts(store: Store) -> bool:
    """Whether any account exists (else the app and commands run as the single user)."""
    return store.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def users(store: Store) -> list[User]:
    """Every account, by name."""
    rows = store.conn.execute("SELECT name, role FROM users ORDER BY name").fetchall()
    granted: dict[str, set[str]] = {}
    for library, name in store.conn.execute("SELECT library, user_name FROM grants"):
        granted.setdefault(name, set()).add(library)
    return [User(name, UserRole(role), frozenset(granted.get(name, ()))) for name, role in rows]


def user(store: Store, name: str) -> User:
    """One account (AccountError when there is none of that name)."""
    row = store.conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise AccountError(f"没有用户“{name}”")
    rows = store.conn.execute("SELECT library FROM grants WHERE user_name = ?", (name,))
    return User(name, UserRole(row[0]), frozenset(r[0] for r in rows))


def add_user(store: Store, name: str, role: str, password: str) -> User:
    """Create an account; only the password's scrypt hash is stored."""
    name = _name("用户", name)
    try:
        role = UserRole(role)
    except ValueError:
        raise AccountError(f"角色“{role}”不存在：应为 {' / '.join(UserRole)}") from None
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    with store.transaction(bump=False) as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"用户“{name}”已存在")
        conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)",
                     (name, role.value, hash_password(password), time.time()))
    return user(store, name)


def remove_user(store: Store, name: str) -> None:
    """Delete an account and its grants; the last 管理员 stays while other accounts remain."""
    target = user(store, name)
    with store.transaction(bump=False) as conn:
        if target.manages:
            admins = conn.execute("SELECT COUNT(*) FROM users WHERE role = ?",
                                  (UserRole.ADMIN.value,)).fetchone()[0]
            others = conn.execute("SELECT COUNT(*) FROM users WHERE name <> ?", (name,)).fetchone()[0]
            if admins == 1 and others:
                raise AccountError(f"“{name}”是最后一个管理员：请先设另一个管理员再删除")
        conn.execute("DELETE FROM grants WHERE user_name = ?", (name,))
        conn.execute("DELETE FROM users WHERE name = ?", (name,))


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The account when `password` is its password, else None."""
    row = store.conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    if row is None or not verify_password(password, row[0]):
        return None
    return user(store, name)


@dataclass(frozen=True)
class Shelf:
    """A library as its lists show it: its name, how many reports it holds, who may read it."""

    name: str
    reports: int
    users: tuple[str, ...]


def libraries(store: Store) -> list[Shelf]:
    """Every library with its number of reports and its users (by name), the default first."""
    counts = dict(store.conn.execute("SELECT library, COUNT(*) FROM reports GROUP BY library"))
    readers: dict[str, list[str]] = {}
    for library, name in store.conn.execute("SELECT library, user_name FROM grants ORDER BY user_name"):
        readers.setdefault(library, []).append(name)
    return [Shelf(name, counts.get(name, 0), tuple(readers.get(name, ())))
            for name in store.library_names()]


def add_library(store: Store, name: str) -> None:
    """Make a library (reports go into one with `ingest --library`)."""
    name = _name("资料库", name)
    with store.transaction(bump=False) as conn:
        if conn.execute("SELECT 1 FROM libraries WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"资料库“{name}”已存在")
        conn.execute("INSERT INTO libraries VALUES (?, ?)", (name, time.time()))


def grant(store: Store, library: str, name: str) -> None:
    """Let a user read the library (and, as 编辑 or 管理员, add and remove its reports)."""
    _existing(store, library, name)
    with store.transaction(bump=False) as conn:
        conn.execute("INSERT INTO grants VALUES (?, ?) ON CONFLICT DO NOTHING", (library, name))


def revoke(store: Store, library: str, name: str) -> None:
    """Take a library away from a user: its next question no longer sees it."""
    _existing(store, library, name)
    with store.transaction(bump=False) as conn:
        conn.execute("DELETE FROM grants WHERE library = ? AND user_name = ?", (library, name))


def _existing(store: Store, library: str, name: str) -> None:
    if library not in store.library_names():
        raise AccountError(f"资料库“{library}”不存在")
    user(store, name)


def caller_index(index: Index, name: str) -> CallerIndex:
    """The index as user `name` sees it now (its grants read afresh: a revoked library is gone
    from the next question on)."""
    account = user(index.store, name)
    return index.as_caller(account.libraries, account.writable)

