"""Start-up on two threads: the GUI thread imports Qt and the window only; SQLAlchemy, the models and
the services are imported by the worker while the window shows (ui/backend.py ``Backend.load``).
A module imported on the GUI thread is a stall the clerk sees: SQLAlchemy and the models alone take
half a second. Run in a fresh interpreter, as ``doudi-desk`` starts, recording which thread
imported each module (an audit hook); never timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, sys, threading

gui = threading.main_thread()
first_import = {}  # module -> imported on the GUI thread?


def hook(event, args):
    if event == "import" and args[0] not in sys.modules and args[0] not in first_import:
        first_import[args[0]] = threading.current_thread() is gui


sys.addaudithook(hook)
from PySide6.QtCore import QTimer

from doudi_desk.ui.application import make_app
from doudi_desk.ui.main_window import MainWindow

window_imported = dict(first_import)
app = make_app()
window = MainWindow(sys.argv[1])
window.show()
seen = {}


def ready():
    seen["login_page"] = sorted(m for m, on_gui in first_import.items() if on_gui and m not in window_imported)
    window.login_page.select(sys.argv[2])
    window.login(sys.argv[2], "")


def page_loaded():
    seen["case_list"] = window.case_list.model.rowCount()
    QTimer.singleShot(0, app.quit)


window.ready.connect(ready)
window.logged_in.connect(lambda _name: window.case_list.model.page_loaded.connect(page_loaded))
QTimer.singleShot(60000, app.quit)
app.exec()
window.close()
print(json.dumps({"window_imported": sorted(window_imported), "seen": seen,
                  "on_gui": sorted(m for m, on_gui in first_import.items() if on_gui),
                  "on_worker": sorted(m for m, on_gui in first_import.items() if not on_gui)}))
"""

LOADED_BY_THE_WORKER = ("sqlalchemy", "doudi_desk.storage", "doudi_desk.services", "argon2", "alembic",
                        "doudi_desk.definitions", "yaml")


def _start(url: str, user: str, tmp_path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", SCRIPT, url, user], capture_output=True, text=True,
                         timeout=180, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(LOADED_BY_THE_WORKER)]


def test_the_gui_thread_never_imports_sqlalchemy_the_models_or_the_services(demo_url, tmp_path):
    run = _start(demo_url, "zhangmin", tmp_path)
    assert run["seen"]["case_list"] > 0  # the log-in page showed, zhangmin logged in, the list arrived
    assert _heavy(run["window_imported"]) == []  # the window's own modules import none of it
    assert _heavy(run["on_gui"]) == []  # nor does anything the GUI thread runs up to the first page
    # the worker did: the database was opened, the password checked, the list read
    for module in ("sqlalchemy", "sqlalchemy.orm", "doudi_desk.storage.models", "doudi_desk.services.queries",
                   "doudi_desk.services.accounts", "argon2"):
        assert module in run["on_worker"], module
