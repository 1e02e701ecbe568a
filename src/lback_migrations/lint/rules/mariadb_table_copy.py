"""LB214 mariadb-table-copy."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..sql import SqlStatement


class MariadbTableCopy(Rule):
    """MariaDB runs an ``ALTER TABLE`` with the ``COPY`` algorithm by copying every row into a
    new table while writes to the old one wait. ``ALGORITHM=COPY`` asks for it outright;
    before MariaDB 10.3, adding a column always rebuilt the table (10.3 added ``INSTANT``).

    Drop ``ALGORITHM=COPY`` (or write ``ALGORITHM=INSTANT`` / ``INPLACE``, which make MariaDB
    refuse rather than copy), and on servers before 10.3 add columns in a maintenance window.
    The rule depends on the server release (``server_version``, else the configured
    database's, else the oldest supported). Claim: a table copy that blocks writes.
    """

    code = "LB214"
    name = "mariadb-table-copy"
    severity = Severity.WARNING
    message = (
        "{what} copies {table} row by row while writes wait on MariaDB: use ALGORITHM=INSTANT "
        "or INPLACE, or a maintenance window"
    )
    operations = frozenset({"add_column"})
    dialects = frozenset({"mysql", "mariadb"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
                op.execute("ALTER TABLE account ADD COLUMN bio TEXT, ALGORITHM=INSTANT")
            """,
            dialect="mysql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ADD COLUMN bio TEXT, ALGORITHM=COPY")
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """,
            dialect="mysql",
            server_version=(10, 2, 44),
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if (
            operation.sql is None
            and operation.on_existing_table
            and not self.context.server_at_least(10, 3)
        ):
            table = repr(operation.table or "...")
            self.report(operation.call, what="add_column before MariaDB 10.3", table=table)

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.kind == "Alter" and statement.has_words("ALGORITHM", "=", "COPY"):
            table = repr(statement.tree.this.name if statement.tree.this is not None else "...")
            self.report(execute.call, what="ALGORITHM=COPY", table=table)
