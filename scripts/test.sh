#!/usr/bin/env bash
# Set up and run the test suite: Debian's chromium and a CJK font for the browser tests (when
# missing), the CPU torch build (unpinned, pip would pick a multi-GB CUDA build), then the
# package with its sentence-transformers and test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    { $SUDO apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; } ||
        echo "warning: could not install chromium: the browser tests will be skipped" >&2
fi
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[st,test]'
python -m pytest -q
