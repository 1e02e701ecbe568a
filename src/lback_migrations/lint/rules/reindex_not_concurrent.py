"""LB213 reindex-not-concurrent."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..sql import SqlStatement


class ReindexNotConcurrent(Rule):
    """On PostgreSQL, ``REINDEX`` without ``CONCURRENTLY`` blocks every write to the table
    (and every read that would use the index) until the rebuild ends.

    Write ``REINDEX ... CONCURRENTLY`` (PostgreSQL 12 and later) inside
    ``op.get_context().autocommit_block()``: it cannot run in a transaction. Claim: writes
    blocked for the rebuild.
    """

    code = "LB213"
    name = "reindex-not-concurrent"
    severity = Severity.WARNING
    message = (
        "REINDEX blocks writes until it ends: use REINDEX ... CONCURRENTLY in an autocommit_block"
    )
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                with op.get_context().autocommit_block():
                    op.execute("REINDEX INDEX CONCURRENTLY ix_account_email")
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("REINDEX TABLE account")
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.words[:1] == ("REINDEX",) and "CONCURRENTLY" not in statement.words:
            self.report(execute.call)
