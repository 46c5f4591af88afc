"""Which store a library lives in: the embedded SQLite store in the index directory (default),
or a PostgreSQL database when REPORT_ASSISTANT_DATABASE_URL names one."""

from __future__ import annotations

from pathlib import Path

from assistant import settings
from assistant.errors import AssistantError
from assistant.index.store import Store

PG_SCHEMES = ("postgresql://", "postgres://")


class BackendError(AssistantError):
    """The configured database URL cannot be used."""


def open_store(index_dir: str | Path, database_url: str | None = None) -> Store:
    """The library's store, opened: PostgreSQL for a postgresql:// URL (given, else from the
    settings), else SQLite in `index_dir`."""
    url = settings.current().database_url if database_url is None else database_url
    if not url:
        return Store(index_dir).open()
    if not url.startswith(PG_SCHEMES):
        raise BackendError(f"不支持的数据库地址 {url.split('://')[0]}://…："
                           f"{settings.DATABASE_URL_ENV} 应以 postgresql:// 开头")
    try:
        from assistant.index.pgstore import PgStore
    except ImportError as exc:
        raise BackendError("未安装 PostgreSQL 驱动：请运行 pip install 'report-assistant[pg]'") from exc
    return PgStore(url).open()
