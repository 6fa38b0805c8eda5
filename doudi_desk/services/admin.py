"""Office set-up: areas, users and their passwords, policy parameter sets, calendar overrides,
delegation. Only an administrator may do any of it (``actor=None`` is the command line's set-up
before any account exists, recorded as ``system``); every change is an office event in the audit
trail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import AREA_LEVELS, URBAN_RURAL, Area, User, default_urban_rural
from ..domain.policy import PolicyParams, parse_policy
from ..domain.policy_fields import check_policy, describe
from ..domain.programmes import REGISTRY
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
        if not user.active:
            raise DomainError(f"用户「{username}」已停用，不能修改设置")
        return username

    def _work(self, uow):
        """The caller's unit of work (one use case made of several steps), else a new one."""
        return nullcontext(uow) if uow is not None else self.ctx.db.unit_of_work()

    def _audit(self, uow, who: str, action: str, subject: str, comment: str = "", **data: Any) -> None:
        uow.events.append_office(who, action, self.ctx.now(), subject=subject, comment=comment,
                                 data=data)

    def add_area(self, code: str, name: str, level: str, parent_code: str | None = None,
                 actor: str | None = None, urban_rural: str | None = None, *, uow=None) -> Area:
        if level not in AREA_LEVELS:
            raise InputError(f"只能是 {'、'.join(AREA_LEVELS)}", "level")
        if not code.strip() or not name.strip():
            raise InputError("地区代码和名称不能为空", "code")
        with self._work(uow) as uow:
            who = self._admin(uow, actor)
            if uow.areas.get(code):
                raise InputError(f"code: 地区代码 {code} 已存在", "code")
            need = PARENT_LEVEL[level]
            if need:
                parent = uow.areas.get(parent_code) if parent_code else None
                if parent is None or parent.level != need:
                    raise InputError(f"{AREA_LEVELS[level]}须隶属于一个{AREA_LEVELS[need]}", "parent")
            if urban_rural is not None and urban_rural not in URBAN_RURAL:
                raise InputError(f"只能是 {'、'.join(f'{k}（{v}）' for k, v in URBAN_RURAL.items())}",
                                 "class")
            klass = (urban_rural or default_urban_rural(name)) if level == "village" else None
            area = Area(code=code, name=name, level=level, parent_code=parent_code if need else None,
                        urban_rural=klass)
            uow.areas.add(area)
            self._audit(uow, who, "area_added", code, f"添加{AREA_LEVELS[level]} {name}",
                        code=code, name=name, level=level, parent=area.parent_code)
            return area

    def set_urban_rural(self, code: str, urban_rural: str, actor: str | None = None) -> Area:
        """Class a village as 城市 or 农村 for the statistics (reports.md §1)."""
        if urban_rural not in URBAN_RURAL:
            raise InputError(f"只能是 {'、'.join(f'{k}（{v}）' for k, v in URBAN_RURAL.items())}", "class")
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            area = uow.areas.get(code)
            if area is None or area.level != "village":
                raise InputError(f"code: 没有村（社区）「{code}」（城乡分类只设在村、社区上）", "code")
            if area.urban_rural == urban_rural:
                return area
            uow.areas.set_urban_rural(code, urban_rural)
            self._audit(uow, who, "area_class_set", code,
                        f"{area.name} 设为{URBAN_RURAL[urban_rural]}（原为{URBAN_RURAL.get(area.urban_rural or '', '未设')}）",
                        code=code, before=area.urban_rural, after=urban_rural)
            return uow.areas.get(code)

    def add_user(self, username: str, full_name: str, roles: list[str], area_code: str | None = None,
                 actor: str | None = None, *, uow=None) -> User:
        _check_roles(roles)
        if not isinstance(username, str) or not isinstance(full_name, str) \
                or not username.strip() or not full_name.strip():
            raise InputError("用户名和姓名不能为空", "username")
        if not USERNAME.fullmatch(username):
            raise InputError("username: 用户名只能由字母、数字、下划线、点和减号组成（2–64 位），"
                             "以字母或数字开头", "username")
        _check_name(full_name)
        with self._work(uow) as uow:
            who = self._admin(uow, actor)
            if uow.users.get(username):
                raise InputError(f"username: 用户名 {username} 已存在", "username")
            if area_code and uow.areas.get(area_code) is None:
                raise InputError(f"没有地区 {area_code}", "area")
            user = User(username=username, full_name=full_name, roles=tuple(roles), area_code=area_code)
            uow.users.add(user)
            self._audit(uow, who, "user_added", username, f"添加用户 {full_name}",
                        full_name=full_name, roles=list(roles), area=area_code)
            return user

    def update_user(self, username: str, full_name: str | None = None, roles: list[str] | None = None,
                    area: str | None = None, active: bool | None = None, *, actor: str | None = None,
                    clear_area: bool = False) -> User:
        """Change an account's name, roles, area or active flag (None keeps a value; ``clear_area``
        removes the area). An administrator cannot take away their own admin role or disable
        themselves, and the last active administrator stays one. Re-enabling an account also
        lifts a log-in lock."""
        if roles is not None:
            _check_roles(roles)
        if full_name is not None:
            if not isinstance(full_name, str) or not full_name.strip():
                raise InputError("full_name: 姓名不能为空", "full_name")
            _check_name(full_name)
        if active is not None and not isinstance(active, bool):
            raise InputError("active: 只能是启用或停用", "active")
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            old = uow.users.get(username) if isinstance(username, str) else None
            if old is None:
                raise InputError(f"username: 没有用户 {username}", "username")
            if area is not None and uow.areas.get(area) is None:
                raise InputError(f"没有地区 {area}", "area")
            new = User(
                username=old.username,
                full_name=full_name.strip() if full_name is not None else old.full_name,
                roles=tuple(roles) if roles is not None else old.roles,
                area_code=None if clear_area else (area if area is not None else old.area_code),
                active=old.active if active is None else active,
            )
            if new == old:
                raise InputError("没有要修改的内容", "username")
            admin_lost = "admin" in old.roles and old.active and ("admin" not in new.roles or not new.active)
            if admin_lost and username == actor:
                raise DomainError("不能取消自己的系统管理员角色，也不能停用自己的账户")
            if admin_lost and not any(u.active and "admin" in u.roles and u.username != username
                                      for u in uow.users.all()):
                raise DomainError("这是最后一个启用的系统管理员，不能取消其管理员角色或停用")
            uow.users.update(new)
            if new.active and not old.active:
                uow.users.lock(username, None)
            changes = {k: {"before": _plain(getattr(old, k)), "after": _plain(getattr(new, k))}
                       for k in ("full_name", "roles", "area_code", "active")
                       if getattr(old, k) != getattr(new, k)}
            self._audit(uow, who, "user_updated", username, "修改用户：" + "、".join(changes), changes=changes)
            return new

    def set_password(self, username: str, password: str, *, actor: str | None = None,
                     temporary: bool = True) -> None:
        """Give an account a password (Argon2id). ``temporary``: the user must choose their own at
        the next log-in. Also lifts a log-in lock. The password itself is never logged."""
        from .accounts import check_new_password, hash_password

        if not isinstance(username, str):
            raise InputError("username: 用户名须为文字", "username")
        check_new_password(username, password)
        hashed = hash_password(password)
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            target = uow.users.get(username)
            if target is None:
                raise InputError(f"username: 没有用户 {username}", "username")
            if not uow.users.any_password() and not ("admin" in target.roles and target.active):
                # The first password switches passwords on for everyone: an administrator without
                # one could then no longer log in to set the others.
                raise DomainError("本数据库尚未启用密码：请先为一名系统管理员设置密码，再为其他用户设置")
            uow.users.set_password_hash(username, hashed, changed_at=self.ctx.now(),
                                        must_change=temporary and who != username)
            self._audit(uow, who, "password_set", username,
                        "设置初始密码（下次登录须修改）" if temporary and who != username else "设置密码")

    def accounts(self, actor: str | None = None) -> list[dict[str, Any]]:
        """Every account with its log-in state (password set, must change, locked until), for the
        administrator's account list. Never the hash."""
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            now = self.ctx.now()
            out = []
            for user in uow.users.all():
                creds = uow.users.credentials(user.username) or {}
                locked = creds.get("locked_until")
                out.append({
                    "username": user.username, "full_name": user.full_name, "roles": list(user.roles),
                    "role_labels": "、".join(ROLES.get(r, r) for r in user.roles), "area": user.area_code,
                    "active": user.active, "has_password": bool(creds.get("password_hash")),
                    "must_change_password": bool(creds.get("must_change_password")),
                    "locked_until": locked.isoformat(sep=" ") if locked and locked > now else None,
                    "failed_logins": creds.get("failed_logins", 0),
                })
            return out

    def unlock_user(self, username: str, *, actor: str | None = None) -> None:
        """Lift a log-in lock before it runs out (the user called the office)."""
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            if not isinstance(username, str) or uow.users.get(username) is None:
                raise InputError(f"username: 没有用户 {username}", "username")
            uow.users.lock(username, None)
            self._audit(uow, who, "user_unlocked", username, "解除登录锁定")

    def set_policy(self, area_code: str, effective_from: dt.date, params: Mapping[str, Any],
                   actor: str | None = None, note: str = "", *, uow=None) -> int:
        """Add a parameter set for an area from a date; every key is checked before saving (bounds
        and labels: domain/policy_fields.py). The set is recorded under ``actor``, the
        administrator who entered it."""
        if not isinstance(effective_from, dt.date):
            raise InputError("effective_from: 请选择生效日期", "effective_from")
        problems = check_policy(dict(params) if isinstance(params, Mapping) else params)
        if problems:
            first = next(iter(problems))
            raise InputError(f"policy.{first}: 政策参数有误：{describe(problems)}", f"policy.{first}")
        for programme in REGISTRY:  # every programme's decision can use the set
            parse_policy(dict(params), programme)
        with self._work(uow) as uow:
            who = self._admin(uow, actor)
            if uow.areas.get(area_code) is None:
                raise InputError(f"没有地区 {area_code}", "area")
            set_id = uow.policies.add(area_code, effective_from, dict(params), who, note)
            self._audit(uow, who, "policy_set", area_code, f"政策参数自 {effective_from.isoformat()} 起生效",
                        policy_set=set_id, effective_from=effective_from, note=note)
            return set_id

    def set_calendar_day(self, day: dt.date, working: bool, note: str = "", actor: str | None = None) -> None:
        if not isinstance(day, dt.date):
            raise InputError("day: 不是有效日期", "day")
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            uow.calendar.set(day, working, note, who)
            self._audit(uow, who, "calendar_set", day.isoformat(),
                        f"{day.isoformat()} 设为{'工作日' if working else '休息日'}", working=working, note=note)

    def remove_calendar_day(self, day: dt.date, actor: str | None = None) -> bool:
        """Drop an override, so the day follows the national schedule again; False if there was none."""
        if not isinstance(day, dt.date):
            raise InputError("day: 不是有效日期", "day")
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            overrides = uow.calendar.all()
            if day not in overrides:
                return False
            uow.calendar.remove(day)
            self._audit(uow, who, "calendar_removed", day.isoformat(),
                        f"取消 {day.isoformat()} 的调整，恢复国家安排", was_working=overrides[day])
            return True

    def set_delegation(self, township_code: str, delegated: bool, actor: str | None = None) -> list[str]:
        """Record that the county lets a township decide (审批确认权限下放) for new cases."""
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            area = uow.areas.get(township_code)
            if area is None or area.level != "township":
                raise InputError(f"township: 没有乡镇（街道）{township_code}", "township")
            current = set(uow.settings.get("delegated_townships", []) or [])
            current = current | {township_code} if delegated else current - {township_code}
            uow.settings.set("delegated_townships", sorted(current))
            self._audit(uow, who, "delegation_set", township_code,
                        f"{'授权' if delegated else '收回'}乡镇审批确认", delegated=delegated)
            return sorted(current)

    def create_office(self, county: tuple[str, str], township: tuple[str, str],
                      villages: list[tuple[str, str]], admin: tuple[str, str]) -> None:
        """First start of an empty database: the county, the township and its villages, the first
        administrator and the shipped example parameter set, in one transaction (a refused village
        leaves no half-made office behind)."""
        with self.ctx.db.unit_of_work() as uow:
            self.add_area(county[0], county[1], "county", uow=uow)
            self.add_area(township[0], township[1], "township", county[0], uow=uow)
            for code, name in villages:
                self.add_area(code, name, "village", township[0], uow=uow)
            self.add_user(admin[0], admin[1], ["admin"], township[0], uow=uow)
            today = self.ctx.today()
            self.set_policy(county[0], dt.date(today.year, 1, 1), default_policy(), actor=admin[0],
                            note="程序自带的示例参数，请按本地标准修改", uow=uow)


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}")


def _check_roles(roles: Any) -> None:
    if not isinstance(roles, list | tuple) or not roles or any(not isinstance(r, str) or r not in ROLES for r in roles) \
            or len(set(roles)) != len(roles):
        raise InputError(f"角色只能是 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}，"
                         "至少一个，不能重复", "roles")


def _check_name(name: str) -> None:
    if len(name) > 100 or any(not ch.isprintable() for ch in name):
        raise InputError("full_name: 姓名不能超过100字，不能含不可见字符", "full_name")


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def default_policy() -> dict[str, Any]:
    """The shipped example parameter set (policy.md §1), as the contract's JSON shape."""
    return PolicyParams().to_dict()
