"""Batch approval and return from the supervisor queue.

Cases are decided in chunks: one transaction holds up to ``CHUNK_CASES`` cases or ``CHUNK_SECONDS``
of work (so the database's write lock is never held longer, and a commit's cost is shared), and
each case goes through :meth:`CaseService.advance_in` in its own ``uow.savepoint()``, so one refused
or stale case is named and undone alone while every other case of the batch is done. Progress is
reported after each commit, for the cases it made permanent, and the caller may stop between cases.

A chunk first reads what deciding its cases reads (:func:`_read_ahead`: the cases, their children,
households, areas and histories, and the chain head), a few queries for as many cases as the chunk
before decided (all of a chunk at first, at most ``READ_AHEAD``); ``advance_in`` stays the one
decision path, its repositories answering from what was read.
A chunk's writes are kept (storage/deferred.py): each case's UPDATE and its event's INSERT (linked
into the chain in memory) are sent with the other cases' as one executemany each, before the next
read-ahead and before the commit; the chain head's row is written once. A refused case's savepoint
then forgets what was kept for it, without a SAVEPOINT statement. If anything else reaches the
database while writes are kept (a case whose decision reads or writes more than was read ahead), or
a kept UPDATE finds its version moved on, the chunk is undone whole and decided again the ordinary
way: each case in a real savepoint, written at once.

On SQLite the chunks' commits leave their pages in the WAL file (``unit_of_work(bulk=True)``) and
the batch copies them into the database file once, at its end (storage/db.py: BULK_CHECKPOINT_PAGES).

Exactly once: the decision, the case's new version and its audit event are written together, and
the case is written with ``UPDATE … WHERE version = <the version the supervisor saw>``. When two
supervisors approve overlapping batches at the same time (two PCs on one server), the second
writer of each shared case finds the version moved on and that case is reported as a conflict
("已由他人处理"), never decided twice. A kill in the middle (power cut, SIGKILL) leaves every case
either decided with its audit event (its chunk committed) or untouched (its chunk rolled back).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..domain.errors import DomainError, InputError, StorageFault
from ..domain.model import Case, User
from ..domain.specs import WorkflowSpec
from ..gcpause import gc_paused
from ..storage.deferred import DeferredConflict
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
# A transaction of a batch decides at most this many cases, and starts no new case after this long.
# A chunk's own statements, its commit and its head row are shared by its cases: 200 cases (about
# 0.2 s of work on a county's server or PC) took a tenth less than 100; CHUNK_SECONDS still bounds
# how long the write lock is held on a slow PC.
CHUNK_CASES = 200
CHUNK_SECONDS = 0.5
# What deciding them reads is read for at most this many cases at a time (a few queries each time):
# a chunk's cases at once, as a slice's statements (and the kept writes sent before each) cost more
# than what they read. After a chunk ended by CHUNK_SECONDS (a slow or busy PC), as many as it decided,
# so that a chunk does not read a hundred cases to decide twenty.
READ_AHEAD = CHUNK_CASES


class BatchService:
    """Approve or return many cases, in chunks of one transaction with a savepoint per case."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.cases = CaseService(ctx)

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

    def _one(self, uow, user: User, item: Mapping[str, Any], action: str, reason: str) -> Case:
        """Decide one case inside the chunk's transaction (the caller wraps it in a savepoint)."""
        case = lookup.case_for(uow, user, item["id"])  # refused outside the user's area
        seen = item.get("version")
        if seen is not None and case.version != seen:
            # Decided or changed by someone else since the supervisor looked: never act unseen.
            raise StaleVersionError(current=case.version, expected=seen)
        engine = self.cases._engine(case)
        spec, state = engine.spec, case.state
        label = spec.state(state).label
        if action == "approve":
            t = batch_transition(spec, state)  # the role guard judges the user
            if t is None or case.closed:
                raise DomainError(f"案件处于「{label}」，不能批量批准，请在案件页办理")
            data = self._data_for(spec, state, t.trigger, {"forms": case.forms, "proposal": case.proposal})
            return self.cases.advance_in(uow, user, case, engine, t.trigger, data=data, comment=reason)
        if case.closed or not any(t.trigger == BATCH_RETURN for t in spec.transitions_from(state)):
            raise DomainError(f"案件处于「{label}」，不能退回")
        return self.cases.advance_in(uow, user, case, engine, BATCH_RETURN, comment=reason)

    def _try(self, uow, user: User, item: Mapping[str, Any], action: str, reason: str,
             failed: list[dict[str, Any]]) -> dict[str, Any] | None:
        """One case in its own savepoint: what the list of done cases shows, or None after naming
        the refusal in ``failed`` (its savepoint undone, the chunk's other cases kept)."""
        number = item.get("number") or str(item["id"])
        try:
            with uow.savepoint():
                case = self._one(uow, user, item, action, reason)
                head = uow.households.head_name(case.household_id)
            return {"id": case.id, "number": case.number, "head": head,
                    "state_label": self.cases._state_label(case)}
        except StaleVersionError as exc:
            failed.append(_failure(item, f"已由他人处理：{exc}", True))
        except DomainError as exc:
            failed.append(_failure(item, str(exc), _deadlock(exc)))
        except Exception as exc:  # a bug on one case must not undo the others; it is logged
            log.exception("batch %s failed on case %s", action, number)
            failed.append(_failure(item, f"程序错误：{exc!r}（详见日志）", False))
        return None

    # Bulk work, like an import (doudi_desk/gcpause.py): each chunk's read-ahead and decisions are many
    # small objects that live until its commit, and the cycle collector walked them and everything the
    # program holds again and again (a tenth of a county's batch); reference counting frees them.
    @gc_paused()
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
        i = 0
        deferring = True  # the next chunk's writes are kept and sent together (see the module's doc)
        pace = READ_AHEAD  # cases read ahead at a time: as many as the chunk before decided
        while i < len(items) and not stopped:
            decided: list[tuple[int, Mapping[str, Any], dict[str, Any] | None]] = []  # this chunk's
            first, refused = i, len(failed)
            again = False  # the chunk was undone whole, to be decided again case by case
            try:
                with self.ctx.db.unit_of_work(bulk=True) as uow:
                    user = lookup.actor(uow, actor)
                    uow.events.hold_head()  # one real transaction from here (SQLite: the write lock)
                    with uow.deferred.deferring() if deferring else contextlib.nullcontext():
                        started = time.monotonic()
                        ahead = i  # the items before this one have been read ahead
                        while i < len(items) and len(decided) < CHUNK_CASES \
                                and time.monotonic() - started < CHUNK_SECONDS:
                            if should_stop and should_stop():
                                stopped = True
                                break
                            if i >= ahead:  # a slice at a time
                                ahead = i + min(pace, CHUNK_CASES - len(decided))
                                _read_ahead(uow, items[i:ahead])
                            item = items[i]
                            i += 1
                            decided.append((i, item, self._try(uow, user, item, action, reason, failed)))
                            if uow.deferred.disturbed:
                                raise _Again
                        if deferring:
                            uow.deferred.write()
            except (_Again, DeferredConflict):
                again = True
            except DomainError as exc:  # the chunk could not be committed (database locked, full …)
                if deferring and _deadlock(exc):  # one case's deadlock must not fail the chunk's others
                    again = True
                else:
                    if not decided:
                        raise
                    conflict = _deadlock(exc)
                    for _n, item, entry in decided:
                        if entry is not None:
                            failed.append(_failure(item, str(exc), conflict))
                    decided = [(n, item, None) for n, item, _entry in decided]
            if again:
                # Undone whole: decide the same cases again one at a time, each in its own savepoint.
                log.info("batch %s: cases %d–%d decided again one at a time", action, first + 1, i)
                i, stopped, deferring = first, False, False
                del failed[refused:]
                continue
            deferring = True
            pace = min(READ_AHEAD, max(len(decided), 1))
            # committed: only now are these cases done (a kill before this line leaves them untouched)
            for n, item, entry in decided:
                if entry is not None:
                    done.append(entry)
                if progress:
                    progress(n, len(items), item.get("number") or str(item["id"]))
        self.ctx.db.checkpoint()  # the chunks' commits left their pages in SQLite's WAL (storage/db.py)
        _log_result(action, actor, len(items), done, failed, stopped)
        return {"done": done, "failed": failed, "conflicts": sum(1 for f in failed if f["conflict"]),
                "stopped": stopped}


