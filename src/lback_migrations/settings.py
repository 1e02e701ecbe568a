"""The ``lback.*`` options of an Alembic environment.

Options are read from two places, the later winning (see :mod:`lback_migrations.options`):

1. ``[tool.lback-migrations]`` in ``pyproject.toml`` (keys without prefix);
2. the Alembic ini section (``[alembic]`` unless ``-n`` names another), keys prefixed ``lback.``.

Keys may be written with dashes or underscores (``url-env``, ``lback.url_env``).

Sub-tables of ``[tool.lback-migrations]`` (``lint``, ``format``) belong to the post-write hooks
and are not options of the environment.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError
from .filters import OBJECT_TYPES
from .options import (
    BOOLEAN,
    NAMES,
    TEXT,
    Layer,
    OptionType,
    choice,
    layer,
    parse_layers,
    parse_list,
    parse_text,
    project_pyproject,
    read_tool_table,
)
from .timeouts import parse_count, parse_duration, parse_optional_duration

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from alembic.config import Config

INI_PREFIX = "lback."

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


def _optional_text(value: Any, key: str, source: str | None) -> str | None:
    return parse_text(value, key, source) or None


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


OPTIONAL_TEXT = OptionType(_optional_text, TEXT.schema)
OBJECT_TYPE_NAMES = OptionType(
    _object_types, {**NAMES.schema, "items": {"type": "string", "enum": list(OBJECT_TYPES)}}
)
_DISABLED_TEXT = "[oO][fF][fF]|[nN][oO][nN][eE]|[fF][aA][lL][sS][eE]"
_DURATION_TEXT = r"\s*\d+(\.\d+)?\s*([mM][sS]|[sS]|[mM][iI][nN]|[hH])?\s*"
DURATION = OptionType(
    parse_duration,
    {"type": ["number", "string"], "minimum": 0, "pattern": f"^{_DURATION_TEXT}$"},
)
OPTIONAL_DURATION = OptionType(
    parse_optional_duration,
    {
        **DURATION.schema,
        "pattern": f"^({_DURATION_TEXT}|\\s*({_DISABLED_TEXT})?\\s*)$",
    },
)
"""A duration, or ``off`` (``none``, ``false``, ``0``, empty) for no limit."""
COUNT = OptionType(
    parse_count, {"type": ["integer", "string"], "minimum": 0, "pattern": r"^\s*\d+\s*$"}
)

OPTION_TYPES: dict[str, OptionType] = {
    "target_metadata": NAMES,
    "url_env": TEXT,
    "schemas": NAMES,
    "include_tables": NAMES,
    "exclude_tables": NAMES,
    "only_metadata_tables": BOOLEAN,
    "drop_unknown_tables": BOOLEAN,
    "exclude_object_types": OBJECT_TYPE_NAMES,
    "compare_type": BOOLEAN,
    "type_rules": NAMES,
    "compare_server_default": BOOLEAN,
    "type_modules": NAMES,
    "user_module_prefix": OPTIONAL_TEXT,
    "version_table": TEXT,
    "version_table_schema": OPTIONAL_TEXT,
    "batch_mode": choice(BATCH_MODES),
    "skip_empty_revisions": BOOLEAN,
    "transaction_per_migration": BOOLEAN,
    "rename_detection": choice(RENAME_DETECTION_MODES),
    "migration_lock": BOOLEAN,
    "migration_lock_timeout": DURATION,
    "lock_timeout": OPTIONAL_DURATION,
    "statement_timeout": OPTIONAL_DURATION,
    "lock_timeout_retries": COUNT,
    "compare_check_constraints": BOOLEAN,
    "autogenerate_plugins": NAMES,
    "entities": NAMES,
    "heads_file": BOOLEAN,
    "revision_ids": choice(REVISION_ID_MODES),
}
"""How each option of :class:`Settings` is read."""


def option_names() -> tuple[str, ...]:
    """Return the names of every environment option, in documentation order."""
    return tuple(f.name for f in dataclasses.fields(Settings) if f.name != "source")


def parse_options(layers: Iterable[Layer]) -> Settings:
    """Validate option layers (the later winning) into :class:`Settings`.

    :raises ConfigurationError: on an unknown option or an invalid value.
    """
    layers = list(layers)
    sources = dict.fromkeys(option.source for each in layers for option in each.values())
    values = parse_layers(layers, OPTION_TYPES, "option")
    return Settings(source=" and ".join(filter(None, sources)) or None, **values)


def pyproject_path(config: Config) -> Path | None:
    """Return the ``pyproject.toml`` of an Alembic ``config``
    (:func:`~lback_migrations.options.project_pyproject`)."""
    return project_pyproject(config.config_file_name, config.toml_file_name)


def settings_layers(
    pyproject: Path | None, ini_items: Iterable[tuple[str, str]], section: str, ini_file: str | None
) -> list[Layer]:
    """The layers of the environment's options: ``[tool.lback-migrations]`` of ``pyproject``,
    then the ``lback.*`` keys of ``ini_items`` (the ini ``section``, as ``(key, value)``).

    :raises ConfigurationError: when the pyproject.toml is not valid TOML.
    """
    ini = (
        (key[len(INI_PREFIX) :], value) for key, value in ini_items if key.startswith(INI_PREFIX)
    )
    return [
        read_tool_table(pyproject) if pyproject is not None else {},
        layer(ini, f"[{section}] {INI_PREFIX}", ini_file),
    ]


def load_settings(config: Config) -> Settings:
    """Read and validate the ``lback.*`` options of an Alembic ``config``.

    :raises ConfigurationError: naming the key and file to fix.
    """
    section = config.config_ini_section
    has_section = bool(config.config_file_name) and config.file_config.has_section(section)
    items = config.file_config.items(section) if has_section else []
    return parse_options(
        settings_layers(pyproject_path(config), items, section, config.config_file_name)
    )
