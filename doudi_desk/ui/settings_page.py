"""Settings for the administrator: policy parameter sets per area with effective dates, holiday
overrides, users and roles, and the county's delegation of decisions to townships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from ..domain.specs import ROLES
from ..services.admin import default_policy
from . import ops
from .errors import friendly
from .forms import DateField
from .policy_form import PolicyForm
from .printing_ui.office_settings import OfficeSettings
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


class SettingsPage(QTabWidget, ops.ChangeListener):
    """设置: policy parameter sets, calendar, users, delegation, office details. Every change is a
    command op (ui/ops/office.py); the page reads again after any that changed the set-up or the
    accounts."""

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

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if changes.policy or changes.accounts:
            self.refresh()

    def _status(self, label: QLabel, text: str, ok: bool = True) -> None:
        label.setText(text)
        set_role(label, "ok" if ok else "refusal")

    def _run(self, status: QLabel, op: ops.CollectionOp, *, done_text: str, on_refused=None) -> None:
        """Run a settings command (ui/ops/office.py); the page reads again from on_changes."""
        def ok(_result):
            self._status(status, done_text)

        def failed(exc):
            if isinstance(exc, KnownError):
                self._status(status, friendly(exc), ok=False)
                if on_refused:
                    on_refused(exc)
            else:
                from .errors import show_error

                show_error(exc, self)

        op.success(ok).failure(failed).run_in_background(initiator=self)

    # --- policy ---
    def _policy_tab(self) -> QWidget:
        w = QWidget()
        outer = QVBoxLayout(w)
        top = QHBoxLayout()
        left = QVBoxLayout()
        intro = QLabel("各地区的政策参数集（按生效日期，后一个生效时前一个失效）。选中一行可作为新参数集的底稿：")
        intro.setWordWrap(True)
        left.addWidget(intro)
        self.policy_table = _table(["地区", "生效日期", "说明", "设置人"])
        self.policy_table.setFixedHeight(130)
        self.policy_table.itemSelectionChanged.connect(self._policy_selected)
        left.addWidget(self.policy_table)
        top.addLayout(left, 3)
        head = QGroupBox("新增参数集")
        form = QFormLayout(head)
        self.policy_area = QComboBox()
        self.policy_area.setObjectName("policy_area")
        self.policy_from = QDateEdit()
        self.policy_from.setObjectName("policy_from")
        self.policy_from.setCalendarPopup(True)
        self.policy_from.setDisplayFormat("yyyy-MM-dd")
        today = self.shell.backend.today()
        self.policy_from.setDate(QDate(today.year, today.month, today.day))
        self.policy_from.setMaximumWidth(140)
        self.policy_note = QLineEdit()
        self.policy_note.setPlaceholderText("如：2027年起执行新低保标准（县政府文件文号）")
        form.addRow("地区＊", self.policy_area)
        form.addRow("生效日期＊", self.policy_from)
        form.addRow("说明", self.policy_note)
        top.addWidget(head, 2)
        outer.addLayout(top)
        self.policy_form = PolicyForm()
        self.policy_form.set_values(default_policy())
        scroll = QScrollArea()
        scroll.setObjectName("policy_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.policy_form)
        outer.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        self.policy_status = QLabel()
        self.policy_status.setObjectName("policy_status")
        self.policy_status.setWordWrap(True)
        bottom.addWidget(self.policy_status, 1)
        defaults = QPushButton("填入示例参数")
        defaults.setToolTip("程序自带的示例参数（政策参数说明中的示例县），请按本地标准修改")
        defaults.clicked.connect(lambda: self.policy_form.set_values(default_policy()))
        self.policy_save = QPushButton("保存参数集")
        self.policy_save.setObjectName("policy_save")
        self.policy_save.clicked.connect(self._save_policy)
        bottom.addWidget(defaults)
        bottom.addWidget(self.policy_save)
        outer.addLayout(bottom)
        return w

    def _policy_selected(self) -> None:
        rows = self.policy_table.selectionModel().selectedRows()
        if rows:
            s = self.sets[rows[0].row()]
            self.policy_form.set_values(s["params"])
            self.policy_note.setText("")
            self._status(self.policy_status, f"已载入 {s['area_name']} 自 {s['effective_from']} 起的参数集作为底稿；"
                                             "修改后选择生效日期保存为新的参数集。")

    def _save_policy(self) -> None:
        problems = self.policy_form.validate()
        if problems:
            self._status(self.policy_status, f"有 {len(problems)} 处需要修改，见各项旁的红字提示；未保存。", ok=False)
            return
        area = self.policy_area.currentData()
        if not area:
            self._status(self.policy_status, "请选择地区；未保存。", ok=False)
            return
        d = self.policy_from.date()
        day = dt.date(d.year(), d.month(), d.day())

        self._run(self.policy_status, ops.set_policy(self.shell, area, day, self.policy_form.values(),
                                                     self.policy_note.text().strip()),
                  on_refused=lambda _exc: self.policy_form.validate(),  # each field's message beside it
                  done_text=f"已保存：{self.policy_area.currentText()} 自 {day.isoformat()} 起施行的参数集"
                            f"（设置人：{self.shell.user['full_name']}）")

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
        self._run(self.cal_status, ops.set_calendar_day(self.shell, day, self.cal_kind.currentData(),
                                                        self.cal_note.text().strip()),
                  done_text=f"已登记 {day.isoformat()}")

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
        self._run(self.user_status, ops.add_user(self.shell, self.new_username.text().strip(),
                                                 self.new_full_name.text().strip(), roles, self.new_area.currentData()),
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
        _fill(self.policy_table, [[s["area_name"], s["effective_from"], s["note"] or "", s["created_by_name"]]
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
                    combo.addItem(f"{a['name']} · {a['level_label']}", a["code"])
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
                    self.delegation_status, ops.set_delegation(self.shell, code, on), done_text="已保存审批授权"))
                self.delegation_boxes[a["code"]] = box
                self.delegation_holder.addWidget(box)
