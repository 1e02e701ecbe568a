"""Applying migrations safely: the policy ``env.py`` runs ``upgrade``, ``downgrade`` and
``stamp`` with.

:meth:`Deployment.run` replaces ``with context.begin_transaction(): context.run_migrations()``:

1. it takes the deploy lock (:mod:`lback_migrations.deploy_lock`);
2. it sets the lock and statement timeouts (:mod:`lback_migrations.timeouts`), and on SQLite
   makes every migration's transaction a real one (``BEGIN IMMEDIATE``), so that DDL rolls
   back there as on PostgreSQL;
3. it records the statements each revision runs;
4. when a revision fails on a lock timeout and nothing of it stayed applied, it retries from the
   revision's start, with backoff, up to ``lback.lock_timeout_retries`` times;
5. when the run fails or is interrupted (SIGINT, SIGTERM: the statement running on the server
   is cancelled first), it raises :class:`~lback_migrations.failure_report.MigrationFailed`
   with a :class:`~lback_migrations.failure_report.FailureReport` and sends
   :data:`~lback_migrations.signals.migration_step_failed` with the same facts.

Every other command (``current``, ``check``, ``revision --autogenerate``) and the offline
``--sql`` mode run as Alembic runs them.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event

from .deploy_lock import LockTarget, deploy_lock
from .failure_report import (
    FailureReport,
    MigrationFailed,
    changes_schema_or_data,
    committed_without_transaction,
    masked_sql,
)
from .runners.redaction import Redactor
from .signals import migration_step_failed, send_from_run
from .timeouts import Timeouts, describe_duration, is_lock_timeout, is_statement_timeout

if TYPE_CHECKING:
    from alembic.runtime.environment import EnvironmentContext
    from alembic.runtime.migration import MigrationContext, MigrationInfo
    from sqlalchemy import Connection

    from .settings import Settings

APPLY_POLICY_ATTRIBUTE = "lback.apply_policy"
"""``config.attributes`` key: set it false to run migrations as Alembic alone would, without the
deploy lock, the timeouts and retries, the failure reports and the checksum records (``verify``
does on its shadow database, whose statements it observes)."""

SCHEMA_ARGUMENT = "schema"
"""The ``-x`` argument naming the schema a run migrates (``-x schema=tenant_1``)."""
SERVER_DIALECTS = frozenset({"postgresql", "mysql", "mariadb"})
FIRST_RETRY_DELAY = 0.5
"""Seconds before the first retry after a lock timeout; each further retry waits twice as long."""
LONGEST_RETRY_DELAY = 8.0
_CONCURRENT_RUN_MARKS = ("pg_type_typname_nsp_index", "expected to match one row")


@dataclass
class _Attempt:
    """What one attempt at the run has done so far."""

    plan: list[Any]
    done: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    running: str | None = None

    @property
    def step(self) -> Any:
        return self.plan[len(self.done)] if len(self.done) < len(self.plan) else None


class Deployment:
    """The apply policy of one run, configured by ``settings``.

    :param settings: the ``lback.*`` options.
    :param schema: the schema every unqualified table goes to (``-x schema=NAME``), or ``None``.
    """

    def __init__(self, settings: Settings, *, schema: str | None = None) -> None:
        self.settings = settings
        self.schema = schema
        self.target = ""
        self.timeouts = Timeouts(settings.lock_timeout, settings.statement_timeout)
        self._attempt = _Attempt(plan=[])
        self._override: Timeouts | None = None
        self._connection: Connection | None = None
        self._interrupted_by: str | None = None

    # -- what context.configure receives -------------------------------------------------------

    def step_applied(
        self,
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        """The ``on_version_apply`` callback: a revision is done; the next one starts clean."""
        attempt = self._attempt
        # For a downgrade too, the "up" revision is the one the step is about (it reverts it).
        attempt.done.append(str(step.up_revision_id))
        attempt.statements = []
        if self._connection is not None:
            self._use_timeouts_of(attempt.step)

    # -- the run -------------------------------------------------------------------------------

    def run(self, context: EnvironmentContext) -> None:
        """Run the migrations of ``context`` under this policy.

        :raises MigrationFailed: with the report, when a revision fails or the run is stopped.
        :raises DeployLockTimeout: when another run holds the deploy lock too long.
        """
        migration_context = context.get_context()
        connection = migration_context.connection
        if connection is None or "destination_rev" not in migration_context.opts:
            with context.begin_transaction():
                context.run_migrations()
            return
        dialect = connection.dialect.name
        external = connection.in_transaction()
        if self.schema:
            _send_tables_to(connection, self.schema)
        self.target = describe_target(connection)
        with ExitStack() as stack:
            control = None
            if dialect in SERVER_DIALECTS:
                control = connection.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
                stack.callback(control.close)
            if self.settings.migration_lock:
                what = LockTarget(
                    migration_context.version_table,
                    migration_context.version_table_schema,
                    self.target,
                )
                stack.enter_context(
                    deploy_lock(connection, control, what, self.settings.migration_lock_timeout)
                )
            server_id = _server_id(connection)
            self.timeouts.apply(connection)
            if not external:
                connection.commit()
                stack.enter_context(_transactional_sqlite(connection))
            self._connection = connection
            stack.callback(setattr, self, "_connection", None)
            stack.enter_context(self._recording(connection))
            stack.enter_context(self._cancelling_on_signal(control, dialect, server_id))
            self._run_with_retries(context, migration_context, connection, control, external)

    def _run_with_retries(
        self,
        context: EnvironmentContext,
        migration_context: MigrationContext,
        connection: Connection,
        control: Connection | None,
        external: bool,
    ) -> None:
        retries = 0
        while True:
            self._attempt = _Attempt(plan=_plan(migration_context))
            self._override = None
            try:
                self._use_timeouts_of(self._attempt.step)
                with context.begin_transaction():
                    context.run_migrations()
            except BaseException as error:
                rolled_back = _rolls_back_ddl(connection)
                attempt = self._attempt
                stays_applied = not rolled_back and bool(attempt.statements)
                can_retry = retries < self.settings.lock_timeout_retries and not stays_applied
                if is_lock_timeout(error) and can_retry and self._interrupted_by is None:
                    retries += 1
                    self._announce_retry(error, retries)
                    if not external and connection.in_transaction():
                        connection.rollback()
                    continue
                report = self._report(
                    error, migration_context, connection, control, external, rolled_back
                )
                send_from_run(migration_step_failed, **report.as_dict())
                if isinstance(error, Exception):
                    raise MigrationFailed(report) from error
                # An interrupt or a runner's deadline stays what it is, for the caller to
                # see; the report goes to standard error first.
                sys.stderr.write(report.text() + "\n")
                sys.stderr.flush()
                raise
            # Alembic commits each migration; what it ran before the first (creating the
            # version table) is committed here, as it would have committed on its own.
            if not external and connection.in_transaction():
                connection.commit()
            return

    def _announce_retry(self, error: BaseException, retry: int) -> None:
        delay = min(FIRST_RETRY_DELAY * 2 ** (retry - 1), LONGEST_RETRY_DELAY)
        attempt = self._attempt
        revision = _revision_of(attempt.step) or "the run"
        waited = self._current_timeouts().lock_timeout
        limit = describe_duration(waited) if waited is not None else "the backend's limit"
        statement = f" at {masked_sql(attempt.running)}" if attempt.running else ""
        sys.stderr.write(
            f"revision {revision} waited longer than {limit} for a lock (lback.lock_timeout)"
            f"{statement}; rolled back, retry {retry} of {self.settings.lock_timeout_retries} "
            f"in {describe_duration(delay)}\n"
        )
        sys.stderr.flush()
        time.sleep(delay)

    # -- timeouts per revision -----------------------------------------------------------------

    def _current_timeouts(self) -> Timeouts:
        return self._override or self.timeouts

    def _use_timeouts_of(self, step: Any) -> None:
        script = getattr(step, "revision", None)
        wanted = self.timeouts.for_revision(
            getattr(script, "module", None), str(getattr(script, "path", "revision"))
        )
        if wanted == self._current_timeouts() or self._connection is None:
            return
        wanted.apply(self._connection)
        self._override = None if wanted == self.timeouts else wanted

    # -- statements ----------------------------------------------------------------------------

    @contextmanager
    def _recording(self, connection: Connection) -> Iterator[None]:
        version_table = self.settings.version_table

        def before(conn: Connection, cursor: Any, statement: str, *rest: Any) -> None:
            self._attempt.running = statement

        def after(conn: Connection, cursor: Any, statement: str, *rest: Any) -> None:
            self._attempt.running = None
            if changes_schema_or_data(statement) and version_table not in statement:
                self._attempt.statements.append(statement)

        event.listen(connection, "before_cursor_execute", before)
        event.listen(connection, "after_cursor_execute", after)
        try:
            yield
        finally:
            event.remove(connection, "before_cursor_execute", before)
            event.remove(connection, "after_cursor_execute", after)

    # -- interrupts ----------------------------------------------------------------------------

    @contextmanager
    def _cancelling_on_signal(
        self, control: Connection | None, dialect: str, server_id: int | None
    ) -> Iterator[None]:
        """Turn SIGINT and SIGTERM into :class:`KeyboardInterrupt`, cancelling the statement
        running on the server first: once the exception unwinds, the rollback would otherwise
        wait for that statement to finish."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            self._interrupted_by = signal.Signals(signum).name
            if control is not None and server_id is not None:
                _cancel(control, dialect, server_id)
            raise KeyboardInterrupt(self._interrupted_by)

        stopping = (signal.SIGINT, signal.SIGTERM)
        previous = {number: signal.signal(number, stop) for number in stopping}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    # -- the report ----------------------------------------------------------------------------

    def _report(
        self,
        error: BaseException,
        migration_context: MigrationContext,
        connection: Connection,
        control: Connection | None,
        external: bool,
        rolled_back: bool,
    ) -> FailureReport:
        attempt = self._attempt
        step = attempt.step
        password = connection.engine.url.password
        hide = Redactor([str(password)] if password else []).text
        # Read before the version table is: on SQLite that query runs on this connection too.
        running = hide(masked_sql(attempt.running)) if attempt.running else None
        run = [hide(masked_sql(sql)) for sql in attempt.statements]
        applied = [] if rolled_back else committed_without_transaction(attempt.statements)
        table = migration_context.version_table
        schema = migration_context.version_table_schema
        versions = _read_versions(control or connection, table, schema, external)
        message = hide(_one_line(error, self._interrupted_by))
        revision = _revision_of(step)
        concurrent = any(mark in str(error) for mark in _CONCURRENT_RUN_MARKS) or (
            revision is not None and versions is not None and revision in versions
        )
        per_migration = migration_context._transaction_per_migration or not (
            migration_context.impl.transactional_ddl
        )
        return FailureReport(
            target=self.target,
            revision=revision,
            direction=None if step is None else ("upgrade" if step.is_upgrade else "downgrade"),
            statement=running,
            error=message,
            statements_run=tuple(run),
            rolled_back=rolled_back,
            statements_applied=tuple(hide(masked_sql(sql)) for sql in applied),
            downgrade_sql=tuple(_downgrade_sql(step, connection) if applied else ()),
            rolled_back_revisions=() if per_migration or not rolled_back else tuple(attempt.done),
            version_table=f"{schema}.{table}" if schema else table,
            versions=versions,
            interrupted=self._interrupted_by is not None,
            concurrent=concurrent and self._interrupted_by is None,
        )


