"""ui/ops/changes.py: what a command op says it changed (the pages decide from it what to read again)."""

from __future__ import annotations

import dataclasses

import pytest

from doudi_desk.ui.ops.changes import Changes


def test_written_cases_are_a_changed_case_list_and_queue():
    changes = Changes.to_cases([3, 5, 3])
    assert changes.case_ids == frozenset({3, 5})
    assert changes.kinds == {"cases", "queue"}
    assert not changes.payroll and not changes.accounts


def test_case_ids_are_frozen_ints_and_imply_cases():
    changes = Changes(case_ids=[7, "8"])  # a list from the caller is kept as a frozenset of ints
    assert changes.case_ids == frozenset({7, 8}) and isinstance(changes.case_ids, frozenset)
    assert changes.cases and not changes.queue
    with pytest.raises(dataclasses.FrozenInstanceError):
        changes.cases = False  # type: ignore[misc]


def test_touches_a_page_by_its_case_or_the_cases_it_shows():
    review_decided = Changes.to_cases([42])  # a 复核 decided in the queue
    parent_page_shows = {10, 42}  # the parent case and its related 复核
    assert review_decided.touches(parent_page_shows)
    assert not review_decided.touches({10, 11})
    assert not Changes(payroll=True).touches({42})


def test_merging_keeps_every_kind_and_case():
    merged = Changes(campaigns=True) | Changes.to_cases([1]) | Changes(payroll=True, case_ids=[2])
    assert merged.kinds == {"campaigns", "cases", "queue", "payroll"}
    assert merged.case_ids == {1, 2}
    with pytest.raises(TypeError):
        _ = Changes() | {"cases"}  # type: ignore[operator]


def test_nothing_changed_is_false_and_everything_is_every_kind():
    assert not Changes()
    assert Changes(accounts=True)
    every = Changes.everything()
    assert every.kinds == {f.name for f in dataclasses.fields(Changes)} - {"case_ids"}
    assert every.case_ids == frozenset()


def test_equal_changes_compare_equal_and_hash():
    assert Changes.to_cases([1, 2]) == Changes(case_ids={2, 1}, cases=True, queue=True)
    assert len({Changes.to_cases([1]), Changes.to_cases([1])}) == 1
