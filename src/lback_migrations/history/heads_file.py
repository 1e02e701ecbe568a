"""The ``HEADS`` file: the history's head revisions, tracked by git beside the revisions.

With ``lback.heads_file = true`` every new revision rewrites ``HEADS`` in the versions directory.
Two branches that each add a revision then change the same line of one file, so git reports a
conflict when they are merged, long before a deploy stops on "Multiple head revisions".
``lback-migrations rebase`` resolves it; ``lback-migrations ci`` fails when the file and the
real heads disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..directives import writes_revision

if TYPE_CHECKING:
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.script.revision import _GetRevArg

HEADS_FILE_NAME = "HEADS"

_HEADER = """\
# The head revisions of this history, one a line, rewritten with every new revision
# (lback.heads_file). Two branches that each add a revision conflict here when merged:
# run `lback-migrations rebase REV` to put one branch's revisions after the other's.
"""
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


@dataclass(frozen=True)
class HeadsFile:
    """What ``HEADS`` says, compared with the history.

    :param path: the file.
    :param listed: the ids it lists (empty when it is missing).
    :param actual: the history's real heads.
    :param exists: whether the file exists.
    :param conflicted: whether it still holds git conflict markers.
    """

    path: Path
    listed: tuple[str, ...]
    actual: tuple[str, ...]
    exists: bool
    conflicted: bool

    @property
    def agrees(self) -> bool:
        """Whether the file exists, is free of conflicts and lists exactly the real heads."""
        return self.exists and not self.conflicted and set(self.listed) == set(self.actual)


def heads_file_path(script: ScriptDirectory) -> Path:
    """``HEADS`` in the versions directory (the first version location when there are
    several)."""
    locations = script.version_locations or [str(Path(script.dir) / "versions")]
    return Path(locations[0]) / HEADS_FILE_NAME


def render_heads(heads: set[str] | tuple[str, ...] | list[str]) -> str:
    """The content of ``HEADS`` for ``heads``, sorted."""
    return _HEADER + "".join(f"{head}\n" for head in sorted(heads))


def write_heads(path: Path, heads: set[str] | tuple[str, ...] | list[str]) -> None:
    """Write ``HEADS`` at ``path`` atomically."""
    from ..atomic_write import write_atomically

    write_atomically(path, render_heads(heads).encode())


def read_heads_file(script: ScriptDirectory) -> HeadsFile:
    """Read ``HEADS`` of ``script`` and the real heads of its history."""
    path = heads_file_path(script)
    actual = tuple(sorted(script.get_heads()))
    if not path.exists():
        return HeadsFile(path, (), actual, exists=False, conflicted=False)
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    conflicted = any(line.startswith(_CONFLICT_MARKERS) for line in lines)
    listed = tuple(
        line
        for line in lines
        if line and not line.startswith("#") and not line.startswith(_CONFLICT_MARKERS)
    )
    return HeadsFile(path, listed, actual, exists=True, conflicted=conflicted)


def _parents(script: ScriptDirectory, head: str | None) -> set[str]:
    from alembic.util import CommandError

    try:
        return {parent.revision for parent in script.get_revisions(head or "head") if parent}
    except CommandError:
        return set()


def write_heads_file(
    context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
) -> None:
    """A ``process_revision_directives`` step: rewrite ``HEADS`` for the revisions about to be
    written. It runs last, once the ids are final, and does nothing for ``check``."""
    script = context.script
    if script is None or not writes_revision(context):
        return
    heads = set(script.get_heads())
    for directive in directives:
        heads -= _parents(script, directive.head)
        if directive.rev_id is not None:
            heads.add(directive.rev_id)
    write_heads(heads_file_path(script), heads)
