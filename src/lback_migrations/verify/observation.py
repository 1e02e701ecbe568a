"""What each statement of a migration did to the shadow database, measured while it ran.

A :class:`StatementObserver` listens to SQLAlchemy's ``before_cursor_execute`` and
``after_cursor_execute`` events of the shadow connection. After every statement that changes
something (reads, ``PRAGMA`` and the version table's own statements are left out) it asks the
database, in one query on the same DBAPI connection and so in the same transaction, what it
holds:

- PostgreSQL: the relation locks of ``pg_backend_pid()`` in ``pg_locks`` (DDL locks last until
  the end of the transaction, so the statement's are still held when it returns), and each
  table's ``relfilenode``, which changes when the table is rewritten;
- MariaDB: each InnoDB table's id (``information_schema.INNODB_SYS_TABLES``), which changes
  when the table is rebuilt (the copy algorithm, or an in-place rebuild) and stays the same for
  an instant or in-place change; MariaDB shows no lock of its own connection, so none is
  reported;
- SQLite: each table's root page in ``sqlite_master``, which changes when a batch operation
  recreates the table (copy into ``_alembic_tmp_<name>``, drop, rename).

A statement's locks are all those its connection holds once it has run (its own and those of
the statements before it in the same transaction); the ones it acquired are those not held
after the statement before it. A table
is rewritten by a statement when its storage id differs from the one last seen in the same
step, so a table recreated under its own name counts too.
"""

from __future__ import annotations

import inspect
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

_UNOBSERVED = re.compile(
    r"^\s*(SELECT|PRAGMA|SHOW|WITH|EXPLAIN|DESCRIBE|SAVEPOINT|RELEASE)\b", re.IGNORECASE
)

_POSTGRESQL_LOCKS = """
SELECT 'lock', c.relname, l.mode::text FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND c.relkind IN ('r', 'p', 'm') AND n.nspname = current_schema()
"""
_POSTGRESQL_STORAGE = """
SELECT 'storage', c.relname, c.relfilenode::text FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname = current_schema()
"""
_MARIADB_STORAGE = """
SELECT 'storage', NAME, TABLE_ID FROM information_schema.INNODB_SYS_TABLES
WHERE NAME LIKE CONCAT(DATABASE(), '/%')
"""
_SQLITE_STORAGE = "SELECT 'storage', name, rootpage FROM sqlite_master WHERE type = 'table'"

