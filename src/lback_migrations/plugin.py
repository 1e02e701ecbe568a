"""The ``lback`` Alembic plugin, found through the ``alembic.plugins`` entry point.

Alembic imports this module on every ``import alembic`` (from inside Alembic's own package
initialisation), so it imports nothing of lback-migrations at module level: each registered
function is a thin wrapper that imports its implementation on first call. This keeps
``import alembic`` as fast as without the package. It imports Alembic only in :func:`setup`:
the ``format`` and ``lint`` commands read the hook names here without importing Alembic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from alembic.runtime.plugins import Plugin
    from alembic.util import PriorityDispatchResult

FORMAT_HOOK = "lback_format"
"""The formatting post-write hook type; the only place the name is written. The packages that
read a hook's configured options are given it by the adapter calling them."""
LINT_HOOK = "lback_lint"
"""The linting post-write hook type (see :data:`FORMAT_HOOK`)."""
POSTGRESQL_ENUMS_PLUGIN = "lback.postgresql_enums"
CHECK_CONSTRAINTS_PLUGIN = "lback.check_constraints"
SEQUENCES_PLUGIN = "lback.sequences"
COMPUTED_PLUGIN = "lback.computed"
ENTITIES_PLUGIN = "lback.entities"
SEQUENCE_DIALECTS = ("postgresql", "mysql", "mariadb")
"""Where sequences exist (MySQL has none: the comparator checks the server)."""


def _format_hook(path: str, options: Mapping[str, str]) -> None:
    from .write_hooks import run_format_hook

    run_format_hook(FORMAT_HOOK, path, options)


def _lint_hook(path: str, options: Mapping[str, str]) -> None:
    from .write_hooks import run_lint_hook

    run_lint_hook(LINT_HOOK, path, options)


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


def _compare_enums(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .objects.enums import compare_enums

    return compare_enums(*args, **kwargs)


def _compare_check_constraints(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .objects.check_constraints import compare_check_expressions

    return compare_check_expressions(*args, **kwargs)


def _compare_sequences(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .objects.sequences import compare_sequences

    return compare_sequences(*args, **kwargs)


def _compare_computed(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .objects.computed import compare_computed_columns

    return compare_computed_columns(*args, **kwargs)


def _compare_entities(*args: Any, **kwargs: Any) -> PriorityDispatchResult:
    from .objects.entity_comparison import compare_entities

    return compare_entities(*args, **kwargs)


def _setup_object_plugins() -> None:
    from alembic.runtime.plugins import Plugin
    from alembic.util import DispatchPriority

    Plugin(POSTGRESQL_ENUMS_PLUGIN).add_autogenerate_comparator(
        _compare_enums,
        "schema",
        "postgresql_enums",
        qualifier="postgresql",
        priority=DispatchPriority.LAST,
    )
    sequences = Plugin(SEQUENCES_PLUGIN)
    for dialect in SEQUENCE_DIALECTS:
        sequences.add_autogenerate_comparator(
            _compare_sequences, "schema", "sequences", qualifier=dialect
        )
    Plugin(COMPUTED_PLUGIN).add_autogenerate_comparator(_compare_computed, "table", "computed")
    # LAST: after Alembic's tables, which the entities' operations must follow
    Plugin(ENTITIES_PLUGIN).add_autogenerate_comparator(
        _compare_entities,
        "schema",
        "entities",
        qualifier="postgresql",
        priority=DispatchPriority.LAST,
    )
    # LAST: after alembic.ext.checkconstraint_byname, whose proposals it corrects
    Plugin(CHECK_CONSTRAINTS_PLUGIN).add_autogenerate_comparator(
        _compare_check_constraints, "table", "check_expressions", priority=DispatchPriority.LAST
    )


def setup(plugin: Plugin) -> None:
    """Register lback-migrations with Alembic: the ``lback_format`` and ``lback_lint`` hook
    types, the normalising server default comparator, and the table comparators that withdraw
    Alembic's false index and foreign key proposals (all used when an environment names the
    ``lback`` plugin in ``autogenerate_plugins``, as the ``lback`` templates do); and the
    plugins of :mod:`lback_migrations.objects`, each under its own name
    (``lback.postgresql_enums``, ``lback.check_constraints``, ...).

    :param plugin: the :class:`alembic.runtime.plugins.Plugin` Alembic created for ``lback``.
    """
    from alembic.script import write_hooks
    from alembic.util import DispatchPriority

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
    _setup_object_plugins()
