"""Accounts: Argon2id passwords, log-in with lock-out, password changes, unlocking an idle window.

Rules (all enforced here, the window only shows their outcome):

* Passwords are stored as Argon2id hashes (argon2-cffi, PHC string with its own salt and cost);
  a hash made with weaker parameters is upgraded at the next successful log-in.
* :data:`MAX_FAILURES` wrong passwords in a row lock the account for :data:`LOCK_MINUTES`
  minutes; while locked even the right password is refused. An administrator setting a new
  password (or ``update_user``) unlocks it.
* Passwords are required on a shared server (PostgreSQL) always, and on a single PC's SQLite file
  as soon as any account has one. Before that (a fresh one-PC install, the demo, training) an
  account without a password logs in without one — the program's behaviour before accounts.
* Every log-in, failure, lock and password change is an office event in the audit chain.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..domain.errors import InputError, Refused
from ..domain.specs import ROLES
from .context import AppContext

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 8
MAX_LENGTH = 128
IDLE_LOCK_MINUTES = 10  # default; the setting ``idle_lock_minutes`` overrides it (0 = never)

# argon2-cffi's defaults are RFC 9106's low-memory profile (Argon2id, t=3, m=64 MiB, p=4): about
# 50 ms on an office PC. Tests may replace this with a cheaper hasher.
HASHER = PasswordHasher()
_DUMMY_HASH: str | None = None


class LoginError(Refused):
    """A refused log-in or unlock; ``locked_until`` is set when the account is locked."""

    def __init__(self, message: str, locked_until: dt.datetime | None = None, field: str = "password"):
        super().__init__(message, field=field)
        self.locked_until = locked_until


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_new_password(username: str, password: str) -> None:
    """Refuse a password that is too short, too long, the user name, or one repeated character."""
    if not isinstance(password, str):
        raise InputError("密码须为文字", "password")
    if len(password) < MIN_LENGTH:
        raise InputError(f"密码至少 {MIN_LENGTH} 位", "password")
    if len(password) > MAX_LENGTH:
        raise InputError(f"密码不能超过 {MAX_LENGTH} 位", "password")
    if "\x00" in password or password != password.strip():
        raise InputError("密码不能以空格开头或结尾，不能含不可见字符", "password")
    if (len(username) >= 3 and username.lower() in password.lower()) or password.lower() == username.lower() \
            or len(set(password)) < 3:
        raise InputError("密码过于简单（不能包含用户名，不能只由一两个字符重复组成）", "password")


def _verify(stored: str | None, password: str) -> bool:
    global _DUMMY_HASH
    if not stored:
        # Spend the same time as a real check, so a missing account or password is not revealed
        # by a faster answer.
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash("doudi-desk-dummy-password")
        stored = _DUMMY_HASH
        password = password + "\x01"
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def passwords_required(ctx: AppContext, uow) -> bool:
    """Passwords are required on a shared server, and on SQLite once any account has one."""
    return not ctx.db.is_sqlite or uow.users.any_password()


def user_dict(user, must_change: bool = False) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "roles": list(user.roles),
            "role_labels": "、".join(ROLES.get(r, r) for r in user.roles), "area": user.area_code,
            "must_change_password": must_change}


class AccountService:
    """Log-in, password change and unlock. Each call is its own transaction(s)."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def status(self) -> dict[str, Any]:
        """What the log-in page needs to know: are passwords required, idle-lock minutes."""
        with self.ctx.db.unit_of_work() as uow:
            minutes = uow.settings.get("idle_lock_minutes", IDLE_LOCK_MINUTES)
            return {"passwords_required": passwords_required(self.ctx, uow),
                    "idle_lock_minutes": int(minutes if minutes is not None else IDLE_LOCK_MINUTES)}

    def log_in(self, username: str, password: str = "") -> dict[str, Any]:
        """Check a user's password; return the user (as the log-in page shows it).

        Raises:
            LoginError: unknown user, wrong password, locked or disabled account, no password set
                where one is required. A failure is counted (and audited) before it is raised.
        """
        self._check_password(username, password, action="login")
        with self.ctx.db.unit_of_work() as uow:
            user = uow.users.get(username)
            creds = uow.users.credentials(username) or {}
            return user_dict(user, creds.get("must_change_password", False))

    def authenticate_command(self, username: str, password: str | None) -> None:
        """``doudi-admin --as USER``: where passwords are required, the user's password is checked
        like a log-in (failures count towards the lock-out; success and failure are audited).
        ``password`` None means none was given."""
        with self.ctx.db.unit_of_work() as uow:
            if not passwords_required(self.ctx, uow):
                return
        if password is None:
            raise LoginError(f"须提供用户「{username}」的密码：在终端中输入，"
                             "或由环境变量 DOUDI_PASSWORD 提供", field="as")
        self._check_password(username, password, action="command_login")

    def unlock(self, username: str, password: str = "") -> None:
        """The idle-locked window asks for the same user's password again (failures count)."""
        self._check_password(username, password, action="unlock")

    def change_password(self, username: str, old: str, new: str) -> None:
        """A user changes their own password (the old one must be right; failures count)."""
        check_new_password(username, new)
        if old == new:
            raise InputError("新密码不能与原密码相同", "password")
        self._check_password(username, old, action="change_password", audit_success=False)
        new_hash = hash_password(new)
        with self.ctx.db.unit_of_work() as uow:
            now = self.ctx.now()
            uow.users.set_password_hash(username, new_hash, changed_at=now, must_change=False)
            uow.events.append_office(username, "password_changed", now, subject=username,
                                     comment="用户修改了自己的密码")

    # --- the one place a password is checked ---
    def _check_password(self, username: str, password: str, *, action: str, audit_success: bool = True) -> None:
        if not isinstance(username, str) or not isinstance(password, str):
            raise LoginError("用户名或密码不正确")
        now = self.ctx.now()
        failure: LoginError | None = None
        with self.ctx.db.unit_of_work() as uow:
            user = uow.users.get(username)
            creds = uow.users.credentials(username)
            required = passwords_required(self.ctx, uow)
            if creds is not None and creds["locked_until"] is not None and creds["locked_until"] <= now:
                uow.users.clear_failures(username)  # the lock has run out: count afresh
                creds = {**creds, "failed_logins": 0, "locked_until": None}
            if user is None or creds is None:
                _verify(None, password)
                uow.events.append_office(username[:64] or "?", f"{action}_failed", now, subject=username[:64],
                                         comment="没有此用户")
                failure = LoginError("用户名或密码不正确")
            elif not user.active:
                uow.events.append_office(username, f"{action}_failed", now, subject=username, comment="账户已停用")
                failure = LoginError(f"用户「{username}」已停用，请联系系统管理员")
            elif creds["locked_until"] is not None and creds["locked_until"] > now:
                until = creds["locked_until"]
                uow.events.append_office(username, f"{action}_failed", now, subject=username, comment="账户锁定中")
                failure = LoginError(f"密码连续输错 {MAX_FAILURES} 次，账户已锁定至 {until:%H:%M}，"
                                     "请稍后再试或请系统管理员解锁", until)
            elif creds["password_hash"] is None:
                if required:
                    uow.events.append_office(username, f"{action}_failed", now, subject=username,
                                             comment="尚未设置密码")
                    failure = LoginError(f"用户「{username}」尚未设置密码，请系统管理员设置"
                                         f"（doudi-admin user passwd {username}）")
                elif audit_success:
                    uow.events.append_office(username, action, now, subject=username, comment="未启用密码")
            elif _verify(creds["password_hash"], password):
                if creds["failed_logins"] or creds["locked_until"]:
                    uow.users.clear_failures(username)
                if HASHER.check_needs_rehash(creds["password_hash"]):
                    uow.users.rehash(username, hash_password(password))
                if audit_success:
                    uow.events.append_office(username, action, now, subject=username)
            else:
                failures = uow.users.count_failure(username)
                uow.events.append_office(username, f"{action}_failed", now, subject=username,
                                         comment=f"密码错误（连续第 {failures} 次）")
                if failures >= MAX_FAILURES:
                    until = now + dt.timedelta(minutes=LOCK_MINUTES)
                    uow.users.lock(username, until)
                    uow.events.append_office(username, "account_locked", now, subject=username,
                                             comment=f"密码连续输错 {failures} 次，锁定 {LOCK_MINUTES} 分钟")
                    log.warning("account %s locked after %d failed passwords", username, failures)
                    failure = LoginError(f"密码连续输错 {failures} 次，账户已锁定 {LOCK_MINUTES} 分钟", until)
                else:
                    left = MAX_FAILURES - failures
                    failure = LoginError(f"用户名或密码不正确（再错 {left} 次账户将被锁定 {LOCK_MINUTES} 分钟）")
        # Raised after the block, so the counted failure and its audit event are committed.
        if failure is not None:
            log.info("%s refused for %s: %s", action, username, failure)
            raise failure
        log.info("%s: %s", action, username)
