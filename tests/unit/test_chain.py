"""The audit chain's fast digest of stored rows is chain.py's digest, and the walk names the first
broken link (issue 14: verify without building a payload dict per event)."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.storage.chain import GENESIS, ChainWalk, event_digest, stored_digest
from doudi_desk.storage.models import json_dumps

EVENTS = [
    {"chain_seq": 1, "case_id": None, "seq": 0, "actor": "admin", "trigger": "login", "from_state": None,
     "to_state": "admin", "recorded_at": dt.datetime(2026, 11, 23, 9, 0, 1), "effective_date": dt.date(2026, 11, 23),
     "comment": "", "changes": {}, "data": {}},
    {"chain_seq": 2, "case_id": 17, "seq": 3, "actor": "zhangmin", "trigger": "complete_investigation",
     "from_state": "investigating", "to_state": "preliminary_review",
     "recorded_at": dt.datetime(2026, 1, 2, 23, 59, 59), "effective_date": dt.date(2026, 1, 2),
     "comment": "引号\"、反斜杠\\、换行\n、制表\t、\x01控制字符、𠮷、emoji 😀、\u2028",
     "changes": {"z": {"before": None, "after": [1, 2.5, "三"]}, "a": {"before": True, "after": False}},
     "data": {"home_visit": {"investigators": [{"name": "张敏", "username": "zhangmin"}], "amount": "1079.00",
                             "n": 10 ** 20, "f": 1e16, "g": 0.1, "nested": {"b": 1, "a": {"d": [], "c": {}}}}}},
]


def _stored(event):
    """The event as it reads back from the database: dates as text, JSON columns as stored text."""
    return (event["chain_seq"], event["case_id"], event["seq"], event["actor"], event["trigger"],
            event["from_state"], event["to_state"], event["recorded_at"].isoformat(sep=" ") + ".000000",
            event["effective_date"].isoformat(), event["comment"], json_dumps(event["changes"]),
            json_dumps(event["data"]))


@pytest.mark.parametrize("event", EVENTS, ids=["office", "case"])
def test_stored_digest_is_event_digest(event):
    prev = "ab" * 32
    assert stored_digest(prev, _stored(event)) == event_digest(prev, event)


def _rows():
    prev, rows = GENESIS, []
    for i, event in enumerate(EVENTS, start=1):
        digest = event_digest(prev, event)
        rows.append((100 + i, *_stored(event), prev, digest))
        prev = digest
    return rows


def test_walk_accepts_the_chain_and_names_the_first_broken_link():
    walk = ChainWalk()
    assert walk.feed(_rows()) and walk.count == 2 and walk.head == _rows()[-1][-1]
    links = ChainWalk(links_only=True)
    assert links.feed([(r[1], r[13], r[14]) for r in _rows()]) and links.head == walk.head

    def broken(change):
        rows = _rows()
        rows[1] = change(list(rows[1]))
        walk = ChainWalk()
        assert not walk.feed(rows)
        return walk.problem["kind"], walk.problem["chain_seq"], walk.count

    def altered(r):
        r[10] = "改过"
        return tuple(r)

    def relinked(r):
        r[13] = "0" * 64
        return tuple(r)

    def renumbered(r):
        r[1] = 3
        return tuple(r)

    def unreadable(r):
        r[11] = "{not json"
        return tuple(r)

    assert broken(altered) == ("altered", 2, 1)
    assert broken(relinked) == ("relinked", 2, 1)
    assert broken(renumbered) == ("missing", 2, 1)
    assert broken(unreadable) == ("unreadable", 2, 1)


def test_a_value_of_the_wrong_type_does_not_pass_as_the_right_one():
    # SQLite keeps whatever type is written: seq '3' (text) must not hash like seq 3.
    event = EVENTS[1]
    prev = GENESIS
    row = list(_stored(event))
    row[2] = "3"
    assert stored_digest(prev, tuple(row)) != event_digest(prev, event)
