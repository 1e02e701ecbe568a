"""Checksums of applied revisions: a revision edited after it ran somewhere is noticed.

Every upgrade step records the checksum of its revision file in a table beside the version
table (``<version_table>_checksums``, same schema), in the step's own transaction; a downgrade
step removes it. Offline (``--sql``) runs write the same rows into the script.

A checksum is the sha256 of the file's syntax tree with docstrings and comments left out, so
reformatting, requoting, rewrapping or re-commenting a revision changes nothing, while any change
to what it does (an operation, an argument, ``down_revision``) does.

``lback-migrations ci`` compares the recorded checksums with the files and names every applied
revision edited since; ``lback-migrations checksums --accept REV`` records an intended edit.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import LbackError
from .environment_run import run_in_environment

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config
    from alembic.runtime.environment import (
        IncludeNameFn,
        NameFilterParentNames,
        NameFilterType,
        OnVersionApplyFn,
    )
    from alembic.runtime.migration import MigrationContext, MigrationInfo

CHECKSUM_TABLE_SUFFIX = "_checksums"


def checksum_table_name(version_table: str) -> str:
    """The name of the checksum table beside ``version_table``."""
    return version_table + CHECKSUM_TABLE_SUFFIX


def checksum_table(version_table: str, schema: str | None) -> sa.Table:
    """The checksum table beside ``version_table`` in ``schema``."""
    return sa.Table(
        checksum_table_name(version_table),
        sa.MetaData(),
        sa.Column("revision", sa.String(32), primary_key=True),
        sa.Column("checksum", sa.String(64), nullable=False),
        schema=schema,
    )


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            del body[0]
    return tree


def source_checksum(source: str) -> str:
    """The checksum of a revision's source: sha256 of its syntax tree without docstrings.

    :raises SyntaxError: when ``source`` does not parse.
    """
    tree = _without_docstrings(ast.parse(source))
    normalised = ast.dump(tree, annotate_fields=False, include_attributes=False)
    return hashlib.sha256(normalised.encode()).hexdigest()


def file_checksum(path: str | Path) -> str:
    """The checksum of the revision file at ``path``."""
    return source_checksum(Path(path).read_text(encoding="utf-8"))


def _record(ctx: MigrationContext, table: sa.Table, revision: str, path: str | None) -> None:
    ctx.execute(table.delete().where(table.c.revision == revision))
    if path is not None:
        ctx.execute(table.insert().values(revision=revision, checksum=file_checksum(path)))


def checksum_recorder(version_table: str, schema: str | None) -> OnVersionApplyFn:
    """An ``on_version_apply`` callback recording (upgrade) or forgetting (downgrade) the
    checksum of each step's revision. Stamps run nothing and record nothing.

    The table is created by the first step of a run when it is missing; offline, by the first
    step of a script that starts from the base, as Alembic does with its version table.
    """
    table = checksum_table(version_table, schema)
    ready = False

    def on_version_apply(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        nonlocal ready
        if step.is_stamp or step.up_revision_id is None:
            return
        if not ready:
            if ctx.as_sql:
                if not step.source_revision_ids:
                    ctx.execute(sa.schema.CreateTable(table))
            elif ctx.connection is not None:
                table.create(ctx.connection, checkfirst=True)
            ready = True
        script = step.up_revision
        path = getattr(script, "path", None) if step.is_upgrade else None
        _record(ctx, table, step.up_revision_id, path)

    return on_version_apply


def excluding_checksum_table(include_name: IncludeNameFn, version_table: str) -> IncludeNameFn:
    """``include_name`` that also leaves the checksum table alone, as Alembic leaves its
    version table."""
    name_to_skip = checksum_table_name(version_table)

    def include(
        name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
    ) -> bool:
        if type_ == "table" and name == name_to_skip:
            return False
        return include_name(name, type_, parent_names)

    return include


# -- comparing and accepting: lback-migrations ci, lback-migrations checksums --accept -----------


@dataclass(frozen=True)
class EditedRevision:
    """An applied revision whose file changed since it was applied.

    :param revision: its id.
    :param path: its file.
    :param recorded: the checksum recorded when it was applied.
    :param current: the checksum of the file now.
    """

    revision: str
    path: str
    recorded: str
    current: str


class ChecksumError(LbackError):
    """``checksums --accept`` cannot record the revision.

    :param revision: the revision asked for.
    :param problem: what is wrong, with the fix.
    """

    def __init__(self, revision: str, problem: str) -> None:
        self.revision = revision
        self.problem = problem
        super().__init__(f"checksums --accept {revision}: {problem}")


def _context_table(context: MigrationContext) -> sa.Table:
    return checksum_table(context.version_table, context.version_table_schema)


def _recorded(context: MigrationContext) -> dict[str, str]:
    assert context.connection is not None
    table = _context_table(context)
    if not sa.inspect(context.connection).has_table(table.name, schema=table.schema):
        return {}
    rows = context.connection.execute(sa.select(table.c.revision, table.c.checksum))
    return {revision: checksum for revision, checksum in rows}


def edited_revisions(config: Config) -> list[EditedRevision]:
    """The applied revisions of the configured database whose files changed since they were
    applied. Revisions whose files are gone (replaced by a squash) are not reported."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    known = {revision.revision: revision for revision in script.walk_revisions()}
    recorded: dict[str, str] = {}
    run_in_environment(config, lambda context: recorded.update(_recorded(context)))
    edited = []
    for revision, checksum in sorted(recorded.items()):
        if revision not in known:
            continue
        path = str(known[revision].path)
        current = file_checksum(path)
        if current != checksum and checksum not in _replaced_checksums(script, known[revision]):
            edited.append(EditedRevision(revision, path, checksum, current))
    return edited