def _send_tables_to(connection: Connection, schema: str) -> None:
    """Make ``schema`` the home of every unqualified table of the run.

    SQLAlchemy's constructs (``CREATE TABLE``, inserts) follow ``schema_translate_map``;
    Alembic's own ``ALTER`` statements name the table as the revision does, so on PostgreSQL the
    session's ``search_path`` points there too.
    """
    # SQLAlchemy 2 sets a Connection's execution options in place.
    connection.execution_options(schema_translate_map={None: schema})
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT set_config('search_path', :path, false)"),
            {"path": connection.dialect.identifier_preparer.quote(schema)},
        )


def describe_target(connection: Connection) -> str:
    """How messages and signals name the database of ``connection``: its URL, password
    masked, and ``#schema`` when a schema translation sends its tables to one schema."""
    url = connection.engine.url.render_as_string(hide_password=True)
    translated = (connection.get_execution_options().get("schema_translate_map") or {}).get(None)
    return f"{url}#{translated}" if translated else url


def _plan(migration_context: MigrationContext) -> list[Any]:
    """The steps this attempt will run, in order, as Alembic's command computed them.

    The command's step function (``MigrationContext._migrations_fn``) only reads the revision
    map; calling it once more is the one way to learn the plan before the steps run.
    """
    steps_of = getattr(migration_context, "_migrations_fn", None)
    if steps_of is None:
        return []
    try:
        return list(steps_of(migration_context.get_current_heads(), migration_context))
    except Exception:
        return []


