"""Village names of a roster matched to the office's areas (never created by an import).

A roster names places, not codes: "桃源镇 / 西河村". They are matched by name within the area the
importing user works in: the administrator reaches every township, a township's caseworker or
reviewer their own. A village outside it, or a name the office does not have, makes the row an
error that names the village; an area is added by the administrator in 设置, never by an import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..domain.model import Area, User
from . import lookup

_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区居委会")


def area_key(name: str) -> str:
    """A name as compared: NFKC, no spaces; 西河村委会 and 西河村民委员会 both read 西河村."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            stem = text[: -len(suffix)]
            return stem if stem.endswith(("村", "社区")) else stem + ("社区" if "居" in suffix else "村")
    return text


@dataclass(frozen=True)
class Resolved:
    village: Area | None
    error: str = ""
    field: str = "village"  # the column the error is about


class AreaResolver:
    """Names -> village areas, limited to a user's area. Built once per import (areas are few)."""

    def __init__(self, uow, user: User):
        self.user = user
        areas = uow.areas.all()
        self.by_code = {a.code: a for a in areas}
        self.townships = [a for a in areas if a.level == "township"]
        self.villages = [a for a in areas if a.level == "village"]
        self._in_scope = {a.code: lookup.in_scope(uow, user, a.code) for a in self.villages}
        scope = self.by_code.get(user.area_code or "")
        self.scope_name = scope.name if scope else ""
        self._cache: dict[tuple[str, str], Resolved] = {}

    def township_of(self, village: Area) -> Area | None:
        return self.by_code.get(village.parent_code or "")

    def in_scope(self, village: Area) -> bool:
        return self._in_scope.get(village.code, False)

    def resolve(self, township_name: str, village_name: str) -> Resolved:
        """Cached: a roster names the same few villages thousands of times."""
        key = (township_name, village_name)
        if key not in self._cache:
            self._cache[key] = self._resolve(township_name, village_name)
        return self._cache[key]

    def _resolve(self, township_name: str, village_name: str) -> Resolved:
        key = area_key(village_name)
        candidates = [v for v in self.villages if area_key(v.name) == key]
        label = f"{township_name}{village_name}" if township_name else village_name
        if township_name:
            towns = [t for t in self.townships if area_key(t.name) == area_key(township_name)]
            if not towns:
                names = "、".join(t.name for t in self.townships) or "无"
                return Resolved(None, f"乡镇（街道）「{township_name}」不是本县的地区（现有：{names}）；"
                                      "地区须由系统管理员在「设置」中添加，导入不会自动新建", "township")
            candidates = [v for v in candidates if v.parent_code in {t.code for t in towns}]
            if not candidates:
                return Resolved(None, f"{towns[0].name}没有村（社区）「{village_name}」；"
                                      "地区须由系统管理员在「设置」中添加，导入不会自动新建")
        if not candidates:
            return Resolved(None, f"没有村（社区）「{village_name}」；地区须由系统管理员在「设置」中添加，导入不会自动新建")
        inside = [v for v in candidates if self.in_scope(v)]
        if not inside:
            town = self.township_of(candidates[0])
            where = f"{town.name if town else ''}{candidates[0].name}"
            return Resolved(None, f"{where}不在用户 {self.user.full_name} 的辖区"
                                  f"{'（' + self.scope_name + '）' if self.scope_name else ''}内，不能由本用户导入")
        if len(inside) > 1:
            towns = "、".join(f"{self.township_of(v).name if self.township_of(v) else ''}{v.name}" for v in inside)
            return Resolved(None, f"「{label}」有多处同名（{towns}），请在文件中加「乡镇（街道）」列")
        return Resolved(inside[0])
