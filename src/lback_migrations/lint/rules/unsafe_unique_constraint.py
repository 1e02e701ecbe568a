"""LB207 unsafe-unique-constraint."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid


class UnsafeUniqueConstraint(Rule):
    """On PostgreSQL, adding a unique constraint to an existing table builds its index while
    blocking every write to the table.

    Build the index first without blocking writes, then attach it:
    ``op.create_index(name, table, cols, unique=True, postgresql_concurrently=True)`` inside
    ``op.get_context().autocommit_block()``, then
    ``op.execute("ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX name")``.
    """

    code = "LB207"
    name = "unsafe-unique-constraint"
    severity = Severity.WARNING
    message = (
        "create_unique_constraint on existing table {table} builds its index under a write "
        "lock: create a unique index concurrently, then ADD CONSTRAINT ... UNIQUE USING INDEX"
    )
    operations = frozenset({"create_unique_constraint"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                with op.get_context().autocommit_block():
                    op.create_index("uq_account_email", "account", ["email"], unique=True,
                                    postgresql_concurrently=True)
                op.execute("ALTER TABLE account ADD CONSTRAINT uq_account_email "
                           "UNIQUE USING INDEX uq_account_email")
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_unique_constraint("uq_account_email", "account", ["email"])
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.on_existing_table:
            self.report(operation.call, table=repr(operation.table or "..."))
