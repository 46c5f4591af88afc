"""BM25 terms are cut once per text and terms version, then read back as cut."""

from __future__ import annotations

from assistant.index import termcache
from assistant.index.termcache import TermCache
from assistant.index.tokenize import tokenize

TEXTS = ["全年排查窨井盖1200处，更换破损窨井盖35个。", "", "乡村振兴 covid-19 防控", "全年排查窨井盖1200处，更换破损窨井盖35个。"]


def test_terms_are_cut_once_and_read_back_as_cut(tmp_path, monkeypatch):
    cache = TermCache(tmp_path / "cache.sqlite")
    assert cache.terms(TEXTS) == [tokenize(t) for t in TEXTS]
    monkeypatch.setattr(termcache, "tokenize", lambda text: ["不应再切分"])
    again = TermCache(tmp_path / "cache.sqlite")  # another process: from the file
    assert again.terms(TEXTS) == [tokenize(t) for t in TEXTS]
    monkeypatch.setattr(termcache, "terms_version", lambda: "another dictionary")
    assert again.terms(TEXTS[:1]) == [["不应再切分"]]  # another version is cut again
