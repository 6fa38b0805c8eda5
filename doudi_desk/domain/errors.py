"""Errors the domain raises; every message is Chinese and names the field it is about."""


class DomainError(Exception):
    """A known, user-facing error: bad input or a refused action."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InputError(DomainError):
    """Bad input data (a field is missing, malformed or out of range)."""
