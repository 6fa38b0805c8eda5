"""Payments storage: payrolls and their lines, bank files, amounts owed, price indices.

Plain dicts and tuples out, never ORM rows. Built for a county: lines go in with one executemany,
benefits come out with a handful of queries (cases, their latest determination, households,
members), aggregates are computed by the database, and long lists are streamed or paged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import (
    AmountOwedRow,
    BankFileRow,
    CaseRow,
    PayrollLineRow,
    PayrollRow,
    PriceIndexRow,
)

CHUNK = 5000



_TOP = "\U0010ffff"
PAYROLL_FIELDS = ("id", "area_code", "group_code", "month", "state", "version", "covers_from", "built_by",
                  "built_at", "submitted_by", "reviewed_by", "approved_by", "approved_at", "exported_by",
                  "results_by", "closed_by", "line_count", "total", "held_count", "held_total", "digest",
                  "frozen", "note")
_TEXT_COLUMNS = {"item", "month", "kind", "state", "ref", "person_ids", "village_code", "payee_name", "payee_id_number",
                 "bank_name", "bank_account", "hold_reason", "result_reason", "note"}
LINE_FIELDS = ("id", "payroll_id", "seq", "case_id", "item", "month", "amount", "kind", "state", "live", "ref",
               "basis", "persons", "person_ids", "village_code", "household_id", "payee_name", "payee_id_number",
               "bank_name", "bank_account", "hold_reason", "result_reason", "note")
LINE_COLUMNS = LINE_FIELDS[2:]  # what a new line gives: every field but its id and payroll


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _cents(value: Any) -> Decimal:
    """A sum read back exactly: SQLite adds NUMERIC columns as floats, so round to the fen."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _row(row: PayrollRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in PAYROLL_FIELDS}


