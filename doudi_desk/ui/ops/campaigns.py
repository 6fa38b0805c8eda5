"""大排查 actions: a campaign, its assignments, checks and problems."""

from __future__ import annotations

from typing import Any

from .changes import Changes
from .op import CollectionOp, Shell

CAMPAIGNS = Changes(campaigns=True)


def create(shell: Shell, values: dict[str, Any]) -> CollectionOp[dict]:
    """新建排查 (name, document number, area, phases, rules from the dialog)."""
    return CollectionOp(shell, shell.backend.campaigns.create, values["name"], values["doc_number"],
                        values["area_code"], shell.user["username"], phases=values["phases"],
                        rules=values["rules"], changes=CAMPAIGNS)


def assign(shell: Shell, campaign_id: int, village: str, staff: str) -> CollectionOp[Any]:
    """分配 a village's households to a member of staff."""
    return CollectionOp(shell, shell.backend.campaigns.assign, campaign_id, village, staff, shell.user["username"],
                        changes=CAMPAIGNS)


def record_check(shell: Shell, target_id: int, values: dict[str, Any]) -> CollectionOp[Any]:
    """登记排查 of one household."""
    return CollectionOp(shell, shell.backend.campaigns.record_check, target_id, values["items"],
                        shell.user["username"], checked_by=values["checked_by"], checked_on=values["checked_on"],
                        note=values["note"], changes=CAMPAIGNS)


def raise_problem(shell: Shell, campaign_id: int, values: dict[str, Any]) -> CollectionOp[Any]:
    """登记问题 found by the campaign."""
    keys = ("finding", "topic", "kind", "target_id", "village", "responsible", "measures", "deadline")
    return CollectionOp(shell, shell.backend.campaigns.raise_problem, campaign_id, shell.user["username"],
                        changes=CAMPAIGNS, **{k: values[k] for k in keys})


def advance_problem(shell: Shell, problem: dict[str, Any], state: str, values: dict[str, Any]) -> CollectionOp[Any]:
    """A problem's next state (整改, 销号 …), against the version shown."""
    return CollectionOp(shell, shell.backend.campaigns.advance_problem, problem["id"], state, shell.user["username"],
                        expected_version=problem["version"], changes=CAMPAIGNS, **values)


def open_problem_case(shell: Shell, problem_id: int) -> CollectionOp[dict]:
    """A problem that needs a case (复核, 停保 …) opens one."""
    return CollectionOp(shell, shell.backend.campaigns.open_case, problem_id, shell.user["username"],
                        changes=lambda result: CAMPAIGNS | Changes.to_cases([result["case_id"]]))


def close(shell: Shell, campaign_id: int) -> CollectionOp[Any]:
    """结束 a campaign."""
    return CollectionOp(shell, shell.backend.campaigns.close, campaign_id, shell.user["username"], changes=CAMPAIGNS)
