"""Bank file layouts (``bank_formats/*.yaml``, payments.md §3): loaded, checked, every problem named
with its file and key, all of them at once.

A layout says the file type (xlsx, csv, fixed-width txt), the encoding (GBK or UTF-8), the columns
(title, or width in bytes for txt), header and trailer lines (texts and fields such as the count and
the total), whether amounts are in yuan or fen, the file-name pattern, and the extra columns and
status words of the bank's result file.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..domain.errors import InputError

LINE_FIELDS = {"seq": "序号", "payee_name": "姓名", "id_number": "身份证号", "bank_account": "账号",
               "bank_name": "开户银行", "amount": "金额", "memo": "摘要", "month": "月份", "village": "村（社区）"}
RESULT_FIELDS = {"status": "处理结果", "reason": "失败原因"}
SUMMARY_FIELDS = ("count", "total", "month", "month_compact", "area_name", "area_code", "group_short", "payroll",
                  "date")
FILE_TYPES = ("xlsx", "csv", "txt")
ENCODINGS = ("utf-8", "gbk")


class LayoutError(InputError):
    """One or more layouts are invalid; the message lists every problem (file: key: what)."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("银行格式文件有误：\n" + "\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Cell:
    """A column, or a piece of a header/trailer line: a literal ``text`` or a ``field``."""

    field: str = ""
    text: str = ""
    title: str = ""
    width: int | None = None
    align: str = "left"
    pad: str = " "


@dataclass(frozen=True)
class Layout:
    id: str
    title: str
    file_type: str
    encoding: str
    amount: str  # yuan | fen
    file_name: str
    columns: tuple[Cell, ...]
    result_columns: tuple[Cell, ...]
    header: tuple[tuple[Cell, ...], ...] = ()
    trailer: tuple[tuple[Cell, ...], ...] = ()
    column_titles: bool = False
    sheet: str = "Sheet1"
    line_end: str = "\r\n"
    delimiter: str = ","
    success: tuple[str, ...] = ("成功",)
    failure: tuple[str, ...] = ("失败",)
    source: str = ""

    def has(self, field: str) -> bool:
        return any(c.field == field for c in self.columns)


def _cell(raw: Any, where: str, problems: list[str], allowed: Iterable[str], fixed: bool) -> Cell:
    if not isinstance(raw, dict):
        problems.append(f"{where}: 应为对象，如 {{field: amount, title: 金额}}")
        return Cell()
    unknown = sorted(set(raw) - {"field", "text", "title", "width", "align", "pad"})
    if unknown:
        problems.append(f"{where}.{unknown[0]}: 未知的键")
    field, text = raw.get("field", ""), raw.get("text", "")
    if bool(field) == ("text" in raw):
        problems.append(f"{where}: 须有 field 或 text 之一")
    allowed = tuple(allowed)
    if field and field not in allowed:
        problems.append(f"{where}.field: 不能是「{field}」，可选：{'、'.join(allowed)}")
    width = raw.get("width")
    if width is not None and (not isinstance(width, int) or isinstance(width, bool) or width < 1):
        problems.append(f"{where}.width: 应为正整数（字节数）")
        width = None
    if fixed and field and width is None:
        problems.append(f"{where}.width: 定长文本格式的每个字段须有宽度（字节数）")
    align = raw.get("align", "left")
    if align not in ("left", "right"):
        problems.append(f"{where}.align: 只能是 left 或 right")
    pad = str(raw.get("pad", " "))
    if len(pad) != 1:
        problems.append(f"{where}.pad: 应为一个字符")
    return Cell(field=str(field or ""), text=str(text or ""), title=str(raw.get("title", "")), width=width,
                align=align, pad=pad if len(pad) == 1 else " ")


def _lines(raw: Any, where: str, problems: list[str], fixed: bool) -> tuple[tuple[Cell, ...], ...]:
    if raw in (None, []):
        return ()
    if not isinstance(raw, list) or not all(isinstance(line, list) for line in raw):
        problems.append(f"{where}: 应为行的列表，每行是若干 {{text: …}} 或 {{field: …}}")
        return ()
    return tuple(tuple(_cell(c, f"{where}[{i}][{j}]", problems, SUMMARY_FIELDS, fixed) for j, c in enumerate(line))
                 for i, line in enumerate(raw))


