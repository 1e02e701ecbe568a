"""The shadow database: where ``verify`` runs the migrations, never the configured database.

By default a new database is created on the server of the configured URL, named
``<name>_lback_shadow_<random>``, and dropped when the run ends, however it ends (an error, a
failed migration, Ctrl-C). On SQLite it is a file in a new temporary directory, removed with
it. ``--shadow-url`` names a database to use instead: it must hold no table, and every table
and type the run created in it is dropped at the end.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from ..errors import LbackError

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql.base import PGInspector

SHADOW_MARK = "_lback_shadow_"
"""What every shadow database's name holds between the configured name and the random part."""
_NAME_LIMIT = 63  # PostgreSQL's identifier limit; MariaDB allows 64


class ShadowDatabaseError(LbackError):
    """The shadow database could not be created, emptied or used.

    :param problem: what went wrong, in one sentence (never the URL nor its password).
    :param fix: what to do about it.
    """

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"shadow database: {problem}; {fix}")


def shadow_name(database: str | None) -> str:
    """A new name ``<database>_lback_shadow_<random>`` that fits every server's limit."""
    suffix = SHADOW_MARK + secrets.token_hex(4)
    return (database or "lback")[: _NAME_LIMIT - len(suffix)] + suffix


@contextmanager
def shadow_database(configured: URL, shadow_url: URL | None = None) -> Iterator[URL]:
    """The URL of a shadow database for one run, cleaned up when the block ends.

    :param configured: the configured database URL; only its server is used.
    :param shadow_url: ``--shadow-url``: an existing empty database to use instead.
    :raises ShadowDatabaseError: when it cannot be created, or ``shadow_url`` is not empty.
    """
    if shadow_url is not None:
        with _given_database(shadow_url):
            yield shadow_url
        return
    if configured.get_backend_name() == "sqlite":
        directory = tempfile.mkdtemp(prefix="lback_shadow_")
        try:
            yield configured.set(database=str(Path(directory) / "shadow.db"))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    name = shadow_name(configured.database)
    administration = _administration_engine(configured)
    try:
        _create(administration, name)
        try:
            yield configured.set(database=name)
        finally:
            _drop(administration, name)
    finally:
        administration.dispose()


def _administration_engine(url: URL) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")


def _quoted(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote_identifier(name)


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _create(engine: sa.Engine, name: str) -> None:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {_quoted(engine, name)}")
    except sa.exc.DBAPIError as error:
        if _is_refusal(error):
            raise ShadowDatabaseError(
                f"the user of the configured URL may not create databases ({_first_line(error)})",
                "pass --shadow-url with the URL of an empty database verify may use",
            ) from error
        raise ShadowDatabaseError(
            f"could not create {name} ({_first_line(error)})",
            "check that the server of the configured URL is running, or pass --shadow-url",
        ) from error


def _is_refusal(error: sa.exc.DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "42501":  # PostgreSQL: insufficient_privilege
        return True
    arguments: tuple[Any, ...] = getattr(error.orig, "args", ())
    # MariaDB: 1044 access denied to a database, 1227 a privilege is needed
    return bool(arguments) and arguments[0] in (1044, 1227)


def _drop(engine: sa.Engine, name: str) -> None:
    force = " WITH (FORCE)" if engine.dialect.name == "postgresql" else ""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(engine, name)}{force}")


@contextmanager
def _given_database(url: URL) -> Iterator[None]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        try:
            tables = sa.inspect(engine).get_table_names()
        except sa.exc.DBAPIError as error:
            raise ShadowDatabaseError(
                f"could not connect to --shadow-url ({_first_line(error)})",
                "pass the URL of an existing, empty database",
            ) from error
        if tables:
            raise ShadowDatabaseError(
                f"the --shadow-url database holds {len(tables)} table(s)",
                "pass the URL of an empty database: verify drops what it creates there",
            )
        try:
            yield
        finally:
            with engine.connect() as connection:
                empty(connection)
    finally:
        engine.dispose()


def empty(connection: sa.Connection) -> None:
    """Drop every table (and, on PostgreSQL, every enumerated type) of ``connection``'s
    database, and commit."""
    if connection.in_transaction():
        connection.rollback()
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    metadata.drop_all(connection)
    if connection.dialect.name == "postgresql":
        inspector = cast("PGInspector", sa.inspect(connection))
        for enum in inspector.get_enums():
            name = connection.dialect.identifier_preparer.quote_identifier(enum["name"])
            connection.exec_driver_sql(f"DROP TYPE IF EXISTS {name}")
    connection.commit()


def parse_shadow_url(text: str | None) -> URL | None:
    """``--shadow-url``'s value as a URL (``None`` when not given).

    :raises ShadowDatabaseError: when it is not a database URL (the value is not repeated).
    """
    if text is None:
        return None
    try:
        return make_url(text)
    except sa.exc.ArgumentError as error:
        raise ShadowDatabaseError(
            "--shadow-url is not a database URL", "pass it as dialect+driver://user@host/name"
        ) from error
