"""Counts the security tests gather for the closing note (roles × triggers, conflicts, tampering,
kills), appended to tests/output/figures.jsonl — one JSON line per count, with the test's name."""

from __future__ import annotations

import json
import os
from pathlib import Path

OUT = Path(__file__).resolve().parent / "output" / "figures.jsonl"


def record(figure: str, count: int, **detail: object) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    line = {"figure": figure, "count": count, "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
            "backend": "postgresql" if "postgres" in os.environ.get("PYTEST_CURRENT_TEST", "") else "sqlite"}
    with OUT.open("a", encoding="utf-8") as f:
        f.write(json.dumps(line | detail, ensure_ascii=False) + "\n")