class PaymentRepository:
    def __init__(self, session: Session):
        self._s = session

    def _run(self, stmt: Any, params: Any = None) -> Any:
        """Core execution on the session's connection: no ORM loading for bulk reads and writes."""
        return self._s.connection().execute(stmt, params) if params is not None else self._s.connection().execute(stmt)

    # --- payrolls --------------------------------------------------------------------------
    def add_payroll(self, **values: Any) -> int:
        row = PayrollRow(version=1, line_count=0, total=Decimal(0), held_count=0, held_total=Decimal(0), note="",
                         **values)
        self._s.add(row)
        self._s.flush()
        return row.id

    def payroll(self, payroll_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        stmt = select(PayrollRow).where(PayrollRow.id == payroll_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self._s.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
        return None if row is None else _row(row)

    def find_payroll(self, area_code: str, group_code: str, month: str) -> dict[str, Any] | None:
        row = self._s.scalars(select(PayrollRow).where(
            PayrollRow.area_code == area_code, PayrollRow.group_code == group_code, PayrollRow.month == month)
        ).one_or_none()
        return None if row is None else _row(row)

    def payrolls(self, *, areas: Sequence[str] | None = None, group_code: str | None = None,
                 states: Sequence[str] | None = None, limit: int = 200) -> list[dict[str, Any]]:
        stmt = select(PayrollRow)
        if areas is not None:
            stmt = stmt.where(PayrollRow.area_code.in_(list(areas)))
        if group_code:
            stmt = stmt.where(PayrollRow.group_code == group_code)
        if states:
            stmt = stmt.where(PayrollRow.state.in_(list(states)))
        stmt = stmt.order_by(PayrollRow.month.desc(), PayrollRow.area_code, PayrollRow.group_code).limit(limit)
        return [_row(r) for r in self._s.scalars(stmt)]

    def covers_from(self, area_code: str, group_code: str) -> str | None:
        """The first month the area's group is paid through the program (None before its first payroll)."""
        return self._s.scalar(select(func.min(PayrollRow.covers_from)).where(
            PayrollRow.area_code == area_code, PayrollRow.group_code == group_code))

    def previous(self, area_code: str, group_code: str, month: str) -> dict[str, Any] | None:
        row = self._s.scalars(select(PayrollRow).where(
            PayrollRow.area_code == area_code, PayrollRow.group_code == group_code, PayrollRow.month < month)
            .order_by(PayrollRow.month.desc()).limit(1)).first()
        return None if row is None else _row(row)

    def advance(self, payroll_id: int, expected_version: int, from_state: str, to_state: str,
                **values: Any) -> bool:
        """Move a payroll to its next state if nobody else did since ``expected_version`` was read:
        one UPDATE, so the check and the write cannot be interleaved (PostgreSQL: the second writer
        waits for the first to commit, then finds the version changed)."""
        result = self._s.execute(
            update(PayrollRow)
            .where(PayrollRow.id == payroll_id, PayrollRow.version == expected_version,
                   PayrollRow.state == from_state)
            .values(state=to_state, version=expected_version + 1, **values)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1  # type: ignore[attr-defined]

    def set_values(self, payroll_id: int, **values: Any) -> None:
        self._s.execute(update(PayrollRow).where(PayrollRow.id == payroll_id).values(**values)
                        .execution_options(synchronize_session=False))

    # --- lines -----------------------------------------------------------------------------
    def delete_draft(self, payroll_id: int) -> None:
        """Drop a draft payroll's lines and the amounts owed it found (a rebuild makes them again)."""
        self._s.execute(delete(PayrollLineRow).where(PayrollLineRow.payroll_id == payroll_id))
        self._s.execute(delete(AmountOwedRow).where(AmountOwedRow.payroll_id == payroll_id,
                                                    AmountOwedRow.status == "draft"))

    def insert_lines(self, payroll_id: int, lines: Sequence[dict[str, Any]]) -> None:
        """Insert lines given as dicts of :data:`LINE_COLUMNS` (see :meth:`insert_line_rows`)."""
        self.insert_line_rows(payroll_id, [tuple([line[c] for c in LINE_COLUMNS]) for line in lines])

    def insert_line_rows(self, payroll_id: int, rows: Sequence[Sequence[Any]]) -> None:
        """Bulk insert of lines given as tuples in :data:`LINE_COLUMNS` order, through the driver's
        executemany (100,000 lines: SQLAlchemy's per-row parameter building would cost more than
        the insert itself). The rows' text is checked for NUL here, as every statement's is
        (storage/db.py), in one join per row."""
        if not rows:
            return
        columns = ["payroll_id", *LINE_COLUMNS]
        conn = self._s.connection()
        sqlite = conn.dialect.name == "sqlite"
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO payroll_lines ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        money = LINE_COLUMNS.index("amount")
        texts = [i for i, c in enumerate(LINE_COLUMNS) if c in _TEXT_COLUMNS]
        for chunk in _chunks(rows):
            params = []
            for row in chunk:
                if "\x00" in "".join([row[i] or "" for i in texts]):
                    from .db import refuse_nul

                    refuse_nul()
                if sqlite:  # the pysqlite driver takes no Decimal; NUMERIC affinity stores the text as a number
                    params.append((payroll_id, *row[:money], str(row[money]), *row[money + 1:]))
                else:
                    params.append((payroll_id, *row))
            conn.execution_options(nul_checked=True).exec_driver_sql(sql, params)

    def insert_owed(self, rows: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(rows):
            self._run(insert(AmountOwedRow.__table__), list(chunk))

    def line_totals(self, payroll_id: int) -> dict[str, Any]:
        held = PayrollLineRow.state == "held"
        row = self._s.execute(select(
            func.count(), func.coalesce(func.sum(PayrollLineRow.amount), 0),
            func.count().filter(held), func.coalesce(func.sum(PayrollLineRow.amount).filter(held), 0),
        ).where(PayrollLineRow.payroll_id == payroll_id)).one()
        return {"count": row[0], "amount": _cents(row[1]), "held_count": row[2], "held_amount": _cents(row[3])}

    def totals_by(self, payroll_id: int) -> list[dict[str, Any]]:
        """Households, persons and amount by village, item and whether held."""
        held = PayrollLineRow.state == "held"
        stmt = (select(PayrollLineRow.village_code, PayrollLineRow.item, held.label("held"),
                       func.count(func.distinct(PayrollLineRow.case_id)), func.count(),
                       func.coalesce(func.sum(PayrollLineRow.amount), 0),
                       func.coalesce(func.sum(PayrollLineRow.persons).filter(PayrollLineRow.month == PayrollRow.month), 0))
                .join(PayrollRow, PayrollRow.id == PayrollLineRow.payroll_id)
                .where(PayrollLineRow.payroll_id == payroll_id)
                .group_by(PayrollLineRow.village_code, PayrollLineRow.item, held)
                .order_by(PayrollLineRow.village_code, PayrollLineRow.item))
        return [{"village": v, "item": item, "held": bool(h), "households": hh, "lines": n,
                 "amount": _cents(amount), "persons": int(persons)}
                for v, item, h, hh, n, amount, persons in self._run(stmt)]

    def month_amounts(self, payroll_id: int, month: str, items: Sequence[str]) -> dict[int, Decimal]:
        """Case → amount of the payroll's lines for its own month (what it pays this month)."""
        stmt = (select(PayrollLineRow.case_id, func.sum(PayrollLineRow.amount))
                .where(PayrollLineRow.payroll_id == payroll_id, PayrollLineRow.month == month,
                       PayrollLineRow.item.in_(list(items)))
                .group_by(PayrollLineRow.case_id))
        return {cid: _cents(a) for cid, a in self._run(stmt)}

    def payees(self, payroll_ids: Sequence[int], case_ids: Sequence[int]) -> list[tuple[int, str, str, str]]:
        """(case, payee, village, case number) of these cases' lines in these payrolls."""
        out = []
        for chunk in _chunks(sorted(case_ids), 1000):
            stmt = (select(PayrollLineRow.case_id, PayrollLineRow.payee_name, PayrollLineRow.village_code,
                           CaseRow.number)
                    .join(CaseRow, CaseRow.id == PayrollLineRow.case_id)
                    .where(PayrollLineRow.payroll_id.in_(list(payroll_ids)), PayrollLineRow.case_id.in_(list(chunk)))
                    .order_by(PayrollLineRow.seq))
            out.extend(tuple(r) for r in self._run(stmt).all())
        return out

    def digest_rows(self, payroll_id: int) -> Iterator[tuple]:
        """The fields a payroll's digest covers, every line in key order (streamed)."""
        stmt = (select(PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.amount,
                       PayrollLineRow.kind, PayrollLineRow.state, PayrollLineRow.payee_name,
                       PayrollLineRow.payee_id_number, PayrollLineRow.bank_name, PayrollLineRow.bank_account)
                .where(PayrollLineRow.payroll_id == payroll_id)
                .order_by(PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.id))
        for partition in self._run(stmt.execution_options(yield_per=10_000)).partitions():
            yield from partition

    def lines(self, payroll_id: int, *, state: str | None = None, kind: str | None = None,
              village: str | None = None, search: str = "", after_seq: int = 0, limit: int | None = 200,
              order_by_key: bool = False) -> list[dict[str, Any]]:
        """A page of lines in 序号 order (keyset paging on seq), or every line in key order."""
        cols = [getattr(PayrollLineRow, f) for f in LINE_FIELDS]
        stmt = select(*cols).where(PayrollLineRow.payroll_id == payroll_id)
        if state:
            stmt = stmt.where(PayrollLineRow.state == state)
        if kind:
            stmt = stmt.where(PayrollLineRow.kind == kind)
        if village:
            stmt = stmt.where(PayrollLineRow.village_code == village)
        text_ = (search or "").strip()
        if text_:
            stmt = stmt.where(or_(
                and_(PayrollLineRow.payee_name >= text_, PayrollLineRow.payee_name < text_ + _TOP),
                and_(PayrollLineRow.payee_id_number >= text_.upper(), PayrollLineRow.payee_id_number < text_.upper() + _TOP),
                PayrollLineRow.bank_account == text_))
        if order_by_key:
            stmt = stmt.order_by(PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.id)
        else:
            stmt = stmt.where(PayrollLineRow.seq > after_seq).order_by(PayrollLineRow.seq)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [dict(zip(LINE_FIELDS, r, strict=True)) for r in self._run(stmt)]

    def stream_lines(self, payroll_id: int, *, key_order: bool = False,
                     states: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        cols = [getattr(PayrollLineRow, f) for f in LINE_FIELDS]
        stmt = select(*cols).where(PayrollLineRow.payroll_id == payroll_id)
        if states:
            stmt = stmt.where(PayrollLineRow.state.in_(list(states)))
        order = ((PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.id)
                 if key_order else (PayrollLineRow.seq,))
        for r in self._run(stmt.order_by(*order).execution_options(yield_per=5000)):
            yield dict(zip(LINE_FIELDS, r, strict=True))

    def count_lines(self, payroll_id: int, *, state: str | None = None, kind: str | None = None,
                    village: str | None = None) -> int:
        stmt = select(func.count()).select_from(PayrollLineRow).where(PayrollLineRow.payroll_id == payroll_id)
        if state:
            stmt = stmt.where(PayrollLineRow.state == state)
        if kind:
            stmt = stmt.where(PayrollLineRow.kind == kind)
        if village:
            stmt = stmt.where(PayrollLineRow.village_code == village)
        return int(self._s.scalar(stmt) or 0)

    def set_results(self, payroll_id: int, results: Sequence[tuple[int, str, str]]) -> None:
        """(line id, paid | failed, bank's reason); a failed line stops being live (it was not paid)."""
        for chunk in _chunks(results):
            for state in ("paid", "failed"):
                ids = [(i, r) for i, s, r in chunk if s == state]
                if not ids:
                    continue
                if state == "paid":
                    self._s.execute(update(PayrollLineRow).where(
                        PayrollLineRow.payroll_id == payroll_id, PayrollLineRow.id.in_([i for i, _ in ids]))
                        .values(state="paid").execution_options(synchronize_session=False))
                else:
                    for line_id, reason in ids:
                        self._s.execute(update(PayrollLineRow).where(
                            PayrollLineRow.payroll_id == payroll_id, PayrollLineRow.id == line_id)
                            .values(state="failed", live=False, result_reason=reason)
                            .execution_options(synchronize_session=False))

    # --- what earlier payrolls did -----------------------------------------------------------
    def live_aggregate(self, item: str, first: str, before: str) -> dict[int, list[tuple[int, int, str]]]:
        """Case → [(basis, lines, last month)] of live lines of an item in months [first, before)."""
        stmt = (select(PayrollLineRow.case_id, PayrollLineRow.basis, func.count(), func.max(PayrollLineRow.month))
                .where(PayrollLineRow.live.is_(True), PayrollLineRow.item == item,
                       PayrollLineRow.month >= first, PayrollLineRow.month < before)
                .group_by(PayrollLineRow.case_id, PayrollLineRow.basis))
        out: dict[int, list[tuple[int, int, str]]] = {}
        for case_id, basis, n, last in self._run(stmt):
            out.setdefault(case_id, []).append((basis, n, last))
        return out

    def live_at(self, items: Sequence[str], month: str) -> list[dict[str, Any]]:
        stmt = (select(PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.amount,
                       PayrollLineRow.person_ids)
                .where(PayrollLineRow.live.is_(True), PayrollLineRow.month == month,
                       PayrollLineRow.item.in_(list(items))))
        return [{"case_id": c, "item": i, "month": m, "amount": a, "person_ids": p}
                for c, i, m, a, p in self._run(stmt)]

    def history_of(self, case_ids: Sequence[int], items: Sequence[str], first: str) -> list[dict[str, Any]]:
        """Every line (live or not) of these cases and items from a month on, oldest first."""
        out = []
        for chunk in _chunks(list(case_ids)):
            stmt = (select(PayrollLineRow.case_id, PayrollLineRow.item, PayrollLineRow.month, PayrollLineRow.amount,
                           PayrollLineRow.state, PayrollLineRow.live, PayrollLineRow.bank_account,
                           PayrollLineRow.result_reason, PayrollLineRow.id)
                    .where(PayrollLineRow.case_id.in_(list(chunk)), PayrollLineRow.item.in_(list(items)),
                           PayrollLineRow.month >= first)
                    .order_by(PayrollLineRow.id))
            out.extend({"case_id": c, "item": i, "month": m, "amount": a, "state": s, "live": lv, "bank_account": acc,
                        "reason": r, "id": lid} for c, i, m, a, s, lv, acc, r, lid in self._run(stmt))
        return out

    def owed_sums(self, case_ids: Sequence[int], items: Sequence[str]) -> dict[tuple[int, str, str], Decimal]:
        out: dict[tuple[int, str, str], Decimal] = {}
        for chunk in _chunks(list(case_ids)):
            stmt = (select(AmountOwedRow.case_id, AmountOwedRow.item, AmountOwedRow.month, func.sum(AmountOwedRow.amount))
                    .where(AmountOwedRow.case_id.in_(list(chunk)), AmountOwedRow.item.in_(list(items)))
                    .group_by(AmountOwedRow.case_id, AmountOwedRow.item, AmountOwedRow.month))
            for c, i, m, a in self._run(stmt):
                out[(c, i, m)] = _cents(a)
        return out

    def owed_keys(self, case_ids: Sequence[int]) -> set[tuple[int, str, str, str]]:
        out = set()
        for chunk in _chunks(list(case_ids)):
            stmt = select(AmountOwedRow.case_id, AmountOwedRow.item, AmountOwedRow.month, AmountOwedRow.source).where(
                AmountOwedRow.case_id.in_(list(chunk)))
            out.update(tuple(r) for r in self._run(stmt))
        return out

    def open_owed(self, payroll_id: int) -> None:
        self._s.execute(update(AmountOwedRow).where(AmountOwedRow.payroll_id == payroll_id,
                                                    AmountOwedRow.status == "draft")
                        .values(status="open").execution_options(synchronize_session=False))

    def owed_row(self, owed_id: int) -> dict[str, Any] | None:
        rows = self._owed_rows(select(AmountOwedRow).where(AmountOwedRow.id == owed_id))
        return rows[0] if rows else None

    def _owed_rows(self, stmt: Any) -> list[dict[str, Any]]:
        names = ("id", "case_id", "item", "month", "amount", "source", "reason", "payroll_id", "status",
                 "created_at", "settled_by", "settled_at", "settle_note")
        return [{n: getattr(r, n) for n in names} for r in self._s.scalars(stmt.execution_options(populate_existing=True))]

    def owed(self, *, case_ids: Sequence[int] | None = None, payroll_id: int | None = None,
             status: str | None = None, limit: int | None = 1000) -> list[dict[str, Any]]:
        """Amounts owed, in month order (``limit`` None: all of them)."""
        stmt = select(AmountOwedRow)
        if case_ids is not None:
            stmt = stmt.where(AmountOwedRow.case_id.in_(list(case_ids)))
        if payroll_id is not None:
            stmt = stmt.where(AmountOwedRow.payroll_id == payroll_id)
        if status:
            stmt = stmt.where(AmountOwedRow.status == status)
        return self._owed_rows(stmt.order_by(AmountOwedRow.month, AmountOwedRow.id).limit(limit))

    def settle_owed(self, owed_id: int, status: str, actor: str, when: dt.datetime, note: str) -> bool:
        result = self._s.execute(update(AmountOwedRow).where(AmountOwedRow.id == owed_id, AmountOwedRow.status == "open")
                                 .values(status=status, settled_by=actor, settled_at=when, settle_note=note)
                                 .execution_options(synchronize_session=False))
        return result.rowcount == 1  # type: ignore[attr-defined]

    # --- bank files ---------------------------------------------------------------------------
    def add_bank_file(self, **values: Any) -> int:
        row = BankFileRow(**values)
        self._s.add(row)
        self._s.flush()
        return row.id

    def bank_files(self, payroll_id: int) -> list[dict[str, Any]]:
        names = ("id", "direction", "layout", "file_name", "sha256", "line_count", "total", "actor", "recorded_at",
                 "summary")
        rows = self._s.scalars(select(BankFileRow).where(BankFileRow.payroll_id == payroll_id).order_by(BankFileRow.id))
        return [{n: getattr(r, n) for n in names} for r in rows]

    # --- ledger ---------------------------------------------------------------------------------
    def lines_of_cases(self, case_ids: Sequence[int], *, year: int | None = None) -> list[dict[str, Any]]:
        """Every line of these benefits (optionally of one year), with its payroll's month and state."""
        cols = [getattr(PayrollLineRow, f) for f in LINE_FIELDS] + [PayrollRow.month, PayrollRow.state,
                                                                     PayrollRow.area_code, PayrollRow.group_code]
        stmt = (select(*cols).join(PayrollRow, PayrollRow.id == PayrollLineRow.payroll_id)
                .where(PayrollLineRow.case_id.in_(list(case_ids))))
        if year is not None:
            stmt = stmt.where(PayrollLineRow.month >= f"{year:04d}-01", PayrollLineRow.month <= f"{year:04d}-12")
        stmt = stmt.order_by(PayrollLineRow.month, PayrollLineRow.item, PayrollLineRow.id)
        names = (*LINE_FIELDS, "payroll_month", "payroll_state", "payroll_area", "payroll_group")
        return [dict(zip(names, r, strict=True)) for r in self._run(stmt)]

    # --- the 统计月报 (domain/paid_figures.py) ---------------------------------------------------
    def payroll_states(self, areas: Sequence[str], groups: Sequence[str],
                       months: Sequence[str]) -> list[tuple[int, str, str, str, str]]:
        """(id, area, group, month, state) of the payrolls of these areas, groups and months."""
        stmt = (select(PayrollRow.id, PayrollRow.area_code, PayrollRow.group_code, PayrollRow.month, PayrollRow.state)
                .where(PayrollRow.area_code.in_(list(areas)), PayrollRow.group_code.in_(list(groups)),
                       PayrollRow.month.in_(list(months))))
        return [tuple(r) for r in self._run(stmt)]

    def result_sums(self, payroll_ids: Sequence[int]) -> dict[int, list[list[Any]]]:
        """Payroll → what its bank result paid by village, as kept with the result file when it was
        read (domain/paid_figures.village_sums); payrolls whose result file has none are left out."""
        out: dict[int, list[list[Any]]] = {}
        for chunk in _chunks(sorted(payroll_ids)):
            stmt = (select(BankFileRow.payroll_id, BankFileRow.summary)
                    .where(BankFileRow.payroll_id.in_(list(chunk)), BankFileRow.direction == "result")
                    .order_by(BankFileRow.id))
            for pid, summary in self._run(stmt):
                if isinstance(summary, dict) and isinstance(summary.get("by_village"), list):
                    out[pid] = summary["by_village"]
        return out

    def paid_by_village(self, payroll_ids: Sequence[int]) -> list[tuple[str, str, str, bool, Decimal, int]]:
        """The lines the bank paid in these payrolls, summed by (payroll month, village, group, whether
        the line is for an earlier month): ``(month, village, group, earlier, amount, persons)``.
        One aggregate over the payrolls' lines — for results read before their sums were kept with the
        result file (:meth:`result_sums`)."""
        earlier = (PayrollLineRow.month < PayrollRow.month).label("earlier")
        out = []
        for chunk in _chunks(sorted(payroll_ids)):
            stmt = (select(PayrollRow.month, PayrollLineRow.village_code, PayrollRow.group_code, earlier,
                           func.sum(PayrollLineRow.amount), func.sum(PayrollLineRow.persons))
                    .join(PayrollRow, PayrollRow.id == PayrollLineRow.payroll_id)
                    .where(PayrollLineRow.payroll_id.in_(list(chunk)), PayrollLineRow.state == "paid")
                    .group_by(PayrollRow.month, PayrollLineRow.village_code, PayrollRow.group_code, earlier))
            out.extend((m, v, g, bool(e), _cents(a), int(p or 0)) for m, v, g, e, a, p in self._run(stmt))
        return out

    def ledger_cases(self, case_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Number, programme, household and 先行救助 (amount, paid on: text) of these cases, for the 台账."""
        forms = CaseRow.forms
        out = {}
        for chunk in _chunks(sorted(set(case_ids))):
            stmt = select(CaseRow.id, CaseRow.number, CaseRow.programme, CaseRow.household_id,
                          forms[("first_aid", "amount")].as_string(),
                          forms[("first_aid", "paid_on")].as_string()).where(CaseRow.id.in_(list(chunk)))
            for cid, number, programme, household, amount, paid_on in self._run(stmt):
                out[cid] = {"id": cid, "number": number, "programme": programme, "household_id": household,
                            "first_aid_amount": amount, "first_aid_paid_on": paid_on}
        return out

    # --- price indices --------------------------------------------------------------------------
    def price_index(self, area_code: str, month: str) -> dict[str, Any] | None:
        row = self._s.scalars(select(PriceIndexRow).where(PriceIndexRow.area_code == area_code,
                                                          PriceIndexRow.month == month)).one_or_none()
        if row is None:
            return None
        return {"area_code": row.area_code, "month": row.month, "cpi_yoy": row.cpi_yoy, "food_yoy": row.food_yoy,
                "entered_by": row.entered_by, "entered_at": row.entered_at, "note": row.note}

    def set_price_index(self, area_code: str, month: str, cpi: Decimal, food: Decimal, actor: str,
                        when: dt.datetime, note: str) -> None:
        row = self._s.scalars(select(PriceIndexRow).where(PriceIndexRow.area_code == area_code,
                                                          PriceIndexRow.month == month)).one_or_none()
        if row is None:
            self._s.add(PriceIndexRow(area_code=area_code, month=month, cpi_yoy=cpi, food_yoy=food, entered_by=actor,
                                      entered_at=when, note=note))
        else:
            row.cpi_yoy, row.food_yoy, row.entered_by, row.entered_at, row.note = cpi, food, actor, when, note
        self._s.flush()

    def price_indices(self, areas: Iterable[str] | None = None, *, first: str | None = None,
                      last: str | None = None) -> list[dict[str, Any]]:
        stmt = select(PriceIndexRow)
        if areas is not None:
            stmt = stmt.where(PriceIndexRow.area_code.in_(list(areas)))
        if first:
            stmt = stmt.where(PriceIndexRow.month >= first)
        if last:
            stmt = stmt.where(PriceIndexRow.month <= last)
        rows = self._s.scalars(stmt.order_by(PriceIndexRow.month.desc(), PriceIndexRow.area_code))
        return [{"area_code": r.area_code, "month": r.month, "cpi_yoy": r.cpi_yoy, "food_yoy": r.food_yoy,
                 "entered_by": r.entered_by, "entered_at": r.entered_at, "note": r.note} for r in rows]

    def approved_price_months(self, areas: Sequence[str], month: str) -> bool:
        """Whether a 价格临时补贴 payroll of these areas for the month is past its approval."""
        return bool(self._s.scalar(select(func.count()).select_from(PayrollRow).where(
            PayrollRow.area_code.in_(list(areas)), PayrollRow.group_code == "price_subsidy",
            PayrollRow.month == month,
            PayrollRow.state.in_(("approved", "exported", "results", "closed")))))


__all__ = ["PaymentRepository"]
