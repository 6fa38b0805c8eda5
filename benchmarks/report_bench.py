"""Speed of the reports at county scale: the county's 统计月报 at 100,000 households (target ≤ 5 s)
and a village's 一户一册 batch of 300 households (target ≤ 30 s), each beside a floor measured in
the same run on the same data (reading the same rows raw, without any arithmetic or printing).

Generates its county in bulk (Core inserts; benchmarks/county.py will be the shared generator once it
lands): 18 townships, 360 villages, 100,000 families — 60 % 低保 (a third reviewed, some in 渐退,
some stopped), 10 % 特困, 10 % 临时救助, the rest refused or open — about 145,000 cases; one village
has exactly 300 families with their audit events.

With ``--payrolls`` the county has also paid its last 12 months through the program (a closed
低保 and 特困 payroll per township and month, 2 % of lines failed at the bank, a 价格临时补贴 payroll
in the report month), so the report reads 实发 from about 750,000 paid lines and each family's book
prints its payment months.

Prints figures; asserts nothing. Run:
    .venv/bin/python benchmarks/report_bench.py [--households N] [--keep DB] [--payrolls]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from doudi_desk.domain.ids import make_id  # noqa: E402
from doudi_desk.domain.paid_figures import village_sums  # noqa: E402
from doudi_desk.services.admin import AdminService, default_policy  # noqa: E402
from doudi_desk.services.context import open_context  # noqa: E402
from doudi_desk.storage.models import (  # noqa: E402
    AuditEventRow,
    BankFileRow,
    CaseRow,
    HouseholdRow,
    MemberRow,
    PayrollLineRow,
    PayrollRow,
)

TODAY = dt.date(2026, 11, 23)
MONTH = "2026-10"
COUNTY = "139901"
BOOK_VILLAGE = "139901101001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def month_add(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:])
    total = y * 12 + m - 1 + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def generate(ctx, households: int) -> dict:
    rnd = random.Random(17)
    admin = AdminService(ctx)
    admin.add_area(COUNTY, "青山县", "county")
    villages = []
    for t in range(18):
        town = f"{COUNTY}{101 + t:03d}"
        admin.add_area(town, f"第{t + 1}镇", "township", COUNTY)
        for v in range(20):
            code = f"{town}{v + 1:03d}"
            villages.append(code)
    with ctx.db.unit_of_work() as uow:  # 360 villages in one transaction
        from doudi_desk.domain.model import Area

        for code in villages:
            uow.areas.add(Area(code, f"{code[-5:]}{'社区' if code.endswith('001') else '村'}", "village", code[:9],
                               "urban" if code.endswith("001") else "rural"))
    admin.add_user("clerk", "张敏", ["caseworker"])
    admin.set_policy(COUNTY, dt.date(2024, 1, 1), default_policy())
    now = dt.datetime(2026, 11, 23, 9, 0)
    hh_rows, member_rows, case_rows, event_rows = [], [], [], []
    case_id = 0
    numbers: dict[str, int] = {}

    def number(code: str, year: int) -> str:
        key = f"{year}-{code}"
        numbers[key] = numbers.get(key, 0) + 1
        return f"{key}-{numbers[key]:06d}"

    def add_case(**values) -> int:
        nonlocal case_id
        case_id += 1
        base = {"id": case_id, "workflow_version": 1, "created_by": "clerk", "created_at": now,
                "county_delegated": False, "staff_relative": False, "forms": {}, "proposal": None, "decision": None,
                "closed": False, "kind": "application", "parent_case_id": None, "benefit": None,
                "next_review_on": None, "version": 1, "accepted_on": None, "state_deadline": None,
                "total_deadline": None, "state_entered_on": values["applied_on"],
                "last_effective_date": values["applied_on"]}
        case_rows.append(base | values)
        return case_id

    hid = 0
    for i in range(households):
        village = BOOK_VILLAGE if i < 300 else villages[1 + i % (len(villages) - 1)]
        kind = i % 10
        size = 1 if kind in (6,) else (2 if kind == 7 else 1 + i % 4)
        hid += 1
        hh_rows.append({"id": hid, "village_code": village, "address": f"{village[-3:]}号", "phone": "",
                        "bank_name": "", "bank_account": "", "no_able_supporter": kind == 6,
                        "assets": {"financial": "0", "vehicles": [], "homes": 1, "commercial_property": False},
                        "temporary": {"type": "urgent" if i % 20 < 10 else "expenditure", "amount": "3000",
                                      "cause": "火灾"} if kind == 7 else None, "created_at": now})
        surname = SURNAMES[i % len(SURNAMES)]
        own_members = []
        for p in range(size):
            born = dt.date(1940 + (i * 7 + p * 13) % 80, 1 + (i + p) % 12, 1 + (i * 3 + p) % 28)
            own_members.append({"household_id": hid, "position": p, "name": f"{surname}{i}{p}", "name_initials": "",
                                "id_number": make_id("139901", born, (i * 4 + p) % 999 + 1),
                                "relation": "head" if p == 0 else "child", "excluded": None,
                                "disability_type": "physical" if (i + p) % 17 == 0 else None,
                                "disability_grade": 2 if (i + p) % 17 == 0 else None,
                                "serious_illness": (i + p) % 23 == 0, "applicant": p == 0, "adl_unable": 0,
                                "work_capacity": None, "student": False, "staff_relative": False})
        member_rows.extend(own_members)
        own_household = hh_rows[-1]
        start = month_add("2023-11", rnd.randrange(36))
        decided = dt.date.fromisoformat(month_add(start, -1) + "-15")
        applied = decided - dt.timedelta(days=30)
        amount = 300 * size + (i % 7) * 10
        if kind <= 5 or kind == 6:
            programme = "tekun" if kind == 6 else "dibao"
            decision = {"result": "approved", "monthly_amount": str(amount), "covered": list(range(size)),
                        "basis": "person" if kind == 6 else ("single_person" if i % 13 == 0 else "household"),
                        "decided_on": decided.isoformat(), "start_month": start, "review_interval_months": 12}
            if kind == 6:
                decision |= {"care_level": ("self_care", "partial", "full")[i % 3],
                             "supply_mode": "centralised" if i % 2 else "dispersed"}
            benefit = {"status": "active", "monthly_amount": str(amount), "covered": list(range(size)),
                       "since_month": start, "history": []}
            parent = add_case(number=number("DB" if kind != 6 else "TK", decided.year), programme=programme,
                              workflow_id=programme, state="approved", household_id=hid, village_code=village,
                              applied_on=applied, accepted_on=applied + dt.timedelta(days=1), decision=decision,
                              benefit=benefit, closed=True,
                              next_review_on=dt.date.fromisoformat(month_add(start, 12) + "-01"))
            r = i % 30
            if r < 10 or r in (10, 11, 12, 13, 14, 15):  # reviewed, phased out or stopped later
                eff = month_add(start, 6 + i % 12)
                if eff <= "2026-12":
                    result = "lower" if r < 10 else ("phase_out" if r < 13 else "stop")
                    child = {"result": result, "effective_month": eff,
                             "decided_on": (dt.date.fromisoformat(eff + "-01") - dt.timedelta(days=10)).isoformat(),
                             "monthly_amount": str(amount - 50) if result == "lower" else str(amount)}
                    if result == "lower":
                        child["covered"] = list(range(size))
                    if result == "phase_out":
                        child["phase_out_until"] = month_add(eff, 5)
                    hid += 1  # a review holds its own copy of the family
                    hh_rows.append(own_household | {"id": hid})
                    member_rows.extend(m | {"household_id": hid} for m in own_members)
                    kind_name = "termination" if result == "stop" else "review"
                    add_case(number=number("DBFH" if kind_name == "review" else "DBTB", int(eff[:4])),
                             programme=programme, workflow_id=f"{programme}_{kind_name}",
                             state="terminated" if result == "stop" else "decided", household_id=hid,
                             village_code=village, applied_on=dt.date.fromisoformat(child["decided_on"]),
                             kind=kind_name, parent_case_id=parent, decision=child, closed=True,
                             proposal={"basis": decision["basis"]})
        elif kind == 7:
            add_case(number=number("LS", decided.year), programme="temporary", workflow_id="temporary",
                     state="approved", household_id=hid, village_code=village, applied_on=applied,
                     accepted_on=applied, closed=True,
                     decision={"result": "approved", "amount": "3000", "approval_level": "township",
                               "decided_on": (TODAY - dt.timedelta(days=i % 400)).isoformat()})
        elif kind == 8:
            add_case(number=number("DB", applied.year), programme="dibao", workflow_id="dibao", state="refused",
                     household_id=hid, village_code=village, applied_on=applied, accepted_on=applied, closed=True,
                     total_deadline=applied + dt.timedelta(days=42),
                     decision={"result": "refused", "decided_on": decided.isoformat(), "reasons": "收入超标"})
        else:
            opened = TODAY - dt.timedelta(days=i % 90)
            add_case(number=number("DB", opened.year), programme="dibao", workflow_id="dibao", state="investigating",
                     household_id=hid, village_code=village, applied_on=opened, accepted_on=opened,
                     total_deadline=opened + dt.timedelta(days=42))
    seq = 0
    for c in case_rows:
        if c["village_code"] == BOOK_VILLAGE or c["id"] % 97 == 0:
            steps = ["create", "accept", "start_investigation", "complete_investigation", "post_notice"]
            if c["id"] % 97 == 0:
                steps.append("record_objection")
            if c["decision"]:
                steps.append("approve" if c["state"] == "approved" else "decide")
            for n, trigger in enumerate(steps, 1):
                seq += 1
                day = c["applied_on"] + dt.timedelta(days=n)
                event_rows.append({"case_id": c["id"], "seq": n, "actor": "clerk", "trigger": trigger,
                                   "from_state": None if n == 1 else "applied", "to_state": c["state"],
                                   "recorded_at": now, "effective_date": day, "comment": "", "changes": {},
                                   "data": {"home_visit": {}} if trigger == "complete_investigation" else {},
                                   "chain_seq": 10_000 + seq, "prev_hash": "0" * 64, "hash": "0" * 64})
    with ctx.db.engine.begin() as conn:
        for table, rows in ((HouseholdRow, hh_rows), (MemberRow, member_rows), (CaseRow, case_rows),
                            (AuditEventRow, event_rows)):
            for k in range(0, len(rows), 5000):
                conn.execute(insert(table.__table__), rows[k:k + 5000])
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"households": households, "household_rows": len(hh_rows), "members": len(member_rows),
            "cases": len(case_rows), "events": len(event_rows)}


def add_payrolls(ctx) -> dict:
    """Closed payrolls of the 12 months up to the report month for every township and group, with a
    line per benefit and month from its start (amounts as approved; 2 % failed at the bank), and a
    价格临时补贴 payroll of the report month. Bulk inserts, like the county above."""
    months = [month_add(MONTH, -k) for k in range(11, -1, -1)]
    now = dt.datetime(2026, 11, 23, 9, 0)
    with ctx.db.engine.connect() as conn:
        benefits = conn.execute(
            CaseRow.__table__.select().with_only_columns(CaseRow.id, CaseRow.programme, CaseRow.village_code,
                                                         CaseRow.household_id, CaseRow.decision)
            .where(CaseRow.kind == "application", CaseRow.state == "approved",
                   CaseRow.programme.in_(("dibao", "tekun")))).all()
    payrolls, lines, ids = [], [], {}
    for town in sorted({b.village_code[:9] for b in benefits}):
        for group in ("dibao", "tekun", "price_subsidy"):
            for m in months if group != "price_subsidy" else [MONTH]:
                ids[town, group, m] = len(ids) + 1
                payrolls.append({"id": ids[town, group, m], "area_code": town, "group_code": group, "month": m,
                                 "state": "closed", "version": 8, "covers_from": months[0], "built_by": "clerk",
                                 "built_at": now, "line_count": 0, "total": 0, "held_count": 0, "held_total": 0,
                                 "note": ""})
    seq = 0
    for b in benefits:
        d = b.decision or {}
        amount, start = d.get("monthly_amount") or "0", d.get("start_month") or "9999-12"
        persons = len(d.get("covered") or [])
        for m in months:
            if m < start:
                continue
            seq += 1
            lines.append({"payroll_id": ids[b.village_code[:9], b.programme, m], "seq": seq, "case_id": b.id,
                          "item": b.programme, "month": m, "amount": amount, "kind": "regular",
                          "state": "failed" if seq % 50 == 0 else "paid", "live": seq % 50 != 0, "ref": "",
                          "basis": 1, "persons": persons, "person_ids": "", "village_code": b.village_code,
                          "household_id": b.household_id, "payee_name": "户主", "payee_id_number": "",
                          "bank_name": "信用社", "bank_account": "6230580112345678", "hold_reason": "",
                          "result_reason": "户名与账号不符" if seq % 50 == 0 else "", "note": ""})
        if start <= MONTH:
            seq += 1
            lines.append({"payroll_id": ids[b.village_code[:9], "price_subsidy", MONTH], "seq": seq, "case_id": b.id,
                          "item": "price_subsidy", "month": MONTH, "amount": str(27 * persons), "kind": "regular",
                          "state": "paid", "live": True, "ref": "", "basis": 1, "persons": persons,
                          "person_ids": "", "village_code": b.village_code, "household_id": b.household_id,
                          "payee_name": "户主", "payee_id_number": "", "bank_name": "信用社",
                          "bank_account": "6230580112345678", "hold_reason": "", "result_reason": "", "note": ""})
    by_payroll: dict[int, list[dict]] = {}
    for n, line in enumerate(lines, 1):
        by_payroll.setdefault(line["payroll_id"], []).append(line | {"id": n})
    months_of = {p["id"]: p["month"] for p in payrolls}
    files = [{"payroll_id": pid, "direction": "result", "layout": "gbk_txt", "file_name": "回盘.txt", "sha256": "0" * 64,
              "line_count": len(mine), "total": 0, "actor": "clerk", "recorded_at": now,
              "summary": {"by_village": village_sums(mine, [x["id"] for x in mine if x["state"] == "paid"],
                                                     months_of[pid])}}
             for pid, mine in by_payroll.items()]  # what reading each result file keeps (services/bank_io.py)
    with ctx.db.engine.begin() as conn:
        conn.execute(insert(PayrollRow.__table__), payrolls)
        for k in range(0, len(lines), 20_000):
            conn.execute(insert(PayrollLineRow.__table__), lines[k:k + 20_000])
        conn.execute(insert(BankFileRow.__table__), files)
        conn.exec_driver_sql("ANALYZE")
    return {"payrolls": len(payrolls), "lines": len(lines)}


def floor_read(path: Path) -> float:
    """The same case rows read raw with the JSON parsed, and the members: no arithmetic at all."""
    con = sqlite3.connect(path)
    start = time.perf_counter()
    for (decision,) in con.execute("SELECT decision FROM cases WHERE decision IS NOT NULL"):
        json.loads(decision)
    for _row in con.execute("SELECT household_id, position, id_number, disability_type FROM members"):
        pass
    con.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--keep", help="keep the generated database at this path (used again if it exists)")
    parser.add_argument("--payrolls", action="store_true", help="the last 12 months paid through payrolls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "county.sqlite3"
        reuse = path.exists()
        ctx = open_context(f"sqlite:///{path}")
        ctx.today = lambda: TODAY
        t0 = time.perf_counter()
        if not reuse:
            counts = generate(ctx, args.households)
            print(f"generated {counts} in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
            if args.payrolls:
                t0 = time.perf_counter()
                print(f"paid through payrolls: {add_payrolls(ctx)} in {time.perf_counter() - t0:.1f} s")
        else:
            print(f"using {path} ({path.stat().st_size / 1e6:.0f} MB)")
        c0 = time.process_time()
        sum(range(10_000_000))
        print(f"machine: sum(range(10**7)) takes {time.process_time() - c0:.2f} s of CPU here (≈0.12 s on an idle "
              f"current PC); wall times below include waiting for a CPU on a shared machine")
        from doudi_desk.services.ledger_books import LedgerBookService
        from doudi_desk.services.statistics import StatisticsService

        floor = floor_read(path)
        stats = StatisticsService(ctx)
        times, cpu = [], []
        for _ in range(3):
            s, c = time.perf_counter(), time.process_time()
            report = stats.monthly(MONTH, COUNTY)
            times.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)
        total = report.table("dibao").rows[-1]
        from doudi_desk.services.statistics import paid_amounts

        with ctx.db.unit_of_work() as uow:
            villages = [a.code for a in uow.areas.all() if a.level == "village"]
            s = time.perf_counter()
            paid = paid_amounts(uow, villages, [month_add(MONTH, -k) for k in range(11, -1, -1)])
            reading = time.perf_counter() - s
        print(f"  of which reading the payrolls (paid_amounts, 12 months): {reading:.2f} s "
              f"({'no payrolls' if paid is None else f'{len(paid.paid)} village-month-group sums'})")
        print(f"county 统计月报 {MONTH} (tables, 12-month trend, charts data): best {min(times):.2f} s, "
              f"worst {max(times):.2f} s (CPU {min(cpu):.2f}–{max(cpu):.2f} s) — target ≤ 5 s "
              f"{'OK' if max(times) <= 5 else 'OVER'}; "
              f"floor (raw read of the same rows) {floor:.2f} s; 低保 {total['households']} 户 {total['persons']} 人, "
              f"{total.get('basis') or '应发'} {total['amount']} 元")
        for suffix in ("xlsx", "pdf"):
            s = time.perf_counter()
            stats.write(report, str(Path(tmp) / f"county.{suffix}"))
            print(f"  writing the county report as {suffix}: {time.perf_counter() - s:.2f} s")
        ledgers = LedgerBookService(ctx)
        s, c = time.perf_counter(), time.process_time()
        pdf, families = ledgers.village_books(BOOK_VILLAGE, "clerk")
        elapsed, books_cpu = time.perf_counter() - s, time.process_time() - c
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        s = time.perf_counter()
        ledgers.household_book("1", "clerk")
        single = time.perf_counter() - s
        print(f"一户一册 of a village: {families} families, {pages} pages, {len(pdf) / 1e6:.1f} MB in {elapsed:.1f} s "
              f"(CPU {books_cpu:.1f} s) "
              f"— target ≤ 30 s {'OK' if elapsed <= 30 else 'OVER'}; floor (one family's book) {single:.2f} s, "
              f"× {families} = {single * families:.1f} s")
        ctx.db.dispose()


if __name__ == "__main__":
    main()
