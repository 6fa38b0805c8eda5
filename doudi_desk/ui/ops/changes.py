"""What a command changed, so every open page can decide for itself whether to read again.

After Anki's ``OpChanges``: a command op (ui/ops/op.py) returns one, the main window broadcasts it
with ``operation_did_execute(changes, initiator)``, and each page's ``on_changes`` looks at the
kinds it shows. No page reaches into another to refresh it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class Changes:
    """Which cases and which kinds of list a command changed.

    Attributes:
        case_ids: the cases written, and the cases whose page shows them (a 复核's parent case).
        cases: case rows — states, the case list and its counts, 动态管理's lists, statistics.
        queue: the 审批队列 (cases waiting for a decision).
        payroll: payrolls, their lines, bank files, payment accounts, price indices.
        accounts: user accounts and passwords.
        policy: the office's set-up — areas, policy parameter sets, calendar, office details.
        campaigns: 大排查 campaigns and their problems.
    """

    case_ids: frozenset[int] = field(default_factory=frozenset)
    cases: bool = False
    queue: bool = False
    payroll: bool = False
    accounts: bool = False
    policy: bool = False
    campaigns: bool = False

    def __post_init__(self) -> None:
        ids = frozenset(int(i) for i in self.case_ids)  # a list or a generator is accepted; kept frozen
        object.__setattr__(self, "case_ids", ids)
        if ids and not self.cases:
            object.__setattr__(self, "cases", True)  # a written case is always a changed case list

    @classmethod
    def to_cases(cls, case_ids: Iterable[int], **kinds: bool) -> Changes:
        """Cases were written: their lists and the queue change with them."""
        return cls(case_ids=frozenset(case_ids), cases=True, queue=True, **kinds)

    @classmethod
    def everything(cls) -> Changes:
        """Anything may have changed (刷新, an import): every page reads again."""
        return cls(**{f.name: True for f in fields(cls) if f.name != "case_ids"})

    @property
    def kinds(self) -> frozenset[str]:
        """The names of the kinds of list changed, e.g. ``{"cases", "queue"}``."""
        return frozenset(f.name for f in fields(self) if f.name != "case_ids" and getattr(self, f.name))

    def touches(self, case_ids: Iterable[int]) -> bool:
        """Whether any of ``case_ids`` (a page's case and the cases it shows) was written."""
        return not self.case_ids.isdisjoint(case_ids)

    def __or__(self, other: Changes) -> Changes:
        if not isinstance(other, Changes):
            return NotImplemented
        merged = {name: True for name in self.kinds | other.kinds}
        return replace(Changes(case_ids=self.case_ids | other.case_ids), **merged)

    def __bool__(self) -> bool:
        return bool(self.kinds)
