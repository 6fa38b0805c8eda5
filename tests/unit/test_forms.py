"""validate_form and normalise_form on a form with one field of each type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi_desk.domain.errors import InputError
from doudi_desk.domain.forms import normalise_form, validate_form
from doudi_desk.domain.specs import Choice, FieldSpec, FormSpec, SectionSpec

MATERIALS = (Choice("id_card", "身份证"), Choice("hukou", "户口簿"), Choice("other", "其他"))
SPEC = FormSpec(
    id="sample",
    title="样例表",
    sections=(
        SectionSpec(
            title="一",
            fields=(
                FieldSpec("apply_date", "date", "申请日期", required=True),
                FieldSpec("reason", "textarea", "申请理由", required=True),
                FieldSpec("place", "text", "地点"),
                FieldSpec("id_number", "id_number", "身份证号码"),
                FieldSpec("amount", "money", "金额", min=0, max=10000),
                FieldSpec("participants", "int", "参加人数", required=True, min=1, max=200),
                FieldSpec("pledge_signed", "bool", "已签署承诺", required=True),
                FieldSpec("photo_taken", "bool", "已拍照"),
            ),
        ),
        SectionSpec(
            title="二",
            fields=(
                FieldSpec("channel", "choice", "申请方式", required=True,
                          choices=(Choice("self", "本人"), Choice("proxy", "委托"))),
                FieldSpec("materials", "multichoice", "材料", choices=MATERIALS),
                FieldSpec("missing", "multichoice", "缺少材料", required=True, min=1,
                          choices=MATERIALS),
                FieldSpec("investigators", "person_list", "调查人员", required=True, min=2),
                FieldSpec("members", "members_table", "家庭成员"),
                FieldSpec("signatures", "signature_block", "签字"),
            ),
        ),
    ),
)


def gb11643(body: str) -> str:
    """Append the GB 11643 check digit (computed here, independently of the code under test)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


VALID_ID = gb11643("11010519491231002")  # the standard's own example, 11010519491231002X


def valid() -> dict[str, Any]:
    return {
        "apply_date": "2025-03-05",
        "reason": "  因病致贫  ",
        "id_number": VALID_ID,
        "amount": "1200.5",
        "participants": "15",
        "pledge_signed": True,
        "channel": "proxy",
        "materials": ["other", "id_card"],
        "missing": ["hukou"],
        "investigators": [{"name": " 张三 ", "username": "zhangsan"}, {"name": "李四"}],
    }


def test_valid_data_has_no_problems() -> None:
    assert validate_form(SPEC, valid()) == {}


def test_empty_data_reports_every_required_field() -> None:
    problems = validate_form(SPEC, {})
    assert set(problems) == {
        "apply_date", "reason", "participants", "pledge_signed", "channel", "missing",
        "investigators",
    }
    assert problems["apply_date"] == "必须填写"
    assert problems["pledge_signed"] == "必须勾选确认"
    assert problems["investigators"] == "至少需要 2 项"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("apply_date", "2025/03/05", "应为日期（YYYY-MM-DD）"),
        ("apply_date", "2025-02-30", "应为日期（YYYY-MM-DD）"),
        ("apply_date", dt.datetime(2025, 3, 5, 9, 0), "应为日期（YYYY-MM-DD）"),
        ("reason", "   ", "必须填写"),
        ("reason", 12, "应为文字"),
        ("id_number", "130102198005171230", "校验码不正确"),
        ("id_number", "12345", "应为18位"),
        ("amount", "-1", "不能为负数"),
        ("amount", "abc", "不是有效的数字"),
        ("amount", "1.005", "最多保留两位小数"),
        ("amount", "10000.01", "不能大于 10000"),
        ("amount", True, "应为数字"),
        ("participants", 0, "不能小于 1"),
        ("participants", 201, "不能大于 200"),
        ("participants", 1.5, "应为整数"),
        ("participants", True, "应为整数"),
        ("participants", "十", "应为整数"),
        ("pledge_signed", False, "必须勾选确认"),
        ("pledge_signed", "yes", "应为是或否"),
        ("photo_taken", 1, "应为是或否"),
        ("channel", "village", "「village」不是可选项（可选：self=本人、proxy=委托）"),
        ("materials", "id_card", "应为选项列表"),
        ("materials", ["id_card", "car"], "car 不是可选项"),
        ("materials", ["id_card", "id_card"], "选项不能重复"),
        ("missing", [], "必须填写"),
        ("investigators", [{"name": "张三"}], "至少需要 2 项（现为 1 项）"),
        ("investigators", [{"name": "张三"}, {"name": " "}], "第 2 人缺少姓名"),
        ("investigators", ["张三", "李四"], "第 1 人应为"),
        ("investigators", [{"name": "张三"}, {"name": "李四", "phone": "1"}], "未知的项 phone"),
        ("investigators", [{"name": "张三"}, {"name": "李四", "role": 3}], "role 应为文字"),
        ("members", [1, 2], "应为家庭成员列表"),
        ("signatures", "张三", "签字栏只在纸面上签字"),
    ],
)
def test_field_problems(name: str, value: Any, message: str) -> None:
    data = valid()
    data[name] = value
    problems = validate_form(SPEC, data)
    assert set(problems) == {name}, problems
    assert message in problems[name]


