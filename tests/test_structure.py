"""The package's shape: no import cycle, the environment read in one module, one unknown."""

from __future__ import annotations

import ast
import re

from tests.fixtures.paths import ROOT

PACKAGE = ROOT / "assistant"


def module_name(path) -> str:
    """assistant/ingest/load.py → assistant.ingest.load (packages by their __init__)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, known: set[str]) -> set[str]:
    """The project modules a module imports, at any depth of its code (lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in known}
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: imports_of(path, known) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_only_settings_reads_the_environment():
    readers = sorted(
        module_name(p) for p in PACKAGE.rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text("utf-8"))
    )
    assert readers == ["assistant.settings"]


def test_unknown_literal_defined_once():
    holders = [module_name(p) for p in PACKAGE.rglob("*.py") if '"unknown"' in p.read_text("utf-8")]
    assert holders == ["assistant.models"]


def test_every_stage_has_its_folder():
    stages = ["ingest", "index", "answer", "outline", "cli", "ui", "lexicon", "prompts"]
    assert all((PACKAGE / stage / "__init__.py").is_file() for stage in stages)
    assert not [p.name for p in PACKAGE.glob("*.py")
                if p.stem not in {"__init__", "__main__", "api", "models", "settings", "errors"}]


def test_the_index_layer_never_imports_the_answer_layer():
    """index/ holds passages, vectors and searches; answer/ builds on it, never the reverse
    (maintenance/migrate, which checks a copy with real searches, sits above both)."""
    graph = import_graph()
    upward = {m: sorted(i for i in deps if i.startswith("assistant.answer"))
              for m, deps in graph.items() if m.startswith("assistant.index")}
    assert not {m: deps for m, deps in upward.items() if deps}


BACKEND_MODULES = {"assistant.index.dense", "assistant.index.sparse", "assistant.index.scope",
                   "assistant.index.pgsearch", "assistant.index.pgstore"}


def test_retrieval_reaches_a_backend_only_through_its_typed_interface():
    """answer/, outline/ and ui/ search through Derived's engine.DenseSearch, KeywordSearch and
    FilterSearch: none of them imports a backend's module (FAISS, BM25, the SQL engine)."""
    graph = import_graph()
    layers = ("assistant.answer", "assistant.outline", "assistant.ui", "assistant.cli")
    reaching = {m: sorted(deps & BACKEND_MODULES) for m, deps in graph.items()
                if m.startswith(layers) and deps & BACKEND_MODULES}
    assert not reaching
    imported = {m for p in PACKAGE.rglob("*.py") if module_name(p).startswith(layers)
                for m in re.findall(r"^\s*(?:import|from) (faiss|bm25s|psycopg)\b",
                                    p.read_text("utf-8"), re.M)}
    assert not imported
