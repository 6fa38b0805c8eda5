"""Some real work written to the audit chain, then each way of tampering with it (update, delete,
re-hash, renumber, forge the head) and the check that verification names the break."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import create_engine, text

from doudi_desk.domain.ids import make_id
from doudi_desk.services.accounts import AccountService
from doudi_desk.services.admin import AdminService
from doudi_desk.services.audit import AuditService
from doudi_desk.services.cases import CaseService
from doudi_desk.storage.chain import event_digest
from tests.helpers.dibao import APPLICATION, day, household, to_posting


def work(office) -> dict:
    """Some real work: two cases moved along, a log-in, an admin change."""
    svc = CaseService(office)
    first = to_posting(svc)
    other = {"name": "赵一", "id_number": make_id("130102", dt.date(1980, 1, 1), 11), "relation": "head"}
    second = svc.create_case(household(members=[other], income=[], rigid_expenses=[]), "dibao", "clerk", applied_on=day(0))
    svc.advance(second["id"], "accept", "clerk", data=APPLICATION, effective_date=day(1))
    AdminService(office).set_password("admin", "County-key-2026", temporary=False)
    AdminService(office).set_password("clerk", "Qingshan-2026", temporary=False)
    AccountService(office).log_in("clerk", "Qingshan-2026")
    return {"first": first["id"], "second": second["id"]}


def disable_triggers(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))


def _case_event(conn, case_id: int, seq: int) -> int:
    return conn.execute(text("SELECT chain_seq FROM audit_events WHERE case_id = :c AND seq = :s"),
                        {"c": case_id, "s": seq}).scalar_one()


def _last(conn) -> int:
    return conn.execute(text("SELECT MAX(chain_seq) FROM audit_events")).scalar_one()


def _rehash_row(conn, chain_seq: int) -> None:
    """What a careful forger does: recompute the edited row's own hash with the published algorithm."""
    row = conn.execute(text("SELECT * FROM audit_events WHERE chain_seq = :n"), {"n": chain_seq}).mappings().one()
    values = dict(row)
    import json

    for key in ("changes", "data"):
        if isinstance(values[key], str):
            values[key] = json.loads(values[key])
    for key, kind in (("recorded_at", dt.datetime), ("effective_date", dt.date)):
        if isinstance(values[key], str):
            values[key] = kind.fromisoformat(values[key])
    digest = event_digest(values["prev_hash"], values)
    conn.execute(text("UPDATE audit_events SET hash = :h WHERE chain_seq = :n"), {"h": digest, "n": chain_seq})


# Each: (name, tamper(conn, ids) -> the chain_seq or None the report must name, expected kind).
def update_comment(conn, ids):
    n = _case_event(conn, ids["first"], 3)
    conn.execute(text("UPDATE audit_events SET comment = '已核实' WHERE chain_seq = :n"), {"n": n})
    return n


def _update_actor(conn, ids):
    n = _case_event(conn, ids["first"], 5)  # who posted the 初审 opinion
    conn.execute(text("UPDATE audit_events SET actor = 'admin' WHERE chain_seq = :n"), {"n": n})
    return n


def _update_data(conn, ids):
    n = _case_event(conn, ids["first"], 4)  # the investigation forms
    conn.execute(text("UPDATE audit_events SET data = :d WHERE chain_seq = :n"), {"d": "{}", "n": n})
    return n


def _update_time(conn, ids):
    n = _case_event(conn, ids["second"], 2)
    conn.execute(text("UPDATE audit_events SET recorded_at = :t WHERE chain_seq = :n"),
                 {"t": dt.datetime(2026, 1, 1, 8, 0), "n": n})
    return n


def _update_office_event(conn, ids):
    n = _last(conn)  # the log-in
    conn.execute(text("UPDATE audit_events SET actor = 'nobody', to_state = 'nobody' WHERE chain_seq = :n"), {"n": n})
    return n


def _update_and_rehash(conn, ids):
    n = _case_event(conn, ids["first"], 2)
    conn.execute(text("UPDATE audit_events SET comment = '补录' WHERE chain_seq = :n"), {"n": n})
    _rehash_row(conn, n)
    return n + 1  # the row itself checks out now; the next one no longer links to it


