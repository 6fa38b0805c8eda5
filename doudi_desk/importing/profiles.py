"""Import profiles: a known spreadsheet layout mapped to the program's fields, as YAML data.

A profile (``import_profiles/<id>.yaml``) names the columns of each field with their synonyms,
how many rows the header spans, whether a household is one row with its members below (merged
cells) or one row per member joined by a household key, and the programme when the file has no
column for it. An office adds a profile by dropping a file next to the shipped ones (or in the
folder set as ``import_profiles_dir``); a broken profile is reported with its file and key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..domain.errors import InputError

# Every field an import can fill: (Chinese label, household- or member-level).
FIELDS: dict[str, tuple[str, str]] = {
    "seq": ("序号", "household"),
    "household_key": ("户编号", "household"),
    "programme": ("救助类型", "household"),
    "township": ("乡镇（街道）", "household"),
    "village": ("村（社区）", "household"),
    "head_name": ("户主姓名", "household"),
    "head_id_number": ("户主身份证号码", "household"),
    "household_size": ("家庭人口", "household"),
    "covered_count": ("保障人口", "household"),
    "category": ("保障类别", "household"),
    "monthly_amount": ("月保障金额", "household"),
    "start_month": ("保障起始年月", "household"),
    "bank_name": ("开户银行", "household"),
    "bank_account": ("银行账号", "household"),
    "phone": ("联系电话", "household"),
    "address": ("家庭住址", "household"),
    "name": ("成员姓名", "member"),
    "id_number": ("成员身份证号码", "member"),
    "relation": ("与户主关系", "member"),
    "sex": ("性别", "member"),
    "birth_date": ("出生日期", "member"),
    "covered": ("是否保障对象", "member"),
    "disability_type": ("残疾类别", "member"),
    "disability_grade": ("残疾等级", "member"),
    "serious_illness": ("是否重病", "member"),
    "member_amount": ("个人月救助金", "member"),
}
LAYOUTS = {"household_rows": "按户（一户一行，成员列在下方）", "member_rows": "按人（一人一行，按户编号归户）"}
PROGRAMME_CODES = ("dibao", "tekun")
_KEYS = {"id", "title", "description", "layout", "programme", "header_rows", "columns", "required",
         "household_key", "amount_per"}
# Always needed, whatever a profile says: who, where, how much, since when.
ESSENTIAL = ("village", "name", "id_number", "monthly_amount", "start_month")


def normalise_header(text: Any) -> str:
    """Header text as compared: NFKC (full-width brackets = half-width), no spaces, no "*" marks."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\s+", "", value).strip("*:：").lower()
    return value


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    layout: str
    columns: dict[str, tuple[str, ...]]  # field -> synonyms as written
    required: tuple[str, ...]
    programme: str | None = None
    header_rows: int = 1
    household_key: str = "household_key"
    amount_per: str = "household"
    description: str = ""
    source: str = ""
    normalised: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def label(self) -> str:
        return f"{self.title}（{self.id}）"


class ProfileError(InputError):
    """One or more profile files are broken; ``problems`` lists each with file and key."""

    def __init__(self, problems: list[str]):
        super().__init__("导入格式定义有误：\n" + "\n".join(problems), "profile")
        self.problems = problems


def _problems_of(path: Path, data: Any) -> list[str]:
    where = path.name
    if not isinstance(data, dict):
        return [f"{where}: 应为键值表（YAML 映射）"]
    out = [f"{where}: 不认识的键「{k}」（可用：{'、'.join(sorted(_KEYS))}）" for k in data if k not in _KEYS]
    for key in ("id", "title", "layout", "columns"):
        if key not in data:
            out.append(f"{where}: 缺少「{key}」")
    if "id" in data and data["id"] != path.stem:
        out.append(f"{where}: id「{data['id']}」应与文件名「{path.stem}」一致")
    if "layout" in data and data["layout"] not in LAYOUTS:
        out.append(f"{where}: layout 只能是 {'、'.join(f'{k}（{v}）' for k, v in LAYOUTS.items())}")
    if data.get("programme") is not None and data["programme"] not in PROGRAMME_CODES:
        out.append(f"{where}: programme 只能是 {'、'.join(PROGRAMME_CODES)}")
    rows = data.get("header_rows", 1)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 4:
        out.append(f"{where}: header_rows 应为1至4的整数")
    if data.get("amount_per", "household") not in ("household", "member"):
        out.append(f"{where}: amount_per 只能是 household 或 member")
    columns = data.get("columns")
    if "columns" in data:
        if not isinstance(columns, dict) or not columns:
            out.append(f"{where}: columns 应为「字段: [表头名称, 同义词…]」")
            columns = {}
        for name, synonyms in columns.items():
            if name not in FIELDS:
                out.append(f"{where}: columns.{name}: 不认识的字段（可用：{'、'.join(FIELDS)}）")
            elif not isinstance(synonyms, list) or not synonyms or not all(
                    isinstance(s, str) and s.strip() for s in synonyms):
                out.append(f"{where}: columns.{name}: 应为表头名称的列表")
    for name in data.get("required", []) or []:
        if isinstance(columns, dict) and name not in columns:
            out.append(f"{where}: required 中的「{name}」没有在 columns 中给出表头")
    key = data.get("household_key", "household_key")
    if data.get("layout") == "member_rows" and isinstance(columns, dict) and key not in columns:
        out.append(f"{where}: 按人的格式须在 columns 中给出归户用的「{key}」列")
    return out


def load_profile(path: Path) -> Profile:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError([f"{path.name}: 无法读取（{exc}）"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第{mark.line + 1}行" if mark else ""
        raise ProfileError([f"{path.name}{line}: YAML 格式错误（{getattr(exc, 'problem', exc)}）"]) from None
    problems = _problems_of(path, data)
    if problems:
        raise ProfileError(problems)
    columns = {name: tuple(s.strip() for s in synonyms) for name, synonyms in data["columns"].items()}
    required = tuple(dict.fromkeys([*ESSENTIAL, *(data.get("required") or [])]))
    missing = [f for f in required if f not in columns]
    if missing:
        raise ProfileError([f"{path.name}: 缺少必需字段的表头：{'、'.join(FIELDS[f][0] for f in missing)}"])
    return Profile(
        id=data["id"], title=str(data["title"]), layout=data["layout"], columns=columns, required=required,
        programme=data.get("programme"), header_rows=int(data.get("header_rows", 1)),
        household_key=data.get("household_key", "household_key"), amount_per=data.get("amount_per", "household"),
        description=str(data.get("description") or ""), source=str(path),
        normalised={name: tuple(normalise_header(s) for s in synonyms) for name, synonyms in columns.items()},
    )


def load_profiles(*folders: Path | None) -> dict[str, Profile]:
    """Every ``*.yaml`` of the folders; a later folder's profile replaces an earlier one of the same id."""
    profiles: dict[str, Profile] = {}
    problems: list[str] = []
    for folder in folders:
        if folder is None or not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                profile = load_profile(path)
            except ProfileError as exc:
                problems.extend(exc.problems)
                continue
            profiles[profile.id] = profile
    if problems:
        raise ProfileError(problems)
    return profiles


def default_folder() -> Path:
    """The shipped profiles: ``import_profiles/`` at the top of the program."""
    return Path(__file__).resolve().parents[2] / "import_profiles"
