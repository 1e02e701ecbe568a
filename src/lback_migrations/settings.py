"""The ``lback.*`` options of an Alembic environment.

Options are read from two places, the later winning:

1. ``[tool.lback-migrations]`` in ``pyproject.toml`` (keys without prefix);
2. the Alembic ini section (``[alembic]`` unless ``-n`` names another), keys prefixed ``lback.``.

Sub-tables of ``[tool.lback-migrations]`` (``lint``, ``format``) belong to the post-write hooks
and are not options of the environment.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError
from .filters import OBJECT_TYPES
from .option_values import choice_parser, parse_bool, parse_list, parse_text
from .pyproject import load_tool_table
from .timeouts import parse_count, parse_duration, parse_optional_duration

if TYPE_CHECKING:
    from alembic.config import Config

INI_PREFIX = "lback."
PYPROJECT_TABLE = "tool.lback-migrations"
HOOK_TABLES = frozenset({"lint", "format"})

BATCH_MODES = ("auto", "always", "never")
RENAME_DETECTION_MODES = ("ask", "warn", "off")
REVISION_ID_MODES = ("random", "sequential", "timestamp")


@dataclass(frozen=True)
class Settings:
    """The validated ``lback.*`` options of one Alembic environment.

    Field names are the option names; :func:`option_names` lists them.
    """

    target_metadata: tuple[str, ...] = ()
    """Import paths ``module:attribute`` of the MetaData objects to compare against."""
    url_env: str = "DATABASE_URL"
    """Environment variable that overrides ``sqlalchemy.url`` when set."""
    schemas: tuple[str, ...] = ()
    """Schemas compared besides the default one; non-empty turns on ``include_schemas``."""
    include_tables: tuple[str, ...] = ()
    """Glob patterns of table names to compare; empty means every table."""
    exclude_tables: tuple[str, ...] = ()
    """Glob patterns of table names never compared."""
    only_metadata_tables: bool = True
    """Reflect only the tables the target metadata defines (filtered before reflection)."""
    drop_unknown_tables: bool = False
    """Let autogenerate propose dropping database tables the metadata does not define."""
    exclude_object_types: tuple[str, ...] = ()
    """Object types (``index``, ``unique_constraint``, ...) autogenerate leaves alone."""
    compare_type: bool = True
    """Compare column types, with the type rules below."""
    type_rules: tuple[str, ...] | None = None
    """Names of the type rules to apply; ``None`` means the default set."""
    compare_server_default: bool = True
    """Compare server defaults, normalised so identical defaults compare equal."""
    type_modules: tuple[str, ...] = ()
    """``module.Type=import.path`` pairs: render ``Type`` from ``import.path`` in revisions."""
    user_module_prefix: str | None = None
    """Alembic's ``user_module_prefix``: a fixed prefix for every user-defined type."""
    version_table: str = "alembic_version"
    """Name of Alembic's version table."""
    version_table_schema: str | None = None
    """Schema of Alembic's version table."""
    batch_mode: str = "auto"
    """``auto`` (batch on SQLite only), ``always`` or ``never``."""
    skip_empty_revisions: bool = True
    """Write no revision when autogenerate finds no change (``-x allow_empty=true`` overrides)."""
    transaction_per_migration: bool = False
    """Run each migration in its own transaction."""
    rename_detection: str = "ask"
    """``ask`` on a terminal, ``warn`` only, or ``off``: what to do with rename candidates."""
    migration_lock: bool = True
    """Hold the deploy lock while ``upgrade``, ``downgrade`` or ``stamp`` runs."""
    migration_lock_timeout: float = 300.0
    """Seconds a run waits for another run's deploy lock before it fails."""
    lock_timeout: float | None = 5.0
    """Seconds a migration statement waits for a table lock; ``None`` (``off``) for no limit."""
    statement_timeout: float | None = None
    """Seconds a migration statement may run; ``None`` (the default) for no limit."""
    lock_timeout_retries: int = 3
    """Times a migration that failed on a lock timeout, and was rolled back whole, is retried."""
    compare_check_constraints: bool = False
    """Compare named CHECK constraints (Alembic's ``alembic.ext.checkconstraint_byname``), with
    the expression text normalised so a server's rewriting is no change."""
    autogenerate_plugins: tuple[str, ...] = ()
    """Alembic autogenerate plugins to add to (or, written ``~name``, remove from) the list the
    options turn on."""
    entities: tuple[str, ...] = ()
    """Import paths ``module:attribute`` of lists of alembic-utils entities (views, functions,
    triggers, policies) to compare."""
    heads_file: bool = False
    """Rewrite ``HEADS`` in the versions directory with every new revision (see
    :mod:`lback_migrations.history.heads_file`)."""
    revision_ids: str = "random"
    """Ids of new revisions: ``random`` (Alembic's), ``sequential`` or ``timestamp``."""

    source: str | None = field(default=None, compare=False)
    """Where the options came from, for error messages."""


def _as_optional_text(value: Any, key: str, source: str | None) -> str | None:
    text = parse_text(value, key, source)
    return text or None


