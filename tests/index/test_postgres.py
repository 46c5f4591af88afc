"""The PostgreSQL + pgvector backend on a real server: the retrieval tests and figures of the
embedded backend, two processes sharing one library, the schema's migrations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import psycopg
import pytest

import tests.answer.test_listing as listing_tests
import tests.answer.test_retrieve as retrieve_tests
from assistant import accounts
from assistant.answer.evaluate import load_qa, run_eval
from assistant.answer.query import Filters
from assistant.answer.retrieve import search
from assistant.index import pgschema, pgsearch
from assistant.index.backend import BackendError, open_store
from assistant.index.index import Index
from assistant.index.pgsearch import Within
from assistant.ingest.pipeline import ingest
from assistant.models import Role
from assistant.settings import DATABASE_URL_ENV
from tests.fixtures.paths import DEV_QA, ROOT

# The retrieval tests of tests/answer/test_retrieve.py that use the sample index, run again on
# the sample index stored in PostgreSQL.
ON_SAMPLE_INDEX = [
    "test_fact_question_finds_the_passage",
    "test_section_question_returns_that_section_first",
    "test_many_unit_question_spreads_over_reports",
    "test_hard_filters_restrict_results",
    "test_inferred_filters_reorder_toward_the_question",
    "test_party_redaction_is_searchable_as_party",
    "test_synonyms_expand_the_keyword_query",
    "test_langchain_retriever_returns_documents_with_citation_metadata",
]
# Figures the two backends must share on the sample dev set (issue 15: within 0.01).
TOLERANCE = 0.01


@pytest.mark.parametrize("name", ON_SAMPLE_INDEX)
def test_retrieval_tests_pass_on_postgresql(pg_sample_index, name):
    getattr(retrieve_tests, name)(pg_sample_index)


@pytest.mark.parametrize("name", [
    "test_every_report_that_mentions_the_subject_is_listed_once",
    "test_a_quoted_term_is_matched_as_written_across_the_library",
])
def test_list_answers_are_the_same_on_postgresql(pg_sample_index, name):
    getattr(listing_tests, name)(pg_sample_index)


# Term statistics that disagree with the postings: a df not their count, or a largest tf or
# smallest n_terms / tf that some posting passes (the bound would prune a chunk that places).
STATS_WRONG = """
SELECT term, library, s.df, p.df FROM term_stats s FULL JOIN (
    SELECT t.term, r.library, COUNT(*) AS df, MAX(t.tf) AS max_tf,
           MIN(t.n_terms::float8 / t.tf) AS min_ratio
    FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id JOIN reports r ON r.id = c.report_id
    GROUP BY t.term, r.library) p USING (term, library)
