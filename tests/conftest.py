"""Shared fixtures: a temporary office database with areas, users and a policy set
(tests/helpers/office.py)."""

from __future__ import annotations

import os

import pytest

from tests.helpers.office import BACKEND, open_office

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def office(tmp_path):
    """An AppContext on a fresh SQLite file, 'today' fixed at 2026-11-23."""
    if BACKEND == "postgresql":
        from tests.pg_support import fresh_database

        with fresh_database() as url:
            yield from open_office(url, url)
        return
    yield from open_office(f"sqlite:///{tmp_path / 'office.sqlite3'}", tmp_path / "office.sqlite3")
