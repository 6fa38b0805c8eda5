"""The window locks itself after a while without keyboard or mouse input.

A cover hides the whole window (lists of the poorest families must not stay on an unattended
screen); the same user unlocks it with their password — checked and counted by
``AccountService.unlock``, so guessing at a locked screen locks the account too — or logs out.
Minutes come from the office setting ``idle_lock_minutes`` (default 10; 0 switches the lock off).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from ..services.accounts import IDLE_LOCK_MINUTES
from .clock import REAL_CLOCK, Clock
from .errors import show_error
from .style import set_role

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin, QEvent.Type.InputMethod}


class LockCover(QWidget):
    """An opaque cover over the whole window with the unlock box."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("lock_cover")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lock_cover { background: palette(window); }")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QGroupBox("屏幕已锁定")
        box.setMaximumWidth(420)
        v = QVBoxLayout(box)
        self.who = QLabel()
        v.addWidget(self.who)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请输入密码解锁")
        v.addWidget(self.password)
        row = QHBoxLayout()
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("unlock_button")
        self.logout_button = QPushButton("退出登录")
        self.logout_button.setObjectName("lock_logout_button")
        row.addWidget(self.unlock_button)
        row.addWidget(self.logout_button)
        v.addLayout(row)
        self.message = QLabel()
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        v.addWidget(self.message)
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(box)
        line.addStretch(1)
        outer.addLayout(line)
        outer.addStretch(2)


class IdleLock(QObject):
    """Watches input to the whole application and covers ``window`` after ``minutes`` idle, as
    measured by ``clock`` (the real one unless a test passes its own).

    Input reaches a widget through its top-level window's QWindow (the main window's, a dialog's),
    so the filter is on those: the window's, and each one the focus moves to from a watched one.
    Not on the whole
    application: that calls Python for every event of every object (each paint, timer, queued
    signal), and each call waits for the GIL while the worker runs Python — the window stalled
    100–300 ms while the lists loaded after log-in."""

    def __init__(self, window, *, check_every_ms: int = 15000, clock: Clock = REAL_CLOCK):
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.minutes: float = IDLE_LOCK_MINUTES
        self.last_input = clock.monotonic()
        self.cover: LockCover | None = None
        self.timer = clock.timer(self, check_every_ms, self.check, single_shot=False)
        window.winId()  # its QWindow exists from now on
        self._watch(window.windowHandle())

    def _watch(self, handle: QWindow | None) -> None:
        if handle is not None:
            handle.installEventFilter(self)  # again on the same window: Qt keeps one

    def _focus_moved(self) -> None:
        """A watched window lost the focus to another (a dialog): the user did something there;
        watch it too. (Qt names the new focus window before telling the old one.)"""
        handle = QGuiApplication.focusWindow()
        self._watch(handle)
        if handle is not None and not self.locked:
            self.last_input = self.clock.monotonic()

    # --- watching ---
    def start(self, minutes: float | None) -> None:
        self.minutes = IDLE_LOCK_MINUTES if minutes is None else minutes
        self.last_input = self.clock.monotonic()
        if self.minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if obj is self.window and kind == QEvent.Type.Resize and self.cover is not None:
            self.cover.setGeometry(self.window.rect())
        if kind in _ACTIVITY and not self.locked:
            self.last_input = self.clock.monotonic()
        elif kind == QEvent.Type.FocusOut and isinstance(obj, QWindow):
            self._focus_moved()
        return False

    @property
    def locked(self) -> bool:
        return self.cover is not None and self.cover.isVisible()

    def check(self) -> None:
        if self.window.user is None:
            self.timer.stop()
            return
        if not self.locked and self.minutes > 0 and self.clock.monotonic() - self.last_input >= self.minutes * 60:
            self.lock()

    # --- locking ---
    def lock(self) -> None:
        if self.window.user is None or self.locked:
            return
        if self.cover is None:
            self.cover = LockCover(self.window)
            self.cover.unlock_button.clicked.connect(self.unlock)
            self.cover.password.returnPressed.connect(self.unlock)
            self.cover.logout_button.clicked.connect(self.log_out)
        user = self.window.user
        self.cover.who.setText(f"{user['full_name']}（{user['username']}），请输入密码继续工作：")
        self.cover.message.clear()
        self.cover.password.clear()
        self.cover.setGeometry(self.window.rect())
        self.window.installEventFilter(self)  # while locked: the cover follows the window's size
        for part in (self.window.centralWidget(), self.window.toolbar, self.window.menuBar()):
            if part is not None:
                part.setEnabled(False)
        self.cover.show()
        self.cover.raise_()
        self.cover.password.setFocus()

    def unlock(self) -> None:
        if self.cover is None or self.window.user is None:
            return
        self.cover.unlock_button.setEnabled(False)

        def done(_result) -> None:
            self.cover.unlock_button.setEnabled(True)
            self._uncover()

        def failed(exc) -> None:
            self.cover.unlock_button.setEnabled(True)
            self.cover.password.clear()
            if isinstance(exc, KnownError):
                self.cover.message.setText(str(exc))
            else:
                self.cover.message.setText("解锁失败，详见错误信息。")
                show_error(exc, self.window)

        self.window.run(self.window.backend.accounts.unlock, self.window.user["username"],
                        self.cover.password.text(), on_done=done, on_error=failed)

    def log_out(self) -> None:
        self._uncover()
        self.window.logout()

    def _uncover(self) -> None:
        self.window.removeEventFilter(self)
        for part in (self.window.centralWidget(), self.window.toolbar, self.window.menuBar()):
            if part is not None:
                part.setEnabled(True)
        if self.cover is not None:
            self.cover.password.clear()
            self.cover.hide()
        self.last_input = self.clock.monotonic()
