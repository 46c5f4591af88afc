"""The account commands of `report-assistant`: user (add, list, remove) and library (add,
list, grant, revoke)."""

from __future__ import annotations

import argparse
import getpass
import sys

from assistant.cli.caller import check_manager
from assistant.cli.registry import JSON_FLAG, arg, command, print_json, say, table


def read_password(name: str) -> str:
    """A new password: asked twice at a terminal, else the first line of stdin (scripts)."""
    from assistant.accounts import AccountError

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"用户 {name} 的密码：")
    if getpass.getpass("再输入一次：") != first:
        raise AccountError("两次输入的密码不一致")
    return first


@command("user", "manage accounts: add NAME --role 读者|编辑|管理员, list, remove NAME",
         arg("action", choices=["add", "list", "remove"]),
         arg("name", nargs="?", metavar="NAME"),
         arg("--role", default="读者", help="读者 (default), 编辑 or 管理员"),
         JSON_FLAG)
def user_cmd(args: argparse.Namespace) -> int:
    """Add (password from a prompt or stdin), list or remove accounts; 2 without a NAME."""
    from assistant import accounts
    from assistant.index.index import Index

    index = Index(args.index)
    check_manager(args, index)
    if args.action == "list":
        rows = accounts.users(index.store)
        if args.json:
            print_json([{"name": u.name, "role": u.role.value, "libraries": sorted(u.libraries)}
                        for u in rows])
        else:
            say(table(["user", "role", "libraries"],
                      [[u.name, u.role.value, "、".join(sorted(u.libraries))] for u in rows]))
        return 0
    if not args.name:
        say(f"user {args.action} needs a NAME")
        return 2
    if args.action == "add":
        made = accounts.add_user(index.store, args.name, args.role, read_password(args.name))
        say(f"added {made.role.value} {made.name}")
    else:
        accounts.remove_user(index.store, args.name)
        say(f"removed {args.name}")
    return 0


@command("library", "manage libraries: add NAME, list, grant LIBRARY USER, revoke LIBRARY USER",
         arg("action", choices=["add", "list", "grant", "revoke"]),
         arg("names", nargs="*", metavar="NAME"),
         JSON_FLAG)
def library_cmd(args: argparse.Namespace) -> int:
    """Make libraries, list them (with their reports and readers), grant and revoke them."""
    from assistant import accounts
    from assistant.index.index import Index

    index = Index(args.index)
    check_manager(args, index)
    wanted = {"add": 1, "grant": 2, "revoke": 2, "list": 0}[args.action]
    if len(args.names) != wanted:
        say(f"library {args.action} takes {wanted} name(s)")
        return 2
    if args.action == "add":
        accounts.add_library(index.store, args.names[0])
        say(f"added library {args.names[0]}")
    elif args.action in ("grant", "revoke"):
        getattr(accounts, args.action)(index.store, *args.names)
        done = {"grant": "granted", "revoke": "revoked"}[args.action]
        say(f"{done} library {args.names[0]} to {args.names[1]}" if args.action == "grant"
            else f"{done} library {args.names[0]} from {args.names[1]}")
    else:
        shelves = accounts.libraries(index.store)
        if args.json:
            print_json([{"name": s.name, "reports": s.reports, "users": list(s.users)} for s in shelves])
        else:
            say(table(["library", "reports", "users"],
                      [[s.name, s.reports, "、".join(s.users)] for s in shelves]))
    return 0
