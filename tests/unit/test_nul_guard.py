"""The text guard on every statement (PostgreSQL refuses NUL in text; SQLite is made to agree; a
lone surrogate cannot be encoded by either driver) checks single statements and the rows of a bulk
insert alike."""

from __future__ import annotations

import pytest

from doudi_desk.storage.db import _bad_text


@pytest.mark.parametrize("params,found", [
    ("a\x00b", True), ("ab", False), (None, False), (5, False),
    ({"a": 1, "b": "x\x00"}, True), ({"a": 1, "b": "x"}, False),
    ([(1, "a"), (2, "b\x00")], True), ([(1, "a"), (2, "b")], False),  # executemany rows
    ([{"a": "x"}, {"a": "y\x00"}], True), (({"k": ["a", "b\x00"]},), True), ([[["deep\x00"]]], True),
])
def test_nul_is_found_on_sqlite_only(params, found):
    assert (_bad_text(params, nul=True) == "input") is found
    assert _bad_text(params, nul=False) is None


@pytest.mark.parametrize("params", [
    "a\ud800", {"b": "x\udfff"}, [(1, "a"), (2, "\ud800b")], [{"a": "y"}, {"a": ["\udc00"]}], [[["\ud800"]]],
])
def test_a_lone_surrogate_is_found_everywhere(params):
    assert _bad_text(params, nul=True) == "encoding" and _bad_text(params, nul=False) == "encoding"


def test_a_bulk_insert_with_a_nul_is_refused(office):
    from doudi_desk.storage.db import StorageError

    with pytest.raises(StorageError, match="空字符"), office.db.unit_of_work() as uow:
        uow.payments.insert_owed([{"case_id": 1, "item": "dibao", "month": "2026-06", "amount": 1, "source": "x",
                                   "reason": "a\x00", "payroll_id": 1, "status": "draft", "created_at": office.now(),
                                   "settle_note": ""}] * 3)


def test_payroll_lines_bulk_insert_checks_its_own_rows(office):
    from doudi_desk.storage.db import StorageError

    line = {"seq": 1, "case_id": 1, "item": "dibao", "month": "2026-06", "amount": 1, "kind": "regular",
            "state": "pending", "live": True, "ref": "", "basis": 1, "persons": 1, "person_ids": "",
            "village_code": "130999101001", "household_id": None, "payee_name": "王\x00", "payee_id_number": "x",
            "bank_name": "", "bank_account": "", "hold_reason": "", "result_reason": "", "note": ""}
    with pytest.raises(StorageError, match="空字符"), office.db.unit_of_work() as uow:
        uow.payments.insert_lines(1, [line])
