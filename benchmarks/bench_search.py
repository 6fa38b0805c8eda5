"""The case list's search at county scale: 100,000 households, 300,000 people, 150,000 cases.

Prints, for each kind of search (an ID number's last 4 and 6 digits, a phone's last digits, a case
number's tail, pinyin initials, a name), the time of the whole case-list query as a county user and
as a township user, and SQLite's plan for it; against the floor of the same run: the one query an
unindexed suffix search needs (``id_number LIKE '%…'`` over every member). Asserts nothing.

Run: .venv/bin/python benchmarks/bench_search.py [--households 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, text  # noqa: E402

from doudi_desk.domain.ids import make_id  # noqa: E402
from doudi_desk.services.admin import AdminService  # noqa: E402
from doudi_desk.services.context import open_context  # noqa: E402
from doudi_desk.services.queries import CaseQuery, QueryService  # noqa: E402
from doudi_desk.storage.initials import name_initials  # noqa: E402
from doudi_desk.storage.models import AreaRow, CaseRow, HouseholdRow, MemberRow  # noqa: E402
from doudi_desk.storage.search_keys import phone_key, reversed_key  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华兰霞平刚桂英建国志强德福海燕玉梅红文春生金凤"
PROGRAMMES = (("dibao", "DB"), ("tekun", "TK"), ("temporary", "LS"))


def build(url: str, households: int, seed: int = 7) -> tuple[dict, list[str]]:
    rng = random.Random(seed)
    ctx = open_context(url)
    admin = AdminService(ctx)
    admin.add_area("360999", "测试县", "county")
    villages = []
    for t in range(20):
        town = f"360999{t + 100:03d}"
        admin.add_area(town, f"第{t + 1}镇", "township", "360999")
        villages += [f"{town}{v + 1:03d}" for v in range(18)]
    admin.add_user("county", "县级用户", ["county_approver"])
    admin.add_user("town", "乡镇用户", ["caseworker"], "360999100")
    now = dt.datetime(2026, 11, 1, 9, 0)
    hh, people, cases = [], [], []
    seen_ids: set[str] = set()
    for h in range(1, households + 1):
        phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
        hh.append({"id": h, "village_code": villages[h % len(villages)], "address": "", "phone": phone,
                   "phone_reversed": phone_key(phone), "no_able_supporter": False, "assets": {}, "created_at": now})
        for p in range(3):
            while True:
                number = make_id("130102", dt.date(1940 + rng.randint(0, 80), rng.randint(1, 12), rng.randint(1, 28)),
                                 rng.randint(1, 999))
                if number not in seen_ids:
                    seen_ids.add(number)
                    break
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
            people.append({"household_id": h, "position": p, "name": name, "name_initials": name_initials(name),
                           "id_number": number, "id_reversed": reversed_key(number),
                           "relation": "head" if p == 0 else "child", "serious_illness": False, "applicant": p == 0,
                           "adl_unable": 0, "student": False, "staff_relative": False})
    counters = {code: 0 for _p, code in PROGRAMMES}
    for c in range(1, int(households * 1.5) + 1):
        programme, code = PROGRAMMES[c % 3]
        counters[code] += 1
        number = f"2026-{code}-{counters[code]:06d}"
        household = (c - 1) % households + 1
        cases.append({"id": c, "number": number, "number_reversed": reversed_key(number), "programme": programme,
                      "workflow_id": programme, "workflow_version": 1, "state": "approved",
                      "household_id": household, "village_code": hh[household - 1]["village_code"],
                      "created_by": "town", "created_at": now, "applied_on": now.date(), "county_delegated": False,
                      "staff_relative": False, "forms": {}, "closed": False, "kind": "application", "version": 1})
    areas = [{"code": v, "name": f"村{v[-5:]}", "level": "village", "parent_code": v[:9]} for v in villages]
    with ctx.db.engine.begin() as conn:
        for table, rows in ((AreaRow, areas), (HouseholdRow, hh), (MemberRow, people), (CaseRow, cases)):
            for i in range(0, len(rows), 20000):
                conn.execute(insert(table), rows[i:i + 20000])
        conn.exec_driver_sql("ANALYZE")
    return {"ctx": ctx, "people": people, "households": hh, "cases": cases}, villages


def timed(fn, runs: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/county.sqlite3"
        start = time.perf_counter()
        data, _villages = build(url, args.households)
        ctx = data["ctx"]
        print(f"built {len(data['households']):,} households, {len(data['people']):,} people, "
              f"{len(data['cases']):,} cases in {time.perf_counter() - start:.1f} s")
        rng = random.Random(3)
        person = rng.choice(data["people"])
        household = data["households"][person["household_id"] - 1]
        case = rng.choice(data["cases"])
        with ctx.db.engine.connect() as conn:
            floor, _ = timed(lambda: conn.execute(text("SELECT household_id FROM members WHERE id_number LIKE :p"),
                                                  {"p": "%" + person["id_number"][-4:]}).all(), runs=3)
        print(f"floor: one unindexed suffix search over every member (LIKE '%{person['id_number'][-4:]}'): "
              f"{floor:.1f} ms")
        q = QueryService(ctx)
        searches = [
            ("ID number, last 4", person["id_number"][-4:]),
            ("ID number, last 6", person["id_number"][-6:]),
            ("phone, last 4", household["phone"][-4:]),
            ("case number tail", case["number"][-6:]),
            ("case number DB-n", "DB-" + str(int(case["number"][-6:]))),
            ("pinyin initials", person["name_initials"][:2]),
            ("name prefix", person["name"][:2]),
        ]
        for label, needle in searches:
            with ctx.db.unit_of_work() as uow:  # the search query alone, whole county, sorted by number
                bare, found = timed(lambda needle=needle, uow=uow: uow.listing.ids(search=needle))
            print(f"{label:<18} {needle!r:<10} search query alone {bare:6.2f} ms for {len(found):>4} cases "
                  f"({floor / bare:,.0f}× faster than the floor)")
            for user in ("county", "town"):
                ms, ids = timed(lambda needle=needle, user=user: q.case_ids(user, CaseQuery(tab="all", search=needle)))
                rows_ms, _ = timed(lambda ids=ids, needle=needle, user=user: q.case_rows(ids[:100], user, needle), runs=3)
                print(f"{'':<18} {'':<10} case list as {user:<6} {len(ids):>4} cases: ids {ms:6.1f} ms, "
                      f"first page with 搜索匹配 {rows_ms:6.1f} ms")
        sent = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            if "id_reversed" in statement:
                sent.append((statement, parameters))

        event.listen(ctx.db.engine, "before_cursor_execute", capture)
        q.case_ids("town", CaseQuery(tab="all", search=searches[0][1]))
        event.remove(ctx.db.engine, "before_cursor_execute", capture)
        with ctx.db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sent[0][0], sent[0][1]).all()
        print("plan of an ID-tail search as a township user:")
        for row in plan:
            print("   ", row[-1])
        ctx.db.dispose()


if __name__ == "__main__":
    main()
