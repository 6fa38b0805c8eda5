"""Helpers shared by the printing tests: text extraction, embedded-font check, page-1 PNGs."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

OUTPUT = Path(__file__).resolve().parent / "output" / "pdf"
ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text without whitespace: extraction puts spaces and line breaks between some characters."""
    return re.sub(r"\s+", "", text)


def fonts_not_embedded(pdf: bytes) -> list[str]:
    """Names of fonts used by any page that the file does not embed."""
    missing = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for f in targets:
                desc = f.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else None
                if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(f.get("/BaseFont")))
    return missing


def save_png(pdf: bytes, name: str, *, all_pages: bool = False, dpi: int = 80) -> Path | None:
    """Write the PDF and its first page (or every page, NAME-1.png …) as PNG into tests/output/pdf/
    (for looking at)."""
    path = OUTPUT / f"{name}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        return None
    pages = [] if all_pages else ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", *pages, str(path), str(OUTPUT / name)], check=True, timeout=60)
    return OUTPUT / f"{name}.png"


def posting_list_event_columns(ctx, printer, village: str) -> list[list[str]]:
    """The result columns of every statement reading audit_events while a village's 公示名单 is printed."""
    from sqlalchemy import event

    read: list[list[str]] = []

    def capture(_conn, cursor, statement, _parameters, _context, _many) -> None:
        if "audit_events" in statement and cursor.description:
            read.append([d[0] for d in cursor.description])

    event.listen(ctx.db.engine, "after_cursor_execute", capture)
    try:
        printer.posting_list(village)
    finally:
        event.remove(ctx.db.engine, "after_cursor_execute", capture)
    return read
