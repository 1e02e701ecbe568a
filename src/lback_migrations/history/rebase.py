"""``lback-migrations rebase REV [--onto TARGET]``: put a branch's revisions after the other head.

After two branches that each added a revision are merged, the history has two heads (and, with
``lback.heads_file``, ``HEADS`` has a git conflict). ``rebase REV`` re-parents ``REV`` onto
``TARGET`` (by default the one head that does not descend from ``REV``): it rewrites
``down_revision`` and the docstring's ``Revises:`` line, keeps the revisions after ``REV`` on its
branch after it, formats the files like the ``lback_format`` hook and rewrites ``HEADS``.

With ordered ids (``lback.revision_ids`` ``sequential`` or ``timestamp``) the moved revisions
also get new ids after ``TARGET``'s, and their files new names, so that the names still sort in
history order (two branches with sequential ids both wrote ``0005``).

A revision already applied to the configured database is never moved: its database would no
longer match its history. Roll it back first.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LbackError
from .revision_files import RevisionFile, read_revision_files
from .revision_ids import NEXT_ID
from .rewriting import format_like_the_hook, renamed_path, rewritten_source

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config


class RebaseError(LbackError):
    """``rebase`` cannot move the revision; nothing was written.

    :param revision: the revision asked for.
    :param problem: what is wrong, with the fix.
    """

    def __init__(self, revision: str, problem: str) -> None:
        self.revision = revision
        self.problem = problem
        super().__init__(f"rebase {revision}: {problem}")


@dataclass(frozen=True)
class MovedRevision:
    """One revision rewritten by ``rebase``.

    :param old_revision: its id before.
    :param revision: its id after (the same unless ids are ordered).
    :param old_path: its file before.
    :param path: its file after.
    :param down_revisions: its new ``down_revision``.
    """

    old_revision: str
    revision: str
    old_path: Path
    path: Path
    down_revisions: tuple[str, ...]


@dataclass(frozen=True)
class RebaseResult:
    """What ``rebase`` did.

    :param onto: the revision the branch now follows.
    :param moved: the rewritten revisions, parents first.
    :param heads: the heads of the history afterwards.
    """

    onto: str
    moved: tuple[MovedRevision, ...]
    heads: tuple[str, ...]


def _find(files: list[RevisionFile], wanted: str, what: str) -> RevisionFile:
    as_path = Path(wanted).resolve()
    exact = [file for file in files if file.revision == wanted or file.path.resolve() == as_path]
    found = exact or [file for file in files if file.revision.startswith(wanted)]
    if not found:
        raise RebaseError(wanted, f"no revision file has the {what} {wanted!r}")
    if len(found) > 1:
        names = ", ".join(str(file.path) for file in found)
        raise RebaseError(
            wanted, f"{wanted!r} names several revision files ({names}): name one file"
        )
    return found[0]


def _branch_from(files: list[RevisionFile], start: RevisionFile) -> list[RevisionFile]:
    """``start`` and every revision after it, parents first."""
    branch = [start]
    ids = {start.revision}
    others = [file for file in files if file is not start]
    grew = True
    while grew:
        grew = False
        for file in others:
            if file not in branch and ids & set(file.down_revisions):
                branch.append(file)
                ids.add(file.revision)
                grew = True
    return branch


def _heads(files: list[RevisionFile]) -> list[RevisionFile]:
    parents = {parent for file in files for parent in file.down_revisions}
    return [file for file in files if file.revision not in parents]


def _ancestors(files: list[RevisionFile], heads: tuple[str, ...]) -> set[str]:
    by_id: dict[str, list[RevisionFile]] = {}
    for file in files:
        by_id.setdefault(file.revision, []).append(file)
    seen: set[str] = set()
    pending = list(heads)
    while pending:
        revision = pending.pop()
        if revision in seen:
            continue
        seen.add(revision)
        for file in by_id.get(revision, []):
            pending.extend(file.down_revisions)
    return seen


def _target(
    files: list[RevisionFile], branch: list[RevisionFile], start: str, onto: str | None
) -> RevisionFile:
    if onto is not None:
        target = _find(files, onto, "id or path")
        if target in branch:
            raise RebaseError(
                start, f"{onto} comes after {start}: name a revision of another branch"
            )
        return target
    others = [head for head in _heads(files) if head not in branch]
    if len(others) != 1:
        listed = ", ".join(head.revision for head in others) or "none"
        raise RebaseError(
            start, f"there is not exactly one other head ({listed}): name it with --onto TARGET"
        )
    return others[0]


def _new_ids(mode: str, files: list[RevisionFile], branch: list[RevisionFile]) -> dict[str, str]:
    next_id = NEXT_ID.get(mode)
    if next_id is None:
        return {file.revision: file.revision for file in branch}
    existing = [file.revision for file in files if file not in branch]
    renamed: dict[str, str] = {}
    for file in branch:
        renamed[file.revision] = next_id(existing)
        existing.append(renamed[file.revision])
    return renamed


def rebase(
    config: Config, revision: str, onto: str | None = None, *, format_hook: str
) -> RebaseResult:
    """Re-parent ``revision`` and the revisions after it onto ``onto``.

    :param onto: the revision to follow; default: the one head not descending from
        ``revision``.
    :param format_hook: the formatting hook's type: the moved files are formatted as the
        configured hook of that type would.
    :raises RebaseError: when the revision or the target cannot be found or the revision was
        applied to the configured database; nothing is written then.
    """
    from ..atomic_write import write_atomically
    from ..revision_files import revision_paths
    from ..settings import load_settings
    from .environment_run import applied_heads
    from .heads_file import heads_file_path, write_heads

    settings = load_settings(config)
    files = read_revision_files(revision_paths(config, []))
    start = _find(files, revision, "id or path")
    branch = _branch_from(files, start)
    target = _target(files, branch, revision, onto)
    applied = _ancestors(files, applied_heads(config)) & {file.revision for file in branch}
    if applied:
        raise RebaseError(
            revision,
            f"{', '.join(sorted(applied))} is applied to the configured database: "
            "roll it back first (lback-migrations rollback), then rebase",
        )
    renamed = _new_ids(settings.revision_ids, files, branch)
    moved = []
    contents: list[tuple[MovedRevision, str]] = []
    for file in branch:
        if file is start:
            parents: tuple[str, ...] = (target.revision,)
        else:
            parents = tuple(renamed.get(parent, parent) for parent in file.down_revisions)
        new_id = renamed[file.revision]
        entry = MovedRevision(
            file.revision,
            new_id,
            file.path,
            renamed_path(file.path, file.revision, new_id),
            parents,
        )
        source = file.path.read_text(encoding="utf-8")
        contents.append((entry, rewritten_source(source, new_id, parents)))
        moved.append(entry)
    for entry, text in contents:
        write_atomically(entry.path, text.encode("utf-8"))
        if entry.path != entry.old_path:
            entry.old_path.unlink()
    format_like_the_hook(config, [entry.path for entry in moved], format_hook)
    after = read_revision_files(revision_paths(config, []))
    heads = tuple(sorted(head.revision for head in _heads(after)))
    if settings.heads_file:
        from alembic.script import ScriptDirectory

        write_heads(heads_file_path(ScriptDirectory.from_config(config)), heads)
    return RebaseResult(target.revision, tuple(moved), heads)


def add_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``rebase``."""
    parser.add_argument("revision", metavar="REV", help="the revision to move (an id or a file)")
    parser.add_argument(
        "--onto",
        metavar="TARGET",
        help="the revision REV is to follow (default: the one head REV does not lead to)",
    )


def rebase_command(config: Config, *, hook_type: str) -> int:
    """``lback-migrations rebase REV [--onto TARGET]``.

    :param hook_type: the formatting hook's type (see :func:`rebase`).
    """
    options = config.cmd_opts
    result = rebase(
        config,
        options.revision,  # type: ignore[union-attr]
        options.onto,  # type: ignore[union-attr]
        format_hook=hook_type,
    )
    for entry in result.moved:
        renamed = "" if entry.revision == entry.old_revision else f" (was {entry.old_revision})"
        sys.stdout.write(
            f"{entry.revision}{renamed}: now after {', '.join(entry.down_revisions)} "
            f"({entry.path})\n"
        )
    sys.stdout.write(f"heads: {', '.join(result.heads)}\n")
    return 0
