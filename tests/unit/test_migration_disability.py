"""Migration 0014 on a database made before it: existing members keep everything and hold no
certificate, care need or other support until a clerk records them; the repository reads and
writes the new member facts."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from doudi_desk.storage.db import MIGRATIONS_DIR, Database


def test_existing_members_get_the_new_facts_unset(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
        conn.execute(text("INSERT INTO households (id, address, phone, phone_reversed, bank_name, bank_account, "
                          "no_able_supporter, assets, created_at) VALUES (1, '', '', '', '', '', 0, '{}', "
                          "'2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO members (household_id, position, name, name_initials, id_number, id_reversed, "
                          "relation, disability_type, disability_grade, serious_illness, applicant, adl_unable, "
                          "student, staff_relative) VALUES (1, 0, '王残', 'wc', '13042119680315731X', "
                          "'X13751308691124031', 'head', 'physical', 2, 0, 0, 0, 0, 0)"))
    engine.dispose()
    db = Database(url)
    db.migrate()
    with db.unit_of_work() as uow:
        member = uow.households.get(1).members[0]
        assert (member.name, member.disability.grade) == ("王残", 2)
        assert (member.disability_certificate, member.certificate_number, member.long_term_care,
                member.orphan_support, member.work_injury_care) == (False, "", False, False, False)
        member.disability_certificate, member.certificate_number = True, "13042119680315731X42"
        member.long_term_care = True
        household = uow.households.get(1)
        household.members[0] = member
        uow.households.replace(household)
    with db.unit_of_work() as uow:
        again = uow.households.get(1).members[0]
        assert (again.disability_certificate, again.certificate_number, again.long_term_care) == (
            True, "13042119680315731X42", True)
    db.dispose()
