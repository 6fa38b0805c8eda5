"""Data rows into household records, each problem an :class:`Issue` naming sheet, row and column.

Two layouts: ``household_rows`` (a household's own cells — head, amount, account — on its first row,
often merged down over the member rows below it) and ``member_rows`` (one row per person, joined by
a household key such as 户编号). A household with any error is not imported as a whole: a family
never comes in with a member missing. What the file does not say stays unknown (covered persons
when only their number is given); nothing is computed to fill it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..domain import ids
from ..domain.errors import InputError
from ..domain.household import bank_account, parse_member
from ..domain.model import Household, Member
from . import cells
from .cells import CellError, plain
from .issues import Issue
from .profiles import FIELDS
from .table import DataRow, HeaderMatch, TotalRow, split_rows

PROGRAMME_WORDS = (("特困", "tekun"), ("供养", "tekun"), ("低保", "dibao"), ("最低生活保障", "dibao"))


@dataclass
class MemberRecord:
    row: int  # the row number Excel shows
    name: str
    id_number: str
    relation: str  # head, spouse, child, parent, other
    relation_label: str
    disability: dict[str, Any] | None = None
    serious_illness: bool = False
    covered: bool | None = None  # None: the file does not say
    member: Member | None = None  # as checked by domain.household.parse_member; None when it failed


@dataclass
class HouseholdRecord:
    """One family as the file describes it; ``issues`` holds what was wrong or fixed."""

    sheet: str
    rows: list[int]  # Excel row numbers, the household's first row first
    key: str
    programme: str | None = None
    programme_label: str = ""
    township: str = ""
    village: str = ""
    members: list[MemberRecord] = field(default_factory=list)
    covered: list[int] | None = None  # member indexes; None when the file gives only a number
    covered_count: int | None = None
    household_size: int | None = None
    category: str = ""
    monthly_amount: Decimal | None = None
    start_month: str | None = None
    bank_name: str = ""
    bank_account: str = ""
    phone: str = ""
    address: str = ""
    issues: list[Issue] = field(default_factory=list)
    raw_rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (column letter, header)

    @property
    def id_column(self) -> tuple[str, str]:
        return self.columns.get("id_number", ("", ""))

    def issue(self, severity: str, message: str, fld: str | None = None, row: int | None = None) -> Issue:
        """An issue about this household (its first row unless ``row``), in column ``fld`` if known."""
        letter, header = self.columns.get(fld or "", ("", ""))
        return Issue(severity, self.sheet, row or self.first_row, letter, header, message)

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def head(self) -> MemberRecord | None:
        return self.members[0] if self.members else None

    @property
    def first_row(self) -> int:
        return self.rows[0]

    def id_numbers(self) -> list[str]:
        return [m.id_number for m in self.members]

    def to_household(self, village_code: str | None) -> Household:
        """The domain household: members as ``parse_member`` checked them (only of a record without
        errors); income and assets are unknown and left empty."""
        if not self.ok or any(m.member is None for m in self.members):
            raise ValueError("a household with errors is never built")
        members = [Member(**{**m.member.__dict__, "relation": m.relation}) for m in self.members]
        return Household(members=members, village_code=village_code, address=self.address, phone=self.phone,
                         bank_name=self.bank_name, bank_account=self.bank_account)


@dataclass
class SheetRecords:
    match: HeaderMatch
    households: list[HouseholdRecord]
    totals: list[TotalRow]
    issues: list[Issue]  # about rows that belong to no household, and totals that disagree
    footers: list[int]


class _Ctx:
    """Issue-making for one sheet: knows the columns and their headers."""

    def __init__(self, match: HeaderMatch, programme: str | None):
        self.match = match
        self.sheet = match.sheet.name
        self.programme = programme  # when the file has no 救助类型 column
        self.columns = {name: (col.letter, col.header) for name, col in match.columns.items()}
        self.household_fields = [name for name in match.columns if FIELDS[name][1] == "household"]

    def issue(self, severity: str, row: int, fld: str | None, message: str) -> Issue:
        col = self.match.columns.get(fld) if fld else None
        return Issue(severity, self.sheet, row, col.letter if col else "", col.header if col else "", message)


def _programme(text: str) -> str | None:
    for word, code in PROGRAMME_WORDS:
        if word in text:
            return code
    return None


def _group(match: HeaderMatch, rows: list[DataRow], ctx: _Ctx) -> tuple[list[list[DataRow]], list[Issue]]:
    """Rows of each household, in file order; rows that belong to none are issues."""
    issues: list[Issue] = []
    cols = match.columns
    if match.profile.layout == "member_rows":
        key_field = match.profile.household_key
        groups: dict[str, list[DataRow]] = {}
        for row in rows:
            key = _key_text(row.values.get(key_field))
            if not key:
                issues.append(ctx.issue("error", row.number, key_field,
                                        f"缺少{FIELDS[key_field][0]}，无法确定属于哪一户"))
                continue
            groups.setdefault(key, []).append(row)
        return list(groups.values()), issues
    key_field = next((f for f in ("head_id_number", "seq", "head_name", "household_key") if f in cols), None)
    out: list[list[DataRow]] = []
    current_key = None
    for row in rows:
        key = _key_text(row.values.get(key_field)) if key_field else ""
        if key and key != current_key:
            out.append([row])
            current_key = key
        elif out:
            out[-1].append(row)
        else:
            issues.append(ctx.issue("error", row.number, key_field,
                                    "这一行不在任何一户之下（上方没有户主所在的行）"))
    return out, issues


def _key_text(raw: Any) -> str:
    try:
        return cells.code(raw, "户编号")[0]
    except CellError:
        return plain(raw)


def _household_values(group: list[DataRow], match: HeaderMatch, ctx: _Ctx,
                      issues: list[Issue]) -> dict[str, tuple[Any, int]]:
    """Each household-level field's value and the row it came from; a second, different value is an error."""
    out: dict[str, tuple[Any, int]] = {}
    is_blank = cells.is_blank
    for name in ctx.household_fields:
        for row in group:
            raw = row.values.get(name)
            if raw == "" or raw is None or is_blank(raw):
                continue
            if name not in out:
                out[name] = (raw, row.number)
            elif raw != out[name][0] and not _same(out[name][0], raw):
                issues.append(ctx.issue("error", row.number, name,
                                        f"同一户的{FIELDS[name][0]}有两个不同的值：第{out[name][1]}行为「{plain(out[name][0])}」，"
                                        f"本行为「{plain(raw)}」"))
    return out


