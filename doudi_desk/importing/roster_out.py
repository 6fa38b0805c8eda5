"""The 花名册 (roster) as xlsx in the layout of the province's 低保花名册-按户: one household a row
with its members below, the household's cells merged down, a total line. The profile
``roster_by_household`` reads it back, so export → import changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .workbook import _Book, _check_out, display_width, write_cell

# (header, kind, key) — the sample's 20 columns, in its order.
HOUSEHOLD_COLUMNS = (
    ("序号", "int", "seq"), ("乡镇（街道）", "text", "township"), ("村（社区）", "text", "village"),
    ("户主姓名", "text", "head"), ("户主身份证号码", "code", "head_id_number"), ("家庭人口", "int", "size"),
    ("保障人口", "int", "covered_count"), ("保障类别", "text", "category"),
    ("月保障金额（元）", "money", "monthly_amount"), ("保障起始年月", "text", "start_month"),
    ("开户银行", "text", "bank_name"), ("银行账号", "code", "bank_account"),
)
MEMBER_COLUMNS = (
    ("成员姓名", "text", "name"), ("成员身份证号码", "code", "id_number"), ("与户主关系", "text", "relation"),
    ("残疾类别", "text", "disability_type"), ("残疾等级", "text", "disability_grade"),
    ("是否重病", "text", "serious_illness"),
)
TAIL_COLUMNS = (("联系电话", "code", "phone"), ("家庭住址", "text", "address"))
COLUMNS = HOUSEHOLD_COLUMNS + MEMBER_COLUMNS + TAIL_COLUMNS
WIDTHS = (6, 12, 12, 10, 21, 9, 9, 9, 12, 12, 18, 22, 10, 21, 10, 9, 9, 9, 14, 18)


def _money_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1))}" if value == value.to_integral_value() else f"{value:f}"


def write_roster(path: str | Path, *, title: str, info: str, households: Sequence[Mapping[str, Any]]) -> int:
    """Write the roster; ``households`` are dicts with the keys of :data:`COLUMNS` and ``members``
    (dicts with the member keys). Returns the number of households written."""
    path = _check_out(path)
    book = _Book(path)
    try:
        sheet = book.book.add_worksheet("花名册")
        last = len(COLUMNS) - 1
        sheet.merge_range(0, 0, 0, last, title, book.title)
        sheet.set_row(0, 30)
        sheet.merge_range(1, 0, 1, last, info, book.info)
        for c, (header, _kind, _key) in enumerate(COLUMNS):
            sheet.write_string(2, c, header, book.header)
        sheet.set_row(2, 30)
        r = 3
        people = covered = 0
        amount = Decimal(0)
        for seq, h in enumerate(households, 1):
            members = list(h["members"]) or [{}]
            values = {**h, "seq": seq}
            span = len(members)
            for c, (_header, kind, key) in enumerate(HOUSEHOLD_COLUMNS + TAIL_COLUMNS):
                col = c if c < len(HOUSEHOLD_COLUMNS) else c + len(MEMBER_COLUMNS)
                value = values.get(key)
                if span > 1:  # the household's cell merged down over its members, as in the province's file
                    fmt = {"code": book.code, "money": book.money, "int": book.whole}.get(kind, book.text)
                    sheet.merge_range(r, col, r + span - 1, col, "", fmt)
                write_cell(sheet, book, r, col, kind, value)
            for i, m in enumerate(members):
                for c, (_header, kind, key) in enumerate(MEMBER_COLUMNS):
                    write_cell(sheet, book, r + i, len(HOUSEHOLD_COLUMNS) + c, kind, m.get(key))
            r += span
            people += len(h["members"])
            covered += int(h.get("covered_count") or 0)
            amount += Decimal(str(h.get("monthly_amount") or 0))
        r += 1
        total = f"合计：{len(households)}户，{covered}人，月保障金{_money_text(amount)}元"
        sheet.merge_range(r, 0, r, last, total, book.total)
        for c, (header, kind, _key) in enumerate(COLUMNS):
            sheet.set_column(c, c, max(WIDTHS[c], display_width(header) + 2), book.code if kind == "code" else None)
        sheet.freeze_panes(3, 0)
        sheet.repeat_rows(2)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
    except BaseException:
        book.abandon()
        raise
    book.close()
    return len(households)
