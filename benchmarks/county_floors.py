"""The floors of benchmarks/county.py: the same work done by the bare libraries, measured in the same run.

Each returns seconds. SQL is written once with ``?`` placeholders and given to SQLite's or
PostgreSQL's DBAPI cursor as it is or with ``%s``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from doudi_desk.storage.chain import event_digest


def _sql(raw: Any, text: str) -> str:
    return text if isinstance(raw, sqlite3.Connection) else text.replace("?", "%s")


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
    """Wall seconds and the value; the process's CPU seconds of the call are left in ``timed.cpu``
    (the machine may be shared: CPU time shows what the work itself cost)."""
    cpu = time.process_time()
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    timed.cpu = time.process_time() - cpu  # type: ignore[attr-defined]
    return time.perf_counter() - start, value


def best_of(n: int, fn, *args, **kwargs) -> float:
    return min(timed(fn, *args, **kwargs)[0] for _ in range(n))


ROW_SQL = """SELECT c.id, c.number, c.programme, c.state, c.village_code, c.applied_on, c.state_deadline,
       c.total_deadline, CAST(c.proposal AS TEXT), m.name, m.id_number
  FROM cases c JOIN members m ON m.household_id = c.household_id AND m.position = 0
 WHERE c.id IN ({ids})"""


# What the case list shows for a page (ui/case_list.py COLUMNS, QueryService.case_page): number, head
# and head's ID number (the member of relation 户主, else the first), village name, programme, state,
# number of members, applied on, deadlines; "共 N 件" above it; and while searching, whose name / ID
# matched. One statement for the page, one COUNT, one for the matched members: what a hand-written
# bare query of the same screen needs. A county user of a one-county database has no village filter
# (QueryService._scope), so neither has the floor.
LIST_SQL = """SELECT c.id, c.number, c.programme, c.workflow_id, c.state, c.closed, c.village_code, a.name,
       h.name, h.id_number, (SELECT COUNT(*) FROM members n WHERE n.household_id = c.household_id),
       c.household_id, c.applied_on, c.state_deadline, c.total_deadline
  FROM cases c
  LEFT JOIN areas a ON a.code = c.village_code
  LEFT JOIN members h ON h.id = (SELECT m.id FROM members m WHERE m.household_id = c.household_id
                                  ORDER BY m.relation != 'head', m.position LIMIT 1)
 {where} ORDER BY c.number, c.id LIMIT 100"""


def list_screen(raw: Any, where: str = "", args: tuple = (), member: str = "") -> tuple[list[tuple], int, list]:
    """The first screen of the case list: its rows, its total, and (``member``: the search's condition
    on members) which members of the page's households matched."""
    cur = raw.cursor()
    cur.execute(_sql(raw, LIST_SQL.format(where=f"WHERE {where}" if where else "")), args)
    rows = cur.fetchall()
    cur.execute(_sql(raw, f"SELECT COUNT(*) FROM cases c {'WHERE ' + where if where else ''}"), args)
    total = cur.fetchone()[0]
    matched: list = []
    if member and rows:
        households = sorted({r[11] for r in rows})
        cur.execute(_sql(raw, f"SELECT household_id, name FROM members WHERE household_id IN "
                              f"({','.join('?' * len(households))}) AND {member} ORDER BY household_id, position"),
                    [*households, *args])
        matched = cur.fetchall()
    if not isinstance(raw, sqlite3.Connection):
        raw.rollback()
    return rows, total, matched


def _member_search(raw: Any, member: str, args: tuple) -> tuple[list[tuple], int, list]:
    return list_screen(raw, f"c.household_id IN (SELECT household_id FROM members WHERE {member})", args, member)


def search_id(raw: Any, number: str) -> tuple[list[tuple], int, list]:
    """Cases of the households with a member of this ID number: the first screen."""
    return _member_search(raw, "id_number = ?", (number,))


def search_name(raw: Any, name: str) -> tuple[list[tuple], int, list]:
    """Cases of the households with a member whose name starts with ``name``: the case list has no
    search for a name alone (a whole name typed finds 王伟 and 王伟明 alike), so an exact name's
    floor is this same prefix search."""
    return _member_search(raw, "name >= ? AND name < ?", (name, name + "\U0010ffff"))


def first_page(raw: Any) -> tuple[list[tuple], int, list]:
    return list_screen(raw)


def tab_counts(raw: Any, today: str) -> list[tuple]:
    """The cases of the county by workflow, state and closed, with how many are overdue: every
    tab's count is a sum of these (QueryService.tab_counts)."""
    cur = raw.cursor()
    cur.execute(_sql(raw, "SELECT workflow_id, state, closed, COUNT(*), SUM(CASE WHEN closed = ? AND "
                          "(state_deadline < ? OR total_deadline < ?) THEN 1 ELSE 0 END) FROM cases "
                          "GROUP BY workflow_id, state, closed"),
                (False if not isinstance(raw, sqlite3.Connection) else 0, today, today))
    rows = cur.fetchall()
    if not isinstance(raw, sqlite3.Connection):
        raw.rollback()
    return rows