def test_unknown_field_is_a_problem() -> None:
    problems = validate_form(SPEC, {**valid(), "colour": "red"})
    assert problems == {"colour": "「样例表」中没有这个字段"}


def test_optional_fields_may_be_empty_or_none() -> None:
    data = {**valid(), "place": "", "amount": None, "materials": [], "photo_taken": None}
    assert validate_form(SPEC, data) == {}


def test_normalise() -> None:
    data = {**valid(), "apply_date": dt.date(2025, 3, 5), "id_number": VALID_ID.lower(),
            "place": "", "photo_taken": False, "signatures": None,
            "members": [{"name": "王　五", "id_number": "١١٠١٠٥١٩٤٩١٢٣١٠٠٢x", "relation": "head"}]}
    assert normalise_form(SPEC, data) == {
        "apply_date": "2025-03-05",
        "reason": "因病致贫",
        "id_number": VALID_ID.upper(),
        "amount": "1200.50",
        "participants": 15,
        "pledge_signed": True,
        "photo_taken": False,
        "channel": "proxy",
        "materials": ["id_card", "other"],  # in the order of the choices
        "missing": ["hukou"],
        "investigators": [{"name": "张三", "username": "zhangsan"}, {"name": "李四"}],
        "members": [{"name": "王五", "id_number": VALID_ID.upper(), "relation": "head"}],  # checked like a member
        "place": None,
    }


@pytest.mark.parametrize(
    ("value", "stored"),
    [(0, "0.00"), (12, "12.00"), ("3.1", "3.10"), (Decimal("7.25"), "7.25"), (2.5, "2.50"),
     ("1,200", "1200.00")],
)
def test_money_is_stored_as_a_canonical_string(value: Any, stored: str) -> None:
    assert normalise_form(SPEC, {**valid(), "amount": value})["amount"] == stored


def test_normalise_refuses_malformed_values() -> None:
    with pytest.raises(InputError) as info:
        normalise_form(SPEC, {**valid(), "amount": "-5", "channel": "x"})
    assert info.value.field == "amount"
    assert "金额：" in info.value.message and "申请方式：" in info.value.message
    with pytest.raises(InputError, match="没有这个字段"):
        normalise_form(SPEC, {"colour": "red"})


def test_normalise_accepts_part_filled_forms() -> None:
    # Completeness is checked by validate_form (the forms_complete guard), not when saving.
    partial = {"pledge_signed": False, "investigators": [{"name": "张三"}], "reason": ""}
    assert normalise_form(SPEC, partial) == {
        "pledge_signed": False,
        "investigators": [{"name": "张三"}],
        "reason": None,  # given empty: merging this clears a stored value
    }


@given(
    amount=st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False),
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    count=st.integers(min_value=1, max_value=200),
)
def test_normalised_data_is_valid_and_stable(amount: Decimal, date: dt.date, count: int) -> None:
    data = {**valid(), "amount": str(amount), "apply_date": date, "participants": count}
    once = normalise_form(SPEC, data)
    assert validate_form(SPEC, once) == {}
    assert normalise_form(SPEC, once) == once
    assert Decimal(once["amount"]) == amount
