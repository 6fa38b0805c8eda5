"""Hand-computed cases for the rules of policy.md that the worked examples do not reach."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from doudi_desk.domain.calc import calc_request

BASE = json.loads((Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples"
                   / "household-gap.json").read_text("utf-8"))


def run(**changes):
    req = copy.deepcopy(BASE)
    for path, value in changes.items():
        target = req
        keys = path.split("__")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        target[keys[-1]] = value
    return calc_request(req)


def test_excluded_member_is_not_counted_nor_their_income():
    out = run(household__members__0__excluded="prison")
    # Without the head and his wage: 3,600 farming − 6,000 rigid → 0 net → 0.00 per person.
    assert out["members_counted"] == 3
    assert out["per_capita_monthly"] == "0.00"
    assert 0 not in out["covered"] and out["covered"] == [1, 2, 3]
    assert out["monthly_amount"] == str(720 * 3 + 360 + 216 + 216)


def test_rounding_up_applies_to_per_capita_and_total():
    # net 10,561 → 10,561 / 12 / 4 = 220.0208… → up → 220.03
    out = run(household__income__1__amount="3601", policy__rounding="up")
    assert out["per_capita_monthly"] == "220.03"
    assert out["monthly_amount"] == "2792"  # (720 − 220.03) × 4 + 792 = 2,791.88 → up → 2,792


def test_min_per_person_raises_each_share_in_gap_mode():
    # A household just under the line: every share below the 保底 of 100.
    out = run(household__income__0__amount="40000", policy__min_per_person="100")
    # net 40,000 + 3,600 − 4,000 − 6,000 = 33,600 → 700.00; shares 20 → 100 each
    assert out["per_capita_monthly"] == "700.00"
    assert out["monthly_amount"] == str(400 + 792)


def test_tiers_mode_uses_the_first_tier_at_or_above_the_ratio():
    tiers = [{"max_income_ratio": "0.25", "per_person": "500"}, {"max_income_ratio": "0.5", "per_person": "300"},
             {"max_income_ratio": "1", "per_person": "100"}]
    out = run(policy__amount_mode="tiers", policy__tiers=tiers)
    # ratio 220 / 720 = 0.3056 → second tier: 300 × 4 + top-ups 792
    assert out["monthly_amount"] == str(1200 + 792)


def test_asset_failures_listed_in_contract_order():
    out = run(household__assets={"financial": "70000", "vehicles": [{"disability_vehicle": False}], "homes": 2,
                                 "commercial_property": True})
    assert out["eligible"] is False
    assert out["failed"] == ["assets_financial", "assets_vehicle", "assets_homes", "assets_commercial"]
    assert out["monthly_amount"] == "0" and out["covered"] == [] and out["topups"] == []


def test_disability_vehicle_is_allowed():
    out = run(household__assets__vehicles=[{"disability_vehicle": True}])
    assert out["eligible"] is True


def test_income_over_edge_names_only_the_income():
    out = run(household__income__0__amount="80000")
    assert out["failed"] == ["income_over_standard"]
    assert out["flags"] == []


def test_over_standard_under_edge_nobody_alone():
    # net 14,400·… choose wage so that per capita is 900: (W·0.9 + 3,600 − 6,000) / 48 = 900 → W = 50,666.67
    out = run(household__income__0__amount="50667", household__members__1__serious_illness=False)
    assert out["failed"] == ["income_over_standard", "no_single_person_member"]
    assert out["flags"] == ["edge_family"]


@pytest.mark.parametrize("amount,level", [("9999.49", "township"), ("9999.5", "county"),
                                          ("29999.49", "county"), ("29999.5", "county_collective")])
def test_temporary_level_decided_on_the_rounded_amount(amount, level):
    req = copy.deepcopy(BASE)
    req["programme"] = "temporary"
    req["household"]["temporary"] = {"type": "urgent", "amount": amount}
    out = calc_request(req)
    assert out["approval_level"] == level and out["first_aid_allowed"] is True
    assert out["amount"] == str(round(float(amount) + 1e-9))


def test_temporary_expenditure_income_test():
    req = copy.deepcopy(BASE)
    req["programme"] = "temporary"
    req["household"]["temporary"] = {"type": "expenditure", "amount": "5000"}
    req["household"]["income"][0]["amount"] = "120000"  # 3,600 + 108,000 − 6,000 = 105,600 / 4 = 26,400 ≥ 22,000
    out = calc_request(req)
    assert out["eligible"] is False and out["failed"] == ["income_over_disposable"] and out["amount"] == "0"


@pytest.mark.parametrize("age_id,disability,able", [
    ("130102198011300513", {"type": "physical", "grade": 2}, False),
    ("130102198011300513", {"type": "multiple", "grade": 1}, True),
    ("130102198011300513", {"type": "visual", "grade": 2}, True),
    ("130102198011300513", {"type": "mental", "grade": 3}, False),
    ("130102201205200152", None, False),  # 14 years old
    ("130102200902010018", None, True),   # 17: not under 16
])
def test_tekun_work_capacity(age_id, disability, able):
    req = json.loads((Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples"
                      / "tekun.json").read_text("utf-8"))
    member = req["household"]["members"][0]
    member["id_number"] = age_id
    if disability:
        member["disability"] = disability
    out = calc_request(req)
    assert ("able_to_work" in out["failed"]) is able
