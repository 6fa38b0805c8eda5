"""Resident ID numbers (GB 11643-1999), checked with python-stdnum."""

from __future__ import annotations

import datetime as dt
import unicodedata

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from .errors import InputError
from .text import shown, text_problem


def normalise_id(number: str) -> str:
    """An ID number as stored and compared: every Unicode digit as its ASCII digit (full-width
    ０-９, Arabic-Indic, superscripts …), x and ｘ as X, spaces taken out.

    Apply it before an ID number is checked, stored, searched for or compared, so the same person
    is the same number however the digits were typed. Text that is not an ID number comes back
    changed only in those ways (so :func:`id_problem` can still say what is wrong with it).
    """
    out = []
    for ch in unicodedata.normalize("NFKC", number):
        if ch.isspace():
            continue
        value = unicodedata.decimal(ch, None)
        if value is None:
            value = unicodedata.digit(ch, None)
        out.append(str(value) if value is not None else "X" if ch in "xX" else ch)
    return "".join(out)


def id_problem(number: str) -> str | None:
    """Return a Chinese message describing what is wrong with an ID number, or None if valid."""
    if not isinstance(number, str):
        return "身份证号码必须是文字"
    problem = text_problem(number, max_len=40)
    if problem:
        return f"身份证号码{problem}"
    compact = normalise_id(number)
    if len(compact) != 18:
        return f"身份证号码应为18位，现为{len(compact)}位"
    if not (compact[:17].isascii() and compact[:17].isdigit()):
        return "身份证号码前17位必须是数字"
    if compact[17] not in "0123456789X":
        return "身份证号码第18位（校验码）只能是数字或X"
    # The GB 11643 check digit and the birth date are checked; the six-digit region code is not
    # looked up, because codes of merged or renamed counties stay valid on people's cards for life
    # and python-stdnum's region table does not list all of them (e.g. 130102).
    if compact[17] != ric.calc_check_digit(compact):
        return "身份证号码校验码不正确，请核对每一位"
    try:
        born = ric.get_birth_date(compact)
    except stdnum_exceptions.ValidationError:
        return "身份证号码中的出生日期无效"
    if born > dt.date.today() or born.year < 1880:
        return "身份证号码中的出生日期无效"
    return None


def validate_id(number: str, field: str = "id_number") -> str:
    """Return the normalised (upper-case X) ID number or raise InputError naming the field."""
    problem = id_problem(number)
    if problem:
        raise InputError(f"{field}: {problem}（{shown(number)}）", field)
    return normalise_id(number)


def birth_date(number: str) -> dt.date:
    """Birth date encoded in a valid ID number."""
    return ric.get_birth_date(number)


def sex(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(normalise_id(number)[16]) % 2 else "F"


def age_on(number: str, on: dt.date) -> int:
    """Age in whole years on a date."""
    born = birth_date(number)
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def make_id(region: str, born: dt.date, sequence: int) -> str:
    """Build a valid synthetic ID number (for demo data and tests).

    sequence: 0..999; its parity decides the sex (odd = male).
    """
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function skips the last character
