"""关于兜底 Desk: version, database and schema revision, where the data lives (for the office's IT
helper on the telephone). Non-modal; the facts are read on the worker."""

from __future__ import annotations

from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..services.about import about
from .style import set_role

FIELDS = (
    ("version", "程序版本"),
    ("revision", "数据库结构版本"),
    ("database", "数据库"),
    ("data_folder", "数据文件夹"),
    ("backup_folder", "备份文件夹"),
    ("log_folder", "日志文件夹"),
    ("program_folder", "程序文件夹"),
    ("runtime", "运行环境"),
)


class AboutDialog(QDialog):
    """The facts of :func:`doudi_desk.services.about.about`, one per row, selectable for copying."""

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.info: dict[str, Any] = {}
        self.values: dict[str, QLabel] = {}
        self.setObjectName("about_dialog")
        self.setWindowTitle("关于兜底 Desk")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        title = QLabel("兜底 Desk — 社会救助案件办理")
        set_role(title, "title")
        layout.addWidget(title)
        form = QFormLayout()
        for key, label in FIELDS:
            value = QLabel("…")
            value.setObjectName(f"about_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.values[key] = value
            form.addRow(label, value)
        layout.addLayout(form)
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_role(self.note, "hint")
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(640, 360)
        self.refresh()

    def refresh(self) -> None:
        backend = self.shell.backend  # None before the database is open: the program's part only
        self.shell.executor.submit(backend.about if backend is not None else about, owner=self, on_done=self.show_info,
                                   on_error=lambda exc: self.note.setText(f"无法读取：{exc}"))

    def show_info(self, info: dict[str, Any]) -> None:
        self.info = info
        revision = info.get("revision")
        head = info["head_revision"]
        texts = {
            "version": info["version"],
            "revision": (f"{revision}（本程序最新：{head}）" if revision and revision != head
                         else f"{revision or '（尚未打开数据库）'}"),
            "database": (f"{info['database']}（{info['backend']}）" if info.get("database") else "（尚未打开）"),
            "runtime": f"Python {info['python']}，Qt {qVersion()}，PySide6 {pyside_version}，{info['system']}"
                       + ("（安装版）" if info["frozen"] else "（源代码）"),
        }
        for key, label in self.values.items():
            label.setText(texts.get(key, str(info.get(key, ""))))
        upgrade = info.get("upgrade")
        if upgrade:
            self.note.setText(f"本次启动已把数据库结构从 {upgrade['from']} 升级到 {upgrade['to']}；"
                              f"升级前的备份：{upgrade['backup']}")
        else:
            self.note.setText("数据和备份保存在数据文件夹中；卸载程序不会删除它们。")
