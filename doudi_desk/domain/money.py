"""Exact decimal money helpers and input parsing that names the offending field."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from .errors import InputError
from .text import shown

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP}
CENT = Decimal("0.01")
YUAN = Decimal("1")
# No amount a township handles comes near this; anything above is a typing or file error (and
# would overflow the database's 14-digit money columns long before it meant anything).
MONEY_CEILING = Decimal("10000000")
MAX_NUMBER_TEXT = 40  # characters of a number written as text
COUNT_CEILING = 1_000_000  # a whole number with no bound of its own
_INT_TEXT = re.compile(r"-?[0-9]{1,15}")


def to_decimal(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    """Parse a money or rate value given as a string or a number; never through binary float.

    Refused: anything but a number or numeric text, text longer than 40 characters, NaN and
    infinities, magnitudes of 10^12 and more.
    """
    if isinstance(value, bool) or value is None:
        raise InputError(f"{field}: 应为数字（可写成字符串），现为 {shown(value)}", field)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int):
        if abs(value) >= 10**12:
            raise InputError(f"{field}: 数值过大", field)
        result = Decimal(value)
    elif isinstance(value, str):
        if len(value) > MAX_NUMBER_TEXT:
            raise InputError(f"{field}: 不是有效的数字（过长）：{shown(value)}", field)
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise InputError(f"{field}: 不是有效的数字：{shown(value)}", field) from None
    else:
        raise InputError(f"{field}: 应为数字（可写成字符串），现为 {shown(value)}", field)
    if not result.is_finite():
        raise InputError(f"{field}: 不是有效的数字：{shown(value)}", field)
    # Looked at through the exponent, without arithmetic: Decimal("1e999999999") is finite, but
    # abs() or a comparison of it overflows the decimal context.
    if not result:
        return Decimal(0)  # "-0", "0e999999999"
    if result.adjusted() >= 12:
        raise InputError(f"{field}: 数值过大：{shown(value)}", field)
    if result.as_tuple().exponent < -12:  # type: ignore[operator]
        raise InputError(f"{field}: 小数位数过多：{shown(value)}", field)
    if result < 0 and not allow_negative:
        raise InputError(f"{field}: 不能为负数（{shown(value)}）", field)
    return result


def amount_problem(amount: Decimal) -> str | None:
    """What is wrong with a money amount already parsed: more than two decimals, above the ceiling."""
    if amount != amount.quantize(CENT):
        return f"金额最多保留两位小数（现为 {amount:f}）"
    if abs(amount) > MONEY_CEILING:
        return f"金额不能超过 {MONEY_CEILING:,f} 元（现为 {amount:,f}）"
    return None


def to_amount(value: Any, field: str) -> Decimal:
    """A money amount in yuan: a non-negative number with at most two decimals, at most 10 million."""
    amount = to_decimal(value, field)
    problem = amount_problem(amount)
    if problem:
        raise InputError(f"{field}: {problem}", field)
    return amount


def to_int(value: Any, field: str, *, low: int | None = None, high: int | None = None) -> int:
    """Parse a whole number, from an int or a string of ASCII digits (at most 15)."""
    if isinstance(value, bool):
        raise InputError(f"{field}: 应为整数，现为 {shown(value)}", field)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer() and abs(value) < COUNT_CEILING:
        value = int(value)
    if not isinstance(value, int):
        raise InputError(f"{field}: 应为整数，现为 {shown(value)}", field)
    if abs(value) > COUNT_CEILING:  # also keeps str(value) below Python's digit limit in messages
        raise InputError(f"{field}: 数值过大，应为不超过 {high if high is not None else COUNT_CEILING} 的整数", field)
    if low is not None and value < low:
        raise InputError(f"{field}: 不能小于 {low}（现为 {value}）", field)
    if high is not None and value > high:
        raise InputError(f"{field}: 不能大于 {high}（现为 {value}）", field)
    return value


def to_bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"{field}: 应为 true 或 false，现为 {shown(value)}", field)
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
