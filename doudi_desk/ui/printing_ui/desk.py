"""The window's printing: where files go, how they are opened, and the one way to generate."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths

from .files import PrintedFile, default_print_folder, open_in_viewer, write_pdf

log = logging.getLogger(__name__)


class PrintDesk:
    """The window's printing: where files go, how they are opened, and the one way to generate."""

    def __init__(self, shell):
        self.shell = shell
        self.folder: Path = default_print_folder()
        self.opener: Callable[[Path], bool] = open_in_viewer
        self.save_dir: str = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def generate(self, make: Callable[[Any], bytes], name: str, title: str, *, owner,
                 on_done: Callable[[PrintedFile], None], on_error: Callable[[BaseException], None]):
        """``make(print_service)`` runs on the worker, the PDF is written there, ``on_done`` gets the file."""
        backend, folder = self.shell.backend, self.folder

        def work() -> PrintedFile:
            started = time.perf_counter()
            pdf = make(backend.printing)
            printed = write_pdf(folder, name, pdf, title)
            log.info("printed %s: %s pages, %s bytes in %.2f s", title, printed.pages, printed.size,
                     time.perf_counter() - started)
            return printed

        return self.shell.executor.submit(work, owner=owner, on_done=on_done, on_error=on_error)
