"""LB105 irreversible-downgrade."""

from __future__ import annotations

from ..findings import Severity
from ..rule import DOWNGRADE, UPGRADE, Invalid, MigrationFunction, Rule, Valid


class IrreversibleDowngrade(Rule):
    """A revision whose ``downgrade()`` is missing, empty or raises cannot be rolled back: a
    failed deployment then has no way back but a restore.

    Write the operations that undo ``upgrade()`` (autogenerate writes them for what it
    detects; hand-written ``op.execute`` needs its reverse written by hand). When a revision
    truly cannot be reversed, suppress the finding on the ``def downgrade`` line and say why in
    the docstring.

    A revision whose ``upgrade()`` does nothing has nothing to undo (a merge point, a
    deliberately empty revision), and a file that defines no ``upgrade()`` is no revision (an
    ``__init__.py`` in ``versions/``): neither is reported.
    """

    code = "LB105"
    name = "irreversible-downgrade"
    severity = Severity.WARNING
    message = "downgrade() {problem}: write the operations that undo upgrade()"
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                op.drop_column("account", "nickname")
            """
        ),
        Valid(
            """
            revision = "b2c3d4e5f6a7"
            down_revision = ("ae1027a6acf", "1975ea83b712")

            def upgrade():
                pass

            def downgrade():
                pass
            """
        ),
        Valid("", file_name="__init__.py"),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                pass
            """,
            line=4,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))

            def downgrade():
                raise NotImplementedError
            """,
            line=4,
        ),
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """,
            line=1,
        ),
    )

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        upgrade, downgrade = functions.get(UPGRADE), functions.get(DOWNGRADE)
        if upgrade is None or upgrade.empty:
            return
        if downgrade is None:
            self.report(upgrade.node, problem="is missing")
        elif downgrade.raises:
            self.report(downgrade.node, problem="raises")
        elif downgrade.empty:
            self.report(downgrade.node, problem="is empty")
