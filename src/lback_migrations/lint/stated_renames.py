"""The renames a person stated, as the revision records them for LB301, LB302 and LB305.

The rename step of autogenerate (:mod:`lback_migrations.renames`) writes a :data:`MARKER`
comment on the line above each rename it makes; a rename written by hand has none.
"""

from __future__ import annotations

import ast

from ..rename_marker import MARKER
from .rule import UPGRADE, LintContext, Operation, Report, Rule, SourceComment
from .syntax import keyword, string_value


class StatedRenames(Rule):
    """What LB301, LB302 and LB305 share: the upgrade's renames, and whether each was stated.

    A rename is stated when the line above it is a :data:`MARKER` comment. Reports go out in
    :meth:`leave_module`, once the comments are read.
    """

    operations = frozenset({"alter_column", "rename_table"})

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.renames: list[tuple[ast.Call, str, str, str]] = []
        self.stated: dict[int, str] = {}

    def visit_operation(self, operation: Operation) -> None:
        if operation.function != UPGRADE:
            return
        if operation.name == "rename_table":
            old = string_value(operation.argument("old_table_name")) or "..."
            new = string_value(operation.argument("new_table_name")) or "..."
            self.renames.append((operation.call, "rename_table", old, new))
            return
        new_name = keyword(operation.call, "new_column_name")
        if new_name is not None:
            old = string_value(operation.argument("column_name")) or "..."
            new = string_value(new_name) or "..."
            self.renames.append((operation.call, "alter_column", old, new))

    def visit_comment(self, comment: SourceComment) -> None:
        if comment.text.startswith(MARKER):
            self.stated[comment.line + 1] = comment.text[len(MARKER) :].strip()

    def stated_by(self, call: ast.Call) -> str | None:
        """Where the rename made by ``call`` was stated, or ``None`` when it was not."""
        return self.stated.get(call.lineno)
