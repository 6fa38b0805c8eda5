"""Check and normalise form data against a :class:`~doudi_desk.domain.specs.FormSpec`.

Form data is a plain mapping of field name to value as the editor or the CLI gives it. Every
problem is returned at once, keyed by field name, so the editor can mark all bad fields together.

Every text a form holds (text, textarea, the names of a person list) passes
:func:`~doudi_desk.domain.text.text_problem`; every money value the amount rules of
:mod:`~doudi_desk.domain.money`; every date :func:`date_problem`, which also holds it inside the
case's span when the caller gives one (:class:`DateSpan`: not before the step or the application,
not after the day the work is recorded for).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from . import household, ids, money
from .errors import InputError
from .specs import FieldSpec, FormSpec
from .text import LINE_MAX, TEXT_MAX, shown, text_problem

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LIST_TYPES = frozenset({"multichoice", "person_list", "members_table"})
_PERSON_KEYS = ("name", "username", "role")


@dataclass(frozen=True)
class DateSpan:
    """The days a date written on a case's form may fall on, with what bounds them (in Chinese):
    e.g. not before 本环节开始日期 2026-10-12, not after 办理日期 2026-10-20."""

    earliest: dt.date
    earliest_what: str
    latest: dt.date
    latest_what: str


def date_problem(value: Any, span: DateSpan | None = None) -> str | None:
    """The one check of a date a person entered: a real calendar date written YYYY-MM-DD, and,
    given the case's span, inside it. None when it is fine."""
    date = _as_date(value)
    if date is None:
        return f"应为日期（YYYY-MM-DD），现为 {shown(value)}"
    if span is not None:
        if date < span.earliest:
            return f"{date.isoformat()} 早于{span.earliest_what} {span.earliest.isoformat()}"
        if date > span.latest:
            return f"{date.isoformat()} 晚于{span.latest_what} {span.latest.isoformat()}"
    return None


def validate_form(spec: FormSpec, data: Mapping[str, Any]) -> dict[str, str]:
    """Return field name -> Chinese message for every problem; empty when the data are valid.

    Messages do not repeat the field label, so callers can put it in front (``label：message``).

    A required ``bool`` must be true (a signed pledge, not merely answered). Keys that are not
    fields of the form are problems too, so misspelt names never get stored silently.
    """
    problems: dict[str, str] = {}
    for key in data:
        if spec.field(key) is None:
            problems[str(key)] = f"「{spec.title}」中没有这个字段"
    for f in spec.fields:
        problem = _field_problem(f, data.get(f.name))
        if problem:
            problems[f.name] = problem
    return problems


