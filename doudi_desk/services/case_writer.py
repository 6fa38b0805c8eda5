"""Every write of a case and its audit event, in one place.

A case is opened, saved or noted on only here, always with one audit event in the hash chain in
the caller's unit of work, so the change and its event are committed together or not at all:

* :meth:`CaseWriter.open` stores a household and a new case at its workflow's first state, with
  event 1 (``create``);
* :meth:`CaseWriter.save` saves a case changed since :func:`edit` took its snapshot (refused when
  someone else saved it since), with an event holding the field-by-field ``changes``;
* :meth:`CaseWriter.note` writes an event on a case that itself does not change (a 复核 begun on
  a benefit, a corrected bank account).

services/cases.py (applications and their steps), services/lifecycle.py (复核, 变更, 停保 and their
result on the benefit) and services/linkage.py (a benefit stopped because another one changed)
write through it; it imports none of them (import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from ..domain.calendar import WorkingCalendar
from ..domain.household import household_to_dict
from ..domain.model import AuditEvent, Case, Household, User
from ..domain.programmes import REGISTRY
from ..domain.specs import ABANDONED, WorkflowSpec
from .context import AppContext

KIND_CODES = {"application": "", "review": "FH", "change": "BG", "termination": "TB", "import": "DR"}  # 复核 变更 停保 导入


_BENEFIT_KEYS = ("status", "monthly_amount", "phase_out_until", "stopped_from")
_PROPOSAL_KEYS = ("eligible", "monthly_amount", "amount", "basis", "covered", "failed", "policy_set")


def _parts(case: Case) -> dict[str, dict[str, Any]]:
    """What an action can change, part by part: the prefix of a part's keys in :func:`snapshot`
    (a form's is ``forms.<form id>.``) -> its fields, each part a new dict (a form's fields a
    shallow copy, as shallow as the snapshot), so a part replaced or changed after this is seen."""
    benefit = case.benefit or {}
    parts = {
        "": {
            "state": case.state,
            "accepted_on": case.accepted_on,
            "state_deadline": case.state_deadline,
            "total_deadline": case.total_deadline,
            "closed": case.closed,
            "next_review_on": case.next_review_on,
        },
        "benefit.": {key: benefit[key] for key in _BENEFIT_KEYS if benefit.get(key) is not None},
    }
    for form_id, data in case.forms.items():
        parts[f"forms.{form_id}."] = dict(data)
    if case.proposal:
        parts["proposal."] = {key: case.proposal[key] for key in _PROPOSAL_KEYS if key in case.proposal}
    if case.decision:
        parts["decision."] = {key: value for key, value in case.decision.items() if key != "computation"}
    return parts


def snapshot(case: Case) -> dict[str, Any]:
    """A flat view of what an action can change, for the audit event's before/after."""
    return {prefix + key: value for prefix, fields in _parts(case).items() for key, value in fields.items()}


def flat(obj: Any, prefix: str = "") -> dict[str, Any]:
    """{"members": [{"name": ..}]} -> {"members[0].name": ..} for field-by-field audit changes."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, value in enumerate(obj):
            out.update(flat(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def _stored(value: Any) -> tuple[Any, str]:
    """``value`` as it reads back from an audit event's JSON column, and that column's text (the
    text json_dumps gives the value read back: one round trip, not two)."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return json.loads(text), text


def jsonable(value: Any) -> Any:
    return _stored(value)[0]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    return _changed({"": before}, {"": after})[0]


def _changed(before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
             ) -> tuple[dict[str, Any], str]:
    """The difference of two snapshots given as their :func:`_parts`, key by flat key in sorted
    order, and its JSON text (what an audit event's ``changes`` column holds). A part equal before
    and after is passed over in one comparison: an action changes few of a case's forms."""
    out = {}
    for prefix in before.keys() | after.keys():
        b, a = before.get(prefix, {}), after.get(prefix, {})
        if b == a:
            continue
        for key in b.keys() | a.keys():
            if b.get(key) != a.get(key):
                out[prefix + key] = {"before": b.get(key), "after": a.get(key)}
    return _stored(dict(sorted(out.items())))


@dataclasses.dataclass(frozen=True)
class Edit:
    """A case about to be changed: the version it was read at and its snapshot before the change
    (its :func:`_parts`).

    ``whole_benefit``: the event's changes also hold the benefit record as a whole (a benefit's
    result written by a 复核/变更/停保 or by a linked stop), beside its flat fields.
    """

    case: Case
    version: int
    before: dict[str, dict[str, Any]]
    whole_benefit: bool = False

    def changes(self, case: Case | None = None) -> tuple[dict[str, Any], str]:
        """The audit event's ``changes`` from the snapshot before to ``case`` (the case edited, as
        it is now, unless given), and their JSON text: :func:`diff` of the two snapshots."""
        case = self.case if case is None else case
        after = _parts(case)
        if self.whole_benefit:
            after[""]["benefit"] = case.benefit
        return _changed(self.before, after)


