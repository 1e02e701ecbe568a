"""Autogenerate comparisons run the way ``alembic check`` runs them, without a project.

:func:`differences` creates a schema from one MetaData (what a history made), then compares
another (the model) against it with the options the ``lback`` template passes to
``context.configure``, or with stock Alembic's defaults, and returns Alembic's operations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from lback_migrations.environment import MigrationEnvironment
from lback_migrations.settings import Settings
from tests.databases import Database

MetaDataFactory = Callable[[], sa.MetaData]


def lback_options(metadata: sa.MetaData, dialect_name: str, **settings: Any) -> dict[str, Any]:
    """The comparison options of the ``lback`` template's ``context.configure`` call."""
    environment = MigrationEnvironment(Config(), Settings(**settings), [metadata])
    options = environment.configure_options(dialect_name)
    for not_comparison in ("process_revision_directives", "on_version_apply"):
        options.pop(not_comparison)
    return options


def differences(
    database: Database,
    created: MetaDataFactory,
    model: MetaDataFactory | None = None,
    *,
    stock: bool = False,
    compare_server_default: bool = False,
) -> list[Any]:
    """Create ``created()`` in ``database`` and compare ``model()`` (default: the same) to it.

    :param stock: compare with stock Alembic's options instead of the ``lback`` template's.
    :param compare_server_default: with ``stock``, also compare server defaults.
    :returns: Alembic's diff list (empty when nothing differs).
    """
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            created().create_all(connection)
        target = (model or created)()
        with engine.connect() as connection:
            if stock:
                # as EnvironmentContext.configure fills them in: a comparator registered in
                # this process (alembic-utils' entities) reads include_schemas unconditionally
                options: dict[str, Any] = {
                    "target_metadata": target,
                    "compare_server_default": compare_server_default,
                    "include_schemas": False,
                }
            else:
                options = lback_options(target, connection.dialect.name)
            context = MigrationContext.configure(connection, opts=options)
            return list(compare_metadata(context, target))
    finally:
        engine.dispose()


def table(*items: Any, name: str = "item", **keywords: Any) -> MetaDataFactory:
    """A factory of a MetaData with one table ``name``: an ``id`` key plus ``items``.

    ``items`` are columns, indexes and constraints, or callables taking the table and
    adding them (for indexes on its columns); a new MetaData and new copies every call.
    """

    def build() -> sa.MetaData:
        metadata = sa.MetaData()
        columns = [item._copy() for item in items if isinstance(item, sa.Column)]
        built = sa.Table(
            name, metadata, sa.Column("id", sa.Integer, primary_key=True), *columns, **keywords
        )
        for item in items:
            if callable(item) and not isinstance(item, sa.Column):
                item(built)
        return metadata

    return build
