"""Property tests (hypothesis) for the policy arithmetic of policy.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from doudi_desk.domain import ids
from doudi_desk.domain.calc import decide
from doudi_desk.domain.model import Assets, Disability, Household, IncomeItem, Member, RigidExpense
from doudi_desk.domain.policy import PolicyParams

ON = dt.date(2026, 11, 23)
COUNTED = ["wage", "business", "farming", "property", "transfer", "other"]
money = st.integers(min_value=0, max_value=60_000).map(Decimal)


@st.composite
def members(draw, n):
    out = []
    for i in range(n):
        age = draw(st.integers(min_value=0, max_value=95))
        born = dt.date(ON.year - age - 1, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        disability = draw(st.none() | st.builds(
            Disability, st.sampled_from(["physical", "visual", "hearing", "speech", "intellectual", "mental",
                                         "multiple"]), st.integers(1, 4)))
        out.append(Member(
            name=f"成员{i}", id_number=ids.make_id("130102", born, 100 + i), relation="head" if i == 0 else "other",
            excluded=draw(st.sampled_from([None, None, None, "prison"])) if i else None,
            disability=disability, serious_illness=draw(st.booleans()),
        ))
    return out


@st.composite
def households(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    ms = draw(members(n))
    member_ref = st.none() | st.integers(min_value=0, max_value=n - 1)
    income = draw(st.lists(st.builds(IncomeItem, st.sampled_from(COUNTED + ["basic_pension", "award"]), money,
                                     member_ref), max_size=5))
    rigid = draw(st.lists(st.builds(RigidExpense, st.sampled_from(["medical", "education"]), money, member_ref),
                          max_size=2))
    assets = Assets(financial=draw(st.integers(0, 40_000).map(Decimal)), homes=1)
    return Household(members=ms, income=income, rigid_expenses=rigid, assets=assets)


policies = st.builds(
    PolicyParams,
    dibao_standard_monthly=st.integers(300, 1500).map(Decimal),
    job_cost_rate=st.sampled_from([Decimal("0"), Decimal("0.10"), Decimal("0.2")]),
    min_per_person=st.sampled_from([Decimal("0"), Decimal("50"), Decimal("150")]),
    rounding=st.sampled_from(["half_up", "up"]),
)


@settings(max_examples=150, deadline=None)
@given(households(), policies, st.sampled_from(["dibao", "tekun"]))
def test_amount_never_negative_and_zero_when_ineligible(h, p, programme):
    if programme == "tekun":
        h.members[0].applicant = True
    d = decide(programme, h, p, ON)
    assert d.monthly_amount >= 0
    assert d.per_capita_monthly >= 0
    if not d.eligible:
        assert d.monthly_amount == 0 and d.covered == [] and d.failed
    else:
        assert d.failed == []
    assert d.explanation and all(isinstance(x, str) and x for x in d.explanation)


@settings(max_examples=150, deadline=None)
@given(households(), policies)
def test_topups_never_add_up_per_person(h, p):
    d = decide("dibao", h, p, ON)
    per_member = [t.member for t in d.topups]
    assert len(per_member) == len(set(per_member)), "one top-up per covered person at most"
    rates = dict(p.topups)
    for t in d.topups:
        assert t.member in d.covered
        assert t.amount == p.dibao_standard_monthly * rates[t.group]
        assert t.amount <= p.dibao_standard_monthly * max(rates.values())


@settings(max_examples=150, deadline=None)
@given(households(), policies, st.integers(1, 20_000).map(Decimal), st.data())
def test_more_income_never_raises_the_amount_on_the_same_basis(h, p, extra, data):
    """Monotone in income while the basis of coverage stays the same (see the jump test below)."""
    before = decide("dibao", h, p, ON)
    assume(before.eligible)
    who = data.draw(st.sampled_from([None, *before.covered]))
    h.income.append(IncomeItem("wage", extra, who))
    after = decide("dibao", h, p, ON)
    assume(after.basis == before.basis)
    assert after.monthly_amount <= before.monthly_amount


@settings(max_examples=100, deadline=None)
@given(households(), policies)
def test_total_is_rounded_sum_of_shares_and_topups(h, p):
    d = decide("dibao", h, p, ON)
    assume(d.eligible and d.basis == "household" and p.min_per_person == 0)
    shares = (p.dibao_standard_monthly - d.per_capita_monthly) * len(d.covered)
    total = shares + sum((t.amount for t in d.topups), Decimal(0))
    assert abs(d.monthly_amount - total) < 1


def test_single_person_route_can_pay_more_than_the_whole_household_just_below_the_line():
    """policy.md §5 as written: crossing the standard moves a household from 整户 to 单人户, and the
    disabled member alone (with no income of their own) gets the full standard. This is the policy's
    own cliff, kept on purpose and shown here so nobody 'fixes' it by accident."""
    disabled = Member("甲", ids.make_id("130102", dt.date(1990, 1, 1), 11), "head",
                      disability=Disability("physical", 1))
    other = Member("乙", ids.make_id("130102", dt.date(1991, 1, 1), 12), "spouse")
    p = PolicyParams()
    below = Household([disabled, other], income=[IncomeItem("business", Decimal("17256"), 1)])  # 719/月
    above = Household([disabled, other], income=[IncomeItem("business", Decimal("17304"), 1)])  # 721/月
    a, b = decide("dibao", below, p, ON), decide("dibao", above, p, ON)
    assert (a.basis, b.basis) == ("household", "single_person")
    assert a.monthly_amount == 2 + 360  # (720 − 719) × 2 + severe disability top-up
    assert b.monthly_amount == 720 + 360
