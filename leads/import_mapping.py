"""The "AI import" column mapper: which lead field each column of a file holds, and why.

Headers are matched against English and Korean synonyms (then close spellings), sampled values
confirm or contradict them, and values alone can identify emails, phone numbers, countries
and ids under any header. Each lead field goes to at most one column, the best one; columns
left over are kept as custom attributes. Every decision carries a reason a person can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leads._column_evidence import Candidate, header_candidates, non_blank, value_candidates
from leads._text import fold
from leads.errors import UnknownField, ValidationFailed
from leads.fields import ACTIVITY, ATTRIBUTE, IGNORE, IMPORT_TARGETS

__all__ = ["ColumnMapping", "apply_overrides", "infer_mapping"]

MIN_CONFIDENCE = 0.5
MAX_SAMPLES = 200
_MANY_COLUMNS = frozenset({ATTRIBUTE, ACTIVITY, IGNORE})  # targets any number of columns share
_KEPT = "kept as custom attribute"


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Where one column goes: a lead field, `attribute`, `activity` or `ignore`."""

    target: str
    confidence: float
    reason: str


def infer_mapping(headers: list[str], samples: list[list[str]]) -> dict[str, ColumnMapping]:
    """Map every header (unique names, as `read_table` gives) to a target, with a reason.

    `samples` are rows of the file aligned with `headers`; the first 200 are looked at.
    """
    rows = samples[:MAX_SAMPLES]
    candidates: list[tuple[int, Candidate]] = []
    for position, column in enumerate(headers):
        values = non_blank(rows, position)
        found = header_candidates(column, values) + value_candidates(column, values)
        candidates.extend((position, c) for c in found)
    candidates.sort(key=lambda pc: (-round(pc[1].confidence, 6), pc[1].rank, pc[0]))
    return _assign(headers, [c for _, c in candidates])


def apply_overrides(
    mapping: dict[str, ColumnMapping], overrides: dict[str, str]
) -> dict[str, ColumnMapping]:
    """Apply `--map column=field` choices; a field taken from another column frees that column.

    Raises UnknownField for a column the file does not have or a target that does not exist.
    """
    chosen: dict[str, str] = {}
    for column, target in overrides.items():
        name, field = _find_column(mapping, column), _find_target(column, target)
        if field not in _MANY_COLUMNS and field in chosen.values():
            other = next(c for c, f in chosen.items() if f == field)
            raise ValidationFailed(column, f"{field} is already mapped to column {other!r}")
        chosen[name] = field
    result: dict[str, ColumnMapping] = {}
    for column, current in mapping.items():
        if column in chosen:
            result[column] = ColumnMapping(chosen[column], 1.0, "set by you")
        elif current.target not in _MANY_COLUMNS and current.target in chosen.values():
            result[column] = ColumnMapping(
                ATTRIBUTE, 1.0, f"{_KEPT}: you mapped {current.target} to another column"
            )
        else:
            result[column] = current
    return result


def _assign(headers: Sequence[str], ranked: Sequence[Candidate]) -> dict[str, ColumnMapping]:
    """Give each column its best candidate whose field is still free; the rest become attributes."""
    chosen: dict[str, ColumnMapping] = {}
    owner: dict[str, str] = {}  # lead field -> column that has it
    passed_over: dict[str, str] = {}  # column -> why its best candidate was not used
    for candidate in ranked:
        column, target = candidate.column, candidate.target
        if column in chosen:
            continue
        if candidate.confidence < MIN_CONFIDENCE:
            passed_over.setdefault(column, f"{candidate.reason}; too unsure, {_KEPT}")
        elif target not in _MANY_COLUMNS and target in owner:
            passed_over.setdefault(
                column,
                f"{candidate.reason}; but column {owner[target]!r} matched {target} better, "
                f"{_KEPT}",
            )
        else:
            chosen[column] = ColumnMapping(target, round(candidate.confidence, 2), candidate.reason)
            owner.setdefault(target, column)
    return {
        column: chosen.get(column) or ColumnMapping(ATTRIBUTE, 1.0, passed_over.get(column, _KEPT))
        for column in headers
    }


def _find_column(mapping: dict[str, ColumnMapping], column: str) -> str:
    """The file's column named `column`, exactly or ignoring case, spacing and punctuation."""
    if column in mapping:
        return column
    matches = [name for name in mapping if fold(name) == fold(column)]
    if len(matches) == 1:
        return matches[0]
    columns = ", ".join(repr(name) for name in mapping)
    raise UnknownField(column, f"no such column in the file; columns are: {columns}")


def _find_target(column: str, target: str) -> str:
    """The import target named `target` (`Do Not Email` finds `do_not_email`)."""
    matches = [t for t in IMPORT_TARGETS if fold(t) == fold(target)]
    if matches:
        return matches[0]
    choices = ", ".join(sorted(IMPORT_TARGETS))
    raise UnknownField(column, f"unknown field {target!r}; choose one of {choices}")