WRITE_BLOCKING_LOCKS = frozenset(
    {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
)
"""PostgreSQL lock modes that block ``INSERT``, ``UPDATE`` and ``DELETE`` on the relation."""


@dataclass(frozen=True, order=True)
class Lock:
    """A lock a statement acquired: the relation and the lock mode (``AccessExclusiveLock``)."""

    relation: str
    mode: str

    def as_dict(self) -> dict[str, str]:
        """``{"relation", "mode"}``."""
        return {"relation": self.relation, "mode": self.mode}


@dataclass(frozen=True)
class StatementEffect:
    """One statement a migration ran, and what it did.

    :param direction: ``upgrade`` or ``downgrade``.
    :param sql: the statement as sent to the database.
    :param locks: the locks held once it has run (PostgreSQL).
    :param acquired: those of ``locks`` it acquired itself.
    :param rewrites: the tables it rewrote or recreated.
    :param seconds: the time it took.
    :param line: the line of the revision file whose call ran it, when one did.
    """

    direction: str
    sql: str
    locks: tuple[Lock, ...]
    acquired: tuple[Lock, ...]
    rewrites: tuple[str, ...]
    seconds: float
    line: int | None

    @property
    def blocks_writes(self) -> bool:
        """Whether writes to a table were blocked while it ran (a lock it or the statements
        before it in the transaction took), or it rewrote one."""
        return bool(self.rewrites) or any(lock.mode in WRITE_BLOCKING_LOCKS for lock in self.locks)

    def as_dict(self) -> dict[str, Any]:
        """The statement as in ``verify --output-format json``."""
        return {
            "direction": self.direction,
            "sql": self.sql,
            "locks": [lock.as_dict() for lock in self.locks],
            "acquired": [lock.as_dict() for lock in self.acquired],
            "rewrites": list(self.rewrites),
            "seconds": round(self.seconds, 6),
            "line": self.line,
        }


class StatementObserver:
    """Records the effects of the statements run on ``connection`` while :meth:`observing`.

    :param connection: the shadow connection the migrations run on.
    :param revision_files: the revision files, whose calls give each statement its line.
    :param version_table: Alembic's version table, whose statements are not recorded.
    """

    def __init__(
        self, connection: sa.Connection, revision_files: Mapping[str, str], version_table: str
    ) -> None:
        self.connection = connection
        self.files = {os.path.abspath(path) for path in revision_files}
        self.version_table_name = version_table
        self.version_table = re.compile(rf"\b{re.escape(version_table)}\b")
        dialect = connection.dialect.name
        self.lock_query = _POSTGRESQL_LOCKS if dialect == "postgresql" else None
        self.storage_query = {
            "postgresql": _POSTGRESQL_STORAGE,
            "mysql": _MARIADB_STORAGE,
            "mariadb": _MARIADB_STORAGE,
            "sqlite": _SQLITE_STORAGE,
        }.get(dialect)
        self._absolute: dict[str, str] = {}
        self._known_storage: dict[str, Any] | None = None

    @contextmanager
    def observing(
        self, direction: str, effects: list[StatementEffect] | None = None
    ) -> Iterator[list[StatementEffect]]:
        """Record every statement run in the block into the list it yields (``effects``, when
        given: a list the caller holds)."""
        if effects is None:
            effects = []
        if self._known_storage is None:
            self._known_storage = self._probe(self.connection.connection.dbapi_connection)[1]
        storage = self._known_storage
        # A step is a new transaction: it holds no lock yet. Each statement's locks are read once,
        # after it; the next statement starts from them.
        pending: dict[str, Any] = {"held": frozenset()}

        def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if not self._observed(statement):
                return
            pending["line"] = self._line()
            pending["start"] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if "start" not in pending or not self._observed(statement):
                return
            seconds = time.perf_counter() - pending.pop("start")
            held, now = self._probe(cursor.connection)
            rewritten = tuple(
                sorted(name for name, node in now.items() if storage.get(name, node) != node)
            )
            storage.update(now)
            pending["tables"] = now
            effects.append(
                StatementEffect(
                    direction=direction,
                    sql=statement.strip(),
                    locks=tuple(sorted(held)),
                    acquired=tuple(sorted(held - pending["held"])),
                    rewrites=rewritten,
                    seconds=seconds,
                    line=pending["line"],
                )
            )
            pending["held"] = held

        event.listen(self.connection, "before_cursor_execute", before)
        event.listen(self.connection, "after_cursor_execute", after)
        try:
            yield effects
        finally:
            event.remove(self.connection, "before_cursor_execute", before)
            event.remove(self.connection, "after_cursor_execute", after)
        if "tables" in pending:
            # the tables that exist now: a table dropped in this step is forgotten
            self._known_storage = dict(pending["tables"])

    def forget(self) -> None:
        """Forget the tables' storage ids: something not observed may have changed them."""
        self._known_storage = None

    def _observed(self, statement: str) -> bool:
        return not _UNOBSERVED.match(statement) and not self.version_table.search(statement)

    def _query(self, raw: Any, query: str) -> list[tuple[Any, ...]]:
        cursor = raw.cursor()
        try:
            cursor.execute(query)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def _probe(self, raw: Any) -> tuple[frozenset[Lock], dict[str, Any]]:
        """The locks held and each table's storage id, in one query where the server allows."""
        if self.storage_query is None:
            return frozenset(), {}
        query = self.storage_query
        if self.lock_query is not None:
            query = f"{self.lock_query} UNION ALL {query}"
        try:
            rows = self._query(raw, query)
        except Exception:  # a server that hides its storage ids: no rewrite can be seen
            self.storage_query = None
            return frozenset(), {}
        locks = frozenset(
            Lock(str(name), str(value))
            for kind, name, value in rows
            if kind == "lock" and name != self.version_table_name
        )
        storage = {
            str(name).rpartition("/")[2]: value for kind, name, value in rows if kind == "storage"
        }
        return locks, storage

    def _line(self) -> int | None:
        frame = inspect.currentframe()
        while frame is not None:
            filename = frame.f_code.co_filename
            absolute = self._absolute.get(filename)
            if absolute is None:
                absolute = self._absolute[filename] = os.path.abspath(filename)
            if absolute in self.files:
                return frame.f_lineno
            frame = frame.f_back
        return None
