"""OCR accuracy and speed: pages of a sample report rendered with a CJK font (no text layer),
and a photo-like copy of the first (turned, noisy, blurred), read back through the product's
OCR path (recognition, then lines joined into paragraphs).

    python benchmarks/ocr.py [--pages 2] [--json FILE]

Prints per page the character accuracy against the text set on it (1 − edit distance /
length, whitespace ignored; target ≥ 0.98) and the seconds it took, then pages per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.ingest.formats.ocr import paragraphs, recognise  # noqa: E402
from tests.fixtures.scans import photographed, render, sample_report  # noqa: E402

TARGET = 0.98  # issue 13: character accuracy on the rendered sample pages


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), one row at a time."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def accuracy(read: str, truth: str) -> float:
    """Character accuracy of `read` against `truth`, whitespace ignored."""
    read, truth = "".join(read.split()), "".join(truth.split())
    return 1 - edit_distance(read, truth) / max(len(truth), 1)


def measure(pages: int) -> list[dict]:
    """One row per page: kind, characters, accuracy, seconds."""
    scan = render(sample_report(), pages)
    images = [("rendered", image, text) for image, text in zip(scan.pages, scan.texts, strict=True)]
    images.append(("photo", photographed(scan.pages[0]), scan.texts[0]))
    recognise(scan.pages[0].crop((0, 0, 200, 200)))  # load the models outside the timings
    rows = []
    for kind, image, truth in images:
        start = time.perf_counter()
        text = "\n".join(paragraphs([recognise(image)]))
        seconds = time.perf_counter() - start
        rows.append({"kind": kind, "chars": len("".join(truth.split())),
                     "accuracy": round(accuracy(text, truth), 4), "seconds": round(seconds, 2)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows = measure(args.pages)
    for n, row in enumerate(rows, 1):
        print(f"page {n} ({row['kind']}): {row['chars']} chars, accuracy {row['accuracy']:.4f}, {row['seconds']:.1f} s")
    rendered = [r for r in rows if r["kind"] == "rendered"]
    chars = sum(r["chars"] for r in rendered)
    overall = sum(r["accuracy"] * r["chars"] for r in rendered) / chars
    rate = len(rows) / sum(r["seconds"] for r in rows)
    print(f"rendered pages: accuracy {overall:.4f} (target ≥ {TARGET}) — {'met' if overall >= TARGET else 'NOT met'}")
    print(f"speed: {rate:.3f} pages/s ({1 / rate:.1f} s a page)")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "accuracy": overall, "pages_per_s": rate}, indent=1))


if __name__ == "__main__":
    main()
