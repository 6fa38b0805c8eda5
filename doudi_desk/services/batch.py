"""Batch approval and return from the supervisor queue.

Each case goes through :meth:`CaseService.advance` in its own transaction, so one refused or stale
case is named and skipped while every other case of the batch is done. Progress is reported after
each case and the caller may stop between cases.

Exactly once: the decision, the case's new version and its audit event are one transaction, and
the case is written with ``UPDATE … WHERE version = <the version the supervisor saw>``. When two
supervisors approve overlapping batches at the same time (two PCs on one server), the second
writer of each shared case finds the version moved on and that case is reported as a conflict
("已由他人处理"), never decided twice. A kill in the middle (power cut, SIGKILL) leaves every case
either decided with its audit event or untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..domain.errors import DomainError, InputError
from ..storage.repo import StaleVersionError
from . import lookup
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

    def _check_scope(self, case_id: int, actor: str) -> None:
        with self.ctx.db.unit_of_work() as uow:
            lookup.check_scope(uow, lookup.actor(uow, actor), lookup.case_by_ref(uow, case_id))

    def _one(self, item: Mapping[str, Any], action: str, actor: str, reason: str) -> dict[str, Any]:
        self._check_scope(item["id"], actor)
        view = self.cases.show(item["id"], actor)
        seen = item.get("version")
        if seen is not None and view["version"] != seen:
            # Decided or changed by someone else since the supervisor looked: never act unseen.
            raise StaleVersionError(current=view["version"], expected=seen)
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
            ``{"done": [{"id", "number", "state_label"}], "failed": [{"id", "number", "message",
            "conflict"}], "conflicts": int, "stopped": bool}``; ``conflict`` is True when another
            user changed or decided the case first.
        """
        if action not in ("approve", "return"):
            raise InputError(f"action: 只能是 approve 或 return，不能是 {action}", "action")
        if action == "return" and not (isinstance(reason, str) and reason.strip()):
            raise InputError("退回须写明理由", "comment")
        for item in items:
            if not isinstance(item, Mapping) or isinstance(item.get("id"), bool) \
                    or not isinstance(item.get("id"), int | str):
                raise InputError(f"items: 每一项须为含案件编号 id 的对象，现为 {item!r}"[:200], "items")
            if item.get("version") is not None and (isinstance(item["version"], bool)
                                                    or not isinstance(item["version"], int)):
                raise InputError(f"items: 案件 {item['id']} 的版本号须为整数"[:200], "items")
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
            except StaleVersionError as exc:
                failed.append({"id": item["id"], "number": number, "conflict": True,
                               "message": f"已由他人处理：{exc}"})
            except DomainError as exc:
                conflict = getattr(exc, "kind", None) == "conflict"  # a deadlock the server broke
                failed.append({"id": item["id"], "number": number, "message": str(exc), "conflict": conflict})
            except Exception as exc:  # a bug on one case must not undo the others; it is logged
                log.exception("batch %s failed on case %s", action, number)
                failed.append({"id": item["id"], "number": number, "conflict": False,
                               "message": f"程序错误：{exc!r}（详见日志）"})
            if progress:
                progress(i + 1, len(items), number)
        return {"done": done, "failed": failed, "conflicts": sum(1 for f in failed if f["conflict"]),
                "stopped": stopped}
