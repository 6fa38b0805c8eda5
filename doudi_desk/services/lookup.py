"""Small lookups every service needs inside a unit of work: users, cases by id or number, areas."""

from __future__ import annotations

from ..domain.errors import DomainError, NotFound
from ..domain.model import Case, User
from ..domain.text import shown, text_problem
from ..storage.repo import NotFoundError


def actor(uow, username: str) -> User:
    """The active user acting now, or a Chinese refusal."""
    user = uow.users.get(username) if isinstance(username, str) and not text_problem(username, max_len=64) else None
    if user is None:
        raise NotFound(f"没有用户「{shown(username)}」", "as")
    if not user.active:
        raise DomainError(f"用户「{username}」已停用，不能办理案件")
    return user


def case_by_ref(uow, ref: str | int) -> Case:
    """A case by its id or its number (e.g. 2026-DB-000004)."""
    text = str(ref).strip()
    case = None
    if text_problem(text, max_len=64):
        raise DomainError(f"没有案件「{shown(text)}」")
    if text.isascii() and text.isdigit() and len(text) <= 12:
        try:
            case = uow.cases.get(int(text))
        except NotFoundError:
            case = None
    if case is None:
        case = uow.cases.get_by_number(text)
    if case is None:
        raise DomainError(f"没有案件「{shown(text)}」")
    return case


def state_label(engines, workflow_id: str, state: str) -> str:
    """A state's Chinese label from its workflow (the raw name when the workflow or state is unknown)."""
    engine = engines.get(workflow_id)
    try:
        return engine.spec.state(state).label if engine else state
    except KeyError:
        return state


def area_chain(uow, code: str | None) -> list[str]:
    """The area and its parents, most specific first: village, township, county."""
    chain: list[str] = []
    while code:
        area = uow.areas.get(code)
        if area is None:
            break
        chain.append(area.code)
        code = area.parent_code
    return chain


def in_scope(uow, user: User, village_code: str | None) -> bool:
    """Whether a village lies in the area the user works in.

    A user without an area (a county-wide role, the command line's set-up users) works everywhere.
    """
    return not user.area_code or user.area_code in area_chain(uow, village_code)


def check_scope(uow, user: User, case: Case) -> None:
    """Refuse a case outside the area the user works in (another township's families)."""
    if not in_scope(uow, user, case.village_code):
        raise DomainError(f"案件 {case.number} 不在用户 {user.full_name} 的辖区内")


def check_village_scope(uow, user: User, village_code: str) -> None:
    """Refuse a village outside the area the user works in."""
    if not in_scope(uow, user, village_code):
        area = uow.areas.get(village_code)
        raise DomainError(f"{area.name if area else village_code} 不在用户 {user.full_name} 的辖区内")


def case_for(uow, user: User | None, ref: str | int) -> Case:
    """A case by id or number, refused when it lies outside the user's area (no user: no check)."""
    case = case_by_ref(uow, ref)
    if user is not None:
        check_scope(uow, user, case)
    return case
