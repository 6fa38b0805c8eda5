"""Passwords in the window: the password field of the log-in page, the log-in job, and the dialog
that makes a user replace an administrator's initial password.

Every check is ``backend.accounts``' (services/accounts.py); this module only shows
its answers (wrong password, locked until, passwords not yet switched on).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from . import ops
from .errors import show_error
from .style import set_role


def password_field(page: QWidget, layout: Any) -> QLineEdit:
    """Add the password box (and the open-mode hint) to the log-in page's layout; Enter logs in."""
    layout.addWidget(QLabel("密码："))
    field = QLineEdit()
    field.setObjectName("password")
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText("请输入密码")
    field.returnPressed.connect(page.login)
    layout.addWidget(field)
    hint = QLabel()
    hint.setObjectName("password_hint")
    hint.setWordWrap(True)
    set_role(hint, "hint")
    hint.hide()
    layout.addWidget(hint)
    page.password_hint = hint
    return field


def log_in(backend, username: str, password: str) -> dict[str, Any]:
    """Runs on the worker thread: check the password, then the user as the window shows it."""
    accounts = backend.accounts
    checked = accounts.log_in(username, password)
    user = backend.queries.user(username)
    status = accounts.status()
    return user | {"must_change_password": checked["must_change_password"],
                   "idle_lock_minutes": status["idle_lock_minutes"],
                   "passwords_required": status["passwords_required"]}


def show_password_mode(page: QWidget, backend) -> None:
    """Tell the log-in page whether passwords are on (a fresh one-PC office has none yet)."""
    def done(status: dict[str, Any]) -> None:
        hint = getattr(page, "password_hint", None)
        if hint is None:
            return
        if status["passwords_required"]:
            hint.hide()
        else:
            hint.setText("本数据库尚未启用登录密码：管理员为任一用户设置密码后，所有用户都须凭密码登录。")
            hint.show()

    page.window_.run(backend.accounts.status, on_done=done, on_error=lambda _exc: None)


def after_log_in(window, user: dict[str, Any]) -> None:
    """What follows a successful log-in: 修改密码 (and for administrators 账户与密码) on the
    toolbar, the idle lock, and the initial-password change."""
    from .accounts_ui import install_account_actions
    from .idle_lock import IdleLock

    install_account_actions(window)
    if getattr(window, "idle_lock", None) is None:
        window.idle_lock = IdleLock(window, clock=window.clock)
    window.idle_lock.start(user.get("idle_lock_minutes"))
    if window.login_page is not None and hasattr(window.login_page, "password"):
        window.login_page.password.clear()
    if user.get("must_change_password"):
        dialog = ChangePasswordDialog(window, user["username"], forced=True)
        dialog.show()
        window.password_dialog = dialog


class ChangePasswordDialog(QDialog):
    """Old password, new password twice. ``forced``: the initial password must be replaced, and
    closing the dialog without changing it logs the user out."""

    changed = Signal()

    def __init__(self, window, username: str, *, forced: bool = False):
        super().__init__(window)
        self.window_ = window
        self.username = username
        self.forced = forced
        self.setObjectName("change_password_dialog")
        self.setWindowTitle("修改密码")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        v = QVBoxLayout(self)
        if forced:
            note = QLabel("这是管理员设置的初始密码，请改为只有您自己知道的密码（至少8位）。")
            note.setWordWrap(True)
            v.addWidget(note)
        form = QFormLayout()
        self.old, self.new, self.again = (QLineEdit() for _ in range(3))
        for name, field, label in (("old", self.old, "原密码"), ("new", self.new, "新密码"),
                                   ("again", self.again, "再输入一次")):
            field.setObjectName(f"password_{name}")
            field.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(label, field)
        v.addLayout(form)
        self.message = QLabel()
        set_role(self.message, "error")
        v.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        v.addWidget(buttons)
        self.rejected.connect(self._cancelled)

    def submit(self) -> None:
        if self.new.text() != self.again.text():
            self.message.setText("两次输入的新密码不一致")
            return
        self.ok_button.setEnabled(False)

        def done(_result) -> None:
            self.changed.emit()
            self.window_.statusBar().showMessage("密码已修改", 5000)
            self.forced = False
            self.accept()

        def failed(exc) -> None:
            self.ok_button.setEnabled(True)
            if isinstance(exc, KnownError):
                self.message.setText(exc.message)
            else:
                self.message.setText("修改失败，详见错误信息。")
                show_error(exc, self)

        ops.change_password(self.window_, self.username, self.old.text(), self.new.text()) \
            .success(done).failure(failed).run_in_background(initiator=self)

    def _cancelled(self) -> None:
        if self.forced and self.window_.user is not None:
            self.window_.logout()
