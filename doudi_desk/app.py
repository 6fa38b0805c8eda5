"""Composition root and the ``doudi-desk`` command: paths, logging, then the window.

``doudi-desk`` opens the main window on the embedded SQLite database in the user data folder
(``--db URL`` for another database). ``doudi-desk --self-test`` starts offscreen on a temporary
demo database, walks one case one step through the real window and exits 0 — the installer's
smoke test. Qt itself is imported only under ``doudi_desk.ui``.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

log = logging.getLogger("doudi_desk")


def log_folder() -> Path:
    return Path(platformdirs.user_log_dir("doudi_desk", appauthor=False))


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="doudi-desk", description="兜底 Desk：社会救助案件办理（桌面程序）")
    parser.add_argument("--db", metavar="URL", help="数据库（SQLAlchemy URL）；默认为用户数据目录中的 SQLite 文件")
    parser.add_argument("--self-test", action="store_true", help="无界面自检：临时示例数据库上办理一个案件一步后退出")
    parser.add_argument("--user", metavar="USERNAME", help="直接以此用户登录（试用、培训）")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    log_file = setup_logging()
    log.info("doudi-desk starting (%s)", "self-test" if args.self_test else args.db or "default database")
    from .ui.application import run_self_test, run_window

    if args.self_test:
        return run_self_test(log_file)
    return run_window(args.db, log_file, user=args.user)


if __name__ == "__main__":
    sys.exit(main())
