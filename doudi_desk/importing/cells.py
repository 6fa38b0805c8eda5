"""One spreadsheet cell into one value, saying what was fixed and refusing what cannot be trusted.

Cells come from python-calamine (str, float, int, bool, date, datetime) or from a CSV (str).
Normalising is limited to what cannot change a value's meaning: full-width digits and letters
(１３９９…), spaces inside a number, a lower-case x at the end of an ID number. Each is reported as
fixed. An ID number or account Excel stored as a number (1.39901E+17) has lost its last digits;
it is refused with that explanation and never "repaired". ID numbers are checked by
:mod:`doudi_desk.domain.ids`; this module only turns a cell into the text that check reads.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.errors import InputError
from ..domain.model import DISABILITY_TYPES

# Full-width ASCII (U+FF01–U+FF5E) to ASCII, the ideographic space to a space.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_SPACES = re.compile(r"\s+")
# Excel keeps 15 significant digits; a whole number of more digits stored as a number is damaged.
EXCEL_DIGITS = 15


class CellError(InputError):
    """A cell whose value cannot be used; ``message`` says why in Chinese (the caller names the cell)."""


def excel_shows(value: float) -> str:
    """How Excel's General format shows a large number: 1.39901E+17."""
    if abs(value) < 1e11:
        return f"{value:.0f}" if float(value).is_integer() else repr(value)
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"


def plain(raw: Any) -> str:
    """A cell as text for names, addresses and labels: ends stripped, full-width spaces included."""
    if type(raw) is str:
        return raw.strip() if "\u3000" not in raw else raw.replace("\u3000", " ").strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).replace("\u3000", " ").strip()


def is_blank(raw: Any) -> bool:
    if raw is None or raw == "":
        return True
    return type(raw) is str and not plain(raw)


def _half_width(text: str) -> tuple[str, list[str]]:
    if text.isascii() and len(text.split()) <= 1:  # the usual clean cell: nothing to do
        return text.strip(), []
    fixes = []
    converted = text.translate(_FULL_WIDTH)
    if converted != text:
        fixes.append("全角字符已转为半角")
    squeezed = _SPACES.sub("", converted)
    if squeezed != converted.strip():
        fixes.append("已去掉中间的空格")
    return squeezed, fixes


def code(raw: Any, what: str) -> tuple[str, list[str]]:
    """A code typed as digits (ID number, account, phone, household key): no spaces, half-width.

    Raises CellError when Excel stored it as a number that lost digits.
    """
    if raw is None or raw == "":
        return "", []
    if isinstance(raw, bool):
        raise CellError(f"{what}不能是「{plain(raw)}」")
    if isinstance(raw, int):
        raw = float(raw) if abs(raw) >= 10 ** EXCEL_DIGITS else str(raw)
    if isinstance(raw, float):
        if not raw.is_integer() or abs(raw) >= 10 ** EXCEL_DIGITS:
            raise CellError(
                f"{what}被 Excel 存成了数字（显示为 {excel_shows(raw)}），超过15位的部分已经丢失，无法还原；"
                "请在原系统中把该列设为「文本」后重新导出，或按证件重新录入")
        return str(int(raw)), []
    if isinstance(raw, dt.date):
        raise CellError(f"{what}被 Excel 当成了日期（{plain(raw)}）")
    text, fixes = _half_width(str(raw))
    if ("E" in text or "e" in text) and _SCIENTIFIC.match(text):
        raise CellError(
            f"{what}「{text}」是 Excel 科学计数法显示的数字，超过15位的部分已经丢失，无法还原；"
            "请在原系统中把该列设为「文本」后重新导出，或按证件重新录入")
    if text.startswith("'"):  # Excel's "this is text" mark, kept by some CSV exports
        text = text[1:]
    return text, fixes


def id_text(raw: Any) -> tuple[str, list[str]]:
    """An ID number's text, ready for the shared check (:mod:`doudi_desk.domain.ids`, which the
    household validation runs): half-width, no spaces, a lower-case x made upper; one Excel stored
    as a number is refused here, because its digits are already gone."""
    text, fixes = code(raw, "身份证号码")
    if not text:
        raise CellError("缺少身份证号码")
    if text.endswith("x"):
        text = text[:-1] + "X"
        fixes.append("末位小写x已改为大写X")
    return text, fixes


def amount(raw: Any, what: str = "金额") -> tuple[Decimal, list[str]]:
    """Yuan with at most two decimals, more than zero; "1,440", "1440元" and "￥1440" are read."""
    if isinstance(raw, bool) or raw is None or raw == "":
        raise CellError(f"缺少{what}")
    fixes: list[str] = []
    if isinstance(raw, int | float):
        value = Decimal(repr(float(raw))) if isinstance(raw, float) else Decimal(raw)
    else:
        text, fixes = _half_width(str(raw))
        text = text.replace(",", "").removeprefix("¥").removeprefix("￥").removesuffix("元")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{what}「{plain(raw)}」不是数字") from None
        if not value.is_finite():
            raise CellError(f"{what}「{plain(raw)}」不是数字")
    if value <= 0:
        raise CellError(f"{what}应大于0（现为 {plain(raw)}）")
    if value != value.quantize(Decimal("0.01")):
        raise CellError(f"{what}最多保留两位小数（现为 {plain(raw)}）")
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.quantize(Decimal("0.01"))
    return value, fixes


