"""单位信息和打印: the office details printed on documents, the print fonts and the template folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...services.office import FONT_ROLES, OFFICE_FIELDS
from ..errors import friendly, show_error
from ..style import set_role


class OfficeSettings(QWidget):
    """单位信息和打印: the office details printed on documents (for every township or one), the print
    fonts with what is really used and every substitution, and the office's template folder."""

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.stored: dict[str, Any] = {}
        self.effective: dict[str, dict[str, str]] = {}
        self.font_dialog: QFileDialog | None = None
        self._stale = True
        self.setObjectName("office_settings")
        row = QHBoxLayout(self)

        office = QGroupBox("单位信息（打印在通知书、公示名单上）")
        form = QFormLayout(office)
        self.scope = QComboBox()
        self.scope.setObjectName("office_scope")
        self.scope.addItem("全部乡镇（默认）", "*")
        self.scope.currentIndexChanged.connect(lambda _i: self._show_scope())
        form.addRow("适用于", self.scope)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in OFFICE_FIELDS.items():
            edit = QLineEdit()
            edit.setObjectName(f"office_{key}")
            edit.setMaxLength(200)
            self.fields[key] = edit
            form.addRow(label, edit)
        hint = QLabel("留空的项目按地区名称自动生成（如「桃源镇人民政府」「青山县民政局」）；"
                      "为某个乡镇填写的内容优先于「全部乡镇」。灰色文字是现在打印出来的内容。")
        hint.setWordWrap(True)
        set_role(hint, "hint")
        form.addRow(hint)
        self.save_button = QPushButton("保存单位信息")
        self.save_button.setObjectName("office_save")
        self.save_button.clicked.connect(self.save_details)
        form.addRow(self.save_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form.addRow(self.status)
        row.addWidget(office, 1)

        fonts = QGroupBox("打印字体和模板")
        fv = QVBoxLayout(fonts)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("用途"))
        self.font_role = QComboBox()
        for key, label in FONT_ROLES.items():
            self.font_role.addItem(label, key)
        self.font_role.currentIndexChanged.connect(
            lambda _i: self.font_path.setText((self.stored.get("print_fonts") or {}).get(self.font_role.currentData(), "")))
        pick.addWidget(self.font_role)
        self.font_path = QLineEdit()
        self.font_path.setObjectName("font_path")
        self.font_path.setPlaceholderText("TrueType 字体文件（.ttf / .ttc；.ttc 可写 路径#序号）")
        pick.addWidget(self.font_path, 1)
        browse = QPushButton("选择…")
        browse.clicked.connect(self.choose_font)
        pick.addWidget(browse)
        fv.addLayout(pick)
        buttons = QHBoxLayout()
        self.font_save = QPushButton("使用此字体")
        self.font_save.setObjectName("font_save")
        self.font_save.clicked.connect(lambda: self.save_font(self.font_path.text().strip()))
        self.font_reset = QPushButton("恢复系统字体")
        self.font_reset.clicked.connect(lambda: self.save_font(""))
        buttons.addWidget(self.font_save)
        buttons.addWidget(self.font_reset)
        buttons.addStretch(1)
        fv.addLayout(buttons)
        fv.addWidget(QLabel("现在使用的打印字体："))
        self.font_table = QTableWidget(0, 3)
        self.font_table.setObjectName("font_table")
        self.font_table.setHorizontalHeaderLabels(["用途", "字体", "文件"])
        self.font_table.verticalHeader().setVisible(False)
        self.font_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        h = self.font_table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        fv.addWidget(self.font_table)
        self.font_notes = QLabel()
        self.font_notes.setObjectName("font_notes")
        self.font_notes.setWordWrap(True)
        self.font_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fv.addWidget(self.font_notes)
        tpl = QHBoxLayout()
        tpl.addWidget(QLabel("本单位模板文件夹"))
        self.templates = QLineEdit()
        self.templates.setObjectName("templates_dir")
        self.templates.setPlaceholderText("未设置：使用内置模板")
        tpl.addWidget(self.templates, 1)
        tpl_save = QPushButton("保存")
        tpl_save.clicked.connect(self.save_templates)
        tpl.addWidget(tpl_save)
        fv.addLayout(tpl)
        self.font_status = QLabel()
        self.font_status.setWordWrap(True)
        fv.addWidget(self.font_status)
        row.addWidget(fonts, 1)

    @property
    def admin(self) -> str:
        return self.shell.user["username"]

    # --- reading ---
    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        backend = self.shell.backend

        def work() -> dict[str, Any]:
            areas = backend.queries.areas()
            townships = [a for a in areas if a["level"] == "township"]
            data: dict[str, Any] = {"stored": backend.office.stored(), "townships": townships,
                                    "effective": {t["code"]: backend.office.details(t["code"]) for t in townships}}
            try:
                data["fonts"] = backend.printing.font_report()
            except DomainError as exc:  # e.g. a configured font file ReportLab cannot load
                data["fonts"] = {"faces": {}, "notes": [friendly(exc)]}
            return data

        self.shell.executor.submit(work, owner=self, on_done=self._arrived,
                                   on_error=lambda exc: self._status(self.status, exc))

    def _arrived(self, data: dict[str, Any]) -> None:
        self.stored = data["stored"]
        self.effective = data["effective"]
        current = self.scope.currentData()
        self.scope.blockSignals(True)
        while self.scope.count() > 1:
            self.scope.removeItem(1)
        for t in data["townships"]:
            self.scope.addItem(t["name"], t["code"])
        i = self.scope.findData(current)
        self.scope.setCurrentIndex(i if i >= 0 else 0)
        self.scope.blockSignals(False)
        self._show_scope()
        faces = data["fonts"]["faces"]
        self.font_table.setRowCount(len(faces))
        for r, (role, face) in enumerate(faces.items()):
            values = (FONT_ROLES.get(role, role), face["label"], f"{face['path']}#{face['index']}")
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.font_table.setItem(r, c, item)
        notes = data["fonts"]["notes"]
        self.font_notes.setText("字体替换：\n" + "\n".join(notes) if notes else "没有字体替换。")
        set_role(self.font_notes, "banner" if notes else "hint")
        configured = self.stored.get("print_fonts") or {}
        role = self.font_role.currentData()
        self.font_path.setText(configured.get(role, ""))
        self.templates.setText(self.stored.get("print_templates_dir") or "")

    def _show_scope(self) -> None:
        scope = self.scope.currentData()
        values = (self.stored.get("office") or {}).get(scope) or {}
        effective = self.effective.get(scope) if scope != "*" else None
        for key, edit in self.fields.items():
            edit.setText(values.get(key, ""))
            if effective is not None:
                edit.setPlaceholderText(effective.get(key) or "（空）")
            else:
                edit.setPlaceholderText("未设置：按各乡镇的地区名称自动生成" if key not in ("phone", "address")
                                        else "未设置")

    # --- changing ---
    def _status(self, label: QLabel, exc_or_text: BaseException | str, ok: bool = False) -> None:
        if isinstance(exc_or_text, BaseException) and not isinstance(exc_or_text, DomainError):
            show_error(exc_or_text, self)
            exc_or_text = "操作没有完成，详见错误信息。"
        label.setText(friendly(exc_or_text) if isinstance(exc_or_text, BaseException) else exc_or_text)
        set_role(label, "ok" if ok else "refusal")

    def save_details(self) -> None:
        scope = self.scope.currentData()
        values = {key: edit.text().strip() for key, edit in self.fields.items()}
        office = self.shell.backend.office

        def done(details: dict[str, str]) -> None:
            where = "全部乡镇" if scope == "*" else self.scope.currentText()
            self._status(self.status, f"已保存{where}的单位信息：落款「{details['name']}」", ok=True)
            self.refresh()

        self.shell.executor.submit(office.set_details, values, None if scope == "*" else scope, actor=self.admin,
                                   owner=self, on_done=done, on_error=lambda exc: self._status(self.status, exc))

    def choose_font(self) -> QFileDialog:
        start = str(Path(self.font_path.text()).parent) if self.font_path.text() else ""
        dialog = QFileDialog(self, "选择打印字体", start, "TrueType 字体 (*.ttf *.ttc *.TTF *.TTC)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.font_path.setText)
        dialog.finished.connect(lambda _r: setattr(self, "font_dialog", None))
        self.font_dialog = dialog
        dialog.open()
        return dialog

    def save_font(self, path: str) -> None:
        role = self.font_role.currentData()
        office = self.shell.backend.office

        def done(_fonts: dict[str, str]) -> None:
            self._status(self.font_status, f"已设置{FONT_ROLES[role]}字体：{path}" if path
                         else f"{FONT_ROLES[role]}已恢复使用系统字体", ok=True)
            self.refresh()

        self.shell.executor.submit(office.set_font, role, path or None, actor=self.admin, owner=self,
                                   on_done=done, on_error=lambda exc: self._status(self.font_status, exc))

    def save_templates(self) -> None:
        folder = self.templates.text().strip()
        office = self.shell.backend.office

        def done(value: str | None) -> None:
            self._status(self.font_status, f"打印模板文件夹：{value}" if value else "已恢复只用内置模板", ok=True)
            self.refresh()

        self.shell.executor.submit(office.set_templates_dir, folder or None, actor=self.admin, owner=self,
                                   on_done=done, on_error=lambda exc: self._status(self.font_status, exc))
