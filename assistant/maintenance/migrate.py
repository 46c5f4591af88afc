"""Copy an embedded library (SQLite + FAISS) into PostgreSQL, losing nothing, then prove it:
the counts of both stores and a sample of searches compared.

Files are copied one transaction each, with their reports (section trees, page chrome) and
chunks, and each chunk's vector read back from the FAISS index (nothing is embedded again).
A file already in the database with the same content hash is skipped, so an interrupted
migration is resumed by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answer.retrieve import search
from assistant.errors import AssistantError
from assistant.index import dense
from assistant.index.index import Index
from assistant.index.records import FileChange

# Searches compared after copying: enough to cover every kind of report in a small library,
# each a passage's opening words (a question whose answer is known to be in the library).
SAMPLE_SEARCHES = 20
QUESTION_CHARS = 24  # characters of a passage taken as its question
DEPTH = 10  # passages compared per search


class MigrationError(AssistantError):
    """There is nothing to migrate yet: no library in the directory, or vectors still waiting."""


@dataclass
class Migration:
    """What a migration copied and how the two libraries compare."""

    copied: list[str] = field(default_factory=list)  # files written to the database
    skipped: list[str] = field(default_factory=list)  # files already there, unchanged
    source: dict[str, int] = field(default_factory=dict)  # counts in the embedded library
    target: dict[str, int] = field(default_factory=dict)  # counts in the database
    searches: int = 0
    same_top: int = 0  # searches whose best passage is the same in both
    same_list: int = 0  # searches whose top DEPTH passages are the same, in order

    @property
    def lossless(self) -> bool:
        """Counts equal and every sampled search finds the same best passage."""
        return self.source == self.target and self.same_top == self.searches

    def to_dict(self) -> dict:
        """The `migrate --json` object."""
        return {"copied": self.copied, "skipped": self.skipped, "source": self.source,
                "target": self.target, "searches": self.searches, "same_top": self.same_top,
                "same_top10": self.same_list, "lossless": self.lossless}


def _counts(index: Index) -> dict[str, int]:
    """Files, reports, chunks and vectors of a library."""
    vectors = index.derived().dense
    return {**index.store.counts(), "vectors": int(vectors.ntotal) if vectors is not None else 0}


def copy_library(source: Index, target: Index, result: Migration) -> None:
    """Copy every file of `source` not already in `target` (same hash), one transaction each."""
    derived = source.derived()
    matrix = dense.vectors(derived.dense.index) if derived.dense is not None else np.empty((0, 0))
    row_of = {c.id: row for row, c in enumerate(derived.chunks)}
    embedder = source.store.manifest_get("embedder")
    if embedder:
        for key in ("embedder", "dimension", "chunker"):
            target.store.manifest_set(key, source.store.manifest_get(key) or "")
        target.store.ensure_vectors(int(source.store.manifest_get("dimension") or matrix.shape[1]))
    target.store.vectors = lambda chunks: matrix[[row_of[c.id] for c in chunks]]
    upload_names = source.store.upload_names()  # the user's own names of app uploads
    for path, content_hash, encoding in source.store.files():
        if content_hash and target.store.file_hash(path) == content_hash:
            result.skipped.append(path)
            continue
        reports = [source.store.get_report(rid) for rid in source.store.reports_of(path)]
        with target.store.transaction():
            target.store.apply_files([FileChange(path, content_hash, encoding, reports,
                                                 upload_name=upload_names.get(path, ""))])
            for report in reports:
                target.store.replace_chunks(report.id, source.store.chunks(report.id))
        result.copied.append(path)
    target.store.vectors = None


def compare_searches(source: Index, target: Index, result: Migration) -> None:
    """Ask both libraries the same SAMPLE_SEARCHES questions, spread over the passages."""
    chunks = source.derived().chunks
    step = max(1, len(chunks) // SAMPLE_SEARCHES)
    for chunk in chunks[::step][:SAMPLE_SEARCHES]:
        question = chunk.text[:QUESTION_CHARS]
        ours = [h.chunk.id for h in search(source, question, k=DEPTH)]
        theirs = [h.chunk.id for h in search(target, question, k=DEPTH)]
        result.searches += 1
        result.same_top += bool(ours) and ours[:1] == theirs[:1]
        result.same_list += ours == theirs


def migrate(source_dir: str, url: str) -> Migration:
    """Migrate the embedded library in `source_dir` to the database at `url`, and compare."""
    source = Index(source_dir, database_url="")
    if not source.store.files():
        source.close()
        raise MigrationError(f"{source_dir} 中没有资料库（reports.sqlite 为空）：请用 --index 指定要迁移的资料库",
                             source_dir)
    waiting = source.store.pending_chunks()
    if waiting:
        source.close()
        raise MigrationError(f"还有 {waiting} 段等待向量化：请先再运行一次 ingest 完成向量化，然后迁移",
                             source_dir)
    target = Index(source_dir, database_url=url)
    try:
        result = Migration()
        copy_library(source, target, result)
        result.source, result.target = _counts(source), _counts(target)
        compare_searches(source, target, result)
        return result
    finally:
        source.close()
        target.close()
