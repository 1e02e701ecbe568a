"""Rewriting revision files in place: their ids, their docstring lines, their names, and then
formatting them as the ``lback_format`` hook would.

The identifiers are replaced where the syntax tree says they are written, so the rest of the
file keeps its bytes (comments, layout) and only formatting may change it afterwards.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .revision_files import assignment

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION_ID_LINE = re.compile(r"^Revision ID:.*$", re.MULTILINE)
_REVISES_LINE = re.compile(r"^Revises:.*$", re.MULTILINE)


def _literal(revisions: tuple[str, ...]) -> str:
    if not revisions:
        return "None"
    return repr(revisions[0]) if len(revisions) == 1 else repr(revisions)


_Edit = tuple[ast.expr | ast.stmt, str]


def _splice(source: bytes, edits: list[_Edit]) -> bytes:
    """Replace the source of each node with its text, last first so offsets stay valid (the
    offsets of the syntax tree count UTF-8 bytes)."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for node, text in edits:
        begin = starts[node.lineno - 1] + node.col_offset
        end_line = node.end_lineno or node.lineno
        end = starts[end_line - 1] + (node.end_col_offset or 0)
        spans.append((begin, end, text.encode()))
    for begin, end, replacement in sorted(spans, reverse=True):
        source = source[:begin] + replacement + source[end:]
    return source


def rewritten_source(source: str, revision: str, down_revisions: tuple[str, ...]) -> str:
    """``source`` with its ``revision``, ``down_revision`` and docstring lines set."""
    tree = ast.parse(source)
    edits: list[_Edit] = []
    for name, literal in (
        ("revision", repr(revision)),
        ("down_revision", _literal(down_revisions)),
    ):
        value = assignment(tree, name)
        if value is not None:
            edits.append((value, literal))
    docstring = ast.get_docstring(tree, clean=False)
    if docstring is not None:
        node = tree.body[0]
        segment = ast.get_source_segment(source, node) or ""
        segment = _REVISION_ID_LINE.sub(f"Revision ID: {revision}", segment, count=1)
        segment = _REVISES_LINE.sub(f"Revises: {', '.join(down_revisions)}", segment, count=1)
        edits.append((node, segment))
    return _splice(source.encode("utf-8"), edits).decode("utf-8")


def renamed_path(path: Path, old: str, new: str) -> Path:
    """``path`` with the first ``old`` id in its name replaced by ``new``."""
    if old == new or old not in path.name:
        return path
    return path.with_name(path.name.replace(old, new, 1))


def format_like_the_hook(config: Config, paths: list[Path], hook_type: str) -> None:
    """Format ``paths`` as the configured formatting hook would.

    :param hook_type: the formatting hook's type (``lback_format``).
    :raises FormatError: when a file cannot be formatted; it is left as it was.
    """
    from ..formatting.formatter import format_file
    from ..formatting.options import configured_hook, resolve_options
    from ..formatting.results import Failed, FormatError

    hook_name, hook_options = configured_hook(config, hook_type)
    for path in paths:
        result = format_file(path, resolve_options(path, hook_options, hook_name))
        if isinstance(result, Failed):
            raise FormatError(result)
