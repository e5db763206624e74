"""Errors raised by the record.

    LeadsError
     +-- NotFound              a team, lead, list or form does not exist (in this team)
     +-- ValidationFailed      input is wrong; `field` names the field, `problem` says why
     |    +-- InvalidEmail
     |    +-- UnknownField
     +-- InvalidInput          several ValidationFailed at once (`errors`)
     +-- Conflict              the change would break a uniqueness rule
     +-- ImportFailed          a file cannot be read at all (not one bad row: those are reported)

Errors carry domain data only; the API maps them to status codes in one place.
"""

from __future__ import annotations


class LeadsError(Exception):
    """Base class of every error of the record."""


class NotFound(LeadsError):
    """A thing does not exist, or belongs to another team."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ValidationFailed(LeadsError):
    """Input is wrong: `field` names it, `problem` says what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class InvalidEmail(ValidationFailed):
    """An email address that cannot be valid."""


class UnknownField(ValidationFailed):
    """A field name that the target does not have."""


class InvalidInput(LeadsError):
    """Several fields are wrong at once; `errors` lists each with its field."""

    def __init__(self, errors: list[ValidationFailed]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Conflict(LeadsError):
    """The change would break a uniqueness rule."""


class ImportFailed(LeadsError):
    """A whole file cannot be read (wrong format, undecodable, empty)."""
