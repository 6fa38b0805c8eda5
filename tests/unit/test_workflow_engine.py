"""The workflow engine (workflow/engine.py) on the program's own workflows, with guards that count."""

from __future__ import annotations

import pytest

from doudi_desk.workflow.engine import RefusedError, WorkflowEngine


def _counting(names, failing=()):
    calls = {name: 0 for name in names}

    def make(name):
        def check(_ctx):
            calls[name] += 1
            return "不满足（测试）" if name in failing else None
        return check

    return calls, {name: make(name) for name in names}


def test_an_action_runs_each_guard_once_and_fires_from_any_state_in_turn(office):
    """fire checks every guard once, names the failing ones, and the machine fires on the same
    verdicts; its one token serves one state after another (approve from two different states of
    the same machine, then a refusal, then a success again)."""
    spec = office.engines["dibao"].spec
    names = sorted({"role_allowed"} | {c for t in spec.transitions for c in t.conditions})
    calls, guards = _counting(names)
    engine = WorkflowEngine(spec, guards)
    steps = list({t.source[0]: t for t in spec.transitions if t.conditions}.values())[:3]  # 3 states
    assert len(steps) == 3 and len({t.source[0] for t in steps}) == 3
    for t in steps:
        before = dict(calls)
        assert engine.fire(t.source[0], t.trigger, ctx=object()) == t.dest
        ran = {n: calls[n] - before[n] for n in names if calls[n] != before[n]}
        assert ran == dict.fromkeys(("role_allowed", *t.conditions), 1), (t.trigger, ran)

    t = steps[0]
    calls, guards = _counting(names, failing={t.conditions[0]})
    engine = WorkflowEngine(spec, guards)
    with pytest.raises(RefusedError) as refused:
        engine.fire(t.source[0], t.trigger, ctx=object())
    assert len(refused.value.reasons) == 1 and calls[t.conditions[0]] == 1
    ok = steps[1]
    if t.conditions[0] not in ok.conditions:
        assert engine.fire(ok.source[0], ok.trigger, ctx=object()) == ok.dest