def _revision_of(step: Any) -> str | None:
    script = getattr(step, "revision", None)
    revision = getattr(script, "revision", None)
    return revision if isinstance(revision, str) else None


def _rolls_back_ddl(connection: Connection) -> bool:
    if connection.dialect.name == "postgresql":
        return True
    return connection.dialect.name == "sqlite" and _is_transactional_sqlite(connection)


def _server_id(connection: Connection) -> int | None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return int(connection.scalar(sa.text("SELECT pg_backend_pid()")))
    if dialect in {"mysql", "mariadb"}:
        return int(connection.scalar(sa.text("SELECT CONNECTION_ID()")))
    return None


def _cancel(control: Connection, dialect: str, server_id: int) -> None:
    statement = (
        f"SELECT pg_cancel_backend({int(server_id)})"
        if dialect == "postgresql"
        else f"KILL QUERY {int(server_id)}"
    )
    # When the statement ended meanwhile there is nothing left to cancel.
    with suppress(sa.exc.DBAPIError):
        control.execute(sa.text(statement))


def _one_line(error: BaseException, interrupted_by: str | None) -> str:
    if interrupted_by is not None:
        return f"stopped by {interrupted_by}"
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    line = f"{type(original).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if is_lock_timeout(error):
        return f"{line} (waited longer than lback.lock_timeout for a lock)"
    if is_statement_timeout(error):
        return f"{line} (ran longer than lback.statement_timeout)"
    return line


