"""The ``lback`` Alembic plugin, found through the ``alembic.plugins`` entry point.

Alembic imports this module on every ``import alembic``, so it must stay light: it registers
names and imports nothing heavy (no libcst, no black) until a hook actually runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.script import write_hooks

from .compare.server_default import register_comparator
from .write_hooks import FORMAT_HOOK, LINT_HOOK, run_format_hook, run_lint_hook

if TYPE_CHECKING:
    from alembic.runtime.plugins import Plugin


def setup(plugin: Plugin) -> None:
    """Register lback-migrations with Alembic: the ``lback_format`` and ``lback_lint`` hooks,
    and the normalising server default comparator.

    :param plugin: the :class:`alembic.runtime.plugins.Plugin` Alembic created for ``lback``.
    """
    write_hooks.register(FORMAT_HOOK)(run_format_hook)
    write_hooks.register(LINT_HOOK)(run_lint_hook)
    register_comparator(plugin)
