"""Throw-away databases on SQLite, PostgreSQL and MariaDB for the test suite.

Each test that asks for a database gets a new one, created here and dropped afterwards, so the
suite never depends on what a server already holds. Servers are found through
``LBACK_TEST_POSTGRESQL_URL`` and ``LBACK_TEST_MARIADB_URL`` (defaults: the local servers).
When a server cannot be reached the test is skipped with the reason, unless
``LBACK_REQUIRE_SERVERS=1`` (set by ``.ci/run``), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

BACKENDS = ("sqlite", "postgresql", "mariadb")
SERVER_URLS = {
    "postgresql": os.environ.get(
        "LBACK_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get("LBACK_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "mariadb": "mysql+aiomysql",
}
_unreachable: dict[str, str] = {}


@dataclass(frozen=True)
class Database:
    """A database that exists for one test.

    :param backend: ``sqlite``, ``postgresql`` or ``mariadb``.
    :param url: a synchronous SQLAlchemy URL.
    """

    backend: str
    url: URL

    @property
    def url_string(self) -> str:
        return self.url.render_as_string(hide_password=False)

    @property
    def async_url_string(self) -> str:
        return self.url.set(drivername=ASYNC_DRIVERS[self.backend]).render_as_string(
            hide_password=False
        )

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()

    def table_names(self, schema: str | None = None) -> set[str]:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            return set(sa.inspect(engine).get_table_names(schema=schema))
        finally:
            engine.dispose()


def unavailable(backend: str, reason: str) -> None:
    """Skip (or, under ``LBACK_REQUIRE_SERVERS=1``, fail) a test that needs ``backend``."""
    message = (
        f"{backend} server not reachable ({reason}); "
        f"start it or set LBACK_TEST_{backend.upper()}_URL"
    )
    if os.environ.get("LBACK_REQUIRE_SERVERS") == "1":
        pytest.fail(message + " [LBACK_REQUIRE_SERVERS=1 makes this a failure]", pytrace=False)
    pytest.skip(message)


def _admin_engine(backend: str) -> sa.Engine:
    options = {"isolation_level": "AUTOCOMMIT"} if backend == "postgresql" else {}
    return sa.create_engine(SERVER_URLS[backend], poolclass=sa.pool.NullPool, **options)


@contextmanager
def server_database(backend: str) -> Iterator[Database]:
    """Create a uniquely named database on ``backend``'s server, and drop it afterwards."""
    if backend in _unreachable:
        unavailable(backend, _unreachable[backend])
    name = f"lback_test_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine(backend)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
            connection.commit()
    except sa.exc.OperationalError as error:
        engine.dispose()
        _unreachable[backend] = str(error.orig).splitlines()[0]
        unavailable(backend, _unreachable[backend])
    try:
        yield Database(backend, make_url(SERVER_URLS[backend]).set(database=name))
    finally:
        with engine.connect() as connection:
            force = " WITH (FORCE)" if backend == "postgresql" else ""
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
            connection.commit()
        engine.dispose()


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[Database]:
    """A new, empty database on ``backend`` (a file under ``directory`` for SQLite)."""
    if backend == "sqlite":
        yield Database("sqlite", make_url(f"sqlite:///{directory / 'test.db'}"))
    else:
        with server_database(backend) as database:
            yield database
