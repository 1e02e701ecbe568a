"""Alembic's command line, extended with the lback-migrations commands.

Every Alembic command and option works unchanged; ``init`` defaults to the ``lback`` template.
Commands of lback-migrations are added with :meth:`LbackCommandLine.add_command`: each is a
function taking the Alembic :class:`~alembic.config.Config` (its parsed arguments are
``config.cmd_opts``) and returning the process exit code.

Building the command line imports none of the commands: the built-in ones are listed in
:data:`COMMANDS` by the dotted names of their functions, and only the command being run is
imported, with its arguments, when the command line is parsed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from argparse import Action, ArgumentParser, Namespace
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple

from alembic.config import CommandLine
from alembic.util import CommandError, err

from . import __version__
from .plugin import FORMAT_HOOK, LINT_HOOK

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_TEMPLATE = "lback"
CONFIGURATION_EXIT_CODE = 2
"""The exit code when the configuration files or ``--events`` cannot be used."""

CommandFn = Callable[["Config"], int]
"""A lback-migrations command: takes the config, returns the exit code."""

ArgumentsFn = Callable[[ArgumentParser], None]
"""Adds a command's own arguments to its sub-parser."""


class _VersionAction(Action):
    """``--version``: this package's version and Alembic's."""

    def __call__(
        self,
        parser: ArgumentParser,
        namespace: Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"{parser.prog} {__version__} (alembic {version('alembic')})\n")
        parser.exit()


class DeferredCommand(NamedTuple):
    """A command named by where its functions live, imported only when it is run.

    :param name: the sub-command.
    :param help: its one-line help, shown by ``lback-migrations --help``.
    :param command: ``"module:function"`` of its :data:`CommandFn`.
    :param arguments: ``"module:function"`` of its :data:`ArgumentsFn`.
    :param hook_type: for a command that works like a post-write hook (``format``, ``lint``,
        ``rebase``, ``squash``), the hook's type, passed to the command as ``hook_type``: the
        options of the hooks of that type in the configuration are the command's.
    """

    name: str
    help: str
    command: str
    arguments: str
    hook_type: str | None = None


COMMANDS: tuple[DeferredCommand, ...] = (
    DeferredCommand(
        "makemigrations",
        "Autogenerate a revision (revision --autogenerate -m MESSAGE).",
        "lback_migrations.cli:makemigrations_command",
        "lback_migrations.cli:add_makemigrations_arguments",
    ),
    DeferredCommand(
        "migrate",
        "Apply migrations up to VERSION (default: head).",
        "lback_migrations.cli:migrate_command",
        "lback_migrations.cli:add_migrate_arguments",
    ),
    DeferredCommand(
        "rollback",
        "Revert migrations down to VERSION (default: -1, one step).",
        "lback_migrations.cli:rollback_command",
        "lback_migrations.cli:add_rollback_arguments",
    ),
    DeferredCommand(
        "plan",
        "List the revisions migrate VERSION would apply (or rollback revert), with lint "
        "findings; --sql shows their SQL.",
        "lback_migrations.plan:plan_command",
        "lback_migrations.plan:add_plan_arguments",
    ),
    DeferredCommand(
        "sqlmigrate",
        "Print the SQL of one revision for the configured dialect.",
        "lback_migrations.plan:sqlmigrate_command",
        "lback_migrations.plan:add_sqlmigrate_arguments",
    ),
    DeferredCommand(
        "ci",
        "Fail on model drift, several heads, unapplied revisions and lint findings.",
        "lback_migrations.ci:ci_command",
        "lback_migrations.ci:add_arguments",
    ),
    DeferredCommand(
        "format",
        "Format revision files like the lback_format hook (--check, --diff).",
        "lback_migrations.format_command:format_command",
        "lback_migrations.format_command:add_arguments",
        hook_type=FORMAT_HOOK,
    ),
    DeferredCommand(
        "lint",
        "Lint revision files like the lback_lint hook (exit 1 on findings at fail_on).",
        "lback_migrations.lint_command:lint_command",
        "lback_migrations.lint_command:add_arguments",
        hook_type=LINT_HOOK,
    ),
    DeferredCommand(
        "verify",
        "Run every migration up, then down, on a shadow database and report what it did.",
        "lback_migrations.verify.command:verify_command",
        "lback_migrations.verify.command:add_arguments",
    ),
    DeferredCommand(
        "rebase",
        "Put revision REV (and those after it) after TARGET (default: the other head).",
        "lback_migrations.history.rebase:rebase_command",
        "lback_migrations.history.rebase:add_arguments",
        hook_type=FORMAT_HOOK,
    ),
    DeferredCommand(
        "squash",
        "Write one revision equal to the history from the base to REV (--to REV).",
        "lback_migrations.history.squash:squash_command",
        "lback_migrations.history.squash:add_arguments",
        hook_type=FORMAT_HOOK,
    ),
    DeferredCommand(
        "checksums",
        "Record the edited file of an applied revision as intended (--accept REV).",
        "lback_migrations.history.checksums:checksums_command",
        "lback_migrations.history.checksums:add_arguments",
    ),
)
"""The built-in lback-migrations commands."""


