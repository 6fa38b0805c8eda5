"""Accounts: Argon2id hashes, log-in, lock-out, password changes, user management, office events."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from doudi_desk.domain.errors import DomainError, InputError
from doudi_desk.services import accounts
from doudi_desk.services.accounts import MAX_FAILURES, AccountService, LoginError
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditService
from tests.helpers.office import dump_db

PASSWORD = "Qingshan-2026"


def admin_first(ctx) -> None:
    """Passwords switch on with an administrator's (AdminService refuses any other first)."""
    AdminService(ctx).set_password("admin", "County-key-2026", temporary=False)


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    # The real parameters cost ~50 ms a hash; the tests check behaviour, not cost.
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(accounts, "_DUMMY_HASH", None)


@pytest.fixture
def acc(office):
    return AccountService(office)


def clock(office, minutes: int) -> None:
    office.now = lambda: dt.datetime(2026, 11, 23, 9, 30) + dt.timedelta(minutes=minutes)


def office_actions(office) -> list[str]:
    return [e["action"] for e in reversed(AuditService(office).office_log(limit=1000))]


def test_shipped_hasher_is_argon2id_with_rfc_9106_parameters():
    hasher = PasswordHasher()
    assert accounts.PasswordHasher is PasswordHasher
    digest = hasher.hash(PASSWORD)
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(digest, PASSWORD)


def test_stored_password_is_an_argon2_hash_never_the_password(office):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD)
    with office.db.unit_of_work() as uow:
        creds = uow.users.credentials("clerk")
    assert creds["password_hash"].startswith("$argon2id$") and PASSWORD not in creds["password_hash"]
    assert creds["must_change_password"] is True
    dump = repr(dump_db(office.db_path))
    assert PASSWORD not in dump  # not in the users table, not in any audit event


def test_passwords_off_until_the_first_one_is_set_then_required_for_everyone(office, acc):
    assert acc.status()["passwords_required"] is False
    assert acc.log_in("clerk")["username"] == "clerk"  # a fresh one-PC office, as before accounts
    AdminService(office).set_password("admin", PASSWORD, actor="admin", temporary=False)
    assert acc.status()["passwords_required"] is True
    with pytest.raises(LoginError, match="尚未设置密码"):
        acc.log_in("clerk")
    assert acc.log_in("admin", PASSWORD)["must_change_password"] is False
    assert office_actions(office)[-3:] == ["password_set", "login_failed", "login"]


def test_wrong_passwords_lock_the_account_even_against_the_right_one(office, acc):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    for i in range(MAX_FAILURES - 1):
        with pytest.raises(LoginError, match=f"再错 {MAX_FAILURES - 1 - i} 次"):
            acc.log_in("clerk", "wrong-password")
    with pytest.raises(LoginError, match="已锁定") as locked:
        acc.log_in("clerk", "wrong-password")
    assert locked.value.locked_until == dt.datetime(2026, 11, 23, 9, 45)
    with pytest.raises(LoginError, match="已锁定"):
        acc.log_in("clerk", PASSWORD)  # right password, still locked
    clock(office, 16)  # the lock runs out
    assert acc.log_in("clerk", PASSWORD)["username"] == "clerk"
    with office.db.unit_of_work() as uow:
        assert uow.users.credentials("clerk")["failed_logins"] == 0
    assert office_actions(office).count("account_locked") == 1
    assert office_actions(office).count("login_failed") == MAX_FAILURES + 1


def test_a_success_resets_the_count_and_an_admin_can_unlock(office, acc):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginError):
            acc.log_in("clerk", "nope-nope-nope")
    acc.log_in("clerk", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginError, match="再错"):
            acc.log_in("clerk", "nope-nope-nope")
    with pytest.raises(LoginError, match="已锁定"):
        acc.log_in("clerk", "nope-nope-nope")
    AdminService(office).unlock_user("clerk", actor="admin")
    assert acc.log_in("clerk", PASSWORD)["username"] == "clerk"


def test_unknown_and_disabled_users_are_refused_and_recorded(office, acc):
    with pytest.raises(LoginError, match="用户名或密码不正确"):
        acc.log_in("nobody", "whatever-123")
    AdminService(office).update_user("clerk2", active=False, actor="admin")
    with pytest.raises(LoginError, match="已停用"):
        acc.log_in("clerk2")
    log = AuditService(office).office_log(limit=5)
    assert [e["subject"] for e in log[:3]] == ["clerk2", "clerk2", "nobody"]


