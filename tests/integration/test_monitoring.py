"""Low-income monitoring lists (policy.md §8) over the households the office holds."""

from doudi_desk.services.cases import CaseService
from doudi_desk.services.monitoring import household_flags


def _hh(name, id_number, income, rigid="0", kind="wage", vehicle=False):
    return {"village": "130999101001", "members": [{"name": name, "id_number": id_number, "relation": "head"}],
            "income": [{"type": kind, "amount": income, "member": 0}],
            "rigid_expenses": [{"kind": "medical", "amount": rigid}] if rigid != "0" else [],
            "assets": {"financial": "0", "homes": 1, "vehicles": [{"disability_vehicle": False}] if vehicle else []}}


def test_flags_listed_per_household(office):
    svc = CaseService(office)
    svc.create_case(_hh("甲", "130102198011300513", "11000"), "dibao", "clerk")        # 825/月: edge line 1080
    # 乙 owns a car (so no 低保 and no edge family) and spends 8,000 of 12,000 on medical costs.
    svc.create_case(_hh("乙", "130102198204120623", "12000", rigid="8000", kind="business", vehicle=True),
                    "dibao", "clerk")
    svc.create_case(_hh("丙", "130102197203150316", "4000"), "dibao", "clerk")         # 300/月: 低保, monitoring
    rows = {r["head"]: r for r in household_flags(office)}
    assert rows["甲"]["flags"] == ["edge_family"]
    assert rows["甲"]["per_capita_monthly"] == "825.00"
    assert rows["乙"]["flags"] == ["monitoring_alert", "rigid_expense_hardship"]  # net 4,000 a year < 5,000
    assert rows["丙"]["flags"] == ["monitoring_alert"]
    assert [r["head"] for r in household_flags(office, flag="edge_family")] == ["甲"]
