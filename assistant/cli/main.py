"""The `report-assistant` entry point: global options, then one subparser per registered command.

Each command module registers its commands with @command (assistant.cli.registry) when it is
imported here; no command module imports this one.
"""

from __future__ import annotations

import argparse
import os
import sys

import assistant.cli.accounts  # noqa: F401  (registers user, library)
import assistant.cli.admin  # noqa: F401  (registers migrate)
import assistant.cli.library  # noqa: F401  (registers ingest, reports, show, remove)
import assistant.cli.outline  # noqa: F401  (registers outline)
import assistant.cli.query  # noqa: F401  (registers search, ask, eval)
import assistant.cli.serve  # noqa: F401  (registers serve)
from assistant import settings
from assistant.cli.registry import COMMANDS, error
from assistant.errors import AssistantError
from assistant.settings import DEFAULT_INDEX, INDEX_ENV

# What an error line names when the failure has no file of its own: the question or request.
SUBJECTS = {"search": "question", "ask": "question", "outline": "outline"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: global --index, then one subparser per registered command."""
    index_help = f"index directory (env {INDEX_ENV}, default ./{DEFAULT_INDEX})"
    parser = argparse.ArgumentParser(
        prog="report-assistant",
        description="Retrieval assistant over Chinese work-report examples.")
    user_help = "run as this account: only its libraries (for scripts; the app has a login)"
    parser.add_argument("--index", metavar="DIR", help=index_help,
                        default=str(settings.current().index_dir))
    parser.add_argument("--user", metavar="NAME", help=user_help, default=None)
    # Also accepted after the command name; SUPPRESS keeps the global value when absent.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help=index_help, default=argparse.SUPPRESS)
    common.add_argument("--user", metavar="NAME", help=user_help, default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS.values():
        sub = subparsers.add_parser(cmd.name, help=cmd.help, description=cmd.help,
                                    parents=[common])
        for flags, kwargs in cmd.args:
            sub.add_argument(*flags, **kwargs)
        sub.set_defaults(handler=cmd.handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 some inputs failed, 2 usage)."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except AssistantError as exc:  # the one place a user-facing failure becomes its line
        error(exc.subject or SUBJECTS.get(args.command, args.command), exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        error(args.command, "interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
