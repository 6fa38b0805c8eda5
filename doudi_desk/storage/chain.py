"""The hash chain of the audit trail: one SHA-256 per event over its content and the previous hash.

The digest is computed from values as they read back from the database (dates and times as ISO
text, JSON columns re-serialised with sorted keys), so SQLite and PostgreSQL give the same hashes
and a backup restored on either verifies. Changing anything here breaks every stored chain: a new
format needs a new version number and a migration that re-links the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

CHAIN_VERSION = 1
GENESIS = "0" * 64  # the "previous hash" of the first event


def _text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def event_digest(prev_hash: str, event: dict[str, Any]) -> str:
    """The hash of one event.

    Args:
        prev_hash: the hash of the event before it in chain order (:data:`GENESIS` for the first).
        event: ``chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at,
            effective_date, comment, changes, data`` as stored.
    """
    payload = {
        "v": CHAIN_VERSION,
        "prev": prev_hash,
        **{key: _text(event[key]) for key in FIELDS},
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


FIELDS = (
    "chain_seq",
    "case_id",
    "seq",
    "actor",
    "trigger",
    "from_state",
    "to_state",
    "recorded_at",
    "effective_date",
    "comment",
    "changes",
    "data",
)


# ----------------------------------------------------------------------------- walking the chain

_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def stored_digest(prev_hash: str, row: Any) -> str:
    """:func:`event_digest` of an event read back as stored text, with the least work per event
    (one encoder call on a plain dict; a walk over two million events spends its time here).

    ``row`` has ``chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at,
    effective_date, comment, changes, data`` in this order, the last four as text (dates ISO, JSON
    columns as stored). Gives exactly :func:`event_digest`'s hash (a test compares them).

    Raises:
        ValueError, TypeError: a date or JSON column that cannot be read.
    """
    chain_seq, case_id, seq, actor, trigger, from_state, to_state, recorded_at, effective_date, comment, \
        changes, data = row
    if not isinstance(changes, str) or not isinstance(data, str):
        raise TypeError("JSON column is not text")
    payload = {
        "v": CHAIN_VERSION, "prev": prev_hash, "chain_seq": chain_seq, "case_id": case_id, "seq": seq,
        "actor": actor, "trigger": trigger, "from_state": from_state, "to_state": to_state,
        "recorded_at": dt.datetime.fromisoformat(recorded_at).isoformat(sep=" "),
        "effective_date": dt.date.fromisoformat(effective_date).isoformat(),
        "comment": comment, "changes": json.loads(changes), "data": json.loads(data),
    }
    return hashlib.sha256(_ENCODE(payload).encode("utf-8")).hexdigest()


class ChainWalk:
    """Walks stored events in ``chain_seq`` order and stops at the first broken link.

    Feed it rows of ``(id, <the twelve fields of stored_digest>, prev_hash, hash)`` with
    :meth:`feed`; it returns False at the first problem, which :attr:`problem` then describes
    (``kind``: ``missing``, ``relinked``, ``unreadable`` or ``altered``, and the row). ``count``
    and ``head`` are the events verified so far and the last good hash. With ``links_only`` the
    contents are not rehashed: only that each event follows the one before (numbering and
    ``prev_hash``), which costs almost nothing.
    """

    def __init__(self, *, links_only: bool = False):
        self.links_only = links_only
        self.count = 0
        self.head = GENESIS
        self.problem: dict[str, Any] | None = None

    def feed(self, rows: Any) -> bool:
        if self.links_only:
            return self._feed_links(rows)
        expected, prev, count = self.count + 1, self.head, self.count
        links_only = False
        try:
            for row in rows:
                fields = row[1:13]
                if fields[0] != expected:
                    self.problem = {"kind": "missing", "row": row, "chain_seq": expected}
                    return False
                if row[13] != prev:
                    self.problem = {"kind": "relinked", "row": row, "chain_seq": fields[0]}
                    return False
                if not links_only:
                    try:
                        digest = stored_digest(prev, fields)
                    except (TypeError, ValueError):
                        self.problem = {"kind": "unreadable", "row": row, "chain_seq": fields[0]}
                        return False
                    if digest != row[14]:
                        self.problem = {"kind": "altered", "row": row, "chain_seq": fields[0]}
                        return False
                prev = row[14]
                expected += 1
                count += 1
            return True
        finally:
            self.count, self.head = count, prev

    def _feed_links(self, rows: Any) -> bool:
        expected, prev = self.count + 1, self.head
        try:
            for chain_seq, prev_hash, digest in rows:
                if chain_seq != expected:
                    self.problem = {"kind": "missing", "row": None, "chain_seq": expected}
                    return False
                if prev_hash != prev:
                    self.problem = {"kind": "relinked", "row": None, "chain_seq": chain_seq}
                    return False
                prev = digest
                expected += 1
            return True
        finally:
            self.count, self.head = expected - 1, prev
