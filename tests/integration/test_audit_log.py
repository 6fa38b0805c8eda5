"""The audit log page's service (services/audit.py AuditLog) and its export: every event of the
auditor's area newest first, one keyset page per query, filtered by date, account and case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from doudi_desk.domain.errors import DomainError, InputError
from doudi_desk.domain.ids import make_id
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditLog
from doudi_desk.services.cases import CaseService
from doudi_desk.services.exporting import ExportService
from tests.helpers.dibao import APPLICATION, day, household
from tests.import_support import read_xlsx

EAST, WEST = "130999101001", "130999102001"  # 河东镇前进村, 河西乡红星村
ID_IN_COMMENT = "130102197203150316"


def at(office, when: dt.datetime) -> None:
    office.now = lambda: when


@pytest.fixture
def two_townships(office):
    """A case in each township, done on different days, and office events by each township's staff."""
    admin = AdminService(office)
    admin.add_user("east_admin", "东镇管理", ["admin"], "130999101")
    admin.add_user("west_admin", "西乡管理", ["admin"], "130999102")
    admin.add_user("west_clerk", "西乡经办", ["caseworker"], "130999102")
    svc = CaseService(office)
    at(office, dt.datetime(2026, 11, 18, 10, 0))
    east = svc.create_case(household(EAST), "dibao", "clerk", applied_on=day(0))
    at(office, dt.datetime(2026, 11, 19, 11, 0))
    svc.advance(east["id"], "accept", "clerk", data=APPLICATION, effective_date=day(1),
                comment=f"户主身份证{ID_IN_COMMENT}已核对")
    at(office, dt.datetime(2026, 11, 20, 9, 0))
    other = {"name": "赵一", "id_number": make_id("130102", dt.date(1980, 1, 1), 11), "relation": "head"}
    west = svc.create_case(household(WEST, members=[other], income=[], rigid_expenses=[]), "dibao", "west_clerk",
                           applied_on=day(0))
    at(office, dt.datetime(2026, 11, 21, 9, 0))
    admin.update_user("west_clerk", "西乡经办员", actor="west_admin")  # an office event of 河西乡
    admin.update_user("clerk2", "李强强", actor="east_admin")  # one of 河东镇
    return {"east": svc.show(east["id"]), "west": svc.show(west["id"])}


def everything(log: AuditLog, actor: str, **filters) -> list[dict]:
    return log.page(actor, limit=10000, **filters)["rows"]


def test_an_auditor_sees_the_events_of_their_own_area_only(office, two_townships) -> None:
    log = AuditLog(office)
    east, west = two_townships["east"]["number"], two_townships["west"]["number"]
    east_rows = everything(log, "east_admin")
    west_rows = everything(log, "west_admin")
    assert {r["case_number"] for r in east_rows} == {east, None}
    assert {r["case_number"] for r in west_rows} == {west, None}
    # Office events of the other township's staff are not shown; the program's own (set-up) are.
    assert not any(r["actor"] in ("west_admin", "west_clerk") for r in east_rows)
    assert any(r["actor"] == "east_admin" for r in east_rows)
    assert not any(r["actor"] == "east_admin" for r in west_rows)
    assert any(r["actor"] == "west_admin" and r["action_label"] == "修改用户" for r in west_rows)
    assert any(r["actor"] == "system" and r["actor_name"] == "系统" for r in east_rows)
    # The administrator without an area sees the whole database, newest first.
    all_rows = everything(log, "admin")
    assert {east, west} <= {r["case_number"] for r in all_rows}
    seqs = [r["chain_seq"] for r in all_rows]
    assert seqs == sorted(seqs, reverse=True) and len(all_rows) > len(east_rows)
    # Another township's case number is refused like an unknown one, naming the field.
    with pytest.raises(InputError) as caught:
        log.page("east_admin", case=west)
    assert caught.value.message.startswith("案件号：没有案件") and caught.value.field == "case"
    # Only the auditors: a caseworker is refused.
    with pytest.raises(DomainError):
        log.page("clerk")
    assert {a["username"] for a in log.actors("east_admin")} >= {"east_admin", "clerk", "approver", "system"}
    assert not {"west_admin", "west_clerk"} & {a["username"] for a in log.actors("east_admin")}


