"""``lback-migrations squash --to REV``: one revision equal to the history from the base to REV.

How the squash is built:

1. the history runs from the base to ``REV`` on a shadow database (the project's own
   ``env.py``, through ``alembic upgrade REV`` with ``lback.url_env`` pointing at the shadow);
2. its schema is reflected, and autogenerate compares it with a second, empty shadow database:
   the operations it finds create the schema at ``REV`` from nothing, tables in dependency
   order;
3. the ``op.execute(...)`` statements of the squashed revisions' ``upgrade()`` (data steps:
   reflection cannot see them) are copied after those operations, in history order, under a
   comment asking for review, and listed by the command;
4. the revision is written through the project's ``script.py.mako`` and post-write hooks, with
   ``REV``'s id, no ``down_revision`` and ``replaces`` naming the other squashed revisions; the
   squashed files move to ``replaced/`` beside ``env.py``.

A database at ``REV`` or past it needs nothing; one inside the range is brought to ``REV`` at its
next ``upgrade`` (see :mod:`lback_migrations.history.replaced`).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import LbackError
from .checksums import checksum_table_name
from .replaced import replaced_directory
from .revision_files import assignment
from .rewriting import format_like_the_hook, renamed_path, rewritten_source
from .shadow import on_connection, shadow_database

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.migration import MigrationContext
    from alembic.script import Script
    from sqlalchemy.engine import URL

    from ..settings import Settings

_REVIEW_HEADER = (
    "    # Data steps of the squashed revisions, copied by lback-migrations squash: review each\n"
    "    # against the schema created above before this revision runs anywhere.\n"
)


class SquashError(LbackError):
    """``squash`` cannot write the revision; nothing was written.

    :param revision: the ``--to`` revision.
    :param problem: what is wrong, with the fix.
    """

    def __init__(self, revision: str, problem: str) -> None:
        self.revision = revision
        self.problem = problem
        super().__init__(f"squash --to {revision}: {problem}")


@dataclass(frozen=True)
class DataStep:
    """An ``op.execute(...)`` statement of a squashed revision's ``upgrade()``.

    :param revision: the revision it comes from.
    :param path: that revision's file.
    :param line: its line there.
    :param source: its source.
    :param copied: whether it was copied into the squash (a statement directly in
        ``upgrade()``), or only listed (inside a condition or loop: copy it by hand).
    """

    revision: str
    path: str
    line: int
    source: str
    copied: bool


@dataclass(frozen=True)
class SquashResult:
    """What ``squash`` wrote.

    :param revision: the squash's id (the ``--to`` revision's).
    :param path: its file.
    :param replaces: the other revisions it stands for, base first.
    :param moved: where the squashed files went.
    :param data_steps: the data steps found, in history order.
    """

    revision: str
    path: Path
    replaces: tuple[str, ...]
    moved: tuple[Path, ...]
    data_steps: tuple[DataStep, ...]


def _is_execute(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "op"
    )


def data_steps(revision: str, path: Path) -> list[DataStep]:
    """The ``op.execute`` statements of the ``upgrade()`` in the revision file at ``path``."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    upgrade = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return []
    top_level = {
        id(statement.value)
        for statement in upgrade.body
        if isinstance(statement, ast.Expr) and _is_execute(statement.value)
    }
    steps = []
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Call) and _is_execute(node):
            text = ast.get_source_segment(source, node) or ""
            steps.append(DataStep(revision, str(path), node.lineno, text, id(node) in top_level))
    return sorted(steps, key=lambda step: step.line)


def _upgrade_shadow(config: Config, settings: Settings, url: URL, revision: str) -> None:
    from ..runners.redaction import Redactor

    argv = [sys.executable, "-m", "alembic"]
    if config.config_file_name:
        argv += ["-c", config.config_file_name]
    argv += ["-n", config.config_ini_section, "upgrade", revision]
    environment = dict(os.environ)
    environment[settings.url_env] = url.render_as_string(hide_password=False)
    done = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        mask = Redactor([url.password] if url.password else []).text
        lines = (done.stdout + done.stderr).strip().splitlines() or [f"exit {done.returncode}"]
        raise SquashError(
            revision, f"the history does not run on a shadow database: {mask(lines[-1])}"
        )


