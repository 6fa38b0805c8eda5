"""A database as an older version of the program left it (for the upgrade tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from doudi_desk.storage.db import MIGRATIONS_DIR

OLD = "0003"  # before the audit chain and accounts (0004): the widest step the code must take


def old_database(path) -> str:
    """A database as an older version of the program left it: schema 0003 with an office and a case."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, OLD)
        conn.execute(text("INSERT INTO areas VALUES ('130999', '测试县', 'county', NULL)"))
        conn.execute(text("INSERT INTO areas VALUES ('130999101', '河东镇', 'township', '130999')"))
        conn.execute(text("INSERT INTO areas VALUES ('130999101001', '前进村', 'village', '130999101')"))
        conn.execute(text("INSERT INTO households (id, village_code, address, phone, no_able_supporter, assets, "
                          "created_at) VALUES (1, '130999101001', '前进村3组', '', 0, '{}', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO cases (id, number, programme, workflow_id, workflow_version, state, "
                          "household_id, village_code, created_by, created_at, applied_on, county_delegated, "
                          "staff_relative, forms, closed, version, kind) VALUES (1, '2026-DB-000001', 'dibao', "
                          "'dibao', 1, 'applied', 1, '130999101001', 'clerk', '2026-01-01 00:00:00', '2026-01-01', "
                          "0, 0, '{}', 0, 1, 'application')"))
        conn.execute(text("INSERT INTO audit_events (case_id, seq, actor, \"trigger\", from_state, to_state, "
                          "recorded_at, effective_date, comment, changes, data) VALUES (1, 1, 'clerk', 'apply', "
                          "NULL, 'applied', '2026-01-01 09:00:00.000000', '2026-01-01', '申请登记', '{}', '{}')"))
    engine.dispose()
    return url
