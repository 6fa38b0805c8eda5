"""Case actions outside the case page: a new application, a 复核 started from 复核到期, a batch
decision in the 审批队列, an import's follow-up actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .changes import Changes
from .op import CollectionOp, Shell

if TYPE_CHECKING:
    from ...services.views import CaseView


def create_case(shell: Shell, data: dict[str, Any], programme: str, **options: Any) -> CollectionOp[CaseView]:
    """登记申请: the new case's view (``options``: applied_on, allow_duplicate, comment, repeat_reason)."""
    return CollectionOp(shell, shell.backend.cases.create_case, data, programme, shell.user["username"],
                        changes=lambda view: Changes.to_cases([view.id]), **options)


def start_review(shell: Shell, case_id: int, effective_date: str, comment: str) -> CollectionOp[CaseView]:
    """发起复核 of an approved case: the review case's view; the parent case changes with it."""
    return CollectionOp(shell, shell.backend.lifecycle.start_review, case_id, shell.user["username"],
                        effective_date=effective_date, comment=comment,
                        changes=lambda review: Changes.to_cases([case_id, review.id]))


def batch_decide(shell: Shell, items: Sequence[dict[str, Any]], action: str, reason: str) -> CollectionOp[dict]:
    """批准所选 / 退回所选 (``action`` approve | return): BatchService's outcome per case. Give it a
    ``.progress()``: it reports each case and stops at the next one once its job is cancelled."""
    backend, user = shell.backend, shell.user["username"]

    def work(job) -> dict[str, Any]:
        return backend.batch.run(items, action, user, reason=reason,
                                 progress=lambda i, n, number: job.report(i, n, number),
                                 should_stop=lambda: job.cancelled)

    # Every case tried: a failed one was changed by someone else meanwhile, so it is stale here too.
    return CollectionOp(shell, work, changes=Changes.to_cases(int(i["id"]) for i in items))


def import_commit(shell: Shell, path: str, profile: str | None, skip_errors: bool,
                  expected_digest: str) -> CollectionOp[dict]:
    """导入 the roster previewed (the file must still be the one previewed: ``expected_digest``).
    Give it a ``.progress()``: cancelling undoes all of it."""
    return CollectionOp(shell, shell.backend.importing.commit, path=path, actor=shell.user["username"],
                        profile=profile, skip_errors=skip_errors, expected_digest=expected_digest,
                        changes=Changes(cases=True, queue=True))


def import_start_actions(shell: Shell, chosen: list[dict[str, Any]]) -> CollectionOp[dict]:
    """After an import: open the 变更 / 停保 the comparison offered, one case per family."""
    return CollectionOp(shell, shell.backend.importing.start_actions, shell.user["username"], chosen,
                        changes=Changes(cases=True, queue=True))


def _case_and_parent(view) -> Changes:
    """A case written on its page: the case, and its parent when a 复核/变更/停保 decision changes the
    benefit of the case it belongs to (an open parent page reads again)."""
    return Changes.to_cases([view.id, *([view.parent_case_id] if view.parent_case_id else [])])


def advance(shell: Shell, case_id: int, trigger: str, data: dict[str, Any], *, effective_date: str | None,
            comment: str, expected_version: int) -> CollectionOp[CaseView]:
    """办理 one step of a case (the page's action buttons): the case view after it."""
    return CollectionOp(shell, shell.backend.cases.advance, case_id, trigger, shell.user["username"], data=data,
                        effective_date=effective_date, comment=comment, expected_version=expected_version,
                        changes=_case_and_parent)


def save_forms(shell: Shell, case_id: int, data: dict[str, Any], *, effective_date: str | None,
               expected_version: int) -> CollectionOp[CaseView]:
    """保存表单 of the current step: the case view after it."""
    return CollectionOp(shell, shell.backend.cases.save_forms, case_id, shell.user["username"], data,
                        effective_date=effective_date, expected_version=expected_version,
                        changes=lambda view: Changes.to_cases([view.id]))


def start_change(shell: Shell, case_id: int, change: dict[str, Any], effective_date: str) -> CollectionOp[CaseView]:
    """登记家庭情况变化 of an approved case: the 变更 (or, for the last person covered, 停保) case's view."""
    return CollectionOp(shell, shell.backend.lifecycle.start_change, case_id, shell.user["username"], change,
                        effective_date=effective_date, changes=lambda view: Changes.to_cases([case_id, view.id]))


def start_termination(shell: Shell, case_id: int, reason: str, reasons: str, *, rule: str,
                      effective_date: str) -> CollectionOp[CaseView]:
    """提出停保 of an approved case: the 停保 case's view."""
    return CollectionOp(shell, shell.backend.lifecycle.start_termination, case_id, shell.user["username"], reason,
                        reasons, rule=rule, effective_date=effective_date,
                        changes=lambda view: Changes.to_cases([case_id, view.id]))


def update_household(shell: Shell, case_id: int, household: dict[str, Any], *, effective_date: str,
                     comment: str, expected_version: int) -> CollectionOp[CaseView]:
    """修改家庭情况 of a case: the case view after it."""
    return CollectionOp(shell, shell.backend.cases.update_household, case_id, shell.user["username"], household,
                        effective_date=effective_date, comment=comment, expected_version=expected_version,
                        changes=lambda view: Changes.to_cases([view.id]))
