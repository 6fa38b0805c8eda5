"""Composition root and the ``doudi-desk`` command: paths, logging, then the window.

``doudi-desk`` opens the main window on the embedded SQLite database in the user data folder
(``--db URL`` for another database). ``doudi-desk --self-test`` starts offscreen on a temporary
demo database, walks one case one step through the real window and exits 0 — the installer's
smoke test. Qt itself is imported only under ``doudi_desk.ui``.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from .paths import user_folders

log = logging.getLogger("doudi_desk")


def log_folder() -> Path:
    return user_folders().logs


# What an IT helper reads in the log is the program's own INFO lines (log-ins, batch results and
# refusals, backups, database upgrades, errors); libraries speak only when something is wrong.
LIBRARY_LEVELS = {
    "transitions": logging.WARNING,  # one line per state callback: 95% of the log otherwise
    "alembic.runtime.plugins": logging.WARNING,
}


def setup_logging(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Log to ``doudi_desk.log`` in the user log folder (rotated, 5 × 2 MB); None if not writable."""
    for name, library_level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(library_level)
    folder = folder or log_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "doudi_desk.log", maxBytes=2_000_000, backupCount=5,
                                                       encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return folder / "doudi_desk.log"


# The system libraries Qt needs on Linux (platform-notes.md), by soname, with the Debian package
# that holds each: QT_LIBRARIES for any use of Qt (offscreen too), XCB_LIBRARIES for a window on
# an X11 desktop (Qt's xcb platform plugin). Without them Qt aborts with a message about plugins.
QT_LIBRARIES = {
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libX11.so.6": "libx11-6",
    "libdbus-1.so.3": "libdbus-1-3", "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libxkbcommon.so.0": "libxkbcommon0",
}
XCB_LIBRARIES = {
    "libX11-xcb.so.1": "libx11-xcb1", "libxcb.so.1": "libxcb1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_qt_packages(environ: Mapping[str, str] | None = None, platform: str | None = None,
                        loads: Callable[[str], bool] = _loads) -> list[str]:
    """Debian packages to install before Qt can start here (empty when nothing is missing or the
    system is not Linux). The xcb libraries count only where the window will use X11: not with
    ``QT_QPA_PLATFORM`` set to another platform (offscreen, wayland), nor on a Wayland session."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return []
    wanted = dict(QT_LIBRARIES)
    qpa = environ.get("QT_QPA_PLATFORM", "")
    wayland_session = environ.get("XDG_SESSION_TYPE") == "wayland" and bool(environ.get("WAYLAND_DISPLAY"))
    if qpa.startswith("xcb") or (not qpa and not wayland_session):
        wanted |= XCB_LIBRARIES
    return sorted({package for soname, package in wanted.items() if not loads(soname)})


def missing_packages_message(packages: list[str]) -> str:
    return ("无法打开窗口：本机缺少 Qt 在 Linux 桌面上显示窗口所需的系统库。请先安装（Debian/Ubuntu）：\n"
            f"    sudo apt-get install {' '.join(packages)}\n"
            "然后重新运行。（见 README「在 Linux 桌面上运行」）")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="doudi-desk", description="兜底 Desk：社会救助案件办理（桌面程序）")
    parser.add_argument("--db", metavar="URL", help="数据库（SQLAlchemy URL）；默认为用户数据目录中的 SQLite 文件")
    parser.add_argument("--self-test", action="store_true", help="无界面自检：临时示例数据库上办理一个案件一步后退出")
    parser.add_argument("--user", metavar="USERNAME", help="直接以此用户登录（试用、培训）")
    parser.add_argument("--check-desktop", action="store_true",
                        help="只检查本机能否显示窗口（Linux：Qt 所需的系统库），缺少时列出要安装的软件包")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Before Qt is imported: a Linux desktop without Qt's system libraries gets the packages to
    # install instead of Qt's abort about platform plugins.
    missing = missing_qt_packages()
    if missing:
        print(missing_packages_message(missing), file=sys.stderr)
        return 2
    if args.check_desktop:
        print("可以显示窗口：Qt 所需的系统库都已安装。")
        return 0
    log_file = setup_logging()
    log.info("doudi-desk starting (%s)", "self-test" if args.self_test else args.db or "default database")
    from .ui.application import run_self_test, run_window

    if args.self_test:
        return run_self_test(log_file)
    return run_window(args.db, log_file, user=args.user)


if __name__ == "__main__":
    sys.exit(main())
