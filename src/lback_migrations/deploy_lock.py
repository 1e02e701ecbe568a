"""The deploy lock: one migration run at a time per version table.

Alembic takes no lock around ``upgrade``: two deploys that start together both apply the same
revision. A run through the ``lback`` templates holds this lock from before it reads the
version table until it is done, so that a second run waits, then finds the work done.

- PostgreSQL: a session advisory lock (``pg_advisory_lock``) whose two keys are derived from
  the version table's schema and name; advisory locks are per database.
- MariaDB / MySQL: ``GET_LOCK`` on a name derived from the database name and the version
  table; ``GET_LOCK`` names are server-wide, hence the database name in it.
- SQLite: an exclusive ``flock`` on a file beside the database (``app.db`` ->
  ``app.db.lback-migrations.lock``), which holds who has the lock; an in-memory database has no
  other process to fear and takes no lock.

The server locks are taken on a connection of their own (the control connection), so that they
outlive the migrations' transactions and so that a waiting run can say who holds the lock.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import exc, text

from .errors import LbackError
from .signals import migration_lock_acquired, migration_lock_waiting, send_from_run
from .timeouts import POSTGRESQL_LOCK_NOT_AVAILABLE, describe_duration

if TYPE_CHECKING:
    from sqlalchemy import Connection

LOCK_FILE_SUFFIX = ".lback-migrations.lock"
MYSQL_LOCK_NAME_LIMIT = 64
_POSTGRESQL_NAMESPACE = zlib.crc32(b"lback-migrations") & 0x7FFFFFFF
_SQLITE_POLL_SECONDS = 0.05


class DeployLockTimeout(LbackError):
    """Another run held the deploy lock for longer than ``lback.migration_lock_timeout``.

    :param lock: the name of the lock.
    :param holder: who held it, as far as the database tells.
    :param timeout: the seconds waited.
    """

    def __init__(self, lock: str, holder: str, timeout: float) -> None:
        self.lock = lock
        self.holder = holder
        self.timeout = timeout
        super().__init__(
            f"lback.migration_lock_timeout: the deploy lock {lock} is still held by {holder} "
            f"after {describe_duration(timeout)}; wait for that run to finish, or raise "
            "lback.migration_lock_timeout"
        )


@dataclass(frozen=True)
class LockTarget:
    """What the deploy lock protects: one version table of one database.

    :param version_table: the version table's name.
    :param version_table_schema: its schema, ``None`` for the connection's default.
    :param target: the database, password masked, for messages and signals.
    """

    version_table: str
    version_table_schema: str | None
    target: str


def describe_holder_of_process() -> str:
    """How a run names itself to the runs waiting for it: host and process id."""
    return f"lback-migrations on {socket.gethostname()} pid {os.getpid()}"


@contextmanager
def deploy_lock(
    connection: Connection, control: Connection | None, what: LockTarget, timeout: float
) -> Iterator[str]:
    """Hold the deploy lock of ``what`` while the block runs; yields the lock's name.

    Waits up to ``timeout`` seconds for another run, saying once on standard error that it
    waits and for whom, and sending :data:`~lback_migrations.signals.migration_lock_waiting`;
    sends :data:`~lback_migrations.signals.migration_lock_acquired` once it holds the lock.

    :param connection: the migrations' connection (its database is the one locked).
    :param control: a second, autocommit connection to the same database, which holds the lock
        on PostgreSQL and MariaDB; ``None`` on SQLite.
    :raises DeployLockTimeout: when the lock is still held after ``timeout``.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql" and control is not None:
        lock: _Lock = _PostgresqlLock(control, what)
    elif dialect in {"mysql", "mariadb"} and control is not None:
        lock = _MysqlLock(control, what)
    elif dialect == "sqlite":
        lock = _FileLock(connection.engine.url.database)
    else:
        yield ""
        return
    started = time.monotonic()
    if not lock.try_acquire():
        holder = lock.holder()
        sys.stderr.write(
            f"waiting for the deploy lock {lock.name} held by {holder} (up to "
            f"{describe_duration(timeout)}, lback.migration_lock_timeout)\n"
        )
        sys.stderr.flush()
        send_from_run(
            migration_lock_waiting,
            lock=lock.name,
            holder=holder,
            timeout=timeout,
            target=what.target,
        )
        if not lock.acquire(timeout):
            raise DeployLockTimeout(lock.name, lock.holder(), timeout)
    send_from_run(
        migration_lock_acquired,
        lock=lock.name,
        waited=time.monotonic() - started,
        target=what.target,
    )
    try:
        yield lock.name
    finally:
        lock.release()


