"""大排查: the township's screening campaigns (reports.md §3) — progress per village, the target
households and their checks, the problems followed 待整改 → 整改中 → 已整改, cases opened from
problems, and the seed's 排查情况统计表 and 核查问题清单 as xlsx or PDF.

Every action goes to services/campaigns.py on the worker; a refusal is shown in the dialog that
asked for it, which stays open with what was typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from . import ops
from .campaign_dialogs import AdvanceDialog, CheckDialog, NewCampaignDialog, ProblemDialog
from .dynamic_page import RowsModel
from .errors import show_error
from .report_common import ask_save_path, run_for
from .style import GREY, RED, set_role

MANAGER_ROLES = {"township_reviewer", "county_approver"}


def _table(columns: list[tuple[str, str]], text, colour=None, widths=()) -> tuple[QTableView, RowsModel]:
    view = QTableView()
    model = RowsModel(columns, text, colour, parent=view)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)
    return view, model


class CampaignPage(QWidget, ops.ChangeListener):
    """Signals: loaded() — a campaign is shown; open_case(int); exported(str). Every write is a
    command op (ui/ops/campaigns.py); the page reads again after any that changed campaigns."""

    loaded = Signal()
    open_case = Signal(int)
    exported = Signal(str)
    permanent = True

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        # The page belongs to this log-in; it is deleted at log-out, its late callbacks dropped.
        self.username, self.full_name = shell.user["username"], shell.user.get("full_name", "")
        self.user_area = shell.user.get("area")
        self.view: dict[str, Any] | None = None
        self.dialog = None
        self._select_next: int | None = None  # a campaign just created
        self.setObjectName("campaign_page")
        roles = set(shell.user["roles"])
        self.manager = bool(roles & MANAGER_ROLES)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("排查活动"))
        self.campaign = QComboBox()
        self.campaign.setMinimumWidth(360)
        self.campaign.currentIndexChanged.connect(lambda _i: self.load())
        bar.addWidget(self.campaign)
        self.new_button = QPushButton("新建排查活动…")
        self.new_button.clicked.connect(self.ask_new)
        self.new_button.setVisible(self.manager)
        bar.addWidget(self.new_button)
        self.export_button = QToolButton()
        self.export_button.setText("导出报表")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        for table, label in (("summary", "排查情况统计表"), ("problems", "核查问题清单")):
            for kind in ("xlsx", "pdf"):
                menu.addAction(f"{label}（{'Excel' if kind == 'xlsx' else 'PDF'}）…",
                               lambda table=table, kind=kind: self.ask_export(table, kind))
        self.export_button.setMenu(menu)
        bar.addWidget(self.export_button)
        self.close_button = QPushButton("结束活动")
        self.close_button.setVisible(self.manager)
        self.close_button.clicked.connect(self.close_campaign)
        bar.addWidget(self.close_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.summary = QLabel("尚无排查活动。" + ("点「新建排查活动…」开始。" if self.manager else ""))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.message = QLabel()
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        # 进度
        page = QWidget()
        v = QVBoxLayout(page)
        self.progress_view, self.progress_model = _table(
            [("village_name", "村（社区）"), ("assigned_name", "排查人员"), ("checked_text", "已核查/对象户数"),
             ("open", "未整改问题"), ("fixed", "已整改问题")],
            lambda r, k: str(r.get(k) if r.get(k) is not None else ""),
            lambda r, k: RED if k == "open" and r["open"] else None, (160, 120, 140, 100, 100))
        v.addWidget(self.progress_view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("排查人员"))
        self.staff = QComboBox()
        row.addWidget(self.staff)
        self.assign_button = QPushButton("分配所选村")
        self.assign_button.clicked.connect(self.assign)
        row.addWidget(self.assign_button)
        row.addStretch(1)
        for w in (self.staff, self.assign_button):
            w.setVisible(self.manager)
        v.addLayout(row)
        self.tabs.addTab(page, "进度")

        # 排查对象
        page = QWidget()
        v = QVBoxLayout(page)
        self.target_view, self.target_model = _table(
            [("village_name", "村（社区）"), ("head_name", "户主"), ("members", "人口"), ("reasons_text", "纳入原因"),
             ("checked_text", "核查情况")],
            lambda r, k: str(r.get(k) if r.get(k) is not None else ""),
            lambda r, k: GREY if k == "checked_text" and not r["checked"] else None, (120, 90, 50, 260, 220))
        self.target_view.doubleClicked.connect(lambda _i: self.ask_check())
        v.addWidget(self.target_view, 1)
        row = QHBoxLayout()
        self.check_button = QPushButton("登记核查…")
        self.check_button.clicked.connect(self.ask_check)
        self.target_problem_button = QPushButton("登记该户问题…")
        self.target_problem_button.clicked.connect(lambda: self.ask_problem(with_target=True))
        row.addWidget(self.check_button)
        row.addWidget(self.target_problem_button)
        row.addStretch(1)
        v.addLayout(row)
        self.tabs.addTab(page, "排查对象")

        # 问题
        page = QWidget()
        v = QVBoxLayout(page)
        self.problem_view, self.problem_model = _table(
            [("id", "编号"), ("village_name", "村（社区）"), ("head", "户主"), ("kind_label", "类型"), ("topic", "主要内容"),
             ("finding", "发现问题"), ("state_label", "状态"), ("case_number", "案件"), ("deadline_text", "完成时限")],
            lambda r, k: str(r.get(k) if r.get(k) is not None else ""),
            lambda r, k: RED if k == "state_label" and r["state"] == "pending" else None,
            (50, 100, 80, 80, 80, 260, 70, 130, 90))
        self.problem_view.doubleClicked.connect(lambda _i: self._open_problem_case())
        v.addWidget(self.problem_view, 1)
        row = QHBoxLayout()
        self.problem_button = QPushButton("登记问题…")
        self.problem_button.clicked.connect(lambda: self.ask_problem(with_target=False))
        self.start_button = QPushButton("开始整改…")
        self.start_button.clicked.connect(lambda: self.ask_advance("in_progress"))
        self.fixed_button = QPushButton("确认已整改…")
        self.fixed_button.clicked.connect(lambda: self.ask_advance("fixed"))
        self.fixed_button.setVisible(self.manager)
        self.case_button = QPushButton("开立案件")
        self.case_button.setToolTip("应保未保：登记低保申请；错保：提出停保")
        self.case_button.clicked.connect(self.open_problem_case)
        for b in (self.problem_button, self.start_button, self.fixed_button, self.case_button):
            row.addWidget(b)
        row.addStretch(1)
        v.addLayout(row)
        self.tabs.addTab(page, "问题")
        self._loaded_once = False

    # --- loading ---
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.shell.user is None:  # shown for a moment while the tabs are cleared at log-out
            return
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()

    def refresh(self, select: int | None = None) -> None:
        username = self.username
        backend = self.shell.backend

        def work():
            return backend.campaigns.campaigns(username), backend.queries.users()

        run_for(self, work, on_done=lambda r: self._campaigns(*r, select=select), on_error=self._failed)

    def _campaigns(self, campaigns: list[dict[str, Any]], users: list[dict[str, Any]], select: int | None) -> None:
        current = select or self.campaign.currentData()
        self.campaign.blockSignals(True)
        self.campaign.clear()
        for c in campaigns:
            self.campaign.addItem(f"{c['name']}（{c['area_name']}{'，已结束' if c['status'] != 'open' else ''}）", c["id"])
        self.campaign.setCurrentIndex(max(self.campaign.findData(current), 0) if current else 0)
        self.campaign.blockSignals(False)
        self.staff.clear()
        for u in users:
            if u["active"] and set(u.get("roles", [])) & {"caseworker", "township_reviewer", "county_approver"}:
                self.staff.addItem(u["full_name"], u["username"])
        self.load()

    def load(self) -> None:
        campaign_id = self.campaign.currentData()
        if campaign_id is None:
            self.view = None
            self._show()
            return
        run_for(self, self.shell.backend.campaigns.show, campaign_id, self.username,
                       on_done=self._loaded, on_error=self._failed)

    def _loaded(self, view: dict[str, Any]) -> None:
        self.view = view
        self._show()
        self.loaded.emit()

    def _show(self) -> None:
        view = self.view
        if view is None:
            for m in (self.progress_model, self.target_model, self.problem_model):
                m.set_rows([])
            return
        t = view["total"]
        phases = "；".join(f"{p['name']} {p['start_on']}至{p['end_on']}" for p in view["phases"])
        self.summary.setText(f"{view['name']}　{view['doc_number'] or ''}　范围：{view['area_name']}　{phases}\n"
                             f"已核查 {t['checked']}/{t['targets']} 户；问题 未整改 {t['open']} 个，已整改 {t['fixed']} 个"
                             f"{'　（活动已结束）' if view['status'] != 'open' else ''}")
        self.progress_model.set_rows([r | {"checked_text": f"{r['checked']}/{r['targets']}"} for r in view["progress"]])
        self.target_model.set_rows([t | {"reasons_text": "、".join(t["reason_labels"]),
                                         "checked_text": (f"{t['check']['checked_on']} {t['check']['checked_by']}"
                                                          if t["check"] else "未核查")} for t in view["targets"]])
        self.problem_model.set_rows(view["problems"])
        self.message.clear()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
        else:
            show_error(exc, self)

    def _selected(self, view: QTableView, model: RowsModel) -> dict[str, Any] | None:
        rows = view.selectionModel().selectedRows()
        return model.row(rows[0].row()) if rows else None

    # --- running an action from a dialog ---
    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if changes.campaigns and self._loaded_once:  # a page never shown reads when first shown
            select, self._select_next = self._select_next, None
            self.refresh(select=select or (self.view["id"] if self.view else None))

    def _submit(self, dialog, op: ops.CollectionOp) -> None:
        def done(_r) -> None:
            dialog.deleteLater()
            self.dialog = None

        op.success(done).failure(lambda exc: dialog.show_error(str(exc))
                                 if isinstance(exc, KnownError) else show_error(exc, self)).run_in_background(initiator=self)

    def _dialog(self, dialog, on_ok) -> Any:
        self.dialog = dialog
        dialog.accepted.connect(lambda: on_ok(dialog))
        dialog.rejected.connect(lambda: setattr(self, "dialog", None))
        dialog.show()
        return dialog

    def ask_new(self):
        def work():
            return self.shell.backend.statistics.report_areas(self.username)

        run_for(self, work, on_done=lambda areas: self._dialog(
            NewCampaignDialog(self, areas, self.shell.backend.today()), self._create), on_error=self._failed)

    def _create(self, dialog) -> None:
        def done(view) -> None:
            dialog.deleteLater()
            self.dialog = None
            self._select_next = view["id"]  # on_changes shows the new campaign

        ops.campaigns.create(self.shell, dialog.values()).success(done).failure(
            lambda exc: dialog.show_error(str(exc)) if isinstance(exc, KnownError) else show_error(exc, self)) \
            .run_in_background(initiator=self)

    def assign(self) -> None:
        row = self._selected(self.progress_view, self.progress_model)
        if row is None or self.view is None:
            self.message.setText("请先选择一个村（社区）。")
            return
        ops.campaigns.assign(self.shell, self.view["id"], row["village"], self.staff.currentData()) \
            .failure(self._failed).run_in_background(initiator=self)

    def ask_check(self):
        target = self._selected(self.target_view, self.target_model)
        if target is None:
            self.message.setText("请先选择一户排查对象。")
            return None
        dialog = CheckDialog(self, target, self.full_name, self.shell.backend.today())
        return self._dialog(dialog, lambda d: self._submit(
            d, ops.campaigns.record_check(self.shell, d.target["id"], d.values())))

    def ask_problem(self, with_target: bool):
        if self.view is None:
            return None
        target = self._selected(self.target_view, self.target_model) if with_target else None
        if with_target and target is None:
            self.message.setText("请先选择一户排查对象。")
            return None
        villages = [(r["village"], r["village_name"]) for r in self.view["progress"]]
        dialog = ProblemDialog(self, target, villages, self.shell.backend.today())

        def ok(d) -> None:
            self._submit(d, ops.campaigns.raise_problem(self.shell, self.view["id"], d.values()))

        return self._dialog(dialog, ok)

    def ask_advance(self, state: str):
        problem = self._selected(self.problem_view, self.problem_model)
        if problem is None:
            self.message.setText("请先选择一个问题。")
            return None
        dialog = AdvanceDialog(self, problem, state, self.shell.backend.today())
        return self._dialog(dialog, lambda d: self._submit(
            d, ops.campaigns.advance_problem(self.shell, problem, state, d.values())))

    def open_problem_case(self) -> None:
        problem = self._selected(self.problem_view, self.problem_model)
        if problem is None:
            self.message.setText("请先选择一个问题。")
            return

        ops.campaigns.open_problem_case(self.shell, problem["id"]) \
            .success(lambda result: self.open_case.emit(result["case_id"])).failure(self._failed) \
            .run_in_background(initiator=self)

    def _open_problem_case(self) -> None:
        problem = self._selected(self.problem_view, self.problem_model)
        if problem and problem.get("case_id"):
            self.open_case.emit(problem["case_id"])

    def close_campaign(self) -> None:
        if self.view is None:
            return
        ops.campaigns.close(self.shell, self.view["id"]).failure(self._failed).run_in_background(initiator=self)

    # --- the seed's tables ---
    def ask_export(self, table: str, kind: str):
        if self.view is None:
            return None
        label = "排查情况统计表" if table == "summary" else "核查问题清单"
        return ask_save_path(self, f"导出{label}", f"{self.view['area_name']}{label}.{kind}", kind,
                             lambda path: self.export_to(table, path))

    def export_to(self, table: str, path: str) -> None:
        run_for(self, self.shell.backend.campaigns.export, self.view["id"], table, path, self.username,
                       on_done=lambda p: (self.summary.setText(self.summary.text().split("\n已导出")[0]
                                                               + f"\n已导出：{p}"), self.exported.emit(p)),
                       on_error=self._failed)
