"""Alembic environment: the app's own engine (and PostgreSQL schema), the SQLModel tables."""

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers the tables)
from api.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Migrate on the connection the caller holds (under its lock), or a new one."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        with get_engine().connect() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `caring-promise db upgrade`")
run_migrations_online()
