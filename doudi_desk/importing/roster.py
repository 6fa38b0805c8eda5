"""A roster file in, household records out: read, choose the profile (or take the one given), parse.

The profile is guessed from the header of each sheet: the profile whose required columns are all
found, with the most columns recognised and the fewest left over, wins; the choice is explained
in words (which row is the header, which column became which field, which were not used).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.programmes import PROGRAMMES
from .issues import FileRefused, Issue
from .profiles import FIELDS, Profile
from .reader import Workbook, read
from .records import (
    HouseholdRecord,
    SheetRecords,
    mark_people_in_two_households,
    parse_sheet,
    title_programme,
)
from .table import HeaderMatch, locate


@dataclass
class ParsedFile:
    workbook: Workbook
    profile: Profile
    guessed: bool
    explanation: str
    sheets: list[SheetRecords]
    notes: list[str] = field(default_factory=list)  # sheets left out and why

    @property
    def households(self) -> list[HouseholdRecord]:
        return [h for s in self.sheets for h in s.households]

    @property
    def issues(self) -> list[Issue]:
        """Every issue: of rows outside households, of totals, and of each household, in file order."""
        out = [i for s in self.sheets for i in s.issues]
        out += [i for h in self.households for i in h.issues]
        return sorted(out, key=lambda i: (i.sheet, i.row, i.column))


def _matches(workbook: Workbook, profile: Profile) -> list[HeaderMatch]:
    return [m for m in (locate(profile, sheet) for sheet in workbook.sheets) if m is not None]


def choose(workbook: Workbook, profiles: dict[str, Profile], wanted: str | None = None
           ) -> tuple[Profile, list[HeaderMatch], bool]:
    """The profile to use and the sheets it fits; FileRefused naming what is missing otherwise."""
    name = workbook.path.name
    if wanted is not None:
        if wanted not in profiles:
            raise FileRefused(f"没有导入格式「{wanted}」（可用：{'、'.join(profiles)}）", "profile")
        profile = profiles[wanted]
        found = _matches(workbook, profile)
        fits = [m for m in found if m.complete]
        if not fits:
            best = max(found, key=lambda m: m.score, default=None)
            raise FileRefused(f"「{name}」不符合导入格式「{profile.title}」：" + _missing_text(best), "profile")
        return profile, fits, False
    candidates = []
    for profile in profiles.values():
        found = _matches(workbook, profile)
        fits = [m for m in found if m.complete]
        score = (len(fits), sum(len(m.columns) for m in fits), -sum(len(m.unused) for m in fits))
        candidates.append((score, profile, fits, found))
    if not candidates:
        raise FileRefused("没有任何导入格式定义（import_profiles）", "profile")
    candidates.sort(key=lambda c: c[0], reverse=True)
    score, profile, fits, _found = candidates[0]
    if not fits:
        partial = [(m, p) for _s, p, _f, found in candidates for m in found]
        best = max(partial, key=lambda x: x[0].score, default=None)
        detail = (f"最接近的是「{best[1].title}」，" + _missing_text(best[0])) if best else "找不到任何认识的表头"
        raise FileRefused(f"「{name}」的表头不符合任何导入格式：{detail}。"
                          "可用 --profile 指定格式，或在 import_profiles 中为这种表格增加一个格式", "profile")
    return profile, fits, True


def _missing_text(match: HeaderMatch | None) -> str:
    if match is None:
        return "找不到它的表头"
    return (f"工作表「{match.sheet.name}」第{match.first_row + 1}行附近的表头缺少："
            + "、".join(FIELDS[f][0] for f in match.missing))


def parse_file(path: str | Path, profiles: dict[str, Profile], *, today: dt.date,
               wanted: str | None = None) -> ParsedFile:
    workbook = read(path)
    return parse_workbook(workbook, profiles, today=today, wanted=wanted)


def parse_workbook(workbook: Workbook, profiles: dict[str, Profile], *, today: dt.date,
                   wanted: str | None = None) -> ParsedFile:
    profile, fits, guessed = choose(workbook, profiles, wanted)
    sheets = [parse_sheet(m, today, workbook.path.name) for m in fits]
    mark_people_in_two_households([h for s in sheets for h in s.households])
    used = {m.sheet.name for m in fits}
    notes = [f"工作表「{s.name}」不符合此格式，未导入" for s in workbook.sheets
             if s.name not in used and any(any(str(c).strip() for c in r) for r in s.rows)]
    how = "按表头识别为" if guessed else "按指定的"
    explanation = f"{how}导入格式「{profile.title}」（{profile.id}）。" + "；".join(m.explain() for m in fits)
    for m in fits:
        if "programme" not in m.columns:
            programme, text = title_programme(m, workbook.path.name)
            label = PROGRAMMES.get(programme or "", "未能确定")
            explanation += f"；救助项目：{label}" + (f"（据「{text}」）" if text else "（导入格式的默认值）")
    if workbook.encoding:
        explanation += f"；文本编码 {workbook.encoding}"
    return ParsedFile(workbook, profile, guessed, explanation, sheets, notes)
