"""Which Alembic autogenerate plugins an environment turns on.

Alembic runs the comparators of the plugins named in ``context.configure(autogenerate_plugins=
[...])``. The ``lback.*`` options choose the list: Alembic's own comparators, the ``lback``
plugin's (server defaults; Alembic's false index and foreign key proposals withdrawn),
PostgreSQL enum types, sequences, computed columns; with
``lback.compare_check_constraints``, Alembic's ``alembic.ext.checkconstraint_byname`` with the
expression comparison that goes with it; with ``lback.entities``, alembic-utils' comparison of
views, functions, triggers and policies. ``lback.autogenerate_plugins`` adds any other plugin by
name, or takes one out when written ``~name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.runtime.plugins import Plugin
from alembic.util import CommandError, PriorityDispatcher

from .errors import ConfigurationError
from .plugin import (
    CHECK_CONSTRAINTS_PLUGIN,
    COMPUTED_PLUGIN,
    ENTITIES_PLUGIN,
    POSTGRESQL_ENUMS_PLUGIN,
    SEQUENCES_PLUGIN,
)

if TYPE_CHECKING:
    from .settings import Settings

ALEMBIC_PLUGINS = "alembic.autogenerate.*"
"""Alembic's own comparators: tables, columns, types, constraints, defaults, comments."""
LBACK_PLUGIN = "lback"
"""The ``lback`` plugin: server defaults compared after normalising both sides (only with
``compare_server_default``), and Alembic's false index and foreign key proposals withdrawn."""
CHECKCONSTRAINT_BYNAME_PLUGIN = "alembic.ext.checkconstraint_byname"
"""Alembic's opt-in comparison of named CHECK constraints (added and removed ones)."""
KEY = "lback.autogenerate_plugins"


def autogenerate_plugins(settings: Settings) -> list[str]:
    """The plugin names for ``context.configure(autogenerate_plugins=...)``.

    :param settings: the environment's options.
    :returns: the names, in order; an exclusion ``~name`` of a name the options turned on
        removes it, other exclusions are passed on to Alembic.
    :raises ConfigurationError: naming ``lback.autogenerate_plugins`` when a name matches no
        installed plugin.
    """
    names = [
        ALEMBIC_PLUGINS,
        LBACK_PLUGIN,
        POSTGRESQL_ENUMS_PLUGIN,
        SEQUENCES_PLUGIN,
        COMPUTED_PLUGIN,
    ]
    if settings.compare_check_constraints:
        names += [CHECKCONSTRAINT_BYNAME_PLUGIN, CHECK_CONSTRAINTS_PLUGIN]
    if settings.entities:
        names.append(ENTITIES_PLUGIN)
    for name in settings.autogenerate_plugins:
        if name.startswith("~") and name[1:] in names:
            names.remove(name[1:])
        elif name not in names:
            names.append(name)
    try:
        Plugin.populate_autogenerate_priority_dispatch(PriorityDispatcher(), names)
    except (CommandError, ValueError) as error:
        raise ConfigurationError(
            KEY,
            str(error),
            "name installed Alembic plugins (alembic.autogenerate.*, alembic.ext.*, lback.*, "
            "or those of the alembic.plugins entry point)",
            settings.source,
        ) from error
    return names
