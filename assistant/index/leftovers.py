"""Temporary files and folders that interrupted writes leave behind, removed when an index is
opened (and the app's upload folder when the app starts).

Writers make their temporaries beside the target and rename them into place; a kill between
the two leaves the temporary. Another process may be writing one right now, so only those
untouched for STALE_S are removed: a live write touches its temporary as it goes."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from pathlib import Path

# Longest a live write leaves its temporary untouched: the derived-index writes take seconds
# (BM25 and FAISS of the samples ~0.1 s; FAISS of 300k vectors ~2 s), an upload is ingested
# within minutes; an hour-old temporary is a killed writer's.
STALE_S = 3600.0

# What the index's writers leave: sparse.save's temporary and old folders, dense.save's
# temporary file, the stamp's temporary (index.py).
INDEX_TEMPORARIES = (".sparse.*.tmp", ".sparse.*.old", "*.faiss.*.tmp", "*.json.tmp")


def clean(directory: str | Path, patterns: Iterable[str], stale_s: float = STALE_S) -> list[Path]:
    """Remove the entries of `directory` matching `patterns` untouched for `stale_s`; the
    removed paths (a missing directory, or an entry that vanished meanwhile, is no error)."""
    folder, now, removed = Path(directory), time.time(), []
    if not folder.is_dir():
        return removed
    for pattern in patterns:
        for path in folder.glob(pattern):
            try:
                if now - path.lstat().st_mtime < stale_s:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed
