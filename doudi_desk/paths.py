"""Where the program finds its own files, and where it keeps the user's.

*Program files* (read only, shipped with the program): the folders of :data:`PROGRAM_FOLDERS`
(workflows/, forms/, print_templates/, import_profiles/, bank_formats/). In a source checkout they
sit at the top of the tree, beside the ``doudi_desk`` package; in a PyInstaller bundle they sit in
the bundle's contents folder (``sys._MEIPASS``). ``$DOUDI_DEFINITIONS_DIR`` points elsewhere (an
office trying out changed definitions, tests). Everything that reads them asks
:func:`program_folder`; installer/doudi_desk.spec bundles what :func:`present_program_folders`
lists, so the two cannot drift apart.

*User files*: the database and its backups, the log, the print cache. On Windows all of them live
under ``%LOCALAPPDATA%\\doudi_desk`` (``Logs`` and ``Cache`` inside it, as platformdirs lays them
out), elsewhere in the XDG folders (``~/.local/share/doudi_desk``, ``~/.local/state/doudi_desk/log``,
``~/.cache/doudi_desk``). The folder is taken from the environment as a string of characters, so a
Chinese user name (``C:\\Users\\张敏``) works like any other.

This module imports neither Qt nor SQLAlchemy: every layer may use it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "doudi_desk"
ENV_PROGRAM_DIR = "DOUDI_DEFINITIONS_DIR"
# Every folder of program data read at run time. Folders that do not exist (yet) in this tree are
# skipped by the bundle; a developer adding one adds its name here.
PROGRAM_FOLDERS = ("workflows", "forms", "print_templates", "import_profiles", "bank_formats")


def current_platform() -> str:
    """``sys.platform``, behind a function so tests can stand in another system."""
    return sys.platform


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def program_root(environ: Mapping[str, str] | None = None) -> Path:
    """The folder holding the program-data folders (see the module docstring)."""
    environ = os.environ if environ is None else environ
    configured = environ.get(ENV_PROGRAM_DIR)
    if configured:
        return Path(configured).expanduser().resolve()
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    return Path(__file__).resolve().parents[1]


def program_folder(name: str) -> Path:
    """One program-data folder, e.g. ``program_folder("print_templates")``."""
    if name not in PROGRAM_FOLDERS:
        raise ValueError(f"{name!r} is not a program-data folder (add it to PROGRAM_FOLDERS)")
    return program_root() / name


def present_program_folders(root: Path | None = None) -> list[str]:
    """The names of :data:`PROGRAM_FOLDERS` that exist under ``root`` (default: the program root)."""
    root = root or program_root()
    return [name for name in PROGRAM_FOLDERS if (root / name).is_dir()]


DB_FILE_NAME = "doudi_desk.sqlite3"  # the embedded database in the user data folder (storage/db.py)


@dataclass(frozen=True)
class UserFolders:
    """The user's own folders (none is created here: whoever writes creates what it needs)."""

    data: Path  # the SQLite database
    logs: Path
    cache: Path

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    @property
    def print_cache(self) -> Path:
        return self.cache / "print"


def user_folders(*, platform: str | None = None, environ: Mapping[str, str] | None = None,
                 home: Path | None = None) -> UserFolders:
    """The user's folders on this system (arguments stand in another system, for tests)."""
    platform = platform or current_platform()
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        # %LOCALAPPDATA% (not the roaming profile: a database does not belong on a profile server).
        # Windows always sets it; the fallback is where it points on every Windows since Vista.
        local = environ.get("LOCALAPPDATA")
        base = Path(local) if local else (home or Path.home()) / "AppData" / "Local"
        data = base / APP_NAME
        return UserFolders(data=data, logs=data / "Logs", cache=data / "Cache")
    return UserFolders(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
