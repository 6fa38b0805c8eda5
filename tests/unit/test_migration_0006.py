"""Migration 0006 on a database made by the previous version: ID numbers typed with other digits
are rewritten with ASCII digits (so duplicate checks find them), the ``locks`` table and the
one-open-case-per-benefit index appear, and a database that already breaks that rule is named
rather than half-migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from doudi_desk.storage.db import MIGRATIONS_DIR, Database


def upgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    engine = create_engine(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def at_0005(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0005")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO areas (code, name, level) VALUES ('130999101001', '前进村', 'village')"))
        conn.execute(text("INSERT INTO households (id, village_code, address, phone, no_able_supporter, assets, "
                          "created_at) VALUES (1, '130999101001', '', '', 0, '{}', '2026-01-01 00:00:00')"))
        for position, number in enumerate(["١٣٠١٠٢١٩٨٠١١٣٠٠٥١3", "11010519491231002x", "130102197203150316"]):
            conn.execute(text(
                "INSERT INTO members (household_id, position, name, name_initials, id_number, relation, serious_illness,"
                " applicant, adl_unable, student, staff_relative) VALUES (1, :p, '张三', 'zs', :n, 'head', 0, 0, 0, 0, 0)"),
                {"p": position, "n": number})
    engine.dispose()
    return url


def add_case(conn, case_id: int, parent: int | None, closed: bool) -> None:
    conn.execute(text(
        "INSERT INTO cases (id, number, programme, workflow_id, workflow_version, state, household_id, village_code,"
        " created_by, created_at, applied_on, county_delegated, staff_relative, forms, closed, kind, parent_case_id,"
        " version) VALUES (:id, :num, 'dibao', 'dibao', 1, 'opened', 1, '130999101001', 'clerk', '2026-01-01 00:00:00',"
        " '2026-01-01', 0, 0, '{}', :closed, 'review', :parent, 1)"),
        {"id": case_id, "num": f"2026-DB-{case_id:06d}", "closed": closed, "parent": parent})


def test_id_numbers_are_normalised_and_the_new_rules_exist(tmp_path):
    url = at_0005(tmp_path)
    Database(url).migrate()
    engine = create_engine(url)
    with engine.connect() as conn:
        numbers = [r[0] for r in conn.execute(text("SELECT id_number FROM members ORDER BY position"))]
        assert numbers == ["130102198011300513", "11010519491231002X", "130102197203150316"]
        assert "locks" in inspect(conn).get_table_names()
        assert "uq_cases_open_child" in {i["name"] for i in inspect(conn).get_indexes("cases")}
    engine.dispose()


def test_a_benefit_with_two_open_cases_is_named_not_half_migrated(tmp_path):
    url = at_0005(tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        add_case(conn, 1, None, True)
        add_case(conn, 2, 1, False)
        add_case(conn, 3, 1, False)
    engine.dispose()
    with pytest.raises(RuntimeError, match="2026-DB-000001（2 件）"):
        Database(url).migrate()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"
        assert "locks" not in inspect(conn).get_table_names()
    engine.dispose()
