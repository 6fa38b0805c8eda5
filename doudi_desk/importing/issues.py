"""What the importer found wrong with a file, a row or a cell, in words an office clerk reads."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import InputError

SEVERITIES = {"error": "错误", "fixed": "已纠正", "warning": "提示"}


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (Excel's column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Issue:
    """One finding about a cell or a row.

    ``row`` is the row number Excel shows (1-based); ``column`` the column letter ("" for a
    whole row) and ``header`` the column's header text. ``severity`` is ``error`` (the row's
    household is not imported), ``fixed`` (normalised, e.g. full-width digits) or ``warning``.
    """

    severity: str
    sheet: str
    row: int
    column: str
    header: str
    message: str

    @property
    def where(self) -> str:
        place = f"工作表「{self.sheet}」第{self.row}行"
        if self.column:
            place += f"{self.column}列"
            if self.header:
                place += f"（{self.header}）"
        return place

    def text(self) -> str:
        return f"{self.where}：{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"severity": self.severity, "severity_label": SEVERITIES[self.severity], "sheet": self.sheet,
                "row": self.row, "column": self.column, "header": self.header, "message": self.message,
                "text": self.text()}


class FileRefused(InputError):
    """The file as a whole cannot be read (password, not a spreadsheet, no recognisable header)."""
