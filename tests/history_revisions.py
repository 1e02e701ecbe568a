"""Revisions written by hand, the way a developer writes a data or DDL step: ``alembic revision``
followed by an edit of its ``upgrade()`` and ``downgrade()``."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.projects import AlembicProject

IMPORTS = "import sqlalchemy as sa\nfrom alembic import op\n"
_REVISION = re.compile(r"^revision(?:: str)? = ['\"](\w+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision[^=]*= (.*)$", re.MULTILINE)


def write_revision(
    project: AlembicProject, message: str, upgrade: str, downgrade: str, *args: str
) -> Path:
    """Run ``alembic revision -m MESSAGE ARGS`` and give the new file these function bodies."""
    before = set(project.revision_files())
    project.alembic("revision", "-m", message, *args)
    (path,) = set(project.revision_files()) - before
    source = path.read_text()
    header = source[: source.index("def upgrade()")]
    header = header.replace("\n# revision identifiers", f"\n{IMPORTS}\n# revision identifiers", 1)
    path.write_text(
        f"{header}def upgrade() -> None:\n{textwrap.indent(textwrap.dedent(upgrade), '    ')}\n\n"
        f"def downgrade() -> None:\n{textwrap.indent(textwrap.dedent(downgrade), '    ')}\n"
    )
    return path


def create_table_revision(project: AlembicProject, table: str, *args: str) -> Path:
    """A revision creating ``table`` (``id`` and ``name``) and dropping it on the way down."""
    return write_revision(
        project,
        f"create {table}",
        f"op.create_table({table!r}, sa.Column('id', sa.Integer, primary_key=True),"
        " sa.Column('name', sa.String(40)))",
        f"op.drop_table({table!r})",
        *args,
    )


def revision_id(path: Path) -> str:
    """The ``revision`` of the file at ``path``."""
    match = _REVISION.search(path.read_text())
    assert match is not None, path
    return match.group(1)


def down_revision(path: Path) -> str:
    """The ``down_revision`` of the file at ``path``, as written."""
    match = _DOWN_REVISION.search(path.read_text())
    assert match is not None, path
    return match.group(1)


def heads_listed(project: AlembicProject) -> list[str]:
    """The ids ``HEADS`` lists."""
    lines = (project.versions / "HEADS").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]
