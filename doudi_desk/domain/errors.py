"""The errors a user can meet: one hierarchy, Qt-free, picked by ``isinstance``.

A :class:`KnownError` is expected (bad input, a refused action, someone else's change, a database
that cannot be used now); its message is a Chinese sentence for a person. Anything that is not a
KnownError is a bug: the window opens the crash dialog, the CLI writes the crash log
[Anki ``pylib/anki/errors.py``; qutebrowser ``KnownError`` vs ``BugError``].

``field`` says where the error came from, apart from the message: a command-line option's name
(``village``, ``as``, ``repeat_reason``), a positional argument's metavar (``KIND``) or a data path
in the input (``household.members[0].name``). Whoever prints the error adds it: the CLI writes
``--village: …`` (cli.py ``main``); the window puts the message next to the field or alone.
A message never starts with a command-line option (``--village: ``). Messages of the domain's
field validators still start with their data path (``household.members[0].name: 姓名：缺少此项``);
:meth:`KnownError.sentence` is the message without it.

    KnownError
    ├── InputError      bad input: a field missing, malformed or out of range
    ├── Refused         an action not allowed now; ``reasons`` lists why
    │   └── RepeatClaim a repeat 临时救助 claim for the same 事由 within the year, without a reason
    ├── Conflict        someone else changed the record since it was read (``current``, ``expected``)
    ├── NotFound        a record asked for by id does not exist
    ├── StorageFault    the database or its files cannot be used now (``kind``)
    └── PrintRefused    a document cannot be produced (font, template, privacy)
"""

from __future__ import annotations

from collections.abc import Iterable


class KnownError(Exception):
    """An expected, user-facing error; the message is Chinese, ``field`` says where (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message

    def sentence(self) -> str:
        """The message without the data path it may begin with (``household.members[0].name: ``)."""
        prefix = f"{self.field}: " if self.field else ""
        return self.message[len(prefix):] if prefix and self.message.startswith(prefix) else self.message


# The name every module used before the hierarchy; 300 uses, so it stays as the root's other name.
DomainError = KnownError


class InputError(KnownError):
    """Bad input data (a field is missing, malformed or out of range)."""


class Refused(KnownError):
    """An action the rules do not allow now; ``reasons`` lists each reason (the message at least)."""

    def __init__(self, message: str, reasons: Iterable[str] = (), field: str | None = None):
        super().__init__(message, field)
        self.reasons = list(reasons) or [message]


class RepeatClaim(Refused):
    """A 临时救助 claim for the same 事由 as a claim earlier this year, without a written reason."""

    def __init__(self, message: str, earlier: Iterable[str] = ()):
        super().__init__(message, field="repeat_reason")
        self.earlier = list(earlier)


class Conflict(KnownError):
    """Someone else changed the record since it was read; ``current``/``expected`` versions if known."""

    def __init__(self, message: str, current: int | None = None, expected: int | None = None,
                 field: str | None = None):
        super().__init__(message, field)
        self.current = current
        self.expected = expected


class NotFound(KnownError):
    """A record asked for by id or number does not exist (deleted, or a wrong id)."""


class StorageFault(KnownError):
    """The database or its files cannot be used right now; ``kind`` says which fault."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class PrintRefused(KnownError):
    """A document cannot be produced (no usable font, a broken template, data not fit to post)."""
