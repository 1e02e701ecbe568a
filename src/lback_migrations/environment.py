"""What the ``lback`` templates' ``env.py`` needs, in one object.

:class:`MigrationEnvironment` reads the ``lback.*`` options, imports the target metadata and
turns both into the keyword arguments of ``context.configure``.
It imports no formatter and no linter: every Alembic command pays for what ``env.py`` imports.
"""

from __future__ import annotations

import logging
import logging.config
import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from .compare import AUTOGENERATE_PLUGINS, type_comparator
from .deployment import SCHEMA_ARGUMENT, Deployment
from .directives import chain, skip_empty_revision
from .errors import ConfigurationError
from .filters import include_name_filter, include_object_filter
from .metadata import import_target_metadata
from .renames import rename_directive
from .render import type_renderer
from .settings import Settings, load_settings
from .signals import step_reporter

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext, ProcessRevisionDirectiveFn
    from sqlalchemy import MetaData

CONFIGURE_LOGGING_ATTRIBUTE = "lback.configure_logging"
"""``config.attributes`` key: set it false to keep ``env.py`` away from logging entirely."""


def configure_logging(config: Config) -> None:
    """Apply the ini file's logging sections without disturbing an application's logging.

    Nothing happens when the root logger already has handlers (Alembic runs inside an
    application that configured logging), when ``config.attributes["lback.configure_logging"]``
    is false, or when the ini file has no ``[loggers]`` section. Existing loggers are never
    disabled.
    """
    if not config.attributes.get(CONFIGURE_LOGGING_ATTRIBUTE, True):
        return
    if config.config_file_name is None or logging.getLogger().handlers:
        return
    if not config.file_config.has_section("loggers"):
        return
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


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
        settings = load_settings(config)
        metadata = import_target_metadata(settings.target_metadata, source=settings.source)
        return cls(config=config, settings=settings, metadata=metadata)

    @property
    def target_metadata(self) -> MetaData | list[MetaData] | None:
        """The value for ``context.configure(target_metadata=...)``."""
        if not self.metadata:
            return None
        return self.metadata[0] if len(self.metadata) == 1 else self.metadata

    @property
    def url(self) -> str:
        """The database URL: the environment variable named by ``lback.url_env`` when set,
        else ``sqlalchemy.url``.

        :raises ConfigurationError: when neither is set.
        """
        from_environment = os.environ.get(self.settings.url_env)
        if from_environment:
            return from_environment
        from_config = self.config.get_main_option("sqlalchemy.url")
        if from_config:
            return from_config
        raise ConfigurationError(
            "sqlalchemy.url",
            "no database URL is configured",
            f"set sqlalchemy.url in the [{self.config.config_ini_section}] section or the "
            f"{self.settings.url_env} environment variable",
            self.config.config_file_name,
        )

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

        :raises MigrationFailed: with the report, when a revision fails or the run is stopped.
        """
        self.deployment.run(context)

    def process_revision_directives(self) -> ProcessRevisionDirectiveFn:
        """The ``process_revision_directives`` steps the options ask for, chained.

        Renames come first: stated renames are always made, and ``lback.rename_detection`` says
        whether detected candidates are asked about, warned about, or ignored.
        """
        steps: list[ProcessRevisionDirectiveFn] = [
            rename_directive(self.settings.rename_detection, schemas=self.settings.schemas)
        ]
        if self.settings.skip_empty_revisions:
            steps.append(skip_empty_revision)
        return chain(steps)

    def configure_options(self, dialect_name: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``context.configure``, connection and URL aside.

        :param dialect_name: the backend in use; defaults to that of :attr:`url`.
        """
        settings = self.settings
        dialect = dialect_name or self.dialect_name
        options: dict[str, Any] = {
            "target_metadata": self.target_metadata,
            "include_schemas": bool(settings.schemas),
            "include_name": include_name_filter(
                self.metadata,
                schemas=settings.schemas if settings.schemas else None,
                include_tables=settings.include_tables,
                exclude_tables=settings.exclude_tables,
                only_metadata_tables=settings.only_metadata_tables and bool(self.metadata),
            ),
            "include_object": include_object_filter(
                drop_unknown_tables=settings.drop_unknown_tables,
                exclude_types=settings.exclude_object_types,
                include_tables=settings.include_tables,
                exclude_tables=settings.exclude_tables,
            ),
            "compare_type": type_comparator(settings.type_rules, source=settings.source)
            if settings.compare_type
            else False,
            # True, not a callable: the lback plugin compares (see compare/server_default.py)
            "compare_server_default": settings.compare_server_default,
            "render_item": type_renderer(_parse_type_modules(settings), source=settings.source),
            "process_revision_directives": self.process_revision_directives(),
            "render_as_batch": settings.batch_mode == "always"
            or (settings.batch_mode == "auto" and dialect == "sqlite"),
            "version_table": settings.version_table,
            "version_table_schema": settings.version_table_schema,
            "transaction_per_migration": settings.transaction_per_migration,
            "on_version_apply": [step_reporter(), self.deployment.step_applied],
        }
        if self.schema:
            options["version_table_schema"] = self.schema
        if settings.user_module_prefix:
            options["user_module_prefix"] = settings.user_module_prefix
        if settings.compare_server_default:
            options["autogenerate_plugins"] = list(AUTOGENERATE_PLUGINS)
        return options
