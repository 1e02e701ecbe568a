"""The configuration files of a run, checked before anything runs.

``alembic.ini`` is read by :mod:`configparser` and ``pyproject.toml`` by :mod:`tomllib`, each
from many places (Alembic, ``env.py``, the hooks, the commands); a syntax error surfaces as a
traceback from whichever reads first. :func:`check_configuration_files` reads both once, up
front, and turns any error into a :class:`~lback_migrations.errors.ConfigurationError` naming
the file, the line and the fix. No message quotes a line of the file: an ini line may hold a
database password.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import TYPE_CHECKING

from .database_url import check_interpolation
from .errors import ConfigurationError
from .options import load_tool_table
from .settings import pyproject_path

if TYPE_CHECKING:
    from alembic.config import Config


def check_configuration_files(config: Config) -> None:
    """Read the ini file and ``pyproject.toml`` of ``config`` as Alembic and lback-migrations
    will, and report the first error.

    :raises ConfigurationError: naming the file, the line and what to change.
    """
    if config.config_file_name and Path(config.config_file_name).is_file():
        check_ini(Path(config.config_file_name), config.config_ini_section)
    tomls = {config.toml_file_name and Path(config.toml_file_name), pyproject_path(config)}
    for toml in sorted(str(path) for path in tomls if path):
        check_toml(Path(toml))


def check_ini(path: Path, section: str) -> None:
    """The ini file at ``path`` parses, and ``section`` interpolates.

    :raises ConfigurationError: naming the file and line.
    """
    parser = configparser.ConfigParser({"here": path.absolute().parent.as_posix()})
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle, source=str(path))
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            str(path), f"is not UTF-8 ({error.reason})", "save the file as UTF-8", str(path)
        ) from None
    except configparser.Error as error:
        line, problem, fix = _ini_problem(error)
        raise ConfigurationError(f"line {line}", problem, fix, str(path)) from None
    check_interpolation(parser, section, str(path))


def _ini_problem(error: configparser.Error) -> tuple[int | None, str, str]:
    if isinstance(error, configparser.DuplicateOptionError):
        return (
            error.lineno,
            f"option {error.option!r} of [{error.section}] is set a second time",
            "keep one of the two lines",
        )
    if isinstance(error, configparser.DuplicateSectionError):
        return (
            error.lineno,
            f"section [{error.section}] appears a second time",
            "merge the two sections into one",
        )
    if isinstance(error, configparser.MissingSectionHeaderError):
        return (
            error.lineno,
            "the file must start with a [section] header (is a ']' missing?)",
            "write the header as [alembic]",
        )
    if isinstance(error, configparser.ParsingError):
        line = error.errors[0][0] if error.errors else None
        return (
            line,
            "the line is neither a [section] header nor a key = value option",
            "close the section header with ']' or write the option as key = value",
        )
    return None, str(error).splitlines()[0], "fix the ini syntax"


def check_toml(path: Path) -> None:
    """The ``pyproject.toml`` at ``path`` parses, when it exists.

    :raises ConfigurationError: naming the file and line.
    """
    load_tool_table(path, "pyproject.toml")
