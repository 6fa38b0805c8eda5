"""Hostile text and numbers against the one text check, the form normaliser and the household
parser (issue 11 items 1, 3, 5, 6, 11; issue 10 item 16).

Whatever arrives — lone surrogates, NUL, control characters, 10,000-character strings, bidi
overrides, Ext-B characters, numbers of 5,000 digits, 1e999999999, objects where a choice belongs
— the result is either clean values or an InputError whose message can be printed; nothing else
escapes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi_desk.domain.errors import InputError
from doudi_desk.domain.forms import normalise_form
from doudi_desk.domain.household import household_to_dict, parse_household
from doudi_desk.domain.ids import normalise_id, validate_id
from doudi_desk.domain.money import MONEY_CEILING, to_amount, to_int
from doudi_desk.domain.specs import FIELD_TYPES, Choice, FieldSpec, FormSpec, SectionSpec
from doudi_desk.domain.text import clean_text, person_name, text_problem

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ID = "130102198011300513"
CHOICES = (Choice("yes", "是"), Choice("no", "否"))

# One field of every type the form definitions know (the test checks it is every one).
SPEC = FormSpec("hostile", "敌意表", (SectionSpec("一", tuple(
    FieldSpec(f"f_{t}", t, f"字段{t}", choices=CHOICES if t in ("choice", "multichoice") else ())
    for t in FIELD_TYPES)),))

FRAGMENTS = ["\udfff", "\ud800", "\udcff", "\x00", "\x00\x00\x00", "\x1b[31m", "\x07", "\x7f", "\x85", "\u202e",
             "\u2066", "\u200f", "\u200e", "\ufeff", "\u2028", "\r\n", "\n", "\t", " ", "𠮷", "𪚥", "张三", "·",
             "a", "1", "١", "²", "０", "x" * 10_000, "甲" * 10_000, "𠮷" * 5_001]
hostile_text = st.one_of(
    st.text(max_size=50),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
    st.lists(st.integers(0xD800, 0xDFFF).map(chr) | st.characters(), max_size=20).map("".join),
)
hostile_numbers = st.one_of(
    st.integers(-10**30, 10**30), st.just(5000).map(lambda n: 10**n), st.floats(), st.booleans(), st.none(),
    st.sampled_from(["1e30", "1e308", "1e999999999", "-1e999999999", "1e-999999999", "9" * 40, "9" * 5000, "-0",
                     "0e999999999", "NaN", "Infinity", "-Infinity", "1_000", "１２３", "١٢٣", "²", " 12 ", "12.345",
                     "10000000.01", "10000000", "0.001", "-5", "1,200"]),
)
hostile_values = st.recursive(
    hostile_text | hostile_numbers,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text | st.sampled_from(
        ["name", "username", "role", "id_number", "relation"]), inner, max_size=3),
    max_leaves=6,
)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def printable(message: str) -> None:
    """A refusal's message is Chinese and can be written to any UTF-8 terminal or log."""
    assert CHINESE.search(message), message
    message.encode("utf-8")  # raises on a lone surrogate echoed back


def strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_the_spec_has_every_field_type():
    assert {f.type for f in SPEC.fields} == set(FIELD_TYPES)


@PROPERTY
@given(field=st.sampled_from([f.name for f in SPEC.fields]), value=hostile_values)
def test_every_field_type_takes_hostile_input_cleanly(field, value):
    try:
        stored = normalise_form(SPEC, {field: value})
    except InputError as exc:
        printable(exc.message)
        return
    json.dumps(stored, ensure_ascii=False).encode("utf-8")
    for text in strings(stored):
        assert text_problem(text, multiline=True, max_len=5000) is None, repr(text)[:80]
    f = SPEC.field(field)
    out = stored.get(field)  # signature blocks are never stored
    if out is None:
        return
    if f.type == "money":
        assert Decimal(out) <= MONEY_CEILING and Decimal(out) == Decimal(out).quantize(Decimal("0.01"))
    if f.type == "int":
        assert isinstance(out, int) and abs(out) <= 1_000_000
    if f.type == "text":
        assert "\n" not in out and len(out) <= 200
    if f.type == "textarea":
        assert len(out) <= 5000
    if f.type == "id_number":
        assert out.isascii() and len(out) == 18


def household_with(path: tuple, value: Any) -> dict:
    h = {"members": [{"name": "张三", "id_number": ID, "relation": "head"}],
         "income": [{"type": "wage", "amount": "100", "member": 0, "note": "工资"}],
         "rigid_expenses": [{"kind": "medical", "amount": "50", "member": 0}],
         "assets": {"financial": "10", "homes": 1, "vehicles": [{"disability_vehicle": False}]},
         "temporary": {"type": "urgent", "amount": "3000", "cause": "火灾"},
         "village": "130999101001", "address": "前进村1组", "phone": "13800000000"}
    target: Any = h
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return h


HOUSEHOLD_PATHS = [("members", 0, k) for k in ("name", "id_number", "relation", "excluded", "disability",
                                               "serious_illness", "adl_unable", "work_capacity")] + [
    ("members", 0, "disability"), ("income", 0, "type"), ("income", 0, "amount"), ("income", 0, "member"),
    ("income", 0, "note"), ("rigid_expenses", 0, "kind"), ("rigid_expenses", 0, "amount"),
    ("assets", "financial"), ("assets", "homes"), ("assets", "vehicles"), ("temporary", "type"),
    ("temporary", "amount"), ("temporary", "cause"), ("village",), ("address",), ("phone",), ("bank_account",),
    ("bank_name",), ("members",), ("income",)]


