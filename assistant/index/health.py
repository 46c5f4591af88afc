"""The library's state in one small JSON object, for `GET /healthz` of each app server (a load
balancer's check) and for operators: cheap store counts, never a rebuild of the indexes."""

from __future__ import annotations

from assistant.index.index import Index


def health(index: Index) -> dict:
    """`{"status": "ok", "backend", "generation", "files", "reports", "chunks", "pending",
    "embedder"}`; status "error" with the reason when the store cannot be read."""
    backend = "postgresql" if index.store.remote else "embedded"
    try:
        with index.store.snapshot():
            state = {"generation": index.store.generation, **index.store.counts(),
                     "pending": index.store.pending_chunks(),
                     "embedder": index.store.manifest_get("embedder") or ""}
    except Exception as exc:  # the database went away: say so instead of failing the check
        return {"status": "error", "backend": backend, "error": " ".join(str(exc).split())}
    return {"status": "ok", "backend": backend, **state}