def test_filters_by_date_account_and_case(office, two_townships) -> None:
    log = AuditLog(office)
    east = two_townships["east"]
    day_rows = everything(log, "admin", since="2026-11-19", until="2026-11-20")
    assert {r["time"][:10] for r in day_rows} == {"2026-11-19", "2026-11-20"}
    assert {(r["actor"], r["action_label"]) for r in day_rows} == {("clerk", "受理"), ("west_clerk", "登记申请")}
    assert [r["actor"] for r in everything(log, "admin", since=dt.date(2026, 11, 21),
                                                       until=dt.date(2026, 11, 21))] == ["east_admin", "west_admin"]
    assert {r["actor"] for r in everything(log, "admin", by="west_clerk")} == {"west_clerk"}
    rows = everything(log, "east_admin", case=east["number"].lower())
    # The case's own 办理记录 names and moves, newest first.
    history = list(reversed(east["history"]))
    assert [(r["action_label"], r["actor_name"]) for r in rows] == [(e["action"], e["actor_name"]) for e in history]
    assert rows[0]["change"] == f"{history[0]['from_label']} → {history[0]['to_label']}"
    assert rows[-1]["change"] == f"→ {history[-1]['to_label']}"
    assert everything(log, "admin", case=east["number"], by="west_clerk") == []
    for bad, field in (({"since": "2026-02-30"}, "since"), ({"until": "昨天"}, "until"),
                       ({"since": "2026-11-21", "until": "2026-11-20"}, "since")):
        with pytest.raises(InputError) as caught:
            log.page("admin", **bad)
        assert caught.value.field == field


def test_id_numbers_in_comments_are_masked_for_the_auditors(office, two_townships) -> None:
    [accepted] = [r for r in everything(AuditLog(office), "east_admin") if r["trigger"] == "accept"]
    assert accepted["note"] == "户主身份证130102********0316已核对"
    assert ID_IN_COMMENT not in str(everything(AuditLog(office), "approver"))


def test_pages_are_keyset_pages_of_one_query_each(office, two_townships) -> None:
    log = AuditLog(office)
    whole = [r["chain_seq"] for r in everything(log, "east_admin")]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "audit_events" in statement:
            statements.append(statement)

    engine = office.db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        paged, before, pages = [], None, 0
        while True:
            page = log.page("east_admin", limit=4, before=before)
            pages += 1
            assert len(page["rows"]) <= 4
            paged += [r["chain_seq"] for r in page["rows"]]
            before = page["next"]
            if before is None:
                break
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert paged == whole and pages == -(-len(whole) // 4)
    assert len(statements) == pages  # one query of the trail per page, whatever its size


def test_the_export_is_the_list_filtered_as_shown(office, two_townships, tmp_path) -> None:
    east = two_townships["east"]["number"]
    shown = everything(AuditLog(office), "east_admin", since="2026-11-18", until="2026-11-19", by="clerk")
    out = tmp_path / "audit.xlsx"
    result = ExportService(office).export("audit", "east_admin", out, since="2026-11-18", until="2026-11-19",
                                          by="clerk")
    cells = read_xlsx(out)
    assert cells[0][0].endswith("审计记录")
    assert cells[1][0] == "筛选：时间：2026-11-18 至 2026-11-19；操作人：张敏（clerk）"
    assert cells[3] == ["序号", "时间", "操作人", "案件号", "操作", "状态变化", "说明"]
    assert result["rows"] == len(shown) == len(cells) - 4 == 2
    assert [[int(c[0]), c[1], c[2], c[3], c[4], c[5], c[6]] for c in cells[4:]] == \
        [[r["chain_seq"], r["time"], r["actor_name"], east, r["action_label"], r["change"], r["note"]] for r in shown]
    assert "130102********0316" in cells[4][6]
    # A limit below the matches says so in the filter row.
    ExportService(office).export("audit", "admin", tmp_path / "few.xlsx", limit=3)
    few = read_xlsx(tmp_path / "few.xlsx")
    assert few[1][0] == "筛选：仅最近 3 条" and len(few) - 4 == 3
    with pytest.raises(InputError):
        ExportService(office).export("audit", "admin", tmp_path / "x.xlsx", limit=0)