@PROPERTY
@given(path=st.sampled_from(HOUSEHOLD_PATHS), value=hostile_values | st.fixed_dictionaries(
    {"type": hostile_values, "grade": hostile_values}))
def test_household_files_take_hostile_input_cleanly(path, value):
    try:
        household = parse_household(household_with(path, value))
    except InputError as exc:
        printable(exc.message)
        return
    stored = household_to_dict(household)
    json.dumps(stored, ensure_ascii=False).encode("utf-8")
    for text in strings(stored):
        assert text_problem(text, multiline=True, max_len=5000) is None, repr(text)[:80]
    for item in stored["income"] + stored["rigid_expenses"]:
        assert Decimal(item["amount"]) <= MONEY_CEILING
    assert household.temporary is None or household.temporary.amount <= MONEY_CEILING
    assert all(m["id_number"].isascii() for m in stored["members"])


@pytest.mark.parametrize("value, message", [
    ("\udfff", "无法识别"), ("备注\ud800", "第3个字符无法识别"), ("\x00", "空字符"), ("\x00\x00", "空字符"),
    ("正常\x1b[31m", "控制字符（U+001B）"), ("\u202e反向", "控制字符（U+202E）"), ("一行\n两行", "只能填写一行"),
    ("字" * 201, "不能超过 200 个字（现为 201 个）"),
])
def test_text_problems_name_what_is_wrong(value, message):
    problem = text_problem(value)
    assert problem is not None and message in problem
    with pytest.raises(InputError) as info:
        clean_text(value, "data.posting.place", "公示地点")
    assert info.value.message.startswith("data.posting.place: 公示地点：")
    printable(info.value.message)


def test_text_that_is_fine_is_kept():
    assert clean_text("  第一行\r\n第二行\t缩进 𠮷\u200f ", "x", multiline=True) == "第一行\n第二行\t缩进 𠮷\u200f"
    assert clean_text(None, "x") == "" and clean_text("   ", "x") == ""


# --- names (issue 10 item 16) -------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("张三", "张三"), ("张　三", "张三"), (" 王 小 明 ", "王小明"), ("𠮷祥", "𠮷祥"), ("买买提.艾力", "买买提·艾力"),
    ("买买提・艾力", "买买提·艾力"), ("阿依古丽•吐尔逊", "阿依古丽·吐尔逊"), ("约翰．史密斯", "约翰·史密斯"),
    ("Nguyễn  Thị Hoa", "Nguyễn Thị Hoa"), ("ＪＯＨＮ Smith", "JOHN Smith"), ("万千千", "万千千"), ("李四", "李四"),
])
def test_names_that_are_names(typed, stored):
    assert person_name(typed, "household.members[0].name") == stored


@pytest.mark.parametrize("typed, why", [
    ("褚三（尿毒症透析）", "「（」"), ("何二（肢体二级）", "「（」"), ("卫四一三九一二三四五六七八", "连续的中文数字"),
    ("王五(村主任)", "「(」"), ("张3", "数字"), ("·张三", "间隔号"), ("张三·", "间隔号"), ("买买提··艾力", "间隔号"),
    ("王Li", "混用"), ("Ali·Smith", "空格分开"), ("张三\x00", "空字符"), ("\udfff", "无法识别"), ("张三-李四", "「-」"),
    ("刘一二三四", "连续的中文数字"),
])
def test_names_that_are_not_names_are_refused_naming_the_field(typed, why):
    with pytest.raises(InputError) as info:
        parse_household({"members": [{"name": typed, "id_number": ID, "relation": "head"}]})
    assert info.value.field == "household.members[0].name"
    assert info.value.message.startswith("household.members[0].name: 姓名") and why in info.value.message
    printable(info.value.message)


# --- ID numbers, money, counts -----------------------------------------------------------------

def short_id(value: Any) -> str:
    if isinstance(value, int) and abs(value) > 10**40:
        return "huge-int"
    text = str(value)
    return text if len(text) <= 20 else f"{text[:10]}…({len(text)})"


@pytest.mark.parametrize("typed", [
    "١٣٠١٠٢١٩٨٠١١٣٠٠٥١3",  # Arabic-Indic digits (the example)
    "¹³⁰¹⁰²¹⁹⁸⁰¹¹³⁰⁰⁵¹³",  # superscripts: int() with base 13 used to crash on these
    "１３０１０２１９８０１１３００５１３", "130102 19801130 0513", "۱۳۰۱۰۲۱۹۸۰۱۱۳۰۰۵۱۳",
])
def test_id_numbers_are_normalised_to_ascii(typed):
    assert normalise_id(typed) == ID
    assert validate_id(typed) == ID


def test_a_lower_case_x_becomes_upper_case():
    assert validate_id("11010519491231002x") == "11010519491231002X" == normalise_id("11010519491231002ｘ")


@pytest.mark.parametrize("value", ["1e30", 1e308, "9" * 40, "1e999999999", "10000000.01", "1.005", float("inf"),
                                   "NaN", 10**5000, "9" * 5000], ids=lambda v: short_id(v))
def test_money_beyond_the_ceiling_or_malformed_is_refused(value):
    with pytest.raises(InputError) as info:
        to_amount(value, "household.income[0].amount")
    printable(info.value.message)


def test_money_up_to_the_ceiling_is_kept():
    assert to_amount("10000000", "x") == Decimal("10000000") and to_amount("7418.60", "x") == Decimal("7418.60")


@pytest.mark.parametrize("value", ["9" * 5000, 10**5000, "²", "١٢", 1.5, "1e3", True], ids=lambda v: short_id(v))
def test_counts_are_small_whole_numbers(value):
    with pytest.raises(InputError) as info:
        to_int(value, "household.assets.homes", low=0, high=50)
    printable(info.value.message)
