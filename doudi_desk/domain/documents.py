"""Every printable document kind and its one title: the printing layer names its templates after
these kinds (printing/render.py ``KINDS``), the services title the PDFs with them, the window labels
its buttons with them and ``doudi-admin print`` lists them — all through :func:`title`.

A programme may call a document by its own name (特困人员救助供养证, 不予认定告知书 …): that is the
programme's ``documents`` in domain/programmes.py, and :func:`title` applies it when given the
programme. The report documents (统计月报, 台账 …) are not printed for a case and keep their titles in
printing/report_kinds.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from .programmes import REGISTRY

SCOPES = ("case", "village", "area", "payroll")


@dataclass(frozen=True)
class Document:
    """A printable document kind: its title (without a programme's own name for it), what it is
    printed for (``case``, ``village``, ``area`` or ``payroll``) and whether it is posted publicly."""

    kind: str
    title: str
    scope: str
    posted: bool = False


# Case documents in the order of the procedure; each has its template print_templates/<kind>.xml.j2
# (the case file: case_file_cover.xml.j2).
DOCUMENTS: dict[str, Document] = {d.kind: d for d in (
    Document("posting_list", "初审公示名单", "village", posted=True),
    Document("publication_list", "长期公布名单", "village", posted=True),
    Document("application_form", "申请书", "case"),
    Document("income_statement", "家庭收入及财产申报表", "case"),
    Document("authorization", "家庭经济状况核对授权书", "case"),
    Document("correction_notice", "补正告知书", "case"),
    Document("not_accepted_notice", "不予受理告知书", "case"),
    Document("acceptance_notice", "受理通知书", "case"),
    Document("first_aid_record", "先行救助记录", "case"),
    Document("verification_request", "家庭经济状况核对委托书", "case"),
    Document("home_visit_form", "入户调查表", "case"),
    Document("neighbour_record", "邻里访问记录", "case"),
    Document("self_care_form", "生活自理能力评估表", "case"),
    Document("care_agreement", "特困人员委托照料协议", "case"),
    Document("preliminary_opinion_form", "初审意见表", "case"),
    Document("objection_record", "公示异议记录", "case"),
    Document("review_record", "民主评议记录表", "case"),
    Document("county_visit_form", "县级入户抽查表", "case"),
    Document("approval_form", "审核审批表", "case"),
    Document("collective_record", "“一事一议”集体研究记录", "case"),
    Document("confirmation_notice", "确认通知书", "case"),
    Document("certificate", "救助证", "case"),
    Document("refusal_notice", "不予确认通知书", "case"),
    Document("review_notice", "复核告知书", "case"),
    Document("change_report", "家庭情况变化报告表", "case"),
    Document("termination_proposal", "停保（终止）呈报表", "case"),
    Document("adjustment_notice", "调整（增发/减发）通知书", "case"),
    Document("termination_notice", "停发（终止）通知书", "case"),
    # A benefit that follows another programme's status stopped with it (two allowances when the
    # family's 低保 stops or the person enters 特困): written without a case of its own.
    Document("linked_stop_notice", "停发告知书", "case"),
    Document("roster", "花名册", "area"),
    Document("case_file", "案件档案", "case"),
    Document("payroll_roster", "发放花名册", "payroll"),
    Document("payroll_summary", "发放汇总表", "payroll"),
    Document("payroll_changes", "变动名单", "payroll"),
)}


def title(kind: str, programme: str | None = None) -> str:
    """The title of a document kind, as ``programme`` calls it when given (低保 申请书, 特困
    特困人员救助供养申请书); an unknown kind is its own title."""
    default = DOCUMENTS[kind].title if kind in DOCUMENTS else kind
    prog = REGISTRY.get(programme) if programme else None
    return prog.document(kind, default) if prog else default


def of_scope(*scopes: str) -> dict[str, str]:
    """kind → title of the documents printed for these scopes, in the registry's order."""
    return {d.kind: d.title for d in DOCUMENTS.values() if d.scope in scopes}
