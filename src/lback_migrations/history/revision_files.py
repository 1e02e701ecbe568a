"""Revision files read as Python source, without importing them.

``rebase`` must work on a history Alembic refuses to load (two files with one id after a merge
of two branches with sequential ids), and must know where in the source each identifier is
written to rewrite it in place; both need the syntax tree, not the imported module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

IDENTIFIERS = ("revision", "down_revision", "replaces")


@dataclass(frozen=True)
class RevisionFile:
    """One revision file.

    :param path: the file.
    :param revision: its ``revision``.
    :param down_revisions: its ``down_revision``, as a tuple (empty for a root).
    :param replaces: its ``replaces`` (the revisions a squash stands for), as a tuple.
    """

    path: Path
    revision: str
    down_revisions: tuple[str, ...]
    replaces: tuple[str, ...] = ()


def assignment(tree: ast.Module, name: str) -> ast.expr | None:
    """The value assigned to the module-level ``name`` (``x = ...`` or ``x: T = ...``)."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Name) and target.id == name for target in node.targets):
                return node.value
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return node.value
    return None


def identifiers(value: ast.expr | None) -> tuple[str, ...]:
    """The revision ids of a ``down_revision``-like value: a string, a tuple or list of
    strings, or ``None``."""
    if value is None:
        return ()
    literal = ast.literal_eval(value)
    if literal is None:
        return ()
    if isinstance(literal, str):
        return (literal,)
    return tuple(str(item) for item in literal)


def read_revision_file(path: Path) -> RevisionFile | None:
    """Read ``path``; ``None`` when it assigns no ``revision`` (not a revision file).

    :raises SyntaxError: when the file does not parse.
    :raises ValueError: when an identifier is not a literal.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    revision = identifiers(assignment(tree, "revision"))
    if len(revision) != 1:
        return None
    return RevisionFile(
        path=path,
        revision=revision[0],
        down_revisions=identifiers(assignment(tree, "down_revision")),
        replaces=identifiers(assignment(tree, "replaces")),
    )


def read_revision_files(paths: Iterable[Path]) -> list[RevisionFile]:
    """Every revision file among ``paths``, in the order given."""
    found = (read_revision_file(path) for path in paths)
    return [revision for revision in found if revision is not None]
