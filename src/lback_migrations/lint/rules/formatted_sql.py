"""LB402 formatted-sql."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, positional


class FormattedSql(Rule):
    """SQL built with an f-string, ``%`` or ``.format()`` puts values into the statement's
    text: quoting is wrong as soon as a value holds a quote, and a value that comes from
    outside becomes SQL injection.

    Keep the SQL constant and pass values as bound parameters:
    ``op.execute(sa.text("UPDATE account SET plan = :plan").bindparams(plan=value))``, or use
    ``op.bulk_insert`` for rows.
    """

    code = "LB402"
    name = "formatted-sql"
    severity = Severity.ERROR
    message = (
        "op.execute with SQL built by {how}: keep the SQL constant and pass values with "
        "sa.text(...).bindparams(...)"
    )
    operations = frozenset({"execute"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("UPDATE account SET plan = 'free' WHERE plan IS NULL")
                op.execute(sa.text("UPDATE account SET plan = :plan").bindparams(plan="free"))
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute(f"UPDATE account SET plan = '{PLAN}'")
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("UPDATE account SET plan = '%s'" % PLAN)
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute(sa.text("UPDATE account SET plan = '{}'".format(PLAN)))
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        sql = operation.argument("sqltext")
        if isinstance(sql, ast.Call) and is_call_to(sql, "text"):
            arguments = positional(sql)
            sql = arguments[0] if arguments else None
        how = _formatting(sql)
        if how is not None:
            self.report(operation.call, how=how)


def _formatting(sql: ast.expr | None) -> str | None:
    # An f-string, alone or next to plain literals, is one JoinedStr to Python's parser.
    if isinstance(sql, ast.JoinedStr):
        return "an f-string"
    if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod):
        return "% formatting"
    if (
        isinstance(sql, ast.Call)
        and isinstance(sql.func, ast.Attribute)
        and sql.func.attr == "format"
    ):
        return ".format()"
    return None
