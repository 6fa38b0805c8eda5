"""Office set-up and accounts: the first start, settings, users and passwords."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .changes import Changes
from .op import CollectionOp, Shell

ACCOUNTS = Changes(accounts=True)
POLICY = Changes(policy=True)


def create_office(shell: Shell, county: tuple[str, str], township: tuple[str, str],
                  villages: list[tuple[str, str]], admin: tuple[str, str]) -> CollectionOp[None]:
    """建立办公室 in an empty database (one transaction: services/admin.py)."""
    return CollectionOp(shell, shell.backend.admin.create_office, county, township, villages, admin,
                        changes=Changes(accounts=True, policy=True))


def load_demo(shell: Shell) -> CollectionOp[Any]:
    """载入示例乡镇 into an empty database."""
    return CollectionOp(shell, shell.backend.load_demo, with_other_programmes=True, changes=Changes.everything())


def set_policy(shell: Shell, area: str, day: dt.date, values: dict[str, Any], note: str) -> CollectionOp[int]:
    """保存 a policy parameter set of an area from a date."""
    return CollectionOp(shell, shell.backend.admin.set_policy, area, day, values, actor=shell.user["username"],
                        note=note, changes=POLICY)


def set_calendar_day(shell: Shell, day: dt.date, working: bool, note: str) -> CollectionOp[None]:
    """登记 a working day or holiday of the calendar (deadlines move)."""
    return CollectionOp(shell, shell.backend.admin.set_calendar_day, day, working, note,
                        actor=shell.user["username"], changes=Changes(policy=True, cases=True, queue=True))


def set_delegation(shell: Shell, township: str, delegated: bool) -> CollectionOp[list]:
    """授权 (or not) a township to decide its new cases."""
    return CollectionOp(shell, shell.backend.admin.set_delegation, township, delegated,
                        actor=shell.user["username"], changes=POLICY)


def add_user(shell: Shell, username: str, full_name: str, roles: list[str], area: str | None) -> CollectionOp[Any]:
    """新增用户."""
    return CollectionOp(shell, shell.backend.admin.add_user, username, full_name, roles, area,
                        actor=shell.user["username"], changes=ACCOUNTS)


def set_password(shell: Shell, username: str, password: str) -> CollectionOp[None]:
    """An administrator sets a user's (initial) password."""
    return CollectionOp(shell, shell.backend.admin.set_password, username, password,
                        actor=shell.user["username"], changes=ACCOUNTS)


def unlock_user(shell: Shell, username: str) -> CollectionOp[None]:
    """解除锁定 of a user locked out by wrong passwords."""
    return CollectionOp(shell, shell.backend.admin.unlock_user, username, actor=shell.user["username"],
                        changes=ACCOUNTS)


def set_active(shell: Shell, username: str, active: bool) -> CollectionOp[Any]:
    """停用 / 启用 an account."""
    return CollectionOp(shell, shell.backend.admin.update_user, username, active=active,
                        actor=shell.user["username"], changes=ACCOUNTS)


def change_password(shell: Shell, username: str, old: str, new: str) -> CollectionOp[None]:
    """修改密码 of the user logged in."""
    return CollectionOp(shell, shell.backend.accounts.change_password, username, old, new, changes=ACCOUNTS)


def set_urban_rural(shell: Shell, village: str, value: str) -> CollectionOp[Any]:
    """Class a village as 城市 or 农村 for the statistics."""
    return CollectionOp(shell, shell.backend.admin.set_urban_rural, village, value, shell.user["username"],
                        changes=POLICY)
