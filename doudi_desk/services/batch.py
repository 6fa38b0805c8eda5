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
from ..domain.specs import WorkflowSpec
from ..storage.repo import StaleVersionError
from . import lookup
from .cases import CaseService
from .context import AppContext
from .queries import BATCH_RETURN, batch_transition

log = logging.getLogger(__name__)

# What a batch writes into a step's own form when the stored form does not hold it yet. 初审意见
# follows the computation: a household computed as not eligible is never posted as 拟同意 unseen.
OPINION_APPROVE = {"opinion": "approve", "category": "new", "comment": "经调查核实，拟同意"}
DECISION_COMMENT = "同意"


class BatchService:
    """Approve or return many cases, one transaction each."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.cases = CaseService(ctx)

    def _check_scope(self, case_id: int, actor: str) -> None:
        with self.ctx.db.unit_of_work() as uow:
            lookup.check_scope(uow, lookup.actor(uow, actor), lookup.case_by_ref(uow, case_id))

    def _defaults(self, form_id: str, decision: bool, view: Mapping[str, Any], have: Mapping[str, Any]
                  ) -> dict[str, Any]:
        """The values a batch may supply for one form of the step (what the supervisor agrees to)."""
        if form_id == "preliminary_opinion":
            if not have.get("opinion") and (view.get("proposal") or {}).get("eligible") is False:
                raise DomainError("测算结果为不符合保障条件，不能批量发布「拟同意」的初审公示："
                                  "请在案件页填写初审意见")
            return dict(OPINION_APPROVE)
        spec = self.ctx.definitions.forms.get(form_id)
        if decision and spec is not None and spec.field("comment") is not None:
            return {"comment": DECISION_COMMENT}  # the amount is the computed one (CaseService.advance)
        return {}

    def _data_for(self, spec: WorkflowSpec, state: str, trigger: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """Form data for ``trigger``: the decision form(s) the workflow names on that transition
        (审核确认, 特困人员审核确认, 临时救助审批 …), then the step's own forms (初审意见)."""
        transition = spec.transition(state, trigger)
        decision_forms = transition.forms if transition else ()
        data = {}
        for form_id in dict.fromkeys(decision_forms + spec.state(state).forms):
            have = view["forms"].get(form_id) or {}
            missing = {k: v for k, v in self._defaults(form_id, form_id in decision_forms, view, have).items()
                       if not have.get(k)}
            if missing:
                data[form_id] = missing
        return data

    def _one(self, item: Mapping[str, Any], action: str, actor: str, reason: str) -> dict[str, Any]:
        self._check_scope(item["id"], actor)
        view = self.cases.show(item["id"], actor)
        seen = item.get("version")
        if seen is not None and view["version"] != seen:
            # Decided or changed by someone else since the supervisor looked: never act unseen.
            raise StaleVersionError(current=view["version"], expected=seen)
        state = view["state"]
        engine = self.ctx.engines.get(view["workflow"]["id"])
        options = {t["trigger"] for t in view["available_triggers"]}
        if action == "approve":
            t = batch_transition(engine.spec, state) if engine else None  # the role guard judges the user
            if t is None or t.trigger not in options:
                raise DomainError(f"案件处于「{view['state_label']}」，不能批量批准，请在案件页办理")
            return self.cases.advance(item["id"], t.trigger, actor, data=self._data_for(engine.spec, state, t.trigger, view),
                                      comment=reason, expected_version=item.get("version"))
        if BATCH_RETURN not in options:
            raise DomainError(f"案件处于「{view['state_label']}」，不能退回")
        return self.cases.advance(item["id"], BATCH_RETURN, actor, comment=reason, expected_version=item.get("version"))

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
            items: ``{"id", "number", "version"}`` (and optionally ``"head"``) of each case as the
                supervisor saw it; a case changed since then fails as stale instead of being
                decided unseen.
            progress: called after each case with (done so far, total, case number).
            should_stop: asked before each case; True ends the batch there.

        Returns:
            ``{"done": [{"id", "number", "head", "state_label"}], "failed": [{"id", "number", "head",
            "message", "conflict"}], "conflicts": int, "stopped": bool}``; ``conflict`` is True when
            another user changed or decided the case first. The outcome of every case is logged.
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
            head = item.get("head") or ""
            try:
                view = self._one(item, action, actor, reason)
                done.append({"id": view["id"], "number": view["number"], "head": view["household"]["head"],
                             "state_label": view["state_label"]})
            except StaleVersionError as exc:
                failed.append({"id": item["id"], "number": number, "head": head, "conflict": True,
                               "message": f"已由他人处理：{exc}"})
            except DomainError as exc:
                conflict = getattr(exc, "kind", None) == "conflict"  # a deadlock the server broke
                failed.append({"id": item["id"], "number": number, "head": head, "message": str(exc),
                               "conflict": conflict})
            except Exception as exc:  # a bug on one case must not undo the others; it is logged
                log.exception("batch %s failed on case %s", action, number)
                failed.append({"id": item["id"], "number": number, "head": head, "conflict": False,
                               "message": f"程序错误：{exc!r}（详见日志）"})
            if progress:
                progress(i + 1, len(items), number)
        _log_result(action, actor, len(items), done, failed, stopped)
        return {"done": done, "failed": failed, "conflicts": sum(1 for f in failed if f["conflict"]),
                "stopped": stopped}


def _log_result(action: str, actor: str, asked: int, done: list[dict[str, Any]], failed: list[dict[str, Any]],
                stopped: bool) -> None:
    """What an IT helper asked about a batch needs: who, how many, which were done, each refusal."""
    log.info("batch %s by %s: %d of %d done%s%s", action, actor, len(done), asked,
             f", {len(failed)} refused" if failed else "", ", stopped by the user" if stopped else "")
    if done:
        log.info("batch %s by %s done: %s", action, actor, ", ".join(d["number"] for d in done))
    for f in failed:
        log.info("batch %s by %s refused %s: %s", action, actor, f["number"], f["message"])
