"""The ``process_revision_directives`` step that makes renames first-class.

Stated renames (``info={"renamed_from": ...}`` in the models, ``-x rename=OLD:NEW``) are always
made. Detected candidates are asked about on a terminal, warned about otherwise, or ignored, as
``lback.rename_detection`` says. ``alembic check`` validates the stated renames but rewrites
nothing, so a rename that is still to be made keeps the check failing.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, TextIO

from ..directives import is_autogenerate_revision
from ..options import is_true
from ..settings import RENAME_DETECTION_MODES
from .candidates import (
    DELETE_FIRST,
    Candidate,
    SameColumn,
    TypeText,
    column_candidates,
    describe_ambiguities,
    table_candidates,
)
from .declared import (
    NOINPUT_X_ARGUMENT,
    RENAMED_FROM,
    declared_renames,
    describe,
    requested_renames,
)
from .questions import ask, can_ask
from .records import Rename, TableRename
from .renamed_tables import renamed_table_changes
from .revision import DatabaseTables, RevisionOps
from .rewrite import RenameRewriter, TypesDiffer, applicable

if TYPE_CHECKING:
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.environment import ProcessRevisionDirectiveFn
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import _GetRevArg
    from sqlalchemy import Column, MetaData


def _x_arguments(context: MigrationContext) -> list[str]:
    environment = context.environment_context
    return [] if environment is None else list(environment.get_x_argument())


def _no_input(x_arguments: Sequence[str]) -> bool:
    values = [
        value
        for key, _, value in (a.partition("=") for a in x_arguments)
        if key == NOINPUT_X_ARGUMENT
    ]
    return any(is_true(value) for value in values)


def _target_metadata(context: MigrationContext) -> list[MetaData]:
    target: MetaData | Sequence[MetaData] | None = context.opts.get("target_metadata")
    if target is None:
        return []
    return list(target) if isinstance(target, Sequence) else [target]


def _types_differ(context: MigrationContext) -> TypesDiffer:
    configured = context.opts.get("compare_type", True)

    def types_differ(reflected: Column[object], target: Column[object]) -> bool:
        if callable(configured):
            verdict = configured(context, reflected, target, reflected.type, target.type)
            if verdict is not None:
                return bool(verdict)
        return bool(context.impl.compare_type(reflected, target))

    return types_differ


def _type_text(context: MigrationContext) -> TypeText:
    def type_text(column: Column[object]) -> str:
        try:
            return str(column.type.compile(dialect=context.dialect))
        except Exception:  # a type the dialect cannot compile is still worth naming
            return repr(column.type)

    return type_text


def _warning(candidate: Candidate) -> str:
    rename = candidate.rename
    hint = (
        f'__table_args__ = {{"info": {{"{RENAMED_FROM}": "{rename.old}"}}}}'
        if isinstance(rename, TableRename)
        else f'info={{"{RENAMED_FROM}": "{rename.old}"}}'
    )
    return (
        f"possible rename of {candidate.summary}: the revision drops and adds instead, which "
        f"loses the data. If it is a rename, {DELETE_FIRST}, then run again with "
        f"-x {describe(rename)} or state it in the model with {hint} and run again."
    )


def rename_directive(
    detection: str = "ask",
    *,
    schemas: Collection[str] = (),
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> ProcessRevisionDirectiveFn:
    """Build the ``process_revision_directives`` step that turns drop + add into renames.

    Usable from any ``env.py``, alone or chained with :func:`lback_migrations.directives.chain`::

        context.configure(..., process_revision_directives=rename_directive("ask"))

    :param detection: what to do with detected candidates: ``ask`` (on a terminal, unless
        ``-x noinput=true``; otherwise warn), ``warn``, or ``off``.
    :param schemas: the schemas compared besides the default one, so that
        ``-x rename=schema.table:new`` names a table.
    :param stdin: where answers are read (standard input by default).
    :param stdout: where questions are written (standard output by default).
    :param stderr: where warnings are written (standard error by default).
    :returns: the step.
    :raises ValueError: on an unknown ``detection``.
    """
    if detection not in RENAME_DETECTION_MODES:
        raise ValueError(
            f"rename_directive: unknown detection {detection!r}; "
            f"use one of {', '.join(RENAME_DETECTION_MODES)}"
        )

    def say(line: str) -> None:
        sink = sys.stderr if stderr is None else stderr
        sink.write(f"WARNING: {line}\n")
        sink.flush()

    def decide(candidates: list[Candidate], interactive: bool) -> list[Rename]:
        accepted: list[Rename] = []
        for candidate in candidates:
            if interactive:
                if ask(candidate.question, stdin, stdout):
                    accepted.append(candidate.rename)
            else:
                say(_warning(candidate))
        return accepted

    def process_renames(
        context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
    ) -> None:
        connection = context.connection
        if not directives or connection is None:
            return
        x_arguments = _x_arguments(context)
        metadata = _target_metadata(context)
        database = DatabaseTables(connection)
        stated = declared_renames(metadata)
        if _is_new(database, metadata, stated):
            stated = []
        stated += requested_renames(x_arguments, schemas)
        writing = is_autogenerate_revision(context)
        interactive = detection == "ask" and not _no_input(x_arguments) and can_ask(stdin, stdout)
        for script in directives:
            for upgrade_ops, downgrade_ops in zip(
                script.upgrade_ops_list, script.downgrade_ops_list, strict=True
            ):
                ops = RevisionOps(upgrade_ops)
                changes = renamed_table_changes(context, metadata) if writing else None
                renames = applicable(stated, ops, database, changes)
                if not writing:
                    continue
                rewriter = RenameRewriter(ops, database, _types_differ(context))
                rewriter.rewrite(renames)
                if detection != "off":
                    same = _same_column(context)
                    tables, unclear_tables = table_candidates(ops, same)
                    rewriter.rewrite(decide(tables, interactive))
                    columns, unclear_columns = column_candidates(ops, same, _type_text(context))
                    rewriter.rewrite(decide(columns, interactive))
                    for line in describe_ambiguities([*unclear_tables, *unclear_columns]):
                        say(line)
                rewriter.finish()
                upgrade_ops.reverse_into(downgrade_ops)

    return process_renames


def _is_new(database: DatabaseTables, metadata: list[MetaData], hints: list[Rename]) -> bool:
    """Tell whether the database holds neither a table of the models nor one a hint renames: a
    new, empty database (a fresh environment, a test database), where every hint names a rename
    the history makes on its way."""
    tables = [(table.schema, table.name) for item in metadata for table in item.tables.values()]
    tables += [(hint.schema, hint.old) for hint in hints if isinstance(hint, TableRename)]
    return database.holds_none_of(tables)


def _same_column(context: MigrationContext) -> SameColumn:
    types_differ = _types_differ(context)

    def same(reflected: Column[object], target: Column[object]) -> bool:
        return reflected.nullable == target.nullable and not types_differ(reflected, target)

    return same