def _read_versions(
    connection: Connection, table: str, schema: str | None, external: bool
) -> tuple[str, ...] | None:
    try:
        if connection.in_transaction() and not external:
            connection.rollback()
        if not sa.inspect(connection).has_table(table, schema=schema):
            return None
        version_table = sa.table(table, sa.column("version_num"), schema=schema)
        rows = connection.execute(sa.select(version_table.c.version_num)).scalars().all()
        return tuple(str(row) for row in rows)
    except sa.exc.DBAPIError:
        return None
    finally:
        if connection.in_transaction() and not external:
            connection.rollback()


def _downgrade_sql(step: Any, connection: Connection) -> list[str]:
    script = getattr(step, "revision", None)
    if script is None or not step.is_upgrade:
        return []
    from .revision_sql import revision_sql

    try:
        statements = revision_sql(script, "downgrade", connection.dialect.name)
    except Exception as error:
        return [f"(cannot be rendered offline: {type(error).__name__}: {error})"]
    return [masked_sql(sql) for sql in statements]


_TRANSACTIONAL_SQLITE = "lback_migrations_transactional"


def _is_transactional_sqlite(connection: Connection) -> bool:
    return bool(connection.info.get(_TRANSACTIONAL_SQLITE))


@contextmanager
def _transactional_sqlite(connection: Connection) -> Iterator[None]:
    """Make each transaction of ``connection`` begin with ``BEGIN IMMEDIATE`` (pysqlite only).

    The sqlite3 module begins a transaction only before a data change, so DDL would commit on
    its own; this is SQLAlchemy's documented recipe for transactional DDL on SQLite.
    """
    driver = connection.connection.driver_connection
    if connection.dialect.name != "sqlite" or not isinstance(driver, sqlite3.Connection):
        yield
        return

    def begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    previous = driver.isolation_level
    driver.isolation_level = None
    event.listen(connection, "begin", begin_immediate)
    connection.info[_TRANSACTIONAL_SQLITE] = True
    try:
        yield
    finally:
        connection.info.pop(_TRANSACTIONAL_SQLITE, None)
        event.remove(connection, "begin", begin_immediate)
        if connection.in_transaction():
            connection.rollback()
        if not connection.invalidated:
            driver.isolation_level = previous
