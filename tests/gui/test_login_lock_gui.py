"""Passwords and the idle lock in the real window (offscreen)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt

from doudi_desk.services import accounts
from doudi_desk.services.admin import AdminService
from tests.helpers.window import advance, make_window, screenshot, settle, try_login

PASSWORD = "Qingshan-2026"


def admin_first(ctx) -> None:
    """Passwords switch on with an administrator's (AdminService refuses any other first)."""
    AdminService(ctx).set_password("admin", "County-key-2026", temporary=False)


def clerk_logged_in(qtbot, office):
    """The window, with the clerk (a password of their own) logged in."""
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", PASSWORD)
    return window


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_open_mode_hint_then_passwords_required(qtbot, office):
    window = make_window(qtbot, office)
    settle(qtbot, window)
    assert window.login_page.password_hint.isVisible()  # no password set anywhere yet
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    window.show_login()
    settle(qtbot, window)
    assert not window.login_page.password_hint.isVisible()
    try_login(qtbot, window, "clerk", "wrong-password")
    assert window.user is None and "再错 4 次" in window.login_page.message.text()
    screenshot(window, "login_password")
    try_login(qtbot, window, "reviewer", "")
    assert window.user is None and "尚未设置密码" in window.login_page.message.text()
    try_login(qtbot, window, "clerk", PASSWORD)
    assert window.user is not None and window.user["username"] == "clerk"
    assert window.login_page.password.text() == ""  # not kept in the widget


def test_initial_password_must_be_replaced(qtbot, office):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, actor="admin")  # temporary
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", PASSWORD)
    dialog = window.password_dialog
    assert dialog.isVisible()
    screenshot(dialog, "change_password")
    dialog.old.setText(PASSWORD)
    dialog.new.setText("My-own-pass-1")
    dialog.again.setText("My-own-pass-2")
    dialog.submit()
    assert "不一致" in dialog.message.text()
    dialog.again.setText("My-own-pass-1")
    dialog.submit()
    settle(qtbot, window)
    assert not dialog.isVisible() and window.user is not None
    accounts.AccountService(office).log_in("clerk", "My-own-pass-1")


def test_closing_the_forced_change_logs_out(qtbot, office):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, actor="admin")
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", PASSWORD)
    window.password_dialog.reject()
    settle(qtbot, window)
    assert window.user is None


def test_idle_window_locks_and_only_the_password_unlocks_it(qtbot, office):
    window = clerk_logged_in(qtbot, office)
    lock = window.idle_lock
    assert lock.clock is window.clock and lock.minutes == 10  # the office default
    advance(qtbot, window, 9 * 60 + 45)  # checked every 15 s: the last check before ten minutes
    assert not lock.locked
    advance(qtbot, window, 15)
    assert lock.locked and lock.cover.isVisible()
    assert not window.centralWidget().isEnabled() and not window.toolbar.isEnabled()
    screenshot(window, "idle_locked")
    lock.cover.password.setText("not-it")
    lock.unlock()
    settle(qtbot, window)
    assert lock.locked and "密码" in lock.cover.message.text()
    lock.cover.password.setText(PASSWORD)
    lock.unlock()
    settle(qtbot, window)
    assert not lock.locked and window.centralWidget().isEnabled()
    # Input keeps it open: a key every five minutes for half an hour.
    for _ in range(6):
        advance(qtbot, window, 5 * 60)
        # as a real key arrives: through the window's QWindow (ui/idle_lock.py watches those)
        qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Shift)
    assert not lock.locked
    advance(qtbot, window, 10 * 60)  # then ten minutes without input
    assert lock.locked


def test_lock_screen_logout(qtbot, office):
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", "")  # open mode: no passwords yet
    window.idle_lock.lock()
    assert window.idle_lock.locked
    qtbot.mouseClick(window.idle_lock.cover.logout_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.user is None and not window.idle_lock.locked


def test_administrator_sets_an_initial_password_unlocks_and_disables(qtbot, office):
    window = make_window(qtbot, office)
    settle(qtbot, window)
    try_login(qtbot, window, "clerk", "")
    assert [a.objectName() for a in window.account_actions] == ["change_password_action"]
    window.logout()
    settle(qtbot, window)
    try_login(qtbot, window, "admin", "")
    names = [a.objectName() for a in window.account_actions]
    assert names == ["change_password_action", "accounts_action"]
    window.account_actions[1].trigger()
    dialog = window.account_dialog
    settle(qtbot, window)
    usernames = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.password.setText("short")
    dialog.set_password()
    settle(qtbot, window)
    assert "至少 8 位" in dialog.status.text()
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.password.setText("Initial-pass-9")
    dialog.set_password()
    settle(qtbot, window)
    assert "请先为一名系统管理员设置密码" in dialog.status.text()
    dialog.table.selectRow(usernames.index("admin"))
    dialog.password.setText("County-key-2026")
    dialog.set_password()
    settle(qtbot, window)
    assert dialog.table.item(usernames.index("admin"), 4).text() == "已设置"  # one's own: not temporary
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.password.setText("Initial-pass-9")
    dialog.set_password()
    settle(qtbot, window)
    assert "已为 李强 设置初始密码" in dialog.status.text()
    assert dialog.table.item(usernames.index("clerk2"), 4).text() == "须修改初始密码"
    screenshot(dialog, "accounts_dialog")
    dialog.table.selectRow(usernames.index("clerk2"))
    dialog.toggle_active()
    settle(qtbot, window)
    assert dialog.table.item(usernames.index("clerk2"), 3).text() == "停用"
    with pytest.raises(accounts.LoginError, match="已停用"):
        accounts.AccountService(office).log_in("clerk2", "Initial-pass-9")



def test_input_in_a_dialog_keeps_the_window_open_and_events_sent_to_widgets_are_not_watched(qtbot, office):
    """Input reaches widgets through their top-level QWindow; the lock watches those (the window's,
    and a dialog's once the focus moves there), never every event of the application: an event
    sent straight to a widget (as paints, timers and queued signals are) is not input to it."""
    from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

    window = clerk_logged_in(qtbot, office)
    lock = window.idle_lock
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is dialog.windowHandle(), timeout=3000)
    for _ in range(4):  # typing in the dialog for twenty minutes
        advance(qtbot, window, 5 * 60)
        qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_A)
    assert not lock.locked and field.text() == "aaaa"
    dialog.close()
    for _ in range(2):  # ten minutes of events sent straight to a widget, none through a window
        advance(qtbot, window, 5 * 60)
        qtbot.keyClick(window.centralWidget(), Qt.Key.Key_Shift)
    advance(qtbot, window, 15)
    assert lock.locked
