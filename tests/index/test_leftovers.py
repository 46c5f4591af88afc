"""Temporaries of interrupted writes are removed when an index is opened; a live one (another
process writing right now) is kept, and so is everything else in the folder."""

from __future__ import annotations

import os
import time

from assistant.index.index import Index
from assistant.index.leftovers import STALE_S, clean


def age(path, seconds: float) -> None:
    """Make `path` look untouched for `seconds`."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_opening_an_index_removes_stale_temporaries_and_keeps_live_ones(tmp_path):
    folder = tmp_path / "index"
    folder.mkdir()
    stale_sparse = folder / ".sparse.k2j4_x.tmp"
    stale_sparse.mkdir()
    (stale_sparse / "vocab.index.json").write_text("{}", encoding="utf-8")
    age(stale_sparse, STALE_S + 60)
    stale_dense = folder / "dense.faiss.4242.140000.tmp"
    stale_dense.write_bytes(b"half a faiss index")
    age(stale_dense, STALE_S + 60)
    live_sparse = folder / ".sparse.live01.tmp"  # another process is writing it now
    live_sparse.mkdir()
    keep = folder / "notes.tmp"  # not a temporary any writer of ours makes
    keep.write_text("x", encoding="utf-8")
    age(keep, STALE_S + 60)
    Index(folder).close()
    assert not stale_sparse.exists() and not stale_dense.exists()
    assert live_sparse.is_dir() and keep.exists()


def test_clean_of_the_upload_folder_takes_old_entries_only(tmp_path):
    old, new = tmp_path / "0f3a", tmp_path / "9b1c"
    for folder in (old, new):
        folder.mkdir()
        (folder / "县园林局总结.txt").write_text("x", encoding="utf-8")
    age(old, STALE_S * 2)
    assert clean(tmp_path, ["*"]) == [old] and new.is_dir()
    assert clean(tmp_path / "missing", ["*"]) == []
