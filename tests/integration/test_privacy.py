"""Privacy: ID numbers masked in lists and views unless the role needs them; other townships'
families out of sight; exports with ID numbers logged in the audit trail."""

from __future__ import annotations

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.domain.privacy import mask_bank_account, mask_id_number, sees_full_ids
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import CaseQuery, QueryService
from tests.helpers.dibao import APPLICATION, POSTING, day, household, to_posting

HEAD_ID = "130102197203150316"


def test_masks():
    assert mask_id_number(HEAD_ID) == "130102********0316"
    assert mask_id_number("13010219720315031") == "130102*******5031"
    assert mask_id_number("1234567") == "*****67" and mask_id_number("") == ""
    assert mask_bank_account("6222 0202 0011 2233 445") == "***************3445"
    assert sees_full_ids(["caseworker"]) and sees_full_ids(["township_reviewer", "admin"])
    assert not sees_full_ids(["county_approver"]) and not sees_full_ids(["admin"])


def test_lists_mask_ids_unless_the_role_needs_them(office):
    view = CaseService(office).create_case(household(), "dibao", "clerk", applied_on=day(0))
    q = QueryService(office)
    shown = {who: q.case_rows([view["id"]], who)[0]["head_id_number"]
             for who in ("clerk", "reviewer", "approver", "admin")}
    assert shown == {"clerk": HEAD_ID, "reviewer": HEAD_ID, "approver": "130102********0316",
                     "admin": "130102********0316"}
    assert q.case_rows([view["id"]])[0]["head_id_number"] == "130102********0316"  # no user: masked
    # Searching by the full number still finds the case for everyone.
    assert q.case_ids("approver", CaseQuery(search=HEAD_ID)) == [view["id"]]


def test_household_view_masks_members_for_the_county_and_admin(office):
    view = CaseService(office).create_case(household(), "dibao", "clerk", applied_on=day(0))
    q = QueryService(office)
    full = q.household_of_case(view["id"], "clerk")["members"][0]["id_number"]
    masked = q.household_of_case(view["id"], "approver")["members"][0]["id_number"]
    assert full == HEAD_ID and masked == "130102********0316"


def test_supervisor_queue_is_masked_for_the_county(office):
    svc = CaseService(office)
    view = to_posting(svc)
    svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    row = QueryService(office).supervisor_queue("approver")[0]
    assert row["head_id_number"] == "130102********0316"


def test_other_townships_cases_are_out_of_sight(office):
    AdminService(office).add_user("hexi", "河西经办", ["caseworker"], "130999102")
    view = CaseService(office).create_case(household(), "dibao", "clerk", applied_on=day(0))  # 河东镇 前进村
    q = QueryService(office)
    assert q.case_ids("hexi", CaseQuery()) == []
    assert q.case_rows([view["id"]], "hexi") == []
    with pytest.raises(DomainError, match="本辖区"):
        q.household_of_case(view["id"], "hexi")
    with pytest.raises(DomainError, match="本辖区"):
        q.preview_triggers(view["id"], "hexi", {})


def test_batch_refuses_cases_outside_the_supervisors_area(office):
    from doudi_desk.services.batch import BatchService

    AdminService(office).add_user("hexi_approver", "河西审批", ["county_approver"], "130999102")
    svc = CaseService(office)
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    result = BatchService(office).run([{"id": view["id"], "version": view["version"]}], "approve", "hexi_approver")
    assert not result["done"] and "辖区" in result["failed"][0]["message"]
    assert svc.show(view["id"])["state"] == "county_review"


def test_exports_with_id_numbers_are_logged(office):
    from doudi_desk.services.printing import PrintService

    svc = CaseService(office)
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    svc.advance(view["id"], "approve", "approver", effective_date=day(13))
    printing = PrintService(office)
    printing.roster("130999101001", actor="clerk")
    printing.case_document(view["id"], "home_visit_form", actor="clerk")
    printing.case_document(view["id"], "acceptance_notice", actor="clerk")  # no ID numbers: not an export
    printing.case_file(view["id"], actor="reviewer")
    log = AuditService(office).office_log(actions=["export"])
    assert [(e["actor"], e["subject"]) for e in reversed(log)] == [
        ("clerk", "前进村花名册"), ("clerk", f"入户调查表（{view['number']}）"),
        ("reviewer", f"案件档案（{view['number']}）")]
    assert all(e["data"]["fields"] == ["公民身份号码"] for e in log)
    assert AuditService(office).verify()["ok"]


