"""Fleets: the same migration run on many databases, or many schemas of one.

``lback-migrations migrate --targets FILE`` reads one target per line: a database URL, or a URL
plus ``#schema`` for schema-per-tenant (the run then sends every unqualified table to that
schema through SQLAlchemy's ``schema_translate_map``, and keeps that schema's own version
table). ``--jobs N`` targets migrate at a time, each in a process of its own with its own deploy
lock; a target already at the wanted head is not touched, so an interrupted fleet run resumes
where it stopped. The run ends with a table of targets, applied / already at head / failed, and
exits 1 when any failed.

Past one machine, the orchestrator already in use spreads the fleet: ``--shard I/N`` takes every
N-th target starting at I (from 0), and ``--shard auto`` reads I from a Kubernetes Indexed Job
(``JOB_COMPLETION_INDEX``) or from ``LBACK_SHARD_INDEX``, and N from ``--shard-count`` or
``LBACK_SHARD_COUNT``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.engine import make_url

from .deployment import SCHEMA_ARGUMENT
from .errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

    from .commands import CommandResult
    from .settings import Settings

SHARD_INDEX_VARIABLES = ("JOB_COMPLETION_INDEX", "LBACK_SHARD_INDEX")
SHARD_COUNT_VARIABLE = "LBACK_SHARD_COUNT"
DEFAULT_JOBS = 4

APPLIED = "applied"
AT_HEAD = "already at head"
FAILED = "failed"


@dataclass(frozen=True)
class Target:
    """One database (and schema) of a fleet.

    :param url: the database URL, password included: it reaches the child process only
        through its environment.
    :param schema: the schema migrated, or ``None`` for the database's default.
    """

    url: str
    schema: str | None = None

    @property
    def shown(self) -> str:
        """The target as messages show it: password masked, ``#schema`` appended."""
        url = make_url(self.url).render_as_string(hide_password=True)
        return f"{url}#{self.schema}" if self.schema else url


@dataclass(frozen=True)
class TargetOutcome:
    """What the run did to one target.

    :param target: the target, as shown.
    :param status: ``applied``, ``already at head`` or ``failed``.
    :param steps: the revisions applied.
    :param detail: the first line of the failure, when it failed.
    """

    target: str
    status: str
    steps: int = 0
    detail: str = ""