def test_temporary_password_must_be_changed_and_the_change_needs_the_old_one(office, acc):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, actor="admin")
    assert acc.log_in("clerk", PASSWORD)["must_change_password"] is True
    with pytest.raises(LoginError):
        acc.change_password("clerk", "not-the-old-one", "Brand-new-2027")
    with pytest.raises(InputError, match="至少 8 位"):
        acc.change_password("clerk", PASSWORD, "short")
    with pytest.raises(InputError, match="不能与原密码相同"):
        acc.change_password("clerk", PASSWORD, PASSWORD)
    acc.change_password("clerk", PASSWORD, "Brand-new-2027")
    assert acc.log_in("clerk", "Brand-new-2027")["must_change_password"] is False
    with pytest.raises(LoginError):
        acc.log_in("clerk", PASSWORD)


def test_idle_unlock_checks_the_password_and_counts_failures(office, acc):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    acc.unlock("clerk", PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginError):
            acc.unlock("clerk", "bad-bad-bad")
    with pytest.raises(LoginError, match="已锁定"):
        acc.unlock("clerk", PASSWORD)


def test_weak_hash_is_upgraded_at_log_in(office, acc, monkeypatch):
    admin_first(office)
    AdminService(office).set_password("clerk", PASSWORD, temporary=False)
    with office.db.unit_of_work() as uow:
        old = uow.users.credentials("clerk")["password_hash"]
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    acc.log_in("clerk", PASSWORD)
    with office.db.unit_of_work() as uow:
        new = uow.users.credentials("clerk")["password_hash"]
    assert new != old and "m=2048,t=2" in new


@pytest.mark.parametrize("password,message", [
    ("short", "至少 8 位"), ("x" * 129, "不能超过"), ("clerkclerk", "过于简单"), ("aaaaaaaaaa", "过于简单"),
    (" leading-space", "空格"), ("nul\x00inside", "不可见"),
])
def test_bad_passwords_are_refused_and_nothing_is_written(office, password, message):
    before = dump_db(office.db_path)
    with pytest.raises(InputError, match=message):
        AdminService(office).set_password("clerk", password)
    assert dump_db(office.db_path) == before


def test_update_user_roles_area_and_active_with_guard_rails(office):
    admin = AdminService(office)
    user = admin.update_user("clerk", "张敏敏", ["caseworker", "township_reviewer"], "130999101", actor="admin")
    assert user.roles == ("caseworker", "township_reviewer") and user.area_code == "130999101"
    assert admin.update_user("clerk", clear_area=True, actor="admin").area_code is None
    with pytest.raises(DomainError, match="不能取消自己"):
        admin.update_user("admin", roles=["caseworker"], actor="admin")
    with pytest.raises(DomainError, match="最后一个"):
        admin.update_user("admin", active=False)
    with pytest.raises(InputError, match="角色只能是"):
        admin.update_user("clerk", roles=["boss"], actor="admin")
    with pytest.raises(InputError, match="没有要修改"):
        admin.update_user("clerk", "张敏敏", actor="admin")
    with pytest.raises(DomainError, match="不是系统管理员"):
        admin.update_user("clerk2", "李", actor="clerk")
    log = AuditService(office).office_log(limit=2)
    assert log[0]["action"] == "user_updated" and log[0]["data"]["changes"]["area_code"]["after"] is None


def test_remove_calendar_day(office):
    admin = AdminService(office)
    admin.set_calendar_day(dt.date(2026, 12, 5), True, "调休上班", actor="admin")
    assert admin.remove_calendar_day(dt.date(2026, 12, 5), actor="admin") is True
    assert admin.remove_calendar_day(dt.date(2026, 12, 5), actor="admin") is False
    with office.db.unit_of_work() as uow:
        assert dt.date(2026, 12, 5) not in uow.calendar.all()
    assert office_actions(office)[-2:] == ["calendar_set", "calendar_removed"]


def test_passwords_are_always_required_on_a_shared_server(office, acc, monkeypatch):
    monkeypatch.setattr(office.db, "is_sqlite", False)  # what a PostgreSQL URL gives
    with pytest.raises(LoginError, match="尚未设置密码"):
        acc.log_in("clerk")


def test_the_first_password_must_be_an_administrators(office):
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="请先为一名系统管理员设置密码"):
        AdminService(office).set_password("clerk", PASSWORD, actor="admin")
    assert dump_db(office.db_path) == before
    AdminService(office).set_password("admin", PASSWORD, actor="admin")
    with office.db.unit_of_work() as uow:
        assert uow.users.credentials("admin")["must_change_password"] is False  # one's own password
    AdminService(office).set_password("clerk", PASSWORD, actor="admin")
