"""Office set-up: areas, users, policy parameter sets, calendar overrides, delegation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import AREA_LEVELS, Area, User
from ..domain.policy import PolicyParams, parse_policy
from ..domain.specs import ROLES
from .context import AppContext

PARENT_LEVEL = {"county": None, "township": "county", "village": "township"}


class AdminService:
    """Administrator actions. Each call is one transaction."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def _admin(self, uow, username: str | None) -> str:
        if username is None:  # set-up from the command line before any user exists
            return "system"
        user = uow.users.get(username)
        if user is None or "admin" not in user.roles:
            raise DomainError(f"用户「{username}」不是系统管理员，不能修改设置")
        return username

    def add_area(self, code: str, name: str, level: str, parent_code: str | None = None,
                 actor: str | None = None) -> Area:
        if level not in AREA_LEVELS:
            raise InputError(f"--level: 只能是 {'、'.join(AREA_LEVELS)}", "level")
        if not code.strip() or not name.strip():
            raise InputError("地区代码和名称不能为空", "code")
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            if uow.areas.get(code):
                raise InputError(f"code: 地区代码 {code} 已存在", "code")
            need = PARENT_LEVEL[level]
            if need:
                parent = uow.areas.get(parent_code) if parent_code else None
                if parent is None or parent.level != need:
                    raise InputError(f"--parent: {AREA_LEVELS[level]}须隶属于一个{AREA_LEVELS[need]}", "parent")
            area = Area(code=code, name=name, level=level, parent_code=parent_code if need else None)
            uow.areas.add(area)
            return area

    def add_user(self, username: str, full_name: str, roles: list[str], area_code: str | None = None,
                 actor: str | None = None) -> User:
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            raise InputError(f"--roles: 角色只能是 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}", "roles")
        if not username.strip() or not full_name.strip():
            raise InputError("用户名和姓名不能为空", "username")
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            if uow.users.get(username):
                raise InputError(f"username: 用户名 {username} 已存在", "username")
            if area_code and uow.areas.get(area_code) is None:
                raise InputError(f"--area: 没有地区 {area_code}", "area")
            user = User(username=username, full_name=full_name, roles=tuple(roles), area_code=area_code)
            uow.users.add(user)
            return user

    def set_policy(self, area_code: str, effective_from: dt.date, params: Mapping[str, Any],
                   actor: str | None = None, note: str = "") -> int:
        """Add a parameter set for an area from a date; every key is checked before saving."""
        parse_policy(dict(params), "dibao")
        for programme in ("tekun", "temporary"):
            parse_policy(dict(params), programme)
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            if uow.areas.get(area_code) is None:
                raise InputError(f"--area: 没有地区 {area_code}", "area")
            return uow.policies.add(area_code, effective_from, dict(params), who, note)

    def set_calendar_day(self, day: dt.date, working: bool, note: str = "", actor: str | None = None) -> None:
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            uow.calendar.set(day, working, note, who)

    def set_delegation(self, township_code: str, delegated: bool, actor: str | None = None) -> list[str]:
        """Record that the county lets a township decide (审批确认权限下放) for new cases."""
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            area = uow.areas.get(township_code)
            if area is None or area.level != "township":
                raise InputError(f"township: 没有乡镇（街道）{township_code}", "township")
            current = set(uow.settings.get("delegated_townships", []) or [])
            current = current | {township_code} if delegated else current - {township_code}
            uow.settings.set("delegated_townships", sorted(current))
            return sorted(current)


def default_policy() -> dict[str, Any]:
    """The shipped example parameter set (policy.md §1), as the contract's JSON shape."""
    return PolicyParams().to_dict()
