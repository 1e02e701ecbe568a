"""Databases left inside a squashed range: how their version table is mapped onto the squash.

A squash revision takes the id of the last revision it replaces (``squash --to REV`` writes a
revision whose id is ``REV``) and lists the others in ``replaces``, base first; the replaced
files move to ``replaced/`` beside ``env.py``. So:

- a new database runs the squash;
- a database at ``REV`` or past it is already where the squash leaves it: its version table
  names ``REV`` or a later revision, and nothing is mapped;
- a database at a replaced revision before ``REV`` is brought to ``REV`` when ``upgrade``
  starts: the ``upgrade()`` of each replaced revision it lacks runs from ``replaced/``, in
  history order, and its version row is then set to ``REV``, in one transaction (where the
  backend has transactional DDL). Alembic then goes on from ``REV`` as usual.

The files in ``replaced/`` can be deleted once no database is left inside the range; a
database still there then fails with a message naming the missing file.
"""

from __future__ import annotations

import importlib.util
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..errors import LbackError
from .revision_files import RevisionFile, read_revision_files

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

REPLACED_DIRECTORY = "replaced"


class ReplacedRevisionError(LbackError):
    """A database inside a squashed range cannot be brought to the squash.

    :param revision: the replaced revision the database is at.
    :param problem: what is missing, with the fix.
    """

    def __init__(self, revision: str, problem: str) -> None:
        self.revision = revision
        self.problem = problem
        super().__init__(f"database at replaced revision {revision}: {problem}")


@dataclass(frozen=True)
class MappedRevision:
    """One version row moved onto a squash.

    :param revision: the replaced revision the database was at.
    :param squash: the squash revision it is at now.
    :param ran: the replaced revisions whose ``upgrade()`` ran, in order.
    """

    revision: str
    squash: str
    ran: tuple[str, ...]


def replaced_directory(script: ScriptDirectory) -> Path:
    """Where ``squash`` keeps the files of replaced revisions."""
    return Path(script.dir) / REPLACED_DIRECTORY


def squashes(script: ScriptDirectory) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Replaced revision id to (squash id, the squash's ``replaces``)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for revision in script.walk_revisions():
        replaces = tuple(getattr(getattr(revision, "module", None), "replaces", ()) or ())
        for replaced in replaces:
            found[replaced] = (revision.revision, replaces)
    return found


def _ancestors(files: dict[str, RevisionFile], revision: str) -> set[str]:
    seen: set[str] = set()
    pending = [revision]
    while pending:
        current = pending.pop()
        if current in seen or current not in files:
            continue
        seen.add(current)
        pending.extend(files[current].down_revisions)
    return seen


def _run_upgrade(file: RevisionFile) -> None:
    spec = importlib.util.spec_from_file_location(f"lback_replaced_{file.revision}", file.path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade()


def map_replaced_revisions(context: MigrationContext) -> tuple[MappedRevision, ...]:
    """Bring the database of ``context`` from a replaced revision to its squash (see the module
    docstring), in a transaction of its own.

    :returns: what was mapped; nothing when the database is at no replaced revision.
    :raises ReplacedRevisionError: when a replaced file it needs is gone from ``replaced/``.
    """
    script, connection = context.script, context.connection
    replacing = squashes(script) if script is not None else {}
    if script is None or connection is None or not replacing:
        return ()
    from alembic.operations import Operations

    mapped = []
    table = sa.table(
        context.version_table, sa.column("version_num"), schema=context.version_table_schema
    )
    scope = nullcontext() if connection.in_transaction() else connection.begin()
    with scope:
        for head in context.get_current_heads():
            if head not in replacing:
                continue
            squash, replaces = replacing[head]
            directory = replaced_directory(script)
            files = {
                file.revision: file for file in read_revision_files(sorted(directory.glob("*.py")))
            }
            done = _ancestors(files, head)
            # the squash's own id is the last replaced revision, whose old file is kept too
            missing = [revision for revision in (*replaces, squash) if revision not in done]
            for revision in missing:
                if revision not in files:
                    raise ReplacedRevisionError(
                        head,
                        f"{revision}, replaced by {squash}, is not in {directory}: upgrade "
                        "this database with a release that still has it",
                    )
            with Operations.context(context):
                for revision in missing:
                    _run_upgrade(files[revision])
            connection.execute(
                table.update().where(table.c.version_num == head).values(version_num=squash)
            )
            mapped.append(MappedRevision(head, squash, tuple(missing)))
    return tuple(mapped)
