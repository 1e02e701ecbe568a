"""The ``lback`` Alembic plugin, found through the ``alembic.plugins`` entry point.

Alembic imports this module on every ``import alembic``, so it must stay light: it registers
names and imports nothing heavy (no libcst, no black) until a hook actually runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.runtime.plugins import Plugin


def setup(plugin: Plugin) -> None:
    """Register lback-migrations with Alembic.

    :param plugin: the :class:`alembic.runtime.plugins.Plugin` Alembic created for ``lback``.
    """
