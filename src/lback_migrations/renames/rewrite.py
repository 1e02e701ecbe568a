"""Turn drop + add into rename: check that a requested rename fits the revision, then rewrite
the revision's operations in place.

Indexes, unique constraints and foreign keys that only follow a renamed column or table (same
name, same columns once renamed) are left alone instead of being dropped and re-created: every
backend carries them over when it renames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alembic.operations import ops

from .operations import RenameColumnOp, RenameIndexOp, RenameTableOp
from .records import ColumnRename, Rename, RenameError, TableRename, qualified
from .revision import DatabaseTables, RevisionOps, reflected_column

if TYPE_CHECKING:
    from sqlalchemy import Column

    from .renamed_tables import RenamedTableChanges

TypesDiffer = Callable[["Column[object]", "Column[object]"], bool]
"""Whether a reflected column's type differs from a model column's."""

_SignatureKey = tuple[str | None, str]


def applicable(
    renames: Sequence[Rename],
    revision: RevisionOps,
    database: DatabaseTables,
    renamed_table_changes: RenamedTableChanges | None = None,
) -> list[Rename]:
    """The renames this revision is to make, tables first.

    A hint whose new name the database already has is harmless: it was applied before.

    :param renamed_table_changes: compares each renamed table with its old database table;
        the changes found join the revision, after the table's creation (soon its rename), and
        column renames in them apply. Without it (``alembic check``) column renames in a
        renamed table are left out.
    :raises RenameError: when a rename names a table or column the database does not have,
        or (asked for with ``-x``) the revision does not add the new name.
    """
    tables = [
        rename
        for rename in renames
        if isinstance(rename, TableRename) and _table_applies(rename, revision, database)
    ]
    renamed = {(rename.schema, rename.new) for rename in tables}
    if renamed_table_changes is not None:
        for rename in tables:
            changes = renamed_table_changes(rename)
            create = revision.created_table(rename.schema, rename.new)
            if changes is not None and create is not None:
                revision.insert_after(create, changes)
    columns = [
        rename
        for rename in renames
        if isinstance(rename, ColumnRename)
        and (renamed_table_changes is not None or (rename.schema, rename.table) not in renamed)
        and _column_applies(
            rename, revision, in_renamed_table=(rename.schema, rename.table) in renamed
        )
    ]
    return [*tables, *columns]


def _table_applies(rename: TableRename, revision: RevisionOps, database: DatabaseTables) -> bool:
    if revision.created_table(rename.schema, rename.new) is None:
        if rename.requested:
            raise RenameError(
                rename.origin,
                f"the revision does not create table {qualified(rename.schema, rename.new)}; "
                "check the new name against the model",
            )
        return False
    if revision.dropped_table(rename.schema, rename.old) is None and not database.exists(
        rename.schema, rename.old
    ):
        raise RenameError(
            rename.origin,
            f"the database has no table {qualified(rename.schema, rename.old)} to rename; "
            "fix the old name or remove the hint",
        )
    return True


def _column_applies(rename: ColumnRename, revision: RevisionOps, *, in_renamed_table: bool) -> bool:
    table = qualified(rename.schema, rename.table)
    if not in_renamed_table and revision.created_table(rename.schema, rename.table) is not None:
        raise RenameError(
            rename.origin,
            f"table {table} does not exist in the database yet, so it has no column "
            f"{rename.old} to rename; remove the hint (or, if the table was renamed too, "
            f'state that with {{"info": {{"renamed_from": ...}}}} in its __table_args__)',
        )
    added = revision.added_column(rename.schema, rename.table, rename.new)
    if added is None:
        if rename.requested:
            raise RenameError(
                rename.origin,
                f"the revision does not add column {table}.{rename.new}; "
                "check the new name against the model",
            )
        return False
    if revision.dropped_column(rename.schema, rename.table, rename.old) is None:
        model_table = added[1].column.table
        where = "the model still defines" if rename.old in model_table.c else "the database has no"
        raise RenameError(
            rename.origin,
            f"{where} column {table}.{rename.old}; fix the old name or remove the hint",
        )
    return True


@dataclass
class RenameRewriter:
    """Rewrites one revision for the renames :func:`applicable` returned: call
    :meth:`rewrite` once or more, then :meth:`finish`.

    :param types_differ: the type comparison of the environment.
    :param renamed: the renames made so far.
    """

    revision: RevisionOps
    database: DatabaseTables
    types_differ: TypesDiffer
    renamed: list[Rename] = field(default_factory=list)

    def rewrite(self, renames: Sequence[Rename]) -> None:
        """Replace drop + add by rename for every rename, then spare what follows the renames
        made so far."""
        for rename in renames:
            if isinstance(rename, TableRename):
                self._rename_table(rename)
        self.renamed.extend(rename for rename in renames if isinstance(rename, TableRename))
        for rename in renames:
            if isinstance(rename, ColumnRename):
                self._rename_column(rename)
        self.renamed.extend(rename for rename in renames if isinstance(rename, ColumnRename))
        self._spare_followers(
            [rename for rename in self.renamed if isinstance(rename, TableRename)],
            [rename for rename in self.renamed if isinstance(rename, ColumnRename)],
        )

    def finish(self) -> None:
        """Put the column renames of each table in a step of their own, after the table's index
        and constraint drops and before its other changes.

        A dropped index or constraint names the old column, so it goes before the rename, and
        the downgrade (the reverse order) re-creates it after renaming back. Separate steps
        also mean separate batches on SQLite: within one batch, Alembic cannot create an index
        on a column renamed in the same batch.
        """
        for container in list(self.revision.table_ops()):
            renames = [op for op in container.ops if isinstance(op, RenameColumnOp)]
            if not renames:
                continue
            drops = [
                op for op in container.ops if isinstance(op, ops.DropIndexOp | ops.DropConstraintOp)
            ]
            rest = [op for op in container.ops if op not in drops and op not in renames]
            steps = [
                ops.ModifyTableOps(container.table_name, step, schema=container.schema)
                for step in (drops, renames, rest)
                if step
            ]
            self.revision.replace_container(container, steps)

    def _rename_table(self, rename: TableRename) -> None:
        create = self.revision.created_table(rename.schema, rename.new)
        assert create is not None
        self.revision.replace(
            create,
            RenameTableOp(rename.old, rename.new, schema=rename.schema, origin=rename.origin),
        )
        dropped = self.revision.dropped_table(rename.schema, rename.old)
        if dropped is not None:
            self.revision.remove(dropped)
        kept = self.database.index_and_constraint_names(rename.schema, rename.old)
        for _, op in list(self.revision.in_table(rename.schema, rename.new, ops.MigrateOperation)):
            name = _created_name(op)
            if name is not None and name in kept:
                self.revision.remove(op)

    def _rename_column(self, rename: ColumnRename) -> None:
        added = self.revision.added_column(rename.schema, rename.table, rename.new)
        dropped = self.revision.dropped_column(rename.schema, rename.table, rename.old)
        assert added is not None
        assert dropped is not None
        reflected = reflected_column(dropped[1])
        target = added[1].column
        op = RenameColumnOp.between(
            rename.table,
            reflected,
            target,
            schema=rename.schema,
            types_differ=self.types_differ(reflected, target),
            origin=rename.origin,
        )
        self.revision.replace(added[1], op)
        self.revision.remove(dropped[1])
        if self.database.is_mysql and self.database.has_column_named_index(
            rename.schema, self._database_name(rename.schema, rename.table), rename.old
        ):
            self.revision.insert_after(
                added[0], RenameIndexOp(rename.table, rename.old, rename.new, schema=rename.schema)
            )

    def _database_name(self, schema: str | None, table: str) -> str:
        """The name ``table`` has in the database: its old name when this revision renames it."""
        return next(
            (
                rename.old
                for rename in self.renamed
                if isinstance(rename, TableRename)
                and rename.schema == schema
                and rename.new == table
            ),
            table,
        )

    def _spare_followers(
        self, tables: Iterable[TableRename], columns: Iterable[ColumnRename]
    ) -> None:
        table_names = {(t.schema, t.old): t.new for t in tables}
        column_names: dict[_SignatureKey, dict[str, str]] = {}
        for column in columns:
            column_names.setdefault((column.schema, column.table), {})[column.old] = column.new
        if not table_names and not column_names:
            return
        follows = _Follows(table_names, column_names)
        for container in list(self.revision.table_ops()):
            for drop, create in _matching_pairs(container, follows):
                self.revision.remove(drop)
                self.revision.remove(create)


@dataclass(frozen=True)
class _Follows:
    tables: dict[_SignatureKey, str]
    columns: dict[_SignatureKey, dict[str, str]]

    def table(self, schema: str | None, name: str) -> str:
        return self.tables.get((schema, name), name)

    def column_names(self, schema: str | None, table: str, names: Iterable[str]) -> tuple[str, ...]:
        mapping = self.columns.get((schema, self.table(schema, table)), {})
        return tuple(mapping.get(name, name) for name in names)


def _created_name(op: ops.MigrateOperation) -> str | None:
    if isinstance(op, ops.CreateIndexOp):
        return str(op.index_name) if op.index_name else None
    if isinstance(op, ops.AddConstraintOp):
        name = getattr(op, "constraint_name", None)
        return str(name) if name else None
    return None


def _names(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(getattr(item, "name", item)) for item in items)


def _index_signature(
    op: ops.CreateIndexOp, schema: str | None, table: str, follows: _Follows | None
) -> tuple[object, ...]:
    columns = _names(op.columns)
    if follows is not None:
        columns = follows.column_names(schema, table, columns)
    return (op.index_name, bool(op.unique), columns)


def _constraint_signature(
    op: ops.AddConstraintOp, schema: str | None, table: str, follows: _Follows | None
) -> tuple[object, ...] | None:
    if isinstance(op, ops.CreateUniqueConstraintOp):
        columns = _names(op.columns)
        if follows is not None:
            columns = follows.column_names(schema, table, columns)
        return ("unique", op.constraint_name, columns)
    if isinstance(op, ops.CreateForeignKeyOp):
        referent_schema = op.kw.get("referent_schema")
        local = _names(op.local_cols)
        referent = op.referent_table
        remote = _names(op.remote_cols)
        if follows is not None:
            local = follows.column_names(schema, table, local)
            remote = follows.column_names(referent_schema, referent, remote)
            referent = follows.table(referent_schema, referent)
        return ("foreignkey", local, referent_schema, referent, remote)
    return None


def _matching_pairs(
    container: ops.ModifyTableOps, follows: _Follows
) -> list[tuple[ops.MigrateOperation, ops.MigrateOperation]]:
    """Drop/create pairs in ``container`` whose object is the same once renames are applied."""
    schema, table = container.schema, container.table_name
    creates: dict[tuple[object, ...], ops.MigrateOperation] = {}
    for op in container.ops:
        if isinstance(op, ops.CreateIndexOp):
            creates[_index_signature(op, schema, table, None)] = op
        elif isinstance(op, ops.AddConstraintOp):
            signature = _constraint_signature(op, schema, table, None)
            if signature is not None:
                creates[signature] = op
    pairs: list[tuple[ops.MigrateOperation, ops.MigrateOperation]] = []
    for op in container.ops:
        old: tuple[object, ...] | None = None
        if isinstance(op, ops.DropIndexOp):
            old = _index_signature(op.reverse(), schema, table, follows)
        elif isinstance(op, ops.DropConstraintOp) and op.constraint_type in (
            "unique",
            "foreignkey",
        ):
            old = _constraint_signature(op.reverse(), schema, table, follows)
        if old is not None and old in creates:
            pairs.append((op, creates.pop(old)))
    return pairs
