"""What the services hand the window and the command line: frozen, typed views.

A view is a snapshot of one thing as a user sees it, built inside one unit of work and never
written back. The window reads attributes (``view.state_label``, ``trigger.allowed``); the command
line prints :func:`as_json` of it, which is exactly the JSON doudi-admin printed when the services
returned dicts (tests/integration/test_cli_json_compat.py holds that output).

Free-form record data (a case's forms, proposal, decision, benefit; an event's changes) stays the
plain mapping the workflow stores: its shape belongs to the workflow definitions, not to this module.

For scripts and older tests that read views by name, every view also answers ``view["state"]`` and
``view.get("state")`` (read only); code in doudi_desk reads attributes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class _ReadByName(Mapping):
    """Read-only access by field name, for code written against the dicts views replaced."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        if name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)  # type: ignore[attr-defined]

    # a dataclass's own __eq__ compares views with views; a view also equals the dict it replaced
    def __eq__(self, other: object) -> bool:
        if isinstance(other, _ReadByName):
            return type(self) is type(other) and as_json(self) == as_json(other)
        if isinstance(other, Mapping):
            return as_json(self) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # views hold mappings: not hashable

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Any:
        """The view holding ``values`` (exactly its fields, by name): what ``cls(**values)`` gives,
        without the generated ``__init__``, which sets each field of a frozen dataclass through
        ``object.__setattr__`` (8 µs for a list row of 29 fields: most of what a page of 100 rows
        costs in Python once its values are read)."""
        if values.keys() != _field_names(cls):
            raise TypeError(f"{cls.__name__}: fields {sorted(_field_names(cls) ^ set(values))} missing or unknown")
        view = object.__new__(cls)
        view.__dict__.update(values)
        return view


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def vars_of(view: Any) -> dict[str, Any]:
    """A view's fields, one level deep (to build a wider view from a narrower one)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


def as_json(view: Any) -> Any:
    """The view as plain JSON-ready data (dicts, lists, strings, numbers): what ``--json`` prints."""
    if dataclasses.is_dataclass(view) and not isinstance(view, type):
        return {f.name: as_json(getattr(view, f.name)) for f in dataclasses.fields(view)}
    if isinstance(view, Mapping):
        return {k: as_json(v) for k, v in view.items()}
    if isinstance(view, (list, tuple)):
        return [as_json(v) for v in view]
    return view


@dataclass(frozen=True, eq=False)
class TriggerView(_ReadByName):
    """One action the user could take on a case now, and why not if it is not allowed."""

    trigger: str
    label: str
    to: str
    to_label: str
    allowed: bool
    reasons: list[str]
    forms: list[str]
    reason_required: bool


@dataclass(frozen=True, eq=False)
class HistoryEntry(_ReadByName):
    """One line of a case's 办理记录 (an audit event of the case, in words)."""

    seq: int
    recorded_at: str
    effective_date: str
    actor: str
    actor_name: str
    trigger: str
    action: str
    from_state: str | None
    from_label: str | None
    to_state: str
    to_label: str
    comment: str
    changes: Mapping[str, Any] | None


@dataclass(frozen=True, eq=False)
class RelatedCase(_ReadByName):
    """A case opened from this one (its 复核, 变更, 停保)."""

    id: int
    number: str
    kind: str
    kind_label: str
    workflow_id: str
    state: str
    state_label: str
    closed: bool


@dataclass(frozen=True, eq=False)
class WorkflowRef(_ReadByName):
    id: str
    version: int
    title: str


@dataclass(frozen=True, eq=False)
class HouseholdSummary(_ReadByName):
    id: int
    head: str
    members: int
    members_counted: int
    address: str


@dataclass(frozen=True, eq=False)
class Deadlines(_ReadByName):
    """The case's time limits: the current step's and the whole procedure's, with days left."""

    state: str | None
    state_working_days_left: int | None
    state_calendar_days_left: int | None
    total: str | None
    total_working_days_left: int | None
    calendar_covers_year: bool


@dataclass(frozen=True, eq=False)
class CaseView(_ReadByName):
    """One case as its page shows it (CaseService.show and every action that changes a case)."""

    id: int
    number: str
    programme: str
    programme_label: str
    workflow: WorkflowRef
    state: str
    state_label: str
    closed: bool
    version: int
    village: str
    village_name: str
    household: HouseholdSummary
    applied_on: str
    accepted_on: str | None
    county_delegated: bool
    staff_relative: bool
    deadline: Deadlines
    available_triggers: list[TriggerView]
    pending_completion: list[str]
    proposal: Mapping[str, Any] | None
    proposal_failed_labels: list[str]
    proposal_flag_labels: list[str]
    decision: Mapping[str, Any] | None
    decision_label: str | None
    decided_by_name: str | None
    kind: str
    kind_label: str
    parent_case: str | None
    parent_case_id: int | None
    benefit: Mapping[str, Any] | None
    next_review_on: str | None
    related_cases: list[RelatedCase]
    forms: Mapping[str, Any]
    history: list[HistoryEntry]

    def trigger(self, name: str) -> TriggerView | None:
        """The offered action called ``name``, if the user is offered it."""
        return next((t for t in self.available_triggers if t.trigger == name), None)


def trigger_view(spec, opt) -> TriggerView:
    """An offered action (a workflow engine option, on ``spec``) as the window and ``--json`` see it."""
    return TriggerView(trigger=opt.trigger, label=opt.label, to=opt.dest, to_label=spec.state(opt.dest).label,
                       allowed=opt.allowed, reasons=list(opt.reasons), forms=list(opt.forms),
                       reason_required=opt.reason_required)


@dataclass(frozen=True, eq=False)
class CaseRow(_ReadByName):
    """One line of a case list (案件列表, search results, exports): the listed columns only."""

    id: int
    number: str
    programme: str
    workflow_id: str
    state: str
    version: int
    closed: bool
    village: str
    village_name: str
    head: str
    head_id_number: str  # masked unless the user's role needs it (domain/privacy.py)
    members: int
    applied_on: str | None
    state_deadline: str | None
    total_deadline: str | None
    county_delegated: bool
    staff_relative: bool
    programme_label: str
    matched: str  # why the case matched a search (李秀兰（姓名拼音首字母）), else ""
    state_label: str
    deadline: str | None
    days_left: int | None
    overdue: bool


@dataclass(frozen=True, eq=False)
class QueueRow(CaseRow):
    """A line of the supervisor's queue: a case row with what a decision is taken on (the proposal's
    amount, an objection), its flags and the batch action it takes."""

    objection: bool
    eligible: bool | None
    decided_amount: str | None
    result: str | None
    proposed_amount: str | None
    one_off: bool  # 临时救助: the amount is paid once
    flags: list[str]
    approve_label: str
    can_return: bool
    batchable: bool


@dataclass(frozen=True, eq=False)
class BenefitRow(_ReadByName):
    """A line of 在保名单: an approved 低保 / 特困 benefit with its status today."""

    case: str
    id: int
    programme: str
    head: str
    village: str
    status: str
    status_label: str
    monthly_amount: str | None
    phase_out_until: str | None
    stopped_from: str | None
    next_review_on: str | None
    village_name: str
    programme_label: str
    since_month: str | None
    covered_count: int  # an imported benefit may know how many are covered but not who (保障对象待确认)
    pending_labels: list[str]
    open_case: str | None
    open_case_kind: str | None