def _reflect(settings: Settings) -> Callable[[sa.Connection], sa.MetaData]:
    def reflect(connection: sa.Connection) -> sa.MetaData:
        from alembic.runtime.migration import MigrationContext

        impl = MigrationContext.configure(connection).impl
        metadata = sa.MetaData()
        # Alembic's own normalisation of reflected columns (a PostgreSQL SERIAL's
        # nextval() default is the column's autoincrement, not a default to copy)
        sa.event.listen(metadata, "column_reflect", impl.autogen_column_reflect)
        skipped = {settings.version_table, checksum_table_name(settings.version_table)}
        inspector = sa.inspect(connection)
        for schema in (None, *settings.schemas):
            names = [
                name for name in inspector.get_table_names(schema=schema) if name not in skipped
            ]
            metadata.reflect(connection, schema=schema, only=names)
        return metadata

    return reflect


def _autogenerate(
    metadata: sa.MetaData, settings: Settings
) -> Callable[[sa.Connection], MigrationScript]:
    def compare(connection: sa.Connection) -> MigrationScript:
        from alembic.autogenerate import produce_migrations
        from alembic.runtime.migration import MigrationContext

        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": bool(settings.schemas),
                "version_table": settings.version_table,
                "version_table_schema": settings.version_table_schema,
            },
        )
        return produce_migrations(context, metadata)

    return compare


def _schema_at(config: Config, settings: Settings, url: URL, revision: str) -> MigrationScript:
    with shadow_database(url) as history, shadow_database(url) as empty:
        _upgrade_shadow(config, settings, history, revision)
        metadata: sa.MetaData = on_connection(history, _reflect(settings))
        script: MigrationScript = on_connection(empty, _autogenerate(metadata, settings))
        return script