def edit(case: Case, *, whole_benefit: bool = False) -> Edit:
    """Take the snapshot of ``case`` before changing it (then change ``case`` and :meth:`CaseWriter.save`)."""
    before = _parts(case)
    if whole_benefit:
        before[""]["benefit"] = copy.deepcopy(case.benefit)
    return Edit(case, case.version, before, whole_benefit)


def set_deadlines(case: Case, spec: WorkflowSpec, calendar: WorkingCalendar, day: dt.date) -> None:
    """The case has entered its current state on ``day``: that step's deadline, the total deadline
    when the clock starts (受理), and closing when the state is final."""
    state = spec.state(case.state)
    case.state_entered_on = day
    if state.time_limit_wd is not None:
        case.state_deadline = calendar.add_working_days(day, state.time_limit_wd)
    elif state.time_limit_days is not None:
        case.state_deadline = day + dt.timedelta(days=state.time_limit_days)
    else:
        case.state_deadline = None
    if spec.start_clock_state == case.state and case.accepted_on is None:
        case.accepted_on = day
        limit = spec.delegated_limit_wd if case.county_delegated else spec.total_limit_wd
        if limit:
            case.total_deadline = calendar.add_working_days(day, limit)
    if state.final:
        case.state_deadline = None
        case.total_deadline = None if state.outcome in ABANDONED else case.total_deadline
        case.closed = True


class CaseWriter:
    """Writes cases and their audit events in the caller's unit of work. Holds no session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def open(self, uow, user: User, household: Household, spec: WorkflowSpec, day: dt.date, *,
             comment: str, parent: Case | None = None, forms: Mapping[str, Any] | None = None,
             total_deadline: dt.date | None = None) -> Case:
        """Store a household and a new case at its workflow's first state, with its first audit event."""
        household_id = uow.households.add(household)
        now = self.ctx.now()
        area = uow.areas.get(household.village_code)
        delegated = area.parent_code in (uow.settings.get("delegated_townships", []) or [])
        case = Case(
            id=None,
            number=uow.cases.next_number(REGISTRY[spec.programme].case_prefix + KIND_CODES[spec.kind], day.year),
            programme=spec.programme,
            workflow_id=spec.id,
            workflow_version=spec.version,
            state=spec.initial,
            household_id=household_id,
            village_code=household.village_code,
            created_by=user.username,
            created_at=now,
            applied_on=day,
            state_entered_on=day,
            county_delegated=delegated,
            staff_relative=any(m.staff_relative for m in household.members) or bool(parent and parent.staff_relative),
            last_effective_date=day,
            kind=spec.kind,
            parent_case_id=parent.id if parent else None,
            forms=dict(forms or {}),
        )
        set_deadlines(case, spec, self.ctx.calendar(uow), day)
        if total_deadline is not None:
            case.total_deadline = total_deadline
        case = uow.cases.add(case)
        uow.events.append(
            AuditEvent(
                case_id=case.id, seq=1, actor=user.username, trigger="create", from_state=None, to_state=case.state,
                recorded_at=now, effective_date=day, comment=comment, changes=diff({}, snapshot(case)),
                data={"household": jsonable(household_to_dict(household))}
                | ({"parent_case": parent.number} if parent else {}),
            )
        )
        return case

    def save(self, uow, change: Edit, user: User, trigger: str, day: dt.date, *, comment: str,
             from_state: str | None = None, changes: dict[str, Any] | None = None,
             data: dict[str, Any] | None = None) -> Case:
        """Save the case of ``change`` (refused if someone saved it since it was read) and append its
        audit event: ``changes`` as given, else the difference from the snapshot before."""
        case = change.case
        case.last_effective_date = day
        saved = uow.cases.save(case, expected_version=change.version)
        text = None
        if changes is None:
            changes, text = change.changes(saved)
        self._event(uow, saved, user, trigger, day, comment=comment, from_state=from_state or saved.state,
                    changes=changes, data=data, changes_text=text)
        return saved

    def note(self, uow, case: Case, user: User, day: dt.date, trigger: str, comment: str, *,
             changes: dict[str, Any] | None = None) -> None:
        """An audit event on ``case`` that leaves the case itself as it is."""
        self._event(uow, case, user, trigger, day, comment=comment, from_state=case.state, changes=changes)

    def _event(self, uow, case: Case, user: User, trigger: str, day: dt.date, *, comment: str, from_state: str,
               changes: dict[str, Any] | None = None, data: dict[str, Any] | None = None,
               changes_text: str | None = None) -> None:
        """Append the event; ``changes`` and ``data`` go in as :func:`jsonable` makes them (each
        serialised once, its text written as it is), ``changes_text`` being the text of changes
        that already are."""
        if changes_text is None:
            changes, changes_text = _stored(changes or {})
        data, data_text = _stored(data or {})
        uow.events.append_next(AuditEvent(
            case_id=case.id, seq=0, actor=user.username, trigger=trigger,  # seq: numbered by append_next
            from_state=from_state, to_state=case.state, recorded_at=self.ctx.now(), effective_date=day,
            comment=comment, changes=changes, data=data,
        ), texts=(changes_text, data_text))
