"""The ``lback-migrations`` program: :func:`main`, and its ``makemigrations``, ``migrate`` and
``rollback`` sub-commands.

:func:`main` runs :class:`~lback_migrations.command_line.LbackCommandLine`. Each sub-command
runs :class:`~lback_migrations.commands.MigrationCommands` in-process, as the program's own
command: Alembic's output shown as it comes, a line per applied step on a terminal, one line
saying what an interrupt stopped, and the process exit code.

Every ``lback-migrations`` run imports this module: it imports the commands, the runners and
the signals only inside the functions that use them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .command_line import LbackCommandLine

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config

    from .commands import CommandResult, MigrationCommands


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``lback-migrations`` command line.

    :param argv: the arguments, without the program name; defaults to ``sys.argv[1:]``.
    """
    LbackCommandLine().main(argv)


def _exit_code(result: CommandResult, stderr: TextIO) -> int:
    if result.returncode is None:
        stderr.write(f"FAILED: {result.command} stopped ({result.error_type})\n")
        return 1
    return result.returncode


@contextmanager
def _progress(stream: TextIO) -> Iterator[None]:
    """A line per applied step on a terminal."""
    from .signals import migration_step_completed

    if not stream.isatty():
        yield
        return

    def progress(sender: object, **kwargs: Any) -> None:
        stream.write(f"  {kwargs['direction']} {kwargs['revision']} ({kwargs['duration']:.2f}s)\n")
        stream.flush()

    with migration_step_completed.connected_to(progress):
        yield


def _cli_run(
    config: Config,
    call: Callable[[MigrationCommands], CommandResult],
    direction: str | None = None,
) -> int:
    """Run a command as the program's own: logging configured from the ini file as the
    ``alembic`` command's ``env.py`` would, Alembic's output shown as it comes.

    Ctrl-C prints one line saying what was stopped and where the version table stands (see
    :mod:`lback_migrations.interruption`) and exits 130.
    """
    from .commands import MigrationCommands
    from .ini_logging import configure_logging
    from .interruption import INTERRUPTED_EXIT_CODE, interruption_report
    from .runners.inprocess import InProcessRunner
    from .signals import migration_step_completed, migration_step_failed

    configure_logging(config)
    commands = MigrationCommands.from_config(config, runner=InProcessRunner(echo=True))
    completed: list[str] = []
    failures: list[dict[str, Any]] = []

    def step(sender: object, **kwargs: Any) -> None:
        completed.append(str(kwargs["revision"]))

    def failed(sender: object, **kwargs: Any) -> None:
        failures.append(kwargs)

    try:
        with (
            _progress(sys.stdout),
            migration_step_completed.connected_to(step),
            migration_step_failed.connected_to(failed),
        ):
            result = call(commands)
    except KeyboardInterrupt:
        # SIGINT or SIGTERM. The templates' deploy policy has reported what it stopped
        # (migration_step_failed); an env.py without it gets this one line instead.
        if failures:
            pass
        elif direction is None:
            sys.stderr.write("interrupted: the command was stopped\n")
        else:
            sys.stderr.write(interruption_report(config, direction, completed) + "\n")
        return INTERRUPTED_EXIT_CODE
    if result.exception is not None and _traceback_asked(config):
        _print_traceback(commands, result.exception, sys.stderr)
    return _exit_code(result, sys.stderr)


def _traceback_asked(config: Config) -> bool:
    options = config.cmd_opts
    return any(getattr(options, name, False) for name in ("raiseerr", "verbose", "lback_verbose"))


def _print_traceback(commands: MigrationCommands, error: BaseException, stream: TextIO) -> None:
    """Print the traceback of a failed run (``--raiseerr`` or ``--verbose``), passwords masked."""
    import traceback

    from .runners.redaction import Redactor, configured_passwords

    passwords = configured_passwords(
        Path(commands.config_file), commands.name, commands.environment, commands.x_arguments
    )
    stream.write(Redactor(passwords).text("".join(traceback.format_exception(error))))


def _add_verbose_argument(parser: ArgumentParser) -> None:
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print the traceback of a failure"
    )


def makemigrations_command(config: Config) -> int:
    """``lback-migrations makemigrations -m MESSAGE``."""
    message: str = config.cmd_opts.message  # type: ignore[union-attr]
    renames: list[str] = config.cmd_opts.rename  # type: ignore[union-attr]
    noinput: bool = config.cmd_opts.noinput  # type: ignore[union-attr]
    return _cli_run(
        config, lambda commands: commands.makemigrations(message, renames=renames, noinput=noinput)
    )


def add_makemigrations_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``makemigrations``."""
    _add_verbose_argument(parser)
    parser.add_argument("-m", "--message", default="auto", help="message of the revision")
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="accept a rename candidate without a question: table.column=new or table=new "
        "(repeatable)",
    )
    parser.add_argument(
        "--noinput",
        action="store_true",
        help="never ask about rename candidates: warn and keep drop + add",
    )


def migrate_command(config: Config) -> int:
    """``lback-migrations migrate [VERSION]``."""
    version: str = config.cmd_opts.version  # type: ignore[union-attr]
    if getattr(config.cmd_opts, "targets", None):
        from .fleet import fleet_command

        return fleet_command(config)
    return _cli_run(config, lambda commands: commands.migrate(version), "upgrade")


def add_migrate_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``migrate``."""
    from .fleet import DEFAULT_JOBS

    _add_verbose_argument(parser)
    parser.add_argument("version", nargs="?", default="head", help="target (default: head)")
    parser.add_argument(
        "--targets",
        metavar="FILE",
        help="migrate every database of FILE: one URL (or URL#schema) per line",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"with --targets: targets migrated at a time (default: {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--shard",
        metavar="I/N|auto",
        help="with --targets: only every N-th target from I (auto: from the environment)",
    )
    parser.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="with --shard auto: the number of shards (else LBACK_SHARD_COUNT)",
    )


def rollback_command(config: Config) -> int:
    """``lback-migrations rollback [VERSION]``."""
    version: str = config.cmd_opts.version  # type: ignore[union-attr]
    return _cli_run(config, lambda commands: commands.rollback(version), "downgrade")


def add_rollback_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``rollback``."""
    _add_verbose_argument(parser)
    parser.add_argument("version", nargs="?", default="-1", help="target (default: -1)")