class _Lock:
    name: str

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def acquire(self, timeout: float) -> bool:
        raise NotImplementedError

    def holder(self) -> str:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class _PostgresqlLock(_Lock):
    def __init__(self, control: Connection, what: LockTarget) -> None:
        self.control = control
        # One round trip: the default schema, and a name for this run in pg_stat_activity
        # unless the URL gave the connection one.
        default_schema = control.scalar(
            text(
                "SELECT current_schema() FROM (SELECT set_config('application_name', "
                "COALESCE(NULLIF(current_setting('application_name'), ''), :name), false)) named"
            ),
            {"name": describe_holder_of_process()[:63]},
        )
        schema = what.version_table_schema or default_schema
        qualified = f"{schema}.{what.version_table}"
        self.keys = {
            "namespace": _POSTGRESQL_NAMESPACE,
            "table": zlib.crc32(qualified.encode()) & 0x7FFFFFFF,
        }
        keys = f"{self.keys['namespace']}, {self.keys['table']}"
        self.name = f"pg_advisory_lock({keys}) of {qualified}"

    def try_acquire(self) -> bool:
        return bool(
            self.control.scalar(text("SELECT pg_try_advisory_lock(:namespace, :table)"), self.keys)
        )

    def acquire(self, timeout: float) -> bool:
        self.control.execute(
            text("SELECT set_config('lock_timeout', :wait, false)"),
            {"wait": str(max(1, round(timeout * 1000)))},
        )
        try:
            self.control.execute(text("SELECT pg_advisory_lock(:namespace, :table)"), self.keys)
        except exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) == POSTGRESQL_LOCK_NOT_AVAILABLE:
                return False
            raise
        finally:
            self.control.execute(text("SELECT set_config('lock_timeout', '0', false)"))
        return True

    def holder(self) -> str:
        row = self.control.execute(
            text(
                "SELECT a.pid, a.application_name, a.client_addr FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                "AND l.classid = :namespace AND l.objid = :table "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            self.keys,
        ).first()
        if row is None:
            return "a run that has just finished"
        pid, application, address = row
        where = f" from {address}" if address else ""
        return f"pid {pid} ({application or 'no application_name'}){where}"

    def release(self) -> None:
        self.control.execute(text("SELECT pg_advisory_unlock(:namespace, :table)"), self.keys)


class _MysqlLock(_Lock):
    def __init__(self, control: Connection, what: LockTarget) -> None:
        self.control = control
        database = what.version_table_schema or control.scalar(text("SELECT DATABASE()"))
        name = f"lback-migrations:{database}.{what.version_table}"
        if len(name) > MYSQL_LOCK_NAME_LIMIT:
            digest = hashlib.sha256(name.encode()).hexdigest()[:32]
            name = f"lback-migrations:{digest}"
        self.name = name

    def try_acquire(self) -> bool:
        return bool(
            self.control.scalar(text("SELECT GET_LOCK(:name, 0)"), {"name": self.name}) == 1
        )

    def acquire(self, timeout: float) -> bool:
        acquired = self.control.scalar(
            text("SELECT GET_LOCK(:name, :timeout)"), {"name": self.name, "timeout": timeout}
        )
        return bool(acquired == 1)

    def holder(self) -> str:
        row = self.control.execute(
            text(
                "SELECT p.ID, p.USER, p.HOST FROM information_schema.PROCESSLIST p "
                "WHERE p.ID = IS_USED_LOCK(:name)"
            ),
            {"name": self.name},
        ).first()
        if row is None:
            return "a run that has just finished"
        connection_id, user, host = row
        return f"connection {connection_id} ({user}@{host})"

    def release(self) -> None:
        self.control.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": self.name})


class _FileLock(_Lock):
    def __init__(self, database: str | None) -> None:
        self.path: Path | None = None
        self.stream: IO[str] | None = None
        self.name = "(none: in-memory database)"
        if database and database != ":memory:" and not database.startswith("file::memory:"):
            self.path = Path(database).absolute().with_name(Path(database).name + LOCK_FILE_SUFFIX)
            self.name = str(self.path)

    def try_acquire(self) -> bool:
        if self.path is None:
            return True
        import fcntl

        stream = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stream.close()
            return False
        stream.seek(0)
        stream.truncate()
        stream.write(f"{describe_holder_of_process()} since {time.strftime('%H:%M:%S')}\n")
        stream.flush()
        self.stream = stream
        return True

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            time.sleep(_SQLITE_POLL_SECONDS)
        return True

    def holder(self) -> str:
        try:
            written = self.path.read_text(encoding="utf-8").strip() if self.path else ""
        except OSError:
            written = ""
        return written or "another process"

    def release(self) -> None:
        if self.stream is None:
            return
        import fcntl

        self.stream.seek(0)
        self.stream.truncate()
        self.stream.flush()
        fcntl.flock(self.stream.fileno(), fcntl.LOCK_UN)
        self.stream.close()
        self.stream = None
