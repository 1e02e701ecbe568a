"""LB203 column-type-change."""

from __future__ import annotations

from ..column_types import TypeKey, type_key
from ..findings import Severity
from ..rule import Invalid, LintContext, Operation, Rule, Valid
from ..syntax import keyword, string_value

_MARIADB_ONE_LENGTH_BYTE = 63
"""The longest ``VARCHAR`` (in utf8mb4 characters) whose length MariaDB stores in one byte."""


class ColumnTypeChange(Rule):
    """Changing a column's type usually rewrites the whole table under an exclusive lock, may
    truncate or reject existing values, and breaks code that still expects the old type.

    Add a column of the new type, write to both, backfill, switch the readers, and drop the
    old column later.

    Changes the database makes in place, with no rewrite, are not reported; they need the old
    type written as ``existing_type`` (autogenerate writes it):

    - PostgreSQL: a longer ``VARCHAR``, a ``VARCHAR`` made unbounded, and ``VARCHAR`` to
      ``TEXT``;
    - MariaDB (10.2.2 and later, judged by the server release): a longer ``VARCHAR`` whose
      length still takes as many bytes to store (up to 63 characters, or from 64 on, in
      utf8mb4). ``VARCHAR`` to ``TEXT`` copies the table there and is reported.

    Claim: a table rewrite (PostgreSQL) or copy (MariaDB) holding a lock that blocks writes.
    """

    code = "LB203"
    name = "column-type-change"
    severity = Severity.WARNING
    message = (
        "alter_column changes the type of {column}, which can rewrite the table under a lock "
        "and lose data: add a new column, backfill it, and switch over"
    )
    operations = frozenset({"alter_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(100), nullable=True)
            """
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.VARCHAR(length=100),
                                type_=sa.String(length=200))
                op.alter_column("account", "bio", existing_type=sa.VARCHAR(length=100),
                                type_=sa.Text())
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=mysql.VARCHAR(length=100),
                                type_=sa.String(length=200))
            """,
            dialect="mysql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "age", existing_type=sa.Integer(), type_=sa.String())
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.VARCHAR(length=200),
                                type_=sa.String(length=100))
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=mysql.VARCHAR(length=50),
                                type_=sa.String(length=200))
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "bio", existing_type=mysql.VARCHAR(length=100),
                                type_=sa.Text())
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ALTER COLUMN age TYPE bigint")
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        new = keyword(operation.call, "type_")
        if new is None:
            return
        old = type_key(keyword(operation.call, "existing_type"))
        if old is not None and _in_place(old, type_key(new), self.context):
            return
        column = string_value(operation.argument("column_name")) or "..."
        self.report(operation.call, column=repr(column))


def _in_place(old: TypeKey, new: TypeKey | None, context: LintContext) -> bool:
    if new is None or old[0] != "string":
        return False
    old_length, new_length = old[1], new[1] if len(new) > 1 else None
    if not isinstance(old_length, int):
        return False
    if context.dialect == "postgresql":
        if new[0] == "text" or (new[0] == "string" and new_length is None):
            return True
        return new[0] == "string" and isinstance(new_length, int) and new_length >= old_length
    if context.dialect in {"mysql", "mariadb"} and context.server_at_least(10, 2, 2):
        return (
            new[0] == "string"
            and isinstance(new_length, int)
            and new_length >= old_length
            and (old_length <= _MARIADB_ONE_LENGTH_BYTE) == (new_length <= _MARIADB_ONE_LENGTH_BYTE)
        )
    return False
