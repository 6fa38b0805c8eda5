"""The dependency rules of architecture.md (import-linter contracts in pyproject.toml) and ruff."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else (shutil.which(name) or name)


def test_import_contracts_are_kept():
    proc = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def _lint_copy(tmp_path: Path, edit: tuple[str, str, str] | None) -> subprocess.CompletedProcess:
    """lint-imports on a copy of the package and its contracts, with one import added to one module
    (``edit``: module path under doudi_desk/, the line it follows, the line added)."""
    shutil.copytree(ROOT / "doudi_desk", tmp_path / "doudi_desk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if edit is not None:
        module, after, added = edit
        path = tmp_path / "doudi_desk" / module
        text = path.read_text("utf-8")
        assert f"\n{after}\n" in text, f"{module} no longer has the line {after!r}"
        path.write_text(text.replace(f"\n{after}\n", f"\n{after}\n{added}\n", 1), "utf-8")
    return subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=tmp_path, capture_output=True, text=True)


@pytest.mark.parametrize(("module", "added", "contract"), [
    ("cli/ops.py", "import PySide6", "nobody but ui imports PySide6"),
    ("cli/print.py", "from ..printing import render", "cli talks to services and domain only"),
    ("cli/cases.py", "from ..storage.db import default_url", "cli talks to services and domain only"),
    ("cli/__init__.py", "import sqlalchemy", "only storage imports SQLAlchemy and Alembic"),
])
def test_the_contracts_cover_every_cli_module(tmp_path, module, added, contract):
    """cli/ is under the contracts: an import it must not make breaks one (the old top-level cli_*
    modules escaped every contract, so an `import PySide6` in cli_ops.py kept them all green)."""
    proc = _lint_copy(tmp_path, (module, "from __future__ import annotations", added))
    dotted = "doudi_desk." + module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Broken contracts" in proc.stdout, proc.stdout
    assert contract in proc.stdout.split("Broken contracts", 1)[1], proc.stdout
    assert f"{dotted} -> " in proc.stdout, proc.stdout


def test_the_copied_package_alone_keeps_every_contract(tmp_path):
    """The check above runs on a copy: the unchanged copy keeps every contract, so what breaks
    there is the added import."""
    proc = _lint_copy(tmp_path, None)
    assert proc.returncode == 0 and " 0 broken" in proc.stdout, proc.stdout + proc.stderr


def test_every_top_level_module_but_ui_is_kept_from_qt():
    """A new top-level module or package (as the cli_*.py modules once were) is named in a contract
    forbidding PySide6, or this fails: a module no contract names escapes every contract."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
    kept_from_qt = {source for c in contracts if "PySide6" in c.get("forbidden_modules", [])
                    for source in c["source_modules"]}
    top = {f"doudi_desk.{p.stem}" for p in (ROOT / "doudi_desk").iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert "doudi_desk.cli" in top and "doudi_desk.services" in top
    assert top - kept_from_qt == {"doudi_desk.ui"}


def test_domain_does_not_import_frameworks_even_lazily():
    """import-linter sees imports inside functions too; this guards the rule with a plain scan."""
    banned = ("PySide6", "sqlalchemy", "transitions", "jinja2", "reportlab", "yaml", "alembic")
    for path in (ROOT / "doudi_desk" / "domain").rglob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                assert not any(f" {b}" in stripped or f" {b}." in stripped for b in banned), f"{path}: {stripped}"


def test_ruff_is_clean():
    proc = subprocess.run([_tool("ruff"), "check", "doudi_desk", "tests", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_window_reaches_the_services_only_through_the_backend_facade():
    """ui/backend.py's Backend is the window's one way in (issue 12 item 4): no page reaches the
    AppContext behind it (``backend.ctx``), a workflow engine, or the database's URL."""
    ui = ROOT / "doudi_desk" / "ui"
    banned = ("backend.ctx", ".engines", "engine_for_programme", "render_as_string", "make_url", ".db.url")
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in sorted(ui.rglob("*.py"))
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if any(b in line for b in banned)]
    assert found == []
    # Only the facade holds the context: no other ui module touches a context's database.
    holders = sorted(str(path.relative_to(ROOT)) for path in ui.rglob("*.py")
                     if "ctx.db" in path.read_text("utf-8"))
    assert holders == ["doudi_desk/ui/backend.py"]
