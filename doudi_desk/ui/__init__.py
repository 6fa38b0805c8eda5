"""The PySide6 desktop client. Talks to ``doudi_desk.services`` only, on a single worker thread."""

from .none_guard import keep_none_alive

keep_none_alive()  # before any Qt call: PySide6 drops a reference to None on each void call (none_guard.py)
