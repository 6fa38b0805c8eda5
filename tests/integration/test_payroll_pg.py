"""Payrolls on a shared PostgreSQL server: two approvers of the same payroll at once — one wins, the
other is told and nothing of theirs is written; a line key paid once even when two PCs build.
Skipped unless ``DOUDI_TEST_PG_URL`` is set."""

from __future__ import annotations

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditService
from doudi_desk.services.payments import PaymentService
from tests.helpers.office import open_office
from tests.helpers.races import race, second_pc
from tests.payment_helpers import TOWN, gap_benefit, services, single_benefit
from tests.pg_support import fresh_database, requires_pg

pytestmark = requires_pg


@pytest.fixture
def pg():
    with fresh_database() as url:
        yield from open_office(url, url)


def test_two_approvers_at_once_one_wins_the_other_is_told(pg):
    from doudi_desk.services.payments import PayrollConflict

    AdminService(pg).add_user("approver2", "孙审批", ["county_approver"])
    svc, _life, pay, _bank = services(pg)
    gap_benefit(svc)
    single_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    pay.step(view["id"], "submit", "clerk")
    view = pay.step(view["id"], "review", "reviewer")
    other = second_pc(pg)
    try:
        mine, theirs = PaymentService(pg), PaymentService(other)
        results = race(lambda: mine.step(view["id"], "approve", "approver", expected_version=view["version"]),
                       lambda: theirs.step(view["id"], "approve", "approver2", expected_version=view["version"]))
    finally:
        other.db.dispose()
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], PayrollConflict) and "已由他人处理" in str(lost[0])
    final = pay.show(view["id"], "clerk")
    assert final["state"] == "approved" and final["version"] == view["version"] + 1
    assert final["people"]["approved_by"]["username"] == won[0]["people"]["approved_by"]["username"]
    approvals = [r for r in AuditService(pg).office_log(limit=50) if r["action"] == "payroll_approved"]
    assert len(approvals) == 1
    assert AuditService(pg).verify()["ok"]


def test_two_pcs_building_months_cannot_pay_a_line_twice(pg):
    """The live-line index is the last guard: a second live line for the same key is refused."""
    from sqlalchemy.exc import IntegrityError

    svc, _life, pay, _bank = services(pg)
    gap_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    with pg.db.unit_of_work() as uow:
        line = uow.payments.lines(view["id"], limit=1)[0]
    dup = {k: line[k] for k in line if k not in ("id", "payroll_id")} | {"seq": 2}
    with pytest.raises(IntegrityError), pg.db.unit_of_work() as uow:
        uow.payments.insert_lines(view["id"], [dup])
    held = dup | {"live": False, "state": "held"}
    with pg.db.unit_of_work() as uow:  # a held line with the same key is no payment: allowed
        uow.payments.insert_lines(view["id"], [held])
    with pytest.raises(DomainError):
        pay.step(view["id"], "review", "reviewer")
