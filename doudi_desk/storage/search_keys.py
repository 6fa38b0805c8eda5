"""Search keys stored beside what a clerk searches by its end: an ID number's last digits (what is
read off a card), a phone number's last digits, a case number's tail.

An index serves a prefix range (``key >= x AND key < x || U+10FFFF``, platform-notes.md), never a
suffix; so each is stored reversed, and "ends with 0316" becomes "starts with 6130". The columns
are filled by the ORM whenever a row is written (storage/models.py) and for older rows by
migration 0007.
"""

from __future__ import annotations


def reversed_key(text: str | None) -> str:
    """An ID or case number reversed, upper case: ``130102197203150316`` → ``613051302791201031``."""
    return (text or "").strip().upper()[::-1]


def phone_key(phone: str | None) -> str:
    """The digits of a phone number, reversed, separators dropped: ``0311-87654321`` → ``123456781130``."""
    return "".join(ch for ch in (phone or "") if ch.isdigit())[::-1]
