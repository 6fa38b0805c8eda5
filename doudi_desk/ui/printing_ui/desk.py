"""Printing from the window: a case's documents, village lists in batches, office details and fonts.

Every PDF is produced by :class:`~doudi_desk.services.printing.PrintService` on the executor's
worker thread and written there to the print folder (``print`` in the user cache folder; files
older than a week are removed). The window then shows the result where the clerk clicked: the
file, 预览 and 打印… (the program's own preview and print dialog, ui/pdf_preview.py: no PDF viewer
needed), 另存为… and 用系统阅读器打开 (where one is installed). A known error — a character
the print font lacks (𠮷), a document the case has no data for, a village without a 公示 batch —
shows the service's Chinese message in the same place; nothing is printed then.

Tests replace :attr:`PrintDesk.folder`, :attr:`PrintDesk.opener` and :attr:`PrintDesk.save_dir`,
and answer the non-blocking save dialog (``ResultPanel.file_dialog``) or call ``save_to``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...domain.programmes import PROGRAMMES, REGISTRY
from ...paths import user_folders
from ...services.office import FONT_ROLES, OFFICE_FIELDS
from ...services.queries import CaseQuery
from ..errors import friendly, show_error
from ..pdf_preview import PdfPreviewWindow
from ..style import set_role
from ..work_tabs import LIST_KINDS

log = logging.getLogger(__name__)

KEEP_DAYS = 7
# Programmes paying every month have a 花名册; those posted (初审公示, 长期公布) the two lists too
# (domain/programmes.py: 临时救助 is paid once, 两项补贴 is not posted).
LIST_PROGRAMMES = tuple(code for code, p in REGISTRY.items() if p.monthly)
KIND_HINTS = {
    "posting_list": "张贴在村务公开栏：只有户主姓名、家庭人口、保障人口、拟保障金额和类别，公示期7天。"
                    "勾选要打印的村，每个村一份、页码各自从1起，合成一个 PDF。",
    "publication_list": "长期张贴的在保家庭名单：户主姓名、家庭人口、保障人口和月保障金额。",
    "roster": "内部资料：含身份证号码和电话，仅供存档和核对，严禁张贴或对外提供。",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


# --- files --------------------------------------------------------------------------------------
def default_print_folder() -> Path:
    """``print`` in the user cache folder (e.g. %LOCALAPPDATA%\\doudi_desk\\Cache\\print)."""
    return user_folders().print_cache


def open_in_viewer(path: Path) -> bool:
    """Open a file or folder with the system's program for it (the PDF viewer prints it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def safe_name(text: str) -> str:
    """A file name part without characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip("._")[:80] or "文书"


def pdf_pages(pdf: bytes) -> int:
    """Pages of a ReportLab PDF (each page object is written as ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@dataclass(frozen=True)
class PrintedFile:
    """A PDF written to the print folder."""

    path: Path
    title: str
    pages: int
    size: int


def _prune(folder: Path, keep_days: int) -> None:
    limit = time.time() - keep_days * 86400
    for old in list(folder.glob("*.pdf")) + list(folder.glob("*.part")):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:  # open in a viewer, or gone meanwhile: try again next time
            pass


def write_pdf(folder: Path, name: str, pdf: bytes, title: str) -> PrintedFile:
    """Write a PDF into the print folder under a new name (worker thread)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder, KEEP_DAYS)
        stem = f"{safe_name(name)}_{dt.datetime.now():%Y%m%d-%H%M%S}"
        path = folder / f"{stem}.pdf"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.pdf"
        part = path.with_name(path.name + ".part")
        part.write_bytes(pdf)
        part.replace(path)
    except OSError as exc:
        raise DomainError(f"无法把打印文件写入 {folder}：{exc.strerror or exc}") from None
    return PrintedFile(path, title, pdf_pages(pdf), len(pdf))


def copy_pdf(source: Path, target: Path) -> Path:
    """另存为: copy through a temporary file so a half-written copy never replaces a good file."""
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    try:
        if target.exists() and target.resolve() == source.resolve():
            return target
        part = target.with_name(target.name + ".part")
        shutil.copyfile(source, part)
        part.replace(target)
    except OSError as exc:
        raise DomainError(f"无法保存到 {target}：{exc.strerror or exc}") from None
    return target


class PrintDesk:
    """The window's printing: where files go, how they are opened, and the one way to generate."""

    def __init__(self, shell):
        self.shell = shell
        self.folder: Path = default_print_folder()
        self.opener: Callable[[Path], bool] = open_in_viewer
        self.save_dir: str = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def generate(self, make: Callable[[Any], bytes], name: str, title: str, *, owner,
                 on_done: Callable[[PrintedFile], None], on_error: Callable[[BaseException], None]):
        """``make(print_service)`` runs on the worker, the PDF is written there, ``on_done`` gets the file."""
        backend, folder = self.shell.backend, self.folder

        def work() -> PrintedFile:
            started = time.perf_counter()
            pdf = make(backend.printing)
            printed = write_pdf(folder, name, pdf, title)
            log.info("printed %s: %s pages, %s bytes in %.2f s", title, printed.pages, printed.size,
                     time.perf_counter() - started)
            return printed

        return self.shell.executor.submit(work, owner=owner, on_done=on_done, on_error=on_error)


# --- the result of one print, where it was asked for ------------------------------------------------
class ResultPanel(QFrame):
    """What came out of the last print: the file with 预览, 打印…, 另存为… and the system viewer, or
    why nothing came out.

    Signals:
        finished(bool): a print finished (True) or failed (False).
        saved(str): the PDF was saved to this path.
    """

    finished = Signal(bool)
    saved = Signal(str)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.printed: PrintedFile | None = None
        self.error: str = ""
        self.file_dialog: QFileDialog | None = None
        self.preview_window: PdfPreviewWindow | None = None
        self.setObjectName("print_result")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.message = QLabel()
        self.message.setObjectName("print_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.path = QLineEdit()  # a long path scrolls instead of widening the panel
        self.path.setObjectName("print_path")
        self.path.setReadOnly(True)
        layout.addWidget(self.path)
        row = QHBoxLayout()
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("print_preview")
        self.preview_button.setToolTip("在本程序中逐页查看，可缩放，可打印")
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("print_print")
        self.print_button.setToolTip("选择打印机、份数和页码后打印")
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button = QPushButton("另存为…")
        self.save_button.setObjectName("print_save_as")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.viewer_button = QPushButton("用系统阅读器打开")
        self.viewer_button.setObjectName("print_viewer")
        self.viewer_button.setToolTip("用电脑上安装的 PDF 阅读器打开（如果有）")
        self.viewer_button.clicked.connect(self.open_in_viewer)
        self.folder_button = QPushButton("打开所在文件夹")
        self.folder_button.clicked.connect(self.open_folder)
        self.file_buttons = (self.preview_button, self.print_button, self.save_button, self.viewer_button,
                             self.folder_button)
        for b in self.file_buttons:
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.hide()

    @property
    def desk(self) -> PrintDesk:
        return self.shell.print_desk

    def _file_widgets(self, visible: bool) -> None:
        for w in (self.path, *self.file_buttons):
            w.setVisible(visible)

    def working(self, title: str) -> None:
        self.printed, self.error = None, ""
        self.message.setText(f"正在生成「{title}」…")
        set_role(self.message, "hint")
        self._file_widgets(False)
        self.show()

    def done(self, printed: PrintedFile) -> None:
        self.printed, self.error = printed, ""
        self.note(f"已生成「{printed.title}」：共 {printed.pages} 页（{printed.size // 1024 + 1} KB）。"
                  "点「预览」查看，点「打印…」打印。")
        self.path.setText(str(printed.path))
        self.path.setToolTip(str(printed.path))
        self._file_widgets(True)
        self.show()
        if self.preview_window is not None and self.preview_window.isVisible():
            self.preview()  # the open preview follows to the new document
        self.finished.emit(True)

    def failed(self, exc: BaseException, title: str = "") -> None:
        """A known error shows its message here; anything else is a bug (crash dialog, log)."""
        self.printed = None
        if isinstance(exc, DomainError):
            self.error = friendly(exc)
            log.info("print refused: %s", self.error)
        else:
            self.error = f"生成「{title}」时程序出错，详见错误信息。" if title else "打印时程序出错，详见错误信息。"
            show_error(exc, self)
        self.message.setText(self.error)
        set_role(self.message, "refusal")
        self._file_widgets(False)
        self.show()
        self.finished.emit(False)

    def note(self, text: str, ok: bool = True) -> None:
        self.message.setText(text)
        set_role(self.message, "ok" if ok else "refusal")

    def preview(self) -> PdfPreviewWindow | None:
        """The program's own preview of the file (ui/pdf_preview.py), in a window beside this one."""
        if self.printed is None:
            return None
        if self.preview_window is None:
            # A child of this panel: it closes with the panel (a closed case tab).
            self.preview_window = PdfPreviewWindow(self, save_as=lambda parent: self.save_as(parent),
                                                   open_external=self.open_in_viewer)
            self.preview_window.finished.connect(lambda _r: setattr(self, "preview_window", None))
            self.preview_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not self.preview_window.show_file(self.printed.path, self.printed.title):
            self.note(f"无法在程序中显示 {self.printed.path}；可用「用系统阅读器打开」或「另存为…」。", ok=False)
        else:
            self._clear_refusal(f"已在预览中打开「{self.printed.title}」。")
        return self.preview_window

    def print_dialog(self):
        """打印…: the preview with the print dialog over it (printer, copies, pages)."""
        window = self.preview()
        return window.preview.open_print_dialog() if window is not None else None

    def open_in_viewer(self) -> None:
        if self.printed is None:
            return
        if not self.desk.opener(self.printed.path):
            self.note(f"无法打开系统的 PDF 阅读器。文件在：{self.printed.path}；请用「预览」查看和打印，"
                      "或用「另存为…」保存。", ok=False)
        else:
            self._clear_refusal(f"已用系统的 PDF 阅读器打开「{self.printed.title}」。")

    def _clear_refusal(self, text: str) -> None:
        """An earlier 预览 or viewer failure is no longer true once a later one worked."""
        if self.message.property("role") == "refusal":
            self.note(text)

    def open_folder(self) -> None:
        if self.printed is not None:
            self.desk.opener(self.printed.path.parent)

    def save_as(self, parent: QWidget | None = None) -> QFileDialog | None:
        """Ask where to save (non-blocking: ``open()`` + ``fileSelected``), over ``parent`` if given."""
        if self.printed is None:
            return None
        start = str(Path(self.desk.save_dir or str(Path.home())) / self._suggested_name())
        dialog = QFileDialog(parent or self, "另存为", start, "PDF 文件 (*.pdf)")
        dialog.setObjectName("print_save_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(start)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_to)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _suggested_name(self) -> str:
        # The cache name without its time stamp: 2026-DB-000003_审核审批表.pdf
        stem = re.sub(r"_\d{8}-\d{6}(-\d+)?$", "", self.printed.path.stem) if self.printed else "文书"
        return f"{stem}.pdf"

    def save_to(self, target: str) -> None:
        """Copy the PDF to ``target`` (on the worker; the path is shown when done)."""
        if self.printed is None or not target:
            return
        source = self.printed.path
        self.desk.save_dir = str(Path(target).parent)

        def done(path: Path) -> None:
            self.note(f"已另存为：{path}")
            if self.preview_window is not None:
                self.preview_window.preview.say(f"已另存为：{path}")
            self.saved.emit(str(path))

        self.shell.executor.submit(copy_pdf, source, Path(target), owner=self, on_done=done,
                                   on_error=lambda exc: self.note(friendly(exc), ok=False)
                                   if isinstance(exc, DomainError) else show_error(exc, self))


# --- the 打印 tab of a case ------------------------------------------------------------------------
class CasePrintPanel(QWidget):
    """One button per document of the case: this step's first, then the others (disabled ones say
    why), then 案件档案. Clicking generates the PDF on the worker; the result shows below.

    Signals:
        requested(str): a document kind was asked for (the case page forwards it as print_requested).
    """

    requested = Signal(str)

    def __init__(self, shell, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.case_id = case_id
        self.view: dict[str, Any] | None = None
        self.step_documents: list[tuple[str, str]] = []
        self.entries: list[dict[str, Any]] = []
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, str] = {}
        self._stale = True
        self._busy = False
        self._generation = 0
        self.setObjectName("case_print_panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.inner_layout = QVBoxLayout(inner)
        self.inner_layout.setContentsMargins(0, 0, 0, 0)
        self.step_box = QGroupBox("本环节的文书")
        self.step_grid = QGridLayout(self.step_box)
        self.other_box = QGroupBox("其他文书")
        self.other_grid = QGridLayout(self.other_box)
        self.file_box = QGroupBox("整个案件")
        self.file_grid = QGridLayout(self.file_box)
        for box in (self.step_box, self.other_box, self.file_box):
            self.inner_layout.addWidget(box)
        self.loading = QLabel("正在查询可打印的文书…")
        set_role(self.loading, "hint")
        self.inner_layout.addWidget(self.loading)
        self.inner_layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.result = ResultPanel(shell)
        outer.addWidget(self.result)

    # --- which documents ---
    def set_case(self, view: dict[str, Any], step_documents: list[tuple[str, str]] | None = None) -> None:
        """The case changed (loaded, or an action was done): the list is read again when shown.
        ``step_documents`` are the (kind, label) the workflow names for this step."""
        self.view = view
        self.step_documents = list(step_documents or [])
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale and self.view is not None:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self._generation += 1
        generation = self._generation
        self.loading.show()

        def arrived(entries: list[dict[str, Any]]) -> None:
            if generation == self._generation:
                self.set_documents(entries)

        def failed(exc: BaseException) -> None:
            self.loading.hide()
            self.result.failed(exc)

        backend, case_id = self.shell.backend, self.case_id
        self.shell.executor.submit(lambda: backend.printing.documents_for_case(case_id),
                                   owner=self, on_done=arrived, on_error=failed)

    @staticmethod
    def _clear(grid: QGridLayout) -> None:
        while grid.count():
            item = grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def set_documents(self, entries: list[dict[str, Any]]) -> None:
        self.loading.hide()
        self.entries = entries
        self.buttons, self.reasons = {}, {}
        for grid in (self.step_grid, self.other_grid, self.file_grid):
            self._clear(grid)
        rows = {id(self.step_grid): 0, id(self.other_grid): 0, id(self.file_grid): 0}
        state = self.view["state_label"] if self.view else ""
        self.step_box.setTitle(f"本环节（{state}）的文书" if state else "本环节的文书")

        def add(grid: QGridLayout, button: QPushButton, reason: str, hint: str = "") -> None:
            r = rows[id(grid)]
            rows[id(grid)] = r + 1
            grid.addWidget(button, r, 0, Qt.AlignmentFlag.AlignTop)
            label = QLabel(reason or hint)
            label.setWordWrap(True)
            set_role(label, "hint")
            grid.addWidget(label, r, 1)
            grid.setColumnStretch(1, 1)

        for e in entries:
            grid = self.file_grid if e["kind"] == "case_file" else (
                self.step_grid if e["current_step"] else self.other_grid)
            title = "案件档案（全部文书合订）" if e["kind"] == "case_file" else e["title"]
            button = QPushButton(title)
            button.setObjectName(f"print_{e['kind']}")
            button.setMinimumWidth(150)
            reason = "" if e["available"] else (e.get("reason") or "暂不能打印")
            button.setEnabled(e["available"])
            hint = ""
            if e["kind"] == "case_file":
                hint = "封面、目录和本案已有的全部文书，页码连续"
                button.setToolTip("按办理顺序合订本案全部文书，用于归档")
            elif e["scope"] == "village":
                hint = "本案所在村的名单"
                button.setToolTip(f"打印本案所在村的{e['title']}（可张贴，不含身份证号码等个人信息）")
            elif reason:
                button.setToolTip(f"现在不能打印「{e['title']}」：{reason}")
            else:
                button.setToolTip(f"生成「{e['title']}」")
            button.clicked.connect(lambda _=False, e=e: self.print_kind(e["kind"], e["title"]))
            self.buttons[e["kind"]] = button
            if reason:
                self.reasons[e["kind"]] = reason
            add(grid, button, reason, hint)
        printable = {e["kind"] for e in entries}
        for kind, label in self.step_documents:  # in the workflow, but there is no print template
            if kind in printable:
                continue
            button = QPushButton(label)
            button.setMinimumWidth(150)
            button.setEnabled(False)
            button.setToolTip("本程序没有这种文书的打印模板，请使用纸质表格")
            add(self.step_grid, button, "没有打印模板，请使用纸质表格")
        if rows[id(self.step_grid)] == 0:
            none = QLabel("本环节没有需要打印的文书。")
            set_role(none, "hint")
            self.step_grid.addWidget(none, 0, 0, 1, 2)
        self.other_box.setVisible(rows[id(self.other_grid)] > 0)

    # --- printing ---
    def print_kind(self, kind: str, title: str | None = None) -> None:
        """Generate one document of the case (``case_file`` for the whole file) on the worker."""
        if self._busy:
            return
        title = title or next((e["title"] for e in self.entries if e["kind"] == kind), kind)
        number = self.view["number"] if self.view else str(self.case_id)
        self._set_busy(True)
        self.result.working(title)
        self.requested.emit(kind)
        case_id, actor = self.case_id, self.shell.user["username"]
        self.shell.print_desk.generate(
            lambda printing: printing.case_document(case_id, kind, actor), f"{number}_{title}", title, owner=self,
            on_done=lambda printed: (self._set_busy(False), self.result.done(printed)),
            on_error=lambda exc: (self._set_busy(False), self.result.failed(exc, title)))

    def _set_busy(self, busy: bool) -> None:
        # The buttons stay enabled (a disabled focused button would hand the focus on and scroll the
        # list away); a click while a document is being made is ignored, the panel says so.
        self._busy = busy


# --- lists of villages and townships -------------------------------------------------------------------
def _batch_text(b: dict[str, Any]) -> str:
    tail = f"，{b['in_posting']}户公示中" if b["in_posting"] else ""
    return f"{b['start']} 至 {b['end'][5:]}（{b['households']}户{tail}{'，已结束' if b.get('ended') else ''}）"


class BatchPrintDialog(QDialog):
    """打印名单: 初审公示名单 for several villages and a batch, 长期公布名单, 花名册 (internal).

    Non-modal (``show()``); the PDF is generated on the worker and shown in the result panel.
    """

    def __init__(self, shell, kind: str = "posting_list", village: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.preset_village = village
        self.data: dict[str, Any] | None = None
        self.combos: dict[str, QComboBox] = {}
        self._generation = 0
        self.setWindowTitle("打印名单")
        self.setObjectName("batch_print_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("名单"))
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for key, label in LIST_KINDS.items():
            radio = QRadioButton(label)
            radio.setObjectName(f"kind_{key}")
            self.kind_group.addButton(radio)
            self.kind_buttons[key] = radio
            top.addWidget(radio)
            radio.toggled.connect(lambda on, key=key: on and self._kind_changed())
        top.addStretch(1)
        top.addWidget(QLabel("救助项目"))
        self.programme = QComboBox()
        for key in LIST_PROGRAMMES:
            self.programme.addItem(PROGRAMMES[key], key)
        self.programme.currentIndexChanged.connect(lambda _i: self._programme_changed())
        top.addWidget(self.programme)
        layout.addLayout(top)
        self.hint = QLabel()
        self.hint.setObjectName("kind_hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        self.pages = QStackedWidget()
        villages = QWidget()
        v = QVBoxLayout(villages)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.batch_label = QLabel("公示批次（开始日期）")
        row.addWidget(self.batch_label)
        self.batch = QComboBox()
        self.batch.setObjectName("batch_date")
        self.batch.setMinimumWidth(220)
        self.batch.activated.connect(lambda _i: self._batch_chosen())
        row.addWidget(self.batch)
        row.addStretch(1)
        for text, on in (("全选", True), ("全不选", False)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, on=on: self._check_all(on))
            row.addWidget(b)
        v.addLayout(row)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("village_table")
        self.table.setHorizontalHeaderLabels(["村（社区）", "公示批次", "在保家庭"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(lambda _i: self._update_button())
        v.addWidget(self.table)
        self.pages.addWidget(villages)
        area_page = QWidget()
        form = QFormLayout(area_page)
        self.area = QComboBox()
        self.area.setObjectName("roster_area")
        self.area.setMinimumWidth(260)
        form.addRow("村（社区）或乡镇", self.area)
        self.pages.addWidget(area_page)
        layout.addWidget(self.pages, 1)

        bottom = QHBoxLayout()
        self.status = QLabel("正在读取各村的名单…")
        set_role(self.status, "hint")
        bottom.addWidget(self.status, 1)
        self.generate_button = QPushButton("生成 PDF")
        self.generate_button.setObjectName("generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        bottom.addWidget(self.generate_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.result = ResultPanel(shell)
        layout.addWidget(self.result)
        self.resize(760, 560)

        self.kind_buttons.get(kind, self.kind_buttons["posting_list"]).setChecked(True)
        self.load()

    def _programme_changed(self) -> None:
        """A programme that is not posted has only its 花名册."""
        posted = REGISTRY[self.programme.currentData()].posted
        for key, button in self.kind_buttons.items():
            button.setEnabled(posted or key == "roster")
        if not posted and self.kind != "roster":
            self.kind_buttons["roster"].setChecked(True)
        self.load()

    @property
    def kind(self) -> str:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    # --- loading ---
    def load(self) -> None:
        """Read the user's villages, their 公示 batches and covered households (worker)."""
        backend = self.shell.backend
        username = self.shell.user["username"]
        programme = self.programme.currentData()
        self._generation += 1
        generation = self._generation
        self.generate_button.setEnabled(False)

        def work() -> dict[str, Any]:
            options = backend.queries.filter_options(username)
            areas = backend.queries.areas()
            villages = [{"code": c, "name": n} for c, n in options["villages"]]
            for v in villages:
                v["batches"] = backend.printing.posting_batches(v["code"], programme, actor=username)
                v["covered"] = len(backend.queries.case_ids(
                    username, CaseQuery(tab="all", outcome="approved", village=v["code"], programme=programme)))
            parents = {a["parent"] for a in areas if a["code"] in {v["code"] for v in villages}}
            townships = [a for a in areas if a["level"] == "township" and a["code"] in parents]
            return {"villages": villages, "townships": townships, "programme": programme}

        def failed(exc: BaseException) -> None:
            self.status.setText("")
            self.result.failed(exc)

        self.shell.executor.submit(work, owner=self, on_error=failed,
                                   on_done=lambda d: generation == self._generation and self._arrived(d))

    def _arrived(self, data: dict[str, Any]) -> None:
        self.data = data
        self.table.blockSignals(True)
        self.table.setRowCount(len(data["villages"]))
        self.combos = {}
        dates: dict[str, int] = {}
        for r, v in enumerate(data["villages"]):
            item = QTableWidgetItem(v["name"])
            item.setData(Qt.ItemDataRole.UserRole, v["code"])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            self.table.setItem(r, 0, item)
            combo = QComboBox()
            if v["batches"]:
                for b in v["batches"]:
                    combo.addItem(_batch_text(b), b["batch"])
                    dates[b["batch"]] = dates.get(b["batch"], 0) + 1
                current = next((i for i, b in enumerate(v["batches"]) if b.get("current")), 0)
                combo.setCurrentIndex(current)
            else:
                combo.addItem("没有初审公示", None)
                combo.setEnabled(False)
            self.combos[v["code"]] = combo
            self.table.setCellWidget(r, 1, combo)
            covered = QTableWidgetItem(f"{v['covered']} 户")
            covered.setFlags(Qt.ItemFlag.ItemIsEnabled)
            covered.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(r, 2, covered)
        self.batch.clear()
        self.batch.addItem("各村正在公示的一批", None)
        for day in sorted(dates, reverse=True):
            self.batch.addItem(f"{day} 起（{dates[day]}个村）", day)
        self.table.blockSignals(False)
        self.area.clear()
        for t in data["townships"]:
            self.area.addItem(f"{t['name']}（全乡镇）", t["code"])
        for v in data["villages"]:
            self.area.addItem(v["name"], v["code"])
        user_area = self.shell.user.get("area")
        if self.preset_village and self.area.findData(self.preset_village) >= 0:
            self.area.setCurrentIndex(self.area.findData(self.preset_village))
        elif user_area and self.area.findData(user_area) >= 0:
            self.area.setCurrentIndex(self.area.findData(user_area))
        self._kind_changed(initial_checks=True)
        self.status.setText("")

    # --- choices ---
    def _row_usable(self, r: int) -> bool:
        v = self.data["villages"][r]
        return bool(v["batches"]) if self.kind == "posting_list" else v["covered"] > 0

    def _kind_changed(self, initial_checks: bool = False) -> None:
        kind = self.kind
        self.hint.setText(KIND_HINTS[kind])
        set_role(self.hint, "refusal" if kind == "roster" else "hint")
        self.pages.setCurrentIndex(1 if kind == "roster" else 0)
        posting = kind == "posting_list"
        self.table.setColumnHidden(1, not posting)
        self.table.setColumnHidden(2, posting)
        self.batch.setVisible(posting)
        self.batch_label.setVisible(posting)
        if self.data is None:
            return
        self.table.blockSignals(True)
        for r, v in enumerate(self.data["villages"]):
            item = self.table.item(r, 0)
            usable = self._row_usable(r)
            flags = Qt.ItemFlag.ItemIsUserCheckable | (Qt.ItemFlag.ItemIsEnabled if usable else Qt.ItemFlag.NoItemFlags)
            item.setFlags(flags)
            if self.preset_village:
                on = v["code"] == self.preset_village
            elif posting:
                on = any(b["in_posting"] for b in v["batches"])
            else:
                on = item.checkState() == Qt.CheckState.Checked if not initial_checks else False
            if not usable:
                on = False
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setToolTip("" if usable else ("本村没有发布过初审公示" if posting else "本村没有在保家庭"))
        self.table.blockSignals(False)
        self._update_button()

    def _batch_chosen(self) -> None:
        day = self.batch.currentData()
        self.table.blockSignals(True)
        for r, v in enumerate(self.data["villages"] if self.data else []):
            combo = self.combos[v["code"]]
            item = self.table.item(r, 0)
            if day is None:
                current = next((i for i, b in enumerate(v["batches"]) if b["in_posting"]), None)
                if current is not None:
                    combo.setCurrentIndex(current)
                on = current is not None
            else:
                i = combo.findData(day)
                if i >= 0:
                    combo.setCurrentIndex(i)
                on = i >= 0
            item.setCheckState(Qt.CheckState.Checked if on and self._row_usable(r) else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def _check_all(self, on: bool) -> None:
        if self.data is None:
            return
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            checked = on and self._row_usable(r)
            self.table.item(r, 0).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def check_villages(self, codes: list[str]) -> None:
        """Tick exactly these villages (tests, and the case list's village filter)."""
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            on = item.data(Qt.ItemDataRole.UserRole) in codes and self._row_usable(r)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def selected(self) -> list[tuple[str, str, str | None]]:
        """(code, name, batch) of the ticked villages, in the table's order."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item.checkState() == Qt.CheckState.Checked:
                code = item.data(Qt.ItemDataRole.UserRole)
                out.append((code, item.text(), self.combos[code].currentData()))
        return out

    def _update_button(self) -> None:
        if self.data is None:
            self.generate_button.setEnabled(False)
            return
        if self.kind == "roster":
            self.generate_button.setEnabled(self.area.count() > 0)
            self.status.setText("")
            return
        n = len(self.selected())
        self.generate_button.setEnabled(n > 0)
        self.status.setText(f"已选 {n} 个村" if n else "请勾选要打印的村（社区）")

    # --- generating ---
    def generate(self) -> None:
        if self.data is None:
            return
        kind, programme = self.kind, self.data["programme"]
        label = LIST_KINDS[kind]
        if kind == "roster":
            code, area_name = self.area.currentData(), self.area.currentText().split("（")[0]
            if not code:
                return
            actor = self.shell.user["username"]
            make = lambda p: p.roster(code, programme, actor=actor)  # noqa: E731
            name = f"花名册_{area_name}_{self.shell.backend.today():%Y%m%d}"
            title = f"{area_name}{PROGRAMMES[programme]}花名册"
        else:
            actor = self.shell.user["username"]
            chosen = self.selected()
            if not chosen:
                self.result.note("请至少勾选一个村（社区）。", ok=False)
                self.result.show()
                return
            names = chosen[0][1] + (f"等{len(chosen)}个村" if len(chosen) > 1 else "")
            if kind == "posting_list":
                pairs = [(code, batch) for code, _n, batch in chosen]
                make = lambda p: p.posting_lists(pairs, programme=programme, actor=actor)  # noqa: E731
                days = sorted({b for _c, _n, b in chosen if b})
                name = f"初审公示名单_{names}_{days[-1] if days else ''}"
            else:
                codes = [code for code, _n, _b in chosen]
                make = lambda p: p.publication_lists(codes, programme=programme, actor=actor)  # noqa: E731
                name = f"长期公布名单_{names}"
            title = f"{names}{label}"
        self.generate_button.setEnabled(False)
        self.result.working(title)

        def done(printed: PrintedFile) -> None:
            self._update_button()
            self.result.done(printed)

        def failed(exc: BaseException) -> None:
            self._update_button()
            self.result.failed(exc, title)

        self.shell.print_desk.generate(make, name, title, owner=self, on_done=done, on_error=failed)


# --- office details and print fonts (settings, administrator) ---------------------------------------
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
