"""Maker-checker (payments.md §2) and bank files (§3): refusals change nothing, the file's count and
total are the approved payroll's, a result file that does not match is refused whole, failed lines
are paid later as 补发 once the account is fixed; 价格临时补贴 in triggered months only (§5)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from doudi_desk.domain.errors import DomainError
from tests.helpers.office import dump_db
from tests.payment_helpers import TOWN, gap_benefit, lines, pay_month, services, single_benefit


@pytest.fixture
def s(office):
    return services(office)


def audit_ok(office) -> None:
    from doudi_desk.services.audit import AuditService

    result = AuditService(office).verify()
    assert result["ok"], result["message"]


def test_each_step_is_an_audit_event_and_the_cycle_ends_closed(s, office):
    svc, _life, pay, bank = s
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    for step, who in (("submit", "clerk"), ("review", "reviewer"), ("approve", "approver")):
        view = pay.step(view["id"], step, who)
    assert view["state_label"] == "已审批" and view["digest"] and view["frozen"]
    out = bank.export(view["id"], "clerk", "generic_xlsx")
    result = bank.sample_result(view["id"], "generic_xlsx")
    bank.import_result(view["id"], "reviewer", "generic_xlsx", result, "回盘.xlsx")
    view = pay.step(view["id"], "close", "reviewer")
    assert view["state_label"] == "已结账"
    from doudi_desk.services.audit import AuditService

    log = AuditService(office).office_log(limit=20)
    actions = [r["action"] for r in reversed(log) if r["action"].startswith("payroll_") or r["action"] == "export"]
    assert actions == ["payroll_built", "payroll_submitted", "payroll_reviewed", "payroll_approved", "export",
                       "payroll_exported", "payroll_results", "payroll_closed"]
    assert out["file_name"] in next(r["comment"] for r in log if r["action"] == "export")
    audit_ok(office)
    assert [r[5] for r in lines(pay, view["id"])] == ["paid"]


@pytest.mark.parametrize("action,actor,message", [
    ("review", "clerk", "无权审核通过"),            # wrong role
    ("approve", "reviewer", "不能审批"),             # wrong state (still 待审核) comes first
    ("close", "reviewer", "不能结账"),               # wrong state
    ("submit", "approver", "不能提交审核"),          # wrong state
])
def test_refusals_change_nothing(s, office, action, actor, message):
    svc, _life, pay, _bank = s
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    view = pay.step(view["id"], "submit", "clerk")
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match=message):
        pay.step(view["id"], action, actor)
    assert dump_db(office.db_path) == before


def test_builder_can_neither_review_nor_approve_and_reviewer_cannot_approve(s, office):
    from doudi_desk.services.admin import AdminService

    svc, _life, pay, bank = s
    admin = AdminService(office)
    admin.add_user("allround", "全能", ["caseworker", "township_reviewer", "county_approver"])
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "allround", since="2026-06")
    pay.step(view["id"], "submit", "allround")
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="编制了本发放名册，不能审核"):
        pay.step(view["id"], "review", "allround")
    assert dump_db(office.db_path) == before
    pay.step(view["id"], "review", "reviewer")
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="编制了本发放名册，不能审批"):
        pay.step(view["id"], "approve", "allround")
    with pytest.raises(DomainError, match="已审核本发放名册，不能再审批"):
        admin.update_user("reviewer", roles=["township_reviewer", "county_approver"])
        pay.step(view["id"], "approve", "reviewer")
    with pytest.raises(DomainError, match="无权生成银行代发文件|不能生成银行代发文件"):
        bank.export(view["id"], "clerk", "generic_xlsx")  # not approved yet
    admin.update_user("reviewer", roles=["township_reviewer"])
    pay.step(view["id"], "approve", "approver")


def test_return_needs_a_reason_and_goes_back_to_the_builder(s):
    svc, _life, pay, _bank = s
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    pay.step(view["id"], "submit", "clerk")
    with pytest.raises(DomainError, match="退回须写明理由"):
        pay.step(view["id"], "return", "reviewer")
    view = pay.step(view["id"], "return", "reviewer", comment="账号待核实")
    assert view["state"] == "draft" and view["people"]["submitted_by"]["username"] is None
    pay.build(TOWN, "dibao", "2026-06", "clerk")  # rebuilt after the return


def test_a_stale_step_is_told_not_applied(s, office):
    svc, _life, pay, _bank = s
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    old = view["version"]
    pay.step(view["id"], "submit", "clerk", expected_version=old)
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="已由他人处理"):
        pay.step(view["id"], "submit", "clerk", expected_version=old)
    assert dump_db(office.db_path) == before


def _pay_two(s):
    svc, _life, pay, bank = s
    gap_benefit(svc)
    single_benefit(svc)
    return pay_month(pay, "2026-06", since="2026-06")


@pytest.mark.parametrize("layout", ["generic_xlsx", "gbk_txt", "generic_csv"])
def test_bank_file_count_and_total_are_the_approved_payrolls(s, layout):
    _svc, _life, pay, bank = s
    view = _pay_two(s)
    out = bank.export(view["id"], "clerk", layout)
    expected_total = sum(Decimal(r[3]) for r in lines(pay, view["id"]))
    assert (out["count"], Decimal(out["total"])) == (2, expected_total) == (view["count"], Decimal(view["total"]))
    from doudi_desk.exchange import load_layouts, read_result
    from doudi_desk.services.bank_io import shipped_formats

    fmt = load_layouts([shipped_formats()])[layout]
    # Read back as the bank would: the same layout plus status columns (none yet: the reader skips them).
    if layout == "generic_xlsx":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_filelike(io.BytesIO(out["data"])).get_sheet_by_index(0).to_python()
        assert rows[0][:4] == ["单位", "河东镇", "发放月份", "2026-06"]
        assert rows[1][1] == "2" and Decimal(repr(rows[1][3])) == expected_total
        assert rows[2] == ["序号", "姓名", "身份证号", "账号", "金额", "摘要"]
        assert [r[3] for r in rows[3:]] == ["6230580112345678", "6221880100123456789"]  # every digit kept
        assert sum(Decimal(repr(r[4])) for r in rows[3:]) == expected_total
    elif layout == "gbk_txt":
        text = out["data"].decode("gbk").split("\r\n")
        assert text[0][9:17] == "00000002" and Decimal(text[0][17:32]) / 100 == expected_total
        assert text[-2].startswith("T00000002") and all(len(x.encode("gbk")) == 116 for x in text[1:3])
    else:
        text = out["data"].decode("gbk").splitlines()
        assert text[-1].split(",")[1] == "2" and Decimal(text[-1].split(",")[3]) == expected_total
    assert fmt.id == layout
    result = bank.sample_result(view["id"], layout)
    parsed = read_result(fmt, result)
    assert len(parsed.rows) == 2


def test_result_with_one_failure_and_one_mismatch_is_refused_whole_then_the_failure_is_paid_later(s, office):
    from doudi_desk.services.bank_io import ResultRefused
    from doudi_desk.services.payment_accounts import PaymentAccountService

    svc, _life, pay, bank = s
    view = _pay_two(s)
    bank.export(view["id"], "clerk", "gbk_txt")
    rows = pay.lines(view["id"], "clerk")["rows"]
    failing = next(r for r in rows if r["payee"] == "赵德明")
    good = bank.sample_result(view["id"], "gbk_txt", {failing["seq"]: "户名与账号不符"})
    other = next(r for r in rows if r["payee"] == "王建国")
    cents = f"{int(Decimal(other['amount']) * 100):012d}".encode()
    wrong = good.replace(cents, f"{int(Decimal(other['amount']) * 100) + 100:012d}".encode())  # one line 1 yuan more
    assert wrong != good
    before = dump_db(office.db_path)
    with pytest.raises(ResultRefused) as refused:
        bank.import_result(view["id"], "clerk", "gbk_txt", wrong, "回盘.txt")
    assert any(f"序号{other['seq']}（王建国）的金额" in p and "不符" in p for p in refused.value.problems)
    assert dump_db(office.db_path) == before
    # An account the payroll never sent.
    unknown = good.replace(b"6230580112345678", b"6230580199999999")
    with pytest.raises(ResultRefused, match="账号6230580199999999与发放名册的6230580112345678不符"):
        bank.import_result(view["id"], "clerk", "gbk_txt", unknown, "回盘.txt")
    assert dump_db(office.db_path) == before
    summary = bank.import_result(view["id"], "clerk", "gbk_txt", good, "回盘.txt")
    assert (summary["paid"], summary["failed"]) == (1, 1)
    states = {r["payee"]: (r["state"], r["reason"]) for r in pay.lines(view["id"], "clerk")["rows"]}
    assert states == {"王建国": ("paid", ""), "赵德明": ("failed", "户名与账号不符")}
    pay.step(view["id"], "close", "reviewer")
    july = pay_month(pay, "2026-07")  # same account: the failed June is held, with the bank's reason
    held = [r for r in lines(pay, july["id"]) if r[0] == "赵德明"]
    assert [(r[2], r[4], r[5]) for r in held] == [("2026-06", "back_pay", "held"), ("2026-07", "regular", "pending")]
    assert "上次发放失败（户名与账号不符），账户尚未更正" in held[0][6]
    case_id = failing["case_id"]
    PaymentAccountService(office).set_account(case_id, "clerk", "中国邮政储蓄银行", "6221880100987654321", "银行退回：户名不符")
    aug = pay_month(pay, "2026-08")
    mine = [(r[2], r[4], r[5]) for r in lines(pay, aug["id"]) if r[0] == "赵德明"]
    assert mine == [("2026-06", "back_pay", "pending"), ("2026-08", "regular", "pending")]
    audit_ok(office)


def test_price_subsidy_only_in_triggered_months(s, office):
    from doudi_desk.services.price_indices import PriceIndexService

    svc, _life, pay, bank = s
    gap_benefit(svc)  # 4 persons covered
    single_benefit(svc)  # 1 person covered (赵晨)
    prices = PriceIndexService(office)
    with pytest.raises(DomainError, match="须由系统管理员录入"):
        prices.set("130999", "2026-06", "3.8", "4.1", actor="clerk")
    june = prices.set("130999", "2026-06", "3.8", "4.1", actor="admin")
    assert (june["triggered"], june["per_person"]) == (True, "27")  # 720 × 3.8 % = 27.36 → 27
    july = prices.set("130999", "2026-07", "3.4", "5.9", actor="admin")
    assert (july["triggered"], july["per_person"]) == (False, "0")
    view = pay_month(pay, "2026-06", since="2026-06", group="price_subsidy")
    got = {(r[0], r[3]) for r in lines(pay, view["id"])}
    assert got == {("王建国", "108.00"), ("赵德明", "27.00")}  # 27 × 4 and 27 × 1
    with pytest.raises(DomainError, match="没有应发的价格临时补贴"):
        pay.build(TOWN, "price_subsidy", "2026-07", "clerk")
    with pytest.raises(DomainError, match="已按原指数审批发放"):
        prices.set("130999", "2026-06", "4.0", "4.1", actor="admin")
    # A township's own figure overrides the county's for its villages.
    prices.set("130999101", "2026-08", "6.0", "1.0", actor="admin")
    prices.set("130999", "2026-08", "1.0", "1.0", actor="admin")
    aug = pay_month(pay, "2026-08", group="price_subsidy")
    assert {(r[0], r[3]) for r in lines(pay, aug["id"])} == {("王建国", "172.00"), ("赵德明", "43.00")}  # 43.2 → 43


def test_price_subsidy_counts_a_person_once(s, office):
    """A person covered by 特困 and by a 低保 household gets one share (policy.md §11)."""
    from doudi_desk.services.price_indices import PriceIndexService
    from tests.helpers.lifecycle import TEKUN, day

    svc, _life, pay, _bank = s
    gap_benefit(svc)
    # 王老汉 of the 低保 household also covered by 特困 (a data situation the rule must survive).
    tekun = dict(TEKUN, members=[{"name": "王老汉", "id_number": "130102195001090176", "relation": "head"}],
                 bank_name="信用社", bank_account="6230580100000001")
    case = svc.create_case(tekun, "tekun", "clerk", applied_on=day(0), allow_duplicate=True, comment="测试")
    cid = case["id"]
    from tests.helpers.lifecycle import INVESTIGATION

    svc.advance(cid, "accept", "clerk", effective_date=day(0), data={"tekun_application": {
        "apply_date": day(0), "channel": "self", "reason": "孤老", "no_able_supporter": True,
        "supporter_unable_reason": "none_exists", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(2), data=INVESTIGATION | {
        "self_care": {k: "managed" for k in ("eating", "dressing", "transfer", "toileting", "walking", "bathing")}
        | {"assessed_on": day(2), "assessor": "县福利中心"}, "supply_arrangement": {"mode": "centralised",
                                                                                 "institution": "县敬老院"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(10),
                data={"posting": {"start_date": day(3), "place": "公开栏"}})
    svc.advance(cid, "approve", "approver", effective_date=day(11))
    PriceIndexService(office).set("130999", "2026-06", "3.8", "4.1", actor="admin")
    view = pay_month(pay, "2026-06", since="2026-06", group="price_subsidy")
    got = {(r[0], r[3]) for r in lines(pay, view["id"])}
    assert got == {("王建国", "108.00")}  # 王老汉's share is in the household's line, not twice
    assert view["total"] == "108.00"



def test_price_subsidy_for_edge_families_only_where_the_policy_includes_them(s, office):
    """policy.md §11: where price_include_edge, every counted member of a 低保边缘 family."""
    import datetime as dt

    from doudi_desk.services.admin import AdminService, default_policy
    from doudi_desk.services.price_indices import PriceIndexService

    svc, _life, pay, _bank = s
    gap_benefit(svc)
    edge = {"village": "130999101001", "bank_name": "信用社", "bank_account": "6230580100000077",
            "members": [{"name": "钱进", "id_number": "130102197001010016", "relation": "head"},
                        {"name": "钱妻", "id_number": "130102197201010029", "relation": "spouse"}],
            "income": [{"type": "wage", "amount": "24000", "member": 0}],  # 900 a head a month: 720 ≤ 900 < 1080
            "assets": {"financial": "1000", "homes": 1}}
    svc.create_case(edge, "dibao", "clerk", applied_on="2026-05-11")
    PriceIndexService(office).set("130999", "2026-06", "3.8", "4.1", actor="admin")
    view = pay_month(pay, "2026-06", since="2026-06", group="price_subsidy")
    assert {(r[0], r[3]) for r in lines(pay, view["id"])} == {("王建国", "108.00")}  # not included: only 低保
    AdminService(office).set_policy("130999101", dt.date(2026, 6, 1), default_policy() | {"price_include_edge": True})
    PriceIndexService(office).set("130999", "2026-07", "3.8", "4.1", actor="admin")
    view = pay_month(pay, "2026-07", group="price_subsidy")
    assert {(r[0], r[3]) for r in lines(pay, view["id"])} == {("王建国", "108.00"), ("钱进", "54.00")}


def test_area_scope_and_the_delegated_township(s, office):
    """A township's staff reach their own township's payrolls only; where the county has delegated
    (河西乡 in the test office), the township reviewer approves — never the one who reviewed."""
    from doudi_desk.services.admin import AdminService

    svc, _life, pay, _bank = s
    admin = AdminService(office)
    admin.add_user("west", "西乡经办", ["caseworker"], "130999102")
    admin.add_user("westrev", "西乡审核", ["township_reviewer"], "130999102")
    admin.add_user("westrev2", "西乡审核二", ["township_reviewer"], "130999102")
    gap_benefit(svc)
    with pytest.raises(DomainError, match="河东镇不在用户 西乡经办 的辖区内"):
        pay.build(TOWN, "dibao", "2026-06", "west", since="2026-06")
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    with pytest.raises(DomainError, match="不在用户 西乡审核 的辖区内"):
        pay.show(view["id"], "westrev")
    assert [p["code"] for p in pay.areas_for("west")] == ["130999102"]
    assert [p["code"] for p in pay.areas_for("clerk")] == ["130999101", "130999102", "130999"]
    # The approval rule of a delegated township, on a payroll of 河西乡 as the service sees it.
    with office.db.unit_of_work() as uow:
        payroll = {"area_code": "130999102", "state": "reviewed", "built_by": "west", "reviewed_by": "westrev"}
        user = uow.users.get
        assert pay.refusal(uow, user("westrev2"), payroll, "approve") is None
        assert "已审核本发放名册" in pay.refusal(uow, user("westrev"), payroll, "approve")
        assert pay.refusal(uow, user("approver"), payroll, "approve") is None
        here = dict(payroll, area_code=TOWN)  # 河东镇 is not delegated: the county approves
        assert "须由县级审批人办理" in pay.refusal(uow, user("westrev2"), here, "approve")
