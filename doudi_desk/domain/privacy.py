"""Masking of ID numbers and bank accounts, and which roles see them in full.

Lists and views show ``130102********0316`` unless the user's role needs the whole number: the
caseworker and the township reviewer register and verify people by it. The county approver and
the administrator decide and manage without it. Search still matches the full number.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import DISABILITY_TYPES, Disability

FULL_ID_ROLES = frozenset({"caseworker", "township_reviewer"})
PERSONAL_FIELDS = {"id_number": "公民身份号码", "bank_account": "银行账号"}
# In free text (a comment of the audit log): an 18-digit ID number (last may be X), a 15-digit one,
# or a bank card of 16 to 19 digits, not part of a longer run of digits or letters.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_CARD_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])")


def sees_full_ids(roles: Iterable[str]) -> bool:
    """Whether a user with these roles sees ID numbers and bank accounts unmasked."""
    return bool(FULL_ID_ROLES & set(roles))


def mask_id_number(value: str | None) -> str:
    """``130102197203150316`` → ``130102********0316`` (region and last four kept)."""
    text = (value or "").strip()
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


def mask_bank_account(value: str | None) -> str:
    """``6222020200112233445`` → ``************3445`` (last four kept; spaces dropped)."""
    digits = "".join((value or "").split())
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_text(text: str | None) -> str:
    """Free text with every ID number and bank card number in it masked like in lists:
    ``户主身份证130102197203150316有误`` → ``户主身份证130102********0316有误``."""
    masked = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text or "")
    return _CARD_IN_TEXT.sub(lambda m: mask_bank_account(m.group(0)), masked)


@dataclass(frozen=True)
class PostedHousehold:
    """What a list posted in the village may show of a household — its head's name and its size —
    and the values of it no posted list may print (checked against every printed string)."""

    head: str
    size: int
    private: frozenset[str]


@functools.cache
def _disability_words(disability_type: str, grade: int) -> tuple[str, str]:
    """How a disability is written (``肢体残疾二级``) and its type alone: a village's list meets the
    same few thousand times."""
    return Disability(type=disability_type, grade=grade).label, DISABILITY_TYPES.get(disability_type, disability_type)


def posted_household(members: Sequence[tuple[str, str, str, str | None, int | None]], phone: str = "",
                     address: str = "", bank_account: str = "") -> PostedHousehold:
    """From the members in order as ``(relation, name, id_number, disability_type, disability_grade)``
    and the household's contact values: the head is the member related as head, else the first."""
    private = {m[2] for m in members}  # the ID numbers
    for _relation, _name, _id_number, disability_type, grade in members:
        if disability_type is not None and grade is not None:
            private.update(_disability_words(disability_type, grade))
    for value in (phone, address, bank_account):
        if value:
            private.add(value)
    head = next((m for m in members if m[0] == "head"), members[0] if members else None)
    return PostedHousehold(head=head[1] if head else "", size=len(members), private=frozenset(private))

