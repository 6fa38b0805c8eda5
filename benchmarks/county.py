"""County scale (issue 14): the program against the bare floors of its own libraries, same run.

    .venv/bin/python benchmarks/county.py [--size 10k,100k] [--pg postgresql+psycopg://…] [--skip ROW,…]

For each size a county database is generated with the program's schema (benchmarks/county_gen.py;
cached by size and schema revision, each run works on a fresh copy) and every row of the issue's
table is measured: the program's time through the real services and window (the GUI rows in an
offscreen subprocess, benchmarks/county_gui.py), the floor measured in the same run, their ratio and
the goal. With ``--pg`` the same data is loaded into a PostgreSQL database on that server and
measured again: the load (benchmarks/county_pg.py) is kept on the server as the database
``county_<households>_<schema revision>_g<generator version>`` (e.g. ``county_100000_0015-dda3b8c1_g6``),
found by that name on later runs, and each run measures a clone of it (``CREATE DATABASE … TEMPLATE``)
dropped at the end. At the end: how each row grows from the
smallest size to the largest. Prints figures; asserts nothing (speed targets live here, never in tests).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import county_floors as floors  # noqa: E402
import county_gen  # noqa: E402

SIZES = {"tiny": 200, "10k": 10_000, "100k": 100_000}
COUNTY_USER = "county1"
GUI_TIMEOUT_S = 1800
LIST_RUNS = 21  # the list rows take milliseconds: the median of 21 runs, on a machine others share


@dataclass
class Row:
    name: str
    program: float | None  # seconds (or MB for memory rows)
    floor: float | None
    goal: str
    note: str = ""
    unit: str = "s"

    @property
    def ratio(self) -> float | None:
        if self.program is None or not self.floor:
            return None
        return self.program / self.floor


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if value < 1:
        return f"{value * 1000:,.1f} ms"
    return f"{value:,.2f} s"


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"| {'operation':<44} | {'program':>11} | {'floor':>11} | {'ratio':>7} | goal | note")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 13}|{'-' * 9}|------|-----")
    for r in rows:
        ratio = f"{r.ratio:,.1f}×" if r.ratio is not None else "—"
        print(f"| {r.name:<44} | {_fmt(r.program, r.unit):>11} | {_fmt(r.floor, r.unit):>11} | {ratio:>7} | "
              f"{r.goal} | {r.note}")
    sys.stdout.flush()


CPU: list[float] = []  # CPU seconds of the last median_of's runs


def median_of(n: int, fn, *args, **kwargs) -> float:
    walls = []
    CPU.clear()
    for _ in range(n):
        walls.append(floors.timed(fn, *args, **kwargs)[0])
        CPU.append(floors.timed.cpu)
    return statistics.median(walls)


def in_turn(n: int, program, floor) -> tuple[float, float, float, float]:
    """``program()`` and ``floor()`` called in turn, ``n`` times each (a shared machine's load comes and
    goes: it then weighs on both alike): the median wall seconds of each, then the median CPU seconds."""
    runs: dict[str, list[tuple[float, float]]] = {"program": [], "floor": []}
    for _ in range(n):
        for name, fn in (("program", program), ("floor", floor)):
            runs[name].append((floors.timed(fn)[0], floors.timed.cpu))
    (wall_p, cpu_p), (wall_f, cpu_f) = ((statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
                                        for r in (runs["program"], runs["floor"]))
    return wall_p, wall_f, cpu_p, cpu_f


def cpu_note(seconds: float | None = None) -> str:
    value = seconds if seconds is not None else statistics.median(CPU) if CPU else None
    return "" if value is None else f"CPU {_fmt(value, 's')}"


# ------------------------------------------------------------------------------------ GUI rows


def gui_run(url: str, data_home: Path, *, bare: bool = False, first: bool = False) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(data_home),
               XDG_STATE_HOME=str(data_home / "state"), XDG_CACHE_HOME=str(data_home / "cache"))
    args = ["--bare"] if bare else [url, COUNTY_USER, county_gen.PASSWORD, *(["--first"] if first else [])]
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "county_gui.py"), *args], env=env,
                              capture_output=True, text=True, timeout=GUI_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"timeout": GUI_TIMEOUT_S, "login_usable": None}
    line = (proc.stdout.strip().splitlines() or ["{}"])[-1]
    try:
        return json.loads(line)
    except ValueError:
        return {"error": (proc.stderr or proc.stdout)[-2000:]}


def compile_tree() -> None:
    """Byte-compile this tree once, as an installed program is (PyInstaller ships .pyc): with
    PYTHONDONTWRITEBYTECODE set, every start would otherwise compile the whole program again."""
    import compileall

    compileall.compile_dir(str(ROOT / "doudi_desk"), quiet=2)


def gui_rows(url: str, work: Path, *, daily_backup: bool) -> list[Row]:
    bare = min((gui_run(url, work, bare=True) for _ in range(3)), key=lambda r: r.get("shown", 1e9))
    home = work / "gui-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    first = gui_run(url, home, first=daily_backup)
    later = gui_run(url, home)
    rows = []
    for label, run in (("first start", first), ("later start", later)):
        if "error" in run or "timeout" in run:
            print(f"  GUI {label} failed or timed out: {run}")
    rows.append(Row("first start of the day: log-in usable", first.get("login_usable"), bare.get("shown"),
                    "≤ 1.5 s, backup never in the way",
                    f"log-in page {_fmt(first.get('login_page'), 's')}; settled {_fmt(first.get('settled'), 's')}; "
                    f"process CPU {_fmt(first.get('cpu_s'), 's')}"
                    + (f"; backups {first.get('backups')}" if daily_backup else "")))
    rows.append(Row("later start to case list", later.get("case_list"), bare.get("shown"), "≤ 1.5 s",
                    f"log-in usable {_fmt(later.get('login_usable'), 's')}; process CPU {_fmt(later.get('cpu_s'), 's')}"))
    bare_stall = (bare.get("stall_ms") or 0) / 1000
    for label, run in (("first start", first), ("later start", later)):
        cpu = run.get("stall_cpu_ms") or ["?", "?"]
        rows.append(Row(f"longest GUI-thread stall ({label})", (run.get("stall_ms") or 0) / 1000, bare_stall,
                        "≤ 100 ms", f"{run.get('stall_where', '')}; CPU in it: GUI thread {cpu[0]} ms, "
                        f"process {cpu[1]} ms (floor: the bare window's own, same heartbeat)"))
    rows.append(Row("peak memory, window (first start)", first.get("peak_mb"), bare.get("peak_mb"), "≤ 400 MB",
                    unit="MB"))
    rows.append(Row("peak memory, window (later start)", later.get("peak_mb"), bare.get("peak_mb"), "≤ 400 MB",
                    unit="MB"))
    return rows


# -------------------------------------------------------------------------------- service rows


def _pick(ctx) -> dict[str, Any]:
    """Search texts and targets from the data: an ID number, a common name, the big 公示 village."""
    from sqlalchemy import text

    with ctx.db.engine.connect() as conn:
        members = conn.execute(text("SELECT COUNT(*) FROM members")).scalar()
        id_number = conn.execute(text("SELECT id_number FROM members ORDER BY id LIMIT 1 OFFSET :n"),
                                 {"n": min(777, members // 2)}).scalar()  # a tiny county has fewer than 778
        name = conn.execute(text("SELECT name FROM members GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT 1")).scalar()
        # the biggest 公示 batch of the county (a village's cases posted on one day): printed as that
        # batch, so the PDF and the bare floor have the same number of rows
        village, batch, posted = conn.execute(text(
            "SELECT c.village_code, e.effective_date, COUNT(*) FROM audit_events e JOIN cases c ON c.id = e.case_id "
            "WHERE e.trigger = 'post_notice' AND c.programme = 'dibao' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1")).one()
    return {"id_number": id_number, "name": name, "prefix": name[:2], "village": village, "batch": str(batch)[:10],
            "posted": posted}


def _posted_cells(printing, pick: dict[str, Any]) -> list[list[str]]:
    """The cells of the 公示 batch's table as the program prints them (its template's rule for each
    column), for the bare floor to print the same text: a village's names take several hundred
    distinct glyphs, more embedded font subsets and font switches than any made-up list of names."""
    with printing.ctx.db.unit_of_work() as uow:
        posted = printing._posting_data(uow, pick["village"], pick["batch"], "dibao")
    return [[str(i), r.name, str(r.members), "—" if r.refused else str(r.covered), r.amount or "—",
             f"拟不予{posted.grant}" if r.refused else r.category] for i, r in enumerate(posted.rows, 1)]


def service_rows(ctx, dest_folder: Path, *, skip: set[str], pg_env: dict[str, str] | None,
                 batch_limit: int = 0) -> list[Row]:
    from doudi_desk.services.audit import AuditService
    from doudi_desk.services.batch import BatchService
    from doudi_desk.services.printing import PrintService
    from doudi_desk.services.queries import CaseQuery, QueryService

    q = QueryService(ctx)
    pick = _pick(ctx)
    raw = ctx.db.engine.raw_connection()
    conn = raw.driver_connection
    rows: list[Row] = []
    page = 100  # ui/case_list.py PAGE

    def list_op(query: CaseQuery):
        # what the window's list asks for (ui/case_list.py): the first page by keyset, with its rows
        return q.case_page(COUNTY_USER, query, limit=page)

    # The program's list reads send no BEGIN/ROLLBACK on PostgreSQL (autocommit, storage/db.py), so
    # neither do the floors of the list rows (the batch and verify floors below need a transaction).
    postgres = not ctx.db.is_sqlite
    if postgres:
        conn.autocommit = True
    # warm the page cache once, as a running program would have it
    list_op(CaseQuery(tab="all"))
    floors.first_page(conn, COUNTY_USER)
    for label, query, floor_fn, goal in (
        ("search full ID number (county user)", CaseQuery(tab="all", search=pick["id_number"]),
         lambda: floors.search_id(conn, COUNTY_USER, pick["id_number"]), "≤ 50 ms and ≤ 3×"),
        (f"search exact name ({pick['name']})", CaseQuery(tab="all", search=pick["name"]),
         lambda: floors.search_name(conn, COUNTY_USER, pick["name"]), "≤ 3×"),
        (f"search name prefix ({pick['prefix']})", CaseQuery(tab="all", search=pick["prefix"]),
         lambda: floors.search_name(conn, COUNTY_USER, pick["prefix"]), "≤ 3×"),
        ("全部案件 first page", CaseQuery(tab="all"), lambda: floors.first_page(conn, COUNTY_USER), "≤ 50 ms"),
    ):
        program, floor, cpu, floor_cpu = in_turn(LIST_RUNS, lambda query=query: list_op(query), floor_fn)
        rows.append(Row(label, program, floor, goal, f"case_page (first 100 with rows and total); {cpu_note(cpu)}; "
                        f"floor {cpu_note(floor_cpu)}; CPU ratio {cpu / floor_cpu:.1f}×; in turn, median of {LIST_RUNS}"))
    tabs = median_of(LIST_RUNS, q.tab_counts, COUNTY_USER)
    tabs_cpu = cpu_note()
    tabs_floor = median_of(LIST_RUNS, floors.tab_counts, conn, ctx.today().isoformat())
    rows.append(Row("tab counts (every refresh)", tabs, tabs_floor, "cheap or estimated",
                    f"{tabs_cpu}; floor: the cases grouped by workflow, state and closed with the overdue "
                    f"ones summed, every tab's count added up from it"))

    first_screen = median_of(3, q.queue_page, COUNTY_USER)  # what the window shows first (ui/supervisor.py)
    first_cpu = cpu_note()
    queue_time, queue = floors.timed(q.supervisor_queue, COUNTY_USER)
    queue_cpu = floors.timed.cpu
    states = sorted({r["state"] for r in queue})
    floor = median_of(3, floors.queue_rows, conn, states)
    if postgres:
        conn.autocommit = False
    rows.append(Row(f"supervisor queue, {len(queue):,} rows: first screen", first_screen, floor,
                    "≤ 300 ms to first screen", f"queue_page (200 rows); {first_cpu}"))
    rows.append(Row(f"supervisor queue, {len(queue):,} rows: all of it", queue_time, floor, "—",
                    f"{cpu_note(queue_cpu)}; fetched behind the first screen"))

    if "print" not in skip:
        printing = PrintService(ctx)
        printing.posting_list(pick["village"], pick["batch"])  # warm: templates, fonts, the office's settings
        floors.reportlab_table(10)
        cells = _posted_cells(printing, pick)  # the floor prints the same cells (read once, not timed)
        # program and floor in turn, 5 times each: the median of each (a shared machine's load comes and goes)
        runs: dict[str, list[tuple[float, float]]] = {"program": [], "bare": []}
        for _ in range(5):
            t_pdf, pdf = floors.timed(printing.posting_list, pick["village"], pick["batch"])
            runs["program"].append((t_pdf, floors.timed.cpu))
            runs["bare"].append((floors.timed(floors.reportlab_table, cells)[0], floors.timed.cpu))
        (t_pdf, pdf_cpu), (t_bare, bare_cpu) = ((statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
                                                for r in (runs["program"], runs["bare"]))
        rows.append(Row(f"公示名单 PDF, {pick['posted']:,} rows", t_pdf, t_bare, "≤ 1.5× bare",
                        f"{len(pdf) / 1e6:.1f} MB; {cpu_note(pdf_cpu)}; bare CPU {_fmt(bare_cpu, 's')}; "
                        f"CPU ratio {pdf_cpu / bare_cpu:.1f}×; median of 5"))

    if "verify" not in skip:
        floors.read_events(conn)  # both walks then read a warm file: the first is not charged for the disk
        t_verify, result = floors.timed(AuditService(ctx).verify)
        verify_cpu = floors.timed.cpu
        t_walk, walked = floors.timed(floors.hash_walk, conn)
        rows.append(Row(f"audit verify, {result['events']:,} events", t_verify, t_walk, "≤ 1.3×",
                        ("ok" if result["ok"] else f"BROKEN: {result.get('message')}")
                        + f"; {cpu_note(verify_cpu)}; raw walk CPU {_fmt(floors.timed.cpu, 's')}"))

    if "backup" not in skip:
        rows.append(_backup_row(ctx, dest_folder, pg_env))

    if "batch" not in skip:
        items = [{"id": r["id"], "number": r["number"], "version": r["version"]} for r in queue
                 if r["batchable"] and r["programme"] == "dibao" and r["state"] == "county_review"
                 and r["eligible"] is not False]  # what a supervisor selects: not the ones flagged 测算不符合
        if batch_limit:
            items = items[:batch_limit]
        ids = [i["id"] for i in items]
        t_one = floors.timed(floors.decide_in_one_transaction, conn, ids, commit_each=False)[0]
        t_each = floors.timed(floors.decide_in_one_transaction, conn, ids, commit_each=True)[0]
        raw.close()
        raw = None
        t_batch, result = floors.timed(BatchService(ctx).run, items, "approve", COUNTY_USER)
        batch_cpu = floors.timed.cpu
        ok = AuditService(ctx).verify()["ok"] if "verify" not in skip else None
        rows.append(Row(f"batch approval of {len(items):,} with every audit event", t_batch, t_one, "≤ 5 s",
                        f"{len(result['done']):,} done, {len(result['failed'])} failed; {len(items) / t_batch:,.0f}/s; "
                        f"a commit per case {_fmt(t_each, 's')}; {cpu_note(batch_cpu)}"
                        + ("" if ok is None else f"; chain ok: {ok}")))
    if raw is not None:
        raw.close()
    return rows


def _backup_row(ctx, folder: Path, pg_env: dict[str, str] | None) -> Row:
    """``doudi-admin backup`` in a subprocess (time and peak memory) against the plain copy."""
    from doudi_desk.storage.db import sqlite_file

    dest = folder / "county.bak"
    dest.unlink(missing_ok=True)
    url = ctx.db.url.render_as_string(hide_password=False)
    # The child reports its own peak (benchmarks/peak.py): wait4's ru_maxrss would be this process's.
    cli = (f"import atexit, sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'benchmarks')!r}]; "
           "from peak import own_peak_mb; "
           "atexit.register(lambda: print(f'peak_mb={own_peak_mb():.1f}', file=sys.stderr)); "
           "from doudi_desk.cli import run; run()")  # as the installed doudi-admin runs
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", cli, "--db", url, "backup", str(dest), "--overwrite"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = _reported_peak_mb(err)
    err = "\n".join(line for line in err.splitlines() if not line.startswith("peak_mb="))
    plain = folder / "plain.bak"
    source = sqlite_file(ctx.db.url)
    if source is not None:
        floor = floors.timed(floors.sqlite_backup, source, plain)[0]
    else:
        floor = floors.timed(floors.pg_dump, pg_env, plain, _pg_tool("pg_dump"))[0]
    floor_cpu = floors.timed.cpu
    size = dest.stat().st_size / 1e6 if dest.exists() else 0
    plain.unlink(missing_ok=True)
    dest.unlink(missing_ok=True)
    note = (("peak not reported" if peak is None else f"peak {peak:,.0f} MB (goal ≤ 400 MB)")
            + f"; {size:,.0f} MB file; "
            f"CPU {_fmt(usage.ru_utime + usage.ru_stime, 's')} (Python start and imports included); "
            f"plain copy CPU {_fmt(floor_cpu, 's')}")
    if proc.returncode != 0:
        note += f"; FAILED: {err[-300:]}"
    return Row("doudi-admin backup", elapsed, floor, "≤ 3×, ≤ 400 MB", note)


def _reported_peak_mb(stderr: str) -> float | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith("peak_mb="):
            return float(line.removeprefix("peak_mb="))
    return None


def _pg_tool(name: str) -> str:
    for folder in (os.environ.get("DOUDI_PG_BIN"), "/usr/lib/postgresql/15/bin"):
        if folder and (Path(folder) / name).exists():
            return str(Path(folder) / name)
    return shutil.which(name) or name


# ---------------------------------------------------------------------------------- PostgreSQL


def pg_database(base_url: str, households: int, sqlite_path: Path, log=print) -> str:
    """A fresh PostgreSQL database with the county: cloned from a cached one (loaded once)."""
    import county_pg
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    cached = f"county_{households}_{county_gen.schema_revision()}_g{county_gen.GENERATOR_VERSION}"
    work = f"county_{households}_work_{os.getpid()}"  # two runs never share one
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        have = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": cached}).scalar()
    if not have:
        log(f"loading the county of {households:,} households into PostgreSQL database {cached} …")
        t = time.perf_counter()
        county_pg.load(sqlite_path, base.set(database=cached).render_as_string(hide_password=False), admin, log=log)
        log(f"  loaded in {time.perf_counter() - t:.0f} s")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{work}" TEMPLATE "{cached}"'))
    admin.dispose()
    return base.set(database=work).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a working copy made by :func:`pg_database` (a county of 100,000 households is 1.7 GB);
    the cached database it was cloned from stays."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


def pg_env(url: str) -> dict[str, str]:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username), ("PGPASSWORD", u.password),
                       ("PGDATABASE", u.database)):
        if value is not None:
            env[key] = str(value)
    return env


# ----------------------------------------------------------------------------------------- main


def measure(label: str, url: str, work: Path, *, skip: set[str], pg: dict[str, str] | None,
            batch_limit: int = 0) -> list[Row]:
    from doudi_desk.services.context import open_context

    rows: list[Row] = []
    if "gui" not in skip:
        rows += gui_rows(url, work, daily_backup=pg is None)
    ctx = open_context(url)
    try:
        rows += service_rows(ctx, work, skip=skip, pg_env=pg, batch_limit=batch_limit)
    finally:
        ctx.db.dispose()
    print_table(label, rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="10k,100k", help="sizes: tiny, 10k, 100k or a number of households")
    parser.add_argument("--pg", metavar="URL", help="also measure on this PostgreSQL server (a role with CREATEDB)")
    parser.add_argument("--skip", default="", help="rows to leave out: gui, print, verify, backup, batch, sqlite")
    parser.add_argument("--work", metavar="DIR", help="folder for the working copies (default: a temporary one)")
    parser.add_argument("--batch-limit", type=int, default=0, metavar="N",
                        help="approve only the first N of the queue (a slow program at 100k takes hours)")
    parser.add_argument("--source", metavar="FILE", help="measure a copy of this county database (one --size, the "
                        "number of households it was made with) instead of the cached one, e.g. to compare "
                        "two versions of the program on the same data")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [SIZES.get(s.strip(), None) or int(s) for s in args.size.split(",") if s.strip()]
    results: dict[tuple[str, int], list[Row]] = {}
    compile_tree()  # the GUI and backup rows start this tree in a subprocess
    with tempfile.TemporaryDirectory(prefix="county-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        for n in sizes:
            source = Path(args.source) if args.source else county_gen.cached_database(n)
            if "sqlite" not in skip:
                copy = work / f"county-{n}.sqlite3"
                shutil.copyfile(source, copy)
                results[("SQLite", n)] = measure(f"SQLite, {n:,} households", f"sqlite:///{copy}", work, skip=skip,
                                                 pg=None, batch_limit=args.batch_limit)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(copy) + suffix).unlink(missing_ok=True)
            if args.pg:
                url = pg_database(args.pg, n, source)
                try:
                    results[("PostgreSQL", n)] = measure(f"PostgreSQL, {n:,} households", url, work, skip=skip,
                                                         pg=pg_env(url), batch_limit=args.batch_limit)
                finally:
                    drop_pg_database(url)
    for backend in ("SQLite", "PostgreSQL"):
        have = [n for n in sizes if (backend, n) in results]
        if len(have) < 2:
            continue
        small, large = have[0], have[-1]
        print(f"\n{backend}: growth from {small:,} to {large:,} households (×{large / small:g} data)")
        print(f"  {'operation (at the larger size)':<44} {'program':>11}   {'':>11}  {'growth':>7}   floor growth")
        for a, b in zip(results[(backend, small)], results[(backend, large)], strict=False):
            if a.program and b.program:
                floor = f"×{b.floor / a.floor:,.1f}" if a.floor and b.floor else "—"
                print(f"  {b.name:<44} {_fmt(a.program, a.unit):>11} → {_fmt(b.program, b.unit):>11}  "
                      f"×{b.program / a.program:>6,.1f}   {floor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
