"""Migrations: an empty database upgrades to head, models and migrations agree, a database behind is refused."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from api import migrate
from api.config import get_settings
from api.db import get_engine


@pytest.fixture
def empty_database(tmp_path, monkeypatch):
    """Point the app at a new, empty SQLite database for one test."""
    get_engine().dispose()  # the suite's engine: closed before it is replaced for this test
    monkeypatch.setenv("CARING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CARING_DATABASE_URL", raising=False)
    monkeypatch.delenv("CARING_DATABASE_SCHEMA", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_an_empty_database_upgrades_to_head(empty_database):
    assert migrate.revisions()[0] is None
    migrate.upgrade()
    current, head = migrate.revisions()
    assert current == head is not None
    tables = set(inspect(get_engine()).get_table_names())
    assert {"conversation", "turn", "safeguardingalert", "feedback", "inboundsms", "outboundsms"} <= tables
    migrate.upgrade()  # a second run changes nothing
    assert migrate.revisions()[0] == head


def test_start_up_refuses_a_database_that_is_behind(empty_database):
    from api.main import prepare_database

    settings = get_settings().model_copy(update={"auto_migrate": False})
    with pytest.raises(migrate.DatabaseBehind, match="caring-promise db upgrade"):
        prepare_database(settings)


def test_models_and_migrations_agree(app):
    """The test database was built by the migrations; the models must describe exactly it."""
    with get_engine().connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []
