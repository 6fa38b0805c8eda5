"""The PySide6 desktop client. Talks to ``doudi_desk.services`` only, on a single worker thread."""
