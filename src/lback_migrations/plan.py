"""``lback-migrations plan [VERSION] [--sql]`` and ``lback-migrations sqlmigrate REV``.

``plan`` reads the version table and lists, in order, the revisions that ``migrate VERSION``
would apply (or, for a VERSION below the database's, that ``rollback VERSION`` would revert),
each with its lint findings and, with ``--sql``, its SQL for the configured dialect.
``sqlmigrate`` prints one revision's SQL. Neither changes the database; ``sqlmigrate`` does not
even connect to it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from alembic.script import ScriptDirectory
from alembic.script.revision import RangeNotAncestorError, ResolutionError
from alembic.util import CommandError

from .errors import LbackError

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config
    from alembic.script import Script

    from .lint.findings import Finding

UPGRADE = "upgrade"
DOWNGRADE = "downgrade"


class UnknownRevisionError(LbackError):
    """The revision named on the command line is not in the history.

    :param revision: the revision asked for.
    """

    def __init__(self, revision: str, problem: str) -> None:
        self.revision = revision
        super().__init__(f"revision {revision!r}: {problem}; run `lback-migrations history`")


@dataclass(frozen=True)
class PlannedStep:
    """One revision a migration would apply or revert.

    :param revision: the revision.
    :param direction: ``upgrade`` or ``downgrade``.
    :param message: the revision's message.
    :param path: its file.
    """

    revision: str
    direction: str
    message: str
    path: Path


@dataclass(frozen=True)
class Plan:
    """What ``migrate VERSION`` (or ``rollback VERSION``) would do to one database.

    :param current: the revisions the version table holds.
    :param target: the version asked for.
    :param steps: the revisions to apply or revert, in order.
    """

    current: tuple[str, ...]
    target: str
    steps: tuple[PlannedStep, ...]


def plan_steps(script: ScriptDirectory, current: tuple[str, ...], target: str) -> Plan:
    """The steps from the revisions ``current`` to ``target``: an upgrade when ``target`` is
    ahead (or a relative ``+N``), else a downgrade.

    :raises UnknownRevisionError: when ``target`` is not in the history.
    """
    try:
        try:
            if target.startswith("-"):
                raise RangeNotAncestorError(current, target)
            revisions = list(script.iterate_revisions(target, current))[::-1]
            direction = UPGRADE
        except RangeNotAncestorError:
            lower = None if target == "base" else target
            revisions = list(script.iterate_revisions(current, lower))
            direction = DOWNGRADE
    except (ResolutionError, CommandError) as error:
        raise UnknownRevisionError(target, str(error)) from error
    steps = tuple(
        PlannedStep(rev.revision, direction, rev.doc or "", Path(rev.path)) for rev in revisions
    )
    return Plan(current=current, target=target, steps=steps)


def revision_sql_lines(script: Script, direction: str, dialect: str) -> list[str]:
    """The SQL of one revision as lines to print, each statement ending with ``;``."""
    from .revision_sql import revision_sql

    try:
        statements = revision_sql(script, direction, dialect)
    except Exception as error:
        return [f"-- cannot be rendered offline: {type(error).__name__}: {error}"]
    return [f"{statement};" for statement in statements] or ["-- no statement"]


def _current_heads(config: Config, url: str) -> tuple[str, ...]:
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext

    from .settings import load_settings

    settings = load_settings(config)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "version_table": settings.version_table,
                    "version_table_schema": settings.version_table_schema,
                },
            )
            return tuple(context.get_current_heads())
    finally:
        engine.dispose()


def _url(config: Config) -> str:
    from .environment import MigrationEnvironment
    from .settings import load_settings

    return MigrationEnvironment(config, load_settings(config), []).url


def _dialect(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name()


def _findings(config: Config, path: Path) -> list[Finding]:
    from .lint.context import hook_options, lint_options
    from .lint.files import lint_files
    from .plugin import LINT_HOOK

    options = lint_options(config, hook_options(config, LINT_HOOK))
    return lint_files(config, [path], options, cache=False)


def write_plan(
    config: Config, plan: Plan, stream: TextIO, *, sql_dialect: str | None = None
) -> None:
    """Write ``plan``: a line per step, its lint findings, and its SQL for ``sql_dialect``."""
    script = ScriptDirectory.from_config(config)
    at = ", ".join(plan.current) or "nothing applied"
    if not plan.steps:
        stream.write(f"database at {at}: nothing to do for {plan.target}\n")
        return
    command = "migrate" if plan.steps[0].direction == UPGRADE else "rollback"
    stream.write(f"database at {at}; {command} {plan.target} would run, in order:\n")
    for step in plan.steps:
        stream.write(f"  {step.direction} {step.revision}  {step.message}\n")
        for finding in _findings(config, step.path):
            stream.write(f"      {finding.code} {finding.severity.value}: {finding.message}\n")
        if sql_dialect is not None:
            revision = script.get_revision(step.revision)
            assert revision is not None
            for line in revision_sql_lines(revision, step.direction, sql_dialect):
                stream.write(f"      {line}\n")


def plan_command(config: Config) -> int:
    """``lback-migrations plan [VERSION] [--sql]``."""
    target: str = config.cmd_opts.version  # type: ignore[union-attr]
    sql: bool = config.cmd_opts.sql  # type: ignore[union-attr]
    url = _url(config)
    plan = plan_steps(ScriptDirectory.from_config(config), _current_heads(config, url), target)
    write_plan(config, plan, sys.stdout, sql_dialect=_dialect(url) if sql else None)
    return 0


def add_plan_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``plan``."""
    parser.add_argument("version", nargs="?", default="head", help="target (default: head)")
    parser.add_argument(
        "--sql", action="store_true", help="show each revision's SQL for the configured dialect"
    )


def sqlmigrate_command(config: Config) -> int:
    """``lback-migrations sqlmigrate REV [--downgrade]``."""
    wanted: str = config.cmd_opts.revision  # type: ignore[union-attr]
    downgrade: bool = config.cmd_opts.downgrade  # type: ignore[union-attr]
    script = ScriptDirectory.from_config(config)
    try:
        revision = script.get_revision(wanted)
    except (ResolutionError, CommandError) as error:
        raise UnknownRevisionError(wanted, str(error)) from error
    if revision is None:
        raise UnknownRevisionError(wanted, "names no single revision")
    direction = DOWNGRADE if downgrade else UPGRADE
    for line in revision_sql_lines(revision, direction, _dialect(_url(config))):
        sys.stdout.write(line + "\n")
    return 0


def add_sqlmigrate_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``sqlmigrate``."""
    parser.add_argument("revision", help="the revision whose SQL to print")
    parser.add_argument(
        "--downgrade", action="store_true", help="print the SQL of its downgrade instead"
    )
