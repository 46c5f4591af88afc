#!/usr/bin/env bash
# Set up and run the test suite: the CPU torch build first (unpinned, pip would pick a
# multi-GB CUDA build), then the package with its sentence-transformers and test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[st,test]'
python -m pytest -q
