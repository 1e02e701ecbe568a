"""Reading options: their values, the ``[tool]`` tables of ``pyproject.toml``, and their layers.

Every tool of lback-migrations (the environment's ``lback.*`` options, the ``lback_format`` and
``lback_lint`` hooks, ``-x`` and command-line options) reads its options here, the same way:

- a key is written with dashes or underscores alike (``fail-on``, ``fail_on``);
- booleans, lists and choices are read by the parsers below, which name the key they could not
  read;
- options come in layers, the later winning key by key: the defaults (the tool's dataclass),
  ``[tool.lback-migrations]`` (or its ``lint`` / ``format`` sub-table) of ``pyproject.toml``,
  the ini section or the hook's own keys, then the command line;
- an unknown key is one :class:`~lback_migrations.errors.ConfigurationError` naming the key,
  the file and the closest known key;
- the ``pyproject.toml`` of a project is found by one rule, :func:`project_pyproject`.

Each tool keeps only its own dataclass and its table of parsers.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PYPROJECT = "pyproject.toml"
INI_NAME = "alembic.ini"
TOOL_NAME = "lback-migrations"
PYPROJECT_TABLE = f"tool.{TOOL_NAME}"
HOOK_TABLES = ("lint", "format")
"""The sub-tables of ``[tool.lback-migrations]`` that belong to the post-write hooks."""
HOOK_KEYS = frozenset({"type", "_hook_name"})
"""Keys Alembic itself puts in a hook's options; they are no option of the hook."""
TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})

Parser = Callable[[Any, str, "str | None"], Any]
"""Reads one value: ``parser(value, key as written, source file)``; raises
:class:`~lback_migrations.errors.ConfigurationError` naming the key."""


class RawOption(NamedTuple):
    """One option as read, before its parser validates it."""

    key: str
    """The key as the user wrote it, with where (``[tool.lback-migrations] url-env``)."""
    value: Any
    """The value as written: a string from an ini file, any TOML value from pyproject.toml."""
    source: str | None
    """The file it came from, ``None`` for the command line or code."""


Layer = dict[str, RawOption]
"""Options of one place, by :func:`normalise`\\ d name."""


def normalise(name: str) -> str:
    """The option name of a key as written: dashes and underscores are alike."""
    return name.strip().replace("-", "_")


def layer(items: Iterable[tuple[str, Any]], where: str, source: str | None) -> Layer:
    """The options ``items`` (name as written, value) of one place.

    :param where: how the user names the place, put before each key in messages
        (``"[tool.lback-migrations] "``, ``"--"``).
    :param source: the file they were read from.
    """
    return {normalise(name): RawOption(f"{where}{name}", value, source) for name, value in items}


def hook_layer(options: Mapping[str, Any], hook_name: str, source: str | None) -> Layer:
    """A post-write hook's own keys (``NAME.select = LB1`` under ``[post_write_hooks]``), less
    the :data:`HOOK_KEYS` Alembic adds."""
    own = ((name, value) for name, value in options.items() if name not in HOOK_KEYS)
    return layer(own, f"[post_write_hooks] {hook_name}.", source)


def parse_layers(
    layers: Iterable[Layer], types: Mapping[str, OptionType], what: str
) -> dict[str, Any]:
    """Validate ``layers``, the later winning key by key.

    :param types: option name to its :class:`OptionType`: the names a tool knows.
    :param what: what an option is called in messages (``"lint option"``).
    :return: option name to parsed value, for the options set in any layer.
    :raises ConfigurationError: on an unknown key (with the closest known one) or a bad value.
    """
    merged: Layer = {}
    for each in layers:
        merged.update(each)
    values: dict[str, Any] = {}
    for name, (key, value, source) in merged.items():
        option_type = types.get(name)
        if option_type is None:
            raise unknown_option(key, name, tuple(types), what, source)
        values[name] = option_type.parse(value, key, source)
    return values


