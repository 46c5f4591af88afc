"""The `report-assistant` command line: each command parses, makes one core call, prints.

`registry` holds @command and the output helpers; `library`, `query`, `outline` and `serve`
hold one command group each; `main` builds the parser from what they registered.
"""

from assistant.cli.main import main

__all__ = ["main"]
