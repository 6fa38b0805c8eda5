"""Case actions outside the case page: a new application, a 复核 started from 复核到期, a batch
decision in the 审批队列, an import's follow-up actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .changes import Changes
from .op import CollectionOp, Shell


def create_case(shell: Shell, data: dict[str, Any], programme: str, **options: Any) -> CollectionOp[dict]:
    """登记申请: the new case's view (``options``: applied_on, allow_duplicate, comment, repeat_reason)."""
    return CollectionOp(shell, shell.backend.cases.create_case, data, programme, shell.user["username"],
                        changes=lambda view: Changes.to_cases([view["id"]]), **options)


def start_review(shell: Shell, case_id: int, effective_date: str, comment: str) -> CollectionOp[dict]:
    """发起复核 of an approved case: the review case's view; the parent case changes with it."""
    return CollectionOp(shell, shell.backend.lifecycle.start_review, case_id, shell.user["username"],
                        effective_date=effective_date, comment=comment,
                        changes=lambda review: Changes.to_cases([case_id, review["id"]]))


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
