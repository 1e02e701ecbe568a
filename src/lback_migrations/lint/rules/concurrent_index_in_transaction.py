"""LB205 concurrent-index-in-transaction."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_constant, keyword


class ConcurrentIndexInTransaction(Rule):
    """PostgreSQL refuses ``CREATE INDEX CONCURRENTLY`` (and ``DROP INDEX CONCURRENTLY``)
    inside a transaction block, and Alembic runs each migration in one: the revision fails.

    Put the call in ``with op.get_context().autocommit_block():``, which commits the
    migration's transaction, runs the block in autocommit mode and starts a new transaction
    afterwards.
    """

    code = "LB205"
    name = "concurrent-index-in-transaction"
    severity = Severity.ERROR
    message = (
        "{operation} with postgresql_concurrently=True cannot run in a transaction: "
        "wrap it in `with op.get_context().autocommit_block():`"
    )
    operations = frozenset({"create_index", "drop_index"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                with op.get_context().autocommit_block():
                    op.create_index("ix_account_email", "account", ["email"],
                                    postgresql_concurrently=True)
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_index("ix_account_email", "account", ["email"],
                                postgresql_concurrently=True)
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        concurrent = is_constant(keyword(operation.call, "postgresql_concurrently"), True)
        if concurrent and not operation.autocommit:
            self.report(operation.call, operation=f"op.{operation.name}")