def read_targets(path: Path) -> list[Target]:
    """Read a targets file: one URL (or ``URL#schema``) per line; blank lines and lines
    starting with ``#`` are skipped.

    :raises ConfigurationError: naming the file and line of a line that is not a URL.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigurationError(
            "--targets", f"cannot read {path}: {error.strerror}", "name a readable file"
        ) from error
    targets = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url, _, schema = line.partition("#")
        try:
            make_url(url.strip())
        except Exception as error:
            raise ConfigurationError(
                "--targets",
                f"line {number} is not a database URL",
                "write one URL per line, optionally followed by #schema",
                str(path),
            ) from error
        targets.append(Target(url.strip(), schema.strip() or None))
    return targets


def parse_shard(text: str | None, count: int | None, environ: Mapping[str, str]) -> tuple[int, int]:
    """The shard ``(index, count)`` of ``--shard I/N`` or ``--shard auto``; ``(0, 1)`` for all.

    :raises ConfigurationError: naming ``--shard`` when it cannot be read.
    """
    if text is None:
        return 0, 1
    if text == "auto":
        indexes = [environ[name] for name in SHARD_INDEX_VARIABLES if name in environ]
        index_text = indexes[0] if indexes else None
        count_text = str(count) if count is not None else environ.get(SHARD_COUNT_VARIABLE)
        if index_text is None or count_text is None:
            raise ConfigurationError(
                "--shard auto",
                "no shard index or count in the environment",
                f"run it as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or set "
                f"LBACK_SHARD_INDEX, and give --shard-count or {SHARD_COUNT_VARIABLE}",
            )
        text = f"{index_text}/{count_text}"
    index, slash, total = text.partition("/")
    if not (slash and index.strip().isdigit() and total.strip().isdigit()):
        raise ConfigurationError("--shard", f"cannot read {text!r}", "write I/N, as 0/4, or auto")
    shard = int(index), int(total)
    if not 0 <= shard[0] < shard[1]:
        raise ConfigurationError(
            "--shard", f"{text!r} names no shard", "I counts from 0 and stays below N"
        )
    return shard


def shard(targets: Sequence[Target], index: int, count: int) -> list[Target]:
    """Every ``count``-th target starting at ``index``."""
    return list(targets[index::count])


def _at_head(config: Config, settings: Settings, target: Target) -> bool:
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(config).get_heads())
    engine = sa.create_engine(target.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "version_table": settings.version_table,
                    "version_table_schema": target.schema or settings.version_table_schema,
                },
            )
            return set(context.get_current_heads()) == heads
    except sa.exc.SQLAlchemyError:
        return False  # the migration run will say what is wrong with this target
    finally:
        engine.dispose()


def _failure_detail(result: CommandResult) -> str:
    for line in (result.stdout + result.stderr).splitlines():
        if line.startswith("FAILED: "):
            return line[len("FAILED: ") :]
    return result.error_type or "failed"


def migrate_target(
    config: Config, settings: Settings, target: Target, version: str
) -> TargetOutcome:
    """Migrate one target in a process of its own (unless it is already at head)."""
    from .commands import MigrationCommands

    if version in {"head", "heads"} and _at_head(config, settings, target):
        return TargetOutcome(target.shown, AT_HEAD)
    x_arguments = tuple(getattr(config.cmd_opts, "x", None) or ())
    if target.schema:
        x_arguments += (f"{SCHEMA_ARGUMENT}={target.schema}",)
    commands = MigrationCommands(
        config.config_file_name or "alembic.ini",
        name=config.config_ini_section,
        x_arguments=x_arguments,
        environment={settings.url_env: target.url},
        echo=False,
    )
    result = commands.migrate(version)
    if not result.success:
        return TargetOutcome(target.shown, FAILED, len(result.steps), _failure_detail(result))
    return TargetOutcome(target.shown, APPLIED if result.steps else AT_HEAD, len(result.steps))


def run_fleet(
    config: Config, targets: Sequence[Target], version: str, jobs: int
) -> list[TargetOutcome]:
    """Migrate every target, ``jobs`` at a time; one failing target never stops the others.

    :returns: the outcomes, in the order of ``targets``.
    """
    from .settings import load_settings

    settings = load_settings(config)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda t: migrate_target(config, settings, t, version), targets))


def write_table(outcomes: Sequence[TargetOutcome], stream: TextIO) -> None:
    """Write the final table: one line per target, then the counts."""
    width = max((len(outcome.target) for outcome in outcomes), default=6)
    stream.write(f"{'target':<{width}}  result\n")
    for outcome in outcomes:
        result = outcome.status
        if outcome.status == APPLIED:
            result += f" ({outcome.steps} revision{'s' if outcome.steps != 1 else ''})"
        if outcome.detail:
            result += f": {outcome.detail}"
        stream.write(f"{outcome.target:<{width}}  {result}\n")
    statuses = [outcome.status for outcome in outcomes]
    counts = {status: statuses.count(status) for status in (APPLIED, AT_HEAD, FAILED)}
    stream.write(
        f"{len(outcomes)} targets: {counts[APPLIED]} applied, {counts[AT_HEAD]} already at head, "
        f"{counts[FAILED]} failed\n"
    )


def fleet_command(config: Config) -> int:
    """``lback-migrations migrate --targets FILE [--jobs N] [--shard I/N|auto]``."""
    options = config.cmd_opts
    targets = read_targets(Path(options.targets))  # type: ignore[union-attr]
    index, count = parse_shard(
        options.shard,  # type: ignore[union-attr]
        options.shard_count,  # type: ignore[union-attr]
        os.environ,
    )
    chosen = shard(targets, index, count)
    outcomes = run_fleet(config, chosen, options.version, options.jobs)  # type: ignore[union-attr]
    write_table(outcomes, sys.stdout)
    return 1 if any(outcome.status == FAILED for outcome in outcomes) else 0
