"""The sample corpus's passage vectors for the default embedder, shipped with the package so
the first `serve` indexes the samples without embedding (about a minute on 2 cores otherwise).

One .npz file holds the vectors and the hash of each vector's text, keyed exactly like the
vector cache (index/embed.py: sha256 of the normalised embedded text), so they are simply put
into the cache before the samples are ingested. scripts/ship_sample_vectors.py regenerates the
file; tests/test_shipped.py fails when it no longer covers every sample passage (a chunker or
lexicon change) or no longer matches what the embedder produces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.embed import VectorCache, text_hash
from assistant.index.tokenize import normalize
from assistant.ingest.chunks import chunk_report, context_text
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.settings import DEFAULT_EMBEDDER

SAMPLES = Path(__file__).resolve().parent.parent / "samples"  # the bundled demo corpus
VECTORS = Path(__file__).with_name(f"samples-{DEFAULT_EMBEDDER}.npz")


def sample_files() -> list[Path]:
    """The bundled sample compilations, in file order."""
    return sorted(SAMPLES.glob("*.txt"))


def sample_texts() -> list[str]:
    """What the index embeds for the sample passages (their context text), each text once."""
    texts = (
        context_text(chunk)
        for path in sample_files()
        for report in parse_file(load_file(path))
        for chunk in chunk_report(report)
    )
    return list(dict.fromkeys(texts))


def cache_key(text: str) -> str:
    """The vector cache's key of an embedded text (embed_with_cache hashes the normalised text)."""
    return text_hash(normalize(text))


def write_vectors(keys: list[str], vectors: np.ndarray, path: Path = VECTORS) -> None:
    """Write the shipped file: one float32 row per key, for the default embedder."""
    np.savez_compressed(
        path,
        embedder=np.array(DEFAULT_EMBEDDER),
        keys=np.array(keys, dtype="S64"),
        vectors=np.asarray(vectors, dtype=np.float32),
    )


def load_vectors(path: Path = VECTORS) -> dict[str, np.ndarray]:
    """The shipped vectors by cache key (empty when the file is missing)."""
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return {k.decode(): row for k, row in zip(data["keys"], data["vectors"], strict=True)}


def seed_cache(cache: VectorCache, embedder_name: str, path: Path = VECTORS) -> int:
    """Put the shipped vectors the cache lacks into it; how many shipped vectors it then holds
    (none for another embedder: its vectors are not these)."""
    if embedder_name != DEFAULT_EMBEDDER:
        return 0
    shipped = load_vectors(path)
    missing = set(shipped) - set(cache.get_many(embedder_name, list(shipped)))
    cache.put_many(embedder_name, {key: shipped[key] for key in missing})
    return len(shipped)
