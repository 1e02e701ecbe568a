"""The target server's release, asked of the configured database when it answers quickly.

The linter judges some operations by the server's release (PostgreSQL 11 adds a column with a
constant default without rewriting the table; MariaDB 10.3 adds columns instantly). With no
``server_version`` option, :func:`server_release` connects to the configured database for a
moment and reads the release its dialect reports. A database that is not there, refuses the
connection or needs longer than :data:`CONNECT_SECONDS` gives ``None`` (the rules then judge by
the oldest supported release); nothing of the URL or of the error is shown.
"""

from __future__ import annotations

CONNECT_SECONDS = 3
_TIMEOUT_ARGUMENTS = {"postgresql": "connect_timeout", "mysql": "connect_timeout"}


def server_release(url: str | None) -> tuple[int, ...] | None:
    """The release of the server at ``url`` (``(15, 4)``), or ``None`` when it cannot be read."""
    if not url:
        return None
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        timeout = _TIMEOUT_ARGUMENTS.get(backend)
        if timeout is None or parsed.get_driver_name() in {"asyncpg", "aiomysql", "asyncmy"}:
            return None
        engine = create_engine(parsed, connect_args={timeout: CONNECT_SECONDS}, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                release = connection.dialect.server_version_info
        finally:
            engine.dispose()
    except Exception:  # unreachable, refused, no driver: judge by the oldest release
        return None
    if not release:
        return None
    return tuple(part for part in release if isinstance(part, int))
