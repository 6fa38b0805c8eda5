"""A bug (anything not a KnownError) from a service reaches the crash dialog and the log, never a
label; a known error is shown in the label as a sentence, without a field prefix."""

from __future__ import annotations

import logging

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QApplication

from doudi_desk.services import accounts
from doudi_desk.services.admin import AdminService
from doudi_desk.ui.errors import CrashDialog
from tests.helpers.window import make_window, screenshot, settle, try_login

PASSWORD = "Qingshan-2026"


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def crash_dialogs() -> list[CrashDialog]:
    found = []
    for top in QApplication.topLevelWidgets():
        found += [w for w in [top, *top.findChildren(CrashDialog)] if isinstance(w, CrashDialog) and w.isVisible()]
    return found


def bug(*_a, **_k):
    raise RuntimeError("a bug in the service")


@pytest.fixture
def clerk_with_password(qtbot, office):
    AdminService(office).set_password("admin", "County-key-2026", temporary=False)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", PASSWORD)
    assert window.user is not None
    return window


def test_a_bug_changing_the_password_opens_the_crash_dialog_not_the_label(qtbot, clerk_with_password, monkeypatch,
                                                                           caplog):
    window = clerk_with_password
    window.account_actions[0].trigger()  # 修改密码
    dialog = window.account_dialog
    dialog.old.setText(PASSWORD)
    dialog.new.setText("short")
    dialog.again.setText("short")
    dialog.submit()
    settle(qtbot, window)
    assert dialog.message.text() == "密码至少 8 位"  # a known error: the sentence alone, no "password: "
    assert not crash_dialogs()
    monkeypatch.setattr(accounts.AccountService, "change_password", bug)
    dialog.new.setText("My-own-pass-1")
    dialog.again.setText("My-own-pass-1")
    with caplog.at_level(logging.ERROR):
        dialog.submit()
        settle(qtbot, window)
    crash = crash_dialogs()
    assert crash and "RuntimeError: a bug in the service" in crash[0].details.toPlainText()
    assert "a bug" not in dialog.message.text()
    assert any("unexpected error" in r.message for r in caplog.records)
    screenshot(crash[0], "crash_dialog_change_password")
    crash[0].close()


def test_a_bug_unlocking_opens_the_crash_dialog(qtbot, clerk_with_password, monkeypatch, caplog):
    window = clerk_with_password
    lock = window.idle_lock
    lock.lock()
    lock.cover.password.setText("not-it")
    lock.unlock()
    settle(qtbot, window)
    assert lock.locked and "密码" in lock.cover.message.text() and not crash_dialogs()
    monkeypatch.setattr(accounts.AccountService, "unlock", bug)
    lock.cover.password.setText(PASSWORD)
    with caplog.at_level(logging.ERROR):
        lock.unlock()
        settle(qtbot, window)
    crash = crash_dialogs()
    assert crash and "RuntimeError" in crash[0].details.toPlainText()
    assert lock.locked and "a bug" not in lock.cover.message.text()
    crash[0].close()


def test_a_bug_in_the_accounts_dialog_opens_the_crash_dialog(qtbot, office, monkeypatch):
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "admin", "")  # open mode
    window.account_actions[1].trigger()  # 账户与密码
    dialog = window.account_dialog
    settle(qtbot, window)
    usernames = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.password.setText("short")
    dialog.set_password()
    settle(qtbot, window)
    assert dialog.status.text() == "密码至少 8 位" and not crash_dialogs()
    monkeypatch.setattr(AdminService, "set_password", bug)
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.password.setText("Initial-pass-9")
    dialog.set_password()
    settle(qtbot, window)
    crash = crash_dialogs()
    assert crash and "RuntimeError" in crash[0].details.toPlainText()
    assert "RuntimeError" not in dialog.status.text() and "a bug" not in dialog.status.text()
    crash[0].close()
