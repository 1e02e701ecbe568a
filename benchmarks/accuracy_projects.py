"""Each corpus project's own way to create a fresh database, for ``benchmarks/accuracy_corpus.py``.

A project whose fresh database is not made by ``alembic upgrade heads`` alone names one of
these functions as ``upgrade`` in ``benchmarks/accuracy_corpus.toml``. Each is called with an
Engine on the empty database and does only what the project itself does when it starts on an
empty database: it calls the project's own initialisation, never a ``create_all`` of its own.
"""

from __future__ import annotations

import secrets
import tempfile
from typing import Any


def _url(engine: Any) -> str:
    return str(engine.url.render_as_string(hide_password=False))


def ihatemoney(engine: Any) -> None:
    """``create_app`` runs the project's Flask-Migrate upgrade on the configured database."""
    from ihatemoney.run import create_app

    class Configuration:
        SQLALCHEMY_DATABASE_URI = _url(engine)
        SECRET_KEY = secrets.token_hex(16)
        ACTIVATE_DEMO_PROJECT = False

    with tempfile.TemporaryDirectory() as instance:
        create_app(Configuration, instance_path=instance)


def jupyterhub(engine: Any) -> None:
    """``new_session_factory`` stamps an empty database at the head, then runs ``create_all``:
    JupyterHub's own path for a new database (its history upgrades older ones)."""
    from jupyterhub.orm import new_session_factory

    new_session_factory(_url(engine)).kw["bind"].dispose()


def _dagster_storage(engine: Any, sqlite: str, postgresql: str, mysql: str) -> None:
    """Open one Dagster storage on the database as a Dagster instance does: it creates its
    tables and stamps the history all storages share. Each storage has a database of its own
    here (Dagster's SQLite layout; a configuration choice on PostgreSQL and MySQL)."""
    import importlib
    from pathlib import Path

    if engine.dialect.name == "sqlite":
        module, _, name = sqlite.rpartition(".")
        storage_class = getattr(importlib.import_module(module), name)
        directory = str(Path(engine.url.database).parent)
        opened = getattr(storage_class, "from_local", storage_class)(directory)
    else:
        path = postgresql if engine.dialect.name == "postgresql" else mysql
        module, _, name = path.rpartition(".")
        opened = getattr(importlib.import_module(module), name)(_url(engine))
    opened.dispose()


def dagster_runs(engine: Any) -> None:
    """The run storage: ``runs.db`` on SQLite."""
    _dagster_storage(
        engine,
        "dagster._core.storage.runs.SqliteRunStorage",
        "dagster_postgres.PostgresRunStorage",
        "dagster_mysql.MySQLRunStorage",
    )


def dagster_event_log(engine: Any) -> None:
    """The event log storage's index: ``index.db`` on SQLite."""
    _dagster_storage(
        engine,
        "dagster._core.storage.event_log.SqliteEventLogStorage",
        "dagster_postgres.PostgresEventLogStorage",
        "dagster_mysql.MySQLEventLogStorage",
    )


def dagster_schedules(engine: Any) -> None:
    """The schedule storage: ``schedules.db`` on SQLite."""
    _dagster_storage(
        engine,
        "dagster._core.storage.schedules.SqliteScheduleStorage",
        "dagster_postgres.PostgresScheduleStorage",
        "dagster_mysql.MySQLScheduleStorage",
    )


def keystone(engine: Any) -> None:
    """``keystone-manage db_sync`` on the engine: the expand and contract branches to head,
    after the configuration set-up ``keystone-manage`` does."""
    import keystone.conf
    from keystone.common import sql
    from keystone.common.sql.upgrades import offline_sync_database_to_version

    keystone.conf.configure()
    sql.initialize()
    keystone.conf.CONF([], project="keystone", default_config_files=[])
    offline_sync_database_to_version(engine=engine)


def glance(engine: Any) -> None:
    """``glance-manage db sync`` (expand, data migrations, contract) with a configuration file
    naming the database, as an operator runs it."""
    import sys

    from glance.cmd import manage

    with tempfile.NamedTemporaryFile("w", suffix=".conf") as configuration:
        configuration.write(f"[database]\nconnection = {_url(engine)}\n")
        configuration.flush()
        arguments = sys.argv
        sys.argv = ["glance-manage", "--config-file", configuration.name, "db", "sync"]
        try:
            manage.main()
        except SystemExit as stopped:
            if stopped.code not in (None, 0):
                raise
        finally:
            sys.argv = arguments