def _read_ahead(uow, items: Sequence[Mapping[str, Any]]) -> None:
    """Read what deciding these cases reads, in a few queries for all of them: the cases,
    their households, the areas their scope is checked against, their histories (and so the last
    event of each) and the chain head. Each case is then decided by :meth:`CaseService.advance_in`
    as before, its repositories answering from what was read here. Read under the chain head's
    lock, so no other writer can add an event in between; a case changed all the same is refused
    by its version check when it is saved."""
    ids = {int(ref) for ref in (item["id"] for item in items)
           if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit()
                                       and len(ref.strip()) <= 12)}
    if uow.deferred.active:
        uow.deferred.write()  # what the cases before decided: these reads see it
    with uow.deferred.allowed():
        found = uow.cases.preload(ids)
        uow.households.preload(household for _id, household, _village in found)
        uow.areas.preload_chains(village for _id, _household, village in found)
        uow.events.preload(case_id for case_id, _household, _village in found)


class _Again(Exception):
    """A statement ran while a chunk's writes were kept: the chunk is undone and decided again."""


def _deadlock(exc: DomainError) -> bool:
    """The database broke a deadlock or a serialisation conflict: another run holds the case."""
    return isinstance(exc, StorageFault) and exc.kind == "conflict"


def _failure(item: Mapping[str, Any], message: str, conflict: bool) -> dict[str, Any]:
    return {"id": item["id"], "number": item.get("number") or str(item["id"]), "head": item.get("head") or "",
            "conflict": conflict, "message": message}


def _log_result(action: str, actor: str, asked: int, done: list[dict[str, Any]], failed: list[dict[str, Any]],
                stopped: bool) -> None:
    """What an IT helper asked about a batch needs: who, how many, which were done, each refusal."""
    log.info("batch %s by %s: %d of %d done%s%s", action, actor, len(done), asked,
             f", {len(failed)} refused" if failed else "", ", stopped by the user" if stopped else "")
    if done:
        log.info("batch %s by %s done: %s", action, actor, ", ".join(d["number"] for d in done))
    for f in failed:
        log.info("batch %s by %s refused %s: %s", action, actor, f["number"], f["message"])
