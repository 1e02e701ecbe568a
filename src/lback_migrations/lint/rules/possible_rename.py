"""LB103 possible-rename."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from ..deferred import libcst as cst

from ..findings import Severity
from ..rule import DOWNGRADE, UPGRADE, Invalid, MigrationFunction, Operation, Rule, Valid
from ..syntax import is_call_to, positional, string_value


@dataclass
class PossibleRename(Rule):
    """Autogenerate cannot see a renamed column: it drops the old column and adds a new one,
    which loses every value. When ``upgrade()`` drops a column and adds another of the same
    type to the same table (the type of the dropped column is read from the ``add_column``
    that ``downgrade()`` uses to restore it), the pair is most likely a rename.

    Replace both operations with ``op.alter_column(table, old, new_column_name=new)`` (and the
    reverse in ``downgrade()``). When they really are two unrelated columns, suppress the
    finding on the ``add_column`` line.
    """

    code = "LB103"
    name = "possible-rename"
    severity = Severity.WARNING
    message = (
        "possible rename: {table}.{old} is dropped and {table}.{new} of the same type is "
        "added; use op.alter_column({table!r}, {old!r}, new_column_name={new!r}) to keep the data"
    )
    operations = frozenset({"add_column", "drop_column"})
    VALID = (
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
    )

    added: list[tuple[str, str, str, cst.Call]] = field(default_factory=list, init=False)
    dropped: list[tuple[str, str]] = field(default_factory=list, init=False)
    restored: dict[tuple[str, str], str] = field(default_factory=dict, init=False)

    def visit_operation(self, operation: Operation) -> None:
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
        name, column_type = described
        if operation.function == UPGRADE:
            self.added.append((table, name, column_type, operation.call))
        elif operation.function == DOWNGRADE:
            self.restored[(table, name)] = column_type

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        for table, new, column_type, call in self.added:
            for dropped_table, old in self.dropped:
                if dropped_table == table and self.restored.get((table, old)) == column_type:
                    self.report(call, table=table, old=old, new=new)
                    break


def _described_column(column: cst.BaseExpression | None) -> tuple[str, str] | None:
    if column is None or not is_call_to(column, "Column"):
        return None
    assert isinstance(column, cst.Call)
    arguments = positional(column)
    if len(arguments) < 2:
        return None
    name = string_value(arguments[0])
    if name is None:
        return None
    column_type = "".join(cst.Module(body=[]).code_for_node(arguments[1]).split())
    return name, column_type
