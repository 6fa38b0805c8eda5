"""The importing package on its own (no database): cells, reading, profiles, rows into households."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from doudi_desk.importing import cells
from doudi_desk.importing.cells import CellError
from doudi_desk.importing.issues import FileRefused
from doudi_desk.importing.profiles import ProfileError, default_folder, load_profile, load_profiles
from doudi_desk.importing.reader import read
from doudi_desk.importing.roster import parse_file
from tests.import_support import (
    BY_HOUSEHOLD,
    BY_MEMBER,
    ROSTER_HEADER,
    TODAY,
    household_rows,
    write_rows,
)

PROFILES = load_profiles(default_folder())


# --- cells -------------------------------------------------------------------------------------

def test_an_id_excel_stored_as_a_number_is_refused_with_the_reason_never_repaired() -> None:
    with pytest.raises(CellError) as caught:
        cells.id_text(139901195404069799.0)  # what calamine gives for an ID typed into a number cell
    assert "1.39901E+17" in caught.value.message and "无法还原" in caught.value.message
    with pytest.raises(CellError) as caught:
        cells.id_text("1.39901E+17")  # the same, saved to CSV as Excel showed it
    assert "科学计数法" in caught.value.message


def test_full_width_digits_spaces_and_a_lower_case_x_are_normalised_and_reported() -> None:
    text, fixes = cells.id_text("１３９９０１ ２０１１０３０８５０３ｘ")
    assert text == "13990120110308503X"
    assert "全角字符已转为半角" in fixes and "已去掉中间的空格" in fixes
    text, fixes = cells.id_text("13990120110308503x")
    assert text == "13990120110308503X" and fixes == ["末位小写x已改为大写X"]


def test_amounts_are_exact_and_refused_when_not_numbers() -> None:
    assert cells.amount(1440.0)[0] == Decimal("1440")
    assert cells.amount("1,234.50元")[0] == Decimal("1234.50")
    with pytest.raises(CellError):  # binary noise is refused, never rounded away
        cells.amount(0.1 + 0.2)
    for bad, why in (("七百", "不是数字"), ("-5", "应大于0"), ("12.345", "两位小数"), ("", "缺少")):
        with pytest.raises(CellError) as caught:
            cells.amount(bad, "月保障金额")
        assert why in caught.value.message


def test_months_in_every_usual_spelling_and_refused_when_not_a_month() -> None:
    for raw in ("2019-05", "2019/5", "2019.05", "2019年5月", "201905", 201905.0, dt.date(2019, 5, 1)):
        assert cells.month(raw)[0] == "2019-05", raw
    for bad in ("2019-13", "五月", "43586", "1980-01"):
        with pytest.raises(CellError):
            cells.month(bad, "保障起始年月")
    with pytest.raises(CellError) as caught:
        cells.month("2027-05", latest=dt.date(2026, 12, 1))
    assert "不能晚于 2026-12" in caught.value.message


def test_yes_no_disability_and_relations() -> None:
    assert cells.yes_no("是", "x") is True and cells.yes_no("", "x") is False
    with pytest.raises(CellError):
        cells.yes_no("也许", "是否重病")
    assert cells.disability("智力", "一级") == {"type": "intellectual", "grade": 1}
    assert cells.disability("肢体残疾", "3级") == {"type": "physical", "grade": 3}
    assert cells.disability("", "") is None
    with pytest.raises(CellError):
        cells.disability("", "二级")
    assert [cells.relation(x) for x in ("户主", "妻", "长子", "母亲", "孙子女")] == [
        "head", "spouse", "child", "parent", "other"]


# --- reading -----------------------------------------------------------------------------------

def test_csv_in_utf8_and_in_gbk_is_read_and_the_encoding_said(tmp_path: Path) -> None:
    text = "户编号,救助类型,村（居）,姓名\nH1,农村低保,西河村,张三\n"
    (tmp_path / "u.csv").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "g.csv").write_bytes(text.encode("gbk"))
    for name, encoding in (("u.csv", "UTF-8"), ("g.csv", "GBK")):
        book = read(tmp_path / name)
        assert book.encoding == encoding
        assert book.sheets[0].rows[1] == ["H1", "农村低保", "西河村", "张三"]


def test_a_password_protected_xlsx_is_refused_with_what_to_do(tmp_path: Path) -> None:
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_rows(tmp_path / "plain.xlsx", [ROSTER_HEADER])
    out = io.BytesIO()
    with plain.open("rb") as f:
        OOXMLFile(f).encrypt("1234", out)
    locked = tmp_path / "加密的花名册.xlsx"
    locked.write_bytes(out.getvalue())
    with pytest.raises(FileRefused) as caught:
        read(locked)
    assert "设有打开密码" in caught.value.message and "加密的花名册.xlsx" in caught.value.message


@pytest.mark.parametrize("name, data, why", [
    ("报告.pdf", b"%PDF-1.4 not a sheet", "不是电子表格"),
    ("坏的.xlsx", b"PK\x03\x04 broken zip", "不是有效的 Excel 文件"),
    ("空的.xlsx", b"", "是空的"),
])
def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileRefused) as caught:
        read(path)
    assert why in caught.value.message


# --- profiles ----------------------------------------------------------------------------------

def test_a_broken_profile_is_reported_with_its_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("id: other\ntitle: 我的\nlayout: sideways\ncolumns:\n  shoe_size: [鞋码]\n",
                                        encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "mine.yaml")
    text = "\n".join(caught.value.problems)
    assert "mine.yaml: id「other」应与文件名「mine」一致" in text
    assert "mine.yaml: layout 只能是" in text
    assert "columns.shoe_size: 不认识的字段" in text


def test_the_profile_is_guessed_from_the_header_and_the_choice_explained() -> None:
    by_household = parse_file(BY_HOUSEHOLD, PROFILES, today=TODAY)
    assert by_household.profile.id == "roster_by_household" and by_household.guessed
    assert "第3行为表头" in by_household.explanation
    assert "救助项目：最低生活保障（据「青山县农村最低生活保障对象花名册」）" in by_household.explanation
    by_member = parse_file(BY_MEMBER, PROFILES, today=TODAY)
    assert by_member.profile.id == "members_by_key"
    assert "公民身份号码→成员身份证号码" in by_member.explanation


def test_a_header_no_profile_knows_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "x.xlsx", [["姓名", "鞋码"], ["张三", 42]])
    with pytest.raises(FileRefused) as caught:
        parse_file(path, PROFILES, today=TODAY)
    assert "不符合任何导入格式" in caught.value.message and "缺少" in caught.value.message


# --- the two samples, counted against the files ----------------------------------------------

def test_the_household_roster_sample_reads_as_the_file_says() -> None:
    parsed = parse_file(BY_HOUSEHOLD, PROFILES, today=TODAY)
    households = parsed.households
    # its total line: 合计：60户，149人，月保障金78170元; 155 member rows under the merged household cells
    assert len(households) == 60 and all(h.ok for h in households)
    assert sum(len(h.members) for h in households) == 155
    assert sum(h.covered_count for h in households) == 149
    assert sum(h.monthly_amount for h in households) == Decimal(78170)
    assert not [i for i in parsed.issues if "合计行" in i.message]  # the total line agrees
    second = households[1]
    assert (second.first_row, second.rows, second.head.name) == (5, [5, 6], "卢亮华")
    assert [m.relation for m in second.members] == ["head", "parent"]
    assert second.bank_account == "6230351579173489737" and second.start_month == "2023-09"
    # 保障人口 below 家庭人口 without saying who: covered stays unknown, with a warning
    unknown = [h for h in households if h.covered is None]
    assert len(unknown) == 6 and all(any("保障对象待确认" in i.message for i in h.issues) for h in unknown)


def test_the_member_list_sample_reads_as_the_file_says() -> None:
    parsed = parse_file(BY_MEMBER, PROFILES, today=TODAY)
    households = parsed.households
    assert len(households) == 80 and all(h.ok for h in households)
    assert sum(len(h.members) for h in households) == 187
    assert sum(len(h.covered) for h in households) == 180  # seven rows say 是否保障对象 否
    assert sum(h.monthly_amount for h in households) == Decimal(91580)
    assert {h.programme for h in households} == {"dibao"}


def test_multi_row_headers_title_total_and_column_number_rows(tmp_path: Path) -> None:
    rows = [
        ["桃源镇特困人员供养花名册"] + [""] * 5,
        ["户主信息", "", "家庭成员", "", "保障", ""],
        ["姓名", "身份证号码", "姓名", "身份证号码", "月保障金额", "起始年月"],
        [1, 2, 3, 4, 5, 6],
        ["王一", "139901194501021426", "王一", "139901194501021426", 1300, "2021-03"],
        ["", "", "王二", "139901195003031490", "", ""],
        ["合计：1户，2人，月保障金1300元"] + [""] * 5,
        ["制表人：张敏    审核人：王芳"] + [""] * 5,
    ]
    profile = tmp_path / "two_rows.yaml"
    profile.write_text(
        "id: two_rows\ntitle: 两行表头\nlayout: household_rows\nheader_rows: 2\ncolumns:\n"
        "  village: [村]\n  head_name: [户主信息/姓名]\n  head_id_number: [户主信息/身份证号码]\n"
        "  name: [家庭成员/姓名]\n  id_number: [家庭成员/身份证号码]\n  monthly_amount: [保障/月保障金额]\n"
        "  start_month: [保障/起始年月]\nrequired: [head_id_number]\n", encoding="utf-8")
    path = write_rows(tmp_path / "r.xlsx", rows, merged=[(0, 0, 0, 5), (1, 0, 1, 1), (1, 2, 1, 3), (1, 4, 1, 5)])
    with pytest.raises(FileRefused):  # no village column: a required field is missing
        parse_file(path, {"two_rows": load_profile(profile)}, today=TODAY)
    for r in rows[:3]:
        r.append("村" if r is rows[2] else "")
    rows[4].append("西河村")
    path = write_rows(tmp_path / "r.xlsx", rows, merged=[(0, 0, 0, 6), (1, 0, 1, 1), (1, 2, 1, 3), (1, 4, 1, 5)])
    parsed = parse_file(path, {"two_rows": load_profile(profile)}, today=TODAY)
    (household,) = parsed.households
    assert [m.name for m in household.members] == ["王一", "王二"]
    assert household.programme == "tekun"  # the title says 特困
    assert household.monthly_amount == Decimal(1300) and household.rows == [5, 6]
    assert "第2至3行为表头" in parsed.explanation


def test_every_row_error_names_sheet_row_and_column(tmp_path: Path) -> None:
    rows = [["测试花名册"], ROSTER_HEADER]
    rows += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061008", "户主")])  # bad check digit
    rows += household_rows(2, "桃源镇", "西河村", [("乙", 139901197102051074.0, "户主")])  # typed as a number
    rows += household_rows(3, "桃源镇", "西河村", [("丙", "139901199005051215", "户主")], amount="七百")
    rows += household_rows(4, "桃源镇", "西河村", [("丁", "13990119660606128X", "户主")], month="2019-13")
    rows += household_rows(5, "桃源镇", "西河村", [("戊", "139901196007071566", "户主"),
                                                ("己", "139901197708081630", "子女")])
    rows += household_rows(6, "桃源镇", "东岗村", [("庚", "139901198809091701", "户主"),
                                                ("己", "139901197708081630", "子女")])  # 己 in two households
    path = write_rows(tmp_path / "坏.xlsx", rows)
    parsed = parse_file(path, PROFILES, today=TODAY)
    errors = {i.row: i.text() for i in parsed.issues if i.severity == "error"}
    assert "工作表「花名册」第3行N列（成员身份证号码）" in errors[3] and "校验码不正确" in errors[3]
    assert "第4行N列（成员身份证号码）" in errors[4] and "1.39901E+17" in errors[4]
    assert "第5行I列（月保障金额（元））" in errors[5] and "「七百」不是数字" in errors[5]
    assert "第6行J列（保障起始年月）" in errors[6] and "月份不在1至12之间" in errors[6]
    assert "第8行N列（成员身份证号码）" in errors[8] and "同一人不能在两户" in errors[8]
    assert "第10行N列（成员身份证号码）" in errors[10] and "第8行" in errors[10]
    assert [h.ok for h in parsed.households] == [False] * 6
