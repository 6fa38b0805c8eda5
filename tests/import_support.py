"""Shared helpers of the import and export tests: the sample rosters, an office of 青山县 (the
samples' county), crafted spreadsheets and reading xlsx back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "import-samples"
BY_HOUSEHOLD = SAMPLES / "低保花名册-按户.xlsx"
BY_MEMBER = SAMPLES / "救助对象明细-按人.xls"
TODAY = dt.date(2026, 11, 23)

# 桃源镇 (139901101) and 杏花乡 (139901102) of 青山县, with the demo's villages.
USERS = [
    ("admin", "刘管理", ["admin"], None),
    ("county_clerk", "周全", ["caseworker"], None),  # no area: the whole county, full ID numbers
    ("taoyuan", "张敏", ["caseworker"], "139901101"),
    ("taoyuan_rev", "王芳", ["township_reviewer"], "139901101"),
    ("approver", "赵军", ["county_approver"], None),
]


def open_office(url: str):
    """An AppContext on ``url`` with 青山县's areas, users of every role and a policy set."""
    from doudi_desk.services.admin import AdminService, default_policy
    from doudi_desk.services.context import open_context
    from doudi_desk.services.demo import TOWNSHIPS, VILLAGES

    ctx = open_context(url)
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    admin = AdminService(ctx)
    admin.add_area("139901", "青山县", "county", None)
    for code, name, level, parent in TOWNSHIPS + VILLAGES:
        admin.add_area(code, name, level, parent)
    for username, name, roles, area in USERS:
        admin.add_user(username, name, roles, area_code=area)
    admin.set_policy("139901", dt.date(2026, 1, 1), default_policy())
    return ctx


def office_context(tmp_path: Path) -> Iterator[Any]:
    """The office on a fresh SQLite file, or (DOUDI_TEST_BACKEND=postgresql) a fresh PostgreSQL
    database; ``ctx.db_path`` is what ``conftest.dump_db`` takes."""
    from tests.helpers.office import BACKEND

    if BACKEND == "postgresql":
        from tests.pg_support import fresh_database

        with fresh_database() as url:
            ctx = open_office(url)
            ctx.db_path = url
            try:
                yield ctx
            finally:
                ctx.db.dispose()
        return
    ctx = open_office(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    ctx.db_path = tmp_path / "office.sqlite3"
    try:
        yield ctx
    finally:
        ctx.db.dispose()


def write_rows(path: Path, rows: Sequence[Sequence[Any]], *, merged: Sequence[tuple[int, int, int, int]] = (),
               sheet: str = "花名册") -> Path:
    """A spreadsheet with exactly these cells: str as text, int/float as numbers (an ID typed as a
    number is a float, as Excel stores it); ``merged`` ranges (first row, first col, last row, last col)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    for r1, c1, r2, c2 in merged:
        ws.merge_range(r1, c1, r2, c2, rows[r1][c1] if isinstance(rows[r1][c1], str) else "")
        if not isinstance(rows[r1][c1], str) and rows[r1][c1] not in (None, ""):
            ws.write_number(r1, c1, rows[r1][c1])
    book.close()
    return path


def read_xlsx(path: Path) -> list[list[Any]]:
    """The cells of the first sheet as python-calamine reads them (from A1)."""
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return [list(r) for r in sheet.to_python(skip_empty_area=False)]


def merged_ranges(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return [(tuple(a), tuple(b)) for a, b in sheet.merged_cell_ranges or []]


ROSTER_HEADER = ["序号", "乡镇（街道）", "村（社区）", "户主姓名", "户主身份证号码", "家庭人口", "保障人口", "保障类别",
                 "月保障金额（元）", "保障起始年月", "开户银行", "银行账号", "成员姓名", "成员身份证号码", "与户主关系",
                 "残疾类别", "残疾等级", "是否重病", "联系电话", "家庭住址"]


def household_rows(seq: int, town: str, village: str, members: Sequence[tuple[Any, Any, str]], *, amount: Any = 720,
                   month: Any = "2020-05", covered: Any = None, account: Any = "6230289859846799918",
                   category: str = "一类") -> list[list[Any]]:
    """Rows of one household in the 按户 roster layout; ``members`` are (name, id, relation), head first."""
    head = members[0]
    first = [seq, town, village, head[0], head[1], len(members), covered if covered is not None else len(members),
             category, amount, month, "青山县农村信用社", account, head[0], head[1], head[2], "", "", "否",
             "13587044260", f"{village}1号"]
    rows = [first]
    for name, number, relation in members[1:]:
        rows.append(["", "", "", "", "", "", "", "", "", "", "", "", name, number, relation, "", "", "否", "", ""])
    return rows
