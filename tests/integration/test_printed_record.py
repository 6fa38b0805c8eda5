"""Printed documents say what the record says (issue 10, items 1–5, 7, 13, 14, 15, 17).

A demo township with every programme, plus a few cases driven here through the real services: a
one-off 临时救助 of 35,000元, a 低保 the township proposes to refuse (with a comment that says the
opposite), a 特困 person supported at home by a carer. Every PDF is read back as text; every page is
written as PNG (70 dpi) to tests/output/pdf/record/ for looking at.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from printing_helpers import flat, fonts_not_embedded, pages_text, save_png

from doudi_desk.domain.errors import DomainError
from doudi_desk.domain.ids import make_id

TODAY = dt.date(2026, 11, 23)
DONGGANG = "139901101001"  # 东岗村, 桃源镇 (zhangmin, wangfang)
XINGHUA = "139901102001"  # 杏花村, 杏花乡 (zhouli)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def person(name: str, born: dt.date, seq: int, **extra) -> dict:
    return {"name": name, "id_number": make_id("139901", born, seq), **extra}


def investigation(day: str, **extra) -> dict:
    return {"verification": {"requested_on": day, "result": "consistent"},
            "home_visit": {"visit_date": day, "investigators": [{"name": "张敏"}, {"name": "李强"}],
                           "family_present": "户主", "conclusion": "meets"}} | extra


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    from doudi_desk.services.cases import CaseService
    from tests.helpers.demo import open_demo

    ctx = open_demo(tmp_path_factory.mktemp("record") / "demo.sqlite3", 40, with_other_programmes=True)
    svc = CaseService(ctx)
    ctx.cases = svc
    ctx.scenario = {
        "temporary": _temporary(svc),
        "temporary_decided": _temporary_decided(svc),
        "refused": _refused_proposal(svc),
        "tekun": _tekun_at_home(svc),
        "objection": _objection(svc),
    }
    yield ctx
    ctx.db.dispose()


@pytest.fixture(scope="module")
def printer(ctx):
    from doudi_desk.services.printing import PrintService

    return PrintService(ctx)


def _temporary(svc, name: str = "钱建华", seq: int = 301) -> str:
    """A 支出型 临时救助 of 35,000元 in 公示 (test 1 takes it on to the county's approval)."""
    h = {"village": DONGGANG, "members": [person(name, d("1975-03-01"), seq, relation="head")],
         "income": [{"type": "wage", "amount": "12000", "member": 0}],
         "rigid_expenses": [{"kind": "medical", "amount": "60000", "member": 0, "note": "住院自付"}],
         "assets": {"financial": "2000", "homes": 1},
         "temporary": {"type": "expenditure", "amount": "35000", "cause": "突发重病住院"}}
    view = svc.create_case(h, "temporary", "zhangmin", applied_on=d("2026-10-20"))
    cid = view["id"]
    svc.advance(cid, "accept", "zhangmin", effective_date=d("2026-10-21"), data={"temporary_application": {
        "apply_date": "2026-10-20", "channel": "self", "reason": "突发重病住院，自付医疗费用超出家庭承受能力",
        "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "zhangmin", effective_date=d("2026-10-22"))
    svc.advance(cid, "complete_investigation", "zhangmin", effective_date=d("2026-10-23"),
                data=investigation("2026-10-23"))
    svc.advance(cid, "post_notice", "wangfang", effective_date=d("2026-10-26"), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "情况属实，建议给予临时救助"}})
    return view["number"]


def _temporary_decided(svc) -> str:
    """Another 35,000元 临时救助, approved by the county with its 一事一议 record (so every test of the
    module finds a decided one-off case, whatever order the tests run in)."""
    number = _temporary(svc, "冯建国", 302)
    svc.advance(number, "submit_to_county", "wangfang", effective_date=d("2026-11-02"),
                data={"posting": {"start_date": "2026-10-26", "place": "村务公开栏"}})
    svc.advance(number, "approve", "zhaojun", effective_date=d("2026-11-05"), data={
        "temporary_approval": {"form_of_help": "cash"},
        "collective_decision": {"meeting_date": "2026-11-04", "participants": [
            {"name": "赵军"}, {"name": "钱局长"}, {"name": "孙科长"}], "decision": "同意给予临时救助35000元"}})
    return number


def _refused_proposal(svc) -> str:
    """A 低保 household over the standard: the township proposes to refuse; the comment a clerk left
    in the form says the opposite ("拟同意")."""
    h = {"village": DONGGANG, "members": [person("孔德福", d("1968-05-05"), 311, relation="head"),
                                          person("孔丽", d("1970-06-06"), 322, relation="spouse")],
         "income": [{"type": "wage", "amount": "96000", "member": 0}], "assets": {"financial": "3000", "homes": 1}}
    view = svc.create_case(h, "dibao", "zhangmin", applied_on=d("2026-11-02"))
    cid = view["id"]
    svc.advance(cid, "accept", "zhangmin", effective_date=d("2026-11-03"), data={"application": {
        "apply_date": "2026-11-02", "channel": "self", "reason": "务工收入不稳定", "pledge_signed": True,
        "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "zhangmin", effective_date=d("2026-11-04"))
    svc.advance(cid, "complete_investigation", "zhangmin", effective_date=d("2026-11-05"),
                data=investigation("2026-11-05", neighbour_visit={
                    "visit_date": "2026-11-05", "interviewees": [{"name": "邻居老王"}], "statements": "在外务工"}))
    svc.advance(cid, "post_notice", "wangfang", effective_date=d("2026-11-20"), data={"preliminary_opinion": {
        "opinion": "refuse", "category": "new", "comment": "经调查核实，拟同意"}})
    return view["number"]


def _tekun_at_home(svc) -> str:
    """A 特困 applicant of 82 supported at home: supporter declared, self-care assessed, a carer."""
    h = {"village": DONGGANG, "members": [person("吴长顺", d("1944-02-02"), 331, relation="head")],
         "income": [{"type": "basic_pension", "amount": "1560", "member": 0}], "assets": {"financial": "1000", "homes": 1}}
    view = svc.create_case(h, "tekun", "zhangmin", applied_on=d("2026-10-08"))
    cid = view["id"]
    svc.advance(cid, "accept", "zhangmin", effective_date=d("2026-10-09"), data={"tekun_application": {
        "apply_date": "2026-10-08", "channel": "village", "reason": "年老体弱，独自居住，无生活来源",
        "no_able_supporter": True, "supporters": [{"name": "吴军", "role": "儿子"}],
        "supporter_unable_reason": "tekun_or_elderly_dibao", "pledge_signed": True, "authorization_signed": True}})
    care = {"eating": "managed", "dressing": "unable", "transfer": "managed", "toileting": "managed",
            "walking": "unable", "bathing": "unable", "assessed_on": "2026-10-12", "assessor": "县社会福利中心"}
    supply = {"mode": "dispersed", "carer": [{"name": "吴桂兰", "role": "侄女"}], "care_agreement_signed": True}
    svc.advance(cid, "complete_investigation", "zhangmin", effective_date=d("2026-10-12"),
                data=investigation("2026-10-12", self_care=care, supply_arrangement=supply))
    svc.advance(cid, "post_notice", "wangfang", effective_date=d("2026-10-13"), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "符合特困人员认定条件"}})
    svc.advance(cid, "submit_to_county", "wangfang", effective_date=d("2026-10-21"),
                data={"posting": {"start_date": "2026-10-13", "place": "村务公开栏"}})
    svc.advance(cid, "approve", "zhaojun", effective_date=d("2026-10-23"), data={"tekun_approval": {}})
    return view["number"]


def _objection(svc) -> str:
    h = {"village": DONGGANG, "members": [person("严海燕", d("1980-01-01"), 342, relation="head")],
         "income": [], "assets": {"financial": "0", "homes": 1}}
    view = svc.create_case(h, "dibao", "zhangmin", applied_on=d("2026-11-02"))
    cid = view["id"]
    svc.advance(cid, "accept", "zhangmin", effective_date=d("2026-11-03"), data={"application": {
        "apply_date": "2026-11-02", "channel": "self", "reason": "无业", "pledge_signed": True,
        "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "zhangmin", effective_date=d("2026-11-04"))
    svc.advance(cid, "complete_investigation", "zhangmin", effective_date=d("2026-11-05"),
                data=investigation("2026-11-05", neighbour_visit={
                    "visit_date": "2026-11-05", "interviewees": [{"name": "邻居"}], "statements": "属实"}))
    svc.advance(cid, "post_notice", "wangfang", effective_date=d("2026-11-16"), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "record_objection", "zhangmin", effective_date=d("2026-11-18"), data={"objection": {
        "received_on": "2026-11-18", "content": "反映该户有车辆"}})
    svc.advance(cid, "hold_democratic_review", "wangfang", effective_date=d("2026-11-19"), comment="公示有异议")
    svc.advance(cid, "review_passed", "wangfang", effective_date=d("2026-11-20"), data={"democratic_review": {
        "held_on": "2026-11-20", "place": "村委会", "chair": "王芳", "recorder": "李强", "participants": 15,
        "representatives": 12, "votes_for": 13, "votes_against": 1, "votes_abstain": 1,
        "conclusion": "车辆为借用，生活困难属实"}})
    return view["number"]


def printed(printer, case: str, kind: str, name: str | None = None) -> str:
    pdf = printer.case_document(case, kind)
    assert pdf.startswith(b"%PDF") and fonts_not_embedded(pdf) == []
    save_png(pdf, f"record/{name or case + '_' + kind}", all_pages=True, dpi=70)
    return flat("".join(pages_text(pdf)))


def first(ctx, number_part: str, state: str | None = None) -> dict:
    from doudi_desk.services.reports import list_cases

    rows = [r for r in list_cases(ctx, state=state, limit=None) if f"-{number_part}-" in r["number"]]
    assert rows, (number_part, state)
    return ctx.cases.show(rows[0]["id"])


# --- 1. one-off amounts are one-off ------------------------------------------------------------

def test_a_one_off_amount_is_never_printed_as_monthly(ctx, printer):
    case = ctx.scenario["temporary"]
    posting = printed(printer, case, "posting_list", "temporary_posting_list")
    assert "拟救助金额（元）" in posting and "元/月" not in posting
    assert "钱建华1135000新增" in posting, posting  # 家庭人口 1, 保障人口 1, 35000 (not 0)
    form = printed(printer, case, "approval_form", "temporary_approval_form")
    assert "拟救助金额（元）：35000（一次性发放）" in form
    assert "户月保障金额" not in form and "按户补差" not in form and "元/月" not in form
    # the county approves it (一事一议 above 30,000元), and the notice says a one-off sum
    view = ctx.cases.show(case)
    ctx.cases.advance(view["id"], "submit_to_county", "wangfang", effective_date=d("2026-11-02"),
                      data={"posting": {"start_date": "2026-10-26", "place": "村务公开栏"}})
    ctx.cases.advance(view["id"], "approve", "zhaojun", effective_date=d("2026-11-05"), data={
        "temporary_approval": {"form_of_help": "cash"},
        "collective_decision": {"meeting_date": "2026-11-04", "participants": [
            {"name": "赵军"}, {"name": "钱局长"}, {"name": "孙科长"}], "decision": "同意给予临时救助35000元"}})
    notice = printed(printer, case, "confirmation_notice", "temporary_confirmation_notice")
    assert "救助金额：35000元" in notice and "一次性发放" in notice and "按月" not in notice
    form = printed(printer, case, "approval_form", "temporary_approval_form_decided")
    assert "同意。给予临时救助35000元，一次性发放。" in form and "县级审批意见" in form
    record = printed(printer, case, "collective_record", "temporary_collective_record")
    assert "同意给予临时救助35000元" in record and "钱局长" in record
    with pytest.raises(DomainError, match="不发救助证|不出具此文书"):
        printer.case_document(case, "certificate")
    # `doudi-admin case show` (the case as text) says the same
    from doudi_desk.services.reports import case_text

    text = case_text(ctx.cases.show(case))
    assert "救助金额（元） 35000，一次性发放" in text and "每月" not in text and "None" not in text


def test_the_registry_names_every_amount():
    from doudi_desk.domain.programmes import REGISTRY, amount_of, programme

    assert programme("temporary").heading(proposed=True) == "拟救助金额（元）"
    assert programme("dibao").heading() == "保障金额（元/月）"
    assert amount_of("temporary", {"monthly_amount": "0", "amount": "35000"}) == "35000"
    assert amount_of("tekun", {"monthly_amount": "1166", "amount": None}) == "1166"
    from doudi_desk.domain.programmes import PROGRAMMES

    assert {code: p.name for code, p in REGISTRY.items()} == PROGRAMMES
    assert amount_of("disability_allowance", {"monthly_amount": "160", "amount": None}) == "160"


# --- 2. opinions are the recorded ones ---------------------------------------------------------

def test_opinions_are_built_from_the_record(ctx, printer):
    case = ctx.scenario["refused"]
    form = printed(printer, case, "approval_form", "refused_proposal_approval_form")
    staff = form[form.index("经办人意见"):form.index("乡镇审核意见")]
    township = form[form.index("乡镇审核意见"):form.index("县级审批意见")]
    assert "测算不符合条件" in staff and "邻里访问" in staff  # this case had a neighbour visit
    assert "拟不同意（新增）" in township
    assert "拟同意" not in township.replace("拟不同意", "")  # the contradicting comment is not joined
    assert "max(" not in form and "第0号" not in form
    # a 特困 case had no neighbour visit: the opinion does not claim one
    tekun = printed(printer, ctx.scenario["tekun"], "approval_form", "tekun_approval_form")
    staff = tekun[tekun.index("经办人意见"):tekun.index("乡镇审核意见")]
    assert "邻里访问" not in staff and "经入户调查、信息核对" in staff
    assert "符合特困人员认定条件" in tekun  # the township's recorded comment


def test_no_constant_opinion_text_remains():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "doudi_desk" / "services" / "print_context.py").read_text("utf-8")
    assert "经入户调查、邻里访问和信息核对，该户" not in source


# --- 3. 复核 / 变更 / 停保 -----------------------------------------------------------------------

def test_review_change_and_termination_print_their_decision(ctx, printer):
    for part in ("DBFH", "DBBG"):
        view = first(ctx, part, "decided")
        form = printed(printer, view["number"], "approval_form", f"{part}_approval_form")
        block = form[form.index("县级审批意见"):]
        assert "签字：赵军" in block and f"{d(view['decision']['decided_on']).month}月" in block
        assert "决定" in block and "理由" in block
        covered = view["decision"].get("covered")
        if view["decision"]["result"] == "phase_out":  # still paid during the 渐退: persons stay covered
            assert re.search(r"保障人口[1-9]\d*人", form), form[:200]
        elif covered is not None:
            assert f"保障人口{len(covered)}人" in form
        notice = printed(printer, view["number"], "adjustment_notice", f"{part}_adjustment_notice")
        assert "依据：" in notice and "60日内" in notice and "6个月内" in notice and "行政复议法" in notice
        assert view["decision"]["reasons"].rstrip("。") in notice
    stop = first(ctx, "DBTB", "terminated")
    pdf = printer.case_document(stop["number"], "case_file")
    save_png(pdf, "record/termination_case_file", all_pages=True, dpi=70)
    text = flat("".join(pages_text(pdf)))
    assert "停保呈报表" in text and "停发通知书" in text and "审核审批表" in text
    assert "核对授权书" not in text and "申请最低生活保障" not in text
    assert "同意停保" in text and "签字：赵军" in text and "行政诉讼" in text


# --- 4. a proposed refusal on the 公示名单 -------------------------------------------------------

def test_a_proposed_refusal_is_posted_as_such(ctx, printer):
    text = printed(printer, ctx.scenario["refused"], "posting_list", "refused_posting_list")
    assert "孔德福2——拟不予保障" in text, text  # family of 2, nobody covered, no amount, not 新增
    assert not re.search(r"孔德福\d+新增", text)


# --- 5. 特困 and 临时救助 data on paper ----------------------------------------------------------

def test_tekun_and_temporary_data_reach_the_forms(ctx, printer):
    tekun = ctx.scenario["tekun"]
    visit = printed(printer, tekun, "home_visit_form", "tekun_home_visit_form")
    for want in ("特困人员认定事项", "生活自理能力", "穿衣不能自理", "半失能", "赡养（抚养、扶养）义务人", "吴军（儿子）",
                 "义务人为特困人员或60周岁以上低保对象", "供养方式", "分散供养", "照料人", "吴桂兰（侄女）", "照料协议已签订",
                 "年老体弱，独自居住，无生活来源"):
        assert want in visit, want
    form = printed(printer, tekun, "approval_form", "tekun_approval_form")
    assert "申请理由年老体弱，独自居住，无生活来源" in form and "分散供养" in form and "吴桂兰" in form
    agreement = printed(printer, tekun, "care_agreement", "tekun_care_agreement")
    assert "吴桂兰" in agreement and "吴长顺" in agreement and "照料义务" in agreement and "探访" in agreement
    care = printed(printer, tekun, "self_care_form", "tekun_self_care_form")
    assert "■" in care and "半失能（3项不能自理）" in care
    temporary = ctx.scenario["temporary"]
    visit = printed(printer, temporary, "home_visit_form", "temporary_home_visit_form")
    for want in ("临时救助事项", "支出型", "突发重病住院", "刚性支出", "自付医疗费用", "60000元", "住院自付"):
        assert want in visit, want
    form = printed(printer, temporary, "approval_form")
    assert "申请理由突发重病住院，自付医疗费用超出家庭承受能力" in form and "困难事由突发重病住院" in form


# --- 13. application documents, blank and filled -----------------------------------------------

@pytest.mark.parametrize("programme", ["dibao", "tekun", "temporary", "disability_allowance"])
def test_application_documents_print_blank(printer, programme):
    from doudi_desk.domain.programmes import PROGRAMMES

    for kind in ("application_form", "income_statement"):
        pdf = printer.blank_document(kind, programme, actor="zhangmin")
        save_png(pdf, f"record/blank_{programme}_{kind}", all_pages=True, dpi=70)
        text = flat("".join(pages_text(pdf)))
        assert PROGRAMMES[programme] in text and "签字" in text and "桃源镇" in text
        assert not re.search(r"\d{17}[\dX]", text)  # nothing of anybody


def test_application_documents_print_filled(ctx, printer):
    view = first(ctx, "DB", "approved")
    with ctx.db.unit_of_work() as uow:
        h = uow.households.get(view["household"]["id"])
    form = printed(printer, view["number"], "application_form", "dibao_application_form")
    assert "最低生活保障申请书" in form and all(m.name in form and m.id_number in form for m in h.members)
    assert "■本人申请" in form or "■委托他人代为申请" in form or "■村（居）民委员会代为申请" in form
    statement = printed(printer, view["number"], "income_statement", "dibao_income_statement")
    assert "家庭收入及财产申报表" in statement
    for item in h.income:
        assert f"{item.amount:.0f}" in statement
    tekun = printed(printer, ctx.scenario["tekun"], "application_form", "tekun_application_form")
    assert "特困人员救助供养申请书" in tekun and "吴军" in tekun


def test_the_case_documents_are_titled_as_their_programme_calls_them(ctx, printer):
    """The 打印 tab's buttons (documents_for_case) carry domain/documents.py's title for the case's
    programme: 特困人员救助供养申请书 for 特困, 临时救助审批表 for 临时救助, 审核审批表 for 低保."""
    from doudi_desk.domain.documents import title

    seen = {}
    for part, code in (("DB", "dibao"), ("TK", "tekun"), ("LS", "temporary"), ("CJ", "disability_allowance")):
        view = first(ctx, part)
        assert view["programme"] == code
        entries = printer.documents_for_case(view["id"])
        assert entries and all(e["title"] == title(e["kind"], code) for e in entries), code
        seen[code] = {e["kind"]: e["title"] for e in entries}
    assert seen["dibao"]["application_form"] == "申请书" and seen["dibao"]["approval_form"] == "审核审批表"
    assert seen["tekun"]["application_form"] == "特困人员救助供养申请书"
    assert seen["temporary"]["approval_form"] == "临时救助审批表"
    assert seen["disability_allowance"]["application_form"] == "残疾人两项补贴申请审批表"


# --- 14. every document the workflows name has a template and prints ---------------------------

def test_every_named_document_prints_for_some_case(ctx, printer):
    from doudi_desk.services.printing import workflow_documents
    from doudi_desk.services.reports import list_cases

    named = {k for engine in ctx.engines.values() for k in workflow_documents(engine.spec)}
    done: set[str] = set()
    for row in list_cases(ctx, limit=None):
        for entry in printer.documents_for_case(row["id"]):
            if entry["available"] and entry["kind"] not in done and entry["kind"] in named:
                try:
                    pdf = printer.case_document(row["id"], entry["kind"])
                except DomainError:
                    continue
                assert pdf.startswith(b"%PDF")
                done.add(entry["kind"])
                save_png(pdf, f"record/kind_{entry['kind']}", all_pages=True, dpi=70)
    assert named - done == set(), f"never printed: {named - done}"


def test_objection_record(ctx, printer):
    text = printed(printer, ctx.scenario["objection"], "objection_record", "objection_record")
    assert "公示异议记录" in text and "反映该户有车辆" in text and "匿名" in text


# --- 15. typography on every page of every document -------------------------------------------

def test_dates_and_grades_in_chinese_and_continuation_pages_named(ctx, printer):
    from doudi_desk.services.reports import list_cases

    seen = 0
    for row in list_cases(ctx, limit=None)[::3]:
        for entry in printer.documents_for_case(row["id"]):
            if not entry["available"] or entry["scope"] != "case" or entry["kind"] == "case_file":
                continue
            pdf = printer.case_document(row["id"], entry["kind"])
            pages = [flat(p) for p in pages_text(pdf)]
            text = "".join(pages)
            assert not re.search(r"(?<![\d-])\d{4}-\d{1,2}-\d{1,2}", text), (row["number"], entry["kind"])
            assert not re.search(r"[一-龥][1-4]级", text), (row["number"], entry["kind"])
            for page in pages[1:]:  # no page without the title and the household
                assert "（续）" in page and row["number"] in page and "户主：" in page, (row["number"], entry["kind"])
            for line in "\n".join(pages_text(pdf)).splitlines():
                line = line.strip()
                assert not line or line[0] not in "。，；：）」", (row["number"], entry["kind"], line)
            seen += 1
    assert seen > 40


# --- 17. a list is scoped like every case action -----------------------------------------------

def test_a_village_list_is_printed_only_in_the_users_area(ctx, printer):
    with pytest.raises(DomainError, match="不在用户 周丽 的辖区内"):
        printer.posting_lists([DONGGANG], actor="zhouli")
    with pytest.raises(DomainError, match="不在用户 周丽 的辖区内"):
        printer.publication_lists([DONGGANG], actor="zhouli")
    with pytest.raises(DomainError, match="不在用户 周丽 的辖区内"):
        printer.posting_batches(DONGGANG, actor="zhouli")
    with pytest.raises(DomainError, match="不在用户 周丽 的辖区内"):
        printer.render_kind("posting_list", villages=[XINGHUA, DONGGANG], actor="zhouli")
    assert printer.posting_lists([DONGGANG], actor="zhangmin").startswith(b"%PDF")


def test_command_line_list_printing_is_scoped(ctx, tmp_path, capsys):
    from doudi_desk.cli import main

    url = str(ctx.db.url.render_as_string(hide_password=False))
    out = tmp_path / "list.pdf"
    assert main(["--db", url, "print", "posting_list", "--village", DONGGANG, "--as", "zhouli", "--out", str(out)]) == 2
    assert "不在用户 周丽 的辖区内" in capsys.readouterr().err and not out.exists()
    assert main(["--db", url, "print", "posting_list", "--village", DONGGANG, "--as", "zhangmin",
                 "--out", str(out)]) == 0
    assert main(["--db", url, "print", "application_form", "--blank", "--programme", "tekun", "--as", "zhouli",
                 "--out", str(tmp_path / "blank.pdf")]) == 0
    assert "杏花乡" in flat("".join(pages_text((tmp_path / "blank.pdf").read_bytes())))


# --- 7. the default 公示 batch is the current one -----------------------------------------------

def test_the_default_batch_is_the_current_one_and_an_ended_one_says_so(office):
    """A case posted on 20 September and left in 公示 must not make that batch the default on
    1 December, when the 20 November batch is the last one posted; its period has ended, and the
    printout says so."""
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.printing import PrintService

    clock = {"today": d("2026-09-10")}
    office.today = lambda: clock["today"]
    svc, printer = CaseService(office), PrintService(office)

    def posted(name: str, seq: int, applied: str, posted_on: str) -> int:
        clock["today"] = d(posted_on)
        h = {"village": "130999101001", "members": [person(name, d("1960-01-01"), seq, relation="head")],
             "income": [], "assets": {"financial": "0", "homes": 1}}
        cid = svc.create_case(h, "dibao", "clerk", applied_on=d(applied))["id"]
        svc.advance(cid, "accept", "clerk", effective_date=d(applied), data={"application": {
            "apply_date": applied, "channel": "self", "reason": "无收入", "pledge_signed": True,
            "authorization_signed": True}})
        svc.advance(cid, "start_investigation", "clerk", effective_date=d(applied))
        svc.advance(cid, "complete_investigation", "clerk", effective_date=d(applied), data=investigation(
            applied, neighbour_visit={"visit_date": applied, "interviewees": [{"name": "邻居"}], "statements": "属实"}))
        svc.advance(cid, "post_notice", "reviewer", effective_date=d(posted_on), data={"preliminary_opinion": {
            "opinion": "approve", "category": "new", "comment": "拟同意"}})
        return cid

    posted("甲老汉", 401, "2026-09-10", "2026-09-20")  # stays in 公示 (never submitted)
    later = posted("乙老汉", 402, "2026-11-10", "2026-11-20")
    clock["today"] = d("2026-11-27")
    svc.advance(later, "submit_to_county", "reviewer", effective_date=d("2026-11-27"),
                data={"posting": {"start_date": "2026-11-20", "place": "公开栏"}})
    clock["today"] = d("2026-12-01")
    batches = printer.posting_batches("130999101001")
    assert [(b["batch"], b["current"], b["ended"]) for b in batches] == [
        ("2026-11-20", True, True), ("2026-09-20", False, True)]
    text = flat("".join(pages_text(printer.posting_list("130999101001"))))
    assert "公示期：2026年11月20日至2026年11月26日" in text and "乙老汉" in text and "甲老汉" not in text
    assert "本批公示期已于2026年11月26日结束" in text
    clock["today"] = d("2026-11-22")  # during the period: no such note
    text = flat("".join(pages_text(printer.posting_list("130999101001", "2026-11-20"))))
    assert "结束" not in text


def test_every_document_with_id_numbers_is_logged_as_an_export(ctx, printer):
    """Printing a document that shows full ID numbers is an export in the audit trail (README,
    Privacy): the list of such kinds must cover every new template that prints them."""
    from doudi_desk.services.printing import PERSONAL_KINDS
    from doudi_desk.services.reports import list_cases

    checked = set()
    for row in list_cases(ctx, limit=None):
        view = ctx.cases.show(row["id"])
        with ctx.db.unit_of_work() as uow:
            ids = [m.id_number for m in uow.households.get(view["household"]["id"]).members]
        for entry in printer.documents_for_case(row["id"]):
            kind = entry["kind"]
            if not entry["available"] or entry["scope"] != "case" or kind in checked or kind == "case_file":
                continue
            text = flat("".join(pages_text(printer.case_document(row["id"], kind))))
            assert any(i in text for i in ids) == (kind in PERSONAL_KINDS), kind
            checked.add(kind)
    assert len(checked) > 20
