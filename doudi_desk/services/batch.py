"""Batch approval and return from the supervisor queue.

Each case goes through :meth:`CaseService.advance` in its own transaction, so one refused or stale
case is named and skipped while every other case of the batch is done. Progress is reported after
each case and the caller may stop between cases.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..domain.errors import DomainError, InputError
from .cases import CaseService
from .context import AppContext
from .queries import APPROVE_TRIGGERS, RETURN_TRIGGERS

log = logging.getLogger(__name__)

# Form data a batch approval sends when the case's stored form does not hold them yet.
DEFAULT_FORMS: dict[str, dict[str, Any]] = {
    "post_notice": {"preliminary_opinion": {"opinion": "approve", "category": "new", "comment": "经调查核实，拟同意"}},
    "approve": {"approval": {"comment": "同意"}},
}


def _data_for(trigger: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    data = {}
    for form_id, defaults in DEFAULT_FORMS.get(trigger, {}).items():
        have = stored.get(form_id) or {}
        missing = {k: v for k, v in defaults.items() if not have.get(k)}
        if missing:
            data[form_id] = missing
    return data


class BatchService:
    """Approve or return many cases, one transaction each."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.cases = CaseService(ctx)

    def _one(self, item: Mapping[str, Any], action: str, actor: str, reason: str) -> dict[str, Any]:
        view = self.cases.show(item["id"], actor)
        state = view["state"]
        options = {t["trigger"]: t for t in view["available_triggers"]}
        if action == "approve":
            trigger = next((t for t in APPROVE_TRIGGERS.get(state, ()) if t in options), None)
            if trigger is None:
                raise DomainError(f"案件处于「{view['state_label']}」，不在审批环节")
            return self.cases.advance(item["id"], trigger, actor, data=_data_for(trigger, view["forms"]),
                                      comment=reason, expected_version=item.get("version"))
        trigger = RETURN_TRIGGERS.get(state)
        if trigger is None or trigger not in options:
            raise DomainError(f"案件处于「{view['state_label']}」，不能退回")
        return self.cases.advance(item["id"], trigger, actor, comment=reason, expected_version=item.get("version"))

    def run(
        self,
        items: Sequence[Mapping[str, Any]],
        action: str,
        actor: str,
        *,
        reason: str = "",
        progress: Callable[[int, int, str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> dict[str, Any]:
        """Approve (``action="approve"``) or return (``"return"``, ``reason`` required) each item.

        Args:
            items: ``{"id", "number", "version"}`` of each case as the supervisor saw it; a case
                changed since then fails as stale instead of being decided unseen.
            progress: called after each case with (done so far, total, case number).
            should_stop: asked before each case; True ends the batch there.

        Returns:
            ``{"done": [{"id", "number", "state_label"}], "failed": [{"id", "number", "message"}],
            "stopped": bool}``
        """
        if action not in ("approve", "return"):
            raise InputError(f"action: 只能是 approve 或 return，不能是 {action}", "action")
        if action == "return" and not reason.strip():
            raise InputError("退回须写明理由", "comment")
        done: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        stopped = False
        for i, item in enumerate(items):
            if should_stop and should_stop():
                stopped = True
                break
            number = item.get("number") or str(item["id"])
            try:
                view = self._one(item, action, actor, reason)
                done.append({"id": view["id"], "number": view["number"], "state_label": view["state_label"]})
            except DomainError as exc:
                failed.append({"id": item["id"], "number": number, "message": str(exc)})
            except Exception as exc:  # a bug on one case must not undo the others; it is logged
                log.exception("batch %s failed on case %s", action, number)
                failed.append({"id": item["id"], "number": number, "message": f"程序错误：{exc!r}（详见日志）"})
            if progress:
                progress(i + 1, len(items), number)
        return {"done": done, "failed": failed, "stopped": stopped}
