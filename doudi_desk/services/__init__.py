"""Use cases shared by the window and ``doudi-admin``: no Qt, no SQL, no transitions here."""
