"""Per-page progress of a long read (OCR of a scan): a reader reports each page it finished to
whoever started the read. A context variable, so every reader keeps its (path, data) signature
and a thread's ingest never sees another thread's pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PageProgress = Callable[[int, int], None]  # (pages done, pages in the file)
_listener: ContextVar[PageProgress | None] = ContextVar("page_progress", default=None)


@contextmanager
def reporting(listener: PageProgress | None) -> Iterator[None]:
    """Reads started inside this block report their pages to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def page_done(done: int, total: int) -> None:
    """A reader finished page `done` of `total`."""
    listener = _listener.get()
    if listener is not None:
        listener(done, total)
