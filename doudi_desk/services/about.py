"""What the 关于 dialog and ``doudi-admin --version`` tell: the program's version, the database's
schema revision (and the newest this program knows), where the database and the user folders are,
and the last upgrade made on opening."""

from __future__ import annotations

import platform
import sys
from typing import Any

from .. import __version__, paths
from ..storage.db import Database
from .context import AppContext


def about(ctx: AppContext | None = None) -> dict[str, Any]:
    """Plain data for the dialog (call on the worker: it reads the database)."""
    folders = paths.user_folders()
    info: dict[str, Any] = {
        "version": __version__,
        "head_revision": Database.head_revision(),
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "frozen": paths.is_frozen(),
        "program_folder": str(paths.program_root()),
        "data_folder": str(folders.data),
        "log_folder": str(folders.logs),
        "backup_folder": str(folders.backups),
        "executable": sys.executable,
    }
    if ctx is not None:
        info["revision"] = ctx.db.revision()
        info["database"] = ctx.db.location()
        info["backend"] = "SQLite" if ctx.db.is_sqlite else ctx.db.url.get_backend_name()
        if ctx.upgrade is not None:
            info["upgrade"] = {"from": ctx.upgrade.from_revision, "to": ctx.upgrade.to_revision,
                               "backup": str(ctx.upgrade.backup)}
    return info
