"""Revision files as tests write them by hand and read them back.

The linter and the formatter report line numbers and file names, so the tests that share these
texts rely on their exact layout: change one and the expected ``path:line:column`` moves.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.projects import AlembicProject

CLEAN_BODY = """
    def upgrade() -> None:
        op.add_column("account", sa.Column("nickname", sa.String(50), nullable=True))


    def downgrade() -> None:
        op.add_column("account", sa.Column("legacy", sa.Integer(), nullable=True))
"""
"""An ``upgrade``/``downgrade`` pair no lint rule reports."""

DROP_BODY = """
    def upgrade() -> None:
        op.drop_table("legacy")


    def downgrade() -> None:
        op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))
"""
"""An ``upgrade`` that drops a table: LB101 at line 9, column 5 of :func:`write_revision`'s file."""

UNFORMATTED = textwrap.dedent(
    '''\
    """add {name}"""
    from alembic import op
    import sqlalchemy as sa

    revision = "{name}"
    down_revision = None


    def upgrade() -> None:
        op.create_table('{name}', sa.Column('id', sa.Integer(), nullable=False))
    '''
)
"""A revision black reformats (import order aside, the quotes), with a ``{name}`` to fill."""


def write_revision(
    project: AlembicProject, revision: str, down_revision: str | None, body: str
) -> Path:
    """Write ``<revision>_change.py`` in the project's versions with ``body`` (the functions)."""
    path = project.versions / f"{revision}_change.py"
    path.write_text(
        f'"""change"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f"revision = {revision!r}\ndown_revision = {down_revision!r}\n\n"
        + textwrap.dedent(body).lstrip("\n")
    )
    return path


def revision_source(revision: Path) -> str:
    """The text of a revision with black's reformatting undone where the tests look: quotes made
    single, and line breaks after an opening parenthesis removed."""
    return re.sub(r"\(\s+", "(", revision.read_text().replace('"', "'"))
