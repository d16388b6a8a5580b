"""The database engine and sessions (SQLite by default, PostgreSQL in production)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from api.config import get_settings


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so two processes can share one SQLite file safely."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves (SQLAlchemy pysqlite recipe)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writing unit of work takes the write lock up front: two deferred transactions that
        # both read then write would deadlock, and SQLite fails one at once instead of waiting.
        # Reads begin deferred and, in WAL mode, never block a writer.
        immediate = conn.get_execution_options().get("sqlite_begin_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    settings = get_settings()
    url = settings.db_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _sqlite_pragmas(engine)
    else:
        connect_args = {"options": f"-csearch_path={settings.database_schema}"} if settings.database_schema else {}
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)
    return engine


def get_session() -> Iterator[Session]:
    """A reading session per request (FastAPI dependency). Routes that write use get_write_session."""
    with Session(get_engine()) as session:
        yield session


def get_write_session() -> Iterator[Session]:
    """A writing session per request (FastAPI dependency): the same discipline as every other write
    (on SQLite the write lock is taken up front, BEGIN IMMEDIATE, and threads queue on the process's
    writer lock), committed when the route returns and rolled back if it fails. A route that takes
    it must not open unit_of_work() itself: the writer lock is not re-entrant."""
    with session_scope() as session:
        yield session


# SQLite has one writer at a time. Threads of this process queue here, in order, instead of
# polling SQLite's busy handler (whose growing sleeps made a long latency tail under load);
# other processes still wait on SQLite's own lock.
_sqlite_writer = threading.Lock()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A writing session that commits on success and rolls back on error (objects stay readable after)."""
    engine = get_engine().execution_options(sqlite_begin_immediate=True)
    serial = _sqlite_writer if engine.dialect.name == "sqlite" else nullcontext()
    with serial, Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


_current: ContextVar[Session | None] = ContextVar("caring_session", default=None)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Join the transaction already open in this context, or open (and commit) a new one.

    The embedded engine handles a message in one transaction, and the actions it runs in-process
    join it, so a message's turns, feedback and alerts are saved together or not at all. The same
    actions on the action server open their own.
    """
    active = _current.get()
    if active is not None:
        yield active
        return
    with session_scope() as session:
        token = _current.set(session)
        try:
            yield session
        finally:
            _current.reset(token)
