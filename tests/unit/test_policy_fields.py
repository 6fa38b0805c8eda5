"""The policy parameter catalogue (labels, units, bounds) and its check, without Qt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from doudi_desk.domain.errors import InputError
from doudi_desk.domain.policy import ALL_KEYS, PolicyParams, parse_policy
from doudi_desk.domain.policy_fields import FIELDS, check_policy


def test_the_shipped_set_passes_and_every_key_has_a_field():
    assert check_policy(PolicyParams().to_dict()) == {}
    assert [f.key for f in FIELDS] and {f.key for f in FIELDS} == set(ALL_KEYS)


def test_disability_and_price_keys_are_parsed_exactly():
    dla = {"1": "90.5", "2": "90", "3": "80", "4": "80"}
    params = PolicyParams().to_dict() | {"dla_monthly": dla, "dca_monthly": {},
                                         "price_cpi_trigger": "3", "price_include_edge": True}
    p = parse_policy(params)
    assert p.dla_monthly == {g: Decimal(v) for g, v in dla.items()} and p.dca_monthly == {}
    assert p.price_cpi_trigger == Decimal("3") and p.price_include_edge is True
    with pytest.raises(InputError, match="残疾等级只能是 1、2、3、4"):
        parse_policy(params | {"dla_monthly": dla | {"5": "80"}})
    # The living allowance is set for every grade (policy.md §10: "per grade 1–4"); a care
    # allowance map may leave grades out (they get none).
    with pytest.raises(InputError, match=r"dla_monthly\.3: 缺少此项"):
        parse_policy(params | {"dla_monthly": {"1": "90", "2": "90"}})


@pytest.mark.parametrize("change,path,message", [
    ({"income_months": "0"}, "income_months", "不能小于 1 个月"),
    ({"income_months": "2.5"}, "income_months", "须为整数"),
    ({"dibao_standard_monthly": "720.123"}, "dibao_standard_monthly", "最多到分（小数点后两位）"),
    ({"rigid_share": "1.2"}, "rigid_share", "不能大于 1"),
    ({"amount_mode": "other"}, "amount_mode", "请从列表中选择"),
    ({"allow_vehicle": "no"}, "allow_vehicle", "只能是“是”或“否”"),
    ({"tiers": [{"max_income_ratio": "0.6", "per_person": "300"}, {"max_income_ratio": "0.3", "per_person": "500"}]},
     "tiers[1].max_income_ratio", "第2档的收入比例不能低于上一档（各档从低到高）"),
    ({"topups": [{"group": "minor", "rate": "3"}]}, "topups[0].rate", "未成年人不能大于 2 倍低保标准"),
    ({"min_per_person": "800"}, "min_per_person", "不能高于低保标准（720 元）"),
    ({"unknown_key": 1}, "unknown_key", "未知的政策参数「unknown_key」"),
])
def test_each_problem_is_one_chinese_sentence_for_its_field(change, path, message):
    assert check_policy(PolicyParams().to_dict() | change) == {path: message}
