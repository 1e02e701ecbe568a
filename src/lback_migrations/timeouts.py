"""Lock and statement timeouts of a migration run, and the errors that say a lock timed out.

``lback.lock_timeout`` bounds how long one statement of a migration waits for a lock (a busy
table) before it fails, so that a migration never stalls every query queued behind it;
``lback.statement_timeout`` bounds how long one statement runs. Each backend spells them its
own way:

- PostgreSQL: the ``lock_timeout`` and ``statement_timeout`` settings of the session;
- MariaDB: ``lock_wait_timeout`` (metadata locks, which DDL waits on),
  ``innodb_lock_wait_timeout`` (row locks, which data migrations wait on) and
  ``max_statement_time``; MySQL has no statement timeout for DDL and gets none;
- SQLite: ``PRAGMA busy_timeout`` (the time to wait for another connection's write lock); there
  is no statement timeout.

A revision file may state its own values as module-level names, which hold for that revision
only::

    lock_timeout = "30s"
    statement_timeout = "10min"

SQLAlchemy is imported only by what talks to a database: reading the options (which the
``lint`` command does) needs none of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if TYPE_CHECKING:
    from sqlalchemy import Connection

DISABLED_WORDS = frozenset({"", "off", "none", "false", "0"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}

REVISION_OPTIONS = ("lock_timeout", "statement_timeout")
"""The module-level names a revision file may set to override the run's timeouts."""

POSTGRESQL_LOCK_NOT_AVAILABLE = "55P03"
POSTGRESQL_QUERY_CANCELED = "57014"
MYSQL_LOCK_WAIT_TIMEOUT = 1205
SQLITE_LONGEST_BUSY_TIMEOUT = "2147483647"
MARIADB_STATEMENT_TIMEOUT = 1969


def parse_duration(value: Any, key: str, source: str | None) -> float:
    """Read a duration in seconds: ``5s``, ``500ms``, ``2min``, ``1h`` or a bare number of
    seconds.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigurationError(
            key,
            f"expected a duration, got {value!r}",
            "write a number with a unit: 500ms, 5s, 2min or 1h",
            source,
        )
    return float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]


def parse_optional_duration(value: Any, key: str, source: str | None) -> float | None:
    """Read a duration, or ``off`` (also ``0``, ``none``, ``false``, empty) for no timeout.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, str) and value.strip().lower() in DISABLED_WORDS:
        return None
    if value == 0 and not isinstance(value, bool):
        return None
    return parse_duration(value, key, source)


def parse_count(value: Any, key: str, source: str | None) -> int:
    """Read a count: a whole number, zero or more.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ConfigurationError(
        key, f"expected a whole number, got {value!r}", "write 0 or more, as 3", source
    )


def describe_duration(seconds: float) -> str:
    """``seconds`` as the user would write it: ``5s``, ``500ms``, ``2min``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}min"
    return f"{seconds:g}s"


@dataclass(frozen=True)
class Timeouts:
    """The timeouts one migration runs with; ``None`` means no limit.

    :param lock_timeout: seconds a statement waits for a lock.
    :param statement_timeout: seconds a statement runs.
    """

    lock_timeout: float | None = None
    statement_timeout: float | None = None

    def for_revision(self, module: ModuleType | None, source: str) -> Timeouts:
        """These timeouts with the overrides a revision ``module`` states.

        :param source: the revision file, for error messages.
        :raises ConfigurationError: naming the revision file when a value cannot be read.
        """
        if module is None:
            return self
        values = {
            name: parse_optional_duration(getattr(module, name), name, source)
            if hasattr(module, name)
            else getattr(self, name)
            for name in REVISION_OPTIONS
        }
        return Timeouts(**values)

    def apply(self, connection: Connection) -> None:
        """Set these timeouts on ``connection``'s session (PostgreSQL, MariaDB/MySQL, SQLite).

        Other backends are left alone.
        """
        from sqlalchemy import text

        for statement, parameters in self._statements(connection):
            connection.execute(text(statement), parameters)

    def _statements(self, connection: Connection) -> list[tuple[str, dict[str, Any]]]:
        dialect = connection.dialect
        lock, statement = self.lock_timeout, self.statement_timeout
        if dialect.name == "postgresql":
            return [
                (
                    "SELECT set_config('lock_timeout', :lock, false), "
                    "set_config('statement_timeout', :statement, false)",
                    {"lock": _milliseconds(lock), "statement": _milliseconds(statement)},
                )
            ]
        if dialect.name in {"mysql", "mariadb"}:
            # MariaDB accepts whole seconds only for lock waits, and at least 1; a year stands
            # for "no limit", as the servers' own default does.
            wait = 31536000 if lock is None else max(1, math.ceil(lock))
            statements: list[tuple[str, dict[str, Any]]] = [
                (
                    "SET SESSION lock_wait_timeout = :wait, innodb_lock_wait_timeout = :wait",
                    {"wait": wait},
                )
            ]
            if getattr(dialect, "is_mariadb", False):
                statements.append(
                    (
                        "SET SESSION max_statement_time = :seconds",
                        {"seconds": 0 if statement is None else statement},
                    )
                )
            return statements
        if dialect.name == "sqlite":
            # busy_timeout 0 would mean "never wait": no limit is the largest value it takes
            busy = SQLITE_LONGEST_BUSY_TIMEOUT if lock is None else _milliseconds(lock)
            return [(f"PRAGMA busy_timeout = {busy}", {})]
        return []


def _milliseconds(seconds: float | None) -> str:
    return "0" if seconds is None else str(max(1, round(seconds * 1000)))


def is_lock_timeout(error: BaseException) -> bool:
    """Whether ``error`` says a statement gave up waiting for a lock.

    PostgreSQL ``lock_not_available``, MySQL/MariaDB error 1205, SQLite ``database is locked``.
    """
    from sqlalchemy import exc

    if not isinstance(error, exc.DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) == POSTGRESQL_LOCK_NOT_AVAILABLE:
        return True
    arguments: tuple[Any, ...] = getattr(original, "args", ())
    if arguments and arguments[0] == MYSQL_LOCK_WAIT_TIMEOUT:
        return True
    return "database is locked" in str(original)


def is_statement_timeout(error: BaseException) -> bool:
    """Whether ``error`` says a statement ran longer than ``statement_timeout``."""
    from sqlalchemy import exc

    if not isinstance(error, exc.DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) == POSTGRESQL_QUERY_CANCELED:
        return "statement timeout" in str(original)
    arguments: tuple[Any, ...] = getattr(original, "args", ())
    return bool(arguments) and arguments[0] == MARIADB_STATEMENT_TIMEOUT
