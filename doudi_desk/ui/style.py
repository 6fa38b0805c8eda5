"""Font, translation and the few colours the window uses."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

FONT_FAMILIES = ("WenQuanYi Zen Hei", "Microsoft YaHei", "Microsoft YaHei UI", "SimHei", "PingFang SC",
                 "Noto Sans CJK SC", "Source Han Sans SC")
RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
GREY = QColor("#757575")
ACCENT = "#1565c0"

STYLE = f"""
QLabel[role="error"] {{ color: #c62828; }}
QLabel[role="hint"] {{ color: #616161; }}
QLabel[role="success"] {{ color: #2e7d32; }}
QLabel[role="title"] {{ font-size: 15pt; font-weight: bold; }}
QLabel[role="banner"] {{ background: #fff8e1; border: 1px solid #ffcc80; padding: 4px; }}
QLabel[role="refusal"] {{ background: #ffebee; border: 1px solid #ef9a9a; padding: 4px; color: #b71c1c; }}
QLabel[role="ok"] {{ background: #e8f5e9; border: 1px solid #a5d6a7; padding: 4px; color: #1b5e20; }}
QLabel[step="done"] {{ color: #2e7d32; padding: 3px 6px; }}
QLabel[step="current"] {{ color: white; background: {ACCENT}; border-radius: 3px; padding: 3px 6px; font-weight: bold; }}
QLabel[step="todo"] {{ color: #9e9e9e; padding: 3px 6px; }}
QLabel[step="side"] {{ color: white; background: #ef6c00; border-radius: 3px; padding: 3px 6px; font-weight: bold; }}
QLabel[role="pending"] {{ background: #fff3e0; border: 2px solid #ef6c00; color: #bf360c; padding: 6px;
                          font-weight: bold; font-size: 11pt; }}
QLabel[role="kind"] {{ color: white; background: #455a64; border-radius: 3px; padding: 2px 8px; font-weight: bold; }}
QLabel[role="amount"] {{ font-size: 20pt; font-weight: bold; color: {ACCENT}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 1px solid #c62828; background: #fff5f5; }}
"""


def choose_font(point_size: int = 10) -> QFont:
    """WenQuanYi Zen Hei when present (deterministic screenshots), else a common Chinese UI font."""
    families = set(QFontDatabase.families())
    for name in FONT_FAMILIES:
        if name in families:
            font = QFont(name, point_size)
            break
    else:
        font = QFont()
        font.setPointSize(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def setup_application(app: QApplication) -> None:
    """Chinese Qt dialogs (qtbase_zh_CN), the application font, the style sheet and the wheel guard."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)
            break
    else:
        log.warning("Qt's Chinese translation (qtbase_zh_CN) not found in %s", path)
    app.setFont(choose_font())
    from .wheel_guard import install

    install(app)  # Fusion, whose polish guards every combo and spin box (ui/wheel_guard.py)
    app.setStyleSheet(STYLE)
    app.setApplicationName("doudi_desk")
    app.setApplicationDisplayName("兜底 Desk")


def set_role(widget, role: str, prop: str = "role") -> None:
    """Change a style property and re-polish so the style sheet applies."""
    widget.setProperty(prop, role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def say(label, text: str, role: str) -> None:
    """Show a message in a label together with its kind ("error", "success", "hint" …), so a
    message never keeps the colour of the one before it."""
    label.setText(text)
    set_role(label, role)
