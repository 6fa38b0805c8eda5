"""Accounts in the window: "修改密码" for everyone, and for administrators a list of accounts with
their log-in state where they set an initial password, lift a lock or disable an account.

The services decide (AdminService refuses anyone but an administrator); these widgets only ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..domain.errors import KnownError
from . import ops
from .errors import show_error
from .login import ChangePasswordDialog
from .style import set_role

if TYPE_CHECKING:
    from ..services.admin import AdminService

COLUMNS = ["用户名", "姓名", "角色", "状态", "密码", "登录锁定"]


def install_account_actions(window) -> None:
    """Add 修改密码 (everyone) and 账户与密码 (administrators) to the toolbar, once per log-in."""
    for action in getattr(window, "account_actions", []):
        window.toolbar.removeAction(action)
    actions = []
    change = QAction("修改密码", window)
    change.setObjectName("change_password_action")
    change.triggered.connect(lambda: _show(window, ChangePasswordDialog(window, window.user["username"])))
    actions.append(change)
    if "admin" in window.user.get("roles", []):
        manage = QAction("账户与密码", window)
        manage.setObjectName("accounts_action")
        manage.triggered.connect(lambda: _show(window, AccountsDialog(window)))
        actions.append(manage)
    for action in actions:
        window.toolbar.addAction(action)
    window.account_actions = actions


def _show(window, dialog: QDialog) -> QDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    window.account_dialog = dialog
    return dialog


class AccountsDialog(QDialog):
    """Administrator: accounts, whether each has a password or is locked; set, unlock, disable."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setObjectName("accounts_dialog")
        self.setWindowTitle("账户与密码")
        self.resize(760, 420)
        v = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        v.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(QLabel("初始密码："))
        self.password = QLineEdit()
        self.password.setObjectName("initial_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少8位；该用户下次登录时须修改")
        row.addWidget(self.password, 1)
        self.set_button = QPushButton("设置初始密码")
        self.unlock_button = QPushButton("解除锁定")
        self.active_button = QPushButton("停用/启用")
        for button, slot in ((self.set_button, self.set_password), (self.unlock_button, self.unlock),
                             (self.active_button, self.toggle_active)):
            button.clicked.connect(slot)
            row.addWidget(button)
        v.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        v.addWidget(self.status)
        self.rows: list[dict[str, Any]] = []
        self.refresh()

    @property
    def admin(self) -> AdminService:
        return self.window_.backend.admin

    def refresh(self) -> None:
        self.window_.run(self.admin.accounts, self.window_.user["username"], on_done=self._fill,
                         on_error=self._failed)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, a in enumerate(rows):
            password = "须修改初始密码" if a["must_change_password"] else ("已设置" if a["has_password"] else "未设置")
            locked = f"锁定至 {a['locked_until']}" if a["locked_until"] else (
                f"连续输错 {a['failed_logins']} 次" if a["failed_logins"] else "")
            for c, text in enumerate([a["username"], a["full_name"], a["role_labels"],
                                      "启用" if a["active"] else "停用", password, locked]):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.rows):
            self._say("请先在表中选择一个用户", ok=False)
            return None
        return self.rows[row]

    def _say(self, text: str, ok: bool = True) -> None:
        self.status.setText(text)
        set_role(self.status, "ok" if ok else "error")

    def _failed(self, exc) -> None:
        if isinstance(exc, KnownError):
            self._say(exc.message, ok=False)
        else:
            self._say("操作失败，详见错误信息。", ok=False)
            show_error(exc, self)

    def _done(self, text: str):
        def done(_result) -> None:
            self._say(text)
            self.refresh()  # a dialog, not a tab page: the 设置 tab hears of it from operation_did_execute
        return done

    def set_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        password = self.password.text()
        self.password.clear()
        ops.set_password(self.window_, account["username"], password) \
            .success(self._done(f"已为 {account['full_name']} 设置初始密码，请当面告知本人")).failure(self._failed) \
            .run_in_background(initiator=self)

    def unlock(self) -> None:
        account = self.selected()
        if account is not None:
            ops.unlock_user(self.window_, account["username"]) \
                .success(self._done(f"已解除 {account['full_name']} 的登录锁定")).failure(self._failed) \
                .run_in_background(initiator=self)

    def toggle_active(self) -> None:
        account = self.selected()
        if account is not None:
            active = not account["active"]
            ops.set_active(self.window_, account["username"], active) \
                .success(self._done(f"已{'启用' if active else '停用'} {account['full_name']}")).failure(self._failed) \
                .run_in_background(initiator=self)