def _replaced_checksums(script: Any, revision: Any) -> set[str]:
    """For a squash, the checksum of the file it took its id from: a database that ran that
    file is at the squash (see :mod:`.replaced`)."""
    if not getattr(revision.module, "replaces", None):
        return set()
    from .replaced import replaced_directory
    from .revision_files import read_revision_files

    files = read_revision_files(sorted(replaced_directory(script).glob("*.py")))
    return {file_checksum(file.path) for file in files if file.revision == revision.revision}


def accept_checksum(config: Config, revision: str) -> EditedRevision:
    """Record the current checksum of the applied ``revision``'s file.

    :returns: the revision with its old and new checksums.
    :raises ChecksumError: when the revision is unknown or was not applied to the database.
    """
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(config)
    try:
        found = script.get_revision(revision)
    except CommandError as error:
        raise ChecksumError(revision, f"{error}; name a revision of this history") from error
    if found is None:
        raise ChecksumError(revision, "name a revision, not the base")
    path = str(found.path)
    accepted: list[EditedRevision] = []

    def accept(context: MigrationContext) -> None:
        recorded = _recorded(context)
        if found.revision not in recorded:
            raise ChecksumError(
                revision,
                f"no checksum of {found.revision} is recorded in "
                f"{_context_table(context).name}: it was not applied to this database",
            )
        assert context.connection is not None
        table = _context_table(context)
        current = file_checksum(path)
        # A connection of its own, committed here: env.py's transaction may never be
        # committed when the run applies no step (MySQL, SQLite, transaction_per_migration).
        with context.connection.engine.begin() as writer:
            writer.execute(
                table.update().where(table.c.revision == found.revision).values(checksum=current)
            )
        accepted.append(EditedRevision(found.revision, path, recorded[found.revision], current))

    run_in_environment(config, accept)
    return accepted[0]


def add_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``checksums``."""
    parser.add_argument(
        "--accept",
        metavar="REV",
        required=True,
        help="record the current file of the applied revision REV as intended",
    )


def checksums_command(config: Config) -> int:
    """``lback-migrations checksums --accept REV``."""
    revision: str = config.cmd_opts.accept  # type: ignore[union-attr]
    accepted = accept_checksum(config, revision)
    if accepted.recorded == accepted.current:
        sys.stdout.write(f"{accepted.revision}: the recorded checksum already matches the file\n")
    else:
        sys.stdout.write(
            f"{accepted.revision}: recorded the checksum of {accepted.path} "
            f"({accepted.recorded[:12]} -> {accepted.current[:12]})\n"
        )
    return 0
