"""Unique names for generated test families that pass the name check (domain/text.py).

A name may not hold digits, so a serial number is written with the ten heavenly stems:
``han_name("甲", 12)`` → "甲乙丙".
"""

from __future__ import annotations

STEMS = "甲乙丙丁戊己庚辛壬癸"


def han_name(prefix: str, n: int) -> str:
    """``prefix`` followed by ``n`` in heavenly stems (0 → 甲, 9 → 癸, 10 → 乙甲)."""
    return prefix + "".join(STEMS[int(d)] for d in str(n))
