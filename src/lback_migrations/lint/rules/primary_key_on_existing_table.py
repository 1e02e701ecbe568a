"""LB212 primary-key-on-existing-table."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid


class PrimaryKeyOnExistingTable(Rule):
    """Adding a primary key to a table that holds rows builds its unique index and checks
    every row for ``NULL`` under a lock that blocks writes (PostgreSQL: ``ACCESS EXCLUSIVE``
    for the whole build; MariaDB: the table is rebuilt), and fails on the first duplicate.

    On PostgreSQL, build a unique index concurrently first (``op.create_index(...,
    unique=True, postgresql_concurrently=True)`` in an ``autocommit_block``), then
    ``ALTER TABLE ... ADD CONSTRAINT name PRIMARY KEY USING INDEX name``. Elsewhere, do it
    while the table is small or in a maintenance window. Claim: the index build under a lock
    that blocks writes.
    """

    code = "LB212"
    name = "primary-key-on-existing-table"
    severity = Severity.WARNING
    message = (
        "create_primary_key on existing table {table} builds its index while blocking writes: "
        "build a unique index first (concurrently on PostgreSQL), then attach it"
    )
    operations = frozenset({"create_primary_key"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_table("plan", sa.Column("id", sa.Integer(), nullable=False))
                op.create_primary_key("pk_plan", "plan", ["id"])
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_primary_key("pk_account", "account", ["id"])
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ADD PRIMARY KEY (id)")
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.on_existing_table:
            self.report(operation.call, table=repr(operation.table or "..."))
