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


def _history_step(number: int) -> tuple[str, str]:
    """The ``upgrade()`` and ``downgrade()`` bodies of step ``number`` of a long history: every
    third step creates a table (referring to the one before), the next adds a column to it, the
    next indexes that column; step 6 also inserts a row (a data step)."""
    table = f"item_{number - (number - 1) % 3:02d}"
    if number % 3 == 1:
        columns = ["sa.Column('id', sa.Integer, primary_key=True)"]
        columns.append("sa.Column('label', sa.String(20), nullable=False)")
        if number > 3:
            parent = f"item_{number - 3:02d}"
            columns.append(f"sa.Column('parent_id', sa.Integer, sa.ForeignKey('{parent}.id'))")
        return f"op.create_table({table!r}, {', '.join(columns)})", f"op.drop_table({table!r})"
    if number % 3 == 2:
        return (
            f"op.add_column({table!r}, sa.Column('note', sa.String(30), server_default='none'))",
            f"op.drop_column({table!r}, 'note')",
        )
    upgrade = f"op.create_index('ix_{table}_note', {table!r}, ['note'])"
    if number == 6:
        upgrade += "\nop.execute(\"INSERT INTO item_01 (id, label) VALUES (1, 'first')\")"
    return upgrade, f"op.drop_index('ix_{table}_note', table_name={table!r})"


def write_history(project: AlembicProject, count: int) -> list[str]:
    """Write ``count`` revisions ``h01`` ... into the versions directory, one after the other, as
    a team writes them over months; return their ids."""
    ids = [f"h{number:02d}" for number in range(1, count + 1)]
    for number, identifier in enumerate(ids, start=1):
        upgrade, downgrade = _history_step(number)
        parent = repr(ids[number - 2]) if number > 1 else "None"
        (project.versions / f"{identifier}_step_{number}.py").write_text(
            f'"""step {number}\n\nRevision ID: {identifier}\nRevises: {parent}\n"""\n\n'
            f"{IMPORTS}\n"
            f"revision = {identifier!r}\ndown_revision = {parent}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade() -> None:\n{textwrap.indent(upgrade, '    ')}\n\n\n"
            f"def downgrade() -> None:\n{textwrap.indent(downgrade, '    ')}\n"
        )
    return ids
