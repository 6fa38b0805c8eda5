"""Masking of ID numbers and bank accounts, and which roles see them in full.

Lists and views show ``130102********0316`` unless the user's role needs the whole number: the
caseworker and the township reviewer register and verify people by it. The county approver and
the administrator decide and manage without it. Search still matches the full number.
"""

from __future__ import annotations

from collections.abc import Iterable

FULL_ID_ROLES = frozenset({"caseworker", "township_reviewer"})
PERSONAL_FIELDS = {"id_number": "公民身份号码", "bank_account": "银行账号"}


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