def unknown_option(
    key: str, name: str, known: tuple[str, ...], what: str, source: str | None
) -> ConfigurationError:
    """The error for option ``name`` (written ``key``) that is none of ``known``."""
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        written = re.split(r"[ .]", key)[-1]
        meant = close[0].replace("_", "-") if "-" in written else close[0]
        hint = f"did you mean {meant!r}?"
    else:
        hint = f"known options: {', '.join(known)}"
    return ConfigurationError(key, f"unknown {what}", hint, source)


def is_true(text: str) -> bool:
    """Whether ``text`` (an ``-x`` argument, say) is one of :data:`TRUE_WORDS`."""
    return text.strip().lower() in TRUE_WORDS


def parse_bool(value: Any, key: str, source: str | None) -> bool:
    """Read a boolean: a TOML boolean or one of the true / false words.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return is_true(value)
    raise ConfigurationError(
        key, f"expected true or false, got {value!r}", "write true or false", source
    )


def parse_text(value: Any, key: str, source: str | None) -> str:
    """Read a string, without surrounding white space.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, str):
        return value.strip()
    raise ConfigurationError(key, f"expected a string, got {value!r}", "write a string", source)


def _choice_parser(choices: tuple[str, ...]) -> Parser:
    """Build a reader of one of ``choices`` (case-insensitive).

    The reader raises :class:`ConfigurationError` naming the key and the choices.
    """

    def parse(value: Any, key: str, source: str | None) -> str:
        text = parse_text(value, key, source).lower()
        if text not in choices:
            raise ConfigurationError(
                key, f"unknown value {value!r}", f"use one of: {', '.join(choices)}", source
            )
        return text

    return parse


