#!/usr/bin/env bash
# Set up and run the test suite from scratch, as a new machine would: the system packages the
# tests drive (Debian's chromium, LibreOffice's writer and a CJK font), then a NEW virtual environment each run
# (pip's download cache is reused), the CPU torch build (unpinned, pip would pick a multi-GB
# CUDA build), the package with its extras, and the tests inside that environment — so a
# dependency missing from pyproject.toml fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${REPORT_ASSISTANT_TEST_VENV:-${TMPDIR:-/tmp}/report-assistant-test-venv}"

if ! command -v chromium >/dev/null || ! command -v soffice >/dev/null || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    { $SUDO apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libreoffice-writer-nogui fonts-wqy-zenhei >/dev/null; } ||
        echo "warning: could not install chromium/LibreOffice: browser and .doc tests will be skipped" >&2
fi

rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q torch==2.13.0
"$VENV/bin/python" -m pip install -q -e '.[st,test]'
"$VENV/bin/python" -m pytest -q "$@"
