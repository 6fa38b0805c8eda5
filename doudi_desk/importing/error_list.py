"""The error list of an import: the rows of the households that cannot be imported, beside their
original columns, with what is wrong in a column of its own, to be corrected and imported again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .cells import excel_shows, plain
from .issues import Issue
from .records import HouseholdRecord
from .roster import ParsedFile


def error_rows(parsed: ParsedFile, households: Sequence[HouseholdRecord], issues: Sequence[Issue]
               ) -> tuple[list[str], set[int], list[dict[str, Any]]]:
    """Header texts, the indexes of ID/account columns, and one dict per row (keys: column index as
    text) for every row of the households given and every row outside a household that has an issue."""
    first = parsed.sheets[0].match
    width = max(s.match.sheet.width for s in parsed.sheets)
    headers = [str(c) for c in range(width)]
    for c in range(width):
        parts = [plain(first.sheet.cell(r, c)) for r in range(first.first_row, first.data_start)]
        headers[c] = "/".join(p for p in parts if p)
    codes = {col.index for f, col in first.columns.items() if f in ("id_number", "head_id_number", "bank_account")}
    notes: dict[tuple[str, int], list[str]] = {}
    for issue in issues:
        notes.setdefault((issue.sheet, issue.row), []).append(
            f"【{issue.as_dict()['severity_label']}】{issue.column + '列' if issue.column else ''}{issue.message}")
    wanted: dict[tuple[str, int], list[Any]] = {}
    for h in households:
        for number, raw in h.raw_rows:
            wanted[h.sheet, number] = raw
    for s in parsed.sheets:
        for issue in s.issues:
            if issue.severity == "error" and issue.row - 1 < len(s.match.sheet.rows):
                wanted.setdefault((issue.sheet, issue.row), s.match.sheet.rows[issue.row - 1])
    out = []
    for (sheet, number), raw in sorted(wanted.items(), key=lambda x: (x[0][0], x[0][1])):
        row: dict[str, Any] = {}
        for c in range(width):
            value = raw[c] if c < len(raw) else ""
            row[str(c)] = excel_shows(value) if c in codes and isinstance(value, float) else plain(value)
        row[str(width)] = "；".join(notes.get((sheet, number), []))
        row[str(width + 1)] = sheet
        row[str(width + 2)] = number
        out.append(row)
    return [*headers, "问题说明", "原工作表", "原行号"], codes, out
