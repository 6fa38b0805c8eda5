"""doudi-admin names the argument an error is about (``--village: …``): the services' messages carry
no command-line prefix, the CLI's one except handler adds it from the error's field."""

from __future__ import annotations

import json

import pytest

from doudi_desk.cli import main
from doudi_desk.domain.errors import InputError
from doudi_desk.services.printing import PrintService
from tests.helpers.office import fix_cli_clock
from tests.helpers.tekun import temp_household


@pytest.fixture
def cli(office, monkeypatch, capsys):
    fix_cli_clock(monkeypatch)
    url = f"sqlite:///{office.db_path}"

    def run(*argv):
        code = main(["--db", url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_service_error_is_printed_with_the_option_it_is_about(cli, office, tmp_path):
    with pytest.raises(InputError) as info:  # the service says what, not where on a command line
        PrintService(office).render_kind("posting_list", villages=["130999101999"], actor="clerk")
    assert not info.value.message.startswith("--") and info.value.field == "village"
    out = str(tmp_path / "x.pdf")
    code, _out, err = cli("print", "posting_list", "--village", "130999101999", "--out", out, "--as", "clerk")
    assert code == 2 and err == f"错误：--village: {info.value.message}\n"
    code, _out, err = cli("print", "posting_list", "--village", "130999101001", "--out", out, "--as", "nobody")
    assert code == 2 and err == "错误：--as: 没有用户「nobody」\n"  # field "as", the option's dest is "actor"
    code, _out, err = cli("print", "no_such_kind", "--village", "130999101001", "--out", out)
    assert code == 2 and err.startswith("错误：KIND: 没有这种文书「no_such_kind」"), err  # a positional: its metavar


def test_a_data_path_in_a_file_is_printed_as_before_and_a_service_refusal_names_its_option(cli, tmp_path):
    household = temp_household()
    household["members"][0]["id_number"] = "130102198011300510"  # a wrong check digit
    path = tmp_path / "household.json"
    path.write_text(json.dumps(household, ensure_ascii=False), encoding="utf-8")
    code, _out, err = cli("case", "new", "--household", str(path), "--programme", "temporary", "--as", "clerk")
    assert code == 2 and err.startswith("错误：household.members[0].id_number: "), err  # not an option of the command
    path.write_text(json.dumps(temp_household(), ensure_ascii=False), encoding="utf-8")
    code, _out, err = cli("case", "new", "--household", str(path), "--programme", "temporary", "--as", "clerk",
                          "--date", "2030-01-05")  # refused by the service (field "date"), named by the CLI
    assert code == 2 and err.startswith("错误：--date: 办理日期 2030-01-05 不能晚于今天"), err
