"""``make run`` / ``doudi-desk`` on a Linux desktop without Qt's xcb libraries names the Debian
packages to install before Qt aborts (issue 10 item 19)."""

from __future__ import annotations

import subprocess
import sys

from doudi_desk import app

X11 = {"DISPLAY": ":0"}


def test_every_library_checked_loads_on_this_machine():
    """The sonames are real ones: this machine has the packages platform-notes.md lists."""
    assert app.missing_qt_packages(environ=X11, platform="linux") == []


def test_a_missing_xcb_library_names_its_debian_package():
    missing = app.missing_qt_packages(environ=X11, platform="linux",
                                      loads=lambda soname: soname not in ("libxcb-cursor.so.0", "libxcb-icccm.so.4"))
    assert missing == ["libxcb-cursor0", "libxcb-icccm4"]
    message = app.missing_packages_message(missing)
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in message and "README" in message


def test_xcb_is_only_asked_for_where_the_window_uses_x11():
    no_xcb = lambda soname: "xcb" not in soname  # noqa: E731
    assert app.missing_qt_packages(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux", loads=no_xcb) == []
    assert app.missing_qt_packages(environ={"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
                                   platform="linux", loads=no_xcb) == []
    assert "libxcb1" in app.missing_qt_packages(environ={"QT_QPA_PLATFORM": "xcb"}, platform="linux", loads=no_xcb)
    assert app.missing_qt_packages(environ=X11, platform="win32", loads=lambda _s: False) == []
    # the libraries every use of Qt needs are asked for even offscreen
    assert app.missing_qt_packages(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux",
                                   loads=lambda soname: soname != "libEGL.so.1") == ["libegl1"]


def test_the_window_is_not_started_when_packages_are_missing(monkeypatch, capsys):
    import doudi_desk.ui.application as application

    monkeypatch.setattr(app, "missing_qt_packages", lambda: ["libxcb-cursor0"])
    monkeypatch.setattr(application, "run_window", lambda *a, **k: (_ for _ in ()).throw(AssertionError("Qt started")))
    assert app.main([]) == 2
    err = capsys.readouterr().err
    assert "缺少 Qt 在 Linux 桌面上显示窗口所需的系统库" in err and "sudo apt-get install libxcb-cursor0" in err


def test_check_desktop_command_on_this_machine():
    done = subprocess.run([sys.executable, "-m", "doudi_desk.app", "--check-desktop"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "可以显示窗口" in done.stdout
