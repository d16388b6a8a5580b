"""Schema migrations: upgrade under a lock, and refuse to serve a database that is behind."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from api.config import get_settings
from api.db import get_engine

MIGRATIONS = Path(__file__).with_name("migrations")
PG_LOCK_KEY = 7212001  # any fixed number: the advisory lock that serialises migrations


class DatabaseBehind(RuntimeError):
    """The database schema is older than the code."""


def alembic_config() -> Config:
    """Alembic's configuration, from code (no alembic.ini to keep in step)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def _locked_connection() -> Iterator[Connection]:
    """A connection held under a lock no other process can take while migrating."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        lock_path = get_settings().data_dir / "migrate.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            with engine.connect() as conn:
                yield conn
        return
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({PG_LOCK_KEY})")
        conn.commit()
        try:
            yield conn
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({PG_LOCK_KEY})")
            conn.commit()


def upgrade() -> None:
    """Bring the database to the newest schema (safe when several processes start at once)."""
    with _locked_connection() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()


def revisions() -> tuple[str | None, str | None]:
    """(the database's revision, the code's newest)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with get_engine().connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def ensure_current() -> None:
    """Raise DatabaseBehind, with what to do, unless the database is at the newest revision."""
    current, head = revisions()
    if current != head:
        raise DatabaseBehind(
            f"The database is at revision {current or 'none (empty)'} but this code needs {head}. "
            "Run `caring-promise db upgrade` first (back up the database before you do)."
        )


def new_revision(message: str) -> None:
    """Autogenerate a migration from the difference between models.py and the database."""
    with _locked_connection() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.revision(config, message=message, autogenerate=True)
