"""Low-income monitoring (policy.md §8): 低保边缘, 刚性支出困难 and 防返贫 flags for every household.

Flags are computed, never stored: each list is the policy arithmetic applied today to the household
as last recorded, with the parameter set in force for its village.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from ..domain.calc import FLAG_LABELS, decide
from ..domain.errors import DomainError, InputError
from ..domain.policy import parse_policy
from ..domain.programmes import flags_programme
from .context import AppContext
from .lookup import area_chain


def household_flags(ctx: AppContext, *, on: dt.date | None = None, flag: str | None = None,
                    village: str | None = None, villages: Collection[str] | None = None) -> list[dict[str, Any]]:
    """One row per family with a case, as last determined, with the flags that apply on ``on``.

    A review or change case holds its own copy of the family; the latest one stands for the family.
    ``villages`` limits the list to a user's area.
    """
    if flag is not None and flag not in FLAG_LABELS:
        raise InputError(f"只能是 {'、'.join(f'{k}（{v}）' for k, v in FLAG_LABELS.items())}", "flag")
    on = on or ctx.today()
    rows = []
    with ctx.db.unit_of_work() as uow:
        latest: dict[int, Any] = {}
        unknown: set[int] = set()  # imported benefits whose income and assets are not recorded yet
        for case in uow.cases.query(village_code=village):
            if villages is not None and case.village_code not in villages:
                continue
            latest[case.parent_case_id or case.id] = case  # query is in id order: the last one wins
            if "economic_data" in ((case.benefit or {}).get("pending") or ()):
                unknown.add(case.id)
        for key in unknown:
            latest.pop(key, None)  # nothing to compute flags from: never flagged on made-up zeros
        chains: dict[str, list[str]] = {}
        for case in latest.values():
            household_id = case.household_id
            code = case.village_code
            if code not in chains:
                chains[code] = area_chain(uow, code)
            found = uow.policies.effective(chains[code], on)
            if found is None:
                raise DomainError(f"地区 {code} 在 {on.isoformat()} 没有生效的政策参数")
            household = uow.households.get(household_id)
            code_ = flags_programme()  # the 低保 computation sets the flags (policy.md §8)
            result = decide(code_, household, parse_policy(found[3], code_), on)
            if flag is not None and flag not in result.flags:
                continue
            rows.append({
                "household_id": household_id,
                "head": household.head.name,
                "members": result.members_counted,
                "village": code,
                "case": case.number,
                "case_state": case.state,
                "per_capita_monthly": f"{result.per_capita_monthly:.2f}",
                "flags": sorted(result.flags),
                "flag_labels": [FLAG_LABELS[f] for f in sorted(result.flags)],
            })
    return rows
