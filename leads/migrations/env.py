"""Alembic environment: runs on the engine handed over by `leads.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from leads import flow_tables  # noqa: F401 - registers the flow tables on Base.metadata
from leads.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
