"""The print folder and its files: write a PDF there, copy it elsewhere, open it with the system's viewer."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from ...domain.errors import DomainError
from ...paths import user_folders

KEEP_DAYS = 7
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def default_print_folder() -> Path:
    """``print`` in the user cache folder (e.g. %LOCALAPPDATA%\\doudi_desk\\Cache\\print)."""
    return user_folders().print_cache


def open_in_viewer(path: Path) -> bool:
    """Open a file or folder with the system's program for it (the PDF viewer prints it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def safe_name(text: str) -> str:
    """A file name part without characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip("._")[:80] or "文书"


def pdf_pages(pdf: bytes) -> int:
    """Pages of a ReportLab PDF (each page object is written as ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@dataclass(frozen=True)
class PrintedFile:
    """A PDF written to the print folder."""

    path: Path
    title: str
    pages: int
    size: int


def _prune(folder: Path, keep_days: int) -> None:
    limit = time.time() - keep_days * 86400
    for old in list(folder.glob("*.pdf")) + list(folder.glob("*.part")):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:  # open in a viewer, or gone meanwhile: try again next time
            pass


def write_pdf(folder: Path, name: str, pdf: bytes, title: str) -> PrintedFile:
    """Write a PDF into the print folder under a new name (worker thread)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder, KEEP_DAYS)
        stem = f"{safe_name(name)}_{dt.datetime.now():%Y%m%d-%H%M%S}"
        path = folder / f"{stem}.pdf"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.pdf"
        part = path.with_name(path.name + ".part")
        part.write_bytes(pdf)
        part.replace(path)
    except OSError as exc:
        raise DomainError(f"无法把打印文件写入 {folder}：{exc.strerror or exc}") from None
    return PrintedFile(path, title, pdf_pages(pdf), len(pdf))


def copy_pdf(source: Path, target: Path) -> Path:
    """另存为: copy through a temporary file so a half-written copy never replaces a good file."""
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    try:
        if target.exists() and target.resolve() == source.resolve():
            return target
        part = target.with_name(target.name + ".part")
        shutil.copyfile(source, part)
        part.replace(target)
    except OSError as exc:
        raise DomainError(f"无法保存到 {target}：{exc.strerror or exc}") from None
    return target
