"""The ``lback`` Alembic plugin, found through the ``alembic.plugins`` entry point.

Alembic imports this module on every ``import alembic`` (from inside Alembic's own package
initialisation), so it imports nothing of lback-migrations at module level: each registered
function is a thin wrapper that imports its implementation on first call. This keeps
``import alembic`` as fast as without the package, and keeps ``import lback_migrations.errors``
(which imports Alembic) free of import cycles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alembic.script import write_hooks
from alembic.util import DispatchPriority

if TYPE_CHECKING:
    from collections.abc import Mapping

    from alembic.runtime.plugins import Plugin
    from alembic.util import PriorityDispatchResult

FORMAT_HOOK = "lback_format"
LINT_HOOK = "lback_lint"


def _format_hook(path: str, options: Mapping[str, str]) -> None:
    from .write_hooks import run_format_hook

    run_format_hook(path, options)


def _lint_hook(path: str, options: Mapping[str, str]) -> None:
    from .write_hooks import run_lint_hook

    run_lint_hook(path, options)


def _compare_server_default(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .compare.server_default import compare_column_server_default

    return compare_column_server_default(*args, **kwargs)


def _withdraw_conditional_objects(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .compare.conditional_ddl import withdraw_conditional_objects

    return withdraw_conditional_objects(*args, **kwargs)


def _withdraw_recreated_indexes(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .compare.index_definitions import withdraw_recreated_indexes

    return withdraw_recreated_indexes(*args, **kwargs)


def _withdraw_ignored_foreign_keys(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .compare.ignored_foreign_keys import withdraw_ignored_foreign_keys

    return withdraw_ignored_foreign_keys(*args, **kwargs)


def setup(plugin: Plugin) -> None:
    """Register lback-migrations with Alembic: the ``lback_format`` and ``lback_lint`` hook
    types, the normalising server default comparator, and the table comparators that withdraw
    Alembic's false index and foreign key proposals (all used when an environment names the
    ``lback`` plugin in ``autogenerate_plugins``, as the ``lback`` templates do).

    :param plugin: the :class:`alembic.runtime.plugins.Plugin` Alembic created for ``lback``.
    """
    write_hooks.register(FORMAT_HOOK)(_format_hook)
    write_hooks.register(LINT_HOOK)(_lint_hook)
    plugin.add_autogenerate_comparator(
        _compare_server_default, "column", "server_default", priority=DispatchPriority.FIRST
    )
    # after Alembic's own index, constraint and foreign key comparators (MEDIUM)
    for comparator, compare_target in (
        (_withdraw_conditional_objects, "indexes"),
        (_withdraw_conditional_objects, "foreignkeys"),
        (_withdraw_recreated_indexes, "indexes"),
        (_withdraw_ignored_foreign_keys, "foreignkeys"),
    ):
        plugin.add_autogenerate_comparator(
            comparator, "table", compare_target, priority=DispatchPriority.LAST
        )
