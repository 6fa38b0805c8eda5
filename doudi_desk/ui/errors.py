"""Known errors become Chinese messages; bugs open the crash dialog and go to the log file.

Known (:class:`~doudi_desk.domain.errors.KnownError`): bad input, a refused action, a stale version,
a database fault (locked, read-only, disk full …). Everything else is a bug [qutebrowser: KnownError
vs BugError]. Pages pick by ``isinstance``; a handler that shows a known error in a label passes
anything else to :func:`show_error`.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import Conflict, KnownError, StorageFault

log = logging.getLogger(__name__)

LOG_FILE: Path | None = None  # set by app.py once logging is configured


def friendly(exc: BaseException) -> str:
    """What a label shows for a known error: its sentence, without the data path the domain's field
    validators still put first (``household.members[0].name: ``); see KnownError.sentence."""
    return exc.sentence() if isinstance(exc, KnownError) else str(exc)


def is_known(exc: BaseException) -> bool:
    """A known error a page may show in a label: not a bug, not a database fault (show_error's box)."""
    return isinstance(exc, KnownError) and not isinstance(exc, StorageFault)


def is_stale(exc: BaseException) -> bool:
    return isinstance(exc, Conflict)


def is_storage(exc: BaseException) -> bool:
    return isinstance(exc, StorageFault)


def message_box(parent: QWidget | None, title: str, text: str, icon=QMessageBox.Icon.Warning,
                detail: str = "") -> QMessageBox:
    """A non-blocking message box (show + finished), deleted when closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if detail:
        box.setDetailedText(detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
    return box


class CrashDialog(QDialog):
    """An unexpected error: what happened, where the log is, the details to copy."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("程序错误")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        where = f"详细信息已写入日志文件：\n{LOG_FILE}" if LOG_FILE else "详细信息见下方。"
        text = QLabel(f"程序遇到意外错误，刚才的操作没有完成（已保存的数据不受影响）。\n{where}\n"
                      "请把下面的内容复制给技术支持人员。")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        self.details = QPlainTextEdit("".join(traceback.format_exception(exc)))
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)


def report_bug(exc: BaseException, parent: QWidget | None = None) -> CrashDialog | None:
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if QApplication.instance() is None:
        return None
    dialog = CrashDialog(exc, parent)
    dialog.show()
    return dialog


def show_error(exc: BaseException, parent: QWidget | None = None):
    """Show any error the right way; returns the dialog shown."""
    if is_storage(exc):
        log.warning("database fault: %s", exc)
        return message_box(parent, "数据库错误", f"{exc}\n\n刚才的操作没有保存，您填写的内容仍在窗口中。")
    if isinstance(exc, KnownError):
        return message_box(parent, "不能办理", friendly(exc))
    return report_bug(exc, parent)


def install_excepthook() -> None:
    """Unexpected errors anywhere in the GUI thread open the crash dialog instead of ending the program."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        parent = QApplication.activeWindow()
        try:
            show_error(exc, parent)
        except Exception:  # the crash dialog itself failed: at least keep the log
            log.exception("could not show the crash dialog")

    sys.excepthook = hook
