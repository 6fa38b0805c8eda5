"""价格临时补贴 (policy.md §11) by hand: the calc programme ``price_subsidy`` and the shared arithmetic."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from doudi_desk.cli import main
from doudi_desk.domain.policy import parse_policy
from doudi_desk.domain.price_subsidy import Indices, per_person, recipients, triggered

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples" / "new-programmes" / "price-subsidy.json"


def request(**changes) -> dict:
    data = json.loads(EXAMPLE.read_text("utf-8"))
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        target[keys[-1]] = value
    return data


def calc(capsys, tmp_path, data) -> tuple[int, dict | None, str]:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code = main(["calc", str(path)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_not_triggered_month_pays_nothing(capsys, tmp_path):
    code, out, _ = calc(capsys, tmp_path, request(indices={"cpi_yoy": "3.4", "food_yoy": "5.9"}))
    assert code == 0
    assert (out["triggered"], out["eligible"], out["per_person"], out["covered"], out["monthly_amount"],
            out["failed"], out["basis"]) == (False, False, "0", [], "0", ["not_triggered"], None)


def test_food_index_alone_triggers_and_the_amount_follows_cpi(capsys, tmp_path):
    # CPI 2.0 % is below its trigger, food 6.0 % reaches its own: 720 × 2.0 % = 14.40 → 14 per person.
    code, out, _ = calc(capsys, tmp_path, request(indices={"cpi_yoy": "2.0", "food_yoy": "6.0"}))
    assert code == 0
    assert (out["triggered"], out["per_person"], out["monthly_amount"]) == (True, "14", "28")


def test_falling_prices_pay_the_minimum(capsys, tmp_path):
    data = request(indices={"cpi_yoy": "-0.5", "food_yoy": "7.2"})
    data["policy"]["price_subsidy_min"] = "10"
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0
    assert (out["per_person"], out["monthly_amount"]) == ("10", "20")  # max(10, 720 × max(−0.5, 0) %)


def test_rounding_up(capsys, tmp_path):
    data = request()
    data["policy"]["rounding"] = "up"
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0 and out["per_person"] == "28"  # 27.36 rounded up


def test_a_person_in_tekun_and_in_the_dibao_household_counts_once(capsys, tmp_path):
    data = request()
    data["household"]["status"] = {"dibao": "household", "dibao_covered": [0, 1], "tekun_covered": [1],
                                   "edge_family": False}
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0 and out["covered"] == [0, 1] and out["monthly_amount"] == "54"


def test_edge_family_only_where_the_policy_includes_it(capsys, tmp_path):
    data = request()
    data["household"]["status"] = {"dibao": None, "dibao_covered": [], "tekun_covered": [], "edge_family": True}
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0
    assert (out["eligible"], out["covered"], out["failed"], out["triggered"]) == (False, [], ["nobody_covered"], True)
    data["policy"]["price_include_edge"] = True
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0 and (out["eligible"], out["covered"], out["monthly_amount"]) == (True, [0, 1], "54")


def test_not_triggered_and_nobody_covered_name_both(capsys, tmp_path):
    data = request(indices={"cpi_yoy": "1", "food_yoy": "1"})
    data["household"]["status"] = {"dibao": None, "dibao_covered": [], "tekun_covered": [], "edge_family": False}
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0 and out["failed"] == ["not_triggered", "nobody_covered"]


def test_excluded_member_is_never_covered(capsys, tmp_path):
    data = request()
    data["household"]["members"][1]["excluded"] = "prison"
    code, out, _ = calc(capsys, tmp_path, data)
    assert code == 0 and (out["covered"], out["monthly_amount"], out["members_counted"]) == ([0], "27", 1)


@pytest.mark.parametrize("mutate,field", [
    (lambda d: d.pop("indices"), "indices"),
    (lambda d: d["indices"].pop("food_yoy"), "indices.food_yoy"),
    (lambda d: d["indices"].update(cpi_yoy="abc"), "indices.cpi_yoy"),
    (lambda d: d["household"]["status"].update(dibao_covered=[0, 5]), "household.status.dibao_covered[1]"),
    (lambda d: d["policy"].pop("price_cpi_trigger"), "policy.price_cpi_trigger"),
    (lambda d: d["policy"].update(price_include_edge="yes"), "policy.price_include_edge"),
    (lambda d: d["policy"]["dla_monthly"].update({"5": "80"}), "policy.dla_monthly.5"),
])
def test_bad_input_exits_2_naming_the_field(capsys, tmp_path, mutate, field):
    data = copy.deepcopy(request())
    mutate(data)
    code, out, err = calc(capsys, tmp_path, data)
    assert code == 2 and out is None and field in err and "Traceback" not in err


def test_the_shared_functions():
    p = parse_policy(request()["policy"], "price_subsidy")
    assert triggered(p, Indices(Decimal("3.5"), Decimal("0")))  # ≥, not >
    assert not triggered(p, Indices(Decimal("3.49"), Decimal("5.99")))
    assert per_person(p, Indices(Decimal("3.49"), Decimal("5.99"))) == 0
    assert per_person(p, Indices(Decimal("4.0"), Decimal("0"))) == Decimal("29")  # 28.80 → 29 half up
    assert recipients([0, 1], [1, 2], [3], include_edge=False) == [0, 1, 2]
    assert recipients([], [], [3, 4], include_edge=True) == [3, 4]
