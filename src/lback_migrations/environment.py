"""What the ``lback`` templates' ``env.py`` needs, in one object.

:class:`MigrationEnvironment` reads the ``lback.*`` options, imports the target metadata and
turns both into the keyword arguments of ``context.configure``.
It imports no formatter and no linter: every Alembic command pays for what ``env.py`` imports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from .autogenerate_plugins import autogenerate_plugins
from .compare import type_comparator
from .database_url import config_urls
from .deployment import APPLY_POLICY_ATTRIBUTE, SCHEMA_ARGUMENT, Deployment
from .directives import (
    AUTOGENERATE_ATTRIBUTE,
    chain,
    drop_tables_with_their_indexes,
    skip_empty_revision,
)
from .errors import ConfigurationError
from .filters import all_of, include_name_filter, include_object_filter
from .history.checksums import checksum_recorder, excluding_checksum_table
from .history.heads_file import write_heads_file
from .history.revision_ids import revision_id_directive
from .history_tables import HistoryTables
from .ignored_tables import IgnoredTables, ignored_tables_reporter
from .ini_logging import configure_logging as configure_logging
from .metadata import TARGET_METADATA_KEY, import_target_metadata
from .options import PYPROJECT_TABLE
from .plugin import POSTGRESQL_ENUMS_PLUGIN, SEQUENCE_DIALECTS, SEQUENCES_PLUGIN
from .renames import rename_directive
from .render import type_renderer
from .settings import Settings, load_settings
from .signals import step_reporter

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.environment import (
        EnvironmentContext,
        IncludeObjectFn,
        ProcessRevisionDirectiveFn,
    )
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

_log = logging.getLogger(__name__)


def _compares_models(config: Config) -> bool:
    """Tell whether the run compares the models with the database: ``revision --autogenerate``
    (also through ``config.attributes["lback.autogenerate"]``) or ``check``."""
    if config.attributes.get(AUTOGENERATE_ATTRIBUTE):
        return True
    options = config.cmd_opts
    if getattr(options, "autogenerate", False):
        return True
    command: tuple[object, ...] = getattr(options, "cmd", None) or ()
    return bool(command) and getattr(command[0], "__name__", None) == "check"


def _parse_type_modules(settings: Settings) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in settings.type_modules:
        type_path, equals, module = item.partition("=")
        if not equals or not type_path.strip() or not module.strip():
            raise ConfigurationError(
                "lback.type_modules",
                f"{item!r} is not a module.Type=import.path pair",
                "write it as myapp.types.GUID=myapp.migration_types",
                settings.source,
            )
        pairs[type_path.strip()] = module.strip()
    return pairs


@dataclass
class MigrationEnvironment:
    """The configured environment of one Alembic run.

    :param config: the Alembic :class:`~alembic.config.Config`.
    :param settings: the validated ``lback.*`` options.
    :param metadata: the target MetaData objects, in configuration order.
    """

    config: Config
    settings: Settings
    metadata: list[MetaData]

    @classmethod
    def from_config(cls, config: Config) -> MigrationEnvironment:
        """Read the options of ``config`` and import the target metadata.

        :raises ConfigurationError: naming the key and file to fix.
        :raises DuplicateTableError: when two target MetaData objects define the same table.
        """
        config_urls(config)  # an ini option Alembic cannot interpolate fails here, masked
        settings = load_settings(config)
        metadata = import_target_metadata(settings.target_metadata, source=settings.source)
        if not metadata and _compares_models(config):
            raise ConfigurationError(
                TARGET_METADATA_KEY,
                "is not set, so there are no models to compare with the database",
                f"set {TARGET_METADATA_KEY} = myapp.models:Base.metadata in the "
                f"[{config.config_ini_section}] section, or target_metadata in "
                f"[{PYPROJECT_TABLE}] of pyproject.toml",
                settings.source or config.config_file_name,
            )
        return cls(config=config, settings=settings, metadata=metadata)

    @property
    def target_metadata(self) -> MetaData | list[MetaData] | None:
        """The value for ``context.configure(target_metadata=...)``."""
        if not self.metadata:
            return None
        return self.metadata[0] if len(self.metadata) == 1 else self.metadata

    @property
    def url(self) -> str:
        """The database URL: ``-x url=...`` when given, else the environment variable named by
        ``url_env`` when set, else ``sqlalchemy.url`` (see :mod:`lback_migrations.database_url`).

        :raises ConfigurationError: when none is set.
        """
        return config_urls(self.config).require()

    @property
    def dialect_name(self) -> str:
        """The backend name of :attr:`url` (``sqlite``, ``postgresql``, ``mysql``, ...)."""
        return make_url(self.url).get_backend_name()

    @property
    def schema(self) -> str | None:
        """The schema this run migrates, from ``-x schema=NAME`` (a fleet's ``URL#schema``):
        unqualified tables go there through ``schema_translate_map``, and so does the version
        table. ``None`` when not given."""
        arguments: list[str] = getattr(self.config.cmd_opts, "x", None) or []
        for argument in arguments:
            key, equals, value = argument.partition("=")
            if equals and key.strip() == SCHEMA_ARGUMENT and value.strip():
                return value.strip()
        return None

    @cached_property
    def deployment(self) -> Deployment:
        """The apply policy of this run: deploy lock, timeouts, retries, failure reports."""
        return Deployment(self.settings, schema=self.schema)

    def run_migrations(self, context: EnvironmentContext) -> None:
        """Run the configured migrations: ``upgrade``, ``downgrade`` and ``stamp`` under the
        deploy lock and the timeouts, failures reported (see :mod:`lback_migrations.deployment`);
        anything else as ``with context.begin_transaction(): context.run_migrations()``.

        A database at a revision that a squash replaced is first brought to the squash
        (:meth:`map_replaced_revisions`).

        :raises MigrationFailed: with the report, when a revision fails or the run is stopped.
        """
        self.map_replaced_revisions(context.get_context())
        if not self.applies_policy:
            with context.begin_transaction():
                context.run_migrations()
            return
        self.deployment.run(context)

    @property
    def applies_policy(self) -> bool:
        """Whether migrations run under the apply policy (see :data:`APPLY_POLICY_ATTRIBUTE`)."""
        return self.config.attributes.get(APPLY_POLICY_ATTRIBUTE, True) is not False

    def process_revision_directives(
        self, ignored: IgnoredTables | None = None
    ) -> ProcessRevisionDirectiveFn:
        """The ``process_revision_directives`` steps the options ask for, chained.

        The tables the comparison ignored are listed first (``ignored``), whatever the later
        steps do with the revision. Renames come next: stated renames are always made, and
        ``lback.rename_detection`` says whether detected candidates are asked about, warned
        about, or ignored. A dropped table's indexes then go with the table. The ids of
        ``lback.revision_ids`` are given next, and ``HEADS`` (``lback.heads_file``) is written
        last, once the revisions and their ids are final.
        """
        steps: list[ProcessRevisionDirectiveFn] = []
        if ignored is not None:
            steps.append(ignored_tables_reporter(ignored))
        steps.append(
            rename_directive(self.settings.rename_detection, schemas=self.settings.schemas)
        )
        steps.append(drop_tables_with_their_indexes)
        if self.settings.skip_empty_revisions:
            steps.append(skip_empty_revision)
        assign_ids = revision_id_directive(self.settings.revision_ids)
        if assign_ids is not None:
            steps.append(assign_ids)
        if self.settings.heads_file:
            steps.append(write_heads_file)
        return chain(steps)

    def map_replaced_revisions(self, migration_context: MigrationContext) -> None:
        """Bring a database at a revision replaced by a squash to the squash, when the command
        is ``upgrade`` (see :mod:`lback_migrations.history.replaced`). Call it after
        ``context.configure``, before ``context.begin_transaction``; other commands and
        offline runs leave the database alone.
        """
        # alembic.command.upgrade runs env.py with its local function ``upgrade``
        upgrading = getattr(migration_context.opts.get("fn"), "__name__", None) == "upgrade"
        if not upgrading or migration_context.as_sql:
            return
        from .history.replaced import map_replaced_revisions

        map_replaced_revisions(migration_context)

    def configure_options(self, dialect_name: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``context.configure``, connection and URL aside.

        :param dialect_name: the backend in use; defaults to that of :attr:`url`.
        """
        settings = self.settings
        dialect = dialect_name or self.dialect_name
        own_tables = HistoryTables(self.config)
        ignored = IgnoredTables()
        options: dict[str, Any] = {
            "target_metadata": self.target_metadata,
            "include_schemas": bool(settings.schemas),
            "include_name": excluding_checksum_table(
                include_name_filter(
                    self.metadata,
                    schemas=settings.schemas if settings.schemas else None,
                    include_tables=settings.include_tables,
                    exclude_tables=settings.exclude_tables,
                    only_metadata_tables=settings.only_metadata_tables and bool(self.metadata),
                    history_tables=own_tables,
                    ignored=ignored,
                ),
                settings.version_table,
            ),
            "include_object": include_object_filter(
                drop_unknown_tables=settings.drop_unknown_tables,
                exclude_types=settings.exclude_object_types,
                include_tables=settings.include_tables,
                exclude_tables=settings.exclude_tables,
                history_tables=own_tables,
            ),
            "compare_type": type_comparator(settings.type_rules, source=settings.source)
            if settings.compare_type
            else False,
            # True, not a callable: the lback plugin compares (see compare/server_default.py)
            "compare_server_default": settings.compare_server_default,
            "render_item": type_renderer(_parse_type_modules(settings), source=settings.source),
            "process_revision_directives": self.process_revision_directives(ignored),
            "render_as_batch": settings.batch_mode == "always"
            or (settings.batch_mode == "auto" and dialect == "sqlite"),
            "version_table": settings.version_table,
            "version_table_schema": settings.version_table_schema,
            "transaction_per_migration": settings.transaction_per_migration,
            "on_version_apply": [
                step_reporter(),
                self.deployment.step_applied,
                checksum_recorder(settings.version_table, settings.version_table_schema),
            ]
            if self.applies_policy
            else [step_reporter()],
        }
        if self.schema:
            options["version_table_schema"] = self.schema
        if settings.user_module_prefix:
            options["user_module_prefix"] = settings.user_module_prefix
        options["autogenerate_plugins"] = autogenerate_plugins(settings)
        if dialect == "postgresql" and POSTGRESQL_ENUMS_PLUGIN in options["autogenerate_plugins"]:
            from .objects.enums import enum_type_renderer  # PostgreSQL's dialect: only there

            options["render_item"] = enum_type_renderer(options["render_item"])
        if dialect in SEQUENCE_DIALECTS and SEQUENCES_PLUGIN in options["autogenerate_plugins"]:
            from .objects.sequences import sequence_filter

            options["include_object"] = all_of(
                options["include_object"],
                sequence_filter(
                    include_tables=settings.include_tables,
                    exclude_tables=settings.exclude_tables,
                    drop_unknown=settings.drop_unknown_tables,
                ),
            )
        if settings.entities:
            options["include_object"] = self._with_entities(options["include_object"], dialect)
        return options

    def _with_entities(self, include_object: IncludeObjectFn, dialect: str) -> IncludeObjectFn:
        """Register ``lback.entities`` (PostgreSQL objects) and filter them as tables are."""
        settings = self.settings
        if dialect != "postgresql":
            _log.warning(
                "lback.entities: alembic-utils entities are PostgreSQL objects; ignored on %s",
                dialect,
            )
            from .objects.entities import withdraw_registered_comparison

            withdraw_registered_comparison()
            return include_object
        from .objects.entities import entity_filter, load_entities  # imports alembic-utils

        entities = load_entities(settings.entities, settings.source)
        return all_of(
            include_object,
            entity_filter(
                entities,
                include_tables=settings.include_tables,
                exclude_tables=settings.exclude_tables,
                schemas=settings.schemas,
                drop_unknown=settings.drop_unknown_tables,
            ),
        )
