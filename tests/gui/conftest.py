"""Fixtures and helpers for driving the real window offscreen with pytest-qt."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.office import TODAY


@pytest.fixture(scope="session")
def qapp_args():
    return ["doudi-desk-tests"]


@pytest.fixture(autouse=True)
def _app_setup(qapp):
    from doudi_desk.ui.style import setup_application

    setup_application(qapp)
    yield


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    """A demo township database built once per test session (today fixed like the office fixture)."""
    from doudi_desk.services.context import open_context
    from doudi_desk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    ctx = open_context(f"sqlite:///{path}")
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 0)
    build_demo(ctx, households=80)
    ctx.db.dispose()
    return f"sqlite:///{path}"
