"""The ``lback-migrations`` command line: Alembic's own, extended.

Every Alembic command and option works unchanged; ``init`` defaults to the ``lback`` template.
Commands of lback-migrations are added with :meth:`LbackCommandLine.add_command`: each is a
function taking the Alembic :class:`~alembic.config.Config` (its parsed arguments are
``config.cmd_opts``) and returning the process exit code.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser, Namespace
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from alembic.config import CommandLine
from alembic.util import CommandError, err

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_TEMPLATE = "lback"

CommandFn = Callable[["Config"], int]
"""A lback-migrations command: takes the config, returns the exit code."""

ArgumentsFn = Callable[[ArgumentParser], None]
"""Adds a command's own arguments to its sub-parser."""


class LbackCommandLine(CommandLine):
    """Alembic's :class:`~alembic.config.CommandLine` with lback-migrations' commands added."""

    def __init__(self, prog: str | None = "lback-migrations") -> None:
        super().__init__(prog=prog)
        self.subparsers.choices["init"].set_defaults(template=DEFAULT_TEMPLATE)
        self.parser.add_argument(
            "--events",
            metavar="FILE",
            help="append every lback-migrations signal to FILE as one JSON line",
        )
        for name, command, help_text, arguments in _commands():
            self.add_command(name, command, help_text=help_text, arguments=arguments)

    def add_command(
        self, name: str, command: CommandFn, *, help_text: str, arguments: ArgumentsFn
    ) -> ArgumentParser:
        """Add ``command`` as the sub-command ``name``.

        :param arguments: called with the new sub-parser to add the command's own arguments.
        :returns: the sub-parser.
        """
        parser: ArgumentParser = self.subparsers.add_parser(name, help=help_text)
        arguments(parser)
        parser.set_defaults(cmd=(command, [], []), lback_command=True)
        return parser

    def run_cmd(self, config: Config, options: Namespace) -> None:
        """Run the parsed command; a lback-migrations command's exit code becomes the process's.

        Signals are written to ``--events FILE``, and forwarded to the parent process when a
        subprocess runner started this one.
        """
        from .events import forwarding_to_parent, recording

        with forwarding_to_parent(), recording(getattr(options, "events", None)):
            self._run_parsed(config, options)

    def _run_parsed(self, config: Config, options: Namespace) -> None:
        if not getattr(options, "lback_command", False):
            from .runners.instrumented import instrumented

            options.cmd = (instrumented(options.cmd[0]), *options.cmd[1:])
            super().run_cmd(config, options)
            return
        command: CommandFn = options.cmd[0]
        try:
            code = command(config)
        except CommandError as error:
            if options.raiseerr:
                raise
            err(str(error), **config.messaging_opts)
        else:
            if code:
                sys.exit(code)


def _commands() -> list[tuple[str, CommandFn, str, ArgumentsFn]]:
    """The lback-migrations commands: ``(name, function, help, arguments)``.

    Each command module is imported only here, when the command line is built, so that
    ``env.py`` and the Alembic plugin never pay for it.
    """
    from . import ci, commands

    found: list[tuple[str, CommandFn, str, ArgumentsFn]] = []
    found += [
        (
            "makemigrations",
            commands.makemigrations_command,
            "Autogenerate a revision (revision --autogenerate -m MESSAGE).",
            commands.add_makemigrations_arguments,
        ),
        (
            "migrate",
            commands.migrate_command,
            "Apply migrations up to VERSION (default: head).",
            commands.add_migrate_arguments,
        ),
        (
            "rollback",
            commands.rollback_command,
            "Revert migrations down to VERSION (default: -1, one step).",
            commands.add_rollback_arguments,
        ),
        ("ci", ci.ci_command, ci.HELP, ci.add_arguments),
    ]
    from .formatting import command as format_command

    found.append(
        (
            "format",
            format_command.format_command,
            "Format revision files like the lback_format hook (--check, --diff).",
            format_command.add_arguments,
        )
    )
    from .lint import command as lint_command

    found.append(
        (
            "lint",
            lint_command.lint_command,
            "Lint revision files like the lback_lint hook (exit 1 on findings at fail_on).",
            lint_command.add_arguments,
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``lback-migrations`` command line.

    :param argv: the arguments, without the program name; defaults to ``sys.argv[1:]``.
    """
    LbackCommandLine().main(argv)
