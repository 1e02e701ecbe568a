"""The ``lback-migrations`` executable: ``format`` and ``lint`` without Alembic when they can.

Over an unchanged history, ``lback-migrations lint`` and ``format`` read a cache and print;
building Alembic's command line would import Alembic and SQLAlchemy, forty times an
interpreter's start-up and most of such a run. So :func:`main` runs these two commands itself,
reading the ini file through :class:`~lback_migrations.ini_config.IniConfig`, when nothing on
the command line or in the environment needs more:

- the command is ``format`` or ``lint``, without ``--help``, ``--version``, ``--events`` or
  ``--verbose``, and its arguments parse;
- the configuration is one ini file (``-c``, ``ALEMBIC_CONFIG`` or ``alembic.ini``), with no
  ``[tool.alembic]`` table in ``pyproject.toml``;
- no subprocess runner started this process (its ``-x`` values and signal pipe go through
  Alembic's command line).

Every other command line is handed to :func:`lback_migrations.cli.main` unchanged; the
commands behave the same either way, and import Alembic themselves when a file needs it
(``lint --sql``, version locations given as package resources).
"""

from __future__ import annotations

import configparser
import os
import sys
from argparse import ArgumentParser, Namespace
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, cast

from . import standalone
from .ini_config import IniConfig

if TYPE_CHECKING:
    from alembic.config import Config

STANDALONE_COMMANDS = {
    "format": "lback_migrations.format_command:format_command",
    "lint": "lback_migrations.lint_command:lint_command",
}
"""The commands :func:`main` may run without Alembic, by ``module:function``."""
_ARGUMENTS = {
    "format": "lback_migrations.format_command:add_arguments",
    "lint": "lback_migrations.lint_command:add_arguments",
}
_OPTIONS_WITH_VALUES = frozenset({"-c", "--config", "-n", "--name", "-x", "--events"})
_NEEDS_ALEMBIC = frozenset({"-h", "--help", "--version", "--events", "--verbose"})
_HANDED_DOWN = "LBACK_MIGRATIONS_"
"""The prefix of the variables through which a subprocess runner hands its child the ``-x``
values and the signal pipe (``X_ARGUMENTS_VARIABLE``, ``FORWARD_FD_VARIABLE``); their modules
are not imported here, they cost more than a warm run."""


class _NeedsAlembic(Exception):
    """The command line is for Alembic's parser: help, a usage error, an option it reads."""


class _Parser(ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NeedsAlembic(message)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``lback-migrations`` command line.

    :param argv: the arguments, without the program name; defaults to ``sys.argv[1:]``.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    imported = set(sys.modules)
    try:
        name, options, ini_config = _standalone(arguments)
    except _NeedsAlembic:
        _forget_standalone_run(imported)
        from .cli import main as alembic_main

        alembic_main(arguments)
        return
    sys.exit(_run(name, options, ini_config))


def _standalone(arguments: list[str]) -> tuple[str, Namespace, IniConfig]:
    """The command, its parsed options and the ini file, when :func:`main` may run them
    without Alembic."""
    if any(variable.startswith(_HANDED_DOWN) for variable in os.environ):
        raise _NeedsAlembic("started by a subprocess runner")
    name = _command_name(arguments)
    # from here on, this package's errors are imported without Alembic (see the errors module)
    standalone.run_without_alembic()
    parser = _Parser(prog="lback-migrations", add_help=False)
    parser.add_argument("-c", "--config", action="append")
    parser.add_argument("-n", "--name", default="alembic")
    parser.add_argument("-x", action="append")
    parser.add_argument("--raiseerr", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    commands = parser.add_subparsers()
    add_arguments = cast("Callable[[ArgumentParser], None]", _resolve(_ARGUMENTS[name]))
    add_arguments(commands.add_parser(name, add_help=False))
    options = parser.parse_args(arguments)
    try:
        config = IniConfig(_ini_file(options), options.name, options, "pyproject.toml")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise _NeedsAlembic("the ini file does not parse: its error is reported there") from error
    return name, options, config


def _forget_standalone_run(imported: set[str]) -> None:
    """Undo :func:`_standalone`'s start when Alembic's command line takes over: the modules of
    this package it imported (its errors among them, made without Alembic) are forgotten, so
    that Alembic's command line imports them again, with errors that Alembic reports."""
    if not standalone.runs_without_alembic():
        return
    standalone.run_with_alembic()
    for module in set(sys.modules) - imported:
        if module.startswith("lback_migrations."):
            del sys.modules[module]


def _command_name(arguments: list[str]) -> str:
    if not _NEEDS_ALEMBIC.isdisjoint(argument.partition("=")[0] for argument in arguments):
        raise _NeedsAlembic("an option of Alembic's command line")
    values_follow = False
    for argument in arguments:
        if values_follow:
            values_follow = False
        elif argument in _OPTIONS_WITH_VALUES:
            values_follow = True
        elif not argument.startswith("-"):
            if argument not in STANDALONE_COMMANDS:
                raise _NeedsAlembic(f"{argument} is run by Alembic's command line")
            return argument
    raise _NeedsAlembic("no command")


def _ini_file(options: Namespace) -> str:
    """The ini file Alembic's command line would read, when it reads no ``[tool.alembic]``."""
    named: list[str] = options.config or []
    from_environment = os.environ.get("ALEMBIC_CONFIG")
    files = [*named, *([from_environment] if from_environment and not named else [])]
    if len(named) > 1 or any(os.path.basename(file) == "pyproject.toml" for file in files):
        raise _NeedsAlembic("the configuration names pyproject.toml")
    if _has_alembic_table("pyproject.toml"):
        raise _NeedsAlembic("pyproject.toml has Alembic options")
    return files[0] if files else "alembic.ini"


def _has_alembic_table(path: str) -> bool:
    from .errors import ConfigurationError
    from .options import load_tool_table

    try:
        return "alembic" in load_tool_table(Path(path), "[tool.alembic]")
    except ConfigurationError:
        return True  # Alembic's command line reports it


def _run(name: str, options: Namespace, ini_config: IniConfig) -> int:
    from .configuration_files import check_configuration_files
    from .errors import ConfigurationError, LbackError

    # IniConfig answers everything the file commands ask of a Config (see its module)
    config = cast("Config", ini_config)
    try:
        check_configuration_files(config)
    except ConfigurationError as error:
        if options.raiseerr:
            raise
        from .command_line import CONFIGURATION_EXIT_CODE

        sys.stderr.write(f"error: {error}\n")
        return CONFIGURATION_EXIT_CODE
    from .plugin import FORMAT_HOOK, LINT_HOOK

    command = cast("Callable[..., int]", _resolve(STANDALONE_COMMANDS[name]))
    try:
        return command(config, hook_type={"format": FORMAT_HOOK, "lint": LINT_HOOK}[name])
    except Exception as error:
        # Alembic's own errors can reach here only once a command imported Alembic
        command_error = getattr(sys.modules.get("alembic.util.exc"), "CommandError", LbackError)
        if options.raiseerr or not isinstance(error, (LbackError, command_error)):
            raise
        from alembic.util import err

        err(str(error), **config.messaging_opts)
        return 1


def _resolve(dotted: str) -> Callable[..., object]:
    module, _, attribute = dotted.partition(":")
    function: Callable[..., object] = getattr(import_module(module), attribute)
    return function