WHERE COALESCE(s.df, 0) <> COALESCE(p.df, 0) OR s.max_tf < p.max_tf OR s.min_ratio > p.min_ratio
"""


def test_remove_drops_a_report_from_the_database_and_its_search(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    retrieve_tests.test_remove_drops_report_from_store_faiss_and_bm25(tmp_path)
    with psycopg.connect(pg_url) as conn:  # the removed report's vectors went with its chunks
        orphans = conn.execute("SELECT COUNT(*) FROM chunk_vectors v WHERE NOT EXISTS "
                               "(SELECT 1 FROM chunks c WHERE c.id = v.chunk_id)").fetchone()[0]
        assert conn.execute(STATS_WRONG).fetchall() == []  # and its terms' counts
    assert orphans == 0


def test_term_statistics_follow_every_chunk_write(tmp_path, pg_url):
    """Ingest, a report's chunks replaced (a re-chunk) and a removal keep each term's df, tf and
    ratio as the postings have them, per library."""
    index = Index(tmp_path / "idx", database_url=pg_url)
    ingest([ROOT / "assistant" / "samples"], index)
    accounts.add_library(index.store, "办公室")
    ingest([ROOT / "assistant" / "samples"], index, library="办公室")
    store = index.store
    first, second = [r.report.id for r in store.list_reports(libraries={"办公室"})][:2]
    store.replace_chunks(first, store.chunks(first)[1:])
    store.remove([second])
    with psycopg.connect(pg_url) as conn:
        assert conn.execute(STATS_WRONG).fetchall() == []
        held = conn.execute("SELECT COUNT(*) FROM term_stats WHERE df > 0").fetchone()[0]
    assert held > 100
    index.close()


def test_dev_set_figures_match_the_embedded_backend(sample_index, pg_sample_index):
    items = load_qa(DEV_QA)
    embedded, engine = run_eval(sample_index, items), run_eval(pg_sample_index, items)
    for key in ("recall@k", "mrr@10"):
        assert abs(embedded[key] - engine[key]) <= TOLERANCE, (key, embedded[key], engine[key])


@pytest.mark.parametrize("reads", [pgsearch.LOOKUPS_PER_READ, 0, 10**9],
                         ids=["by-cost", "lookups-once-exact", "every-term-read"])
def test_keyword_and_vector_search_rank_as_bm25s_and_faiss(sample_index, pg_sample_index,
                                                          reads, monkeypatch):
    from assistant.index.tokenize import tokenize

    monkeypatch.setattr(pgsearch, "LOOKUPS_PER_READ", reads)
    ours, theirs = sample_index.derived(), pg_sample_index.derived()
    assert [c.id for c in ours.chunks] == [c.id for c in theirs.chunks]
    for question, k in [("县审计局内部审计独立性", 20), ("燃气安全隐患排查整治", 20),
                        ("残疾大学生救助", 20), ("工作", 3), ("推进工作落实", 1)]:
        tokens = tokenize(question)
        a, b = ours.sparse.search(tokens, k), theirs.sparse.search(tokens, k)
        assert a[1].tolist() == b[1].tolist()
        assert a[0] == pytest.approx(b[0], rel=1e-4)
        some = [*a[1].tolist(), 0, len(ours.chunks) - 1]
        assert (ours.sparse.term_coverage(tokens, some)
                == pytest.approx(theirs.sparse.term_coverage(tokens, some), rel=1e-5))
        vec = sample_index.embedder.embed_query_vec(question)
        assert ours.dense.search(vec, 20)[1].tolist() == theirs.dense.search(vec, 20)[1].tolist()


def test_postings_find_their_positions_by_text_ids_too(sample_index, pg_sample_index, monkeypatch):
    """Chunk ids of another shape than ingest's 16 hex digits go as text: the same ranking."""
    from assistant.index.tokenize import tokenize

    ours, theirs = sample_index.derived(), pg_sample_index.derived()
    monkeypatch.setattr(theirs.sparse.positions, "keys", None)
    for question in ("县审计局内部审计独立性", "推进工作落实"):
        tokens = tokenize(question)
        assert ours.sparse.search(tokens, 20)[1].tolist() == theirs.sparse.search(tokens, 20)[1].tolist()


# A second app process: opens the library, answers "ready", then searches when told to.
SEARCHER = textwrap.dedent("""
    import json, sys
    from assistant.answer.retrieve import search
    from assistant.index.index import Index
    index = Index(sys.argv[1])
    before = [h.chunk.report_title for h in search(index, "古树名木挂牌保护", k=3)]
    print(json.dumps(before), flush=True)
    sys.stdin.readline()
    after = [h.chunk.report_title for h in search(index, "古树名木挂牌保护", k=3)]
    print(json.dumps(after), flush=True)
""")