def count_all(raw: Any) -> int:
    cur = raw.cursor()
    cur.execute("SELECT COUNT(*) FROM cases")
    return cur.fetchone()[0]


def queue_rows(raw: Any, states: list[str]) -> list[tuple]:
    """The rows of the supervisor queue, in one statement."""
    cur = raw.cursor()
    marks = ",".join("?" * len(states))
    cur.execute(_sql(raw, ROW_SQL.format(ids=f"SELECT id FROM cases WHERE state IN ({marks}) AND closed = ?")),
                [*states, False if not isinstance(raw, sqlite3.Connection) else 0])
    return cur.fetchall()


def decide_in_one_transaction(raw: Any, ids: list[int], *, commit_each: bool) -> None:
    """Per case: UPDATE the case (version check) and INSERT a 700-byte row into a scratch table —
    everything a decision writes, minus the program. Rolled back (one transaction) or written to the
    scratch table only (a commit per case; the case row is updated to itself)."""
    cur = raw.cursor()
    key = "INTEGER PRIMARY KEY" if isinstance(raw, sqlite3.Connection) else "SERIAL PRIMARY KEY"
    cur.execute(f"CREATE TABLE IF NOT EXISTS bench_scratch (id {key}, case_id INTEGER, payload TEXT)")
    raw.commit()
    payload = json.dumps({"state": {"before": "county_review", "after": "approved"}, "x": "同意" * 200},
                         ensure_ascii=False)
    update = _sql(raw, "UPDATE cases SET version = version WHERE id = ? AND version = version")
    insert = _sql(raw, "INSERT INTO bench_scratch (case_id, payload) VALUES (?, ?)")
    for cid in ids:
        cur.execute(update, (cid,))
        cur.execute(insert, (cid, payload))
        if commit_each:
            raw.commit()
    if commit_each:
        cur.execute("DROP TABLE bench_scratch")
        raw.commit()
    else:
        raw.rollback()
        cur.execute("DROP TABLE IF EXISTS bench_scratch")
        raw.commit()


def read_events(raw: Any) -> int:
    """Read every page of the audit trail once (in the database's C code), so the walks after it
    find the file in the page cache whichever runs first."""
    cur = raw.cursor()
    cur.execute("SELECT SUM(LENGTH(CAST(changes AS TEXT)) + LENGTH(CAST(data AS TEXT)) + LENGTH(hash)) "
                "FROM audit_events")
    value = cur.fetchone()[0] or 0
    if not isinstance(raw, sqlite3.Connection):
        raw.rollback()
    return value


def hash_walk(raw: Any) -> int:
    """The raw hash walk: every event fetched by the bare driver and hashed by storage/chain.py."""
    cur = raw.cursor()
    if isinstance(raw, sqlite3.Connection):
        cur.execute("SELECT chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at, "
                    "effective_date, comment, changes, data, prev_hash, hash FROM audit_events ORDER BY chain_seq")
    else:
        cur = raw.cursor(name="walk")  # server-side cursor: rows stream
        cur.itersize = 5000
        cur.execute("SELECT chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at::text, "
                    "effective_date::text, comment, changes::text, data::text, prev_hash, hash "
                    "FROM audit_events ORDER BY chain_seq")
    prev, n = "0" * 64, 0
    loads, fromiso, dfromiso = json.loads, dt.datetime.fromisoformat, dt.date.fromisoformat
    for (chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at, effective_date, comment,
         changes, data, prev_hash, digest) in cur:
        values = {"chain_seq": chain_seq, "case_id": case_id, "seq": seq, "actor": actor, "trigger": trigger,
                  "from_state": from_state, "to_state": to_state, "recorded_at": fromiso(recorded_at),
                  "effective_date": dfromiso(effective_date), "comment": comment, "changes": loads(changes),
                  "data": loads(data)}
        if prev_hash != prev or event_digest(prev, values) != digest:
            raise AssertionError(f"chain broken at {chain_seq}")
        prev, n = digest, n + 1
    if not isinstance(raw, sqlite3.Connection):
        cur.close()
        raw.rollback()
    return n


def sqlite_backup(source: Path, dest: Path) -> None:
    dest.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        src.backup(dst)
        dst.close()
    finally:
        src.close()


def pg_dump(env: dict[str, str], dest: Path, tool: str) -> None:
    subprocess.run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}"], env=env,
                   check=True, capture_output=True)


def reportlab_table(rows: int) -> bytes:
    """A bare ReportLab list of ``rows`` rows of 5 columns in the CJK font, one table per page chunk."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    if "BenchCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("BenchCJK", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", subfontIndex=0))
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)
    story: list[Any] = [Paragraph("某某村最低生活保障初审公示", ParagraphStyle("t", fontName="BenchCJK", fontSize=18))]
    data = [[str(i + 1), "王建国", "3", "2", "1,079"] for i in range(rows)]
    for start in range(0, rows, 30):
        chunk = [["序号", "户主姓名", "家庭人口", "保障人口", "拟保障金额（元/月）"], *data[start:start + 30]]
        story.append(Table(chunk, repeatRows=1, style=[("FONT", (0, 0), (-1, -1), "BenchCJK", 11),
                                                        ("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.build(story)
    return out.getvalue()


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
