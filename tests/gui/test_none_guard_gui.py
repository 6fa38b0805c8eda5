"""ui/none_guard.py: the window survives more void Qt calls than None has references.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a function returning void;
without the guard, a bare QApplication aborts ("none_dealloc") after about 5,000 QLabel.setText."""

from __future__ import annotations

import os
import subprocess
import sys

MANY_VOID_CALLS = r"""
import sys
import doudi_desk.ui  # the guard runs on import, before any Qt call
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
held = sys.getrefcount(None) % (1 << 40)  # what None holds besides the guard's spare references
calls = 2 * held + 20000  # well past it
for _ in range(calls):
    label.setText("低保")
    label.update()
app.processEvents()
print("survived", calls)
"""


def test_the_window_survives_more_void_qt_calls_than_none_had_references():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", MANY_VOID_CALLS], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("survived")


def test_none_keeps_its_spare_references_after_the_ui_is_imported():
    import doudi_desk.ui  # noqa: F401
    from doudi_desk.ui.none_guard import SPARE_REFERENCES, keep_none_alive

    assert keep_none_alive()
    if sys.version_info < (3, 12):
        # Given when short, never on top of spares it still has: a second call adds nothing. (Not
        # "below 2 × spares": a long test session re-polishing every live widget through the
        # window's style, a Python override of a void call, may use up None's own references and
        # rightly get the spares again.)
        before = sys.getrefcount(None)
        assert before >= SPARE_REFERENCES
        assert keep_none_alive()
        assert abs(sys.getrefcount(None) - before) < 1000
