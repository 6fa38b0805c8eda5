"""Runs a :class:`~doudi_desk.domain.specs.WorkflowSpec` with the ``transitions`` library.

One ``Machine(model=None)`` serves every case of a definition; a case's state is set on the
machine's one small token for the duration of one operation (transitions FAQ), under a lock.
Guards are looked up by name in a registry, evaluated once to name every failing condition, then
the machine fires with the same guards as its conditions, given the verdicts just found (each
guard runs once per action), so the two can never disagree silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from ..domain.errors import Refused
from ..domain.specs import TransitionSpec, WorkflowSpec

GuardLike = Callable[[Any], "str | None"]


class RefusedError(Refused):
    """An action that the workflow does not allow now; the message says why."""

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message, reasons or ())


@dataclass(frozen=True)
class TriggerOption:
    """One action the window or CLI can offer, and why it is disabled if it is."""

    trigger: str
    label: str
    dest: str
    allowed: bool
    reasons: tuple[str, ...]
    forms: tuple[str, ...]
    reason_required: bool


class _Token:
    """The model transitions moves; holds nothing but the state."""

    def __init__(self, state: str):
        self.state = state


class WorkflowEngine:
    """A workflow definition bound to a guard registry."""

    def __init__(self, spec: WorkflowSpec, guards: Mapping[str, GuardLike]):
        missing = sorted({c for t in spec.transitions for c in t.conditions} - set(guards))
        if missing:
            raise ValueError(f"{spec.source or spec.id}: 未知的条件 {', '.join(missing)}")
        self.spec = spec
        self.guards = guards
        self._lock = threading.Lock()  # set the token's state and fire: one critical section on the shared machine
        self.machine = Machine(
            model=None,
            states=[s.name for s in spec.states],
            initial=spec.initial,
            transitions=[self._machine_transition(t) for t in spec.transitions],
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        # One token attached once: attaching a model at every fire (add_model/remove_model) was
        # most of the library's cost per case. Each fire sets its state, under the lock.
        self._token = _Token(spec.initial)
        self.machine.add_model(self._token, initial=spec.initial)

    def _machine_transition(self, t: TransitionSpec) -> dict[str, Any]:
        names = ("role_allowed", *t.conditions) if "role_allowed" in self.guards else t.conditions
        conditions = [self._condition(name) for name in names]
        return {"trigger": t.trigger, "source": list(t.source), "dest": t.dest, "conditions": conditions}

    def _condition(self, name: str) -> Callable[[Any], bool]:
        guard = self.guards[name]

        def check(event: Any) -> bool:
            checked = event.kwargs.get("checked") or {}  # what :meth:`fire` found just before
            if name in checked:
                return checked[name]
            return guard(event.kwargs["ctx"]) is None

        check.__name__ = name
        return check

    # --- queries ---
    def transition(self, state: str, trigger: str) -> TransitionSpec:
        t = self.spec.transition(state, trigger)
        if t is None:
            label = self._state_label(state)
            options = "、".join(f"{x.trigger}（{x.label}）" for x in self.spec.transitions_from(state)) or "无"
            raise RefusedError(f"案件当前处于「{label}」，不能执行「{trigger}」。当前可办理：{options}")
        return t

    def _state_label(self, state: str) -> str:
        try:
            return self.spec.state(state).label
        except KeyError:
            return state

    def failing(self, t: TransitionSpec, ctx: Any, skip: tuple[str, ...] = (),
                checked: dict[str, bool] | None = None) -> list[str]:
        """Every failing guard of a transition, each as '条件「label」未满足：reason'; ``checked``
        receives each guard's verdict (True: met)."""
        reasons = []
        names = ("role_allowed", *t.conditions) if "role_allowed" in self.guards else t.conditions
        for name in names:
            if name in skip:
                continue
            reason = self.guards[name](ctx)
            if checked is not None:
                checked[name] = not reason
            if reason:
                label = getattr(self.guards[name], "label", name)
                reasons.append(f"条件「{label}」未满足：{reason}")
                if name == "role_allowed":
                    break  # the other conditions are not this user's business
        return reasons

    def options(self, state: str, ctx_for: Callable[[TransitionSpec], Any]) -> list[TriggerOption]:
        """The actions from a state, each with whether this context may fire it now.

        An action that brings its own forms is offered before they are filled: the form opens
        with the action, and completeness is checked when it is submitted.
        """
        out = []
        for t in self.spec.transitions_from(state):
            reasons = self.failing(t, ctx_for(t), skip=("forms_complete",) if t.forms else ())
            out.append(TriggerOption(t.trigger, t.label, t.dest, not reasons, tuple(reasons), t.forms, t.reason_required))
        return out

    # --- action ---
    def fire(self, state: str, trigger: str, ctx: Any) -> str:
        """Check and fire a trigger from a state; return the new state or raise RefusedError."""
        t = self.transition(state, trigger)
        checked: dict[str, bool] = {}
        reasons = self.failing(t, ctx, checked=checked)
        if reasons:
            raise RefusedError(f"不能办理「{t.label}」：" + "；".join(reasons), reasons)
        token = self._token
        with self._lock:
            self.machine.set_state(state, model=token)
            try:
                # the machine's conditions take the verdicts just found: each guard runs once
                fired = token.trigger(trigger, ctx=ctx, checked=checked)  # type: ignore[attr-defined]
            except MachineError as exc:  # pragma: no cover - the spec lookup above prevents it
                raise RefusedError(f"不能办理「{t.label}」：{exc.value}") from exc
            new_state = token.state
        if not fired:
            raise RefusedError(f"不能办理「{t.label}」：条件在办理时发生变化，请刷新后重试")
        return new_state