def _same(a: Any, b: Any) -> bool:
    return cells._half_width(plain(a))[0] == cells._half_width(plain(b))[0]


def _birth(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = cells._half_width(plain(raw))[0]
    found = re.match(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$", text)
    if not found:
        raise CellError(f"出生日期「{plain(raw)}」不是日期")
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        raise CellError(f"出生日期「{plain(raw)}」不是有效日期") from None


def _member_from(row_number: int, name: str, id_text: str, label: str, disability: dict | None,
                 illness: bool, covered: bool | None, ctx: _Ctx, issues: list[Issue]) -> MemberRecord:
    """A member checked by the shared validation (domain/household.py: name, ID number …); its
    message is placed in the column it is about."""
    relation = cells.relation(label)
    data: dict[str, Any] = {"name": name, "id_number": id_text, "relation": relation}
    if disability:
        data["disability"] = disability
    if illness:
        data["serious_illness"] = True
    member = None
    try:
        member = parse_member(data, "member")
    except InputError as exc:
        fld = (exc.field or "").split(".")[1] if "." in (exc.field or "") else "name"
        fld = {"disability": "disability_type"}.get(fld, fld)
        issues.append(ctx.issue("error", row_number, fld if fld in ctx.match.columns else None,
                                exc.sentence()))
    number = member.id_number if member else id_text
    return MemberRecord(row_number, name, number, relation, label, disability, illness, covered, member)


def _member(row: DataRow, ctx: _Ctx, issues: list[Issue]) -> MemberRecord | None:
    v = row.values
    if cells.is_blank(v.get("name")) and cells.is_blank(v.get("id_number")):
        return None
    ok = True

    def fail(fld: str, message: str) -> None:
        nonlocal ok
        ok = False
        issues.append(ctx.issue("error", row.number, fld, message))

    def fixed(fld: str, notes: list[str]) -> None:
        for note in notes:
            issues.append(ctx.issue("fixed", row.number, fld, note))

    name = id_text = ""
    try:
        name, notes = cells.name(v.get("name"))
        fixed("name", notes)
    except CellError as exc:
        fail("name", exc.message)
    try:
        id_text, notes = cells.id_text(v.get("id_number"))
        fixed("id_number", notes)
    except CellError as exc:
        fail("id_number", exc.message)
    disability = None
    try:
        disability = cells.disability(v.get("disability_type"), v.get("disability_grade"))
    except CellError as exc:
        fail("disability_type" if "类别" in exc.message else "disability_grade", exc.message)
    illness = covered = None
    try:
        illness = cells.yes_no(v.get("serious_illness"), "是否重病")
    except CellError as exc:
        fail("serious_illness", exc.message)
    if "covered" in ctx.match.columns:
        try:
            covered = cells.yes_no(v.get("covered"), "是否保障对象")
        except CellError as exc:
            fail("covered", exc.message)
    label = plain(v.get("relation"))
    if not ok:
        return MemberRecord(row.number, name, id_text, cells.relation(label), label)
    record = _member_from(row.number, name, id_text, label, disability, bool(illness), covered, ctx, issues)
    if record.member is None:
        return record
    id_number = record.id_number
    if not cells.is_blank(v.get("sex")):
        stated = cells.sex_of(v.get("sex"))
        if stated is None:
            fail("sex", f"性别应填「男」或「女」，现为「{plain(v.get('sex'))}」")
        elif stated != ids.sex(id_number):
            fail("sex", f"性别「{plain(v.get('sex'))}」与身份证号码不符（号码为{'男' if ids.sex(id_number) == 'M' else '女'}性）")
    if not cells.is_blank(v.get("birth_date")):
        try:
            born = _birth(v.get("birth_date"))
            if born != ids.birth_date(id_number):
                fail("birth_date", f"出生日期 {born.isoformat()} 与身份证号码中的 {ids.birth_date(id_number).isoformat()} 不符")
        except CellError as exc:
            fail("birth_date", exc.message)
    return record


def _household(group: list[DataRow], match: HeaderMatch, ctx: _Ctx, today: dt.date) -> HouseholdRecord:
    issues: list[Issue] = []
    first = group[0]
    cols = match.columns
    hv = _household_values(group, match, ctx, issues)
    key_field = match.profile.household_key if match.profile.layout == "member_rows" else next(
        (f for f in ("head_id_number", "seq", "head_name") if f in cols), "")
    record = HouseholdRecord(sheet=ctx.sheet, rows=[r.number for r in group],
                             key=_key_text(first.values.get(key_field)) if key_field else str(first.number),
                             raw_rows=[(r.number, r.raw) for r in group])
    record.columns = ctx.columns

    def value(name: str) -> tuple[Any, int]:
        return hv.get(name, ("", first.number))

    def fail(name: str, message: str, row: int | None = None) -> None:
        issues.append(ctx.issue("error", row or value(name)[1], name, message))

    # --- where, which programme ---
    record.township = plain(value("township")[0])
    record.village = plain(value("village")[0])
    if not record.village:
        fail("village", "缺少村（社区）名称")
    if "programme" in cols:
        label = plain(value("programme")[0])
        record.programme_label = label
        record.programme = _programme(label)
        if record.programme is None:
            fail("programme", f"救助类型「{label}」不是低保或特困（临时救助等一次性救助不作为在保对象导入）"
                 if label else "缺少救助类型")
    else:
        record.programme = ctx.programme
        if record.programme is None:
            fail("programme", "文件没有「救助类型」列，标题和导入格式也没有写明救助项目（低保或特困）")
    record.category = plain(value("category")[0])
    # --- money and months ---
    raw, row = value("monthly_amount")
    if match.profile.amount_per == "member":
        total = Decimal(0)
        for r in group:
            if cells.is_blank(r.values.get("member_amount")):
                continue
            try:
                total += cells.amount(r.values.get("member_amount"), "个人月救助金")[0]
            except CellError as exc:
                issues.append(ctx.issue("error", r.number, "member_amount", exc.message))
        record.monthly_amount = total if total > 0 else None
        if record.monthly_amount is None:
            fail("member_amount", "这一户没有任何人的月救助金")
    else:
        try:
            record.monthly_amount, notes = cells.amount(raw, "月保障金额")
            issues.extend(ctx.issue("fixed", row, "monthly_amount", n) for n in notes)
        except CellError as exc:
            fail("monthly_amount", exc.message, row)
    raw, row = value("start_month")
    latest = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    try:
        record.start_month, notes = cells.month(raw, "保障起始年月", latest=latest)
        issues.extend(ctx.issue("fixed", row, "start_month", n) for n in notes)
    except CellError as exc:
        fail("start_month", exc.message, row)
    # --- payment account and contacts ---
    record.bank_name = plain(value("bank_name")[0])
    raw, row = value("bank_account")
    if not cells.is_blank(raw):
        try:
            text, notes = cells.code(raw, "银行账号")
            record.bank_account = bank_account(text, "bank_account")
            issues.extend(ctx.issue("fixed", row, "bank_account", n) for n in notes)
        except CellError as exc:
            fail("bank_account", exc.message, row)
        except InputError as exc:
            fail("bank_account", exc.sentence(), row)
    elif "bank_account" in cols:
        issues.append(ctx.issue("warning", first.number, "bank_account", "没有银行账号：发放时将暂缓，补录账号后补发"))
    raw, row = value("phone")
    try:
        record.phone, notes = cells.code(raw, "联系电话")
    except CellError as exc:
        fail("phone", exc.message, row)
    record.address = plain(value("address")[0])
    # --- members ---
    members = [m for m in (_member(r, ctx, issues) for r in group) if m is not None]
    head_id = ""
    if "head_id_number" in cols and not cells.is_blank(value("head_id_number")[0]):
        raw, row = value("head_id_number")
        try:
            head_id, notes = cells.id_text(raw)
            issues.extend(ctx.issue("fixed", row, "head_id_number", n) for n in notes)
        except CellError as exc:
            fail("head_id_number", exc.message, row)
    head_name = plain(value("head_name")[0])
    members = _place_head(members, head_id, head_name, first.number, ctx, issues, cols)
    record.members = members
    # --- sizes and who is covered ---
    if "household_size" in cols:
        raw, row = value("household_size")
        try:
            record.household_size = cells.count(raw, "家庭人口")
            if record.household_size != len(members):
                fail("household_size", f"家庭人口为{record.household_size}人，但列出的成员为{len(members)}人", row)
        except CellError as exc:
            fail("household_size", exc.message, row)
    flags = [m.covered for m in members]
    if "covered_count" in cols:
        raw, row = value("covered_count")
        try:
            record.covered_count = cells.count(raw, "保障人口")
        except CellError as exc:
            fail("covered_count", exc.message, row)
    if members and all(f is not None for f in flags):
        record.covered = [i for i, f in enumerate(flags) if f]
        if not record.covered:
            fail("covered", "这一户没有保障对象（「是否保障对象」都为否）", members[0].row)
        if record.covered_count is not None and record.covered_count != len(record.covered):
            fail("covered_count", f"保障人口为{record.covered_count}人，但标为保障对象的有{len(record.covered)}人")
        record.covered_count = len(record.covered)
    elif record.covered_count is not None and members:
        if record.covered_count > len(members) or record.covered_count < 1:
            fail("covered_count", f"保障人口{record.covered_count}人不在1至家庭人口{len(members)}人之间")
        elif record.covered_count == len(members):
            record.covered = list(range(len(members)))
        else:
            issues.append(ctx.issue(
                "warning", value("covered_count")[1], "covered_count",
                f"保障人口{record.covered_count}人少于家庭人口{len(members)}人，文件没有标明哪些成员是保障对象："
                "导入后记为「保障对象待确认」，在复核时确定"))
    elif members:
        issues.append(ctx.issue("warning", first.number, None,
                                "文件没有标明保障对象和保障人口：导入后记为「保障对象待确认」，在复核时确定"))
    seen: dict[str, MemberRecord] = {}
    for m in members:
        if m.id_number and m.id_number in seen:
            issues.append(ctx.issue("error", m.row, "id_number",
                                    f"{m.name}的身份证号码与第{seen[m.id_number].row}行{seen[m.id_number].name}的相同"))
        seen.setdefault(m.id_number, m)
    record.issues = issues
    return record


def _place_head(members: list[MemberRecord], head_id: str, head_name: str, row: int, ctx: _Ctx,
                issues: list[Issue], cols: dict) -> list[MemberRecord]:
    """The head first; from the 户主 columns when the member rows do not list them."""
    if not members and not head_id:
        issues.append(ctx.issue("error", row, "name", "这一户没有列出任何成员"))
        return members
    if head_id:
        at = next((i for i, m in enumerate(members) if m.id_number == head_id), None)
        if at is None:
            if not head_name:
                issues.append(ctx.issue("error", row, "head_name", "缺少户主姓名"))
            members.insert(0, _member_from(row, head_name, head_id, "户主", None, False, None, ctx, issues))
            at = 0
        head = members[at]
        if head_name and head.name and head.name != head_name:
            issues.append(ctx.issue("error", head.row, "head_name",
                                    f"户主姓名「{head_name}」与同一身份证号码的成员姓名「{head.name}」不一致"))
        if head.relation != "head" and head.relation_label:
            issues.append(ctx.issue("error", head.row, "relation",
                                    f"户主{head.name}的与户主关系填的是「{head.relation_label}」"))
        head.relation, head.relation_label = "head", head.relation_label or "户主"
    else:
        heads = [i for i, m in enumerate(members) if m.relation == "head"]
        if not heads and "relation" not in cols:
            heads = [0]  # no relation column: the first person listed is the head
        if not heads:
            issues.append(ctx.issue("error", members[0].row, "relation", "这一户没有户主（与户主关系没有「户主」）"))
            return members
        at = heads[0]
        members[at].relation = "head"
    others = [i for i, m in enumerate(members) if m.relation == "head" and i != at]
    for i in others:
        issues.append(ctx.issue("error", members[i].row, "relation", f"一户只能有一名户主，{members[i].name}也填为户主"))
    return [members[at], *(m for i, m in enumerate(members) if i != at)]


def title_programme(match: HeaderMatch, file_name: str = "") -> tuple[str | None, str]:
    """The programme a title says (the rows above the header, the sheet's and the file's names):
    "…最低生活保障对象花名册" is 低保, "特困人员供养花名册" is 特困; else the profile's, else unknown."""
    texts = [plain(v) for r in match.sheet.rows[:match.first_row] for v in r if plain(v)]
    for text in [*texts, match.sheet.name, file_name]:
        found = _programme(text)
        if found:
            return found, text
    return match.profile.programme, ""


def parse_sheet(match: HeaderMatch, today: dt.date, file_name: str = "") -> SheetRecords:
    programme, _said_by = title_programme(match, file_name)
    ctx = _Ctx(match, programme)
    rows, totals, footers = split_rows(match)
    groups, issues = _group(match, rows, ctx)
    households = [_household(g, match, ctx, today) for g in groups]
    issues.extend(_check_totals(totals, households, ctx))
    return SheetRecords(match, households, totals, issues, footers)


_TOTAL_PARTS = {"households": re.compile(r"(\d+)\s*户"), "persons": re.compile(r"(\d+)\s*人"),
                "amount": re.compile(r"(\d+(?:\.\d+)?)\s*元")}


def _check_totals(totals: list[TotalRow], households: list[HouseholdRecord], ctx: _Ctx) -> list[Issue]:
    """A total row ("合计：60户，149人，月保障金78170元") that disagrees with the rows is worth a warning."""
    out: list[Issue] = []
    counted = {
        "households": len(households),
        "members": sum(len(h.members) for h in households),
        "covered": sum(h.covered_count or 0 for h in households),
        "amount": sum((h.monthly_amount or Decimal(0) for h in households), Decimal(0)),
    }
    for total in totals:
        found: dict[str, Decimal] = {}
        for name, pattern in _TOTAL_PARTS.items():
            m = pattern.search(total.text.replace(",", ""))
            if m:
                found[name] = Decimal(m.group(1))
        raw = total.values.get("monthly_amount")
        if "amount" not in found and isinstance(raw, int | float) and not isinstance(raw, bool):
            found["amount"] = Decimal(repr(float(raw)))
        problems = []
        if "households" in found and found["households"] != counted["households"]:
            problems.append(f"写明{found['households']}户，文件中列出{counted['households']}户")
        if "persons" in found and found["persons"] not in (counted["members"], counted["covered"]):
            problems.append(f"写明{found['persons']}人，文件中列出成员{counted['members']}人、保障人口{counted['covered']}人")
        if "amount" in found and found["amount"] != counted["amount"]:
            problems.append(f"写明金额{found['amount']}元，各户月保障金额合计{counted['amount']}元")
        if problems:
            out.append(ctx.issue("warning", total.index + 1, None, "合计行与明细不符：" + "；".join(problems)))
    return out


def mark_people_in_two_households(households: list[HouseholdRecord]) -> None:
    """A person listed in two households of the file: both households are errors (which one is right
    cannot be told from the file)."""
    seen: dict[str, tuple[HouseholdRecord, MemberRecord]] = {}
    for h in households:
        for m in h.members:
            if not m.id_number:
                continue
            if m.id_number in seen and seen[m.id_number][0] is not h:
                other, om = seen[m.id_number]
                for (house, member, there, there_member) in ((h, m, other, om), (other, om, h, m)):
                    house.issues.append(Issue(
                        "error", house.sheet, member.row, *house.id_column,
                        f"{member.name}（{member.id_number}）同时列在工作表「{there.sheet}」第{there_member.row}行"
                        f"（户主 {there.head.name if there.head else ''}）的家庭中：同一人不能在两户"))
            else:
                seen.setdefault(m.id_number, (h, m))

