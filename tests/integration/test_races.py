"""Issue 11 item 12: "only one at a time" rules hold when two PCs act at the same moment.

Two programs (two AppContexts, each with its own engine and connections) on one database — a
SQLite file, and a PostgreSQL database when ``DOUDI_TEST_PG_URL`` is set — start the same thing
together: two ``case new`` for one family, two ``review start`` on one benefit, ``review start``
against ``terminate``. Exactly one wins; the other gets the Chinese refusal of the rule, never a
database error; and the database holds one open case.

The interleaving is forced, not left to timing: each program stops right after its check and
waits until the other has either passed its own check too, or asked for the rule's lock. Without a
lock both pass their checks and both insert (the bug); with it, the second waits for the lock and
then sees the first one's case. A 60-second wait is only a safety net against a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.case_writer import CaseWriter
from doudi_desk.services.cases import CaseService
from doudi_desk.services.context import open_context
from doudi_desk.services.lifecycle import LifecycleService
from doudi_desk.services.views import CaseView
from doudi_desk.storage import repo
from tests.helpers.arrange import DEFS, arrange, household, place
from tests.helpers.office import open_office
from tests.pg_support import PG_URL, fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def two_pcs(request, tmp_path):
    """``(ctx_a, ctx_b)``: two programs on one office database."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("DOUDI_TEST_PG_URL is not set (.ci/run sets it)")
        with fresh_database() as url:
            yield from _pair(url, url)
        return
    path = tmp_path / "office.sqlite3"
    yield from _pair(f"sqlite:///{path}", path)


def _pair(url, db_path):
    gen = open_office(url, db_path)
    first = next(gen)
    second = open_context(url)
    second.today, second.now, second.db_path = first.today, first.now, first.db_path
    yield first, second
    second.db.dispose()
    next(gen, None)


class Rendezvous:
    """Where each of two threads has got to: past its check, or asking for the lock."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.reached: dict[int, set[str]] = {}

    def mark(self, what: str) -> None:
        with self.cond:
            self.reached.setdefault(threading.get_ident(), set()).add(what)
            self.cond.notify_all()

    def wait_for_the_other(self) -> None:
        me = threading.get_ident()
        with self.cond:
            ok = self.cond.wait_for(lambda: any(t != me and marks for t, marks in self.reached.items()), timeout=60)
        assert ok, "the other program never got to its check or its lock"


def instrument(monkeypatch, check_owner, check_name: str, rv: Rendezvous) -> None:
    """Stop after ``check_owner.check_name`` until the other thread is past its check or at a lock."""
    original = getattr(check_owner, check_name)

    def checked(*args, **kwargs):
        result = original(*args, **kwargs)
        rv.mark("checked")
        rv.wait_for_the_other()
        return result

    monkeypatch.setattr(check_owner, check_name, checked)
    for owner, name in ((getattr(repo, "LockRepository", None), "hold"), (repo.CaseRepository, "lock")):
        lock = getattr(owner, name, None) if owner is not None else None
        if lock is None:
            continue  # before the fix there was no lock to wait for

        def locking(*args, _lock=lock, **kwargs):
            rv.mark("locking")
            return _lock(*args, **kwargs)

        monkeypatch.setattr(owner, name, locking)


def together(rv: Rendezvous, *jobs: Callable[[], object]) -> list[object]:
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc
        finally:
            rv.mark("done")

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def one_winner(results: list[object], refusal: str) -> None:
    won = [r for r in results if isinstance(r, CaseView)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1, f"{len(won)} programs won: {results}"
    assert isinstance(lost[0], DomainError) and refusal in lost[0].message, repr(lost[0])


def open_cases(ctx) -> list:
    with ctx.db.unit_of_work() as uow:
        return uow.cases.query(open_only=True)


def test_two_applications_for_one_family_at_once(two_pcs, monkeypatch):
    a, b = two_pcs
    rv = Rendezvous()
    instrument(monkeypatch, CaseService, "_check_duplicates", rv)
    family = household("dibao")
    results = together(rv, lambda: CaseService(a).create_case(family, "dibao", "clerk"),
                       lambda: CaseService(b).create_case(family, "dibao", "clerk2"))
    one_winner(results, "重复申请")
    assert len(open_cases(a)) == 1
    with a.db.unit_of_work() as uow:
        assert len(uow.cases.open_cases_with_id_number(family["members"][0]["id_number"])) == 1


def _benefit(ctx) -> int:
    """An approved 低保 case with a benefit and no open review."""
    cases = CaseService(ctx)
    life = LifecycleService(cases)
    spec = DEFS.workflows["dibao_review"]
    review = arrange(ctx, cases, life, spec, spec.transitions_from("opened")[0], "opened")
    parent = cases.show(review)["parent_case_id"]
    place(ctx, review, closed=True)
    return parent


@pytest.mark.parametrize("second", ["review", "termination"])
def test_two_starts_on_one_benefit_at_once(two_pcs, monkeypatch, second):
    a, b = two_pcs
    parent = _benefit(a)
    rv = Rendezvous()
    instrument(monkeypatch, LifecycleService, "_parent", rv)
    start_b = (lambda: LifecycleService(CaseService(b)).start_review(parent, "clerk2")) if second == "review" else (
        lambda: LifecycleService(CaseService(b)).start_termination(parent, "clerk2", "other", "外出务工收入超标"))
    results = together(rv, lambda: LifecycleService(CaseService(a)).start_review(parent, "clerk"), start_b)
    one_winner(results, "已有未办结的")
    with a.db.unit_of_work() as uow:
        assert len(uow.cases.children(parent, open_only=True)) == 1


def test_the_partial_index_refuses_a_second_open_case_even_without_the_lock(two_pcs):
    """The constraint behind the lock: a second open 复核/变更/停保 case for one benefit cannot be
    stored even by code that skips the service's check, and the refusal is a Chinese message, not
    an IntegrityError."""
    a, _b = two_pcs
    parent = _benefit(a)
    first = LifecycleService(CaseService(a)).start_review(parent, "clerk")
    with pytest.raises(DomainError, match="已有未办结的复核、变更或停保案件"):
        with a.db.unit_of_work() as uow:
            parent_case = uow.cases.get(parent)
            household = uow.households.get(parent_case.household_id)
            household.id = None
            CaseWriter(a).open(uow, uow.users.get("clerk"), household, a.engine_for_programme("dibao", "review").spec,
                               a.today(), comment="绕过检查", parent=parent_case)
    assert [c.id for c in open_cases(a) if c.parent_case_id == parent] == [first["id"]]
