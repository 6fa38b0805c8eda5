"""The one check every piece of typed text passes, and the check of a person's name.

Text reaches the program from the window (Qt strings may hold unpaired UTF-16 surrogates), from
JSON files and from the command line (bytes that are not UTF-8 arrive as lone surrogates). Whatever
the source, text stored in a case file is valid Unicode without invisible control characters, of
a bounded length. :func:`text_problem` says what is wrong; :func:`clean_text` raises
:class:`InputError` naming the field, or returns the text normalised (line breaks as ``\\n``,
outer white space stripped).

:func:`person_name` checks a family member's name where it is entered (domain/household.py):
Han characters (the rare ones of the extension planes included), the middle dot of minority
names, or Latin letters and spaces for foreign names — nothing else, so no diagnosis in brackets
or a telephone number in Chinese numerals reaches a posted list.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata
from typing import Any

from .errors import InputError

LINE_MAX = 200  # one-line fields: a place, a name of an office, a short note
TEXT_MAX = 5000  # several lines: findings, reasons, remarks
NAME_MAX = 50  # a person's name, minority and foreign names included

# Invisible characters that reorder or hide what is printed (bidi embeddings, overrides and
# isolates; the byte-order mark; non-characters); plain left-to-right/right-to-left marks are
# harmless and are used in Uyghur text, so they stay allowed.
_HIDDEN = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffe\uffff\u2028\u2029")


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 2


def shown(value: Any, limit: int = 40) -> str:
    """Input echoed back in a message: at most ``limit`` characters, anything unprintable escaped."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"（{value.bit_length() * 3 // 10}位以上的整数）"  # repr() of a huge int can fail
    try:
        text = value if isinstance(value, str) else _REPR.repr(value)
    except (ValueError, RecursionError):
        text = type(value).__name__
    out = []
    for ch in text[:limit]:
        cat = unicodedata.category(ch)
        out.append(f"\\u{ord(ch):04x}" if cat in ("Cc", "Cs", "Cf") or ch in _HIDDEN else ch)
    return "".join(out) + ("…" if len(text) > limit else "")


def text_problem(value: str, *, multiline: bool = False, max_len: int | None = None) -> str | None:
    """A Chinese sentence saying what makes ``value`` unfit to store, or None.

    ``value`` is checked as given (before stripping); carriage returns count as line breaks.
    """
    if not isinstance(value, str):
        return f"应为文字，现为 {shown(value)}"
    limit = max_len if max_len is not None else (TEXT_MAX if multiline else LINE_MAX)
    for position, ch in enumerate(value, start=1):
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return f"第{position}个字符无法识别（不是有效的文字编码，可能是文件或终端的编码不对），请重新输入"
        if ch == "\x00":
            return f"第{position}个字符是不可见的空字符（\\0），请删除"
        if ch in "\r\n":
            if not multiline:
                return "只能填写一行，不能换行"
            continue
        if ch == "\t":
            continue
        if unicodedata.category(ch) == "Cc" or ch in _HIDDEN:
            return f"第{position}个字符是不可见的控制字符（U+{code:04X}），请删除"
    length = len(value.strip())
    if length > limit:
        return f"不能超过 {limit} 个字（现为 {length} 个）"
    return None


def clean_text(value: Any, field: str, label: str = "", *, multiline: bool = False, max_len: int | None = None,
               required: bool = False, named: bool = True) -> str:
    """``value`` checked by :func:`text_problem` and normalised, or InputError naming the field.

    None and blank text give "" (or "缺少此项" when ``required``). ``named``: the message begins
    with the field's data path (``data.posting.place: ``); False for a value that is not in a data
    file (an action's comment), whose field the caller names when it prints.
    """
    where = f"{field}: " if named else ""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"{where}{label + '：' if label else ''}缺少此项", field)
        return ""
    problem = text_problem(value, multiline=multiline, max_len=max_len)
    if problem:
        raise InputError(f"{where}{label + '：' if label else ''}{problem}", field)
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


# ------------------------------------------------------------------------------------- names

# CJK Unified Ideographs and their extensions A–I, the compatibility ideographs.
_HAN_RANGES = (
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0x2CEB0, 0x2EBEF), (0x2EBF0, 0x2EE5F), (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F), (0x31350, 0x323AF),
)
MIDDLE_DOT = "·"  # U+00B7, as the 公安 household register writes minority and foreign names
# What people type for it: full stops, bullets, the katakana and Greek middle dots, …
_DOT_LOOKALIKES = frozenset(".．﹒•・･‧∙⋅·᛫⸱․")
# A run of these is a number written out (a telephone or ID number), not a given name.
_NUMERALS = frozenset("〇零幺一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾百千万")
_NUMERAL_RUN = 4
_FULLWIDTH_LATIN = {c: c - 0xFEE0 for c in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


def is_han(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _HAN_RANGES)


def _is_latin(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN ")


def name_problem(value: Any) -> tuple[str | None, str]:
    """``(problem, normalised name)``: problem is None when the name is acceptable.

    Normalised: NFC; the look-alikes of the middle dot become ``·``; full-width Latin letters
    become ASCII; a Han name loses its spaces (the full-width space that pads two-character
    names included); a Latin name keeps single spaces between words.
    """
    if not isinstance(value, str):
        return f"应为文字，现为 {shown(value)}", ""
    problem = text_problem(value, max_len=NAME_MAX)
    if problem:
        return problem, ""
    name = unicodedata.normalize("NFC", value).translate(_FULLWIDTH_LATIN)
    name = "".join(MIDDLE_DOT if ch in _DOT_LOOKALIKES else " " if ch.isspace() else ch for ch in name).strip()
    if not name:
        return "缺少此项", ""
    for ch in name:
        if not (is_han(ch) or _is_latin(ch) or ch in (MIDDLE_DOT, " ")):
            what = "数字" if ch.isdigit() else f"「{shown(ch)}」"
            return (f"「{shown(value)}」中有{what}；姓名只能由汉字、少数民族姓名的间隔号「·」"
                    "或外文字母和空格组成（病情、残疾、电话等请填在相应栏目）"), ""
    han = any(is_han(ch) for ch in name)
    latin = any(_is_latin(ch) for ch in name)
    if han and latin:
        return f"「{shown(value)}」中汉字和外文字母混用；外文姓名请全部用字母，或按户口簿写汉字译名", ""
    if latin:
        if MIDDLE_DOT in name:
            return f"「{shown(value)}」：外文姓名中的各部分请用空格分开", ""
        return None, " ".join(name.split())
    name = name.replace(" ", "")
    if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name:
        return f"「{shown(value)}」：间隔号「·」只能写在两段姓名之间", ""
    run = max((len(m) for m in re.findall(f"[{''.join(sorted(_NUMERALS))}]+", name)), default=0)
    if run >= _NUMERAL_RUN:
        return f"「{shown(value)}」中有{run}个连续的中文数字，不像姓名（电话、证件号码请填在相应栏目）", ""
    return None, name


def person_name(value: Any, field: str, label: str = "姓名") -> str:
    """A family member's name, normalised (see :func:`name_problem`), or InputError naming the field."""
    problem, name = name_problem(value)
    if problem:
        raise InputError(f"{field}: {label}{'' if problem.startswith('「') else '：'}{problem}", field)
    return name
