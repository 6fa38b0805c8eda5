"""The demo township (services/demo.py) built once per test run for each size asked for, on the
tests' fixed day; every test gets its own copy of the file, so none sees another's changes."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import shutil
import tempfile
from pathlib import Path

from tests.helpers.office import TODAY, shipped_definitions

BUILT_AT = dt.datetime(2026, 11, 23, 9, 0)


def clocked(ctx, now: dt.datetime = BUILT_AT):
    ctx.today = lambda: TODAY
    ctx.now = lambda: now
    return ctx


@functools.cache
def _template(households: int, with_other_programmes: bool) -> Path:
    from doudi_desk.services.context import open_context
    from doudi_desk.services.demo import build_demo

    folder = Path(tempfile.mkdtemp(prefix="doudi-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "demo.sqlite3"
    ctx = clocked(open_context(f"sqlite:///{path}", definitions=shipped_definitions()))
    build_demo(ctx, households=households, with_other_programmes=with_other_programmes)
    ctx.db.dispose()  # the last connection closing folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def demo_copy(dest: Path, households: int, with_other_programmes: bool = False) -> str:
    """A copy of the demo of this size at ``dest``; returns its URL."""
    shutil.copyfile(_template(households, with_other_programmes), dest)
    return f"sqlite:///{dest}"


def open_demo(dest: Path, households: int, with_other_programmes: bool = False):
    """An AppContext on a fresh copy of the demo at ``dest``, 'today' the tests' fixed day."""
    from doudi_desk.services.context import open_context

    url = demo_copy(dest, households, with_other_programmes)
    return clocked(open_context(url, definitions=shipped_definitions()))
