"""LB305 stated-rename."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, MigrationFunction, Valid
from ..stated_renames import StatedRenames


class StatedRename(StatedRenames):
    """A rename the models stated (``info={"renamed_from": ...}``), or that was accepted with
    ``-x rename`` or an answer to autogenerate's question, still breaks the instances of the
    application running the previous release, which use the old name. The rename was meant,
    so it is a reminder rather than a warning: deploy the new code and the migration together,
    or in the steps LB301 and LB302 describe.

    The rename step of autogenerate writes a comment ``# lback: stated rename: <where>`` on the
    line above each rename it makes; LB301 and LB302 leave such renames to this rule.
    """

    code = "LB305"
    name = "stated-rename"
    severity = Severity.INFO
    message = (
        "{operation} renames {old} to {new}, as stated by {origin}: code of the previous "
        "release still uses {old}, so release the new code with this migration"
    )
    VALID = (
        Valid(
            """
            def upgrade():
                op.alter_column("author", "name", new_column_name="full_name")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                with op.batch_alter_table("author") as batch_op:
                    # lback: stated rename: column author.full_name: info["renamed_from"]='name'
                    batch_op.alter_column("name", new_column_name="full_name")
                # lback: stated rename: -x rename=book:publication
                op.rename_table("book", "publication")
            """,
            line=4,
        ),
    )

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        for call, operation, old, new in self.renames:
            origin = self.stated_by(call)
            if origin is not None:
                self.report(call, operation=operation, old=repr(old), new=repr(new), origin=origin)