def _as_optional_list(value: Any, key: str, source: str | None) -> tuple[str, ...] | None:
    return parse_list(value, key, source)


def _object_types(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    names = parse_list(value, key, source)
    unknown = [name for name in names if name not in OBJECT_TYPES]
    if unknown:
        raise ConfigurationError(
            key,
            f"unknown object type {unknown[0]!r}",
            f"use some of: {', '.join(OBJECT_TYPES)}",
            source,
        )
    return names


_PARSERS: dict[str, Callable[[Any, str, str | None], Any]] = {
    "target_metadata": parse_list,
    "url_env": parse_text,
    "schemas": parse_list,
    "include_tables": parse_list,
    "exclude_tables": parse_list,
    "only_metadata_tables": parse_bool,
    "drop_unknown_tables": parse_bool,
    "exclude_object_types": _object_types,
    "compare_type": parse_bool,
    "type_rules": _as_optional_list,
    "compare_server_default": parse_bool,
    "type_modules": parse_list,
    "user_module_prefix": _as_optional_text,
    "version_table": parse_text,
    "version_table_schema": _as_optional_text,
    "batch_mode": choice_parser(BATCH_MODES),
    "skip_empty_revisions": parse_bool,
    "transaction_per_migration": parse_bool,
    "rename_detection": choice_parser(RENAME_DETECTION_MODES),
    "migration_lock": parse_bool,
    "migration_lock_timeout": parse_duration,
    "lock_timeout": parse_optional_duration,
    "statement_timeout": parse_optional_duration,
    "lock_timeout_retries": parse_count,
    "compare_check_constraints": parse_bool,
    "autogenerate_plugins": parse_list,
    "entities": parse_list,
    "heads_file": parse_bool,
    "revision_ids": choice_parser(REVISION_ID_MODES),
}


def option_names() -> tuple[str, ...]:
    """Return the names of every environment option, in documentation order."""
    return tuple(f.name for f in dataclasses.fields(Settings) if f.name != "source")


def _unknown_option(key: str, name: str, source: str | None) -> ConfigurationError:
    close = difflib.get_close_matches(name, option_names(), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known options: {', '.join(option_names())}"
    return ConfigurationError(key, "unknown option", hint, source)


RawOption = tuple[str, Any, "str | None"]
"""One option as read: the key as the user wrote it, its value, and the file it came from."""


def parse_options(raw: Mapping[str, RawOption]) -> Settings:
    """Validate raw option values into :class:`Settings`.

    :param raw: option name to ``(key as written, value, source file)``.
    :raises ConfigurationError: on an unknown option or an invalid value.
    """
    values: dict[str, Any] = {}
    sources: list[str] = []
    for name, (key, value, source) in raw.items():
        parser = _PARSERS.get(name)
        if parser is None:
            raise _unknown_option(key, name, source)
        values[name] = parser(value, key, source)
        if source and source not in sources:
            sources.append(source)
    return Settings(source=" and ".join(sources) or None, **values)


def read_pyproject_options(path: Path) -> dict[str, RawOption]:
    """Return the options of ``[tool.lback-migrations]`` in ``path`` (nothing if absent).

    :raises ConfigurationError: when the file is not valid TOML.
    """
    tool = load_tool_table(path, PYPROJECT_TABLE)
    if "lback-migrations" not in tool:
        _refuse_misspelt_table(tool, path)
    table = tool.get("lback-migrations", {})
    return {
        name: (f"[{PYPROJECT_TABLE}] {name}", value, str(path))
        for name, value in table.items()
        if name not in HOOK_TABLES
    }


def _refuse_misspelt_table(tool: Mapping[str, Any], path: Path) -> None:
    wanted = PYPROJECT_TABLE.removeprefix("tool.")
    for name in tool:
        if name != wanted and difflib.SequenceMatcher(None, name.lower(), wanted).ratio() > 0.9:
            raise ConfigurationError(
                f"[tool.{name}]",
                "lback-migrations reads no such table, so none of its options apply",
                f"rename the table [{PYPROJECT_TABLE}]",
                str(path),
            )


def pyproject_path(config: Config) -> Path | None:
    """Return the ``pyproject.toml`` that belongs to an Alembic ``config``.

    Alembic's own ``toml_file_name`` wins; otherwise the file beside the ini file.
    """
    if config.toml_file_name:
        return Path(config.toml_file_name)
    if config.config_file_name:
        return Path(config.config_file_name).absolute().parent / "pyproject.toml"
    return None


def load_settings(config: Config) -> Settings:
    """Read and validate the ``lback.*`` options of an Alembic ``config``.

    :raises ConfigurationError: naming the key and file to fix.
    """
    raw: dict[str, RawOption] = {}
    toml_path = pyproject_path(config)
    if toml_path is not None:
        raw.update(read_pyproject_options(toml_path))
    if config.config_file_name and config.file_config.has_section(config.config_ini_section):
        section = config.config_ini_section
        raw.update(
            (key[len(INI_PREFIX) :], (f"[{section}] {key}", value, config.config_file_name))
            for key, value in config.file_config.items(section)
            if key.startswith(INI_PREFIX)
        )
    return parse_options(raw)
