"""Accounts and department libraries: who may read and write which library.

Users have a role (管理员 manages users and libraries; 编辑 adds and removes reports; 读者 asks
and outlines) and grants of libraries; a caller reads only the libraries granted to it, and an
编辑 or 管理员 writes only those. Kept in the library's own store (either backend); with no
account made, everything stays the single-user library it was.
"""

from assistant.accounts.registry import (
    AccountError,
    Shelf,
    User,
    UserRole,
    add_library,
    add_user,
    authenticate,
    caller_index,
    grant,
    has_accounts,
    libraries,
    remove_user,
    revoke,
    user,
    users,
)

__all__ = ["AccountError", "Shelf", "User", "UserRole", "add_library", "add_user", "authenticate",
           "caller_index", "grant", "has_accounts", "libraries", "remove_user", "revoke",
           "user", "users"]
