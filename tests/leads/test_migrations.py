from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from leads import (
    db,
    flow_tables,  # noqa: F401 - registers the flow tables
    migrate,
)
from leads.tables import Base
from tests.conftest import ON_POSTGRES, scratch_database


def test_migrations_go_up_match_the_tables_and_come_down(tmp_path: Path) -> None:
    url, drop = scratch_database(tmp_path, "migrations")
    engine = db.make_engine(url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())

        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
    finally:
        engine.dispose()
        drop()  # type: ignore[operator]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_suite_database_is_the_one_configured(engine) -> None:  # type: ignore[no-untyped-def]
    assert engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")
