"""The lexicon: every vocabulary the heuristics use, as data files in this folder, read here.

One line format for every file (see README.md): `#` starts a comment line, blank lines are
skipped, and each other line is one entry — a word, a regular expression, a group of words
separated by spaces, or `key<TAB>word|word|…`. A folder named by REPORT_ASSISTANT_LEXICON
(settings) may hold files of the same names that replace the shipped ones at run time.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path

from assistant import settings

# The files whose contents decide how a file is parsed into reports, sections and chunks:
# a change to any of them re-parses stored files on the next ingest (ingest.pipeline).
PARSING_FILES = ("noise_patterns.txt", "page_chrome.txt", "page_tail.txt", "inline_noise.txt",
                 "front_matter.txt", "appendix.txt", "roles.txt", "generic_title.txt",
                 "departments.txt", "regions.txt", "page_fields.txt")
# The files that decide BM25 terms: a change rebuilds the sparse index (index.index).
TERM_FILES = ("user_dict.txt", "stopwords.txt")


def _path(name: str) -> Path | None:
    """The user's override of lexicon file `name`, when the settings name a lexicon folder."""
    folder = settings.current().lexicon_dir
    if folder and (Path(folder) / name).is_file():
        return Path(folder) / name
    return None


def raw(name: str) -> bytes:
    """The bytes of lexicon file `name` (a user override first, else the shipped file)."""
    override = _path(name)
    if override is not None:
        return override.read_bytes()
    shipped = resources.files(__name__).joinpath(name)
    return shipped.read_bytes() if shipped.is_file() else b""


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of lexicon file `name`: its non-blank, non-comment lines, stripped."""
    rows = (row.strip() for row in raw(name).decode("utf-8").splitlines())
    return tuple(row for row in rows if row and not row.startswith("#"))


@cache
def table(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`key<TAB>a|b|c` entries as (key, (a, b, c)), in file order."""
    out = []
    for row in entries(name):
        key, _, words = row.partition("\t")
        out.append((key.strip(), tuple(w for w in words.strip().split("|") if w)))
    return tuple(out)


@cache
def patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """Each entry of lexicon file `name` compiled as a regular expression."""
    return tuple(re.compile(row) for row in entries(name))


@cache
def keyed_patterns(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """`key<TAB>a|b|c` entries as (key, one pattern matching any of a, b, c)."""
    return tuple((key, re.compile("|".join(words))) for key, words in table(name))


@cache
def groups(name: str) -> tuple[tuple[str, ...], ...]:
    """Entries of space-separated words, each a group."""
    return tuple(tuple(row.split()) for row in entries(name))


def words(name: str, key: str) -> tuple[str, ...]:
    """The words of `key` in a `key<TAB>a|b|c` file (empty when the key is absent)."""
    return next((ws for k, ws in table(name) if k == key), ())


def fingerprint(names: tuple[str, ...]) -> str:
    """A short hash of these lexicon files' contents: what was built under other contents is
    rebuilt."""
    digest = hashlib.sha256(b"\0".join(raw(n) for n in names))
    return digest.hexdigest()[:12]


def clear() -> None:
    """Forget what was read (after the lexicon folder or a file changed at run time)."""
    for reader in (entries, table, patterns, keyed_patterns, groups):
        reader.cache_clear()
