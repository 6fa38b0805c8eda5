"""Documents posted in the village (初审公示名单, 长期公布名单) and the privacy rules they obey.

procedures.md §1.8: a posted list shows only the name, the number of family members and the
amount; no ID number, phone, bank account, street address, disability, illness or income detail.
This is enforced here in code, whatever a template says:

1. **What a posted template can see.** Its whole context is a :class:`PostedList`: office details
   for the objection channel, the period, and :class:`PostedRow` objects that have *only* 户主姓名,
   家庭人口, 保障人口, 金额 and 类别. A mapping with any other key is refused, and Jinja2 runs with
   ``StrictUndefined``, so ``{{ row.id_number }}`` in an edited template is an error, not a blank.
2. **What a row may hold.** Each field is typed and checked: counts are whole numbers, the amount
   is a number of yuan, the category one of 新增/续保/调整/停保, and the name has no digits, no run
   of 7 or more Chinese numerals (a phone or ID number written 一三九…) and none of the words that
   would reveal disability, illness, income or contact details — a few in code, and every health or
   disability term of ``print_templates/posted_terms.txt``, a list an office extends with a file of
   the same name in its own template folder. A refusal names the household's row and its head.
3. **What is printed.** Every string the finished document would print is scanned for an
   18- or 15-digit ID number, an 11-digit mobile number and a 16–19-digit bank card number
   (spaces and hyphens between digits ignored); the office's own phone, printed as the objection
   channel, is the one number allowed. The private values of the households concerned (their
   ID numbers, phones, addresses) are refused outright if any printed string equals one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import PrivacyError

CATEGORIES = ("新增", "续保", "调整", "停保")
# Words a name cell must not contain: they would publish health, disability, income or contacts.
_SENSITIVE_WORDS = ("残疾", "病", "收入", "工资", "存款", "身份证", "证号", "银行", "账号", "卡号",
                    "电话", "手机", "地址", "住址", "号楼", "单元")
_DIGIT_JOIN = re.compile(r"(?<=\d)[\s\-－—]+(?=\d)")
_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
# Seven or more Chinese numerals in a row: a phone, ID or card number written in words.
_CN_DIGITS = re.compile(r"[〇零一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖]{7,}")
TERMS_FILE = "posted_terms.txt"


@dataclass(frozen=True)
class PostedOffice:
    """The office as shown on a posted list: who posts it and where objections go."""

    name: str
    phone: str = ""
    address: str = ""
    seal_text: str = ""


@dataclass(frozen=True)
class PostedRow:
    """One household on a posted list — nothing else about it can reach the template."""

    name: str  # 户主姓名
    members: int  # 家庭人口
    covered: int  # 保障人口
    amount: str  # 拟保障金额 / 月保障金额 / 救助金额, yuan; "" when none is proposed
    category: str = ""  # 新增 · 续保 · 调整 · 停保
    refused: bool = False  # the township proposes to refuse (printed 拟不予保障, no amount)

    def __post_init__(self) -> None:
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or len(name) > 30:
            raise PrivacyError(f"公示名单的户主姓名无效：{self.name!r}")
        if any(ch.isdigit() for ch in name) or _CN_DIGITS.search(name):
            raise PrivacyError(f"公示名单的户主姓名中不能有数字：「{name}」")
        for word in _SENSITIVE_WORDS:
            if word in name:
                raise PrivacyError(f"公示名单的户主姓名「{name}」含有「{word}」，不得公开此类信息（procedures.md §1.8）")
        for attr in ("members", "covered"):
            value = getattr(self, attr)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 99:
                raise PrivacyError(f"公示名单「{name}」的人数无效：{value!r}")
        amount = str(self.amount)
        if amount and not _AMOUNT.match(amount):
            raise PrivacyError(f"公示名单「{name}」的金额无效：{amount!r}")
        if self.category and self.category not in CATEGORIES:
            raise PrivacyError(f"公示名单「{name}」的类别只能是{'、'.join(CATEGORIES)}：{self.category!r}")
        if not isinstance(self.refused, bool):
            raise PrivacyError(f"公示名单「{name}」的初审意见无效：{self.refused!r}")
        if self.refused and (amount or self.covered):
            raise PrivacyError(f"公示名单「{name}」拟不予保障，不能有保障人口或金额")


@dataclass(frozen=True)
class PostedList:
    """Everything a posted list's template can use."""

    title: str  # e.g. 东岗村最低生活保障初审公示
    village: str  # village name
    township: str
    office: PostedOffice
    issued_on: dt.date
    rows: tuple[PostedRow, ...]
    start: dt.date | None = None  # posting period (初审公示: 7 days)
    end: dt.date | None = None
    programme: str = "最低生活保障"
    batch: str = ""  # the batch printed (初审公示: start date, ISO)
    amount_heading: str = "拟保障金额（元/月）"  # the amount column: 拟救助金额（元） for a one-off programme
    grant: str = "保障"  # what is granted: 拟不予保障, 拟不予救助 …
    ended: bool = False  # the posting period is over (a copy printed for the file)
    private: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # never shown

    def context(self) -> dict[str, Any]:
        """The template context: the fields, without the private values kept for checking."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "private"}


def _strict(cls: type, raw: Mapping[str, Any], what: str) -> dict[str, Any]:
    allowed = {f.name for f in fields(cls)}
    extra = sorted(set(raw) - allowed)
    if extra:
        raise PrivacyError(f"{what}不能含有以下项目（张贴的名单只公开姓名、人数和金额）：{'、'.join(extra)}")
    return dict(raw)


def as_posted_list(data: PostedList | Mapping[str, Any]) -> PostedList:
    """Accept a PostedList, or a mapping with exactly its keys; anything more is refused."""
    if isinstance(data, PostedList):
        return data
    if not isinstance(data, Mapping):
        raise PrivacyError("公示名单的数据格式无效")
    raw = _strict(PostedList, data, "公示名单")
    office = raw.get("office") or {}
    if not isinstance(office, PostedOffice):
        office = PostedOffice(**_strict(PostedOffice, office, "公示名单的单位信息"))
    rows = []
    for row in raw.get("rows") or ():
        if not isinstance(row, PostedRow):
            values = _strict(PostedRow, row, "公示名单的每一行")
            row = PostedRow(**values)
        rows.append(row)
    raw["office"] = office
    raw["rows"] = tuple(rows)
    for key in ("issued_on", "start", "end"):
        if isinstance(raw.get(key), str) and raw[key]:
            raw[key] = dt.date.fromisoformat(raw[key])
    raw["private"] = frozenset(raw.get("private") or ())
    try:
        return PostedList(**raw)
    except TypeError as exc:
        raise PrivacyError(f"公示名单的数据不完整：{exc}") from None


def load_terms(dirs: Iterable[str]) -> frozenset[str]:
    """Health and disability terms no posted name may contain: every ``posted_terms.txt`` in the
    template folders (the shipped list and an office's additions), one term a line, # comments."""
    found: list[tuple[str, float]] = []
    for d in dirs:
        path = Path(d) / TERMS_FILE
        if path.is_file():
            found.append((str(path), path.stat().st_mtime))
    return _read_terms(tuple(found))


@functools.lru_cache(maxsize=8)
def _read_terms(files: tuple[tuple[str, float], ...]) -> frozenset[str]:
    terms: set[str] = set()
    for path, _mtime in files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PrivacyError(f"无法读取公示敏感词表 {path}：{exc}") from None
        for line in text.splitlines():
            term = line.split("#", 1)[0].strip()
            if term:
                terms.add(term)
    return frozenset(terms)


def check_rows(rows: Iterable[PostedRow], terms: frozenset[str], what: str = "公示名单") -> None:
    """Refuse a row whose name holds a health or disability term, naming the row and the person."""
    longest_first = sorted(terms, key=len, reverse=True)
    for number, row in enumerate(rows, 1):
        for term in longest_first:
            if term in row.name:
                raise PrivacyError(f"{what}第{number}户户主「{row.name}」含有健康或残疾信息「{term}」，不得公开"
                                   f"（procedures.md §1.8）。请在家庭登记中更正该户主的姓名。")


def check_printed(texts: Iterable[str], *, allowed: Iterable[str] = (), private: frozenset[str] = frozenset(),
                  what: str = "张贴的名单") -> None:
    """Refuse a posted document whose printed text shows an ID, phone or card number or a private value."""
    allowed_norm = [_DIGIT_JOIN.sub("", a) for a in allowed if a and a.strip()]
    for text in dict.fromkeys(texts):  # each text once, in order (a list's counts and categories repeat)
        if text in private:
            raise PrivacyError(f"{what}不得公开个人信息：发现「{_mask(text)}」")
        flat = _DIGIT_JOIN.sub("", text)
        for a in allowed_norm:
            flat = flat.replace(a, "")
        for pattern, label in ((_ID18, "身份证号码"), (_ID15, "身份证号码"), (_CARD, "银行卡号"), (_MOBILE, "手机号码"),
                               (_CN_DIGITS, "用汉字书写的号码")):
            found = pattern.search(flat)
            if found:
                raise PrivacyError(f"{what}不得公开{label}：发现「{_mask(found.group())}」"
                                   f"（procedures.md §1.8；请检查打印模板和数据）")


def _mask(value: str) -> str:
    """Show enough to find the value, not enough to leak it in a message or a log."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def amount_text(value: Any) -> str:
    """A yuan amount as a posted list shows it: no trailing zeros for whole yuan."""
    if value in (None, ""):
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise PrivacyError(f"金额无效：{value!r}") from None
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"