def _delete_middle(conn, ids):
    n = _case_event(conn, ids["first"], 4)
    conn.execute(text("DELETE FROM audit_events WHERE chain_seq = :n"), {"n": n})
    return n


def _delete_first(conn, ids):
    conn.execute(text("DELETE FROM audit_events WHERE chain_seq = 1"))
    return 1


def _delete_last(conn, ids):
    n = _last(conn)
    conn.execute(text("DELETE FROM audit_events WHERE chain_seq = :n"), {"n": n})
    return n


def _delete_a_case_history(conn, ids):
    first = conn.execute(text("SELECT MIN(chain_seq) FROM audit_events WHERE case_id = :c"),
                         {"c": ids["second"]}).scalar_one()
    conn.execute(text("DELETE FROM audit_events WHERE case_id = :c"), {"c": ids["second"]})
    return first


def _delete_and_renumber(conn, ids):
    n = _case_event(conn, ids["first"], 4)
    conn.execute(text("DELETE FROM audit_events WHERE chain_seq = :n"), {"n": n})
    conn.execute(text("UPDATE audit_events SET chain_seq = chain_seq - 1 WHERE chain_seq > :n"), {"n": n})
    conn.execute(text("UPDATE audit_chain SET last_seq = last_seq - 1"))
    return n  # the renumbered row's link points at the deleted one


def _forge_head(conn, ids):
    conn.execute(text("UPDATE audit_chain SET last_hash = :h"), {"h": "f" * 64})
    return None


def _drop_head(conn, ids):
    conn.execute(text("DELETE FROM audit_chain"))
    return None


def _append_forged(conn, ids):
    last = conn.execute(text("SELECT chain_seq, hash FROM audit_events ORDER BY chain_seq DESC LIMIT 1")).one()
    values = {"chain_seq": last[0] + 1, "case_id": ids["first"], "seq": 99, "actor": "approver",
              "trigger": "approve", "from_state": "posting", "to_state": "approved",
              "recorded_at": dt.datetime(2026, 11, 23, 10), "effective_date": dt.date(2026, 11, 23),
              "comment": "同意", "changes": {}, "data": {}}
    digest = event_digest(last[1], values)
    conn.execute(text(
        "INSERT INTO audit_events (case_id, seq, actor, \"trigger\", from_state, to_state, recorded_at, "
        "effective_date, comment, changes, data, chain_seq, prev_hash, hash) VALUES (:case_id, :seq, :actor, "
        ":trigger, :from_state, :to_state, :recorded_at, :effective_date, :comment, '{}', '{}', :chain_seq, "
        ":prev, :hash)"), values | {"prev": last[1], "hash": digest})
    return None  # a well-formed link, but the chain head still ends before it


TAMPERS: list[tuple[str, Callable, str]] = [
    ("update comment", update_comment, "altered"),
    ("update actor", _update_actor, "altered"),
    ("update form data", _update_data, "altered"),
    ("update time", _update_time, "altered"),
    ("update office event", _update_office_event, "altered"),
    ("update and re-hash the row", _update_and_rehash, "relinked"),
    ("delete a middle event", _delete_middle, "missing"),
    ("delete the first event", _delete_first, "missing"),
    ("delete the last event", _delete_last, "truncated"),
    ("delete a case's whole history", _delete_a_case_history, "missing"),
    ("delete and renumber", _delete_and_renumber, "relinked"),
    ("forge the chain head", _forge_head, "head"),
    ("delete the chain head", _drop_head, "head"),
    ("append a forged approval", _append_forged, "head"),
]


def tamper_and_verify(office, url: str, tamper: Callable, kind: str) -> dict:
    ids = work(office)
    assert AuditService(office).verify()["ok"]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            disable_triggers(conn)
            where = tamper(conn, ids)
    finally:
        engine.dispose()
    result = AuditService(office).verify()
    assert not result["ok"], result
    assert result["problem"]["kind"] == kind, result
    if where is not None:
        assert result["problem"]["chain_seq"] == where, result
    assert result["message"].startswith("审计记录链已断开")
    return result
