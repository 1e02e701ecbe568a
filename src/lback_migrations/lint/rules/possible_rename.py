"""LB103 possible-rename."""

from __future__ import annotations

import ast

from ..column_types import TypeKey, type_key
from ..findings import Severity
from ..rule import (
    DOWNGRADE,
    UPGRADE,
    Invalid,
    LintContext,
    MigrationFunction,
    Operation,
    Report,
    Rule,
    Valid,
)
from ..syntax import is_call_to, keyword, positional, string_value

_DATA_OPERATIONS = frozenset({"execute", "bulk_insert", "get_bind"})
_Described = tuple[TypeKey, "bool | None"]
"""A column's type key and nullability (``None``: not written as a literal)."""


class PossibleRename(Rule):
    """Autogenerate cannot see a renamed column: it drops the old column and adds a new one,
    which loses every value. When ``upgrade()`` drops a column and adds another of the same
    type and nullability to the same table, directly or in ``op.batch_alter_table``, the pair
    is most likely a rename. The dropped column's type is read from the ``add_column`` that
    ``downgrade()`` uses to restore it, where autogenerate writes the type the database
    reported (``sa.VARCHAR(length=50)``, ``mysql.TINYINT(display_width=1)``); it is compared
    with the model's type in ``upgrade()`` (``sa.String(length=50)``, ``sa.Boolean()``) by
    family and the parameters that matter (a string's length, a numeric's precision and
    scale).

    Replace both operations with ``op.alter_column(table, old, new_column_name=new)`` (and the
    reverse in ``downgrade()``). When they really are two unrelated columns, suppress the
    finding on the ``add_column`` line.

    An ``upgrade()`` that also moves data itself (``op.execute``, ``op.bulk_insert``,
    ``op.get_bind()``) is not reported: its author has written what happens to the values,
    which autogenerate never does.
    """

    code = "LB103"
    name = "possible-rename"
    severity = Severity.WARNING
    message = (
        "possible rename: {table}.{old} is dropped and {table}.{new} of the same type is "
        "added; use op.alter_column({table!r}, {old!r}, new_column_name={new!r}) to keep the data"
    )
    operations = frozenset({"add_column", "drop_column", *_DATA_OPERATIONS})
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("full_name", sa.String(50), nullable=True))
                op.execute("UPDATE account SET full_name = first_name || ' ' || last_name")
                op.drop_column("account", "first_name")

            def downgrade():
                op.add_column("account", sa.Column("first_name", sa.String(50), nullable=True))
                op.drop_column("account", "full_name")
            """
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "name", new_column_name="full_name")

            def downgrade():
                op.alter_column("account", "full_name", new_column_name="name")
            """
        ),
        Valid(
            """
            def upgrade():
                op.drop_column("account", "age")
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                op.drop_column("account", "nickname")
                op.add_column("account", sa.Column("age", sa.Integer()))
            """
        ),
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("full_name", sa.String(length=100)))
                op.add_column("account", sa.Column("title", sa.String(length=50), nullable=False))
                op.drop_column("account", "name")

            def downgrade():
                op.add_column("account", sa.Column("name", sa.VARCHAR(length=50), nullable=True))
                op.drop_column("account", "title")
                op.drop_column("account", "full_name")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("full_name", sa.String(50), nullable=True))
                op.drop_column("account", "name")

            def downgrade():
                op.add_column("account", sa.Column("name", sa.String(50), nullable=True))
                op.drop_column("account", "full_name")
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                with op.batch_alter_table("account", schema=None) as batch_op:
                    batch_op.add_column(sa.Column("title", sa.String(length=50), nullable=False))
                    batch_op.drop_column("name")

            def downgrade():
                with op.batch_alter_table("account", schema=None) as batch_op:
                    batch_op.add_column(sa.Column("name", sa.VARCHAR(length=50), nullable=False))
                    batch_op.drop_column("title")
            """,
            line=3,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("active", sa.Boolean(), nullable=True))
                op.drop_column("account", "enabled")

            def downgrade():
                op.add_column("account", sa.Column("enabled", mysql.TINYINT(display_width=1),
                                                   autoincrement=False, nullable=True))
                op.drop_column("account", "active")
            """,
            line=2,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.added: list[tuple[str, str, _Described, ast.Call]] = []
        self.dropped: list[tuple[str, str]] = []
        self.restored: dict[tuple[str, str], _Described] = {}
        self.moves_data = False

    def visit_operation(self, operation: Operation) -> None:
        if operation.name in _DATA_OPERATIONS:
            self.moves_data = self.moves_data or operation.function == UPGRADE
            return
        table = operation.table
        if table is None:
            return
        if operation.name == "drop_column" and operation.function == UPGRADE:
            column = string_value(operation.argument("column_name"))
            if column is not None:
                self.dropped.append((table, column))
            return
        if operation.name != "add_column":
            return
        described = _described_column(operation.argument("column"))
        if described is None:
            return
        name, description = described
        if operation.function == UPGRADE:
            self.added.append((table, name, description, operation.call))
        elif operation.function == DOWNGRADE:
            self.restored[(table, name)] = description

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        if self.moves_data:
            return
        for table, new, description, call in self.added:
            for dropped_table, old in self.dropped:
                restored = self.restored.get((table, old)) if dropped_table == table else None
                if restored is not None and _same(restored, description):
                    self.report(call, table=table, old=old, new=new)
                    break


def _described_column(column: ast.expr | None) -> tuple[str, _Described] | None:
    if not isinstance(column, ast.Call) or not is_call_to(column, "Column"):
        return None
    arguments = positional(column)
    if len(arguments) < 2:
        return None
    name = string_value(arguments[0])
    key = type_key(arguments[1])
    if name is None or key is None:
        return None
    return name, (key, _nullable(column))


def _nullable(column: ast.Call) -> bool | None:
    value = keyword(column, "nullable")
    if value is None:
        primary_key = keyword(column, "primary_key")
        return not (isinstance(primary_key, ast.Constant) and primary_key.value is True)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def _same(restored: _Described, added: _Described) -> bool:
    """Same type, and the same nullability where both are known."""
    (restored_type, restored_null), (added_type, added_null) = restored, added
    if restored_type != added_type:
        return False
    return restored_null is None or added_null is None or restored_null == added_null
