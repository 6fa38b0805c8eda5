"""Fixtures of the GUI tests: the Qt application set up as the program does, and the demo township.
Helpers for driving the window are in tests/helpers/window.py."""

from __future__ import annotations

import pytest

from tests.helpers.demo import demo_copy


@pytest.fixture(scope="session")
def qapp_args():
    return ["doudi-desk-tests"]


@pytest.fixture(autouse=True)
def _app_setup(qapp):
    from doudi_desk.ui.style import setup_application

    setup_application(qapp)
    yield


@pytest.fixture
def demo_url(tmp_path):
    """This test's copy of the demo township (80 households, built once per run on the fixed day)."""
    return demo_copy(tmp_path / "demo.sqlite3", 80)
