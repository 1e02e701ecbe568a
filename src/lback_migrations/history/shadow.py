"""Shadow databases: empty databases made for one command on the configured server, then
dropped.

SQLite gets a file in a temporary directory. PostgreSQL and MySQL / MariaDB get a database named
``lback_shadow_<random>`` on the configured server, created and dropped through the configured
URL (its user needs the right to create databases). Async drivers are driven through
SQLAlchemy's asyncio extension.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ..errors import LbackError

T = TypeVar("T")

SERVER_BACKENDS = ("postgresql", "mysql", "mariadb")


class ShadowDatabaseError(LbackError):
    """No shadow database can be made on the configured server.

    :param backend: the backend of the configured URL.
    :param problem: what went wrong, with the fix.
    """

    def __init__(self, backend: str, problem: str) -> None:
        self.backend = backend
        self.problem = problem
        super().__init__(f"shadow database on {backend}: {problem}")


def on_connection(url: URL, work: Callable[[sa.Connection], T], *, autocommit: bool = False) -> T:
    """Run ``work`` on a connection to ``url`` (sync or async driver) in a transaction that is
    committed, or in autocommit mode."""
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.get_dialect().is_async:
        from sqlalchemy.ext.asyncio import create_async_engine

        async def run_async() -> T:
            engine = create_async_engine(url, poolclass=sa.pool.NullPool, **options)
            try:
                async with engine.begin() as connection:
                    return await connection.run_sync(work)
            finally:
                await engine.dispose()

        return asyncio.run(run_async())
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, **options)
    try:
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()


@contextmanager
def shadow_database(url: URL) -> Iterator[URL]:
    """An empty database beside the one ``url`` names, dropped on leaving.

    :returns: the URL of the shadow database (same driver, user and server).
    :raises ShadowDatabaseError: for a backend other than SQLite, PostgreSQL and MySQL /
        MariaDB, or when the server refuses to create the database.
    """
    backend = url.get_backend_name()
    name = f"lback_shadow_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="lback-shadow-") as directory:
            yield url.set(database=str(Path(directory) / f"{name}.db"))
        return
    if backend not in SERVER_BACKENDS:
        raise ShadowDatabaseError(
            backend, "only SQLite, PostgreSQL and MySQL/MariaDB are supported"
        )

    def execute(statement: str) -> Callable[[sa.Connection], object]:
        return lambda connection: connection.execute(sa.text(statement))

    try:
        on_connection(url, execute(f"CREATE DATABASE {name}"), autocommit=True)
    except sa.exc.DBAPIError as error:
        problem = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        raise ShadowDatabaseError(
            backend, f"cannot create a database ({problem}): grant the user CREATE DATABASE"
        ) from None
    try:
        yield url.set(database=name)
    finally:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        on_connection(url, execute(f"DROP DATABASE IF EXISTS {name}{force}"), autocommit=True)
