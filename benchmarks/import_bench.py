"""Import speed: a county roster of 20,000 households (≈60,000 member rows) previewed and imported.

Targets (issue 15): preview ≤ 10 s, import ≤ 30 s on this machine. Each figure is printed beside a
floor measured in the same run: reading the same file with python-calamine and nothing else, the
least any import of it can cost. Prints figures; asserts nothing.

Run: .venv/bin/python benchmarks/import_bench.py [HOUSEHOLDS]
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doudi_desk.domain.ids import make_id  # noqa: E402
from doudi_desk.importing.roster_out import write_roster  # noqa: E402
from doudi_desk.services.admin import AdminService, default_policy  # noqa: E402
from doudi_desk.services.context import open_context  # noqa: E402
from doudi_desk.services.demo import TOWNSHIPS, VILLAGES  # noqa: E402
from doudi_desk.services.importing import ImportService  # noqa: E402

TODAY = dt.date(2026, 12, 1)


def roster(n: int, rng: random.Random) -> list[dict]:
    """``n`` households of 1–5 people (3 on average), unique valid ID numbers, in the demo villages."""
    used: set[str] = set()

    def person() -> str:
        while True:
            born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 80 * 365))
            number = make_id("139901", born, rng.randrange(1000))
            if number not in used:
                used.add(number)
                return number

    towns = {code: name for code, name, _l, _p in TOWNSHIPS}
    out = []
    for _ in range(n):
        code, village, _level, parent = rng.choice(VILLAGES)
        size = rng.choice((1, 2, 3, 3, 4, 5))
        members = [{"name": "户主" + str(len(out)), "id_number": person(), "relation": "户主",
                    "disability_type": "", "disability_grade": "", "serious_illness": "否"}]
        for i in range(size - 1):
            members.append({"name": f"成员{len(out)}-{i}", "id_number": person(),
                            "relation": rng.choice(("配偶", "子女", "父母", "孙子女")),
                            "disability_type": "", "disability_grade": "", "serious_illness": "否"})
        out.append({"township": towns[parent], "village": village, "head": members[0]["name"],
                    "head_id_number": members[0]["id_number"], "size": size, "covered_count": size,
                    "category": rng.choice(("一类", "二类", "三类")),
                    "monthly_amount": Decimal(rng.randrange(300, 3600, 10)),
                    "start_month": f"{rng.randrange(2018, 2026)}-{rng.randrange(1, 13):02d}",
                    "bank_name": "青山县农村信用社", "bank_account": f"6230{rng.randrange(10**14, 10**15)}",
                    "phone": f"13{rng.randrange(10**8, 10**9)}", "address": f"{village}{rng.randrange(1, 300)}号",
                    "members": members})
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "county-roster.xlsx"
        t0 = time.perf_counter()
        households = roster(n, rng)
        write_roster(path, title="青山县最低生活保障对象花名册", info="填报单位：青山县民政局", households=households)
        members = sum(len(h["members"]) for h in households)
        print(f"roster written: {n} households, {members} member rows, {path.stat().st_size // 1024} KB "
              f"({time.perf_counter() - t0:.1f} s)")

        import python_calamine

        t0 = time.perf_counter()
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        sheet.to_python(skip_empty_area=False)
        _ = sheet.merged_cell_ranges
        floor = time.perf_counter() - t0
        print(f"floor: python-calamine reads the file: {floor:.2f} s")

        ctx = open_context(f"sqlite:///{tmp}/bench.sqlite3")
        ctx.today = lambda: TODAY
        admin = AdminService(ctx)
        admin.add_area("139901", "青山县", "county", None)
        for code, name, level, parent in TOWNSHIPS + VILLAGES:
            admin.add_area(code, name, level, parent)
        admin.add_user("admin", "管理员", ["admin"])
        admin.set_policy("139901", dt.date(2026, 1, 1), default_policy())
        service = ImportService(ctx)

        t0 = time.perf_counter()
        report = service.preview(path, "admin")
        preview = time.perf_counter() - t0
        print(f"preview (nothing written): {preview:.1f} s = {preview / floor:.1f}× the floor; target ≤ 10 s; "
              f"{report['summary']}")

        t0 = time.perf_counter()
        result = service.commit(path, "admin", expected_digest=report["digest"])
        commit = time.perf_counter() - t0
        print(f"confirm after the preview (the window; the file is not read again): {commit:.1f} s = "
              f"{commit / floor:.1f}× the floor; target ≤ 30 s; {result['message']}")

        t0 = time.perf_counter()
        again = ImportService(ctx).commit(path, "admin")
        print(f"the same file again, read afresh: {time.perf_counter() - t0:.1f} s; {again['message'][:40]}")

        ctx2 = open_context(f"sqlite:///{tmp}/bench2.sqlite3")
        ctx2.today = lambda: TODAY
        admin = AdminService(ctx2)
        admin.add_area("139901", "青山县", "county", None)
        for code, name, level, parent in TOWNSHIPS + VILLAGES:
            admin.add_area(code, name, level, parent)
        admin.add_user("admin", "管理员", ["admin"])
        admin.set_policy("139901", dt.date(2026, 1, 1), default_policy())
        t0 = time.perf_counter()
        one_go = ImportService(ctx2).commit(path, "admin")
        whole = time.perf_counter() - t0
        print(f"import in one go (doudi-admin import without --dry-run: read, check, write): {whole:.1f} s = "
              f"{whole / floor:.1f}× the floor; target ≤ 30 s; {one_go['message']}")
        ctx2.db.dispose()
        ctx.db.dispose()


if __name__ == "__main__":
    main()
