"""Test configuration: one shared vector cache, and the fixture plugins of tests/fixtures/."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# One embedding cache for every index the tests build: the corpus is embedded once a session.
os.environ.setdefault(
    "REPORT_ASSISTANT_VECTOR_CACHE",
    str(Path(tempfile.gettempdir()) / "report-assistant-test-vectors.sqlite"),
)

pytest_plugins = [
    "tests.fixtures.corpus",
    "tests.fixtures.llm",
    "tests.fixtures.browser",
    "tests.fixtures.network",
    "tests.fixtures.postgres",
]
