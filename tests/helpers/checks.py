"""The check every refusal must pass: a DomainError with a Chinese message (that can be printed),
naming what was asked, and a database in which not one row changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from doudi_desk.domain.errors import DomainError
from tests.helpers.office import dump_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(office, call: Callable[[], Any], *fragments: str) -> DomainError:
    """Run ``call``; it must be refused with every fragment in its message and change nothing."""
    before = dump_db(office.db_path)
    with pytest.raises(DomainError) as info:
        call()
    message = info.value.message
    assert CHINESE.search(message), message
    message.encode("utf-8")  # printable: no lone surrogate echoed back
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert dump_db(office.db_path) == before, f"refused ({message}) but the database changed"
    return info.value


def refused_or_clean(office, call: Callable[[], Any]) -> Any:
    """Run ``call``: a refusal passes :func:`refused`'s checks; anything else is its result."""
    before = dump_db(office.db_path)
    try:
        return call()
    except DomainError as exc:
        assert CHINESE.search(exc.message), exc.message
        exc.message.encode("utf-8")
        assert dump_db(office.db_path) == before, f"refused ({exc.message}) but the database changed"
        return exc
