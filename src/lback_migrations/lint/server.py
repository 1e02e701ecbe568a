"""What the linter asks of the configured database when it answers quickly.

The linter judges some operations by the server's release (PostgreSQL 11 adds a column with a
constant default without rewriting the table; MariaDB 10.3 adds columns instantly), and a
replaced view or function by what depends on it in the database
(:mod:`lback_migrations.lint.dependants`). :func:`read_server` connects to the configured
database once, for a moment, and reads both. A database that is not there, refuses the
connection or needs longer than :data:`CONNECT_SECONDS` gives ``None`` for each (the rules then
judge by the oldest supported release, and by the declared entities); nothing of the URL or of
the error is shown.
"""

from __future__ import annotations

from typing import NamedTuple

from .dependants import EntityDependants

CONNECT_SECONDS = 3
_TIMEOUT_ARGUMENTS = {"postgresql": "connect_timeout", "mysql": "connect_timeout"}


class ServerFacts(NamedTuple):
    """What the database said: its release (``(15, 4)``) and, on PostgreSQL when asked, what
    depends on each view, materialized view and function; ``None`` where it could not say."""

    release: tuple[int, ...] | None = None
    dependants: tuple[EntityDependants, ...] | None = None


def read_server(url: str | None, *, dependants: bool = False) -> ServerFacts:
    """Read the release of the server at ``url`` and, with ``dependants`` on PostgreSQL, what
    depends on what; :class:`ServerFacts` of ``None`` when it cannot be read."""
    if not url:
        return ServerFacts()
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from .dependants import database_dependants

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        timeout = _TIMEOUT_ARGUMENTS.get(backend)
        if timeout is None or parsed.get_driver_name() in {"asyncpg", "aiomysql", "asyncmy"}:
            return ServerFacts()
        engine = create_engine(parsed, connect_args={timeout: CONNECT_SECONDS}, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                release = connection.dialect.server_version_info
                found = (
                    database_dependants(connection)
                    if dependants and backend == "postgresql"
                    else None
                )
        finally:
            engine.dispose()
    except Exception:  # unreachable, refused, no driver: judge by what the files say
        return ServerFacts()
    parts = tuple(part for part in release if isinstance(part, int)) if release else None
    return ServerFacts(parts or None, found)
