"""The stairway: every revision upgraded and downgraded on the shadow database, each
downgrade checked against the schema and the data before its upgrade.

Up, from base (or ``--from``) to head (or ``--to``): for each revision, seed rows, upgrade one
step, snapshot the schema and read the data (the snapshot after one revision is the one before
the next). At the head, compare the models with the database (``check``). Down, from the last
revision: downgrade one step, snapshot, and compare with the snapshot taken before that
revision's upgrade (must be equal), read the data and compare it with the data before the
upgrade. Two steps per revision, as ``upgrade head`` plus ``downgrade base``; the issue's
original order (up, down, up again for each revision) took three, and measured 1.67x the
baseline on PostgreSQL where the target is 1.5x (see the Benchmarks page).

Every downgrade runs on the schema its own upgrade left: when a revision above did not restore
the schema, or its downgrade failed, the shadow is emptied and climbed again to the next
revision before its downgrade. Values another revision lost or changed in between are not
counted against a downgrade (:func:`~lback_migrations.verify.data.unchanged_since`).

Alembic runs in this process against the shadow connection, handed to ``env.py`` in
``config.attributes["connection"]`` as Alembic's cookbook describes, once per direction: the
work function of the :class:`~alembic.runtime.environment.EnvironmentContext` yields one step
at a time, so that the walk snapshots, reads and commits between steps (one transaction per
revision, as a deploy of one revision has). Running ``env.py`` once per step instead (as the
command functions would) cost a version-table read and the environment's set-up each time.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable, Generator, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, replace
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
from .data import TableData, compare_data, read_data, unchanged_since
from .lint_match import Observed, lint_findings, project_lint_options, verdicts
from .observation import StatementEffect, StatementObserver
from .report import RevisionReport, VerifyReport
from .seeding import seed
from .shadow import empty, parse_shadow_url, shadow_database
from .snapshot import SchemaSnapshot, take_snapshot

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

    from ..lint.config import LintOptions

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
    from ..database_url import config_urls

    url = make_url(config_urls(config).require())
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

    from ..deployment import APPLY_POLICY_ATTRIBUTE
    from ..ini_logging import CONFIGURE_LOGGING_ATTRIBUTE
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


@dataclass(frozen=True)
class _Climbed:
    """What the way up recorded of one revision, for its check on the way down."""

    revision: Script
    fields: dict[str, Any]
    up: list[StatementEffect]
    before: SchemaSnapshot
    after: SchemaSnapshot
    data_before: dict[str, TableData]
    data_after: dict[str, TableData]


class _StepFailed(Exception):
    """A migration step raised: which, the statements it sent, the revision's fields so far."""

    def __init__(self, running: _Running, error: BaseException) -> None:
        super().__init__(f"{running.direction}: {_one_line(error)}")
        self.running = running


class _Diverged(Exception):
    """The schema before a downgrade is not the one its upgrade left: a revision above it did
    not restore its own. The downgrade would not be judged fairly from there."""


