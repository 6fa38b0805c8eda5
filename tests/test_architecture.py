"""The dependency rules of architecture.md (import-linter contracts in pyproject.toml) and ruff."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else (shutil.which(name) or name)


def test_import_contracts_are_kept():
    proc = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


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
