"""Rosters in, lists out, against a real database: the two sample files, the same file twice, a
later month's roster, every row error with nothing written on refusal, roles and areas, the export
of every list and the 花名册 round trip."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from doudi_desk.domain.errors import DomainError, InputError
from doudi_desk.services.audit import AuditService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.exporting import ExportService
from doudi_desk.services.importing import ImportService
from doudi_desk.services.lifecycle import LifecycleService
from doudi_desk.services.lifecycle_queries import LifecycleQueries
from tests.helpers.office import dump_db
from tests.import_support import (
    BY_HOUSEHOLD,
    BY_MEMBER,
    ROSTER_HEADER,
    household_rows,
    merged_ranges,
    office_context,
    read_xlsx,
    write_rows,
)


@pytest.fixture
def office(tmp_path):
    yield from office_context(tmp_path)


def _import_cases(ctx) -> list:
    with ctx.db.unit_of_work() as uow:
        return [c for c in uow.cases.query(state="approved") if c.kind == "import"]


def _members(ctx, cases) -> int:
    with ctx.db.unit_of_work() as uow:
        return sum(len(uow.households.get(c.household_id).members) for c in cases)


def test_both_samples_import_with_the_counts_the_files_give(office) -> None:
    service = ImportService(office)
    result = service.commit(BY_HOUSEHOLD, "admin")
    assert len(result["created"]) == 60 and result["counts"]["error"] == 0
    cases = _import_cases(office)
    assert len(cases) == 60 and _members(office, cases) == 155
    assert sum(Decimal(c.benefit["monthly_amount"]) for c in cases) == Decimal(78170)  # the file's total line
    assert sum(c.benefit["covered_count"] for c in cases) == 149

    result = service.commit(BY_MEMBER, "admin")
    assert len(result["created"]) == 80
    cases = _import_cases(office)[60:]
    assert len(cases) == 80 and _members(office, cases) == 187
    assert sum(Decimal(c.benefit["monthly_amount"]) for c in cases) == Decimal(91580)
    assert sum(len(c.benefit["covered"]) for c in cases) == 180

    # What a family imported from the roster is: amount, covered persons, start month and account from
    # the file; 待补录家庭经济状况; the 复核 due within the policy's interval.
    with office.db.unit_of_work() as uow:
        case = uow.cases.get_by_number(result["created"][1])  # HH2026002, 郭华伟 and three more, 2880
        household = uow.households.get(case.household_id)
        events = uow.events.list(case.id)
        batches = uow.imports.batches()
    assert case.kind == "import" and case.state == "approved" and case.workflow_id == "dibao_import"
    assert case.benefit["monthly_amount"] == "2880" and case.benefit["since_month"] == "2020-11"
    assert case.benefit["covered"] == [0, 1, 2, 3] and case.decision["imported"] is True
    assert case.benefit["pending_labels"] == ["待补录家庭经济状况"]
    assert household.head.name == "郭华伟" and household.bank_account == "6230836044318015226"
    assert household.income == [] and household.village_code == "139901102001"  # 杏花乡杏花村
    # 李美 (1966) and 范菊小 (1973) are of working age without severe disability: 6 months
    assert case.decision["review_interval_months"] == 6 and case.next_review_on == dt.date(2027, 5, 1)
    (event,) = events
    assert event.trigger == "import" and event.actor == "admin"
    assert event.data["file"] == "救助对象明细-按人.xls" and event.data["row"] == 4
    assert event.data["digest"] == batches[0]["digest"] and len(event.data["digest"]) == 64
    assert [b["file_name"] for b in batches] == ["救助对象明细-按人.xls", "低保花名册-按户.xlsx"]
    office_events = AuditService(office).office_log("admin", actions=["import"])
    assert [e["data"]["counts"]["created"] for e in office_events] == [80, 60]
    assert AuditService(office).verify()["ok"]


def test_a_family_whose_covered_persons_the_file_does_not_name_stays_unknown(office) -> None:
    ImportService(office).commit(BY_HOUSEHOLD, "admin")
    with office.db.unit_of_work() as uow:
        case = next(c for c in uow.cases.query(state="approved") if c.benefit.get("covered_count") == 1
                    and len(uow.households.get(c.household_id).members) == 2)  # row 22: 吴明玲, 2 people, 1 covered
    assert case.benefit["covered"] == [] and "保障对象待确认" in case.benefit["pending_labels"]
    rows = LifecycleQueries(office).benefits("admin")
    row = next(r for r in rows if r["case"] == case.number)
    assert row["covered_count"] == 1 and "保障对象待确认" in row["pending_labels"]


def test_imported_families_are_benefits_the_lifecycle_works_on(office) -> None:
    created = ImportService(office).commit(BY_HOUSEHOLD, "admin")["created"]
    view = CaseService(office).show(created[0], "county_clerk")
    assert view["kind_label"] == "历史导入" and view["state_label"] == "在保（历史导入）"
    review = LifecycleService(CaseService(office)).start_review(created[0], "county_clerk")
    assert review["kind"] == "review" and review["parent_case"] == created[0]


def test_monitoring_never_flags_a_family_whose_income_is_not_recorded(office) -> None:
    ImportService(office).commit(BY_HOUSEHOLD, "admin")
    # with no income recorded every family would read as 0 yuan a month: a 防返贫 alert made of nothing
    assert LifecycleQueries(office).flags("admin") == []


def test_the_same_file_twice_changes_nothing_and_says_so(office) -> None:
    service = ImportService(office)
    service.commit(BY_MEMBER, "admin")
    before = dump_db(office.db_path)
    again = service.commit(BY_MEMBER, "admin")
    assert again["created"] == [] and again["batch"] is None
    assert again["message"].startswith("没有需要导入的新家庭，本次没有写入任何内容：80 户已有且相同")
    assert "此文件已于 2026-11-23 09:30 导入过" in again["message"]
    assert dump_db(office.db_path) == before
    preview = service.preview(BY_MEMBER, "admin")
    assert preview["counts"]["matches"] == 80 and preview["already_imported"][0]["batch"] == 1


IDS = {"甲": "139901195404061009", "乙": "139901197102051074", "丙": "13990119800101114X",
       "丁": "139901199005051215", "戊": "13990119660606128X", "己": "139901201103081354"}


def _roster(tmp_path: Path, name: str, *households) -> Path:
    rows = [["青山县最低生活保障对象花名册"], ["填报单位：青山县民政局"], ROSTER_HEADER]
    for seq, h in enumerate(households, 1):
        rows += household_rows(seq, *h[:3], **h[3])
    return write_rows(tmp_path / name, rows)


def test_a_later_roster_reports_new_gone_and_changed_and_offers_instead_of_overwriting(office, tmp_path) -> None:
    service = ImportService(office)
    a = ("桃源镇", "西河村", [("甲", IDS["甲"], "户主")], {"amount": 720})
    b = ("桃源镇", "东岗村", [("乙", IDS["乙"], "户主")], {"amount": 720})
    c = ("杏花乡", "石桥村", [("丙", IDS["丙"], "户主")], {"amount": 520})
    first = service.commit(_roster(tmp_path, "十月.xlsx", a, b, c), "county_clerk")["created"]
    later = _roster(tmp_path, "十一月.xlsx", a,
                    ("桃源镇", "东岗村", [("乙", IDS["乙"], "户主"), ("丁", IDS["丁"], "子女")], {"amount": 800}),
                    ("杏花乡", "杏花村", [("戊", IDS["戊"], "户主")], {"amount": 310}))
    report = service.preview(later, "county_clerk")
    assert {k: report["counts"][k] for k in ("new", "matches", "changed", "gone", "error")} == {
        "new": 1, "matches": 1, "changed": 1, "gone": 1, "error": 0}
    changed = next(h for h in report["households"] if h["status"] == "changed")
    assert changed["case"] == first[1]
    assert changed["changes"] == ["增加成员 丁", "月保障金额 720 → 800 元", "保障人口 1 → 2 人"]
    assert [g["case"] for g in report["gone"]] == [first[2]]

    result = service.commit(later, "county_clerk")
    assert len(result["created"]) == 1 and "1 户有变化，未覆盖，可登记变更" in result["message"]
    with office.db.unit_of_work() as uow:  # nothing overwritten: 乙 still 720, 丙 still in force
        assert uow.cases.get_by_number(first[1]).benefit["monthly_amount"] == "720"
        assert uow.cases.get_by_number(first[2]).benefit["status"] == "active"
    offered = service.offered_actions(result)
    assert [(o["action"], o["case"]) for o in offered] == [("change", first[1]), ("stop", first[2])]
    assert "月保障金额 720 → 800 元" in offered[0]["detail"] and "中已无此户" in offered[1]["detail"]
    done = service.start_actions("county_clerk", offered)
    assert done["opened"] == 2
    with office.db.unit_of_work() as uow:
        kinds = [(uow.cases.get_by_number(r["opened"]).kind, uow.cases.get_by_number(r["opened"]).forms)
                 for r in done["results"]]
    assert kinds[0][0] == "change" and kinds[0][1]["change_report"]["reported_by"] == "data_match"
    assert kinds[1][0] == "termination" and "中已无此户" in kinds[1][1]["termination"]["reasons"]
    # an administrator may import but not open a 变更 or 停保: refused row by row, nothing raised
    refused = service.start_actions("admin", offered)
    assert refused["opened"] == 0 and "无权登记复核、变更或停保" in refused["results"][0]["message"]


def _crafted(tmp_path: Path) -> Path:
    rows = [["测试花名册"], ROSTER_HEADER]
    rows += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061008", "户主")])  # check digit
    rows += household_rows(2, "桃源镇", "西河村", [("乙", 139901197102051074.0, "户主")])  # typed as a number
    rows += household_rows(3, "桃源镇", "西河村", [("丙", "１３９９０１ １９８００１０１１１４Ｘ", "户主")])  # fixed
    rows += household_rows(4, "桃源镇", "北屯村", [("丁", "139901199005051215", "户主"),
                                                ("戊", "13990119660606128x", "配偶")])  # lower-case x: fixed
    rows += household_rows(5, "桃源镇", "南坡村", [("己", "139901201103081354", "户主"),
                                                ("庚", "139901194501021426", "子女")])
    rows += household_rows(6, "桃源镇", "南坡村", [("辛", "139901195003031490", "户主"),
                                                ("庚", "139901194501021426", "子女")])  # 庚 in two households
    rows += household_rows(7, "杏花乡", "杏花村", [("壬", "139901196007071566", "户主")])  # another township
    rows += household_rows(8, "桃源镇", "不存在村", [("癸", "139901197708081630", "户主")])  # no such village
    rows += household_rows(9, "桃源镇", "西河村", [("子", "139901198809091701", "户主")], amount="七百")
    rows += household_rows(10, "桃源镇", "西河村", [("丑", "139901199912011778", "户主")], month="五月")
    return write_rows(tmp_path / "有错误的花名册.xlsx", rows)


def test_every_error_kind_names_sheet_row_and_column_and_a_refusal_writes_nothing(office, tmp_path) -> None:
    path = _crafted(tmp_path)
    service = ImportService(office)
    before = dump_db(office.db_path)
    with pytest.raises(InputError) as caught:
        service.commit(path, "taoyuan")  # 张敏, caseworker of 桃源镇
    assert "整个文件未导入，没有写入任何内容" in caught.value.message
    assert dump_db(office.db_path) == before

    report = service.preview(path, "taoyuan")
    errors = {i["row"]: i["text"] for i in report["issues"] if i["severity"] == "error"}
    fixed = [i["text"] for i in report["issues"] if i["severity"] == "fixed"]
    sheet = "工作表「花名册」"
    assert errors[3].startswith(f"{sheet}第3行N列（成员身份证号码）") and "校验码不正确" in errors[3]
    assert errors[4].startswith(f"{sheet}第4行N列（成员身份证号码）") and "显示为 1.39901E+17" in errors[4]
    assert f"{sheet}第5行N列（成员身份证号码）：全角字符已转为半角" in fixed
    assert f"{sheet}第5行N列（成员身份证号码）：已去掉中间的空格" in fixed
    assert f"{sheet}第7行N列（成员身份证号码）：末位小写x已改为大写X" in fixed
    assert errors[9].startswith(f"{sheet}第9行N列（成员身份证号码）") and "同一人不能在两户" in errors[9]
    assert errors[11].startswith(f"{sheet}第11行N列（成员身份证号码）") and "第9行" in errors[11]
    assert errors[12] == (f"{sheet}第12行C列（村（社区））：杏花乡杏花村不在用户 张敏 的辖区（桃源镇）内，不能由本用户导入")
    assert errors[13].startswith(f"{sheet}第13行C列（村（社区））：桃源镇没有村（社区）「不存在村」")
    assert "导入不会自动新建" in errors[13]
    assert errors[14].startswith(f"{sheet}第14行I列（月保障金额（元））") and "「七百」不是数字" in errors[14]
    assert errors[15].startswith(f"{sheet}第15行J列（保障起始年月）") and "「五月」不是年月" in errors[15]
    assert {k: report["counts"][k] for k in ("new", "error")} == {"new": 2, "error": 8}

    result = service.commit(path, "taoyuan", skip_errors=True)
    assert len(result["created"]) == 2 and "跳过有错误的 8 户" in result["message"]
    with office.db.unit_of_work() as uow:
        numbers = sorted(m.id_number for n in result["created"]
                         for m in uow.households.get(uow.cases.get_by_number(n).household_id).members)
    assert numbers == sorted([IDS["丙"], IDS["丁"], IDS["戊"]])  # stored normalised

    out = tmp_path / "错误清单.xlsx"
    written = service.export_errors(path, "taoyuan", out)
    cells = read_xlsx(out)
    assert cells[0][0] == "导入错误清单：有错误的花名册.xlsx（最低生活保障）"
    header = cells[3]
    assert header[:20] == ROSTER_HEADER and header[20:] == ["问题说明", "原工作表", "原行号"]
    by_row = {r[22]: r for r in cells[4:]}
    assert by_row["4"][13] == "1.39901E+17" and "1.39901E+17" in by_row["4"][20]
    assert "不存在村" in by_row["13"][20] and written["logged"]
    assert len(cells) - 4 == written["rows"] == 10  # the eight households with errors, all their rows


def test_a_password_protected_file_is_refused_and_nothing_written(office, tmp_path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _crafted(tmp_path)
    out = io.BytesIO()
    with plain.open("rb") as f:
        OOXMLFile(f).encrypt("secret", out)
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(out.getvalue())
    before = dump_db(office.db_path)
    with pytest.raises(InputError) as caught:
        ImportService(office).commit(locked, "admin", skip_errors=True)
    assert "「加密.xlsx」设有打开密码" in caught.value.message
    assert dump_db(office.db_path) == before


def test_who_may_import(office) -> None:
    with pytest.raises(DomainError) as caught:
        ImportService(office).preview(BY_HOUSEHOLD, "approver")
    assert "无权导入" in caught.value.message
    report = ImportService(office).preview(BY_HOUSEHOLD, "taoyuan_rev")  # 王芳, reviewer of 桃源镇
    towns = {h["township"] for h in report["households"] if h["status"] == "new"}
    outside = [h for h in report["households"] if h["township"] == "杏花乡"]
    assert towns == {"桃源镇"} and outside and all(h["status"] == "error" for h in outside)
    assert all("不在用户 王芳 的辖区（桃源镇）内" in h["errors"][0] for h in outside)


def test_the_roster_exported_imports_back_without_a_change(office, tmp_path) -> None:
    service = ImportService(office)
    service.commit(BY_HOUSEHOLD, "county_clerk")
    out = tmp_path / "花名册.xlsx"
    written = ExportService(office).export("roster", "county_clerk", out, programme="dibao")
    assert written["rows"] == 60 and written["logged"] and not written["masked"]
    cells = read_xlsx(out)
    assert cells[0][0] == "青山县最低生活保障对象花名册" and cells[2] == ROSTER_HEADER
    assert cells[-1][0] == "合计：60户，149人，月保障金78170元"
    heads = [r for r in cells[3:-2] if r[0] != ""]
    assert all(isinstance(r[4], str) and isinstance(r[11], str) and isinstance(r[13], str) for r in heads)
    assert isinstance(heads[0][8], float)  # money is a number; ID numbers and accounts are text
    tall = [m for m in merged_ranges(out) if m[1][0] > m[0][0]]
    assert {m[0][1] for m in tall} == set(range(12)) | {18, 19}  # household cells merged down, as the province's

    before = dump_db(office.db_path)
    report = service.preview(out, "county_clerk")
    assert report["counts"]["matches"] == 60 and report["counts"]["households"] == 60
    assert service.commit(out, "county_clerk")["created"] == []
    assert dump_db(office.db_path) == before


def test_every_list_exports_with_title_filter_date_text_ids_masked_by_role_and_logged(office, tmp_path) -> None:
    ImportService(office).commit(BY_HOUSEHOLD, "admin")
    exports = ExportService(office)
    out = tmp_path / "cases.xlsx"
    result = exports.export("cases", "admin", out, tab="all", programme="dibao", village="139901101002")
    cells = read_xlsx(out)
    assert cells[0][0] == "青山县民政局案件列表"
    assert cells[1][0] == "筛选：全部案件；项目：最低生活保障；村（社区）：西河村"
    assert "导出人：刘管理" in cells[2][0] and "导出日期：2026年11月23日" in cells[2][0] and "已按权限遮盖" in cells[2][0]
    assert cells[3] == ["案件编号", "户主", "户主身份证号码", "村（社区）", "救助项目", "当前环节", "人数", "申请日期",
                        "期限（工作日）"]
    assert result["rows"] == len(cells) - 4 == 11  # the sample has 11 families in 西河村
    assert all(r[2].startswith("139901********") and r[3] == "西河村" for r in cells[4:])
    assert cells[4][4] == "最低生活保障·历史导入"

    full = exports.export("cases", "county_clerk", tmp_path / "full.xlsx", village="139901101002")
    assert not full["masked"] and read_xlsx(tmp_path / "full.xlsx")[4][2] == "139901195404069799"

    for kind, actor, filters, first_header in (
            ("benefits", "admin", {"status": "active"}, "案件编号"),
            ("due_reviews", "county_clerk", {"month": "2027-06"}, "案件编号"),
            ("monitoring", "admin", {}, "户主"),
            ("queue", "approver", {}, "案件编号"),
            ("audit", "admin", {"limit": 50}, "序号")):
        path = tmp_path / f"{kind}.xlsx"
        done = exports.export(kind, actor, path, **filters)
        got = read_xlsx(path)
        assert got[3][0] == first_header and done["rows"] == len(got) - 4, kind
    assert read_xlsx(tmp_path / "benefits.xlsx")[1][0] == "筛选：保障状态：在保"
    assert len(read_xlsx(tmp_path / "benefits.xlsx")) - 4 == 60
    logged = AuditService(office).office_log("admin", actions=["export"])
    assert [e["subject"] for e in logged] == ["案件列表（Excel）full.xlsx", "案件列表（Excel）cases.xlsx"]
    assert logged[1]["data"]["fields"] == ["公民身份号码"] and logged[1]["data"]["rows"] == 11


def test_an_export_is_refused_with_a_chinese_message(office, tmp_path) -> None:
    with pytest.raises(InputError) as caught:
        ExportService(office).export("shoes", "admin", tmp_path / "x.xlsx")
    assert "没有「shoes」这种名单" in caught.value.message
    with pytest.raises(InputError) as caught:
        ExportService(office).export("cases", "admin", tmp_path / "x.csv")
    assert "应以 .xlsx 结尾" in caught.value.message
    with pytest.raises(DomainError):
        ExportService(office).export("audit", "county_clerk", tmp_path / "a.xlsx")  # not an auditor


def test_the_first_decided_review_records_income_and_clears_the_flags(office) -> None:
    """An imported family is reviewed like any other; once its income is investigated it is no longer
    待补录家庭经济状况 and monitoring computes its flags again."""
    cases = CaseService(office)
    created = ImportService(office).commit(BY_HOUSEHOLD, "admin")["created"]
    parent = created[0]  # 萧立, 桃源镇西河村, alone, 720 a month
    review = LifecycleService(cases).start_review(parent, "county_clerk")
    rid = review["id"]
    cases.advance(rid, "start_investigation", "county_clerk")
    household = LifecycleQueries(office).household_for_edit(rid, "county_clerk")
    household["income"] = [{"type": "farming", "amount": "1200"}, {"type": "basic_pension", "amount": "1800",
                                                                   "member": 0}]
    cases.update_household(rid, "county_clerk", household, comment="入户调查：种植收入")
    cases.advance(rid, "complete_investigation", "county_clerk", data={
        "verification": {"requested_on": "2026-11-23", "result": "consistent"},
        "home_visit": {"visit_date": "2026-11-23", "investigators": [{"name": "周全"}, {"name": "张敏"}],
                       "family_present": "户主", "conclusion": "meets"}})
    cases.advance(rid, "submit_to_county", "taoyuan_rev", data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "复核"}})
    assert LifecycleQueries(office).flags("admin") == []  # still pending until decided
    view = cases.advance(rid, "decide", "approver", data={"review_decision": {"reasons": "种植收入"}})
    assert view["state"] == "decided"
    benefit = cases.show(parent, "admin")["benefit"]
    assert "pending" not in benefit and "pending_labels" not in benefit
    assert benefit["history"][0]["result"] == "imported" and len(benefit["history"]) == 2
    flagged = LifecycleQueries(office).flags("admin")
    assert [r["head"] for r in flagged] == ["萧立"] and flagged[0]["per_capita_monthly"] == "100.00"


class _Job:
    """What the window's worker passes: progress goes nowhere, 取消 is pressed once the rows are written."""

    def __init__(self):
        self.cancelled = False
        self.seen: list[str] = []

    def report(self, done: int, total: int, text: str) -> None:
        self.seen.append(text)
        if text.startswith("已写入"):
            self.cancelled = True


