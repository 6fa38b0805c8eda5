"""Office details printed on documents, and the print settings (fonts, template folder).

Stored in ``uow.settings``:

* ``office`` — ``{"*": {...}, "<township code>": {...}}``: details for every township (``*``) and
  per township (a county database serving several townships). Keys are :data:`OFFICE_FIELDS`.
  What is not set falls back to names built from the areas (``桃源镇人民政府``, ``青山县民政局``…).
* ``print_fonts`` — ``{role: path}`` with roles 标题 ``title``, ``hei``, ``fang``, ``kai``, ``song``
  or ``*`` for all; a configured path wins over the system fonts (``path#1`` picks a face in a .ttc).
* ``print_templates_dir`` — a folder of the office's own print templates; a template found there
  replaces the shipped one of the same name (print_templates/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError, InputError
from .context import AppContext

OFFICE_FIELDS: dict[str, str] = {
    "name": "单位名称（落款）",
    "seal_text": "印章文字",
    "phone": "联系电话（公示异议渠道）",
    "address": "联系地址",
    "county_office": "县级民政部门",
    "county_government": "行政复议机关",
    "court": "行政诉讼管辖法院",
}
FONT_ROLES: dict[str, str] = {"*": "全部", "title": "标题（小标宋）", "hei": "黑体", "fang": "仿宋（正文）",
                              "kai": "楷体", "song": "宋体"}
OFFICE_KEY = "office"
FONTS_KEY = "print_fonts"
TEMPLATES_KEY = "print_templates_dir"


class OfficeService:
    """Read and change the office details and print settings. Each call is one transaction."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    # --- reading (inside a caller's unit of work, or standalone) ---
    def details_in(self, uow, township_code: str | None = None) -> dict[str, str]:
        """Office details for a township, defaults filled from the area names."""
        township = uow.areas.get(township_code) if township_code else None
        if township is not None and township.level == "village":
            township = uow.areas.get(township.parent_code) if township.parent_code else None
        county = uow.areas.get(township.parent_code) if township and township.parent_code else None
        if county is None:
            counties = [a for a in uow.areas.all() if a.level == "county"]
            county = counties[0] if len(counties) == 1 else None
        stored = uow.settings.get(OFFICE_KEY, {}) or {}
        values = {**(stored.get("*") or {}), **((stored.get(township.code) or {}) if township else {})}
        town_name = township.name if township else ""
        county_name = county.name if county else ""
        defaults = {
            "name": f"{town_name}人民政府" if town_name else (f"{county_name}民政局" if county_name else "民政办公室"),
            "phone": "",
            "address": "",
            "county_office": f"{county_name}民政局" if county_name else "县级民政部门",
            "county_government": f"{county_name}人民政府" if county_name else "县级人民政府",
            "court": f"{county_name}人民法院" if county_name else "有管辖权的人民法院",
        }
        out = {key: str(values.get(key) or defaults.get(key, "")) for key in OFFICE_FIELDS}
        out["seal_text"] = str(values.get("seal_text") or out["name"])
        out["township"] = town_name
        out["township_code"] = township.code if township else ""
        out["county"] = county_name
        return out

    def details(self, township_code: str | None = None) -> dict[str, str]:
        with self.ctx.db.unit_of_work() as uow:
            return self.details_in(uow, township_code)

    def stored(self) -> dict[str, Any]:
        """Everything set so far, as stored (for the settings dialog)."""
        with self.ctx.db.unit_of_work() as uow:
            return {
                OFFICE_KEY: uow.settings.get(OFFICE_KEY, {}) or {},
                FONTS_KEY: uow.settings.get(FONTS_KEY, {}) or {},
                TEMPLATES_KEY: uow.settings.get(TEMPLATES_KEY),
            }

    def print_settings_in(self, uow) -> tuple[dict[str, str], str | None]:
        return dict(uow.settings.get(FONTS_KEY, {}) or {}), uow.settings.get(TEMPLATES_KEY)

    # --- changing ---
    def _admin(self, uow, username: str | None) -> str:
        if username is None:  # set-up from the command line
            return "system"
        user = uow.users.get(username)
        if user is None or "admin" not in user.roles:
            raise DomainError(f"用户「{username}」不是系统管理员，不能修改单位信息和打印设置")
        return username

    def set_details(self, values: Mapping[str, Any], township_code: str | None = None,
                    actor: str | None = None) -> dict[str, str]:
        """Change some office details (an empty string clears one); returns the details now in force."""
        bad = sorted(set(values) - set(OFFICE_FIELDS))
        if bad:
            raise InputError(f"{bad[0]}: 没有这一项单位信息（可设置：{'、'.join(f'{k}（{v}）' for k, v in OFFICE_FIELDS.items())}）",
                             bad[0])
        for key, value in values.items():
            if not isinstance(value, str):
                raise InputError(f"{key}: {OFFICE_FIELDS[key]}应为文字", key)
            if len(value) > 200:
                raise InputError(f"{key}: {OFFICE_FIELDS[key]}过长（最多200字）", key)
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            scope = "*"
            if township_code:
                area = uow.areas.get(township_code)
                if area is None or area.level != "township":
                    raise InputError(f"没有乡镇（街道）{township_code}", "township")
                scope = township_code
            stored = uow.settings.get(OFFICE_KEY, {}) or {}
            current = dict(stored.get(scope) or {})
            for key, value in values.items():
                if value.strip():
                    current[key] = value.strip()
                else:
                    current.pop(key, None)
            stored[scope] = current
            uow.settings.set(OFFICE_KEY, stored)
            return self.details_in(uow, township_code)

    def set_font(self, role: str, path: str | None, actor: str | None = None) -> dict[str, str]:
        """Configure (or with ``None`` forget) the font file of a role; ``*`` is every role."""
        if role not in FONT_ROLES:
            raise InputError(f"字体用途只能是 {'、'.join(f'{k}（{v}）' for k, v in FONT_ROLES.items())}", "role")
        if path:
            file = path.rpartition("#")[0] if path.rpartition("#")[2].isdigit() else path
            if not Path(file).is_file():
                raise InputError(f"字体文件不存在：{file}", "font")
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            fonts = dict(uow.settings.get(FONTS_KEY, {}) or {})
            if path:
                fonts[role] = str(Path(path).expanduser()) if "#" not in path else path
            else:
                fonts.pop(role, None)
            uow.settings.set(FONTS_KEY, fonts)
            return fonts

    def set_templates_dir(self, folder: str | None, actor: str | None = None) -> str | None:
        if folder and not Path(folder).is_dir():
            raise InputError(f"文件夹不存在：{folder}", "templates")
        with self.ctx.db.unit_of_work() as uow:
            self._admin(uow, actor)
            value = str(Path(folder).expanduser().resolve()) if folder else None
            uow.settings.set(TEMPLATES_KEY, value)
            return value
