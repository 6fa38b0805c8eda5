"""Frozen specifications of workflows and forms, built by ``doudi_desk.definitions`` from YAML.

These are plain data: the loader validates YAML into them, the workflow engine builds a
``transitions`` machine from a :class:`WorkflowSpec`, the services and the window read labels,
forms, roles and time limits from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES: dict[str, str] = {
    "caseworker": "经办人",
    "township_reviewer": "乡镇审核人",
    "county_approver": "县级审批人",
    "admin": "系统管理员",
}

WORKFLOW_KINDS: dict[str, str] = {
    "application": "申请审批",
    "review": "复核",
    "change": "变更",
    "termination": "停保（终止）",
    "import": "历史导入",
}

# What a state means to the services, declared in the workflow YAML (``roles`` of a state). Services
# ask for a role, never for a state's name, so an office may rename a state (with its role).
STATE_ROLES: dict[str, str] = {
    "household_editable": "可修改家庭情况（受理前或调查中）",
    "computes_proposal": "进入本环节时按家庭情况和政策参数测算",
    "posting": "初审公示（公示期、公示名单、“公示中”列表）",
    "awaiting_decision": "待审批（案件列表“待审批”）",
}
# How a final state ends the case (``outcome`` of a final state), by the kind of workflow.
OUTCOMES: dict[str, str] = {
    "approved": "确认（给予保障或救助）",
    "refused": "不予确认",
    "not_accepted": "不予受理",
    "withdrawn": "申请人撤回",
    "decided": "已决定（结果写入原保障）",
    "terminated": "已停保",
    "cancelled": "撤销（原保障不变）",
}
KIND_OUTCOMES: dict[str, tuple[str, ...]] = {
    "application": ("approved", "refused", "not_accepted", "withdrawn"),
    "review": ("decided", "cancelled"),
    "change": ("decided", "cancelled"),
    "termination": ("terminated", "cancelled"),
    "import": ("approved",),
}
# The kinds of case that carry a benefit record (an application approved, a benefit brought in from a
# roster); 复核, 变更 and 停保 change theirs.
BENEFIT_KINDS = ("application", "import")
# The outcome a workflow of each kind must be able to reach: the one the services act on.
KIND_MAIN_OUTCOME: dict[str, str] = {"application": "approved", "review": "decided", "change": "decided",
                                     "termination": "terminated", "import": "approved"}
# Outcomes that end a case without a decision on its merits: no total deadline left to meet.
ABANDONED = ("not_accepted", "withdrawn")

FIELD_TYPES = (
    "text",  # one line of text
    "textarea",  # several lines
    "id_number",  # GB 11643 resident ID number
    "money",  # non-negative decimal yuan, given as a string
    "int",  # whole number
    "date",  # YYYY-MM-DD
    "bool",  # yes / no
    "choice",  # one of `choices`
    "multichoice",  # a list of `choices`
    "person_list",  # list of {name, username?, role?}
    "members_table",  # list of household members (shape of the household JSON)
    "signature_block",  # signature lines printed on paper; never required as data
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    required: bool = False
    min: float | None = None  # for int/money: value bounds; for lists: minimum number of items
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class SectionSpec:
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    sections: tuple[SectionSpec, ...]
    source: str = ""  # file the form came from, for messages

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: str
    forms: tuple[str, ...] = ()  # forms filled while the case is in this state
    time_limit_wd: int | None = None  # working days from entering the state
    time_limit_days: int | None = None  # calendar days (公示 periods)
    documents: tuple[str, ...] = ()  # print kinds offered at this step
    final: bool = False
    description: str = ""
    roles: tuple[str, ...] = ()  # STATE_ROLES
    outcome: str | None = None  # OUTCOMES, on final states

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    source: tuple[str, ...]
    dest: str
    label: str
    roles: tuple[str, ...]
    conditions: tuple[str, ...] = ()  # guard names from the registry, all must pass
    forms: tuple[str, ...] = ()  # forms whose data come with this action
    reason_required: bool = False  # a written comment is mandatory (refusals, returns)


@dataclass(frozen=True)
class WorkflowSpec:
    id: str
    version: int
    title: str
    programme: str
    initial: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    total_limit_wd: int | None = None  # whole procedure, from acceptance
    extended_limit_wd: int | None = None
    delegated_limit_wd: int | None = None
    start_clock_state: str | None = None  # entering this state starts the total clock (受理)
    state_map: dict[str, str] = field(default_factory=dict)  # old state name -> new (migrations)
    source: str = ""
    kind: str = "application"  # application | review | change | termination (after approval)

    def state(self, name: str) -> StateSpec:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def states_with(self, role: str) -> tuple[str, ...]:
        """Names of the states that play ``role`` (STATE_ROLES)."""
        return tuple(s.name for s in self.states if role in s.roles)

    def has_role(self, state: str, role: str) -> bool:
        """Whether ``state`` plays ``role``; False for a state this definition does not know."""
        return any(s.name == state and role in s.roles for s in self.states)

    def outcome_of(self, state: str) -> str | None:
        """How ``state`` ends a case (OUTCOMES), None for a step on the way or an unknown state."""
        return next((s.outcome for s in self.states if s.name == state), None)

    def states_ending(self, *outcomes: str) -> tuple[str, ...]:
        """Names of the final states with one of these outcomes."""
        return tuple(s.name for s in self.states if s.outcome in outcomes)

    def transitions_from(self, state: str) -> tuple[TransitionSpec, ...]:
        return tuple(t for t in self.transitions if state in t.source)

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        for t in self.transitions:
            if t.trigger == trigger and state in t.source:
                return t
        return None