def test_cancelling_after_the_rows_were_written_leaves_nothing(office) -> None:
    from doudi_desk.services.importing import ImportCancelled

    before = dump_db(office.db_path)
    job = _Job()
    with pytest.raises(ImportCancelled, match="已取消导入，没有写入任何内容"):
        ImportService(office).commit(BY_MEMBER, "admin", job=job)
    assert "已写入 80 / 80 户" in job.seen  # the inserts had run inside the transaction
    assert dump_db(office.db_path) == before


def test_a_tekun_roster_makes_tekun_benefits_reviewed_yearly(office, tmp_path) -> None:
    rows = [["桃源镇特困人员供养花名册"], ROSTER_HEADER]
    rows += household_rows(1, "桃源镇", "南坡村", [("甲", IDS["甲"], "户主")], amount=1226)
    created = ImportService(office).commit(write_rows(tmp_path / "特困.xlsx", rows), "admin")["created"]
    assert created == ["2026-TKDR-000001"]
    with office.db.unit_of_work() as uow:
        case = uow.cases.get_by_number(created[0])
    assert (case.programme, case.workflow_id, case.benefit["review_interval_months"]) == ("tekun", "tekun_import", 12)


def test_people_of_two_families_in_force_or_of_an_open_application_are_errors(office, tmp_path) -> None:
    service = ImportService(office)
    service.commit(_roster(tmp_path, "a.xlsx", ("桃源镇", "西河村", [("甲", IDS["甲"], "户主"), ("乙", IDS["乙"], "配偶")], {}),
                           ("桃源镇", "西河村", [("丙", IDS["丙"], "户主")], {})), "county_clerk")
    CaseService(office).create_case({"village": "139901101001", "members": [
        {"name": "丁", "id_number": IDS["丁"], "relation": "head"}]}, "dibao", "county_clerk")
    later = _roster(tmp_path, "b.xlsx", ("桃源镇", "西河村", [("甲", IDS["甲"], "户主"), ("丙", IDS["丙"], "配偶")], {}),
                    ("桃源镇", "东岗村", [("丁", IDS["丁"], "户主")], {}))
    report = service.preview(later, "county_clerk")
    first, second = report["households"]
    assert first["status"] == second["status"] == "error"
    assert "本户成员分属两户在保家庭" in first["errors"][0] and "同一人不能同时在两户" in first["errors"][0]
    assert first["errors"][0].startswith("工作表「花名册」第4行N列（成员身份证号码）")
    assert "丁已有办理中的申请 2026-DB-000001" in second["errors"][0]