@dataclass(frozen=True)
class _Running:
    """The step Alembic is running: its direction and revision, what it sent so far, and the
    revision's report fields so far."""

    direction: str
    revision: Script
    effects: list[StatementEffect]
    fields: dict[str, Any]


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
        self._running: _Running | None = None
        self._lint_options: LintOptions | None = None

    # -- Alembic, in this process ------------------------------------------------------------

    def _settle(self) -> None:
        """End the transaction reads began, so that Alembic begins (and commits) its own."""
        if self.connection.in_transaction():
            self.connection.commit()

    def _migrate(
        self,
        destination: str,
        steps: Callable[[Any], Generator[Any, None, None]],
    ) -> None:
        """Run Alembic once, in this process, toward ``destination``: its steps are those the
        generator ``steps(heads)`` yields, one at a time, so that the walk snapshots and checks
        between them and commits each step (one transaction per step, as a deploy of one
        revision has).

        :raises _StepFailed: when a step raised (its transaction is rolled back).
        """
        from alembic.runtime.environment import EnvironmentContext

        walk: Generator[Any, None, None] | None = None

        def start(heads: Any, context: Any) -> Generator[Any, None, None]:
            nonlocal walk
            walk = steps(heads)
            return walk

        self._settle()
        self._running = None
        try:
            with EnvironmentContext(
                self.config, self.script, fn=start, as_sql=False, destination_rev=destination
            ):
                self.script.run_env()
        except Exception as error:
            if self._running is None:
                raise
            if self.connection.in_transaction():
                self.connection.rollback()
            self.observer.forget()  # what the statements seen did may have been rolled back
            raise _StepFailed(self._running, error) from error
        finally:
            if walk is not None:
                walk.close()
        self._settle()

    def _observed_step(
        self, running: _Running, step: Any
    ) -> Generator[Any, None, tuple[list[StatementEffect], SchemaSnapshot]]:
        """Yield ``step`` to Alembic, its statements observed into ``running.effects``; the
        statements, and the schema after the step, read in its transaction (committed with
        it: a failing commit is the step's failure)."""
        with self.observer.observing(running.direction, running.effects):
            self._running = running
            yield step
            snapshot = self._snapshot()
        self._running = None
        return list(running.effects), snapshot

    def _unobserved_step(self, step: Any) -> Generator[Any, None, None]:
        """Yield a step of a revision not verified (below ``--from``, not added since
        ``--since-git``): run, not reported."""
        yield step
        self._settle()
        self.observer.forget()

    # -- the walk ----------------------------------------------------------------------------

    def _snapshot(self) -> SchemaSnapshot:
        snapshot = take_snapshot(self.connection, [self.version_table])
        self._settle()
        return snapshot

    def _read(self, snapshot: SchemaSnapshot) -> dict[str, TableData]:
        return read_data(self.connection, snapshot) if self.options.data else {}

    def run(self, revisions: Sequence[Script]) -> VerifyReport:
        reports: dict[str, RevisionReport] = {}
        climbed, failed = self._ascend(revisions, self.options.to_revision or "heads")
        if failed is not None:
            self._report(reports, failed)
        drift, checked = self._drift(revisions, stopped=failed is not None)
        self._descend(climbed, reports, at_top=failed is None)
        ordered = tuple(reports[r.revision] for r in revisions if r.revision in reports)
        return VerifyReport(self.dialect, ordered, tuple(drift), checked, self.options.fail_on)

    def _report(self, reports: dict[str, RevisionReport], report: RevisionReport) -> None:
        reports[report.revision] = report
        send_from_run(
            migration_verify_step, revision=report.revision, ok=report.ok, report=report.as_dict()
        )

    def _ascend(
        self, revisions: Sequence[Script], destination: str
    ) -> tuple[list[_Climbed], RevisionReport | None]:
        """Upgrade to ``destination``, with a snapshot (and the data) before and after each
        revision verified; the revisions climbed, and the report of the one whose upgrade
        failed (where the climb ends)."""
        climbed: list[_Climbed] = []
        if not revisions:
            return climbed, None
        chosen = {revision.revision: revision for revision in revisions}

        def steps(heads: Any) -> Generator[Any, None, None]:
            before: SchemaSnapshot | None = None
            data: dict[str, TableData] | None = None
            for step in self.script._upgrade_revs(destination, heads):
                revision = chosen.get(step.revision.revision)
                if revision is None:
                    yield from self._unobserved_step(step)
                    before = None
                    continue
                if before is None:
                    before, data = self._snapshot(), None
                fields: dict[str, Any] = {
                    "revision": revision.revision,
                    "message": revision.doc or "",
                }
                data_before: dict[str, TableData] = {}
                if self.options.data:
                    data_before, fields["rows_refused"] = self._seeded_data(before, data)
                running = _Running("upgrade", revision, [], fields)
                up, after = yield from self._observed_step(running, step)
                data_after = self._read(after)
                if self.options.data:
                    changes = compare_data(data_before, data_after)
                    fields["data_lost_on_upgrade"] = changes.lost
                    fields["data_changed_on_upgrade"] = changes.changed
                    fields["rows_lost_on_upgrade"] = changes.rows_lost
                climbed.append(
                    _Climbed(revision, fields, up, before, after, data_before, data_after)
                )
                before, data = after, data_after

        try:
            self._migrate(destination, steps)
        except _StepFailed as failed:
            running = failed.running
            report = self._finish(
                running.revision, running.fields, running.effects, [], str(failed), False
            )
            return climbed, report
        return climbed, None

    def _descend(
        self,
        climbed: list[_Climbed],
        reports: dict[str, RevisionReport],
        *,
        at_top: bool,
    ) -> None:
        """Downgrade the revisions climbed, from the last; each downgrade is judged against
        the snapshot and the data taken before that revision's upgrade. Every downgrade runs
        on the schema its own upgrade left: when a revision above did not restore the schema
        or its downgrade failed, the shadow is emptied and climbed again up to the next
        revision first.

        :param at_top: the shadow is as the last climb left it (no upgrade failed after it).
        """
        pending = list(climbed)
        top: tuple[SchemaSnapshot, dict[str, TableData]] | None = None
        if at_top and pending:
            top = (pending[-1].after, pending[-1].data_after)
        while pending:
            try:
                self._descend_through(pending, top, reports)
            except _Diverged:
                pending = self._climb_again(pending, reports)
                top = (pending[-1].after, pending[-1].data_after) if pending else None
            except _StepFailed as failed:
                running = failed.running
                climb = next(c for c in pending if c.revision is running.revision)
                fields = {**running.fields, "schema_restored": False}
                report = self._finish(
                    climb.revision, fields, climb.up, running.effects, str(failed), False
                )
                self._report(reports, report)
                pending.remove(climb)
                pending = self._climb_again(pending, reports)
                top = (pending[-1].after, pending[-1].data_after) if pending else None

    def _descend_through(
        self,
        pending: list[_Climbed],
        top: tuple[SchemaSnapshot, dict[str, TableData]] | None,
        reports: dict[str, RevisionReport],
    ) -> None:
        """Downgrade below the lowest of ``pending`` in one Alembic run, judging each of them
        as its step ends; a revision judged leaves ``pending``.

        :raises _StepFailed: when a downgrade raised.
        """
        by_revision = {climb.revision.revision: climb for climb in pending}

        def steps(heads: Any) -> Generator[Any, None, None]:
            nonlocal top
            for step in self.script._downgrade_revs(_downgrade_target(pending[0].revision), heads):
                climb = by_revision.get(step.revision.revision)
                if climb is None:
                    yield from self._unobserved_step(step)
                    top = None
                    continue
                if top is None:
                    snapshot = self._snapshot()
                    top = (snapshot, self._read(snapshot))
                if top[0] != climb.after:
                    raise _Diverged
                running = _Running("downgrade", climb.revision, [], climb.fields)
                down, bottom = yield from self._observed_step(running, step)
                pending.remove(climb)
                top = self._judge_downgrade(climb, down, bottom, top, reports)

        self._migrate(_downgrade_target(pending[0].revision), steps)

    def _judge_downgrade(
        self,
        climb: _Climbed,
        down: list[StatementEffect],
        bottom: SchemaSnapshot,
        top: tuple[SchemaSnapshot, dict[str, TableData]],
        reports: dict[str, RevisionReport],
    ) -> tuple[SchemaSnapshot, dict[str, TableData]]:
        """Report ``climb``'s revision once its downgrade ran and left the schema ``bottom``
        (``top``: the schema and data before the downgrade); the schema and data it left."""
        fields = dict(climb.fields)
        data_bottom = self._read(bottom)
        differences = climb.before.differences(bottom)
        fields["schema_differences"] = tuple(differences)
        fields["schema_restored"] = not differences
        if self.options.data:
            reference = unchanged_since(climb.data_before, climb.data_after, top[1])
            changes = compare_data(reference, data_bottom)
            fields["data_lost_on_downgrade"] = changes.lost
            fields["data_changed_on_downgrade"] = changes.changed
            fields["rows_lost_on_downgrade"] = changes.rows_lost
        reversible = bool(down) or not climb.up
        self._report(
            reports, self._finish(climb.revision, fields, climb.up, down, None, reversible)
        )
        return bottom, data_bottom

    def _climb_again(
        self, pending: list[_Climbed], reports: dict[str, RevisionReport]
    ) -> list[_Climbed]:
        """Empty the shadow and climb the revisions below a failed downgrade again, so that
        their downgrades are still checked; what the first climb observed is kept."""
        if not pending:
            return []
        empty(self.connection)
        self.seeded.clear()
        self.observer.forget()
        revisions = [climb.revision for climb in pending]
        again, failed = self._ascend(revisions, revisions[-1].revision)
        if failed is not None:
            for climb in pending[len(again) :]:
                error = f"downgrade not run: the shadow could not be climbed again ({failed.error})"
                report = self._finish(
                    climb.revision, dict(climb.fields), climb.up, [], error, False
                )
                self._report(reports, report)
        return [
            replace(fresh, fields=first.fields, up=first.up)
            for fresh, first in zip(again, pending, strict=False)
        ]

    def _seeded_data(
        self, snapshot: SchemaSnapshot, data: dict[str, TableData] | None
    ) -> tuple[dict[str, TableData], dict[str, int]]:
        """The data of ``snapshot``'s tables (``data`` when already read), after seeding."""
        if data is None:
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

    def _finish(
        self,
        revision: Script,
        fields: dict[str, Any],
        up: list[StatementEffect],
        down: list[StatementEffect],
        error: str | None,
        reversible: bool,
    ) -> RevisionReport:
        statements = (*up, *down)
        observed = Observed(statements, tuple(fields.get("data_lost_on_upgrade", ())), reversible)
        path = str(revision.path)
        if self._lint_options is None:
            self._lint_options = project_lint_options(self.config, self.connection.dialect.name)
        findings = lint_findings(path, self._lint_options)
        source = Path(path).read_text(encoding="utf-8")
        return RevisionReport(
            **fields,
            reversible=reversible,
            statements=statements,
            lint=tuple(verdicts(findings, source, observed)),
            error=error,
        )

    def _drift(self, revisions: Sequence[Script], *, stopped: bool) -> tuple[list[str], bool]:
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
