"""建立办公室 (the set-up page of an empty database) is one use case in one transaction:
AdminService.create_office (issue 12 item 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.domain.errors import InputError
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditService
from doudi_desk.services.context import open_context
from tests.helpers.office import TODAY, shipped_definitions

COUNTY, TOWN = ("130999", "测试县"), ("130999101", "河东镇")


@pytest.fixture
def empty(tmp_path):
    ctx = open_context(f"sqlite:///{tmp_path / 'new.sqlite3'}", definitions=shipped_definitions())
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 0)
    yield ctx
    ctx.db.dispose()


def test_a_refused_village_leaves_no_half_made_office(empty):
    villages = [("130999101001", "前进村"), ("130999101001", "红星村")]  # the second repeats a code
    with pytest.raises(InputError) as refused:
        AdminService(empty).create_office(COUNTY, TOWN, villages, ("admin", "刘管理"))
    assert "130999101001" in str(refused.value)
    with empty.db.unit_of_work() as uow:
        assert uow.areas.all() == [] and uow.users.all() == [] and uow.listing.policy_sets() == []
    assert AuditService(empty).verify()["events"] == 0
    # Corrected, the same set-up goes through: the office is there whole, its chain intact.
    AdminService(empty).create_office(COUNTY, TOWN, [("130999101001", "前进村"), ("130999101002", "红星村")],
                                      ("admin", "刘管理"))
    with empty.db.unit_of_work() as uow:
        assert [a.name for a in uow.areas.all()] == ["测试县", "河东镇", "前进村", "红星村"]
        assert uow.users.get("admin").roles == ("admin",)
        [policy] = uow.listing.policy_sets()
        assert policy["area"] == "130999" and policy["effective_from"] == dt.date(2026, 1, 1)
        assert policy["created_by"] == "admin"  # entered under the new administrator, as before
    check = AuditService(empty).verify()
    assert check["ok"] and check["events"] == 6  # 4 areas, the administrator, the parameter set
