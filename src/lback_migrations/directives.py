"""``process_revision_directives`` steps: what happens to a revision before it is written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from alembic.operations import ops

from .options import is_true

if TYPE_CHECKING:
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.environment import ProcessRevisionDirectiveFn
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import _GetRevArg

ALLOW_EMPTY_X_ARGUMENT = "allow_empty"
AUTOGENERATE_ATTRIBUTE = "lback.autogenerate"
WRITES_REVISION_ATTRIBUTE = "lback.writes_revision"


def is_autogenerate_revision(context: MigrationContext) -> bool:
    """Tell whether ``context`` runs ``revision --autogenerate`` (not ``check``, not a plain
    ``revision``).

    The command line says so in ``cmd_opts``; a caller driving :mod:`alembic.command` directly
    sets ``config.attributes["lback.autogenerate"] = True``.
    """
    config = context.config
    if config is None:
        return False
    if AUTOGENERATE_ATTRIBUTE in config.attributes:
        return bool(config.attributes[AUTOGENERATE_ATTRIBUTE])
    return bool(getattr(config.cmd_opts, "autogenerate", False))


def writes_revision(context: MigrationContext) -> bool:
    """Tell whether ``context`` runs a command that writes a revision (``revision``, with or
    without ``--autogenerate``), not ``check``.

    The command line says so by its options (``check`` has no ``--rev-id``); a caller driving
    :mod:`alembic.command` directly sets ``config.attributes["lback.writes_revision"] = True``
    (or ``"lback.autogenerate"``).
    """
    config = context.config
    if config is None:
        return False
    if config.cmd_opts is not None:
        return hasattr(config.cmd_opts, "rev_id")
    attributes = config.attributes
    return bool(attributes.get(WRITES_REVISION_ATTRIBUTE, attributes.get(AUTOGENERATE_ATTRIBUTE)))


def _empty_allowed(context: MigrationContext) -> bool:
    environment = context.environment_context
    if environment is None:
        return False
    x_arguments = environment.get_x_argument(as_dictionary=True)
    return is_true(x_arguments.get(ALLOW_EMPTY_X_ARGUMENT, ""))


def skip_empty_revision(
    context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
) -> None:
    """Drop the revision when autogenerate found no change, and say so.

    An empty revision is still written for a plain ``alembic revision`` and when the user passes
    ``-x allow_empty=true``.
    """
    if not directives or not is_autogenerate_revision(context) or _empty_allowed(context):
        return
    script = directives[0]
    if all(ops.is_empty() for ops in script.upgrade_ops_list):
        directives.clear()
        if context.config is not None:
            context.config.print_stdout(
                "No changes in schema detected: no revision file written "
                f"(pass -x {ALLOW_EMPTY_X_ARGUMENT}=true to write an empty one)."
            )


def drop_tables_with_their_indexes(
    context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
) -> None:
    """Leave out the ``drop_index`` of a table the same operations drop.

    Autogenerate writes a ``drop_index`` before the ``drop_table`` of a table with an index;
    MariaDB and MySQL refuse it when the index serves a foreign key (error 1553), while every
    backend drops a table's indexes with the table.
    """
    for script in directives:
        for container in (*script.upgrade_ops_list, *script.downgrade_ops_list):
            _drop_indexes_with_tables(container)


def _drop_indexes_with_tables(container: ops.OpContainer) -> None:
    dropped = {
        (op.schema, op.table_name) for op in container.ops if isinstance(op, ops.DropTableOp)
    }
    if not dropped:
        return
    kept: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and (op.schema, op.table_name) in dropped:
            op.ops = [item for item in op.ops if not isinstance(item, ops.DropIndexOp)]
            if not op.ops:
                continue
        kept.append(op)
    container.ops = kept


def chain(steps: Iterable[ProcessRevisionDirectiveFn]) -> ProcessRevisionDirectiveFn:
    """Run several ``process_revision_directives`` steps in order, stopping once a step has
    removed the revision."""
    ordered = tuple(steps)

    def process_revision_directives(
        context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
    ) -> None:
        for step in ordered:
            if not directives:
                return
            step(context, revision, directives)

    return process_revision_directives
