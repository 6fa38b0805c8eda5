"""Exact decimal money helpers and input parsing that names the offending field."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from .errors import InputError

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP}
CENT = Decimal("0.01")
YUAN = Decimal("1")


def to_decimal(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    """Parse a money or rate value given as a string or a number; never through binary float."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"{field}: 应为数字（可写成字符串），现为 {value!r}", field)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise InputError(f"{field}: 不是有效的数字：{value!r}", field) from None
    else:
        raise InputError(f"{field}: 应为数字（可写成字符串），现为 {value!r}", field)
    if not result.is_finite():
        raise InputError(f"{field}: 不是有效的数字：{value!r}", field)
    if result < 0 and not allow_negative:
        raise InputError(f"{field}: 不能为负数（{value}）", field)
    return result


def to_int(value: Any, field: str, *, low: int | None = None, high: int | None = None) -> int:
    """Parse a whole number, from an int or a string of digits."""
    if isinstance(value, bool):
        raise InputError(f"{field}: 应为整数，现为 {value!r}", field)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise InputError(f"{field}: 应为整数，现为 {value!r}", field)
    if low is not None and value < low:
        raise InputError(f"{field}: 不能小于 {low}（现为 {value}）", field)
    if high is not None and value > high:
        raise InputError(f"{field}: 不能大于 {high}（现为 {value}）", field)
    return value


def to_bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"{field}: 应为 true 或 false，现为 {value!r}", field)
    return value


def quantize(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return value.quantize(step, rounding=ROUNDING_MODES[rounding])


def fmt(value: Decimal, places: int = 2) -> str:
    """Format for output: fixed places, no exponent."""
    step = Decimal(1).scaleb(-places)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP):f}"


def yuan(value: Decimal) -> str:
    """Human Chinese rendering of an amount, e.g. 1,234.50元 (explanations only)."""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}元"
