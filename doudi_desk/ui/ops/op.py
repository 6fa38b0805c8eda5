"""Operations after Anki's ``aqt.operations``: a user action is an op object that runs on the
window's one worker (ui/executor.py), with ``.success()``, ``.failure()`` and ``.progress()``.

A :class:`CollectionOp` is a command: once it has succeeded (its ``success`` callback first) the
main window emits ``operation_did_execute(changes, initiator)`` exactly once, and every open page
that is a :class:`ChangeListener` refreshes itself from those :class:`~.changes.Changes`. A
:class:`QueryOp` only reads and broadcasts nothing.

    ops.batch_decide(shell, items, "approve", "").success(show).run_in_background(initiator=self)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject

from .changes import Changes

T = TypeVar("T")


class ChangeListener:
    """A page that refreshes itself after a command: the main window calls :meth:`on_changes`
    on every open tab page that is one (mix it in after the Qt base class).

    A case page reads again when a case it shows was written — its own, its parent, or a related
    复核/变更/停保 (so an open parent case refreshes when its 复核 is decided in the queue)::

        class CasePage(QWidget, ops.ChangeListener):
            def on_changes(self, changes, initiator):
                shown = {self.case_id, *(r["id"] for r in self.links.get("related", []))}
                if self.links.get("parent"):
                    shown.add(self.links["parent"]["id"])
                if initiator is not self and changes.touches(shown):
                    self.load()
    """

    def on_changes(self, changes: Changes, initiator: object | None) -> None:
        """Read again what ``changes`` touches; ``initiator`` is the page that ran the command
        (it may already show the result)."""
        raise NotImplementedError


class Shell(Protocol):
    """What an op needs of the main window (ui/main_window.py's MainWindow)."""

    executor: Any
    backend: Any
    user: dict[str, Any] | None

    def broadcast(self, changes: Changes, initiator: object | None) -> None: ...


class _Op(Generic[T]):
    def __init__(self, shell: Shell, fn: Callable[..., T], *args: Any, **kwargs: Any):
        self.shell = shell
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], Any] | None = None
        self._progress: Callable[[int, int, str], Any] | None = None

    def success(self, callback: Callable[[T], Any]) -> _Op[T]:
        """Called in the GUI thread with the result (not if ``initiator`` has been deleted)."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], Any]) -> _Op[T]:
        """Called in the GUI thread with the exception; without one, the window's error display
        (ui/errors.py: a known error's message, a bug's crash dialog)."""
        self._failure = callback
        return self

    def progress(self, callback: Callable[[int, int, str], Any]) -> _Op[T]:
        """Called in the GUI thread with (done, total, text); the work is given ``job=`` (to report
        and to see ``job.cancelled``)."""
        self._progress = callback
        return self

    def run_in_background(self, *, initiator: object | None = None):
        """Queue the work on the window's one worker; returns the executor's Job (``cancel()``)."""
        def alive() -> bool:  # a page closed meanwhile gets no callback; the broadcast still goes out
            return not isinstance(initiator, QObject) or shiboken6.isValid(initiator)

        def done(result: T) -> None:
            if self._success is not None and alive():
                self._success(result)
            self._finished(result, initiator)

        def failed(exc: BaseException) -> None:
            handler = self._failure if self._failure is not None and alive() else None
            if handler is None:
                handler = self.shell.executor.default_error
            if handler is None:
                raise exc
            handler(exc)

        return self.shell.executor.submit(self._fn, *self._args, on_done=done, on_error=failed,
                                          on_progress=self._progress, pass_job=self._progress is not None,
                                          **self._kwargs)

    def _finished(self, result: T, initiator: object | None) -> None:
        pass


class QueryOp(_Op[T]):
    """A read: the result goes to ``success``; nothing is broadcast."""


class CollectionOp(_Op[T]):
    """A command: after ``success``, the window broadcasts what it changed.

    Args:
        changes: the Changes, or a function of the result giving them (a batch reports the cases
            it wrote).
    """

    def __init__(self, shell: Shell, fn: Callable[..., T], *args: Any,
                 changes: Changes | Callable[[T], Changes], **kwargs: Any):
        super().__init__(shell, fn, *args, **kwargs)
        self._changes = changes

    def _finished(self, result: T, initiator: object | None) -> None:
        changes = self._changes(result) if callable(self._changes) else self._changes
        self.shell.broadcast(changes, initiator)
