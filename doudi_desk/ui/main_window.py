"""The main window: opening the database, first-start set-up, log-in, and the work area whose
tabs depend on the user's roles (案件, 审批队列, 动态管理, 设置, plus a tab per open case or
application)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import InputError, KnownError
from . import ops
from .backend import Backend
from .case_list import CaseListPage
from .clock import REAL_CLOCK, Clock
from .errors import show_error
from .executor import Executor
from .gc_guard import GuiThreadCollector
from .login import after_log_in, password_field, show_password_mode
from .login import log_in as login_job
from .ops import ChangeListener, Changes
from .report_tabs import add_report_tabs
from .style import set_role
from .supervisor import SupervisorPage
from .work_tabs import LIST_KINDS, PAY_ROLES, LazyTabs, PageMap

if TYPE_CHECKING:
    from ..services.context import AppContext
    from .application_page import ApplicationPage
    from .audit_page import AuditPage
    from .case_page.page import CasePage
    from .dynamic_page import DynamicPage
    from .import_dialog import ImportDialog
    from .payroll_page import PayrollPage
    from .printing_ui.batch_dialog import BatchPrintDialog
    from .printing_ui.desk import PrintDesk
    from .settings_page import SettingsPage

# Pages and dialogs are imported where they are first made (a case opened, a tab shown): the
# window's start imports only what the log-in page and the case list need.

log = logging.getLogger(__name__)

APPROVER_ROLES = {"township_reviewer", "county_approver"}
INTAKE_ROLES = {"caseworker", "township_reviewer"}
PRINT_ROLES = {"caseworker", "township_reviewer"}
# 复核到期, 在保名单, 低收入监测: the township office works them; the county looks at them.
DYNAMIC_ROLES = {"caseworker", "township_reviewer", "county_approver"}
IMPORT_ROLES = {"admin", "caseworker", "township_reviewer"}  # 导入花名册 (services/importing.py)


class SetupPage(QWidget):
    """Empty database: create the office, or load the demo township."""

    def __init__(self, window: MainWindow):
        super().__init__()
        self.window_ = window
        self.setObjectName("setup_page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 20, 40, 20)
        title = QLabel("欢迎使用兜底 Desk。数据库是空的，请先建立办公室，或载入示例乡镇试用。")
        set_role(title, "title")
        title.setWordWrap(True)
        outer.addWidget(title)
        row = QHBoxLayout()
        box = QGroupBox("建立办公室")
        form = QFormLayout(box)
        self.county_code, self.county_name = QLineEdit(), QLineEdit()
        self.town_code, self.town_name = QLineEdit(), QLineEdit()
        self.villages = QPlainTextEdit()
        self.villages.setPlaceholderText("每行一个：代码 名称，例如\n130999101001 前进村")
        self.admin_user, self.admin_name = QLineEdit("admin"), QLineEdit()
        for label, a, b in (("县（区）代码、名称", self.county_code, self.county_name),
                            ("乡镇（街道）代码、名称", self.town_code, self.town_name),
                            ("管理员用户名、姓名", self.admin_user, self.admin_name)):
            pair = QHBoxLayout()
            pair.addWidget(a)
            pair.addWidget(b)
            form.addRow(label, pair)
        form.addRow("村（社区）", self.villages)
        self.create_button = QPushButton("建立办公室")
        self.create_button.clicked.connect(self._create)
        form.addRow(self.create_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        form.addRow(self.message)
        row.addWidget(box, 3)
        demo = QGroupBox("试用")
        dv = QVBoxLayout(demo)
        text = QLabel("示例乡镇：青山县的两个乡镇、7个村、各角色用户和约200户处于各办理环节的案件（虚构数据）。")
        text.setWordWrap(True)
        dv.addWidget(text)
        self.demo_button = QPushButton("载入示例乡镇")
        self.demo_button.setObjectName("load_demo")
        self.demo_button.clicked.connect(window.load_demo)
        dv.addWidget(self.demo_button)
        dv.addStretch(1)
        row.addWidget(demo, 2)
        outer.addLayout(row)
        outer.addStretch(1)

    def _create(self) -> None:
        villages = []
        for line in self.villages.toPlainText().splitlines():
            parts = line.split()
            if len(parts) >= 2:
                villages.append((parts[0], " ".join(parts[1:])))
        fields = [self.county_code, self.county_name, self.town_code, self.town_name, self.admin_user, self.admin_name]
        if any(not f.text().strip() for f in fields) or not villages:
            self.message.setText("请填写县、乡镇的代码和名称，至少一个村（社区），以及管理员。")
            return
        ops.create_office(self.window_, (self.county_code.text().strip(), self.county_name.text().strip()),
                          (self.town_code.text().strip(), self.town_name.text().strip()), villages,
                          (self.admin_user.text().strip(), self.admin_name.text().strip())) \
            .success(lambda _r: self.window_.show_login()) \
            .failure(lambda exc: self.message.setText(str(exc)) if isinstance(exc, KnownError)
                     else show_error(exc, self)).run_in_background(initiator=self)


class LoginPage(QWidget):
    def __init__(self, window: MainWindow):
        super().__init__()
        self.window_ = window
        self.setObjectName("login_page")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QGroupBox("登录")
        box.setMaximumWidth(420)
        v = QVBoxLayout(box)
        self.office = QLabel()
        set_role(self.office, "title")
        v.addWidget(self.office)
        v.addWidget(QLabel("请选择您的用户名："))
        self.users = QListWidget()
        self.users.setObjectName("user_list")
        self.users.itemDoubleClicked.connect(lambda _i: self.login())
        self.users.installEventFilter(self)  # Enter on the chosen name logs in, as in the password box
        v.addWidget(self.users)
        self.password = password_field(self, v)  # ui/login.py
        self.button = QPushButton("登录")
        self.button.setObjectName("login_button")
        self.button.clicked.connect(self.login)
        v.addWidget(self.button)
        self.message = QLabel()
        set_role(self.message, "error")
        v.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.users and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.login()
            return True
        return super().eventFilter(obj, event)

    def set_users(self, status: dict[str, Any], users: list[dict[str, Any]]) -> None:
        self.office.setText(f"兜底 Desk · {status.get('office_name') or ''}")
        self.users.clear()
        for u in users:
            if not u["active"]:
                continue
            item = QListWidgetItem(f"{u['full_name']}（{u['username']}） — {u['role_labels']}")
            item.setData(Qt.ItemDataRole.UserRole, u["username"])
            self.users.addItem(item)
        if self.users.count():
            self.users.setCurrentRow(0)

    def select(self, username: str) -> bool:
        for i in range(self.users.count()):
            if self.users.item(i).data(Qt.ItemDataRole.UserRole) == username:
                self.users.setCurrentRow(i)
                return True
        return False

    def login(self) -> None:
        item = self.users.currentItem()
        if item is None:
            self.message.setText("请选择用户")
            return
        self.window_.login(item.data(Qt.ItemDataRole.UserRole), self.password.text())


class MainWindow(QMainWindow):
    """The program's one window. Also the 'shell' the pages use: ``executor``, ``backend``, ``user``.

    Signals:
        ready(): the database is open and the set-up or log-in page shows.
        logged_in(str): the work area shows for this user.
        print_requested(int, str): a case page's 打印 tab is printing this document of this case
            (the tab does the work through ``print_desk``; the signal is for anyone who wants to know).
        operation_did_execute(Changes, object): a command op (ui/ops) succeeded — what it changed
            and the page that ran it; emitted once per command, then handed to every open page
            that is a ``ChangeListener`` (its ``on_changes``), which refreshes itself.
    """

    ready = Signal()
    logged_in = Signal(str)
    open_failed = Signal(str)  # the database or the definitions could not be opened: the message shown
    print_requested = Signal(int, str)
    operation_did_execute = Signal(object, object)

    def __init__(self, url: str | None = None, *, context_factory: Callable[[], AppContext] | None = None,
                 clock: Clock = REAL_CLOCK):
        super().__init__()
        self.clock = clock  # idleness and debounced work (tests pass a clock they advance)
        # cycles are collected here, never on the worker (where a Qt object in one would crash)
        self.collector = GuiThreadCollector(self, clock)
        self.destroyed.connect(self.collector.stop)
        # The platform adds the application's display name (兜底 Desk) after the title itself.
        self.setWindowTitle("社会救助案件办理")
        self.resize(1366, 768)
        self.executor = Executor(self, on_error=lambda exc: show_error(exc, self))
        self.backend: Backend | None = None
        self.user: dict[str, Any] | None = None
        self._print_desk: PrintDesk | None = None
        self.batch_print: BatchPrintDialog | None = None
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self.executor.busy_changed.connect(self.busy.setVisible)
        self.operation_did_execute.connect(self._forward_changes)
        self.about_button = QToolButton()  # 关于 (version, database revision): also before log-in, and F1
        self.about_button.setObjectName("about_button")
        self.about_button.setText("关于")
        self.about_button.setAutoRaise(True)
        self.about_button.setShortcut(QKeySequence("F1"))
        self.about_button.clicked.connect(self.open_about)
        self.statusBar().addPermanentWidget(self.about_button)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.opening = QLabel("正在打开数据库…")
        self.opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.opening)
        self.setup_page: SetupPage | None = None
        self.login_page: LoginPage | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("work_tabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.stack.addWidget(self.tabs)
        self.case_list: CaseListPage | None = None
        self._next_case_list: CaseListPage | None = None  # built while a password is checked
        self.supervisor: SupervisorPage | None = None
        self.lazy_tabs = LazyTabs(self.tabs, self)  # 动态管理, 资金发放, 设置, 统计, 台账, 大排查

        self.toolbar = QToolBar("主工具栏")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.new_action = QAction("新申请", self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_action.triggered.connect(self.new_application)
        self.refresh_action = QAction("刷新", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.refresh)
        self.logout_action = QAction("退出登录", self)
        self.logout_action.triggered.connect(self.logout)
        self.print_action = QAction("打印名单", self)
        self.print_action.setToolTip("初审公示名单（可多个村一起打印）、长期公布名单、花名册")
        self.print_action.triggered.connect(lambda: self.open_batch_print())
        menu = QMenu(self)
        for kind, label in LIST_KINDS.items():
            menu.addAction(f"{label}…", lambda kind=kind: self.open_batch_print(kind))
        self.print_action.setMenu(menu)
        self.import_action = QAction("导入", self)
        self.import_action.setToolTip("导入省系统导出的花名册或救助对象明细（先预览，确认后写入）")
        self.import_action.triggered.connect(lambda: self.open_import())
        self.import_dialog: ImportDialog | None = None
        for a in (self.new_action, self.print_action, self.import_action, self.refresh_action, self.logout_action):
            self.toolbar.addAction(a)
        button = self.toolbar.widgetForAction(self.print_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        self.toolbar.addWidget(spacer)
        self.user_label = QLabel()
        self.toolbar.addWidget(self.user_label)
        self.toolbar.setVisible(False)

        self.url = url
        factory = context_factory or (lambda: _open(url))
        # The worker imports the services, SQLAlchemy and the models while the GUI thread shows the
        # window: nothing the window's module imports loads them (tests/gui/test_start_threads_gui.py).
        self.collector.hold()  # until then: what the worker makes is frozen once it is made
        self.executor.submit(Backend.load, factory, on_done=self._opened, on_error=self._open_failed)

    # --- pages made when first needed ---
    @property
    def print_desk(self) -> PrintDesk:
        """Where PDFs go and how they open (tests replace both); made on first use."""
        if self._print_desk is None:
            from .printing_ui.desk import PrintDesk

            self._print_desk = PrintDesk(self)
        return self._print_desk

    @print_desk.setter
    def print_desk(self, desk: PrintDesk) -> None:
        self._print_desk = desk

    @property
    def dynamic(self) -> DynamicPage | None:
        return self.lazy_tabs.page("dynamic")  # type: ignore[return-value]

    @property
    def payroll(self) -> PayrollPage | None:
        return self.lazy_tabs.page("payroll")  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsPage | None:
        return self.lazy_tabs.page("settings")  # type: ignore[return-value]

    @property
    def report_pages(self) -> PageMap:
        return PageMap(self.lazy_tabs, ("statistics", "ledgers", "campaigns"))

    def page(self, key: str) -> QWidget | None:
        """A work tab's page by key (built now if it was not yet), or None if the user has no such tab."""
        return self.lazy_tabs.page(key)

    # --- running work ---
    def run(self, fn, *args, on_done=None, on_error=None, **kwargs):
        return self.executor.submit(fn, *args, on_done=on_done, on_error=on_error, owner=self, **kwargs)

    # --- start ---
    def _opened(self, backend: Backend) -> None:
        self.collector.resume()
        self.backend = backend
        where = self.backend.database_location()
        log.info("database open: %s", where)
        upgrade = self.backend.upgrade
        upgraded = f"（已升级数据库结构，升级前的备份：{upgrade.backup}）" if upgrade else ""
        self.statusBar().showMessage(f"数据库：{where}{upgraded}")
        self.run(self.backend.queries.office_status, on_done=self._status)

    def _open_failed(self, exc: BaseException) -> None:
        self.collector.resume()
        known = isinstance(exc, KnownError)
        self.opening.setText(f"无法打开数据库：\n{exc}" if known else "无法打开数据库，详见错误信息。")
        if not known:
            show_error(exc, self)
        self.open_failed.emit(self.opening.text())

    def _status(self, status: dict[str, Any]) -> None:
        if status["empty"]:
            if self.setup_page is None:
                self.setup_page = SetupPage(self)
                self.stack.addWidget(self.setup_page)
            self.stack.setCurrentWidget(self.setup_page)
            self.ready.emit()
        else:
            self.show_login(status)

    def load_demo(self) -> None:
        progress = QProgressDialog("正在生成示例乡镇（约200户）…", None, 0, 0, self)
        progress.setWindowTitle("载入示例")
        progress.setMinimumDuration(0)
        progress.show()
        self._demo_progress = progress

        def done(_summary):
            progress.close()
            self.show_login()

        def failed(exc):
            progress.close()
            show_error(exc, self)

        ops.load_demo(self).success(done).failure(failed).run_in_background(initiator=self)

    def show_login(self, status: dict[str, Any] | None = None) -> None:
        if self.login_page is None:
            self.login_page = LoginPage(self)
            self.stack.addWidget(self.login_page)
        q = self.backend.queries
        self.run(lambda: (status or q.office_status(), q.users()),
                 on_done=lambda r: (self.login_page.set_users(*r), self.stack.setCurrentWidget(self.login_page),
                                    self.ready.emit()))
        show_password_mode(self.login_page, self.backend)  # ui/login.py: are passwords on?

    # --- log-in ---
    def login(self, username: str, password: str = "") -> None:
        def done(user: dict[str, Any]) -> None:
            self.user = user
            self._build_case_list()
            # The rest of the work area a moment later: the GUI thread does the two halves as two
            # jobs (a real timer, so the event loop turns in between) and never stalls for both.
            QTimer.singleShot(1, lambda: self._finish_log_in(user))

        def failed(exc):
            if self.login_page and isinstance(exc, KnownError):
                self.login_page.message.setText(str(exc))
            else:
                show_error(exc, self)

        self.run(login_job, self.backend, username, password, on_done=done, on_error=failed)
        # The password check keeps the worker busy without the GIL (argon2): the GUI thread builds
        # the case list meanwhile, instead of after it.
        QTimer.singleShot(0, self._prepare_case_list)

    def _prepare_case_list(self) -> None:
        if self._next_case_list is None and self.user is None:
            self._next_case_list = CaseListPage(self)

    def _finish_log_in(self, user: dict[str, Any]) -> None:
        if self.user is not user:
            return  # logged out (or in again) meanwhile
        self._build_work_area()
        self.logged_in.emit(user["username"])
        after_log_in(self, user)  # idle lock, initial-password change (ui/login.py)
        self.collector.freeze()  # the services, the definitions and the work area stay: never walk them again

    def roles(self) -> set[str]:
        return set(self.user["roles"]) if self.user else set()

    def _build_case_list(self) -> None:
        """The first half of the work area: the case list, shown, its first page asked for, and the
        toolbar for the user's roles."""
        self._clear_tabs()
        roles = self.roles()
        self.case_list, self._next_case_list = self._next_case_list or CaseListPage(self), None
        self.case_list.open_case.connect(self.open_case)
        self.tabs.addTab(self.case_list, "案件")
        self.case_list.permanent = True
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.user_label.setText(f"{self.user['full_name']}（{self.user['role_labels']}）"
                                + (f" · {self.user['area_name']}" if self.user.get("area_name") else "") + "  ")
        self.new_action.setEnabled(bool(roles & INTAKE_ROLES))
        self.new_action.setVisible(bool(roles & INTAKE_ROLES))
        # Village lists are printed by the township office: caseworkers and township reviewers.
        self.print_action.setEnabled(bool(roles & PRINT_ROLES))
        self.print_action.setVisible(bool(roles & PRINT_ROLES))
        self.import_action.setVisible(bool(roles & IMPORT_ROLES))
        self.toolbar.setVisible(True)
        self.stack.setCurrentWidget(self.tabs)
        self.case_list.start("todo" if roles & (INTAKE_ROLES | APPROVER_ROLES) else "all")

    def _build_work_area(self) -> None:
        """The second half: the queue and the tabs built on first show."""
        roles = self.roles()
        if roles & APPROVER_ROLES:
            self.supervisor = SupervisorPage(self)
            self.supervisor.permanent = True
            self.supervisor.open_case.connect(self.open_case)
            self.tabs.addTab(self.supervisor, "审批队列")
        if roles & DYNAMIC_ROLES:
            self.lazy_tabs.add("dynamic", "动态管理", self._make_dynamic)
        if roles & (PAY_ROLES | {"admin"}):  # 资金发放; the administrator records price indices there
            self.lazy_tabs.add("payroll", "资金发放", self._make_payroll)
        if "admin" in roles:
            self.lazy_tabs.add("settings", "设置", self._make_settings)
        add_report_tabs(self, roles)  # 统计, 台账, 大排查 (ui/report_tabs.py)
        from ..services.audit import AUDIT_ROLES  # loaded with the database on the worker by now

        if roles & AUDIT_ROLES:
            self.lazy_tabs.add("audit", "审计记录", self._make_audit)  # ui/audit_page.py
        for i in range(self.tabs.count()):
            self.tabs.tabBar().setTabButton(i, self.tabs.tabBar().ButtonPosition.RightSide, None)
        if self.supervisor is not None:  # behind the list on the one worker: the list shows first
            self.supervisor.refresh()
        self.tabs.setCurrentIndex(0)

    def _make_dynamic(self) -> DynamicPage:
        from .dynamic_page import DynamicPage

        page = DynamicPage(self)
        page.open_case.connect(self.open_case)
        return page

    def _make_audit(self) -> AuditPage:
        from .audit_page import make_audit_page

        return make_audit_page(self)

    def _make_payroll(self) -> PayrollPage:
        from .payroll_page import PayrollPage

        page = PayrollPage(self)
        page.start()
        return page

    def _make_settings(self) -> SettingsPage:
        from .settings_page import SettingsPage

        page = SettingsPage(self)
        page.refresh()
        return page

    def open_batch_print(self, kind: str = "posting_list") -> BatchPrintDialog | None:
        """打印名单 (non-modal); the village chosen in the case list's filter is preselected."""
        if not self.user or not (self.roles() & PRINT_ROLES):
            return None
        if self.batch_print is not None:
            self.batch_print.set_kind(kind)
            self.batch_print.raise_()
            self.batch_print.activateWindow()
            return self.batch_print
        from .printing_ui.batch_dialog import BatchPrintDialog

        village = self.case_list.village.currentData() if self.case_list else None
        dialog = BatchPrintDialog(self, kind, village, self)
        dialog.finished.connect(lambda _r: setattr(self, "batch_print", None))
        self.batch_print = dialog
        dialog.show()
        return dialog

    def open_about(self):
        """关于兜底 Desk (non-modal): version, database and schema revision, folders."""
        from .about import AboutDialog

        dialog = AboutDialog(self, self)
        dialog.show()
        return dialog

    def open_import(self) -> ImportDialog | None:
        """导入花名册 (non-modal; one at a time)."""
        if not self.user or not (self.roles() & IMPORT_ROLES):
            return None
        if self.import_dialog is not None:
            self.import_dialog.raise_()
            self.import_dialog.activateWindow()
            return self.import_dialog
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self, self)
        dialog.finished.connect(lambda _r: setattr(self, "import_dialog", None))
        self.import_dialog = dialog
        dialog.show()
        return dialog

    def _clear_tabs(self) -> None:
        if self.import_dialog is not None:
            self.import_dialog.close()
        if self.batch_print is not None:
            self.batch_print.close()
        self.lazy_tabs.clear()  # first: removing tabs changes the current one, which must build nothing
        while self.tabs.count():
            page = self.tabs.widget(0)
            if hasattr(page, "closing"):
                page.closing()
            self.tabs.removeTab(0)
            page.deleteLater()
        self.case_list = self.supervisor = None

    def logout(self) -> None:
        if self.user:
            log.info("log-out: %s", self.user["username"])
        self._clear_tabs()
        self.user = None
        self.toolbar.setVisible(False)
        self.show_login()

    # --- pages ---
    def open_case(self, case_id: int) -> CasePage:
        from .case_page.page import CasePage

        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if isinstance(page, CasePage) and page.case_id == case_id:
                self.tabs.setCurrentIndex(i)
                return page
        page = CasePage(self, case_id)
        page.print_requested.connect(self.print_requested)
        page.loaded.connect(lambda: self._retitle(page))
        index = self.tabs.addTab(page, "案件…")
        self.tabs.setCurrentIndex(index)
        page.load()
        return page

    def _retitle(self, page: CasePage) -> None:
        i = self.tabs.indexOf(page)
        if i >= 0 and page.view:
            kind = {"review": "复核", "change": "变更", "termination": "停保"}.get(page.view.kind, "")
            self.tabs.setTabText(i, f"{page.view.household.head} {kind}{page.view.number[-6:]}")
            self.tabs.setTabToolTip(i, page.view.number)

    def new_application(self) -> ApplicationPage | None:
        if not self.user or not (self.roles() & INTAKE_ROLES):
            return None
        from .application_page import ApplicationPage

        for i in range(self.tabs.count()):
            if isinstance(self.tabs.widget(i), ApplicationPage):
                self.tabs.setCurrentIndex(i)
                return self.tabs.widget(i)
        page = ApplicationPage(self)
        page.created.connect(lambda cid: self._created(page, cid))
        index = self.tabs.addTab(page, "新申请")
        self.tabs.setCurrentIndex(index)
        page.start()
        return page

    def _created(self, page: ApplicationPage, case_id: int) -> None:
        self.close_tab(self.tabs.indexOf(page))  # the create op has told the lists (operation_did_execute)
        self.open_case(case_id)

    def close_tab(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is None or getattr(page, "permanent", False):
            return
        if hasattr(page, "closing"):
            page.closing()
        self.tabs.removeTab(index)
        page.deleteLater()

    def current_page(self) -> QWidget | None:
        return self.tabs.currentWidget()

    # --- what changed: every open page refreshes itself ---
    def broadcast(self, changes: Changes, initiator: object | None = None) -> None:
        """A command op succeeded (ui/ops/op.py): tell every open page, once."""
        log.debug("changes %s (cases %s) from %s", sorted(changes.kinds), sorted(changes.case_ids),
                  type(initiator).__name__)
        self.operation_did_execute.emit(changes, initiator)

    def _forward_changes(self, changes: Changes, initiator: object | None) -> None:
        # Tab pages only: a lazy tab never shown is a placeholder and has nothing to refresh.
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if isinstance(page, ChangeListener):
                page.on_changes(changes, initiator)

    def refresh(self) -> None:
        """刷新 (F5): every open page reads again; the case or application shown, too."""
        self._forward_changes(Changes.everything(), None)
        page = self.tabs.currentWidget()
        if page is not None and not getattr(page, "permanent", False):  # a case or a new application
            from .case_page.page import CasePage

            if isinstance(page, CasePage):
                page.load()

    # --- closing: never lose work ---
    def closeEvent(self, event: QCloseEvent) -> None:
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if hasattr(page, "closing"):
                page.closing()
        backup = getattr(self, "auto_backup", None)  # ui/auto_backup.py: stops between two steps
        if backup is not None:
            backup.stop()
        if not self.executor.wait_idle(10.0):
            log.warning("closing with database work still running")
        if self.backend:
            self.backend.close()
        self.collector.stop()
        event.accept()


def _open(url: str | None) -> AppContext:
    """Open the database and definitions (on the worker thread: the services load there, not while
    the window first paints)."""
    from ..services.context import open_context

    return open_context(url)


__all__ = ["MainWindow", "InputError"]
