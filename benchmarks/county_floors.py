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
from collections.abc import Sequence
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
# (QueryService._scope), so neither has the floor. Like the program, it first reads who is asking (the
# role decides whether ID numbers are masked, the area which villages are seen, and a user switched
# off sees nothing) and the office's calendar overrides (the deadline column is in working days).
LIST_SQL = """SELECT c.id, c.number, c.programme, c.workflow_id, c.state, c.closed, c.village_code, a.name,
       h.name, h.id_number, (SELECT COUNT(*) FROM members n WHERE n.household_id = c.household_id),
       c.household_id, c.applied_on, c.state_deadline, c.total_deadline
  FROM cases c
  LEFT JOIN areas a ON a.code = c.village_code
  LEFT JOIN members h ON h.id = (SELECT m.id FROM members m WHERE m.household_id = c.household_id
                                  ORDER BY m.relation != 'head', m.position LIMIT 1)
 {where} ORDER BY c.number, c.id LIMIT 100"""


def list_screen(raw: Any, user: str, where: str = "", args: tuple = (), member: str = ""
                ) -> tuple[list[tuple], int, list]:
    """The first screen of the case list for ``user``: its rows, its total, and (``member``: the
    search's condition on members) which members of the page's households matched."""
    cur = raw.cursor()
    cur.execute(_sql(raw, "SELECT roles, area_code, active FROM users WHERE username = ?"), (user,))
    cur.fetchall()
    cur.execute("SELECT day, is_working FROM calendar_overrides")
    cur.fetchall()
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


def _member_search(raw: Any, user: str, member: str, args: tuple) -> tuple[list[tuple], int, list]:
    return list_screen(raw, user, f"c.household_id IN (SELECT household_id FROM members WHERE {member})", args,
                       member)


def search_id(raw: Any, user: str, number: str) -> tuple[list[tuple], int, list]:
    """Cases of the households with a member of this ID number: the first screen."""
    return _member_search(raw, user, "id_number = ?", (number,))


def search_name(raw: Any, user: str, name: str) -> tuple[list[tuple], int, list]:
    """Cases of the households with a member whose name starts with ``name``: the case list has no
    search for a name alone (a whole name typed finds 王伟 and 王伟明 alike), so an exact name's
    floor is this same prefix search."""
    return _member_search(raw, user, "name >= ? AND name < ?", (name, name + "\U0010ffff"))


def first_page(raw: Any, user: str) -> tuple[list[tuple], int, list]:
    return list_screen(raw, user)


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


def reportlab_table(rows: int | Sequence[Sequence[str]]) -> bytes:
    """The 公示名单 as bare ReportLab would print it: the same page and rows as the program's, no more.

    A4 with the program's GB/T 9704 text block, the title, period, notes and closing paragraphs,
    ``rows`` rows of the program's 6 columns (14 pt, the header row on every page, its grey, the
    grid), page numbers "— n —" alternating sides, and the 落款 with its seal circle. ``rows`` is a
    number of made-up rows or the cells' texts (county.py gives the program's own, so both embed the
    same glyphs). Cells are plain strings; the table is cut into one Table per page by arithmetic on the fixed row height
    (ReportLab's own split of one long table re-measures the rest at every page)."""
    from io import BytesIO

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Flowable, Frame, PageTemplate, Paragraph, Table
    from reportlab.platypus.doctemplate import BaseDocTemplate

    font = "BenchCJK"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font, "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", subfontIndex=0))
    left, top, width, height = 28 * mm, 37 * mm, 156 * mm, 225 * mm
    bottom = A4[1] - top - height

    def page_number(canv, doc) -> None:
        canv.saveState()
        canv.setFont(font, 14)
        y = bottom - 7 * mm - 14 * 0.8
        text = f"— {doc.page} —"
        if doc.page % 2:
            canv.drawRightString(left + width - 14, y, text)
        else:
            canv.drawString(left + 14, y, text)
        canv.restoreState()

    class Signoff(Flowable):
        def wrap(self, aw, ah):
            self.width, self.height = aw, 48
            return aw, 48

        def draw(self):
            c = self.canv
            c.setFont(font, 14)
            c.drawCentredString(self.width - 120, 31, "桃源镇人民政府")
            c.drawRightString(self.width - 56, 7, "2026年11月20日")
            c.saveState()
            c.setDash(3, 3)
            c.circle(self.width - 120, 48, 21 * mm)
            c.drawCentredString(self.width - 120, 70, "（盖章）")
            c.restoreState()

    if isinstance(rows, int):
        surnames, given = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁", "建国秀兰桂英志强丽娟德明玉梅海燕春生淑珍红梅文博"
        data = [[str(i + 1), surnames[i % 37] + given[i // 7 % 24] + given[i // 3 % 24], str(1 + i % 5),
                 str(1 + i % 5), str(300 + i % 2500), "新增"] for i in range(rows)]
    else:  # the cells the program prints, given as text: the same glyphs, so the same embedded font subsets
        data = [list(r) for r in rows]
    rows = len(data)
    out = BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0)
    doc.addPageTemplates([PageTemplate(frames=[Frame(left, bottom, width, height, leftPadding=0, rightPadding=0,
                                                     topPadding=0, bottomPadding=0)], onPageEnd=page_number)])
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=24, firstLineIndent=28, alignment=TA_JUSTIFY)
    story: list[Any] = [
        Paragraph("某某村最低生活保障初审公示", ParagraphStyle("t", fontName=font, fontSize=22, leading=33,
                                                          alignment=TA_CENTER, spaceAfter=19)),
        Paragraph("公示期：2026年11月20日至2026年11月26日", ParagraphStyle("s", fontName=font, fontSize=14, leading=24,
                                                                     alignment=TA_CENTER, spaceAfter=7)),
        Paragraph("（本批公示期已于2026年11月26日结束，本件为存档打印，不再张贴）",
                  ParagraphStyle("n", fontName=font, fontSize=12, leading=20, alignment=TA_CENTER)),
        Paragraph(f"根据《最低生活保障审核确认办法》（民发〔2021〕57号）规定，经家庭经济状况调查，桃源镇人民政府对某某村"
                  f"以下{rows}户提出最低生活保障初审意见，现予公示。", body),
    ]
    weights = (1.3, 3, 2, 2, 3.2, 2.6)
    widths = [width * w / sum(weights) for w in weights]
    header = ["序号", "户主姓名", "家庭人口", "保障人口", "拟保障金额\n（元/月）", "类别"]
    row_h, header_h = 14 * 1.3 + 6, 14 * 1.3 * 2 + 6
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), font, 14, 14 * 1.3),
             ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    room = height - sum(f.wrap(width, height)[1] + f.getSpaceAfter() for f in story)  # what page 1 has left
    start = 0
    while start < rows:
        n = max(int((room - header_h) // row_h), 1)
        chunk = data[start:start + n]
        story.append(Table([header, *chunk], colWidths=widths, rowHeights=[header_h] + [row_h] * len(chunk),
                           style=style))
        start += n
        room = height
    story += [Paragraph("公示期间，任何单位和个人对公示对象有异议的，可通过来电、来信或来访向桃源镇人民政府反映。"
                        "我们将依法对反映人的信息保密，并对反映的情况进行核实。", body),
              Paragraph("联系电话：0311-8661 2345", body), Paragraph("联系地址：桃源镇人民路1号", body), Signoff()]
    doc.build(story)
    return out.getvalue()


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
