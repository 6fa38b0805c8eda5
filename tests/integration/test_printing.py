"""Every printed document from the demo township: text, figures, embedded fonts, privacy, PNGs.

Page 1 of each document is written to tests/output/pdf/ (gitignored) for looking at.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from printing_helpers import (
    ID18,
    MOBILE,
    flat,
    fonts_not_embedded,
    pages_text,
    posting_list_event_columns,
    save_png,
)

from doudi_desk.domain.errors import DomainError
from doudi_desk.printing import MissingGlyphError

TODAY = dt.date(2026, 11, 23)


def cn(day: str | dt.date) -> str:
    d = dt.date.fromisoformat(str(day)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.office import OfficeService
    from tests.helpers.demo import open_demo

    ctx = open_demo(tmp_path_factory.mktemp("print") / "demo.sqlite3", 60)
    ctx.office = OfficeService(ctx)  # the demo sets each township's phone and address
    cases = CaseService(ctx)
    # The demo leaves its 民主评议 case without a record; hold the meeting.
    from doudi_desk.services.reports import list_cases

    review = list_cases(ctx, state="democratic_review", limit=1)[0]
    view = cases.show(review["id"])
    actor = "chenjing" if view["county_delegated"] else "wangfang"
    cases.advance(review["id"], "review_passed", actor, effective_date=TODAY, data={"democratic_review": {
        "held_on": TODAY.isoformat(), "place": "村委会会议室", "chair": "王芳", "recorder": "李强",
        "participants": 15, "representatives": 12, "votes_for": 13, "votes_against": 1, "votes_abstain": 1,
        "conclusion": "经评议，该户生活困难属实，同意纳入。"}})
    ctx.cases = cases
    ctx.review_case = review["id"]
    yield ctx
    ctx.db.dispose()


@pytest.fixture(scope="module")
def printer(demo):
    from doudi_desk.services.printing import PrintService

    return PrintService(demo)


def first_case(ctx, state, village=None):
    from doudi_desk.services.reports import list_cases

    found = list_cases(ctx, state=state, village=village, limit=None)
    assert found, f"the demo has no case in {state}"
    return ctx.cases.show(found[0]["id"])


def check_pdf(pdf: bytes, name: str, expected: list[str]) -> str:
    assert pdf.startswith(b"%PDF")
    save_png(pdf, name)
    text = flat("".join(pages_text(pdf)))
    for want in expected:
        assert flat(str(want)) in text, f"{name}: 「{want}」 not printed"
    assert fonts_not_embedded(pdf) == [], f"{name}: fonts not embedded"
    assert "— 1 —" in "".join(pages_text(pdf))
    return text


def yuan(value) -> str:
    from doudi_desk.printing.render import yuan as fmt

    return fmt(value)


def household_of(ctx, view):
    with ctx.db.unit_of_work() as uow:
        return uow.households.get(view["household"]["id"])


def test_acceptance_notice(demo, printer):
    view = first_case(demo, "approved")
    office = demo.office.details(view["village"])
    assert office["phone"]
    pdf = printer.case_document(view["id"], "acceptance_notice")
    check_pdf(pdf, "acceptance_notice", ["受理通知书", view["number"], view["household"]["head"],
                                         cn(view["accepted_on"]), office["name"], office["phone"], office["address"]])


def test_correction_notice_lists_every_missing_material(demo, printer):
    view = first_case(demo, "correcting")
    pdf = printer.case_document(view["id"], "correction_notice")
    check_pdf(pdf, "correction_notice", ["补正告知书", "一次性告知", "1.收入及财产申报", "2.病历或诊断证明",
                                         "请补交收入申报和病历", view["household"]["head"]])


def test_not_accepted_notice(demo, printer):
    view = first_case(demo, "not_accepted")
    pdf = printer.case_document(view["id"], "not_accepted_notice")
    check_pdf(pdf, "not_accepted_notice", ["不予受理告知书", "户籍不在本乡镇", "第四条", "60日", "行政复议"])


def test_authorization_has_every_member_and_signature_cells(demo, printer):
    view = first_case(demo, "approved")
    h = household_of(demo, view)
    pdf = printer.case_document(view["id"], "authorization")
    check_pdf(pdf, "authorization", ["家庭经济状况核对授权书", "本人签字", "手印", "赡养义务人", "青山县民政局",
                                     *[m.name for m in h.members], *[m.id_number for m in h.members]])


def test_home_visit_form_filled_from_the_case(demo, printer):
    view = first_case(demo, "approved")
    h = household_of(demo, view)
    pdf = printer.case_document(view["id"], "home_visit_form")
    check_pdf(pdf, "home_visit_form", [
        "入户调查表", "家庭成员", "家庭收入", "家庭财产", "调查结论", "■符合条件", "调查人员签字", "张敏", "李强",
        "家庭成员签字", *[m.name for m in h.members], yuan(view["proposal"]["per_capita_monthly"]), "工资性收入",
        yuan(h.assets.financial)])


def test_neighbour_record(demo, printer):
    view = first_case(demo, "approved")
    pdf = printer.case_document(view["id"], "neighbour_record")
    check_pdf(pdf, "neighbour_record", ["邻里访问记录", "邻居老周", "该户生活确有困难，情况属实", "受访人签字", "访问人签字"])


def test_review_record_has_attendance_votes_result(demo, printer):
    pdf = printer.case_document(demo.review_case, "review_record")
    check_pdf(pdf, "review_record", ["民主评议记录表", "村委会会议室", "15人", "12人", "达到三分之二", "赞成", "反对",
                                     "弃权", "13", "通过", "全体参加人员签字", "经评议，该户生活困难属实"])


def test_approval_form_explains_the_computation_and_has_sign_off_blocks(demo, printer):
    view = first_case(demo, "approved")
    pdf = printer.case_document(view["id"], "approval_form")
    text = check_pdf(pdf, "approval_form", [
        "审核审批表", "测算说明", view["proposal"]["explanation"][0].replace("−", "－"),
        view["decision"]["monthly_amount"], "经办人意见", "乡镇审核意见", "审批意见", "赵军" if not
        view["county_delegated"] else "陈静", cn(view["decision"]["decided_on"])])
    last = "乡镇审批意见" if view["county_delegated"] else "县级审批意见"
    assert text.index("经办人意见") < text.index("乡镇审核意见") < text.index(last)


def test_confirmation_notice(demo, printer):
    view = first_case(demo, "approved")
    h = household_of(demo, view)
    d = view["decision"]
    year, month = d["start_month"].split("-")
    pdf = printer.case_document(view["id"], "confirmation_notice")
    check_pdf(pdf, "confirmation_notice", [
        "确认通知书", f"户月保障金额：{d['monthly_amount']}元", f"{int(year)}年{int(month)}月起",
        f"保障人口：{len(d['covered'])}人", *[h.members[i].name for i in d["covered"]], cn(d["decided_on"])])


def test_refusal_notice_gives_reasons_rule_and_remedies(demo, printer):
    view = first_case(demo, "refused")
    pdf = printer.case_document(view["id"], "refusal_notice")
    check_pdf(pdf, "refusal_notice", ["不予确认通知书", "家庭人均收入高于当地低保标准", "社会救助暂行办法第九条",
                                      "60日内", "行政复议", "6个月内", "行政诉讼", "青山县人民政府", "青山县人民法院"])


def test_a_document_the_case_has_no_data_for_is_refused(demo, printer):
    view = first_case(demo, "correcting")
    with pytest.raises(DomainError, match="尚未确认"):
        printer.case_document(view["id"], "confirmation_notice")


def _posted_checks(demo, pdf: bytes, village: str) -> str:
    raw = "".join(pages_text(pdf))
    text = flat(raw)
    assert not ID18.search(text), "an ID number on a posted list"
    assert not MOBILE.search(text), "a mobile number on a posted list"
    with demo.db.unit_of_work() as uow:
        for case in uow.cases.query(village_code=village):
            h = uow.households.get(case.household_id)
            for m in h.members:
                assert m.id_number not in text
            assert h.phone not in text
    return text


def test_posting_list_of_a_village_batch(demo, printer):
    view = first_case(demo, "posting")
    batches = printer.posting_batches(view["village"])
    current = next(b for b in batches if b["in_posting"])
    pdf = printer.posting_list(view["village"], current["batch"])
    proposal = view["proposal"]
    office = demo.office.details(view["village"])
    text = check_pdf(pdf, "posting_list", [
        "最低生活保障初审公示", f"公示期：{cn(current['start'])}至{cn(current['end'])}", "序号", "户主姓名", "家庭人口",
        "保障人口", "拟保障金额", "类别", view["household"]["head"], proposal["monthly_amount"], "新增",
        office["phone"], office["address"], office["name"], cn(current["start"])])
    _posted_checks(demo, pdf, view["village"])
    assert (dt.date.fromisoformat(current["end"]) - dt.date.fromisoformat(current["start"])).days == 6
    assert text.count("户主姓名") == len(pages_text(pdf)) or len(pages_text(pdf)) > 1


def test_a_villages_posting_list_is_gathered_in_the_same_few_queries_whatever_its_size(demo, printer):
    """No query per case: the village with the most posted cases and the one with the fewest are
    gathered (cases ever posted, their events, their households) in the same number of queries."""
    from query_count import selects, statements
    from sqlalchemy import text

    with demo.db.engine.connect() as conn:
        posted = conn.execute(text(
            "SELECT c.village_code, COUNT(DISTINCT c.id) FROM cases c JOIN audit_events e ON e.case_id = c.id "
            "WHERE e.trigger = 'post_notice' AND c.programme = 'dibao' GROUP BY c.village_code ORDER BY 2, 1")).all()
    (small, few), (big, many) = posted[0], posted[-1]
    assert many >= few + 3, posted
    counts = {}
    for village in (small, big):
        printer.posting_batches(village)  # warm: the office's settings and fonts are read once
        with statements(demo.db.engine) as sent:
            batches = printer.posting_batches(village)
            printer.posting_list(village, batches[0]["batch"])
        counts[village] = len(selects(sent))
    assert counts[small] == counts[big] <= 20, counts


def test_a_posting_list_sends_the_same_statements_whatever_its_length(demo, printer):
    """The statements gathering a posted list are compiled once: the shortest batch's list and the
    longest's send the same SQL, the households' ids one parameter, never an IN (…) with a
    placeholder per household (a new statement for every length of list, built and parsed anew)."""
    from query_count import selects, statements
    from sqlalchemy import text

    with demo.db.engine.connect() as conn:
        villages = conn.execute(text("SELECT DISTINCT village_code FROM cases WHERE programme = 'dibao'")).scalars()
        found = sorted((b["households"], village, b["batch"]) for village in villages
                       for b in printer.posting_batches(village))
    (few, *shortest), (many, *longest) = found[0], found[-1]
    assert many > few, found
    sent = []
    for village, batch in (shortest, longest):
        printer.posting_list(village, batch)  # warm: the office's settings and fonts are read once
        with statements(demo.db.engine) as printing:
            printer.posting_list(village, batch)
        sent.append(selects(printing))
    assert sent[0] == sent[1]


def test_printing_a_list_runs_no_garbage_collection_and_leaves_the_collector_as_it_was(demo, printer):
    """No collection runs while a posted list is gathered and drawn, even with the collector set to
    run every 10 new objects (a full one would walk everything the process holds: printing/render.py
    gc_paused); afterwards the collector is on again, also when a print fails, and stays off
    for a caller who had turned it off."""
    import gc
    import sys

    view = first_case(demo, "posting")
    batch = printer.posting_batches(view["village"])[0]["batch"]
    printer.posting_list(view["village"], batch)  # warm: templates and fonts
    started: list[str] = []  # where a collection started inside the gathering or the drawing

    def seen(phase, info):
        frame = sys._getframe(1)
        while phase == "start" and frame is not None:
            if frame.f_code.co_name in ("_posting_data", "build_part", "_assemble"):
                started.append(frame.f_code.co_name)
                break
            frame = frame.f_back

    threshold = gc.get_threshold()
    gc.set_threshold(10, 1, 1)
    gc.callbacks.append(seen)
    try:
        printer.posting_list(view["village"], batch)
        inside = list(started)
        assert gc.isenabled()
        with pytest.raises(DomainError):
            printer.posting_list(view["village"], "2001-01-01")  # no such batch: refused inside the pause
        assert gc.isenabled()
        gc.disable()
        try:
            printer.posting_list(view["village"], batch)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    assert inside == [], inside


def test_a_posting_list_reads_no_events_changes_or_data_whole(demo, printer):
    """The events of a batch are read as the few values a row needs, taken out by the database's
    JSON functions: no statement returns an event's whole changes or data (a proposal's
    explanation, an investigation's forms) to be decoded in Python."""
    view = first_case(demo, "posting")
    read = posting_list_event_columns(demo, printer, view["village"])
    assert read, "the events were read"
    assert not [columns for columns in read if {"changes", "data"} & {c.lower() for c in columns}], read


