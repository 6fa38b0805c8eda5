"""One title per document kind (domain/documents.py), the same in printing, services, window and
command line; one "amount of a case" (domain/programmes.amount_of) for monthly and one-off programmes."""

from __future__ import annotations

import re

import pytest

from doudi_desk.domain import documents
from doudi_desk.domain.documents import DOCUMENTS, title
from doudi_desk.domain.programmes import MONTHLY, ONE_OFF, REGISTRY, amount_field, amount_of


def test_the_printing_layer_prints_exactly_the_registrys_kinds_under_their_titles():
    from doudi_desk.printing import KINDS

    assert list(KINDS) == list(DOCUMENTS)
    for kind, k in KINDS.items():
        d = DOCUMENTS[kind]
        assert (k.title, k.scope, k.posted) == (d.title, d.scope, d.posted), kind
    assert KINDS["case_file"].template == "case_file_cover.xml.j2"
    assert KINDS["approval_form"].template == "approval_form.xml.j2"


def test_every_title_is_chinese_and_no_two_kinds_share_one():
    titles = [d.title for d in DOCUMENTS.values()]
    assert len(set(titles)) == len(titles)
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in titles)
    assert {d.scope for d in DOCUMENTS.values()} <= set(documents.SCOPES)


def test_a_programme_names_only_known_kinds_and_its_name_wins():
    for prog in REGISTRY.values():
        unknown = set(prog.documents) - set(DOCUMENTS)
        assert not unknown, f"{prog.code} names unknown document kinds {unknown}"
    assert title("certificate") == "救助证"
    assert title("certificate", "tekun") == "特困人员救助供养证"
    assert title("refusal_notice", "tekun") == "不予认定告知书"
    assert title("approval_form", "temporary") == "临时救助审批表"
    assert title("approval_form", "dibao") == title("approval_form") == "审核审批表"
    assert title("roster", "disability_allowance") == "残疾人两项补贴花名册"
    assert title("no_such_kind") == "no_such_kind"
    assert title("certificate", "no_such_programme") == "救助证"


def test_the_window_uses_the_registry_for_list_and_payroll_documents():
    from doudi_desk.ui.payroll_detail import PRINTS
    from doudi_desk.ui.work_tabs import LIST_KINDS

    assert PRINTS == {k: DOCUMENTS[k].title for k in ("payroll_summary", "payroll_roster", "payroll_changes")}
    assert LIST_KINDS["posting_list"] == "初审公示名单" == title("posting_list")
    assert LIST_KINDS["publication_list"] == title("publication_list")
    assert LIST_KINDS["roster"].startswith(title("roster"))


def test_the_payroll_prints_are_the_registrys_payroll_documents():
    from doudi_desk.services.payment_print import KINDS

    assert KINDS == {"payroll_roster": "发放花名册", "payroll_summary": "发放汇总表", "payroll_changes": "变动名单"}
    assert KINDS == documents.of_scope("payroll")


def test_doudi_admin_print_help_lists_every_kind_with_its_title(capsys):
    from doudi_desk.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["print", "--help"])
    assert exit_.value.code == 0
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    for d in DOCUMENTS.values():
        if d.scope == "payroll":  # doudi-admin payroll print
            assert f"{d.kind} " not in text
        else:
            assert f"{d.kind} {d.title}" in text, d.kind
    assert f"application_form {title('application_form')}、income_statement {title('income_statement')}" in text


@pytest.mark.parametrize("code", list(REGISTRY))
def test_the_amount_of_a_case_is_monthly_or_one_off_as_the_programme_pays(code):
    record = {"monthly_amount": "520.00", "amount": "3000.00"}
    monthly = REGISTRY[code].amount_kind == MONTHLY
    assert REGISTRY[code].amount_kind in (MONTHLY, ONE_OFF)
    assert amount_field(code) == ("monthly_amount" if monthly else "amount")
    assert amount_of(code, record) == ("520.00" if monthly else "3000.00")
    assert amount_of(code, None) is None and amount_of(code, {}) is None
    assert amount_of(code, {"covered": [0]}) is None


def test_the_one_off_programme_is_temporary_aid():
    assert [c for c, p in REGISTRY.items() if not p.monthly] == ["temporary"]
    assert amount_of("temporary", {"amount": "35000", "monthly_amount": None}) == "35000"
    assert amount_of("dibao", {"amount": "35000", "monthly_amount": "600"}) == "600"