def test_every_case_action_is_refused_outside_the_users_township(office):
    """Services, not only lists, keep a township's staff to their own families: every action on
    another township's case is refused with 辖区 in the message and writes nothing."""
    from doudi_desk.services.lifecycle import LifecycleService
    from doudi_desk.services.printing import PrintService
    from tests.helpers.office import dump_db

    admin = AdminService(office)
    admin.add_user("hexi", "河西经办", ["caseworker", "township_reviewer"], "130999102")
    admin.add_user("hexi_village", "红星村专干", ["caseworker"], "130999102001")
    admin.add_user("county", "县审批", ["county_approver"], "130999")
    svc = CaseService(office)
    approved = to_posting(svc)  # 河东镇 前进村
    approved = svc.advance(approved["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    approved = svc.advance(approved["id"], "approve", "county", effective_date=day(13))  # a county user may
    assert approved["state"] == "approved"
    open_case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0), allow_duplicate=True,
                                comment="测试重复")
    life, printing = LifecycleService(svc), PrintService(office)
    before = dump_db(office.db_path)
    attempts = {
        "show": lambda who: svc.show(open_case["id"], who),
        "advance": lambda who: svc.advance(open_case["id"], "accept", who, effective_date=day(1)),
        "save_forms": lambda who: svc.save_forms(open_case["id"], who, {"application": {"reason": "生活困难"}}),
        "update_household": lambda who: svc.update_household(open_case["id"], who, household()),
        "extend_deadline": lambda who: svc.extend_deadline(open_case["id"], who, "hard_investigation"),
        "create_case": lambda who: svc.create_case(household(), "dibao", who, applied_on=day(0),
                                                   allow_duplicate=True, comment="测试"),
        "start_review": lambda who: life.start_review(approved["id"], who),
        "start_termination": lambda who: life.start_termination(approved["id"], who, "voluntary", "本人申请退出"),
        "print_case_document": lambda who: printing.case_document(approved["id"], "home_visit_form", who),
        "print_case_file": lambda who: printing.case_file(approved["id"], who),
        "print_roster": lambda who: printing.roster("130999101", actor=who),
    }
    refused = 0
    for who in ("hexi", "hexi_village"):
        for name, attempt in attempts.items():
            with pytest.raises(DomainError, match="辖区") as err:
                attempt(who)
            assert "河西" in str(err.value) or "红星村" in str(err.value), (name, str(err.value))
            refused += 1
    assert dump_db(office.db_path) == before
    # A village officer is kept to the village: the township's roster is refused, the village's printed.
    with pytest.raises(DomainError, match="辖区"):
        printing.roster("130999102", actor="hexi_village")
    # The same actions inside the user's own township work.
    mine = svc.create_case(household(village="130999102001"), "dibao", "hexi", applied_on=day(0),
                           allow_duplicate=True, comment="测试")
    assert svc.advance(mine["id"], "accept", "hexi", data=APPLICATION, effective_date=day(1))["state"] == "accepted"
    assert svc.show(mine["id"], "hexi_village")["number"] == mine["number"]
    assert refused == 2 * len(attempts)


@pytest.mark.parametrize("raw, stored", [("6230 5801 0011 2233 445", "6230580100112233445"),
                                         ("6230-5801-0011", "623058010011"), ("", ""), (None, "")])
def test_bank_account_is_kept_as_digits(raw, stored):
    from doudi_desk.domain.household import household_to_dict, parse_household

    h = parse_household(household(bank_name="县农村信用社", bank_account=raw))
    assert h.bank_account == stored
    assert household_to_dict(h).get("bank_account", "") == stored


@pytest.mark.parametrize("raw", ["12345", "6230 5801 0011 2233 4455 6677 8899 0123", "6230５８01001122", "账号6230580100",
                                 12345678901])
def test_bad_bank_account_is_refused_by_name(raw):
    from doudi_desk.domain.errors import InputError
    from doudi_desk.domain.household import parse_household

    with pytest.raises(InputError, match="household.bank_account: 银行账号应为"):
        parse_household(household(bank_account=raw))


def test_bank_account_masked_unless_the_role_needs_it_and_logged_when_printed(office):
    from doudi_desk.services.printing import PrintService
    from tests.helpers.dibao import OPINION, investigation
    from tests.printing_helpers import flat, pages_text

    svc = CaseService(office)
    view = svc.create_case(household(bank_name="县农村信用社", bank_account="6230 5801 0011 2233 445"), "dibao",
                           "clerk", applied_on=day(0))
    cid = view["id"]
    for trigger, actor, data, n in (("accept", "clerk", APPLICATION, 1), ("start_investigation", "clerk", None, 2),
                                    ("complete_investigation", "clerk", investigation(), 4),
                                    ("post_notice", "reviewer", OPINION, 5), ("submit_to_county", "reviewer", POSTING, 12),
                                    ("approve", "approver", None, 13)):
        view = svc.advance(cid, trigger, actor, data=data, effective_date=day(n))
    assert view["state"] == "approved"
    q = QueryService(office)
    seen = {who: q.household_of_case(cid, who)["bank_account"] for who in ("clerk", "reviewer", "approver", "admin")}
    assert seen == {"clerk": "6230580100112233445", "reviewer": "6230580100112233445",
                    "approver": "***************3445", "admin": "***************3445"}
    assert q.household_of_case(cid)["bank_account"] == "***************3445"
    assert q.household_of_case(cid, "approver")["bank_name"] == "县农村信用社"
    # The 花名册 (internal, the payment list) carries it, and its export names both kinds of data.
    text = flat("".join(pages_text(PrintService(office).roster("130999101001", actor="clerk"))))
    assert "县农村信用社" in text and "6230580100112233445" in text
    export = AuditService(office).office_log(actions=["export"], limit=1)[0]
    assert export["data"]["fields"] == ["公民身份号码", "银行账号"]