_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:\d{1,2}日)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})(\d{2})\d{2}$"),
)


def month(raw: Any, what: str = "年月", *, latest: dt.date | None = None) -> tuple[str, list[str]]:
    """A month as "YYYY-MM": from 2019-05, 2019/5, 2019.05, 2019年5月, 201905, a date cell."""
    if raw is None or raw == "":
        raise CellError(f"缺少{what}")
    fixes: list[str] = []
    if isinstance(raw, dt.date):
        year, mon = raw.year, raw.month
    else:
        if isinstance(raw, float) and raw.is_integer():
            raw = str(int(raw))
        elif isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            raise CellError(f"{what}「{plain(raw)}」不是年月（应写成 2026-05 或 202605）")
        text, fixes = _half_width(raw)
        found = next((m for p in _MONTH_PATTERNS if (m := p.match(text))), None)
        if found is None:
            raise CellError(f"{what}「{plain(raw)}」不是年月（应写成 2026-05 或 202605）")
        year, mon = int(found.group(1)), int(found.group(2))
    if not 1 <= mon <= 12:
        raise CellError(f"{what}「{plain(raw)}」的月份不在1至12之间")
    if year < 1990 or (latest is not None and (year, mon) > (latest.year, latest.month)):
        limit = f"，不能晚于 {latest.year:04d}-{latest.month:02d}" if latest is not None else ""
        raise CellError(f"{what}「{plain(raw)}」不在合理范围内（应在1990年以后{limit}）")
    return f"{year:04d}-{mon:02d}", fixes


_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "在保"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "", "-", "—"}


_YES_NO_FAST = {"是": True, "否": False, "": False}


def yes_no(raw: Any, what: str) -> bool:
    if type(raw) is str and raw in _YES_NO_FAST:
        return _YES_NO_FAST[raw]
    if isinstance(raw, bool):
        return raw
    text = plain(raw).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{what}应填「是」或「否」，现为「{plain(raw)}」")


_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_TYPE_CODES = {label: key for key, label in DISABILITY_TYPES.items()}


def disability(type_raw: Any, grade_raw: Any) -> dict[str, Any] | None:
    """``{"type", "grade"}`` in the household shape, or None when both cells are empty."""
    if (type_raw == "" or type_raw is None) and (grade_raw == "" or grade_raw is None):
        return None
    label = plain(type_raw).removesuffix("残疾").removesuffix("残")
    grade_text = plain(grade_raw).translate(_FULL_WIDTH).strip().removesuffix("级").removesuffix("等")
    if not label and not grade_text:
        return None
    if not label:
        raise CellError(f"有残疾等级「{plain(grade_raw)}」却没有残疾类别")
    if label not in _TYPE_CODES:
        raise CellError(f"残疾类别「{plain(type_raw)}」不认识（可填：{'、'.join(DISABILITY_TYPES.values())}）")
    if grade_text not in _GRADES:
        raise CellError(f"残疾等级「{plain(grade_raw)}」应为一级至四级")
    return {"type": _TYPE_CODES[label], "grade": _GRADES[grade_text]}


_RELATIONS = {
    "head": ("户主", "本人", "户主本人"),
    "spouse": ("配偶", "妻", "妻子", "夫", "丈夫", "之妻", "之夫"),
    "child": ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "三子", "长女", "次女", "三女", "之子", "之女",
              "养子", "养女", "继子", "继女"),
    "parent": ("父母", "父", "母", "父亲", "母亲", "之父", "之母"),
}
_RELATION_CODES = {label: code for code, labels in _RELATIONS.items() for label in labels}


def relation(raw: Any) -> str:
    """The household shape's relation (head, spouse, child, parent, other) of a roster's label;
    any other relative (孙子女, 儿媳, 兄弟姐妹 …) is ``other``."""
    return _RELATION_CODES.get(plain(raw), "other")


def count(raw: Any, what: str) -> int:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise CellError(f"缺少{what}")
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, int):
        return raw
    text = _half_width(plain(raw))[0].removesuffix("人").removesuffix("户")
    if text.isdigit():
        return int(text)
    raise CellError(f"{what}「{plain(raw)}」不是整数")


def sex_of(raw: Any) -> str | None:
    text = plain(raw)
    return {"男": "M", "女": "F"}.get(text)


def name(raw: Any) -> tuple[str, list[str]]:
    """A person's name: ends stripped; a stray space inside (张 三) removed and reported."""
    text = plain(raw)
    if not text:
        raise CellError("缺少姓名")
    fixes = []
    if len(text.split()) > 1:
        squeezed = _SPACES.sub("", text)
        if all(not ch.isascii() for ch in squeezed):
            text = squeezed
            fixes.append("已去掉姓名中的空格")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, fixes
