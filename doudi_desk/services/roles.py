"""What the loaded workflows say about states: which play a role, how a final state ends a case.

Services ask these questions instead of naming states, so an office that renames a state in its
workflow YAML (with its role or outcome) breaks nothing. Filters for storage come as
``{workflow_id: [state names]}``, the names a stored case may still carry included: an older name
the workflow's ``state_map`` renames counts as the new state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..domain.model import Case
from ..domain.specs import WorkflowSpec

WorkflowStates = dict[str, list[str]]


def _specs(engines: Mapping[str, Any]) -> Iterable[WorkflowSpec]:
    return (e.spec for e in engines.values())


def _with_aliases(spec: WorkflowSpec, names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return sorted(wanted | {old for old, new in spec.state_map.items() if new in wanted})


def current_state(spec: WorkflowSpec | None, state: str) -> str:
    """A stored state as the definition now names it (state_map renames an older name)."""
    if spec is not None and state in spec.state_map and not any(s.name == state for s in spec.states):
        return spec.state_map[state]
    return state


def spec_of(engines: Mapping[str, Any], workflow_id: str) -> WorkflowSpec | None:
    engine = engines.get(workflow_id)
    return engine.spec if engine else None


def outcome(engines: Mapping[str, Any], workflow_id: str, state: str) -> str | None:
    """How a case in ``state`` of its workflow ended (approved, refused …), None while open."""
    spec = spec_of(engines, workflow_id)
    return spec.outcome_of(current_state(spec, state)) if spec else None


def case_outcome(engines: Mapping[str, Any], case: Case) -> str | None:
    return outcome(engines, case.workflow_id, case.state)


def plays(engines: Mapping[str, Any], workflow_id: str, state: str, role: str) -> bool:
    """Whether ``state`` plays ``role`` (domain/specs.py STATE_ROLES) in its workflow."""
    spec = spec_of(engines, workflow_id)
    return bool(spec) and spec.has_role(current_state(spec, state), role)


def ending(engines: Mapping[str, Any], *outcomes: str, kind: str | None = None,
           programmes: Iterable[str] | None = None) -> WorkflowStates:
    """The final states with one of ``outcomes``, per workflow (of one kind, of some programmes)."""
    wanted = set(programmes) if programmes is not None else None
    out: WorkflowStates = {}
    for spec in _specs(engines):
        if (kind is not None and spec.kind != kind) or (wanted is not None and spec.programme not in wanted):
            continue
        names = spec.states_ending(*outcomes)
        if names:
            out[spec.id] = _with_aliases(spec, names)
    return out


def with_role(engines: Mapping[str, Any], role: str) -> WorkflowStates:
    """The states playing ``role``, per workflow."""
    out: WorkflowStates = {}
    for spec in _specs(engines):
        names = spec.states_with(role)
        if names:
            out[spec.id] = _with_aliases(spec, names)
    return out


def intersect(a: WorkflowStates | None, b: WorkflowStates | None) -> WorkflowStates | None:
    """Both filters at once (None: no filter)."""
    if a is None:
        return b
    if b is None:
        return a
    return {w: sorted(set(a[w]) & set(b[w])) for w in a.keys() & b.keys() if set(a[w]) & set(b[w])}
