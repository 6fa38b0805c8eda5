"""Drafts: half-filled forms kept in the database (settings table) per user and form, so work
survives closing the window, a crash or another PC of a shared office database.

A draft is a JSON object under the key ``draft/<username>/<form key>``; form keys are chosen by
the window (``application/new``, ``case/12``). Saving an empty draft removes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.errors import InputError
from .context import AppContext

MAX_KEY = 100  # settings.key is VARCHAR(100)


def draft_key(username: str, form_key: str) -> str:
    key = f"draft/{username}/{form_key}"
    if len(key) > MAX_KEY:
        raise InputError(f"草稿键过长：{key}", "form_key")
    return key


class DraftService:
    """Save, load and discard drafts. Each call is one transaction."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def save(self, username: str, form_key: str, data: Mapping[str, Any],
             base_version: int | None = None) -> dict[str, Any] | None:
        """Store ``data`` as the user's draft of ``form_key``; an empty ``data`` discards it."""
        key = draft_key(username, form_key)
        with self.ctx.db.unit_of_work() as uow:
            if not data:
                uow.settings.set(key, None)
                return None
            draft = {"saved_at": self.ctx.now().isoformat(sep=" "), "base_version": base_version,
                     "data": dict(data)}
            uow.settings.set(key, draft)
            return draft

    def load(self, username: str, form_key: str) -> dict[str, Any] | None:
        """``{"saved_at", "base_version", "data"}`` or None when there is no draft."""
        with self.ctx.db.unit_of_work() as uow:
            value = uow.settings.get(draft_key(username, form_key))
        return value if isinstance(value, dict) and value.get("data") else None

    def discard(self, username: str, form_key: str) -> None:
        with self.ctx.db.unit_of_work() as uow:
            uow.settings.set(draft_key(username, form_key), None)
