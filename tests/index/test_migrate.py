"""`report-assistant migrate --to postgresql://…`: the embedded sample library copied into a
real PostgreSQL loses nothing (counts, reports whole, vectors, sampled searches), and a second
run copies nothing again."""

from __future__ import annotations

import json

import numpy as np
import psycopg

from assistant.cli import main
from assistant.index.index import Index
from assistant.index.records import report_to_dict
from assistant.maintenance.migrate import SAMPLE_SEARCHES


def migrate_json(capsys, index_dir, url) -> tuple[int, dict]:
    code = main(["--index", str(index_dir), "migrate", "--to", url, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_migration_loses_nothing_and_resumes(sample_index, pg_url, capsys):
    code, result = migrate_json(capsys, sample_index.dir, pg_url)
    assert code == 0 and result["lossless"]
    assert result["source"] == result["target"]
    assert result["source"]["reports"] == 20 and result["source"]["vectors"] == result["source"]["chunks"]
    assert result["searches"] == result["same_top"] == SAMPLE_SEARCHES

    copy = Index(sample_index.dir, database_url=pg_url)
    for summary in list(sample_index.derived().reports.values())[:5]:  # section trees, chrome
        rid = summary.report.id
        assert report_to_dict(copy.store.get_report(rid)) == \
            report_to_dict(sample_index.store.get_report(rid))
    chunk = sample_index.derived().chunks[7]
    with psycopg.connect(pg_url) as conn:
        stored = conn.execute("SELECT embedding::text FROM chunk_vectors WHERE chunk_id = %s",
                              (chunk.id,)).fetchone()[0]
    expected = sample_index.embed_chunks([chunk])[0]
    assert np.allclose(np.array(json.loads(stored), dtype=np.float32), expected, atol=1e-7)
    copy.close()

    code, again = migrate_json(capsys, sample_index.dir, pg_url)
    assert code == 0 and again["copied"] == [] and len(again["skipped"]) == len(result["copied"])


def test_migrating_an_empty_directory_says_so(tmp_path, pg_url, capsys):
    assert main(["--index", str(tmp_path), "migrate", "--to", pg_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "没有资料库" in err


def test_migrate_refuses_a_url_of_another_engine(tmp_path, capsys):
    assert main(["--index", str(tmp_path), "migrate", "--to", "sqlite:///x.db"]) == 2
    assert "postgresql://" in capsys.readouterr().err