def parse_list(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    """Read a list of names: a TOML array of strings, or a string separated by commas or
    new lines.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, str):
        items = value.replace("\n", ",").split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ConfigurationError(
            key,
            f"expected a comma-separated list, got {value!r}",
            "write the names separated by commas",
            source,
        )
    return tuple(item.strip() for item in items if item.strip())


@dataclass(frozen=True)
class OptionType:
    """How the value of one option is read, and the JSON Schema of its TOML form (see
    :mod:`lback_migrations.options_schema`)."""

    parse: Parser
    schema: Mapping[str, Any]


def choice(choices: tuple[str, ...]) -> OptionType:
    """One of ``choices`` (case-insensitive)."""
    return OptionType(_choice_parser(choices), {"type": "string", "enum": list(choices)})


BOOLEAN = OptionType(parse_bool, {"type": "boolean"})
TEXT = OptionType(parse_text, {"type": "string"})
NAMES = OptionType(parse_list, {"type": ["array", "string"], "items": {"type": "string"}})
"""A list of names: a TOML array of strings, or one string separated by commas."""


def nearest_pyproject(start: Path) -> Path | None:
    """The ``pyproject.toml`` in the directory ``start`` or the closest directory above it."""
    start = start.absolute()
    found = next(
        (path for path in (d / PYPROJECT for d in (start, *start.parents)) if path.is_file()), None
    )
    if found is not None and found.is_relative_to(Path.cwd()):
        return found.relative_to(Path.cwd())  # as the user names it in messages
    return found


def project_pyproject(
    ini_file: str | Path | None, toml_file: str | Path | None = None
) -> Path | None:
    """The ``pyproject.toml`` of a project: the one rule every reader follows.

    It is the ``pyproject.toml`` nearest to ``alembic.ini`` (in its directory, else the closest
    directory above it); without an ``alembic.ini``, the file Alembic reads its own
    ``[tool.alembic]`` from (``toml_file``) when it exists; else the nearest at or above the
    working directory. The environment, both hooks, the ``lint`` and ``format`` commands and
    the masking of passwords so read the same file for one revision.

    :param ini_file: the Alembic ini file of the run (it need not exist).
    :param toml_file: the ``pyproject.toml`` Alembic was given, if any.
    """
    if ini_file and Path(ini_file).is_file():
        return nearest_pyproject(Path(ini_file).absolute().parent)
    if toml_file and Path(toml_file).is_file():
        return Path(toml_file)
    return nearest_pyproject(Path.cwd())


def find_ini(revision: Path) -> Path | None:
    """The ``alembic.ini`` a revision file belongs to, found the way a user runs Alembic: the
    file named by ``ALEMBIC_CONFIG``, else the nearest one in the revision's directory or above
    it, else the one in the working directory; ``None`` when there is none."""
    named = os.environ.get("ALEMBIC_CONFIG")
    candidates = [Path(named)] if named and Path(named).name != PYPROJECT else []
    candidates += [directory / INI_NAME for directory in revision.absolute().parents]
    candidates.append(Path.cwd() / INI_NAME)
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def revision_pyproject(revision: Path) -> Path | None:
    """The ``pyproject.toml`` of the project of the revision file at ``revision``
    (:func:`project_pyproject` of its :func:`find_ini`)."""
    named = os.environ.get("ALEMBIC_CONFIG")
    toml = named if named and Path(named).name == PYPROJECT else None
    return project_pyproject(find_ini(revision), toml)


def load_tool_table(path: Path, key: str) -> dict[str, Any]:
    """Return the ``[tool]`` table of the ``pyproject.toml`` at ``path`` (empty when the file
    does not exist).

    :param key: the configuration key the caller reads, named when the file cannot be read.
    :raises ConfigurationError: when the file cannot be read, or is not valid TOML (naming the
        line and column).
    """
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except OSError as error:
        raise ConfigurationError(
            key, f"cannot read {path} ({error.strerror})", "make the file readable", str(path)
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(path, error) from None
    return tool if isinstance(tool, dict) else {}


def read_tool_table(path: Path, sub_table: str | None = None) -> Layer:
    """The options of ``[tool.lback-migrations]`` in ``path`` (its hook sub-tables left out),
    or of its ``sub_table`` (``lint``, ``format``); nothing when the file or table is absent.

    :raises ConfigurationError: when the file is not valid TOML, the table is not a table, or
        ``[tool.lback-migrations]`` is misspelt.
    """
    table_name = f"{PYPROJECT_TABLE}.{sub_table}" if sub_table else PYPROJECT_TABLE
    tool = load_tool_table(path, table_name)
    if TOOL_NAME not in tool:
        _refuse_misspelt_table(tool, path)
    table = tool.get(TOOL_NAME, {})
    if sub_table and isinstance(table, dict):
        table = table.get(sub_table, {})
    if not isinstance(table, dict):
        raise ConfigurationError(
            f"[{table_name}]", "is not a table", "write the options as a table", str(path)
        )
    items = ((name, value) for name, value in table.items() if sub_table or name not in HOOK_TABLES)
    return layer(items, f"[{table_name}] ", str(path))


def _refuse_misspelt_table(tool: Mapping[str, Any], path: Path) -> None:
    for name in tool:
        if (
            name != TOOL_NAME
            and difflib.SequenceMatcher(None, name.lower(), TOOL_NAME).ratio() > 0.9
        ):
            raise ConfigurationError(
                f"[tool.{name}]",
                "lback-migrations reads no such table, so none of its options apply",
                f"rename the table [{PYPROJECT_TABLE}]",
                str(path),
            )


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _syntax_error(path: Path, error: tomllib.TOMLDecodeError) -> ConfigurationError:
    message = str(error)
    position = _POSITION.search(message)
    problem = f"invalid TOML: {_POSITION.sub('', message)}"
    if position is None:
        where = "end of file" if "end of document" in message else "TOML"
        problem = problem.replace(" (at end of document)", "")
        return ConfigurationError(
            where, problem, "fix the TOML syntax (an unclosed bracket or string?)", str(path)
        )
    line, column = position.groups()
    return ConfigurationError(
        f"line {line}", problem, f"fix the TOML syntax at line {line}, column {column}", str(path)
    )
