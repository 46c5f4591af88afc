"""The project as a user installs it: a wheel built from the source tree, installed in a new
virtual environment outside it, runs ingest, ask, outline --format docx and serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import zipfile

import pytest

from tests.fixtures.network import free_port
from tests.fixtures.paths import ROOT, SAMPLE_FILES
from tests.ui.test_serve import wait_for

pytestmark = pytest.mark.slow
INSTALL_TIMEOUT = 900  # seconds; pip resolves gradio & co. from its cache or the index
SERVE_TIMEOUT = 120


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, timeout=INSTALL_TIMEOUT, cwd=out)
    return next(out.glob("report_assistant-*.whl"))


def test_wheel_carries_every_subpackage_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {str(p.relative_to(ROOT)) for p in (ROOT / "assistant").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert source <= names, sorted(source - names)[:5]
    assert not [n for n in names if n.split("/")[0] in {"ui", "prompts", "tests", "benchmarks"}]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A new venv (outside the source tree) with the wheel and its dependencies."""
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, timeout=INSTALL_TIMEOUT, cwd=home, env=clean_env())
    assert (venv / "bin" / "report-assistant").is_file()
    return home, venv / "bin" / "report-assistant"


def clean_env() -> dict[str, str]:
    """The environment without anything pointing back into the source tree."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "REPORT_ASSISTANT_INDEX"}}


def run(home, exe, *args: str) -> subprocess.CompletedProcess:
    env = clean_env()
    return subprocess.run([str(exe), *args], cwd=home, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)


def test_installed_wheel_runs_every_verb(installed):
    home, exe = installed
    folder = home / "范文"
    folder.mkdir()
    (folder / SAMPLE_FILES[0].name).write_bytes(SAMPLE_FILES[0].read_bytes())
    ingest = run(home, exe, "ingest", str(folder), "--json")
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout)["reports"] >= 5
    asked = run(home, exe, "ask", "县审计局存在哪些问题？", "--json")
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"], asked.stderr
    out = home / "提纲.docx"
    outline = run(home, exe, "outline", "县民政局2024年工作计划", "--format", "docx", "-o", str(out))
    assert outline.returncode == 0 and zipfile.is_zipfile(out), outline.stderr


def test_installed_wheel_serves_with_the_bundled_samples(installed):
    home, exe = installed
    port = free_port()
    env = clean_env()
    env["REPORT_ASSISTANT_INDEX"] = str(home / "served-index")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=home, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(lambda: urllib.request.urlopen(url, timeout=2).status == 200, SERVE_TIMEOUT)
        config = json.loads(urllib.request.urlopen(url + "config", timeout=5).read())
        shown = " ".join(str(c.get("props", {}).get("value")) for c in config["components"])
        assert "示例资料库" in shown or "首次启动" in shown  # it found the samples it ships
    finally:
        proc.kill()
        proc.wait()
