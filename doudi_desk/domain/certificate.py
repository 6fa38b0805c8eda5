"""The 残疾人证 (second-generation disability certificate) and its number.

The number has 20 characters: the holder's 18-character resident ID number, then one digit for
the type of disability and one for the grade (1 视力, 2 听力, 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重;
grades 1–4). A number that does not belong to the member, or whose type or grade differ from the
disability recorded for the member, is refused with the field named.
"""

from __future__ import annotations

from .errors import InputError
from .ids import normalise_id
from .model import DISABILITY_TYPES, GRADES, Disability
from .text import shown, text_problem

TYPE_DIGITS: dict[str, str] = {"1": "visual", "2": "hearing", "3": "speech", "4": "physical", "5": "intellectual",
                               "6": "mental", "7": "multiple"}
DIGIT_OF_TYPE = {v: k for k, v in TYPE_DIGITS.items()}


def certificate_problem(number: str, id_number: str, disability: Disability | None) -> str | None:
    """What is wrong with a certificate number for this member, or None. The number is read as an
    ID number is (:func:`normalise_id`: any digit as ASCII, x as X, spaces out)."""
    problem = text_problem(number, max_len=40)
    if problem:
        return f"残疾人证号{problem}"
    text = normalise_id(number)
    if len(text) != 20:
        return f"残疾人证号应为20位（身份证号码18位+残疾类别1位+残疾等级1位），现为{len(text)}位"
    if text[:18] != normalise_id(id_number):
        return "残疾人证号前18位应与本人身份证号码一致"
    kind, grade = text[18], text[19]
    if kind not in TYPE_DIGITS:
        return "残疾人证号第19位（残疾类别）只能是1–7"
    if grade not in "1234":
        return "残疾人证号第20位（残疾等级）只能是1–4"
    if disability is not None:
        if TYPE_DIGITS[kind] != disability.type:
            return (f"残疾人证号表示{DISABILITY_TYPES[TYPE_DIGITS[kind]]}残疾，"
                    f"与登记的{DISABILITY_TYPES.get(disability.type, disability.type)}残疾不一致")
        if int(grade) != disability.grade:
            return f"残疾人证号表示{GRADES[int(grade)]}，与登记的{GRADES.get(disability.grade, disability.grade)}不一致"
    return None


def validate_certificate(number: str, id_number: str, disability: Disability | None, field: str) -> str:
    """The certificate number normalised (no spaces, upper case), or InputError naming ``field``."""
    problem = certificate_problem(number, id_number, disability)
    if problem:
        raise InputError(f"{field}: {problem}（{shown(number)}）", field)
    return normalise_id(number)