def normalise_form(spec: FormSpec, data: Mapping[str, Any], *, span: DateSpan | None = None,
                   recorded: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Canonical form of the values given, for storage; raise InputError if one is malformed.

    Only the values present are checked, not completeness (that is :func:`validate_form`'s job),
    so a form can be saved part-filled. Money becomes a two-place string ("1200.00"), dates ISO
    strings, ints ``int``, ID numbers normalised (:func:`~doudi_desk.domain.ids.normalise_id`);
    text is stripped, its line breaks ``\n``. A field given empty becomes None, so merging the
    result into stored data clears it; signature blocks are left out.

    ``span``: every date given must fall inside it, except one equal to the date ``recorded``
    already holds for the field (a form sent back whole after its step was reopened).
    """
    problems = {shown(k): f"「{spec.title}」中没有这个字段" for k in data if spec.field(k) is None}
    for f in spec.fields:
        if f.name in data:
            problem = _field_problem(_relaxed(f), data[f.name])
            if problem is None and f.type == "date" and span is not None and not _is_empty(data[f.name]):
                unchanged = recorded is not None and _as_date(recorded.get(f.name)) == _as_date(data[f.name])
                problem = None if unchanged else date_problem(data[f.name], span)
            if problem:
                problems[f.name] = problem
    if problems:
        lines = [f"{_label(spec, name)}：{message}" for name, message in problems.items()]
        raise InputError(f"「{spec.title}」" + "；".join(lines), next(iter(problems)))
    result: dict[str, Any] = {}
    for f in spec.fields:
        if f.name not in data or f.type == "signature_block":
            continue
        value = data[f.name]
        result[f.name] = None if _is_empty(value) else _normalise(f, value)
    return result


def _relaxed(f: FieldSpec) -> FieldSpec:
    """The field without its completeness rules: not required, no minimum number of items."""
    return replace(f, required=False, min=None if f.type in _LIST_TYPES else f.min)


def _label(spec: FormSpec, name: str) -> str:
    f = spec.field(name)
    return f.label if f else name


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def _field_problem(f: FieldSpec, value: Any) -> str | None:
    if f.type == "signature_block":
        # Signatures are made on paper; nothing is stored for them.
        return None if _is_empty(value) else "签字栏只在纸面上签字，不填写数据"
    if f.type == "bool":
        if value is None:
            return "必须勾选确认" if f.required else None
        if not isinstance(value, bool):
            return f"应为是或否，现为 {shown(value)}"
        return "必须勾选确认" if f.required and not value else None
    if _is_empty(value):
        if not f.required:
            return None
        if f.type in _LIST_TYPES and f.min is not None and f.min > 1:
            return f"至少需要 {_num(f.min)} 项"
        return "必须填写"
    check = _CHECKS.get(f.type)
    if check is None:
        return f"未知的字段类型 '{f.type}'"
    return check(f, value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _text(f: FieldSpec, value: Any) -> str | None:
    multiline = f.type == "textarea"
    limit = int(f.max) if f.max is not None else TEXT_MAX if multiline else LINE_MAX
    return text_problem(value, multiline=multiline, max_len=limit)


def _id_number(f: FieldSpec, value: Any) -> str | None:
    return ids.id_problem(value.strip() if isinstance(value, str) else value)


def _to_decimal(value: Any, name: str) -> Decimal:
    # money.to_decimal takes strings and numbers; a Decimal from code is passed on as text.
    return money.to_decimal(str(value) if isinstance(value, Decimal) else value, name)


def _money(f: FieldSpec, value: Any) -> str | None:
    try:
        amount = _to_decimal(value, f.name)
    except InputError as exc:
        return exc.sentence()
    return money.amount_problem(amount) or _bounds(f, amount)


def _int(f: FieldSpec, value: Any) -> str | None:
    number = _as_int(value)
    if number is None:
        return f"应为整数，现为 {shown(value)}"
    if f.max is None and abs(number) > money.COUNT_CEILING:
        return f"数值过大（不能超过 {money.COUNT_CEILING}）"
    return _bounds(f, number)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= 10**15 else None
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,15}", value.strip()):
        return int(value.strip())
    return None


def _bounds(f: FieldSpec, value: Decimal | int) -> str | None:
    if f.min is not None and value < Decimal(str(f.min)):
        return f"不能小于 {_num(f.min)}（现为 {value}）"
    if f.max is not None and value > Decimal(str(f.max)):
        return f"不能大于 {_num(f.max)}（现为 {value}）"
    return None


def _date(f: FieldSpec, value: Any) -> str | None:
    return date_problem(value)


def _as_date(value: Any) -> dt.date | None:
    # datetime is a date subclass, but a time of day has no place in these fields.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) <= 20 and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _choice(f: FieldSpec, value: Any) -> str | None:
    allowed = {c.value for c in f.choices}
    if isinstance(value, str) and value in allowed:
        return None
    return f"「{shown(value)}」不是可选项（可选：{_choice_labels(f)}）"


def _choice_labels(f: FieldSpec) -> str:
    return "、".join(f"{c.value}={c.label}" for c in f.choices)


def _multichoice(f: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return f"应为选项列表，现为 {shown(value)}"
    allowed = {c.value for c in f.choices}
    bad = [v for v in value if not isinstance(v, str) or v not in allowed]
    if bad:
        return f"{'、'.join(shown(v, 20) for v in bad[:5])} 不是可选项（可选：{_choice_labels(f)}）"
    if len(set(value)) != len(value):
        return "选项不能重复"
    return _count(f, len(value))


def _person_list(f: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return f"应为人员列表，现为 {shown(value)}"
    if len(value) > 1000:
        return f"人数过多（{len(value)} 人）"
    for index, person in enumerate(value, start=1):
        if not isinstance(person, Mapping):
            return f"第 {index} 人应为 {{name, username, role}} 形式，现为 {shown(person)}"
        unknown = [shown(k, 20) for k in person if k not in _PERSON_KEYS]
        if unknown:
            allowed = "、".join(_PERSON_KEYS)
            return f"第 {index} 人有未知的项 {'、'.join(unknown)}（可用：{allowed}）"
        name = person.get("name")
        if not isinstance(name, str) or not name.strip():
            return f"第 {index} 人缺少姓名"
        for key in _PERSON_KEYS:
            extra = person.get(key)
            if extra is not None:
                problem = text_problem(extra, max_len=100)
                if problem:
                    return f"第 {index} 人的 {key} {problem}"
    return _count(f, len(value))


def _members_table(f: FieldSpec, value: Any) -> str | None:
    # Each row is checked like a member of a household file (name, ID number, relation …).
    if not isinstance(value, list | tuple) or not all(isinstance(m, Mapping) for m in value):
        return "应为家庭成员列表"
    for index, row in enumerate(value, start=1):
        try:
            household.parse_member(dict(row), f"第{index}行")
        except InputError as exc:
            return exc.message
    return _count(f, len(value))


def _count(f: FieldSpec, count: int) -> str | None:
    if f.min is not None and count < f.min:
        return f"至少需要 {_num(f.min)} 项（现为 {count} 项）"
    if f.max is not None and count > f.max:
        return f"最多 {_num(f.max)} 项（现为 {count} 项）"
    return None


_CHECKS = {
    "text": _text,
    "textarea": _text,
    "id_number": _id_number,
    "money": _money,
    "int": _int,
    "date": _date,
    "choice": _choice,
    "multichoice": _multichoice,
    "person_list": _person_list,
    "members_table": _members_table,
}


def _normalise(f: FieldSpec, value: Any) -> Any:
    """Canonical form of a value already known to be valid."""
    if f.type in ("text", "textarea"):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if f.type == "id_number":
        return ids.validate_id(value.strip(), f.name)
    if f.type == "money":
        return money.fmt(_to_decimal(value, f.name))
    if f.type == "int":
        return _as_int(value)
    if f.type == "date":
        date = _as_date(value)
        assert date is not None
        return date.isoformat()
    if f.type == "multichoice":
        # Spec order, so equal selections are stored identically whatever the click order.
        chosen = set(value)
        return [c.value for c in f.choices if c.value in chosen]
    if f.type == "person_list":
        return [_person(p) for p in value]
    if f.type == "members_table":
        return [household.member_to_dict(household.parse_member(dict(m), f.name)) for m in value]
    return value


def _person(person: Mapping[str, Any]) -> dict[str, str]:
    result = {"name": person["name"].strip()}
    for key in _PERSON_KEYS[1:]:
        extra = person.get(key)
        if isinstance(extra, str) and extra.strip():
            result[key] = extra.strip()
    return result