def parse_layout(data: Any, source: str) -> tuple[Layout | None, list[str]]:
    problems: list[str] = []
    p = lambda key, msg: problems.append(f"{source}: {key}: {msg}")  # noqa: E731
    if not isinstance(data, dict):
        return None, [f"{source}: 应为 YAML 对象"]
    known = {"id", "title", "file_type", "encoding", "amount", "file_name", "columns", "result_columns", "header",
             "trailer", "column_titles", "sheet", "line_end", "delimiter", "success", "failure"}
    for key in sorted(set(data) - known):
        p(key, "未知的键")
    for key in ("id", "title", "file_type", "amount", "file_name", "columns", "result_columns"):
        if not data.get(key):
            p(key, "缺少此项")
    file_type = data.get("file_type")
    if file_type and file_type not in FILE_TYPES:
        p("file_type", f"只能是 {'、'.join(FILE_TYPES)}")
    encoding = str(data.get("encoding", "utf-8")).lower()
    if encoding not in ENCODINGS:
        p("encoding", f"只能是 {'、'.join(ENCODINGS)}")
    if data.get("amount") and data["amount"] not in ("yuan", "fen"):
        p("amount", "只能是 yuan（元，两位小数）或 fen（分，整数）")
    fixed = file_type == "txt"
    inner: list[str] = []
    columns = tuple(_cell(c, f"columns[{i}]", inner, LINE_FIELDS, fixed) for i, c in enumerate(data.get("columns") or []))
    results = tuple(_cell(c, f"result_columns[{i}]", inner, RESULT_FIELDS, fixed)
                    for i, c in enumerate(data.get("result_columns") or []))
    header = _lines(data.get("header"), "header", inner, fixed)
    trailer = _lines(data.get("trailer"), "trailer", inner, fixed)
    problems.extend(f"{source}: {x}" for x in inner)
    fields = [c.field for c in columns]
    for need in ("bank_account", "amount"):
        if columns and need not in fields:
            p("columns", f"须有 {need}（{LINE_FIELDS[need]}）列")
    if results and "status" not in [c.field for c in results]:
        p("result_columns", "须有 status（处理结果）列")
    pattern = str(data.get("file_name") or "")
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(pattern) if f]
        bad = [n for n in names if n not in SUMMARY_FIELDS]
        if bad:
            p("file_name", f"不能用 {{{bad[0]}}}，可用：{'、'.join(SUMMARY_FIELDS)}")
    except ValueError as exc:
        p("file_name", f"格式有误：{exc}")
    success = tuple(str(x) for x in (data.get("success") or ["成功"]))
    failure = tuple(str(x) for x in (data.get("failure") or ["失败"]))
    if set(success) & set(failure):
        p("success", "成功与失败的标记不能相同")
    if problems:
        return None, problems
    return Layout(
        id=str(data["id"]), title=str(data["title"]), file_type=file_type, encoding=encoding, amount=data["amount"],
        file_name=pattern, columns=columns, result_columns=results, header=header, trailer=trailer,
        column_titles=bool(data.get("column_titles", not fixed)), sheet=str(data.get("sheet") or "Sheet1"),
        line_end=str(data.get("line_end") or "\r\n"), delimiter=str(data.get("delimiter") or ","),
        success=success, failure=failure, source=source,
    ), []


def load_layouts(directories: Sequence[Path]) -> dict[str, Layout]:
    """Every layout of these folders (a later folder's layout replaces an earlier one of the same id)."""
    layouts: dict[str, Layout] = {}
    problems: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                problems.append(f"{path.name}: 无法读取：{exc}")
                continue
            layout, found = parse_layout(data, path.name)
            problems.extend(found)
            if layout is not None:
                layouts[layout.id] = layout
    if problems:
        raise LayoutError(problems)
    return layouts
