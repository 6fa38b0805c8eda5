"""Storage on temporary SQLite files: migrations, pragmas, repositories, locking, faults."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError

from doudi_desk.domain.calendar import WorkingCalendar
from doudi_desk.domain.errors import DomainError, InputError
from doudi_desk.domain.model import (
    Area,
    Assets,
    AuditEvent,
    Case,
    Disability,
    Household,
    IncomeItem,
    Member,
    RigidExpense,
    TemporaryClaim,
    User,
    Vehicle,
)
from doudi_desk.storage.db import Database, StorageError, default_url, storage_error_for
from doudi_desk.storage.models import Base, CaseRow
from doudi_desk.storage.repo import NotFoundError, StaleVersionError

COUNTY, TOWNSHIP, VILLAGE, VILLAGE2 = "130102000000", "130102001000", "130102001001", "130102001002"


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "doudi.sqlite3"  # "data" does not exist yet


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database(_url(db_path))
    database.migrate()
    with database.unit_of_work() as uow:
        uow.areas.add(Area(COUNTY, "长安区", "county"))
        uow.areas.add(Area(TOWNSHIP, "建北街道", "township", COUNTY))
        uow.areas.add(Area(VILLAGE, "光明社区", "village", TOWNSHIP))
        uow.areas.add(Area(VILLAGE2, "红旗社区", "village", TOWNSHIP))
    yield database
    database.dispose()


def make_household(village: str = VILLAGE) -> Household:
    return Household(
        members=[
            Member(
                "王建国",
                "130102197203150316",
                relation="head",
                applicant=True,
                disability=Disability("physical", 2),
                work_capacity="部分",
            ),
            Member("李秀兰", "130102197508020424", relation="spouse", serious_illness=True),
            Member(
                "王小明",
                "130102200801010011",
                relation="child",
                student=True,
                adl_unable=2,
                staff_relative=True,
            ),
            Member("王大明", "130102199801010018", relation="child", excluded="prison"),
        ],
        income=[
            IncomeItem("wage", Decimal("15600.00"), member=0, note="打零工"),
            IncomeItem("farming", Decimal("1234.56")),
            IncomeItem("basic_pension", Decimal("0.01"), member=1),
        ],
        rigid_expenses=[RigidExpense("medical", Decimal("8800.10"), member=1, note="住院")],
        assets=Assets(
            financial=Decimal("12345.678"),  # JSON keeps any precision
            vehicles=[Vehicle(disability_vehicle=True, note="残疾人摩托"), Vehicle()],
            homes=1,
            commercial_property=False,
        ),
        no_able_supporter=True,
        temporary=TemporaryClaim("urgent", Decimal("3000.50"), cause="火灾"),
        village_code=village,
        address="光明路 1 号",
        phone="13800000000",
        bank_name="县农村信用社",
        bank_account="6230580100112233445",
    )


def make_case(household_id: int, number: str = "2026-DB-000001", **changes: object) -> Case:
    case = Case(
        id=None,
        number=number,
        programme="dibao",
        workflow_id="dibao",
        workflow_version=1,
        state="accepted",
        household_id=household_id,
        village_code=VILLAGE,
        created_by="caseworker1",
        created_at=dt.datetime(2026, 3, 2, 9, 30, 15),
        applied_on=dt.date(2026, 3, 2),
        accepted_on=dt.date(2026, 3, 2),
        state_entered_on=dt.date(2026, 3, 2),
        state_deadline=dt.date(2026, 3, 5),
        total_deadline=dt.date(2026, 4, 14),
        forms={"application": {"reason": "因病致贫", "amount": "720.00", "ok": True}},
    )
    return dataclasses.replace(case, **changes)  # type: ignore[arg-type]


def add_case(db: Database, **changes: object) -> Case:
    with db.unit_of_work() as uow:
        household_id = uow.households.add(make_household())
        return uow.cases.add(make_case(household_id, **changes))


# ------------------------------------------------------------------------ migrations and pragmas


def _head_revision() -> str:
    """The newest migration, read from the scripts (so a new migration needs no edit here)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from doudi_desk.storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


