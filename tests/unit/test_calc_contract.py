"""`doudi-admin calc` against the worked examples of calc-contract.md and its error rules."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from doudi_desk.cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "domain" / "examples"
CASES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))
# calc-contract.md "Programmes added later": a subfolder; each example runs once calc knows its programme
# (a registry programme, domain/programmes.py, or a computation of calc's own: price_subsidy).
LATER = sorted(p for p in (EXAMPLES / "new-programmes").glob("*.json") if not p.name.endswith(".expected.json"))


def _programme(path: Path) -> str:
    return json.loads(path.read_text("utf-8"))["programme"]


def _later_case(path: Path):
    from doudi_desk.domain.calc import later_programmes
    from doudi_desk.domain.programmes import REGISTRY

    known = _programme(path) in REGISTRY or _programme(path) in later_programmes()
    return pytest.param(path, id=f"new-programmes/{path.stem}", marks=() if known else pytest.mark.skip(
        reason=f"calc does not know programme {_programme(path)!r} yet"))


def run_calc(capsys, payload, tmp_path) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False), "utf-8")
    code = main(["calc", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_examples_exist():
    assert len(CASES) >= 3, f"no examples found in {EXAMPLES}"


def test_later_examples_run_for_both_programmes():
    from doudi_desk.domain.calc import later_programmes
    from doudi_desk.domain.programmes import REGISTRY

    names = {_programme(p) for p in LATER}
    assert {"disability_allowance", "price_subsidy"} <= names, f"examples missing in {EXAMPLES / 'new-programmes'}"
    assert "disability_allowance" in REGISTRY and "price_subsidy" in later_programmes()


@pytest.mark.parametrize("case", [*CASES, *(_later_case(p) for p in LATER)],
                         ids=lambda p: p.stem if isinstance(p, Path) else None)
def test_example_matches_expected(case, capsys, tmp_path):
    code, out, err = run_calc(capsys, case.read_text("utf-8"), tmp_path)
    assert code == 0, err
    result = json.loads(out)
    expected = json.loads(case.with_name(case.stem + ".expected.json").read_text("utf-8"))
    for key, value in expected.items():
        assert result[key] == value, key
    # Exactly the contract's keys, plus the explanation.
    assert set(result) == set(expected) | {"explanation"}
    assert result["explanation"] and all(isinstance(line, str) for line in result["explanation"])


def test_real_command_line_entry_point(tmp_path):
    case = CASES[0]
    proc = subprocess.run(
        [sys.executable, "-m", "doudi_desk.cli", "calc", str(case)], capture_output=True, text=True, encoding="utf-8"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["programme"]


def _example():
    return json.loads((EXAMPLES / "household-gap.json").read_text("utf-8"))


def _mutate(path, value):
    data = _example()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


BAD_INPUT = [
    (("household", "members", 0, "id_number"), "130102197203150317", "household.members[0].id_number"),
    (("household", "members", 1, "id_number"), "1301021975", "household.members[1].id_number"),
    (("household", "income", 0, "type"), "salary", "household.income[0].type"),
    (("household", "income", 1, "amount"), "-5", "household.income[1].amount"),
    (("household", "income", 1, "amount"), "abc", "household.income[1].amount"),
    (("household", "income", 0, "member"), 9, "household.income[0].member"),
    (("policy", "dibao_standard_monthly"), KeyError, "policy.dibao_standard_monthly"),
    (("policy", "rounding"), "down", "policy.rounding"),
    (("household", "members", 0, "disability"), {"type": "physical", "grade": 7}, "household.members[0].disability.grade"),
    (("decision_date",), "2026-13-01", "decision_date"),
    (("programme",), "wubao", "programme"),
    (("household",), KeyError, "household"),
]


@pytest.mark.parametrize("path,value,field", BAD_INPUT)
def test_bad_input_exits_2_naming_the_field(path, value, field, capsys, tmp_path):
    code, out, err = run_calc(capsys, _mutate(path, value), tmp_path)
    assert code == 2
    assert out == ""
    assert field in err
    assert "Traceback" not in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err), "message must be Chinese"


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]", ""])
def test_malformed_json_exits_2(payload, capsys, tmp_path):
    code, _out, err = run_calc(capsys, payload, tmp_path)
    assert code == 2 and "Traceback" not in err and err.strip()


def test_missing_file_exits_2(capsys, tmp_path):
    assert main(["calc", str(tmp_path / "none.json")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_calc_leaves_its_input_file_as_it_was(capsys, tmp_path):
    case = LATER[0] if LATER else CASES[0]
    text = case.read_text("utf-8")
    code, _out, err = run_calc(capsys, text, tmp_path)
    assert code == 0, err
    assert (tmp_path / "in.json").read_text("utf-8") == text


def _leaves(data, prefix=()) -> dict:
    """Every scalar of a JSON value by its path (an empty list or object counts as one)."""
    if isinstance(data, dict | list):
        items = data.items() if isinstance(data, dict) else enumerate(data)
        out = {}
        for key, value in items:
            out |= _leaves(value, (*prefix, key))
        return out or {prefix: data}
    return {prefix: data}


def _dotted(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


@pytest.mark.parametrize("path,value,field", BAD_INPUT)
def test_each_bad_input_differs_from_the_example_only_in_the_field_it_names(path, value, field):
    """Each bad-input case breaks one thing: compared leaf by leaf with the worked example, the
    mutated payload differs only under ``path``, the field the error must name — so the exit 2 and
    the field in its message are that change's, not some other difference."""
    before, after = _leaves(_example()), _leaves(_mutate(path, value))
    missing = object()
    changed = {p for p in before.keys() | after.keys() if before.get(p, missing) != after.get(p, missing)}
    assert changed, "the mutation changed nothing"
    assert all(p[:len(path)] == tuple(path) for p in changed), sorted(map(_dotted, changed))
    assert field.startswith(_dotted(path))
