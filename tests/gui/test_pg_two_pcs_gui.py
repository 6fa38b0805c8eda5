"""Two PCs on one PostgreSQL server, each with its own window and connections: the second to save
the same case gets the conflict dialog, and what that clerk typed is still there."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt

from doudi_desk.services import accounts
from doudi_desk.services.admin import AdminService
from doudi_desk.services.cases import CaseService
from tests.helpers.dibao import day, investigating, investigation
from tests.helpers.office import open_office
from tests.helpers.window import (
    advance,
    fill_form,
    make_window,
    screenshot,
    settle,
    try_login,
    type_text,
)
from tests.pg_support import fresh_database, requires_pg

pytestmark = requires_pg
PASSWORD = "Qingshan-2026"


def admin_first(ctx) -> None:
    """Passwords switch on with an administrator's (AdminService refuses any other first)."""
    AdminService(ctx).set_password("admin", "County-key-2026", temporary=False)


@pytest.fixture
def pg(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with fresh_database() as url:
        yield from open_office(url, url)


def pc(qtbot, office, username: str):
    from doudi_desk.services.context import open_context

    ctx = open_context(office.db_path)  # its own engine: another PC's connections
    ctx.today, ctx.now = office.today, office.now
    window = make_window(qtbot, ctx)
    settle(qtbot, window)
    try_login(qtbot, window, username, PASSWORD)
    assert window.user is not None, window.login_page.message.text()
    return window


def test_second_pc_gets_the_conflict_and_keeps_its_input(qtbot, pg):
    admin_first(pg)
    for user in ("clerk", "clerk2"):
        AdminService(pg).set_password(user, PASSWORD, temporary=False)
    _svc, cid = investigating(pg)
    first, second = pc(qtbot, pg, "clerk"), pc(qtbot, pg, "clerk2")
    pages = []
    for window in (first, second):
        page = window.open_case(cid)
        settle(qtbot, window)
        pages.append(page)
    mine = {"family_present": "户主及其母亲", "investigators": [{"name": "李强"}, {"name": "王芳"}]}
    fill_form(qtbot, pages[1].editors["home_visit"], mine)  # PC 2 is typing …
    for form_id, values in investigation().items():  # … while PC 1 finishes the investigation
        fill_form(qtbot, pages[0].editors[form_id], values)
    type_text(qtbot, pages[0].effective.edit, day(4))
    advance(qtbot, first, 0.5)
    qtbot.mouseClick(pages[0].buttons["complete_investigation"], Qt.MouseButton.LeftButton)
    settle(qtbot, first)
    assert CaseService(pg).show(cid)["state"] == "preliminary_review"

    qtbot.mouseClick(pages[1].save_button, Qt.MouseButton.LeftButton)  # PC 2 saves: the case moved on
    settle(qtbot, second)
    dialog = pages[1].dialog
    assert dialog is not None and dialog.objectName() == "conflict_dialog", pages[1].banner.text()
    screenshot(dialog, "pg_two_pcs_conflict")
    values = pages[1].editors["home_visit"].values()
    assert values["family_present"] == "户主及其母亲"
    assert values["investigators"] == mine["investigators"]
    stored = CaseService(pg).show(cid)
    assert stored["forms"]["home_visit"]["family_present"] == investigation()["home_visit"]["family_present"]
    for window in (first, second):
        window.backend.close()