def test_a_posting_event_keeps_what_it_posts(demo):
    """The 初审公示 event (post_notice) keeps in its data what the 公示名单 prints of the case: the
    初审意见's category and opinion and the proposal's amount, persons covered and eligibility."""
    view = first_case(demo, "posting")
    with demo.db.unit_of_work() as uow:
        case = uow.cases.get(view["id"])
        posting = [e for e in uow.events.list(case.id) if e.trigger == "post_notice"][-1]
    opinion = case.forms["preliminary_opinion"]
    assert posting.data["posted"] == {
        "category": opinion["category"], "opinion": opinion["opinion"], "amount": case.proposal["monthly_amount"],
        "covered": len(case.proposal["covered"]), "eligible": case.proposal["eligible"]}, posting.data
    assert posting.data["posted"]["covered"] >= 1 and posting.data["posted"]["amount"]


def test_a_posting_list_reads_each_posting_from_its_event_alone(demo, printer):
    """Postings that keep what they posted are printed from those events alone: no statement reads
    the changes of the cases' events (their history before the posting)."""
    from sqlalchemy import event

    view = first_case(demo, "posting")
    sent: list[str] = []

    def capture(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        sent.append(statement)

    event.listen(demo.db.engine, "before_cursor_execute", capture)
    try:
        pdf = printer.posting_list(view["village"])
    finally:
        event.remove(demo.db.engine, "before_cursor_execute", capture)
    assert "最低生活保障初审公示" in flat("".join(pages_text(pdf)))
    reads = [s for s in sent if "audit_events" in s]
    assert reads and not [s for s in reads if "changes" in s], reads


def test_postings_whose_events_do_not_keep_their_values_print_the_same_rows(demo, printer, monkeypatch):
    """A database written before posting events kept their values (an older version's) is read from
    the changes of each case's earlier events: every batch of every village gives the same rows
    and withheld values as from the events' own values."""
    from sqlalchemy import text

    from doudi_desk.storage.repo import CaseRepository

    with demo.db.engine.connect() as conn:
        villages = [v for (v,) in conn.execute(text(
            "SELECT DISTINCT c.village_code FROM cases c JOIN audit_events e ON e.case_id = c.id "
            "WHERE e.trigger = 'post_notice' AND c.programme = 'dibao' ORDER BY 1"))]
    batches = [(v, b["batch"]) for v in villages for b in printer.posting_batches(v)]

    def rows():
        with demo.db.unit_of_work() as uow:
            return {(v, b): printer._batch(uow, v, "dibao", b) for v, b in batches}

    kept = rows()
    events_on = CaseRepository.events_on

    def without_values(self, *args, data=None, **kwargs):
        return [(*r[:4], *[None] * len(data or {})) for r in events_on(self, *args, data=data, **kwargs)]

    monkeypatch.setattr(CaseRepository, "events_on", without_values)
    older = rows()
    assert older == kept
    printed = [row for found, _private in kept.values() for row in found]
    assert len(batches) >= 3 and len(printed) >= 5, batches
    assert {row.category for row in printed} >= {"新增"} and any(row.amount for row in printed), printed


def test_a_villages_paid_lists_are_gathered_in_the_same_few_queries_whatever_its_size(demo, printer):
    """长期公布名单 and 花名册 read the village's paid cases, the household each was last determined
    with and those households in the same few queries for the village with the most approved
    households as for the one with the fewest (no query per case)."""
    from query_count import selects, statements
    from sqlalchemy import text

    with demo.db.engine.connect() as conn:
        approved = conn.execute(text(
            "SELECT village_code, COUNT(*) FROM cases WHERE programme = 'dibao' AND kind = 'application' "
            "AND state = 'approved' GROUP BY village_code ORDER BY 2, 1")).all()
    (small, few), (big, many) = approved[0], approved[-1]
    assert many >= few + 2, approved
    counts = {}
    for village in (small, big):
        printer.publication_list(village)  # warm: the office's settings and fonts are read once
        with statements(demo.db.engine) as sent:
            printer.publication_list(village)
            printer.roster(village)
        counts[village] = len(selects(sent))
    assert counts[small] == counts[big] <= 30, counts


def test_batch_printing_of_several_villages(demo, printer):
    villages = ["139901101001", "139901101002", "139901101003"]
    pdf = printer.posting_lists(villages)
    pages = pages_text(pdf)
    titles = [name for name in ("东岗村", "西河村", "南坡村") if any(f"{name}最低生活保障初审公示" in flat(p) for p in pages)]
    assert titles == ["东岗村", "西河村", "南坡村"]
    assert sum("— 1 —" in p for p in pages) == 3  # each village's list is numbered from 1
    save_png(pdf, "posting_list_batch")


def test_publication_list_shows_name_size_amount_only(demo, printer):
    view = first_case(demo, "approved")
    pdf = printer.publication_list(view["village"])
    h = household_of(demo, view)
    text = check_pdf(pdf, "publication_list", ["公布名单", "户主姓名", "家庭人口", "保障金额（元/月）", view["household"]["head"],
                                               view["decision"]["monthly_amount"]])
    _posted_checks(demo, pdf, view["village"])
    assert h.address not in text or len(h.address) < 3
    for word in ("身份证", "残疾", "收入", "银行"):
        assert word not in text


def test_roster_of_a_township_is_internal(demo, printer):
    view = first_case(demo, "approved")
    h = household_of(demo, view)
    taoyuan = view["village"].startswith("139901101")  # each township's roster by its own clerk
    pdf = printer.roster("139901101" if taoyuan else "139901102", actor="zhangmin" if taoyuan else "zhouli")
    check_pdf(pdf, "roster", ["花名册", "内部资料", "严禁张贴", "公民身份号码", "发放银行及账号", h.head.name,
                              h.head.id_number, h.bank_account, "张敏" if taoyuan else "周丽"])


def test_case_file_has_every_document_in_order_numbered_through(demo, printer):
    view = first_case(demo, "approved")
    pdf = printer.case_file(view["id"])
    pages = pages_text(pdf)
    text = check_pdf(pdf, "case_file", ["案件档案", "目录", view["number"]])
    order = ["家庭经济状况核对授权书", "受理通知书", "入户调查表", "邻里访问记录", "初审公示", "审核审批表", "确认通知书"]
    body = flat("".join(pages[1:]))
    positions = [body.index(flat(t)) for t in order]
    assert positions == sorted(positions)
    for n in range(1, len(pages) + 1):
        assert f"— {n} —" in pages[n - 1]
    assert len(pages) >= len(order) + 1
    assert "受理通知书" in text


def test_documents_offered_at_each_step(demo, printer):
    view = first_case(demo, "posting")
    offered = printer.documents_for_case(view["id"])
    current = [d["kind"] for d in offered if d["current_step"]]
    assert current == ["posting_list"]
    by_kind = {d["kind"]: d for d in offered}
    assert by_kind["approval_form"]["available"]
    assert not by_kind["confirmation_notice"]["available"] and by_kind["confirmation_notice"]["reason"] == "尚未确认"
    approved = first_case(demo, "approved")
    assert [d["kind"] for d in printer.documents_for_case(approved["id"]) if d["current_step"]] == [
        "confirmation_notice", "certificate", "publication_list"]


def test_a_name_outside_the_font_is_a_clear_error(demo, printer):
    from doudi_desk.domain.ids import make_id
    from doudi_desk.services.cases import CaseService

    household = {"village": "139901101001", "members": [
        {"name": "\U00020BB7祥", "id_number": make_id("139901", dt.date(1970, 1, 1), 901), "relation": "head"}],
        "income": [], "assets": {"financial": "0", "homes": 1}}
    view = CaseService(demo).create_case(household, "dibao", "zhangmin", applied_on=TODAY)
    with pytest.raises(MissingGlyphError) as err:
        printer.case_document(view["id"], "authorization")
    assert "「\U00020BB7」（U+20BB7）" in err.value.message


def test_command_line_print(demo, tmp_path, capsys):
    from doudi_desk.cli import main

    url = str(demo.db.url.render_as_string(hide_password=False))
    view = first_case(demo, "approved")
    out = tmp_path / "notice.pdf"
    assert main(["--db", url, "print", "confirmation_notice", "--case", view["number"], "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "lists.pdf"
    assert main(["--db", url, "print", "posting_list", "--village", "139901101001", "--village", "139901101002",
                 "--out", str(out)]) == 0
    assert main(["--db", url, "print", "posting_list", "--village", "139901101001", "--batch", "2001-01-01",
                 "--out", str(out)]) == 2
    assert "没有 2001-01-01 开始的初审公示" in capsys.readouterr().err
    assert main(["--db", url, "print", "roster", "--case", view["number"], "--out", str(out)]) == 2
    assert main(["--db", url, "print", "nonsense", "--case", "1", "--out", str(out)]) == 2
    assert main(["--db", url, "office", "set", "--phone", "0311-1234 5678", "--as", "zhangmin"]) == 2
    assert re.search("不是系统管理员", capsys.readouterr().err)


def test_office_details_fall_back_to_area_names_and_can_be_set(office):
    from doudi_desk.domain.errors import InputError
    from doudi_desk.services.office import OfficeService

    service = OfficeService(office)
    d = service.details("130999101001")  # a village: its township's office
    assert (d["name"], d["seal_text"], d["county_office"], d["court"]) == (
        "河东镇人民政府", "河东镇人民政府", "测试县民政局", "测试县人民法院")
    service.set_details({"phone": "0311-1111 2222"}, actor="admin")
    service.set_details({"name": "河西乡人民政府民政办", "phone": "0311-3333 4444"}, "130999102")
    assert service.details("130999101")["phone"] == "0311-1111 2222"
    assert service.details("130999102")["name"] == "河西乡人民政府民政办"
    assert service.details("130999102")["phone"] == "0311-3333 4444"
    with pytest.raises(DomainError, match="不是系统管理员"):
        service.set_details({"phone": "1"}, actor="clerk")
    with pytest.raises(InputError, match="没有这一项"):
        service.set_details({"bank": "1"})
    with pytest.raises(InputError, match="不存在"):
        service.set_font("*", "/nowhere/simsun.ttc")


@pytest.mark.parametrize("amount, upper", [
    ("2792", "贰仟柒佰玖拾贰元整"), ("1005.5", "壹仟零伍元伍角"), ("100000", "壹拾万元整"),
    ("10010", "壹万零壹拾元整"), ("0.07", "柒分"), ("395", "叁佰玖拾伍元整"), ("1200.05", "壹仟贰佰元零伍分"),
])
def test_amount_in_capitals(amount, upper):
    from doudi_desk.services.printing import rmb_upper

    assert rmb_upper(amount) == upper


def test_every_offered_document_of_every_programme_prints(tmp_path):
    """The print tab offers a document only when it can be made: for every case of the demo with 特困,
    临时救助, 复核, 变更 and 停保, every document offered as available renders (or, for a case with nothing
    to print yet, is refused with a Chinese message) — no internal error."""
    from doudi_desk.services.printing import PrintService
    from doudi_desk.services.reports import list_cases
    from tests.helpers.demo import open_demo

    ctx = open_demo(tmp_path / "all.sqlite3", 40, with_other_programmes=True)
    printer = PrintService(ctx)
    printed, programmes, kinds = 0, set(), set()
    for row in list_cases(ctx, limit=None):
        for entry in printer.documents_for_case(row["id"]):
            if row["kind"] != "application" and entry["kind"] == "acceptance_notice":  # started by the office
                assert not entry["available"] and "依职权" in entry["reason"]
            if not entry["available"]:
                assert entry["reason"], entry
                continue
            try:
                pdf = printer.case_document(row["id"], entry["kind"])
            except DomainError as exc:  # e.g. a village list with nobody on it
                assert re.search(r"[\u4e00-\u9fff]", str(exc)), exc
                continue
            assert pdf.startswith(b"%PDF")
            printed += 1
            programmes.add(row["number"].split("-")[1])
            kinds.add(entry["kind"])
    assert {"DB", "TK", "LS"} <= programmes  # 低保, 特困, 临时救助 (and their 复核/变更/停保 cases)
    assert {"confirmation_notice", "approval_form", "case_file", "refusal_notice"} <= kinds
    assert printed > 100
    ctx.db.dispose()
