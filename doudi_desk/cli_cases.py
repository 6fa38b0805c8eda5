"""Case commands of doudi-admin (registered into the main parser)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Filled in with init/demo/case commands once the services land."""
