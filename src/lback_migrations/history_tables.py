"""The tables a project's own migration history created and has not dropped.

With ``lback.only_metadata_tables`` (the default), autogenerate compares only the tables the
models define, so a database shared with other applications is neither reflected nor
proposed for dropping. But a table the project's own revisions created, and that the models
no longer define, is the project's drift, not another application's table: it must be
reported. The history knows those tables. This module reads every revision file with
:mod:`ast` (no revision is imported or run), orders the revisions from base to heads by their
``revision`` / ``down_revision`` assignments, and replays the ``op.create_table``,
``op.drop_table`` and ``op.rename_table`` calls of each ``upgrade()`` in source order.

Tables created by raw SQL (``op.execute("CREATE TABLE ...")``) or by code the file calls are
not seen; list those in the models or in ``lback.include_tables``.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

_TABLE_OPERATIONS = frozenset({"create_table", "drop_table", "rename_table"})


@dataclass(frozen=True)
class _Revision:
    revision: str
    down_revisions: tuple[str, ...]
    operations: tuple[tuple[str, tuple[str, ...]], ...]
    """``(operation, table keys)`` in source order: ``("rename_table", (old, new))``."""


def _literal(node: ast.expr | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            continue
        if name in targets:
            return _literal(node.value)
    return None


def _keyword(call: ast.Call, name: str) -> object:
    return next((_literal(item.value) for item in call.keywords if item.arg == name), None)


def _table_key(name: object, schema: object) -> str | None:
    if not isinstance(name, str):
        return None
    return f"{schema}.{name}" if isinstance(schema, str) and schema else name


def _operation(call: ast.Call) -> tuple[str, tuple[str, ...]] | None:
    function = call.func
    if not isinstance(function, ast.Attribute) or function.attr not in _TABLE_OPERATIONS:
        return None
    arguments = [_literal(argument) for argument in call.args]
    schema = _keyword(call, "schema")
    keys: tuple[str | None, ...]
    if function.attr == "rename_table":
        old = arguments[0] if arguments else _keyword(call, "old_table_name")
        new = arguments[1] if len(arguments) > 1 else _keyword(call, "new_table_name")
        keys = (_table_key(old, schema), _table_key(new, schema))
    else:
        name = arguments[0] if arguments else _keyword(call, "table_name")
        keys = (_table_key(name, schema),)
    if any(key is None for key in keys):
        return None
    return (function.attr, tuple(key for key in keys if key is not None))


def _upgrade_operations(tree: ast.Module) -> tuple[tuple[str, tuple[str, ...]], ...]:
    upgrade = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return ()
    calls = sorted(
        (node for node in ast.walk(upgrade) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    return tuple(operation for call in calls if (operation := _operation(call)) is not None)


def read_revision(path: Path) -> _Revision | None:
    """The revision id, parents and table operations of one revision file (``None`` when the
    file cannot be parsed or names no revision)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    revision = _assigned(tree, "revision")
    if not isinstance(revision, str):
        return None
    down = _assigned(tree, "down_revision")
    parents = (
        (down,) if isinstance(down, str) else tuple(down) if isinstance(down, (tuple, list)) else ()
    )
    return _Revision(revision, tuple(str(parent) for parent in parents), _upgrade_operations(tree))


def _base_to_heads(revisions: Iterable[_Revision]) -> list[_Revision]:
    by_id = {revision.revision: revision for revision in revisions}
    ordered: list[_Revision] = []
    placed: set[str] = set()
    pending = sorted(by_id)
    while pending:
        ready = [
            identifier
            for identifier in pending
            if all(
                parent in placed or parent not in by_id
                for parent in by_id[identifier].down_revisions
            )
        ]
        if not ready:  # a cycle: keep file order for the rest rather than lose tables
            ready = pending
        for identifier in ready:
            ordered.append(by_id[identifier])
            placed.add(identifier)
        pending = [identifier for identifier in pending if identifier not in placed]
    return ordered


def history_tables(revision_files: Iterable[Path]) -> frozenset[str]:
    """The table keys (``schema.table`` or ``table``) the revisions leave in place at the head.

    :param revision_files: the revision files of the history.
    :returns: the tables created and not dropped (a renamed table under its new name).
    """
    revisions = [revision for path in revision_files if (revision := read_revision(path))]
    tables: set[str] = set()
    for revision in _base_to_heads(revisions):
        for operation, keys in revision.operations:
            if operation == "create_table":
                tables.add(keys[0])
            elif operation == "drop_table":
                tables.discard(keys[0])
            else:
                tables.discard(keys[0])
                tables.add(keys[1])
    return frozenset(tables)


def revision_files(config: Config) -> list[Path]:
    """The revision files of the Alembic environment ``config`` describes (none when it has
    no ``script_location``)."""
    if not config.get_main_option("script_location"):
        return []
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    locations = [Path(location) for location in script.version_locations] or [
        Path(script.dir) / "versions"
    ]
    pattern = "**/*.py" if script.recursive_version_locations else "*.py"
    return sorted(path for location in locations for path in location.glob(pattern))


class HistoryTables(Collection[str]):
    """The tables :func:`history_tables` finds in an environment's revision files, read the
    first time a filter asks about one: only autogenerate's filters ask, so ``upgrade`` and
    ``downgrade`` never parse the history.

    :param config: the Alembic configuration whose revision files are read.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._tables: frozenset[str] | None = None

    def _read(self) -> frozenset[str]:
        if self._tables is None:
            self._tables = history_tables(revision_files(self._config))
        return self._tables

    def __contains__(self, key: object) -> bool:
        return key in self._read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())
