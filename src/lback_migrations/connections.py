"""The database connection an ``lback`` template's ``env.py`` runs on.

An application or a test suite may hand in its own Engine or Connection through
``config.attributes["connection"]`` (Alembic's cookbook pattern); otherwise ``env.py`` builds an
engine from the configuration. Either way a database that cannot be reached is reported as one
:class:`DatabaseConnectionError` line naming the host, port and database, password masked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .database_url import CONNECTION_ATTRIBUTE as CONNECTION_ATTRIBUTE
from .database_url import url_password
from .errors import ConfigurationError, DatabaseConnectionError
from .runners.redaction import Redactor

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


def _unreachable(url: URL, error: DBAPIError) -> DatabaseConnectionError:
    rendered = url.render_as_string(hide_password=False)
    masked = Redactor(filter(None, [url_password(rendered)]))
    reason = masked.text(" ".join(str(error.orig).split()))
    return DatabaseConnectionError(url.get_backend_name(), url.host, url.port, url.database, reason)


@contextmanager
def connected(connectable: object) -> Iterator[Connection]:
    """Yield a Connection for ``connectable``: the Connection itself, or a new one from an
    Engine (closed afterwards).

    :param connectable: a :class:`~sqlalchemy.engine.Engine` or
        :class:`~sqlalchemy.engine.Connection`.
    :raises DatabaseConnectionError: when the Engine cannot connect.
    :raises ConfigurationError: when ``connectable`` is neither.
    """
    if isinstance(connectable, Connection):
        yield connectable
        return
    if not isinstance(connectable, Engine):
        raise ConfigurationError(
            f'config.attributes["{CONNECTION_ATTRIBUTE}"]',
            f"is a {type(connectable).__name__}, neither a SQLAlchemy Engine nor a Connection",
            "hand in an Engine or a Connection",
        )
    try:
        connection = connectable.connect()
    except DBAPIError as error:
        raise _unreachable(connectable.url, error) from error
    with connection:
        yield connection


@asynccontextmanager
async def connected_async(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Yield a new connection of the async ``engine``, closed afterwards.

    :raises DatabaseConnectionError: when the engine cannot connect.
    """
    connection = engine.connect()
    try:
        await connection.start()
    except DBAPIError as error:
        raise _unreachable(engine.url, error) from error
    try:
        yield connection
    finally:
        await connection.close()
