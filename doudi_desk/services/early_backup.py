"""The copy ``doudi-admin backup`` starts before the program loads (storage/sqlite_copy.py): this
module imports neither SQLAlchemy nor the models, so the command can start it first."""

from __future__ import annotations

from pathlib import Path

from ..paths import DB_FILE_NAME, user_folders
from ..storage.sqlite_copy import EarlyCopy, sqlite_path

__all__ = ["EarlyCopy", "start_early_copy"]


def start_early_copy(url: str | None, dest: str | Path, *, overwrite: bool) -> EarlyCopy | None:
    """The SQLite file's copy to ``dest``, under way on a thread of its own; None where there is none
    to make (another database, a destination the backup will refuse: it says why itself). Hand it to
    :meth:`BackupService.backup` and :meth:`EarlyCopy.discard` it afterwards in any case."""
    source = sqlite_path(url, user_folders().data / DB_FILE_NAME)
    return EarlyCopy.start(source, Path(dest).expanduser().resolve(), overwrite=overwrite)