def test_migrate_creates_the_folder_and_twice_is_a_no_op(db: Database, db_path: Path) -> None:
    assert db_path.exists()
    with db.unit_of_work() as uow:
        uow.settings.set("office", "建北街道")
    tables_before = set(inspect(db.engine).get_table_names())
    db.migrate()
    Database(_url(db_path)).migrate()  # a second program start on the same file
    assert set(inspect(db.engine).get_table_names()) == tables_before
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(_head_revision(),)]
    with db.unit_of_work() as uow:
        assert uow.settings.get("office") == "建北街道"


def test_failed_migration_leaves_the_database_untouched(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what Database.migrate runs (loaded only when a database is behind)
    from alembic import command

    real_upgrade = command.upgrade

    def upgrade_then_fail(*args: object, **kwargs: object) -> None:
        real_upgrade(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("power cut")

    monkeypatch.setattr(command, "upgrade", upgrade_then_fail)
    database = Database(_url(db_path))
    with pytest.raises(RuntimeError, match="power cut"):
        database.migrate()
    assert inspect(database.engine).get_table_names() == []
    monkeypatch.undo()
    database.migrate()  # and the next start succeeds
    assert "cases" in inspect(database.engine).get_table_names()
    with database.unit_of_work() as uow:
        assert uow.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_the_cheap_revision_check_reads_what_alembic_reads(db_path: Path) -> None:
    """Opening an up-to-date database never loads Alembic: its revision is one SELECT and the head
    is read from the migration files' own lines; both agree with Alembic's answers."""
    import subprocess
    import sys

    from alembic.runtime.migration import MigrationContext as Context
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Database._alembic_config())
    assert Database.head_revision() == script.get_current_head()
    assert Database.known_revisions() == {s.revision for s in script.walk_revisions()}
    database = Database(_url(db_path))
    assert database.revision() is None  # a new file: no schema yet
    database.migrate()
    with database.engine.connect() as conn:
        assert database.revision() == Context.configure(conn).get_current_revision() == script.get_current_head()
    database.dispose()
    probe = ("import sys; from doudi_desk.storage.db import Database; "
             f"d = Database({_url(db_path)!r}); assert d.revision() == d.head_revision(); "
             "print('alembic' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_pragmas_are_on_for_every_connection(db: Database) -> None:
    for _ in range(2):
        with db.unit_of_work() as uow:
            run = uow.session.execute
            assert run(text("PRAGMA journal_mode")).scalar() == "wal"
            assert run(text("PRAGMA foreign_keys")).scalar() == 1
            assert run(text("PRAGMA busy_timeout")).scalar() == 5000
            assert run(text("PRAGMA synchronous")).scalar() == 2  # FULL
        db.dispose()  # the next round opens a new connection


def _write_pages(uow, fill: str, n: int = 40) -> None:
    for i in range(n):  # about a page each
        uow.settings.set(f"bulk_test_{i}", fill * 3000)


def test_a_bulk_unit_of_work_leaves_its_pages_in_the_wal_until_the_checkpoint(
        db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ordinary commit past WAL_CHECKPOINT_PAGES copies the WAL into the database file; a bulk
    unit of work's commits (a batch's chunks) leave it there up to BULK_CHECKPOINT_PAGES, and
    :meth:`Database.checkpoint` copies it after the last one. The connection given back to the pool
    checkpoints as usual again."""
    from doudi_desk.storage import db as db_module

    monkeypatch.setattr(db_module, "WAL_CHECKPOINT_PAGES", 10)
    db.dispose()  # the next connection takes the limit above
    before = db_path.read_bytes()
    with db.unit_of_work() as uow:
        _write_pages(uow, "a")
    assert db_path.read_bytes() != before  # its commit copied the WAL into the database file
    before = db_path.read_bytes()
    for fill in "bc":
        with db.unit_of_work(bulk=True) as uow:
            assert uow.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == db_module.BULK_CHECKPOINT_PAGES
            _write_pages(uow, fill)
    assert db_path.read_bytes() == before  # 80 pages in the WAL, the file as it was
    db.checkpoint()
    assert db_path.read_bytes() != before
    with db.unit_of_work() as uow:  # the same pooled connection, back to the ordinary limit
        assert uow.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 10


def test_a_failed_checkpoint_is_logged_not_raised(db: Database, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """What the batch before the checkpoint wrote is committed: a checkpoint that cannot run (the
    disk, a lock) must not make it look failed. SQLite checkpoints at a later commit."""
    def broken(*_args, **_kwargs):
        raise OperationalError("PRAGMA wal_checkpoint(PASSIVE)", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(db.engine, "connect", broken)
    db.checkpoint()
    assert "WAL checkpoint failed" in caplog.text


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.unit_of_work() as uow:
        uow.households.add(make_household(village="999999999999"))


def test_indexes_exist(db: Database) -> None:
    inspector = inspect(db.engine)

    def indexed(table: str) -> set[str]:
        columns = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}
        columns |= {tuple(uq["column_names"]) for uq in inspector.get_unique_constraints(table)}
        return {c[0] for c in columns}  # leading columns

    assert {"id_number", "name", "household_id"} <= indexed("members")
    assert {"village_code", "state", "state_deadline", "total_deadline", "number"} <= indexed(
        "cases"
    )
    assert "village_code" in indexed("households")
    assert "case_id" in indexed("audit_events")
    assert "area_code" in indexed("policy_sets")


def test_case_columns_match_the_dataclass() -> None:
    columns = {c.name for c in CaseRow.__table__.columns}
    derived = {"number_reversed"}  # a search key the ORM computes from ``number`` (search_keys.py)
    assert columns - derived == {f.name for f in dataclasses.fields(Case)}


def test_default_url_points_into_the_user_data_folder() -> None:
    url = default_url()
    assert url.startswith("sqlite:///")
    assert url.endswith("doudi_desk.sqlite3")
    assert "doudi_desk" in Path(url.removeprefix("sqlite:///")).parent.as_posix()


# ---------------------------------------------------------------------------- areas and users


def test_areas(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert uow.areas.get(VILLAGE) == Area(VILLAGE, "光明社区", "village", TOWNSHIP)
        assert uow.areas.get("nope") is None
        assert [a.code for a in uow.areas.children(COUNTY)] == [TOWNSHIP]
        assert [a.code for a in uow.areas.children(TOWNSHIP)] == [VILLAGE, VILLAGE2]
        assert [a.code for a in uow.areas.children(COUNTY, level="village")] == [VILLAGE, VILLAGE2]
        assert len(uow.areas.all()) == 4


def test_users(db: Database) -> None:
    user = User("zhang", "张三", ("caseworker", "township_reviewer"), area_code=TOWNSHIP)
    with db.unit_of_work() as uow:
        uow.users.add(user)
        uow.users.add(User("admin", "管理员", ("admin",), active=False))
    with db.unit_of_work() as uow:
        assert uow.users.get("zhang") == user
        assert uow.users.get("nobody") is None
        assert [u.username for u in uow.users.all()] == ["admin", "zhang"]


# ---------------------------------------------------------------------------------- households


def test_household_round_trip_is_equal(db: Database) -> None:
    household = make_household()
    with db.unit_of_work() as uow:
        household_id = uow.households.add(household)
    assert household.id == household_id
    with db.unit_of_work() as uow:
        loaded = uow.households.get(household_id)
    assert loaded == household
    assert loaded.income[1].amount == Decimal("1234.56")
    assert isinstance(loaded.income[1].amount, Decimal)
    assert loaded.assets.financial == Decimal("12345.678")
    assert loaded.temporary == TemporaryClaim("urgent", Decimal("3000.50"), cause="火灾")
    assert loaded.members[0].disability == Disability("physical", 2)
    assert loaded.members[0].severe_disability


def test_a_household_read_ahead_or_in_bulk_is_the_household_read_alone(db: Database) -> None:
    """A batch's read-ahead and the bulk reads build members from plain rows, by position; every
    field comes back as the household read on its own has it (a disability, the 两项补贴 values)."""
    household = make_household()
    household.members[1] = dataclasses.replace(
        household.members[1], disability=Disability("intellectual", 3), disability_certificate=True,
        certificate_number="13010219750802042432", long_term_care=True, orphan_support=False, work_injury_care=True)
    household.members[2] = dataclasses.replace(household.members[2], orphan_support=True)
    with db.unit_of_work() as uow:
        household_id = uow.households.add(household)
    with db.unit_of_work() as uow:
        alone = uow.households.get(household_id)
    with db.unit_of_work() as uow:
        in_bulk = uow.households.get_many([household_id])[household_id]
        uow.households.preload([household_id])
        ahead = uow.households.get(household_id)
        named = (uow.households.head_name(household_id), uow.households.id_numbers(household_id))
    assert alone == household and in_bulk == household and ahead == household
    assert named == ("王建国", [m.id_number for m in household.members])


def test_household_replace_rewrites_members_and_items(db: Database) -> None:
    household = make_household()
    with db.unit_of_work() as uow:
        uow.households.add(household)
    changed = dataclasses.replace(
        household,
        members=[household.members[1], household.members[0]],
        income=[IncomeItem("other", Decimal("99.90"), member=1)],
        rigid_expenses=[],
        assets=Assets(),
        temporary=None,
        address="新地址",
    )
    with db.unit_of_work() as uow:
        uow.households.replace(changed)
    with db.unit_of_work() as uow:
        assert uow.households.get(household.id or 0) == changed
        count = uow.session.execute(text("SELECT count(*) FROM members")).scalar()
        assert count == 2


def test_money_with_more_than_two_decimals_is_refused(db: Database) -> None:
    household = make_household()
    household.income.append(IncomeItem("wage", Decimal("1.005")))
    with pytest.raises(InputError), db.unit_of_work() as uow:
        uow.households.add(household)


def test_missing_household(db: Database) -> None:
    with pytest.raises(NotFoundError), db.unit_of_work() as uow:
        uow.households.get(12345)


# --------------------------------------------------------------------------------------- cases


def test_case_add_get_save(db: Database) -> None:
    case = add_case(db)
    assert case.id is not None and case.version == 1
    with db.unit_of_work() as uow:
        loaded = uow.cases.get(case.id)
        assert loaded == case
        assert uow.cases.get_by_number("2026-DB-000001") == case
        assert uow.cases.get_by_number("2026-DB-999999") is None

    loaded.state = "township_review"
    loaded.state_deadline = dt.date(2026, 3, 20)
    loaded.proposal = {"amount": Decimal("360.50"), "reasons": ["收入低于标准"]}
    loaded.decision = {"granted": True}
    loaded.county_delegated = True
    loaded.last_effective_date = dt.date(2026, 3, 6)
    with db.unit_of_work() as uow:
        saved = uow.cases.save(loaded, expected_version=1)
        assert uow.cases.get(case.id).state == "township_review"  # same session sees the write
    assert saved.version == 2 and loaded.version == 1  # the argument is left alone
    with db.unit_of_work() as uow:
        again = uow.cases.get(case.id)
    assert again.version == 2
    assert again.state == "township_review"
    assert again.state_deadline == dt.date(2026, 3, 20)
    assert again.proposal == {"amount": "360.50", "reasons": ["收入低于标准"]}  # money as string
    assert again.decision == {"granted": True}
    assert again.county_delegated and again.last_effective_date == dt.date(2026, 3, 6)
    assert again.forms == case.forms


def test_stale_save_is_refused_and_changes_nothing(db: Database) -> None:
    case = add_case(db)
    assert case.id is not None
    with db.unit_of_work() as uow:
        mine = uow.cases.get(case.id)
    with db.unit_of_work() as uow:  # someone else saves first
        theirs = uow.cases.get(case.id)
        theirs.state = "theirs"
        uow.cases.save(theirs, expected_version=theirs.version)

    mine.state = "mine"
    with pytest.raises(StaleVersionError) as info, db.unit_of_work() as uow:
        uow.cases.save(mine, expected_version=mine.version)
    assert isinstance(info.value, DomainError)
    assert (info.value.current, info.value.expected) == (2, 1)
    assert str(info.value) == "案件已被他人修改（当前版本 2，您的版本 1），请刷新后重试"
    with db.unit_of_work() as uow:
        stored = uow.cases.get(case.id)
    assert (stored.state, stored.version) == ("theirs", 2)


def test_save_of_a_missing_case(db: Database) -> None:
    case = add_case(db)
    with pytest.raises(NotFoundError), db.unit_of_work() as uow:
        uow.cases.save(dataclasses.replace(case, id=9999), expected_version=1)


def test_editing_a_loaded_case_does_not_leak_into_the_session(db: Database) -> None:
    case = add_case(db)
    assert case.id is not None
    with db.unit_of_work() as uow:
        first = uow.cases.get(case.id)
        first.forms["application"]["reason"] = "改了"
        assert uow.cases.get(case.id).forms["application"]["reason"] == "因病致贫"


def test_query_and_count(db: Database) -> None:
    with db.unit_of_work() as uow:
        hid = uow.households.add(make_household())
        uow.cases.add(make_case(hid, "2026-DB-000001"))
        uow.cases.add(make_case(hid, "2026-DB-000002", state="township_review"))
        uow.cases.add(make_case(hid, "2026-TK-000001", programme="tekun", village_code=VILLAGE2))
        uow.cases.add(
            make_case(
                hid,
                "2026-DB-000003",
                state="closed",
                closed=True,
                state_deadline=None,
                total_deadline=dt.date(2026, 3, 3),
            )
        )

    def numbers(cases: list[Case]) -> list[str]:
        return [c.number for c in cases]

    with db.unit_of_work() as uow:
        assert len(uow.cases.query()) == 4
        assert numbers(uow.cases.query(state="accepted")) == ["2026-DB-000001", "2026-TK-000001"]
        assert len(uow.cases.query(states=["accepted", "township_review"])) == 3
        assert numbers(uow.cases.query(village_code=VILLAGE2)) == ["2026-TK-000001"]
        assert numbers(uow.cases.query(programme="tekun")) == ["2026-TK-000001"]
        assert len(uow.cases.query(open_only=True)) == 3
        assert numbers(uow.cases.query(deadline_before=dt.date(2026, 3, 4))) == ["2026-DB-000003"]
        assert len(uow.cases.query(deadline_before=dt.date(2026, 3, 6))) == 4
        assert numbers(uow.cases.query(limit=2, offset=1)) == ["2026-DB-000002", "2026-TK-000001"]
        assert uow.cases.count_by_state() == {"accepted": 2, "township_review": 1, "closed": 1}
        assert uow.cases.count_by_state(open_only=True) == {"accepted": 2, "township_review": 1}


def test_next_number_increments(db: Database) -> None:
    with db.unit_of_work() as uow:
        hid = uow.households.add(make_household())
        assert uow.cases.next_number("DB", 2026) == "2026-DB-000001"
        for _ in range(11):
            uow.cases.add(make_case(hid, uow.cases.next_number("DB", 2026)))
        assert uow.cases.next_number("DB", 2026) == "2026-DB-000012"
        assert uow.cases.next_number("TK", 2026) == "2026-TK-000001"
        assert uow.cases.next_number("DB", 2027) == "2027-DB-000001"
    with pytest.raises(IntegrityError), db.unit_of_work() as uow:
        uow.cases.add(make_case(hid, "2026-DB-000011"))  # numbers are unique


def test_open_cases_with_id_number(db: Database) -> None:
    with db.unit_of_work() as uow:
        hid = uow.households.add(make_household())
        first = uow.cases.add(make_case(hid, "2026-DB-000001"))
        uow.cases.add(make_case(hid, "2026-DB-000002", closed=True))
        other = uow.households.add(Household(members=[Member("赵六", "110101199003077777")]))
        uow.cases.add(make_case(other, "2026-DB-000003"))
    with db.unit_of_work() as uow:
        found = uow.cases.open_cases_with_id_number("130102197508020424")
        assert [c.number for c in found] == ["2026-DB-000001"]
        assert uow.cases.open_cases_with_id_number("130102197508020424", first.id) == []
        assert uow.cases.open_cases_with_id_number("000000000000000000") == []


# ----------------------------------------------------------------------------- unit of work


def test_rollback_on_exception_leaves_nothing(db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.unit_of_work() as uow:
        hid = uow.households.add(make_household())
        uow.cases.add(make_case(hid))
        uow.settings.set("x", 1)
        raise Boom
    with db.unit_of_work() as uow:
        assert uow.cases.query() == []
        assert uow.settings.get("x") is None
        assert uow.session.execute(text("SELECT count(*) FROM households")).scalar() == 0
        assert uow.session.execute(text("SELECT count(*) FROM members")).scalar() == 0


# ---------------------------------------------------------------------------------- events


def _event(case_id: int, seq: int, to_state: str) -> AuditEvent:
    return AuditEvent(
        case_id=case_id,
        seq=seq,
        actor="zhang",
        trigger="advance",
        from_state=None if seq == 1 else "s",
        to_state=to_state,
        recorded_at=dt.datetime(2026, 3, 2, 10, seq),
        effective_date=dt.date(2026, 3, 2),
        comment="同意",
        changes={"state": {"before": "s", "after": to_state}},
        data={"amount": "720.00", "人数": 3},
    )


def test_events_are_kept_in_seq_order(db: Database) -> None:
    case = add_case(db)
    other = add_case(db, number="2026-DB-000002")
    assert case.id is not None and other.id is not None
    with db.unit_of_work() as uow:
        assert uow.events.next_seq(case.id) == 1
        for seq, state in enumerate(["a", "b", "c"], start=1):
            uow.events.append(_event(case.id, seq, state))
        uow.events.append(_event(other.id, 1, "x"))
    with db.unit_of_work() as uow:
        events = uow.events.list(case.id)
        assert [e.to_state for e in events] == ["a", "b", "c"]
        assert events[0] == _event(case.id, 1, "a")
        assert uow.events.next_seq(case.id) == 4
        with pytest.raises(ValueError):
            uow.events.append(_event(case.id, 3, "again"))  # seq already used
        with pytest.raises(ValueError):
            uow.events.append(_event(case.id, 5, "gap"))


def test_append_next_numbers_the_event_and_keeps_the_date_order(db: Database) -> None:
    """The case writer's way in: the next seq and the date order from one query, not three."""
    from doudi_desk.storage.repo import OutOfOrderError
    from tests.query_count import statements

    case = add_case(db)
    with db.unit_of_work() as uow:
        first = uow.events.append_next(_event(case.id, 0, "a"))
        with statements(db.engine) as sent:
            second = uow.events.append_next(_event(case.id, 9, "b"))
        assert (first.seq, second.seq) == (1, 2)
        assert sum("FROM audit_events" in s for s in sent) == 1
        with pytest.raises(OutOfOrderError, match="早于上一步的办理日期"):
            uow.events.append_next(dataclasses.replace(_event(case.id, 0, "c"), effective_date=dt.date(2026, 3, 1)))
    with db.unit_of_work() as uow:
        assert [(e.seq, e.to_state) for e in uow.events.list(case.id)] == [(1, "a"), (2, "b")]


# -------------------------------------------------------------------- policies, calendar, settings


def test_policy_effective_date_selection(db: Database) -> None:
    with db.unit_of_work() as uow:
        p2025 = uow.policies.add(COUNTY, dt.date(2025, 1, 1), {"std": "680"}, "admin")
        p2026 = uow.policies.add(COUNTY, dt.date(2026, 1, 1), {"std": "720"}, "admin", "2026年标准")
        pt = uow.policies.add(TOWNSHIP, dt.date(2026, 7, 1), {"std": "750"}, "admin")
    chain = [VILLAGE, TOWNSHIP, COUNTY]
    with db.unit_of_work() as uow:

        def chosen(on: dt.date, areas: list[str] = chain) -> tuple[int, str] | None:
            found = uow.policies.effective(areas, on)
            return None if found is None else (found[0], found[1])

        assert chosen(dt.date(2024, 12, 31)) is None
        assert uow.policies.effective(chain, dt.date(2025, 6, 1)) == (
            p2025,
            COUNTY,
            dt.date(2025, 1, 1),
            {"std": "680"},
        )
        assert chosen(dt.date(2026, 1, 1)) == (p2026, COUNTY)
        assert chosen(dt.date(2026, 6, 30)) == (p2026, COUNTY)
        assert chosen(dt.date(2026, 7, 1)) == (pt, TOWNSHIP)  # the more specific area wins
        assert chosen(dt.date(2026, 7, 1), [COUNTY]) == (p2026, COUNTY)
    with pytest.raises(IntegrityError), db.unit_of_work() as uow:
        uow.policies.add(COUNTY, dt.date(2026, 1, 1), {}, "admin")


def test_calendar_overrides(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.calendar.set(dt.date(2026, 2, 23), True, "值班", "admin")
        uow.calendar.set(dt.date(2026, 3, 4), True, "", "admin")
        uow.calendar.set(dt.date(2026, 3, 4), False, "停电", "admin")  # overwrite
        uow.calendar.set(dt.date(2026, 5, 6), False, "", "admin")
        uow.calendar.remove(dt.date(2026, 5, 6))
        uow.calendar.remove(dt.date(2030, 1, 1))  # absent: no error
    with db.unit_of_work() as uow:
        overrides = uow.calendar.all()
    assert overrides == {dt.date(2026, 2, 23): True, dt.date(2026, 3, 4): False}
    calendar = WorkingCalendar(overrides)
    assert calendar.is_working_day(dt.date(2026, 2, 23))
    assert not calendar.is_working_day(dt.date(2026, 3, 4))


def test_settings(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert uow.settings.get("printer", "默认") == "默认"
        uow.settings.set("printer", {"name": "办公室打印机", "copies": 2})
        uow.settings.set("printer", {"name": "新打印机", "copies": 1})
        uow.settings.set("nothing", None)
    with db.unit_of_work() as uow:
        assert uow.settings.get("printer") == {"name": "新打印机", "copies": 1}
        assert uow.settings.get("nothing", "x") is None


# -------------------------------------------------------------------------- environment faults


def test_locked_database_becomes_a_storage_error(db: Database, db_path: Path) -> None:
    impatient = Database(_url(db_path), busy_timeout_ms=50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        with pytest.raises(StorageError) as info, impatient.unit_of_work() as uow:
            uow.settings.set("k", "v")
        assert info.value.kind == "locked"
        assert info.value.message == "数据库正被其他程序占用，请稍后再试"
        assert isinstance(info.value, DomainError)
    finally:
        other.rollback()
        other.close()
        impatient.dispose()


def test_read_only_database_becomes_a_storage_error(db: Database, db_path: Path) -> None:
    db.dispose()
    read_only = Database(f"sqlite:///file:{db_path}?mode=ro&uri=true")
    try:
        with pytest.raises(StorageError) as info, read_only.unit_of_work() as uow:
            uow.settings.set("k", "v")
        assert info.value.kind == "readonly"
    finally:
        read_only.dispose()


def test_unopenable_database_becomes_a_storage_error(tmp_path: Path) -> None:
    folder = tmp_path / "is_a_folder"
    folder.mkdir()
    database = Database(_url(folder))
    try:
        with pytest.raises(StorageError) as info:
            database.migrate()
        assert info.value.kind == "connect"
        assert "无法连接数据库" in info.value.message
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("driver_message", "kind"),
    [
        ("database is locked", "locked"),
        ("attempt to write a readonly database", "readonly"),
        ("database or disk is full", "full"),
        ("could not extend file: No space left on device", "full"),
        ("disk I/O error", "io"),
        ("file is not a database", "corrupt"),
        ("unable to open database file", "connect"),
        ("server closed the connection unexpectedly", "connect"),
    ],
)
def test_fault_messages_are_mapped(driver_message: str, kind: str) -> None:
    error = OperationalError("INSERT ...", {}, sqlite3.OperationalError(driver_message))
    mapped = storage_error_for(error)
    assert mapped is not None and mapped.kind == kind
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mapped.message)  # a Chinese message


def test_bugs_are_not_mapped() -> None:
    assert storage_error_for(OperationalError("x", {}, Exception("no such table: cases"))) is None
    assert storage_error_for(IntegrityError("x", {}, Exception("UNIQUE constraint failed"))) is None
    assert storage_error_for(ValueError("database is locked")) is None
