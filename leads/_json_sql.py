"""JSON access that reads alike on SQLite and PostgreSQL, for the SQL of list conditions.

Keys are checked by `check_key` (no quotes, no backslashes) and written into the SQL as
literals, so they are part of the statement's cache key; values stay bound parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, Integer

from leads._condition_fields import check_key


class JsonText(FunctionElement[str]):
    """The scalar under `key` of a JSON column as text: strings bare, numbers as written,
    booleans `true`/`false`; NULL when missing or null."""

    type = String()
    inherit_cache = True
    name = "json_text"

    def __init__(self, document: Any, key: str) -> None:
        super().__init__(document, literal_column(f"'{check_key(key)}'"))


class JsonNumber(FunctionElement[float]):
    """The number under `key` of a JSON column; NULL when missing or not a number."""

    type = Float()
    inherit_cache = True
    name = "json_number"

    def __init__(self, document: Any, key: str) -> None:
        super().__init__(document, literal_column(f"'{check_key(key)}'"))


class JsonArrayContains(FunctionElement[bool]):
    """True when the JSON array holds the string."""

    type = Boolean()
    inherit_cache = True
    name = "json_array_contains"


class JsonArrayLength(FunctionElement[int]):
    """The length of a JSON array (NULL on PostgreSQL, 0 on SQLite, for anything else)."""

    type = Integer()
    inherit_cache = True
    name = "json_array_length"


def _parts(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


def _sqlite_path(key: str) -> str:
    return f"'$.\"{key[1:-1]}\"'"


@compiles(JsonText, "sqlite")
def _json_text_sqlite(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    path = _sqlite_path(key)
    return (
        f"(CASE json_type({document}, {path}) WHEN 'true' THEN 'true' "
        f"WHEN 'false' THEN 'false' WHEN 'null' THEN NULL "
        f"ELSE CAST(json_extract({document}, {path}) AS TEXT) END)"
    )


@compiles(JsonText, "postgresql")
def _json_text_postgresql(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    return f"({document} ->> {key})"


@compiles(JsonNumber, "sqlite")
def _json_number_sqlite(element: JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    path = _sqlite_path(key)
    return (
        f"(CASE WHEN json_type({document}, {path}) IN ('integer', 'real') "
        f"THEN json_extract({document}, {path}) END)"
    )


@compiles(JsonNumber, "postgresql")
def _json_number_postgresql(element: JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    return (
        f"(CASE WHEN jsonb_typeof({document} -> {key}) = 'number' "
        f"THEN CAST({document} ->> {key} AS DOUBLE PRECISION) END)"
    )


@compiles(JsonArrayContains, "sqlite")
def _contains_sqlite(element: JsonArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    document, value = _parts(element, compiler, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({document}) AS item WHERE item.value = {value})"


@compiles(JsonArrayContains, "postgresql")
def _contains_postgresql(element: JsonArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    document, value = _parts(element, compiler, **kw)
    return f"({document} @> jsonb_build_array(CAST({value} AS TEXT)))"


@compiles(JsonArrayLength, "sqlite")
def _length_sqlite(element: JsonArrayLength, compiler: SQLCompiler, **kw: Any) -> str:
    (document,) = _parts(element, compiler, **kw)
    return f"json_array_length({document})"


@compiles(JsonArrayLength, "postgresql")
def _length_postgresql(element: JsonArrayLength, compiler: SQLCompiler, **kw: Any) -> str:
    (document,) = _parts(element, compiler, **kw)
    return f"(CASE WHEN jsonb_typeof({document}) = 'array' THEN jsonb_array_length({document}) END)"
