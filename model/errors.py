"""Errors raised while training and evaluating models.

    ModelError (ValueError)
     +-- DataError              the table cannot be trained on as given; `column` names the
          |                     column at fault when there is one
          +-- UnknownColumn     a target or column to drop that the table does not have
          +-- TargetNotBinary   the target column does not hold exactly two classes

Errors carry domain data only; the API and CLI turn them into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

_LISTED_COLUMNS = 60


class ModelError(ValueError):
    """Base class of every error of model training and evaluation."""


class DataError(ModelError):
    """The table cannot be trained on as given; `column` names the column at fault, if any."""

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


class UnknownColumn(DataError):
    """A column named as the target or to drop is not in the table."""

    def __init__(
        self, column: str, *, role: Literal["target", "drop"], columns: Sequence[str]
    ) -> None:
        what = f"target {column!r}" if role == "target" else f"cannot drop {column!r}:"
        verb = "is not" if role == "target" else "it is not"
        super().__init__(f"{what} {verb} a column; columns are: {_listing(columns)}", column=column)
        self.role = role
        self.columns = tuple(columns)


class TargetNotBinary(DataError):
    """The target column holds one class, or more than two; `classes` lists what it holds."""

    def __init__(self, column: str, classes: Sequence[str]) -> None:
        found = f"{len(classes)} ({_listing(classes)})" if classes else "no values"
        super().__init__(
            f"target {column!r} must hold exactly two classes (such as 0/1 or Yes/No); "
            f"found {found}",
            column=column,
        )
        self.classes = tuple(classes)


def _listing(names: Sequence[str]) -> str:
    """Names quoted and comma-separated, cut short after a screenful."""
    shown = ", ".join(repr(name) for name in names[:_LISTED_COLUMNS])
    hidden = len(names) - _LISTED_COLUMNS
    return f"{shown}, ... and {hidden} more" if hidden > 0 else shown