def _resolve(dotted: str) -> Any:
    module, _, attribute = dotted.partition(":")
    return getattr(import_module(module), attribute)


class _Imported:
    """A :data:`CommandFn` that imports the command named ``dotted`` when it is called (and
    gives it its hook type, when it has one)."""

    def __init__(self, dotted: str, hook_type: str | None = None) -> None:
        self.dotted = dotted
        self.hook_type = hook_type

    def __call__(self, config: Config) -> int:
        command: Callable[..., int] = _resolve(self.dotted)
        if self.hook_type is None:
            return command(config)
        return command(config, hook_type=self.hook_type)


class LbackCommandLine(CommandLine):
    """Alembic's :class:`~alembic.config.CommandLine` with lback-migrations' commands added."""

    def __init__(self, prog: str | None = "lback-migrations") -> None:
        super().__init__(prog=prog)
        self._show_versions()
        self.subparsers.choices["init"].set_defaults(template=DEFAULT_TEMPLATE)
        self.parser.add_argument(
            "--events",
            metavar="FILE",
            help="append every lback-migrations signal to FILE as one JSON line",
        )
        self.parser.add_argument(
            "--verbose",
            dest="lback_verbose",
            action="store_true",
            help="log the traceback of a signal receiver that raises",
        )
        self._deferred: dict[str, tuple[ArgumentParser, str]] = {}
        for deferred in COMMANDS:
            self._add_deferred(deferred)

    def _show_versions(self) -> None:
        # Alembic's parser already owns --version (printing only Alembic's): print ours too,
        # reading Alembic's version only when asked (package metadata costs tens of ms).
        self.parser._option_string_actions["--version"].__class__ = _VersionAction

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

    def _add_deferred(self, deferred: DeferredCommand) -> None:
        # The sub-parser gets its help option and arguments only once it is chosen (see
        # ``parse_args``): until then an unknown argument is left for later, never an error.
        parser: ArgumentParser = self.subparsers.add_parser(
            deferred.name, help=deferred.help, add_help=False
        )
        parser.set_defaults(
            cmd=(_Imported(deferred.command, deferred.hook_type), [], []),
            lback_command=True,
            lback_deferred=deferred.name,
        )
        self._deferred[deferred.name] = (parser, deferred.arguments)

    def prepare(self, argv: Sequence[str]) -> None:
        """Give the lback-migrations command chosen in ``argv`` its help option and arguments,
        importing the module that adds them. Nothing happens for any other command.

        A first parse finds the sub-command; it stops only where the full parse would stop
        too (``--help``, ``--version``, an error outside the chosen command).
        """
        chosen, _ = self.parser.parse_known_args(argv)
        name = getattr(chosen, "lback_deferred", None)
        if name not in self._deferred:
            return
        parser, add_arguments = self._deferred.pop(name)
        parser.add_argument("-h", "--help", action="help", help="show this help message and exit")
        _resolve(add_arguments)(parser)

    def main(self, argv: Sequence[str] | None = None) -> None:
        """Run the command line with ``argv`` (default ``sys.argv[1:]``).

        The ``-x`` values of
        :data:`~lback_migrations.runners.external.X_ARGUMENTS_VARIABLE`, when it is set, come
        first.
        """
        arguments = [*_x_arguments_from_environment(), *(sys.argv[1:] if argv is None else argv)]
        self.prepare(arguments)
        super().main(arguments)

    def run_cmd(self, config: Config, options: Namespace) -> None:
        """Run the parsed command; a lback-migrations command's exit code becomes the process's.

        Signals are written to ``--events FILE``, and forwarded to the parent process when a
        subprocess runner started this one. Before anything runs, the ini file and
        ``pyproject.toml`` are checked and the events file is opened: a problem with either is
        one line on standard error and exit code :data:`CONFIGURATION_EXIT_CODE`.
        """
        from .configuration_files import check_configuration_files
        from .errors import ConfigurationError
        from .events_log import recording
        from .signal_forwarding import forwarding_to_parent

        if getattr(options, "lback_verbose", False):
            logging.getLogger("lback_migrations.signals").setLevel(logging.DEBUG)

        with ExitStack() as stack:
            try:
                check_configuration_files(config)
                stack.enter_context(recording(getattr(options, "events", None)))
            except ConfigurationError as error:
                if options.raiseerr:
                    raise
                sys.stderr.write(f"error: {error}\n")
                sys.exit(CONFIGURATION_EXIT_CODE)
            stack.enter_context(forwarding_to_parent())
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


def _x_arguments_from_environment() -> list[str]:
    from .runners.external import X_ARGUMENTS_VARIABLE

    # Read once per process: a run nested in this one must not get them again.
    value = os.environ.pop(X_ARGUMENTS_VARIABLE, None)
    if not value:
        return []
    values = json.loads(value)
    return [item for x_value in values for item in ("-x", str(x_value))]
