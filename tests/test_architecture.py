"""The layering the design asks for, checked on the source: module sizes, which package may import
which, one composition root, typed drafting events."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "zongjie"
SOURCES = sorted([ROOT / "app.py", *CORE.rglob("*.py"), *(ROOT / "retrieval").glob("*.py"),
                  *(ROOT / "ui").glob("*.py")])


def imports(path: Path) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
    return names


def project(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in ("zongjie", "retrieval", "ui", "app")}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    limit = 250 if path.name in ("app.py", "draft.py") and path.parent in (ROOT, CORE) else 400
    assert len(path.read_text(encoding="utf-8").splitlines()) <= limit


def test_bottom_layer_imports_nothing_from_the_project():
    for name in ("text.py", "vocab.py"):
        assert project(imports(CORE / name)) == set(), name


def test_retrieval_depends_only_on_the_bottom_layer():
    """retrieval/ sits below the core: it may use the shared words and text primitives, nothing else."""
    allowed = ("zongjie.text", "zongjie.vocab")
    for path in (ROOT / "retrieval").glob("*.py"):
        outside = {n for n in project(imports(path)) if n.startswith("zongjie") and not n.startswith(allowed)}
        assert not outside, (path.name, outside)


def test_writers_never_import_the_orchestrator():
    for path in (CORE / "writers").glob("*.py"):
        assert not {n for n in imports(path) if n.startswith("zongjie.draft")}, path.name


def test_cleanup_is_free_of_langchain_and_the_pipeline():
    names = imports(CORE / "cleanup.py")
    assert not {n for n in names if n.startswith(("langchain", "zongjie.draft", "zongjie.writers", "zongjie.llm"))}


def test_the_core_knows_nothing_of_the_page():
    for path in [*CORE.rglob("*.py"), *(ROOT / "retrieval").glob("*.py")]:
        assert not {n for n in imports(path) if n.startswith(("streamlit", "ui", "app"))}, path


def test_ui_modules_never_import_app():
    for path in (ROOT / "ui").glob("*.py"):
        assert not {n for n in imports(path) if n == "app" or n.startswith("app.")}, path.name


def test_only_the_runtime_builds_chat_models_and_servers():
    """One composition root: the page and the CLI get their model through zongjie.runtime."""
    wiring = ("zongjie.llm.make_chat_model", "zongjie.llm.connect", "zongjie.llm.attach_server",
              "zongjie.local_model.start_server", "zongjie.draft.Drafter")
    for path in [ROOT / "app.py", CORE / "cli.py", *(ROOT / "ui").glob("*.py")]:
        assert not {n for n in imports(path) if n in wiring}, path.name


def test_drafting_events_are_methods_not_strings():
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert "on_event" not in text and "if self.compact" not in text, path.name