def test_a_report_ingested_by_one_process_is_found_by_another(tmp_path, pg_url):
    env = {**os.environ, DATABASE_URL_ENV: pg_url, "PYTHONPATH": str(ROOT)}
    seed = ROOT / "assistant" / "samples"
    first = subprocess.run([sys.executable, "-m", "assistant", "--index", str(tmp_path / "a"),
                            "ingest", str(seed)], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    searcher = subprocess.Popen([sys.executable, "-c", SEARCHER, str(tmp_path / "b")], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        before = json.loads(searcher.stdout.readline())
        assert not any("县林业局" in t for t in before)
        new = tmp_path / "forest.txt"
        new.write_text("县林业局2025年工作总结\n一、主要工作\n全年完成古树名木挂牌保护312株，"
                       "建立古树名木电子档案，巡护责任落实到人。\n二、下一步打算\n"
                       "持续推进古树名木挂牌保护和森林防火。\n", encoding="utf-8")
        second = subprocess.run([sys.executable, "-m", "assistant", "--index",
                                 str(tmp_path / "a"), "ingest", str(new)],
                                env=env, capture_output=True, text=True)
        assert second.returncode == 0, second.stderr
        searcher.stdin.write("\n")
        searcher.stdin.flush()
        after = json.loads(searcher.stdout.readline())
    finally:
        searcher.kill()
        searcher.wait()
    assert after and after[0].startswith("县林业局")


def test_migrations_run_once_and_are_recorded(pg_url):
    with open_store("unused", pg_url) as store:
        assert store.remote and store.generation == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pgschema.applied(conn) == set(pgschema.MIGRATIONS)
        assert pgschema.migrate(conn) == []  # a second server applies nothing


def test_a_database_without_pgvector_says_the_setup_command(pg_server):
    name = "t_noext"
    pg_server.psql(f"CREATE ROLE plain LOGIN; CREATE DATABASE {name} OWNER plain;")
    url = pg_server.get_uri(name).replace("postgres:@", "plain:@", 1)
    with pytest.raises(pgschema.SchemaError, match="CREATE EXTENSION vector"):
        open_store("unused", url)


def test_a_url_of_another_engine_is_refused(tmp_path):
    with pytest.raises(BackendError, match="postgresql://"):
        Index(tmp_path, database_url="mysql://localhost/db")


def test_ingest_then_search_through_the_settings(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    index = Index(tmp_path / "ix")
    ingest([ROOT / "assistant" / "samples" / "000_4110dbba3c212674.txt"], index)
    assert index.store.remote and not (tmp_path / "ix" / "dense.faiss").exists()
    assert search(index, "财政收支", k=3)


def test_a_dropped_connection_is_replaced(tmp_path, pg_url, pg_server):
    index = Index(tmp_path, database_url=pg_url)
    ingest([ROOT / "assistant" / "samples" / "000_4110dbba3c212674.txt"], index)
    pid = index.store.conn.raw.info.backend_pid
    pg_server.psql(f"SELECT pg_terminate_backend({pid});")  # as a database restart would
    with pytest.raises(psycopg.OperationalError):
        index.store.counts()
    assert index.store.counts()["files"] == 1  # the next call reconnects
    index.close()


@pytest.mark.parametrize("filters", [
    Filters(level=("县",)), Filters(department=("民政", "审计")), Filters(role=(Role.PROBLEM,)),
    Filters(period=("上半年",)), Filters(level=("镇", "乡"), role=(Role.PLAN,), kind=("计划",)),
])
def test_filters_are_sql_applied_as_the_embedded_backend_applies_them(
        sample_index, pg_sample_index, filters):
    assert isinstance(pg_sample_index.derived().filters.restrict(filters), Within)  # pushed down
    question = "工作成效和存在的问题"
    embedded = [h.chunk.id for h in search(sample_index, question, 10, filters)]
    engine = [h.chunk.id for h in search(pg_sample_index, question, 10, filters)]
    assert embedded == engine and embedded


def test_a_library_of_schema_4_gets_its_postings_from_its_passages(pg_url, monkeypatch):
    """A database made before the postings table (migration 5) searches as a new one."""
    older = {v: sql for v, sql in pgschema.MIGRATIONS.items() if v < 5}
    monkeypatch.setattr(pgschema, "MIGRATIONS", older)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        pgschema.migrate(conn)
        conn.execute("INSERT INTO reports (id, title) VALUES ('r1', '县林业局2025年工作总结')")
        conn.execute("INSERT INTO chunks (id, report_id, ord, section_path_json, text, terms, "
                     "n_terms) VALUES ('c1', 'r1', 0, '[]', '古树名木', "
                     "'''古树'':1,3 ''名木'':2'::tsvector, 3)")
    monkeypatch.undo()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pgschema.migrate(conn) == [5, 6, 7, 8]
        rows = conn.execute("SELECT term, chunk_id, tf, n_terms FROM chunk_terms").fetchall()
        library = conn.execute("SELECT library FROM reports WHERE id = 'r1'").fetchone()[0]
        stats = conn.execute("SELECT * FROM term_stats").fetchall()
    assert sorted(rows) == sorted([("古树", "c1", 2, 3), ("名木", "c1", 1, 3)])  # 7: its length
    assert library == "公共"  # migration 6: a report made before libraries is in the default one
    # 8: df, largest tf and smallest n_terms / tf of each term in each library
    assert sorted(stats) == [("古树", "公共", 1, 2, 1.5), ("名木", "公共", 1, 1, 3.0)]
