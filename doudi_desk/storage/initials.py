"""Pinyin initials of a Chinese name, stored beside the name so a search for ``zs`` finds 张三.

Computed when a member is written (and by migration 0002 for older rows); searched as an indexed
prefix. pypinyin is imported on the first name written, not when the program starts. Surnames
whose everyday reading differs from the surname reading use the surname one (曾 is zēng as a
surname, not céng).
"""

from __future__ import annotations

from functools import lru_cache

# Surname readings where pypinyin's most common reading of the character is not the surname's.
_SURNAME_INITIAL = {
    "曾": "z", "单": "s", "解": "x", "仇": "q", "朴": "p", "查": "z", "区": "o", "盖": "g", "缪": "m",
    "尉": "y", "种": "c", "乐": "y", "覃": "q", "召": "s", "员": "y", "秘": "b", "繁": "p", "万": "w",
    "柏": "b", "翟": "z", "沈": "s", "折": "s", "长": "c", "重": "c", "令": "l",
}


@lru_cache(maxsize=65536)  # names repeat (王芳, 张伟 …); an import writes tens of thousands at once
def name_initials(name: str) -> str:
    """Lower-case initials: ``张三`` → ``zs``; letters and digits in a name are kept as typed."""
    name = (name or "").strip()
    if not name:
        return ""
    # pypinyin loads its dictionaries (≈0.3–0.8 s) on import: only when a name is written, never at start
    from pypinyin import Style, lazy_pinyin

    out = []
    first = name[0]
    rest = name
    if first in _SURNAME_INITIAL:
        out.append(_SURNAME_INITIAL[first])
        rest = name[1:]
    for chunk in lazy_pinyin(rest, style=Style.FIRST_LETTER, errors="ignore"):
        for ch in chunk:
            if ch.isascii() and ch.isalnum():
                out.append(ch.lower())
                break
    return "".join(out)[:32]