def _generate(config: Config, produced: MigrationScript, message: str) -> tuple[Path, str]:
    """Write a new root revision holding ``produced``'s operations, through the project's
    template and post-write hooks; return its file and id."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    writer = AlembicConfig(
        config.config_file_name,
        ini_section=config.config_ini_section,
        toml_file=config.toml_file_name,
    )
    # the operations reach the revision through process_revision_directives, which Alembic
    # calls only when env.py runs
    writer.set_section_option(config.config_ini_section, "revision_environment", "true")

    def fill(context: MigrationContext, revision: Any, directives: list[MigrationScript]) -> None:
        directives[0].upgrade_ops = produced.upgrade_ops_list
        directives[0].downgrade_ops = produced.downgrade_ops_list

    versions = Path(ScriptDirectory.from_config(config).versions)
    before = set(versions.glob("*.py"))
    try:
        written = command.revision(
            writer, message=message, head="base", splice=True, process_revision_directives=fill
        )
    except BaseException:
        # a failing post-write hook leaves the file Alembic wrote: take it away again
        for path in set(versions.glob("*.py")) - before:
            path.unlink()
        raise
    script = written[0] if isinstance(written, list) else written
    assert script is not None
    return Path(script.path), script.revision


def _with_replaces_and_steps(
    source: str, revision: str, replaces: tuple[str, ...], steps: list[DataStep]
) -> str:
    source = rewritten_source(source, revision, ())
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    upgrade = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
    )
    copied = [step for step in steps if step.copied]
    if copied:
        block = [_REVIEW_HEADER]
        for step in copied:
            block.append(f"    # from {step.revision} ({Path(step.path).name}, line {step.line})\n")
            block.append(f"    {step.source}\n")
        lines[upgrade.end_lineno or len(lines) : upgrade.end_lineno or len(lines)] = block
    anchor = assignment(tree, "depends_on") or assignment(tree, "down_revision")
    assert anchor is not None
    declaration = f"replaces: tuple[str, ...] = {replaces!r}\n"
    lines.insert(anchor.end_lineno or 0, declaration)
    return "".join(lines)


def squash(config: Config, to: str, *, format_hook: str) -> SquashResult:
    """Write the squash of the history from the base to ``to`` (see the module docstring).

    :param format_hook: the formatting hook's type: the squash is formatted as the configured
        hook of that type would.
    :raises SquashError: when ``to`` is unknown, another branch leaves the range before ``to``,
        or the history does not run on a shadow database; nothing is written then.
    """
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy.engine import make_url

    from ..atomic_write import write_atomically
    from ..database_url import config_urls
    from ..settings import load_settings
    from .heads_file import heads_file_path, write_heads

    settings = load_settings(config)
    script = ScriptDirectory.from_config(config)
    try:
        target = script.get_revision(to)
    except CommandError as error:
        raise SquashError(to, f"{error}; name a revision of this history") from error
    if target is None:
        raise SquashError(to, "name a revision, not the base")
    squashed: list[Script] = list(reversed(list(script.iterate_revisions(target.revision, "base"))))
    ids = [revision.revision for revision in squashed]
    _refuse_branches_leaving(script, ids, target.revision)
    earlier = tuple(
        replaced
        for revision in squashed
        for replaced in getattr(revision.module, "replaces", ()) or ()
    )
    replaces = (*earlier, *(identifier for identifier in ids if identifier != target.revision))
    steps = [
        step for revision in squashed for step in data_steps(revision.revision, Path(revision.path))
    ]
    url = make_url(config_urls(config).require())
    produced = _schema_at(config, settings, url, target.revision)
    message = f"squash of the history up to {target.revision}"
    temporary, temporary_id = _generate(config, produced, message)
    final = renamed_path(temporary, temporary_id, target.revision)
    moved: list[Path] = []
    directory = replaced_directory(script)
    try:
        source = _with_replaces_and_steps(
            temporary.read_text(encoding="utf-8"), target.revision, replaces, steps
        )
        directory.mkdir(exist_ok=True)
        for revision in squashed:
            destination = directory / Path(revision.path).name
            os.replace(revision.path, destination)
            moved.append(destination)
        write_atomically(final, source.encode("utf-8"))
        if final != temporary:
            temporary.unlink()
    except BaseException:
        temporary.unlink(missing_ok=True)
        for revision, destination in zip(squashed, moved, strict=False):
            os.replace(destination, revision.path)
        raise
    format_like_the_hook(config, [final], format_hook)
    if settings.heads_file:
        fresh = ScriptDirectory.from_config(config)
        write_heads(heads_file_path(fresh), fresh.get_heads())
    return SquashResult(target.revision, final, replaces, tuple(moved), tuple(steps))


def _refuse_branches_leaving(script: Any, ids: list[str], last: str) -> None:
    from alembic.util import to_tuple

    inside = set(ids) - {last}
    for revision in script.walk_revisions():
        if revision.revision in ids:
            continue
        parents = set(to_tuple(revision.down_revision, default=())) & inside
        if parents:
            raise SquashError(
                last,
                f"{revision.revision} follows {', '.join(sorted(parents))}, inside the squashed "
                "range: squash up to a revision every branch has passed",
            )


def add_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``squash``."""
    parser.add_argument(
        "--to",
        metavar="REV",
        required=True,
        help="the last revision to squash (with every revision before it)",
    )


def squash_command(config: Config, *, hook_type: str) -> int:
    """``lback-migrations squash --to REV``.

    :param hook_type: the formatting hook's type (see :func:`squash`).
    """
    result = squash(config, config.cmd_opts.to, format_hook=hook_type)  # type: ignore[union-attr]
    sys.stdout.write(
        f"{result.revision}: squash of {len(result.replaces) + 1} revisions written to "
        f"{result.path}\n"
        f"the squashed files moved to {result.moved[0].parent}: delete them once no "
        "database is at one of them\n"
    )
    if result.data_steps:
        sys.stdout.write("data steps to review:\n")
        for step in result.data_steps:
            where = "copied" if step.copied else "NOT copied (inside a block): copy it by hand"
            first_line = step.source.splitlines()[0] if step.source else ""
            sys.stdout.write(
                f"  {step.revision} {Path(step.path).name}:{step.line}: {first_line} ({where})\n"
            )
    return 0
