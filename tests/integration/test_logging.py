"""The log file says what an IT helper needs (issue 10 item 18): log-ins and refused ones, batch
results with each refusal, backups, errors; the transitions library's chatter stays out."""

from __future__ import annotations

import logging

import pytest

from doudi_desk.app import LIBRARY_LEVELS, setup_logging


@pytest.fixture
def log_file(tmp_path):
    root = logging.getLogger()
    before = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in LIBRARY_LEVELS})
    path = setup_logging(tmp_path / "log")
    yield path
    for handler in root.handlers:
        if handler not in before[0]:
            handler.close()
    root.handlers[:] = before[0]
    root.setLevel(before[1])
    for name, level in before[2].items():
        logging.getLogger(name).setLevel(level)


def test_the_log_holds_log_ins_batches_and_backups_and_no_library_chatter(log_file, office, tmp_path):
    from doudi_desk.domain.errors import DomainError
    from doudi_desk.services.accounts import AccountService
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.backup import BackupService
    from doudi_desk.services.batch import BatchService
    from doudi_desk.services.cases import CaseService
    from tests.helpers.dibao import to_county

    accounts = AccountService(office)
    AdminService(office).set_password("admin", "Qingshan#2026-mz", temporary=False)
    accounts.log_in("admin", "Qingshan#2026-mz")
    with pytest.raises(DomainError):
        accounts.log_in("admin", "wrong")
    svc = CaseService(office)
    views = [to_county(svc, seq) for seq in (301, 303)]  # dozens of state changes through transitions
    items = [{"id": v["id"], "number": v["number"], "version": v["version"]} for v in views]
    items[1]["version"] -= 1  # changed since the supervisor looked: refused
    BatchService(office).run(items, "approve", "approver")
    backup = BackupService(office).backup(tmp_path / "b.sqlite3", actor="admin")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_file.read_text("utf-8")
    assert "transitions.core" not in text
    assert "INFO doudi_desk.services.accounts: login: admin" in text
    assert "login refused for admin: 用户名或密码不正确" in text
    assert "batch approve by approver: 1 of 2 done, 1 refused" in text
    assert f"batch approve by approver done: {views[0]['number']}" in text
    assert f"batch approve by approver refused {views[1]['number']}: 已由他人处理" in text
    assert f"backup written to {backup['file']}" in text
    assert "Qingshan#2026-mz" not in text and "wrong" not in text  # never a password
