"""The stairway: every revision upgraded, downgraded and upgraded again on the shadow database.

For each revision in order, from base (or ``--from``) to head (or ``--to``): snapshot the
schema, seed rows, upgrade one step, snapshot and read the data, downgrade one step, snapshot
and compare with the snapshot before the upgrade, read the data again, upgrade again. At a head,
the models are compared with the database (``check``).

Alembic runs in this process against the shadow connection, handed to ``env.py`` in
``config.attributes["connection"]`` as Alembic's cookbook describes. Each step is the body of
:func:`alembic.command.upgrade` (or ``downgrade``) with one :class:`ScriptDirectory` for the
whole run: the command functions build a new one per call, which would read every revision
file again for each of the three steps of every revision.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from ..errors import ConfigurationError
from ..signals import (
    migration_step_completed,
    migration_verify_completed,
    migration_verify_step,
    send_from_run,
)
from .data import TableData, compare_data, read_data
from .lint_match import Observed, lint_findings, verdicts
from .observation import StatementEffect, StatementObserver
from .report import RevisionReport, VerifyReport
from .seeding import seed
from .shadow import parse_shadow_url, shadow_database
from .snapshot import SchemaSnapshot, take_snapshot

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

DEFAULT_ROWS = 20
SHADOW_URL_VARIABLE = "LBACK_VERIFY_SHADOW_URL"
"""Environment variable read for ``--shadow-url`` when the option is not given (what
:meth:`~lback_migrations.commands.MigrationCommands.verify` uses, keeping the URL out of argv)."""
_SYNC_DRIVERS = {"asyncpg": "psycopg", "aiosqlite": "pysqlite", "aiomysql": "pymysql"}
_HEAD_TARGETS = (None, "head", "heads")


@dataclass(frozen=True)
class VerifyOptions:
    """What to verify, and how.

    :param from_revision: the first revision verified (its parent's schema is the start).
    :param to_revision: the last revision verified.
    :param since_git: verify only the revision files added since this git ref.
    :param shadow_url: an empty database to use instead of a new one.
    :param data: seed rows and check them (``--no-data`` turns it off).
    :param rows: the rows each table is given, at most.
    :param fail_on: the ``--fail-on`` levels
        (:data:`~lback_migrations.verify.report.FAIL_ON_LEVELS`).
    """

    from_revision: str | None = None
    to_revision: str | None = None
    since_git: str | None = None
    shadow_url: str | None = None
    data: bool = True
    rows: int = DEFAULT_ROWS
    fail_on: tuple[str, ...] = ()


def configured_url(config: Config) -> URL:
    """The configured database URL (``lback.url_env``'s variable, else ``sqlalchemy.url``),
    with a synchronous driver.

    :raises ConfigurationError: when none is configured.
    """
    from ..environment import MigrationEnvironment
    from ..settings import load_settings

    url = make_url(MigrationEnvironment(config, load_settings(config), []).url)
    driver = url.get_driver_name()
    if driver in _SYNC_DRIVERS:
        url = url.set(drivername=f"{url.get_backend_name()}+{_SYNC_DRIVERS[driver]}")
    return url


def verify(config: Config, options: VerifyOptions) -> VerifyReport:
    """Run the stairway on a shadow database and report; the database is dropped after.

    Sends :data:`~lback_migrations.signals.migration_verify_step` per revision and
    :data:`~lback_migrations.signals.migration_verify_completed` at the end.

    :raises ShadowDatabaseError: when no shadow database can be had.
    :raises ConfigurationError: for a bad revision, git ref or configuration.
    """
    from alembic.script import ScriptDirectory

    from ..environment import APPLY_POLICY_ATTRIBUTE, CONFIGURE_LOGGING_ATTRIBUTE
    from ..settings import load_settings

    script = ScriptDirectory.from_config(config)
    revisions = _chosen_revisions(script, options)
    version_table = load_settings(config).version_table
    shadow_url = parse_shadow_url(options.shadow_url or os.environ.get(SHADOW_URL_VARIABLE))
    with shadow_database(configured_url(config), shadow_url) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                config.attributes["connection"] = connection
                config.attributes[CONFIGURE_LOGGING_ATTRIBUTE] = False
                config.attributes[APPLY_POLICY_ATTRIBUTE] = False
                try:
                    stairway = _Stairway(config, script, connection, options, version_table)
                    # the steps are the shadow's, not applied migrations: their signal is muted
                    with migration_step_completed.muted():
                        report = stairway.run(revisions)
                finally:
                    del config.attributes["connection"]
                    connection.rollback()
        finally:
            engine.dispose()
    send_from_run(migration_verify_completed, ok=report.ok, report=report.as_dict())
    return report


def _chosen_revisions(script: ScriptDirectory, options: VerifyOptions) -> list[Script]:
    from alembic.util import CommandError

    try:
        walked = script.walk_revisions(
            options.from_revision or "base", options.to_revision or "heads"
        )
        revisions = list(reversed(list(walked)))
    except CommandError as error:
        key = "--from" if options.from_revision else "--to"
        raise ConfigurationError(key, str(error), "name a revision of this history") from error
    if options.since_git is not None:
        added = _added_since(options.since_git, Path(script.dir))
        revisions = [revision for revision in revisions if Path(revision.path).resolve() in added]
    return revisions


def _added_since(ref: str, directory: Path) -> set[Path]:
    def git(*arguments: str) -> list[str]:
        done = subprocess.run(
            ["git", *arguments], cwd=directory, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            problem = (done.stderr.strip().splitlines() or ["git failed"])[0]
            raise ConfigurationError(
                "--since-git", problem, "name a git ref of the repository holding the revisions"
            )
        return [line for line in done.stdout.splitlines() if line]

    top = Path(git("rev-parse", "--show-toplevel")[0])
    changed = git("diff", "--name-only", "--diff-filter=A", ref, "--", ".")
    changed += git("ls-files", "--others", "--exclude-standard", "--full-name", "--", ".")
    return {(top / name).resolve() for name in changed}


def _one_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return f"{type(error).__name__}: {(text.splitlines() or [''])[0]}"


class _Stairway:
    def __init__(
        self,
        config: Config,
        script: ScriptDirectory,
        connection: sa.Connection,
        options: VerifyOptions,
        version_table: str,
    ) -> None:
        self.config = config
        self.script = script
        self.connection = connection
        self.options = options
        self.version_table = version_table
        dialect = connection.dialect
        self.dialect = "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name
        paths = {revision.path: revision.revision for revision in script.walk_revisions()}
        self.observer = StatementObserver(connection, paths, version_table)
        self.seeded: dict[str, tuple[str, ...]] = {}
        self.applied: set[str] = set()

    # -- Alembic, in this process ------------------------------------------------------------

    def _run_env(self, fn: Callable[[Any, Any], Any], destination: str) -> None:
        from alembic.runtime.environment import EnvironmentContext

        self._settle()
        with EnvironmentContext(
            self.config, self.script, fn=fn, as_sql=False, destination_rev=destination
        ):
            self.script.run_env()
        self._settle()

    def _upgrade(self, destination: str) -> None:
        self._run_env(lambda rev, context: self.script._upgrade_revs(destination, rev), destination)

    def _downgrade(self, destination: str) -> None:
        self._run_env(
            lambda rev, context: self.script._downgrade_revs(destination, rev), destination
        )

    def _settle(self) -> None:
        """End the transaction reads began, so that Alembic begins (and commits) its own."""
        if self.connection.in_transaction():
            self.connection.commit()

    def _step(
        self, direction: str, destination: str, name: str | None = None
    ) -> tuple[list[StatementEffect], str | None]:
        """Run one step observed; its statements, and its error (``name: problem``) if any."""
        run = self._upgrade if direction == "upgrade" else self._downgrade
        failure: str | None = None
        with self.observer.observing(direction) as effects:
            try:
                run(destination)
            except Exception as error:
                if self.connection.in_transaction():
                    self.connection.rollback()
                failure = f"{name or direction}: {_one_line(error)}"
        if failure is not None:
            self.observer.forget()  # what the statements seen did may have been rolled back
        return list(effects), failure

    # -- the walk ----------------------------------------------------------------------------

    def _snapshot(self) -> SchemaSnapshot:
        snapshot = take_snapshot(self.connection, [self.version_table])
        self._settle()
        return snapshot

    def _prepare(self, revision: Script) -> None:
        for parent in _parents(revision):
            if parent not in self.applied:
                self._upgrade(parent)
                self.observer.forget()
                ancestors = self.script.iterate_revisions(parent, "base")
                self.applied.update(ancestor.revision for ancestor in ancestors)

    def run(self, revisions: Sequence[Script]) -> VerifyReport:
        reports: list[RevisionReport] = []
        before: SchemaSnapshot | None = None
        stopped = False
        for revision in revisions:
            if any(parent not in self.applied for parent in _parents(revision)):
                self._prepare(revision)
                before = None
            if before is None:
                before = self._snapshot()
            report, before = self._verify_revision(revision, before)
            reports.append(report)
            send_from_run(
                migration_verify_step,
                revision=report.revision,
                ok=report.ok,
                report=report.as_dict(),
            )
            if before is None:
                stopped = True
                break
        drift, checked = self._drift(revisions, stopped)
        return VerifyReport(
            self.dialect, tuple(reports), tuple(drift), checked, self.options.fail_on
        )

    def _seeded_data(self, snapshot: SchemaSnapshot) -> tuple[dict[str, TableData], dict[str, int]]:
        data = read_data(self.connection, snapshot)
        wanted = {
            table: self.options.rows - len(data[table].rows)
            for table, lines in snapshot.tables.items()
            if len(data[table].rows) < self.options.rows and self.seeded.get(table) != lines
        }
        if not wanted:
            return data, {}
        result = seed(self.connection, wanted)
        self.seeded.update({table: snapshot.tables[table] for table in wanted})
        refused = {table: count for table, count in result.refused.items() if count}
        return read_data(self.connection, snapshot), refused

    def _verify_revision(
        self, revision: Script, before: SchemaSnapshot
    ) -> tuple[RevisionReport, SchemaSnapshot | None]:
        """The report, and the snapshot to start the next revision from (``None``: stop)."""
        fields: dict[str, Any] = {"revision": revision.revision, "message": revision.doc or ""}
        data_before: dict[str, TableData] = {}
        if self.options.data:
            data_before, fields["rows_refused"] = self._seeded_data(before)
        up, error = self._step("upgrade", revision.revision)
        if error is not None:
            return self._finish(revision, fields, up, [], error, reversible=False), None
        self.applied.add(revision.revision)
        after_upgrade = self._snapshot()
        if self.options.data:
            changes = compare_data(data_before, read_data(self.connection, after_upgrade))
            fields["data_lost_on_upgrade"] = changes.lost
            fields["data_changed_on_upgrade"] = changes.changed
            fields["rows_lost_on_upgrade"] = changes.rows_lost
        down, error = self._step("downgrade", _downgrade_target(revision))
        if error is not None:
            fields["schema_restored"] = False
            report = self._finish(revision, fields, up, down, error, reversible=False)
            return report, self._snapshot()
        self.applied.discard(revision.revision)
        after_downgrade = self._snapshot()
        fields["schema_differences"] = tuple(before.differences(after_downgrade))
        fields["schema_restored"] = not fields["schema_differences"]
        if self.options.data:
            changes = compare_data(data_before, read_data(self.connection, after_downgrade))
            fields["data_lost_on_downgrade"] = changes.lost
            fields["data_changed_on_downgrade"] = changes.changed
            fields["rows_lost_on_downgrade"] = changes.rows_lost
        reversible = bool(down) or not up
        _, error = self._step("upgrade", revision.revision, "upgrade again")
        report = self._finish(revision, fields, up, down, error, reversible=reversible)
        if error is not None:
            return report, None
        self.applied.add(revision.revision)
        return report, after_upgrade if fields["schema_restored"] else self._snapshot()

    def _finish(
        self,
        revision: Script,
        fields: dict[str, Any],
        up: list[StatementEffect],
        down: list[StatementEffect],
        error: str | None,
        *,
        reversible: bool,
    ) -> RevisionReport:
        statements = (*up, *down)
        observed = Observed(statements, tuple(fields.get("data_lost_on_upgrade", ())), reversible)
        path = str(revision.path)
        findings = lint_findings(self.config, path, self.connection.dialect.name)
        source = Path(path).read_text(encoding="utf-8")
        return RevisionReport(
            **fields,
            reversible=reversible,
            statements=statements,
            lint=tuple(verdicts(findings, source, observed)),
            error=error,
        )

    def _drift(self, revisions: Sequence[Script], stopped: bool) -> tuple[list[str], bool]:
        from alembic import command
        from alembic.util import AutogenerateDiffsDetected, CommandError

        from ..runners.instrumented import describe_diff

        if stopped or self.options.to_revision not in _HEAD_TARGETS:
            return [], False
        if revisions and revisions[-1].revision not in self.script.get_heads():
            return [], False
        self._settle()
        try:
            with redirect_stdout(io.StringIO()):  # check prints its verdict: the report has it
                command.check(self.config)
        except AutogenerateDiffsDetected as detected:
            return [describe_diff(diff) for diff in detected.diffs], True
        except CommandError:
            return [], False
        finally:
            self._settle()
        return [], True


def _parents(revision: Script) -> tuple[str, ...]:
    down = revision.down_revision
    if down is None:
        return ()
    return (down,) if isinstance(down, str) else tuple(down)


def _downgrade_target(revision: Script) -> str:
    parents = _parents(revision)
    if not parents:
        return "base"
    return parents[0] if len(parents) == 1 else f"{revision.revision}-1"
