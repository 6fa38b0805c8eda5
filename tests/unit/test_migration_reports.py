"""Migration 0013 on a database made before it: villages get their 城市/农村 class from the name
(社区 urban, 村 rural), townships and counties none; the admin can change a village's class."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from doudi_desk.storage.db import MIGRATIONS_DIR, Database


def test_existing_villages_are_classed_by_their_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        for code, name, level, parent in (("1", "县", "county", None), ("11", "镇", "township", "1"),
                                          ("111", "城关社区", "village", "11"), ("112", "前进村", "village", "11")):
            conn.execute(text("INSERT INTO areas (code, name, level, parent_code) VALUES (:c, :n, :l, :p)"),
                         {"c": code, "n": name, "l": level, "p": parent})
    engine.dispose()
    Database(url).migrate()
    engine = create_engine(url)
    with engine.connect() as conn:
        classes = dict(conn.execute(text("SELECT code, urban_rural FROM areas")).all())
    engine.dispose()
    assert classes == {"1": None, "11": None, "111": "urban", "112": "rural"}


def test_the_admin_sets_a_villages_class(office):
    from doudi_desk.domain.errors import DomainError, InputError
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.audit import AuditService

    admin = AdminService(office)
    assert admin.add_area("130999101009", "新城社区", "village", "130999101").urban_rural == "urban"
    assert admin.set_urban_rural("130999101001", "urban", actor="admin").urban_rural == "urban"
    import pytest

    with pytest.raises(DomainError, match="不是系统管理员"):
        admin.set_urban_rural("130999101001", "rural", actor="clerk")
    with pytest.raises(InputError, match="只能是 urban") as info:
        admin.set_urban_rural("130999101001", "city", actor="admin")
    assert info.value.field == "class"
    with pytest.raises(InputError, match="城乡分类只设在村"):
        admin.set_urban_rural("130999101", "rural", actor="admin")
    [event] = AuditService(office).office_log(actions=("area_class_set",))
    assert event["comment"] == "前进村 设为城市（原为农村）"
