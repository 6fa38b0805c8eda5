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
