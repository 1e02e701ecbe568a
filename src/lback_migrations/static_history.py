"""The revision history read from the files' syntax, without importing any of them.

Alembic learns a revision's ``revision`` and ``down_revision`` by importing its file, which
runs whatever the file's module level holds: on an untrusted pull request, that is the
attacker's code. :func:`read_history` parses each file with :mod:`ast` instead and reads the
two assignments as literals, which is all ``ci --static`` needs for the heads and the shape of
the history.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StaticRevision:
    """One revision file as its syntax says.

    :param path: the file.
    :param revision: its ``revision`` literal.
    :param down_revisions: its ``down_revision`` literal(s); empty for a first revision.
    """

    path: Path
    revision: str
    down_revisions: tuple[str, ...]


@dataclass(frozen=True)
class StaticHistory:
    """The revisions read, and what could not be read.

    :param revisions: every revision whose ids are literals.
    :param problems: one line per file or id that keeps the history from being read.
    """

    revisions: tuple[StaticRevision, ...]
    problems: tuple[str, ...]

    @property
    def heads(self) -> list[str]:
        """The revisions no other revision names as its ``down_revision``, in file order."""
        named = {down for item in self.revisions for down in item.down_revisions}
        return [item.revision for item in self.revisions if item.revision not in named]


_NOT_LITERAL = object()


def read_history(paths: Iterable[Path]) -> StaticHistory:
    """Read ``revision`` and ``down_revision`` from each file of ``paths`` without running it.

    A file with no ``revision`` assignment is not a revision (a helper module) and is skipped.
    """
    revisions: list[StaticRevision] = []
    problems: list[str] = []
    for path in paths:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, RecursionError, OSError) as error:
            problems.append(f"{path}: cannot be read as Python ({type(error).__name__})")
            continue
        values = _module_assignments(tree, ("revision", "down_revision"))
        if "revision" not in values:
            continue
        revision, down = values["revision"], values.get("down_revision")
        if not isinstance(revision, str) or not revision:
            problems.append(f"{path}: revision is not a string literal")
            continue
        downs = _ids(down)
        if downs is None:
            problems.append(f"{path}: down_revision is not a literal (a string, tuple or None)")
            continue
        revisions.append(StaticRevision(path, revision, downs))
    problems += _shape_problems(revisions)
    return StaticHistory(tuple(revisions), tuple(problems))


def _module_assignments(tree: ast.Module, names: tuple[str, ...]) -> dict[str, object]:
    found: dict[str, object] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in names:
                try:
                    found[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, RecursionError):
                    found[target.id] = _NOT_LITERAL
    return found


def _ids(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _shape_problems(revisions: list[StaticRevision]) -> list[str]:
    problems: list[str] = []
    first: dict[str, Path] = {}
    for item in revisions:
        if item.revision in first:
            problems.append(
                f"{item.path}: revision {item.revision!r} is also the id of {first[item.revision]}"
            )
        first.setdefault(item.revision, item.path)
    for item in revisions:
        for down in item.down_revisions:
            if down not in first:
                problems.append(f"{item.path}: down_revision {down!r} names no revision file")
    if revisions and not any(not item.down_revisions for item in revisions):
        problems.append("no revision has down_revision = None: the history has no base")
    return problems
