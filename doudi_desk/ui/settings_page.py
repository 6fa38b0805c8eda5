"""Settings for the administrator: policy parameter sets per area with effective dates, holiday
overrides, users and roles, and the county's delegation of decisions to townships."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.specs import ROLES
from ..services.admin import default_policy
from .forms import DateField
from .printing_ui import OfficeSettings
from .style import set_role


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return t


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


class SettingsPage(QTabWidget):
    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.setObjectName("settings_page")
        self.areas: list[dict[str, Any]] = []
        self.sets: list[dict[str, Any]] = []
        self.addTab(self._policy_tab(), "政策参数")
        self.addTab(self._calendar_tab(), "节假日调整")
        self.addTab(self._users_tab(), "用户和角色")
        self.addTab(self._delegation_tab(), "审批授权")
        self.office = OfficeSettings(shell)
        self.addTab(self.office, "单位信息和打印")

    @property
    def admin(self) -> str:
        return self.shell.user["username"]

    def _status(self, label: QLabel, text: str, ok: bool = True) -> None:
        label.setText(text)
        set_role(label, "ok" if ok else "refusal")

    def _run(self, status: QLabel, fn, *args, done_text: str, **kwargs) -> None:
        def ok(_result):
            self._status(status, done_text)
            self.refresh()

        def failed(exc):
            if hasattr(exc, "message"):
                from .errors import friendly

                self._status(status, friendly(exc), ok=False)
            else:
                from .errors import show_error

                show_error(exc, self)

        self.shell.executor.submit(fn, *args, owner=self, on_done=ok, on_error=failed, **kwargs)

    # --- policy ---
    def _policy_tab(self) -> QWidget:
        w = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(QLabel("各地区的政策参数集（按生效日期，后一个生效时前一个失效）："))
        self.policy_table = _table(["地区", "生效日期", "说明", "设置人"])
        self.policy_table.itemSelectionChanged.connect(self._policy_selected)
        lv.addWidget(self.policy_table)
        w.addWidget(left)
        right = QGroupBox("新增参数集")
        form = QFormLayout(right)
        self.policy_area = QComboBox()
        self.policy_from = DateField(self.shell.backend.today())
        self.policy_note = QLineEdit()
        self.policy_params = QPlainTextEdit(json.dumps(default_policy(), ensure_ascii=False, indent=2))
        self.policy_params.setToolTip("参数的 JSON 形式（见 calc-contract.md）；选中左侧一行可复制其参数")
        form.addRow("地区", self.policy_area)
        form.addRow("生效日期", self.policy_from)
        form.addRow("说明", self.policy_note)
        form.addRow("参数", self.policy_params)
        self.policy_status = QLabel()
        self.policy_status.setWordWrap(True)
        save = QPushButton("保存参数集")
        save.clicked.connect(self._save_policy)
        form.addRow(save)
        form.addRow(self.policy_status)
        w.addWidget(right)
        w.setStretchFactor(0, 3)
        w.setStretchFactor(1, 2)
        return w

    def _policy_selected(self) -> None:
        rows = self.policy_table.selectionModel().selectedRows()
        if rows:
            s = self.sets[rows[0].row()]
            self.policy_params.setPlainText(json.dumps(s["params"], ensure_ascii=False, indent=2))

    def _save_policy(self) -> None:
        try:
            params = json.loads(self.policy_params.toPlainText())
            day = dt.date.fromisoformat(self.policy_from.text())
        except (ValueError, json.JSONDecodeError) as exc:
            self._status(self.policy_status, f"参数或日期格式不正确：{exc}", ok=False)
            return
        self._run(self.policy_status, self.shell.backend.admin.set_policy, self.policy_area.currentData(), day, params,
                  actor=self.admin, note=self.policy_note.text().strip(), done_text="已保存新的参数集")

    # --- calendar ---
    def _calendar_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(QLabel("国家节假日和调休已内置；这里只登记本地的调整（例如本地放假、周末加班）："))
        self.calendar_table = _table(["日期", "本办公室", "国家安排"])
        v.addWidget(self.calendar_table)
        row = QHBoxLayout()
        self.cal_day = DateField(self.shell.backend.today())
        self.cal_kind = QComboBox()
        self.cal_kind.addItem("放假", False)
        self.cal_kind.addItem("上班", True)
        self.cal_note = QLineEdit()
        self.cal_note.setPlaceholderText("说明")
        add = QPushButton("登记")
        add.clicked.connect(self._save_day)
        for x in (QLabel("日期"), self.cal_day, self.cal_kind, self.cal_note, add):
            row.addWidget(x)
        v.addLayout(row)
        self.cal_status = QLabel()
        v.addWidget(self.cal_status)
        return w

    def _save_day(self) -> None:
        try:
            day = dt.date.fromisoformat(self.cal_day.text())
        except ValueError:
            self._status(self.cal_status, "请填写日期（YYYY-MM-DD）", ok=False)
            return
        self._run(self.cal_status, self.shell.backend.admin.set_calendar_day, day, self.cal_kind.currentData(),
                  self.cal_note.text().strip(), actor=self.admin, done_text=f"已登记 {day.isoformat()}")

    # --- users ---
    def _users_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        self.user_table = _table(["用户名", "姓名", "角色", "所属地区", "状态"])
        v.addWidget(self.user_table)
        box = QGroupBox("新增用户")
        form = QFormLayout(box)
        self.new_username = QLineEdit()
        self.new_full_name = QLineEdit()
        roles = QHBoxLayout()
        self.role_boxes = {}
        for key, label in ROLES.items():
            cb = QCheckBox(label)
            self.role_boxes[key] = cb
            roles.addWidget(cb)
        roles.addStretch(1)
        self.new_area = QComboBox()
        form.addRow("用户名", self.new_username)
        form.addRow("姓名", self.new_full_name)
        form.addRow("角色", roles)
        form.addRow("所属地区", self.new_area)
        add = QPushButton("新增用户")
        add.clicked.connect(self._add_user)
        self.user_status = QLabel()
        form.addRow(add)
        form.addRow(self.user_status)
        v.addWidget(box)
        return w

    def _add_user(self) -> None:
        roles = [k for k, cb in self.role_boxes.items() if cb.isChecked()]
        self._run(self.user_status, self.shell.backend.admin.add_user, self.new_username.text().strip(),
                  self.new_full_name.text().strip(), roles, self.new_area.currentData(), actor=self.admin,
                  done_text="已新增用户")

    # --- delegation ---
    def _delegation_tab(self) -> QWidget:
        w = QWidget()
        self.delegation_layout = QVBoxLayout(w)
        self.delegation_layout.addWidget(QLabel("县级民政部门授权乡镇审批确认的乡镇（新案件总时限20个工作日）："))
        self.delegation_boxes: dict[str, QCheckBox] = {}
        self.delegation_holder = QVBoxLayout()
        self.delegation_layout.addLayout(self.delegation_holder)
        self.delegation_status = QLabel()
        self.delegation_layout.addWidget(self.delegation_status)
        self.delegation_layout.addStretch(1)
        return w

    # --- refresh ---
    def refresh(self) -> None:
        q = self.shell.backend.queries
        self.office.mark_stale()

        def load():
            return {"areas": q.areas(), "sets": q.policy_sets(), "days": q.calendar_overrides(), "users": q.users(),
                    "delegated": q.delegated_townships()}

        self.shell.executor.submit(load, owner=self, on_done=self._arrived)

    def _arrived(self, data: dict[str, Any]) -> None:
        self.areas = data["areas"]
        self.sets = data["sets"]
        names = {a["code"]: a["name"] for a in self.areas}
        _fill(self.policy_table, [[s["area_name"], s["effective_from"], s["note"] or "", s["created_by"]]
                                  for s in self.sets])
        _fill(self.calendar_table, [[d["day"], "上班" if d["working"] else "放假", d["national"] or ""]
                                    for d in data["days"]])
        _fill(self.user_table, [[u["username"], u["full_name"], u["role_labels"], names.get(u["area"], u["area"] or "—"),
                                 "在用" if u["active"] else "停用"] for u in data["users"]])
        for combo, levels in ((self.policy_area, ("county", "township", "village")),
                              (self.new_area, ("county", "township", "village"))):
            current = combo.currentData()
            combo.clear()
            if combo is self.new_area:
                combo.addItem("（不限）", None)
            for a in self.areas:
                if a["level"] in levels:
                    combo.addItem(f"{a['name']}（{a['level_label']}）", a["code"])
            i = combo.findData(current)
            if i >= 0:
                combo.setCurrentIndex(i)
        for box in self.delegation_boxes.values():
            box.setParent(None)
        self.delegation_boxes = {}
        for a in self.areas:
            if a["level"] == "township":
                box = QCheckBox(a["name"])
                box.setChecked(a["code"] in data["delegated"])
                box.toggled.connect(lambda on, code=a["code"]: self._run(
                    self.delegation_status, self.shell.backend.admin.set_delegation, code, on, actor=self.admin,
                    done_text="已保存审批授权"))
                self.delegation_boxes[a["code"]] = box
                self.delegation_holder.addWidget(box)
