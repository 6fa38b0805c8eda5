"""Hypothesis against the services' inputs: whatever a window, a CLI file or a script sends, the
service either does it or refuses with a Chinese message (a DomainError) — and a refusal writes
nothing: every row of every table is the same before and after. Any other exception is a bug.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi_desk.domain.errors import DomainError
from doudi_desk.services import accounts
from doudi_desk.services.accounts import AccountService
from doudi_desk.services.admin import AdminService
from doudi_desk.services.batch import BatchService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import CaseQuery, QueryService
from tests.helpers.dibao import APPLICATION, household, investigation, to_preliminary
from tests.helpers.office import dump_db

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
CHINESE = re.compile(r"[\u4e00-\u9fff]")

scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False)
           | st.text(max_size=30) | st.sampled_from(["", " ", "2026-10-10", "2026-13-40", "-1", "1e9", "0.001",
                                                     "130102197203150316", "applied", "approve", "dibao"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def mutated(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The valid dict with some keys replaced by garbage, dropped, or extra keys added."""
    keys = list(valid)
    return st.builds(
        lambda changes, drops, extra: {**{k: v for k, v in valid.items() if k not in drops}, **changes, **extra},
        st.dictionaries(st.sampled_from(keys), json_values, max_size=3),
        st.sets(st.sampled_from(keys), max_size=2),
        st.dictionaries(st.text(max_size=8), json_values, max_size=1),
    )


def refused_or_done(office, call) -> Any:
    """Run ``call``; a DomainError must carry a Chinese message and leave the database untouched."""
    before = dump_db(office.db_path)
    try:
        return call()
    except DomainError as exc:
        assert str(exc).strip() and CHINESE.search(str(exc)), repr(exc)
        assert dump_db(office.db_path) == before, f"refused ({exc}) but the database changed"
        return exc


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@FUZZ
@given(data=mutated(household(bank_name="县农村信用社", bank_account="6230 5801 0011 2233 445")), programme=st.sampled_from(["dibao", "tekun", "temporary", "other", ""]),
       actor=st.sampled_from(["clerk", "approver", "nobody", ""]), applied=json_values)
def test_create_case(office, data, programme, actor, applied):
    svc = CaseService(office)
    applied_on = applied if isinstance(applied, str) else None
    refused_or_done(office, lambda: svc.create_case(data, programme, actor, applied_on=applied_on,
                                                    allow_duplicate=True, comment="重复测试"))


@FUZZ
@given(trigger=st.sampled_from(["accept", "start_investigation", "complete_investigation", "post_notice", "approve",
                                "withdraw", "", "nope"]),
       actor=st.sampled_from(["clerk", "reviewer", "approver", "admin", "nobody"]),
       data=st.one_of(json_values, st.just(investigation()), mutated(investigation()), st.just(APPLICATION)),
       when=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 1)).map(str), st.text(max_size=12)),
       comment=st.text(max_size=20), version=st.one_of(st.none(), st.integers(-2, 12)))
def test_advance(office, trigger, actor, data, when, comment, version):
    svc = CaseService(office)
    if not hasattr(office, "fuzz_case"):
        office.fuzz_case = svc.create_case(household(), "dibao", "clerk", applied_on="2026-10-09")["id"]
        svc.advance(office.fuzz_case, "accept", "clerk", data=APPLICATION, effective_date="2026-10-10")
    refused_or_done(office, lambda: svc.advance(office.fuzz_case, trigger, actor, data=data, effective_date=when,
                                                comment=comment, expected_version=version))


def test_save_forms_with_data_that_is_not_an_object(office):
    svc = CaseService(office)
    cid = to_preliminary(svc)["id"]
    for data in (True, 5, "text", ["home_visit"]):
        refused_or_done(office, lambda data=data: svc.save_forms(cid, "reviewer", data, effective_date="2026-10-14"))


@FUZZ
@given(data=st.one_of(st.dictionaries(st.text(max_size=12), json_values, max_size=3), st.dictionaries(st.sampled_from(["home_visit", "verification",
                                                                     "neighbour_visit", "approval"]),
                                                    json_values, max_size=3)),
       actor=st.sampled_from(["clerk", "reviewer", "approver", "nobody"]))
def test_save_forms(office, data, actor):
    svc = CaseService(office)
    if not hasattr(office, "fuzz_case"):
        office.fuzz_case = to_preliminary(svc)["id"]
    refused_or_done(office, lambda: svc.save_forms(office.fuzz_case, actor, data, effective_date="2026-10-14"))


@FUZZ
@given(username=json_values, full_name=json_values, roles=json_values, area=json_values,
       active=json_values, password=json_values, actor=st.sampled_from([None, "admin", "clerk", "nobody"]))
def test_user_administration(office, username, full_name, roles, area, active, password, actor):
    admin = AdminService(office)
    u = username if isinstance(username, str) else "fuzz"
    refused_or_done(office, lambda: admin.add_user(username, full_name, roles, area, actor=actor))
    refused_or_done(office, lambda: admin.update_user(u, full_name, roles, area, active, actor=actor))
    refused_or_done(office, lambda: admin.set_password(u, password, actor=actor))


@FUZZ
@given(username=json_values, password=json_values)
def test_log_in(office, username, password):
    acc = AccountService(office)
    before = {k: v for k, v in dump_db(office.db_path).items() if k not in ("audit_events", "audit_chain", "users")}
    try:
        acc.log_in(username, password)
    except DomainError as exc:
        assert CHINESE.search(str(exc))
    # A failed log-in writes only its audit event and the failure count, nothing else.
    after = {k: v for k, v in dump_db(office.db_path).items() if k not in ("audit_events", "audit_chain", "users")}
    assert after == before


@FUZZ
@given(items=st.lists(st.one_of(json_values, st.fixed_dictionaries({"id": json_values}),
                                st.fixed_dictionaries({"id": st.integers(-3, 5), "version": json_values})),
                      max_size=4),
       action=st.sampled_from(["approve", "return", "delete", ""]), reason=st.text(max_size=10))
def test_batch(office, items, action, reason):
    result = refused_or_done(office, lambda: BatchService(office).run(items, action, "approver", reason=reason))
    if isinstance(result, dict):
        assert not result["done"]  # nothing here is waiting for approval
        assert all(CHINESE.search(f["message"]) for f in result["failed"]), result


@FUZZ
@given(search=st.text(max_size=20), tab=st.text(max_size=8), sort=st.text(max_size=8),
       state=st.one_of(st.none(), st.text(max_size=8)))
def test_case_list_queries(office, search, tab, sort, state):
    q = QueryService(office)
    ids = refused_or_done(office, lambda: q.case_ids("clerk", CaseQuery(tab=tab, search=search, sort=sort,
                                                                          state=state)))
    if isinstance(ids, list):
        refused_or_done(office, lambda: q.case_rows(ids, "clerk"))
