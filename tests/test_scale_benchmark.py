"""benchmarks/scale.py still runs (a tiny library; figures are printed, never asserted), and
its synthetic reports parse back as distinct reports whose passages embed distinct texts."""

from __future__ import annotations

import os

from assistant.ingest.chunks import chunk_report, context_text
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.settings import VECTOR_CACHE_ENV
from benchmarks import scale


def test_synthetic_reports_are_distinct_reports(tmp_path):
    pool = scale.real_reports()
    scale.write_library(tmp_path, 12, pool)
    reports = [r for f in sorted(tmp_path.glob("*.txt")) for r in parse_file(load_file(f))]
    assert len(reports) == 12 and len({r.id for r in reports}) == 12
    texts = [context_text(c) for r in reports for c in chunk_report(r)]  # what is embedded
    assert len(texts) > 12 * 5 and len(set(texts)) == len(texts)


def test_scale_figures_of_a_tiny_library(tmp_path, monkeypatch):
    monkeypatch.setenv(VECTOR_CACHE_ENV, os.environ.get(VECTOR_CACHE_ENV, ""))  # restored after
    index, built = scale.build(12, scale.real_reports(), scale.stand_in_embedder(), tmp_path)
    figures = {**built, **scale.measure(index, 12, ["县审计局存在哪些问题？"], tmp_path, None)}
    assert figures["reports"] == 12 and figures["passages"] > 12
    assert 0 < figures["search_p50_ms"] <= figures["search_p95_ms"]
    assert figures["index_mb"] > 0 and figures["ratio"] > 0
    assert 0 < figures["app_loaded_mb"] <= figures["app_mb"]
