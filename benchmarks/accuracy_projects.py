"""Each corpus project's own way to create a fresh database, for ``benchmarks/accuracy_corpus.py``.

A project whose fresh database is not made by ``alembic upgrade heads`` alone names one of
these functions as ``upgrade`` in ``benchmarks/accuracy_corpus.toml``. Each is called with an
Engine on the empty database and does only what the project itself does when it starts on an
empty database: it calls the project's own initialisation, never a ``create_all`` of its own.
"""

from __future__ import annotations

import tempfile
from typing import Any


def _url(engine: Any) -> str:
    return str(engine.url.render_as_string(hide_password=False))


def ihatemoney(engine: Any) -> None:
    """``create_app`` runs the project's Flask-Migrate upgrade on the configured database."""
    from ihatemoney.run import create_app

    class Configuration:
        SQLALCHEMY_DATABASE_URI = _url(engine)
        SECRET_KEY = "accuracy-corpus"
        ACTIVATE_DEMO_PROJECT = False

    with tempfile.TemporaryDirectory() as instance:
        create_app(Configuration, instance_path=instance)


def jupyterhub(engine: Any) -> None:
    """``new_session_factory`` stamps an empty database at the head, then runs ``create_all``:
    JupyterHub's own path for a new database (its history upgrades older ones)."""
    from jupyterhub.orm import new_session_factory

    new_session_factory(_url(engine)).kw["bind"].dispose()


def dagster(engine: Any) -> None:
    """The run, event log and schedule storages of one database, as a Dagster instance opens
    them: each creates its tables and stamps the shared history on first use."""
    url = _url(engine)
    if engine.dialect.name == "postgresql":
        from dagster_postgres import (
            PostgresEventLogStorage,
            PostgresRunStorage,
            PostgresScheduleStorage,
        )

        storages: tuple[Any, ...] = (
            PostgresRunStorage,
            PostgresEventLogStorage,
            PostgresScheduleStorage,
        )
    else:
        from dagster_mysql import MySQLEventLogStorage, MySQLRunStorage, MySQLScheduleStorage

        storages = (MySQLRunStorage, MySQLEventLogStorage, MySQLScheduleStorage)
    for storage in storages:
        storage(url).dispose()
