"""残疾人两项补贴 (policy.md §10) through `doudi-admin calc`: every reason code, their order, the
policy's extensions, and bad input named by field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from doudi_desk.cli import main

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples" / "new-programmes" / \
    "disability-allowance.json"


def request(**changes):
    data = json.loads(EXAMPLE.read_text("utf-8"))
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key) if key.isdigit() else key]
        last = keys[-1]
        if value is KeyError:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = copy.deepcopy(value)
    return data


def calc(capsys, tmp_path, data) -> tuple[int, dict | None, str]:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code = main(["calc", str(path)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def summary(result):
    return (result["eligible"], result["living_allowance"], result["care_allowance"], result["monthly_amount"],
            result["failed"], result["covered"], result["basis"])


APPLICANT = "household__members__0__"
STATUS = "household__status__"


def test_the_example_grants_both(capsys, tmp_path):
    code, result, err = calc(capsys, tmp_path, request())
    assert code == 0, err
    assert summary(result) == (True, "80", "80", "160", [], [0], "person")


def test_no_certificate_stands_alone_even_when_everything_else_fails(capsys, tmp_path):
    data = request(**{APPLICANT + "disability_certificate": False, APPLICANT + "long_term_care": False,
                      APPLICANT + "work_injury_care": True, STATUS + "dibao_covered": [], STATUS + "tekun_covered": [0]})
    _, result, _ = calc(capsys, tmp_path, data)
    assert summary(result) == (False, "0", "0", "0", ["no_certificate"], [], None)


def test_a_certificate_without_a_recorded_disability_is_no_certificate(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "disability": None}))
    assert result["failed"] == ["no_certificate"] and not result["eligible"]


def test_not_on_dibao_keeps_the_care_allowance(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{STATUS + "dibao": None, STATUS + "dibao_covered": []}))
    assert summary(result) == (True, "0", "80", "80", ["living_not_covered"], [0], "person")


def test_a_member_left_out_of_a_single_person_dibao_has_no_living_allowance(capsys, tmp_path):
    # the spouse is covered alone (单人户); the applicant is not, whatever the household's basis
    _, result, _ = calc(capsys, tmp_path, request(**{STATUS + "dibao": "single_person", STATUS + "dibao_covered": [1]}))
    assert result["failed"] == ["living_not_covered"] and result["living_allowance"] == "0"


def test_single_person_dibao_of_the_applicant_gives_the_living_allowance(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{STATUS + "dibao": "single_person", STATUS + "dibao_covered": [0]}))
    assert result["living_allowance"] == "80" and result["failed"] == []


def test_tekun_rules_out_both(capsys, tmp_path):
    data = request(**{STATUS + "dibao": None, STATUS + "dibao_covered": [], STATUS + "tekun_covered": [0]})
    _, result, _ = calc(capsys, tmp_path, data)
    assert summary(result) == (False, "0", "0", "0", ["living_not_covered", "living_tekun", "care_tekun"], [], None)


def test_tekun_and_dibao_both_listed_still_rule_out_both(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{STATUS + "tekun_covered": [0]}))
    assert summary(result) == (False, "0", "0", "0", ["living_tekun", "care_tekun"], [], None)


def test_an_orphan_keeps_the_care_allowance(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "orphan_support": True}))
    assert summary(result) == (True, "0", "80", "80", ["living_orphan"], [0], "person")


def test_work_injury_care_rules_out_both_with_one_code(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "work_injury_care": True}))
    assert summary(result) == (False, "0", "0", "0", ["work_injury_care"], [], None)


def test_no_long_term_care_need_keeps_the_living_allowance(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "long_term_care": False}))
    assert summary(result) == (True, "80", "0", "80", ["care_no_long_term_care"], [0], "person")


def test_grade_three_physical_is_not_severe(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "disability": {"type": "physical", "grade": 3}}))
    assert summary(result) == (True, "80", "0", "80", ["care_not_severe"], [0], "person")


def test_every_code_in_the_contract_order(capsys, tmp_path):
    data = request(**{APPLICANT + "disability": {"type": "visual", "grade": 4}, APPLICANT + "long_term_care": False,
                      APPLICANT + "orphan_support": True, APPLICANT + "work_injury_care": True,
                      STATUS + "dibao": None, STATUS + "dibao_covered": [], STATUS + "tekun_covered": [0]})
    _, result, _ = calc(capsys, tmp_path, data)
    assert result["failed"] == ["living_not_covered", "living_tekun", "living_orphan", "care_not_severe",
                                "care_no_long_term_care", "care_tekun", "work_injury_care"]


@pytest.mark.parametrize("kind,grade,extend,care,failed", [
    ("mental", 3, True, "50", []),  # extended, and the map has grade 3
    ("intellectual", 4, True, "0", []),  # extended, but the map has no grade 4: no allowance, no code
    ("mental", 3, False, "0", ["care_not_severe"]),
    ("physical", 3, True, "0", ["care_not_severe"]),  # the extension is for intellectual/mental only
])
def test_care_extension_to_grade_three_and_four(capsys, tmp_path, kind, grade, extend, care, failed):
    data = request(**{APPLICANT + "disability": {"type": kind, "grade": grade}, "policy__dca_extend_mental": extend,
                      "policy__dca_monthly": {"1": "100", "2": "80", "3": "50"}})
    _, result, _ = calc(capsys, tmp_path, data)
    assert (result["care_allowance"], result["failed"]) == (care, failed)


def test_grade_one_care_amount_from_the_map(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "disability": {"type": "multiple", "grade": 1}}))
    assert (result["living_allowance"], result["care_allowance"], result["monthly_amount"]) == ("80", "100", "180")


@pytest.mark.parametrize("extend,living,failed", [(True, "80", []), (False, "0", ["living_not_covered"])])
def test_edge_family_living_allowance_only_where_the_policy_extends_it(capsys, tmp_path, extend, living, failed):
    data = request(**{STATUS + "dibao": None, STATUS + "dibao_covered": [], STATUS + "edge_family": True,
                      "policy__dla_extend_to_edge": extend})
    _, result, _ = calc(capsys, tmp_path, data)
    assert (result["living_allowance"], result["failed"]) == (living, failed)


def test_amounts_are_whole_yuan_with_the_policy_rounding(capsys, tmp_path):
    data = request(**{"policy__dla_monthly": {"1": "80", "2": "80.5", "3": "80", "4": "80"},
                      "policy__dca_monthly": {"1": "100", "2": "80.2"}, "policy__rounding": "up"})
    _, result, _ = calc(capsys, tmp_path, data)
    assert (result["living_allowance"], result["care_allowance"], result["monthly_amount"]) == ("81", "81", "162")


def test_no_status_means_nothing_in_force(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{"household__status": KeyError}))
    assert result["failed"] == ["living_not_covered"] and result["care_allowance"] == "80"


def test_income_does_not_change_the_allowances_but_is_reported(capsys, tmp_path):
    data = request(**{"household__income": [{"type": "wage", "amount": "48000", "member": 1}]})
    _, result, _ = calc(capsys, tmp_path, data)
    assert result["per_capita_monthly"] == "1800.00" and result["monthly_amount"] == "160"


def test_the_explanation_names_each_step_in_chinese(capsys, tmp_path):
    _, result, _ = calc(capsys, tmp_path, request(**{APPLICANT + "orphan_support": True}))
    text = "".join(result["explanation"])
    assert "孤儿基本生活保障" in text and "重度残疾人护理补贴：二级每月80元" in text


@pytest.mark.parametrize("changes,field", [
    ({"household__members__1__applicant": True}, "household.members"),
    ({APPLICANT + "applicant": False}, "household.members"),
    ({STATUS + "dibao_covered": [0, 5]}, "household.status.dibao_covered[1]"),
    ({STATUS + "dibao": "partly"}, "household.status.dibao"),
    ({STATUS + "edge_family": "yes"}, "household.status.edge_family"),
    ({STATUS + "tekun": [0]}, "household.status.tekun"),
    ({APPLICANT + "long_term_care": "yes"}, "household.members[0].long_term_care"),
    ({APPLICANT + "certificate_number": "13042119680315731X31"}, "household.members[0].certificate_number"),
    ({APPLICANT + "certificate_number": "13042119680315731X4"}, "household.members[0].certificate_number"),
    ({APPLICANT + "certificate_number": "13042119700315742042"}, "household.members[0].certificate_number"),
    ({"policy__dca_monthly": {"5": "10"}}, "policy.dca_monthly.5"),
])
def test_bad_input_exits_2_naming_the_field(capsys, tmp_path, changes, field):
    code, result, err = calc(capsys, tmp_path, request(**changes))
    assert code == 2 and result is None
    assert field in err and "Traceback" not in err


def test_a_matching_certificate_number_is_accepted(capsys, tmp_path):
    code, result, err = calc(capsys, tmp_path, request(**{APPLICANT + "certificate_number": "13042119680315731x42"}))
    assert code == 0, err
    assert "13042119680315731X42" in "".join(result["explanation"])


def test_a_certificate_number_is_read_as_an_id_number_is():
    """Full-width digits and a lower-case x (an input method's habit) are the same number as the
    ASCII one, as for ID numbers (domain/ids.normalise_id); hidden characters are refused by the one
    text check, naming the field."""
    from doudi_desk.domain.errors import InputError
    from doudi_desk.domain.household import parse_member

    member = {"name": "张三", "id_number": "13042119680315731X", "relation": "head",
              "disability": {"type": "physical", "grade": 2}}
    typed = "１３０４２１１９６８０３１５７３１ｘ４２"
    assert parse_member(member | {"certificate_number": typed}, "m").certificate_number == "13042119680315731X42"
    with pytest.raises(InputError) as refused:
        parse_member(member | {"certificate_number": "13042119680315731X4\x002"}, "m")
    assert refused.value.field == "m.certificate_number" and "空字符" in refused.value.message
