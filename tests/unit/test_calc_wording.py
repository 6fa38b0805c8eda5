"""The 测算说明 reads as a clerk writes it: people by name, no programmer notation (issue 10 item 6).

The lines are printed on the 审核审批表 and shown on the case page; the calc contract compares keys
only (the explanation is free wording), so these tests hold the wording to what a reader expects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from doudi_desk.domain.calc import calc_request
from doudi_desk.domain.ids import make_id

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples"
PROGRAMMER = re.compile(r"max\(|min\(|第0号|\[\d\]|\bNone\b")


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize("name", ["household-gap", "single-person", "tekun"])
def test_no_programmer_notation_and_people_by_name(name):
    request = _example(name)
    lines = calc_request(request)["explanation"]
    for line in lines:
        assert not PROGRAMMER.search(line), line
        assert not re.search(r"第\d+号", line), line  # members are named, not numbered from 0
    names = [m["name"] for m in request["household"]["members"]]
    text = "".join(lines)
    assert any(n in text for n in names)


def test_a_negative_net_income_is_said_in_words():
    request = _example("single-person")
    request["household"]["rigid_expenses"] = [{"kind": "medical", "amount": "999999", "member": None}]
    lines = calc_request(request)["explanation"]
    net = next(line for line in lines if line.startswith("家庭净收入"))
    assert "小于0，按0元计" in net and "max" not in net


def test_a_name_shared_in_the_family_is_numbered_from_one():
    request = _example("single-person")
    members = request["household"]["members"]
    disabled = next(i for i, m in enumerate(members) if m.get("disability") or m.get("serious_illness"))
    for m in members:
        m["name"] = "王芳"
    lines = calc_request(request)["explanation"]
    assert any(f"王芳（第{disabled + 1}位成员）" in line for line in lines), lines
    assert not any("第0" in line for line in lines)


def test_disability_grades_in_chinese_numerals():
    request = _example("tekun")
    applicant = next(m for m in request["household"]["members"] if m.get("applicant"))
    applicant["disability"] = {"type": "physical", "grade": 2}
    applicant["id_number"] = make_id("130102", dt.date(1986, 1, 1), 117)  # 40: the grade decides
    lines = calc_request(request)["explanation"]
    assert any("肢体残疾二级" in line for line in lines), lines
    assert not any(re.search(r"[1-4]级", line) for line in lines), lines
