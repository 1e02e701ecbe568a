"""LB402 formatted-sql."""

from __future__ import annotations

import ast
import re

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, positional, string_value


class FormattedSql(Rule):
    """SQL built with an f-string, ``%`` or ``.format()`` puts values into the statement's
    text: quoting is wrong as soon as a value holds a quote, and a value that comes from
    outside becomes SQL injection.

    Only a value put between single quotes (``'{plan}'``, ``'%s'``) is reported: a table or
    column name put into the text (``f"ALTER TABLE {table} ..."``) cannot be a bound parameter
    and is how revisions shared by several tables are written.

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
        Valid(
            """
            def upgrade():
                for table in ("account", "member"):
                    op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {table}_ck')
                    op.execute("ALTER TABLE %s CONVERT TO CHARACTER SET utf8mb4" % table)
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
        return "an f-string" if _quotes_a_value(sql) else None
    if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod):
        template = string_value(sql.left)
        return "% formatting" if template is None or _QUOTED_PERCENT.search(template) else None
    if (
        isinstance(sql, ast.Call)
        and isinstance(sql.func, ast.Attribute)
        and sql.func.attr == "format"
    ):
        template = string_value(sql.func.value)
        return ".format()" if template is None or _QUOTED_BRACES.search(template) else None
    return None


_QUOTED_PERCENT = re.compile(r"'%(?:\(\w+\))?[a-z]")
_QUOTED_BRACES = re.compile(r"'\{[^}]*\}")


def _quotes_a_value(sql: ast.JoinedStr) -> bool:
    """Whether a formatted value of the f-string follows a single quote."""
    before = ""
    for part in sql.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            before = part.value
        elif isinstance(part, ast.FormattedValue):
            if before.endswith("'"):
                return True
            before = ""
    return False
