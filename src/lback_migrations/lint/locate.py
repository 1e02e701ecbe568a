"""Lines and columns of the nodes a rule reported, computed only when there is a finding.

libcst computes positions by generating the code of the whole module again, which costs more
than parsing it. A finding needs far less: the statement holding the node, whose line Python's
own parser gives for almost nothing, and the node's offset inside that one statement, which
libcst computes on the statement alone. :class:`Locator` combines the two; statements are
matched by their order in a pre-order walk that both trees share. Whenever the two trees
disagree (a syntax newer than the running Python), it falls back to libcst on the whole module.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider


@dataclass(frozen=True)
class Anchor:
    """Where a reported node sits: its innermost statement and that statement's number.

    :param statement: a ``SimpleStatementLine`` or a compound statement.
    :param index: the number of the statement's first statement in the pre-order walk
        (small statements of one line are numbered one by one, as Python's parser does).
    """

    statement: cst.CSTNode
    index: int


@dataclass(frozen=True)
class Place:
    """A located finding: its 1-based line and column, and its statement's first/last line."""

    line: int
    column: int
    first_line: int
    last_line: int


def ast_statements(tree: ast.Module) -> list[ast.stmt]:
    """Every statement of ``tree`` in pre-order, each followed by those of its blocks."""
    found: list[ast.stmt] = []
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        statement = pending.pop()
        found.append(statement)
        for block in reversed(list(_ast_blocks(statement))):
            pending.extend(reversed(block))
    return found


def _ast_blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        yield statement.body
        yield statement.orelse
    elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        yield statement.body  # type: ignore[attr-defined]
        for handler in statement.handlers:  # type: ignore[attr-defined]
            yield handler.body
        yield statement.orelse  # type: ignore[attr-defined]
        yield statement.finalbody  # type: ignore[attr-defined]
    elif isinstance(statement, ast.Match):
        for case in statement.cases:
            yield case.body
    elif isinstance(
        statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith)
    ):
        yield statement.body


def _heads(line: cst.SimpleStatementLine, node: cst.CSTNode) -> bool:
    """Whether ``node`` is where ``line`` starts (its first expression statement, unwrapped),
    so that the statement's own position is the node's and nothing needs rendering."""
    first = line.body[0]
    return (
        isinstance(first, cst.Expr)
        and first.value is node
        and isinstance(node, cst.Call)
        and not node.lpar
    )


class Locator:
    """Turns reported nodes into places, for one parsed file.

    :param source: the file's text.
    :param module: the libcst module parsed from it.
    :param statement_count: how many statements the engine numbered.
    """

    def __init__(self, source: str, module: cst.Module, statement_count: int) -> None:
        self._source = source
        self._module = module
        self._statement_count = statement_count
        self._statements: list[ast.stmt] | None = None
        self._whole: dict[cst.CSTNode, CodeRange] | None = None
        self._inside: dict[int, dict[cst.CSTNode, CodeRange]] = {}

    def place(self, node: cst.CSTNode, anchor: Anchor) -> Place:
        """Return where ``node``, reported within ``anchor``, is in the file."""
        statements = self._python_statements()
        if statements is None:
            return self._place_in_module(node, anchor)
        statement = statements[anchor.index]
        last = statement.lineno
        if isinstance(anchor.statement, cst.SimpleStatementLine):
            final = statements[anchor.index + len(anchor.statement.body) - 1]
            last = final.end_lineno or final.lineno
            if _heads(anchor.statement, node):
                return Place(statement.lineno, statement.col_offset + 1, statement.lineno, last)
        ranges = self._inside.get(anchor.index)
        if ranges is None:
            ranges = self._ranges_inside(anchor.statement)
            self._inside[anchor.index] = ranges
        start = ranges[node].start if node in ranges else None
        if start is None:
            return Place(statement.lineno, statement.col_offset + 1, statement.lineno, last)
        # libcst writes continuation lines relative to the block's indentation, which the
        # statement rendered alone lacks: the statement's own column is that indentation.
        column = start.column + statement.col_offset
        return Place(statement.lineno + start.line - 1, column + 1, statement.lineno, last)

    def _python_statements(self) -> list[ast.stmt] | None:
        if self._statements is None:
            try:
                with warnings.catch_warnings():
                    # The file's own oddities ("str"() and the like) are not the linter's to show.
                    warnings.simplefilter("ignore", SyntaxWarning)
                    statements = ast_statements(ast.parse(self._source))
            except (SyntaxError, ValueError):
                statements = []
            self._statements = statements
        if len(self._statements) != self._statement_count:
            return None
        return self._statements

    @staticmethod
    def _ranges_inside(statement: cst.CSTNode) -> dict[cst.CSTNode, CodeRange]:
        if isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            alone = statement.with_changes(leading_lines=())
            module = cst.Module(body=[alone])
            wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
            return dict(wrapper.resolve(PositionProvider))
        return {}

    def _place_in_module(self, node: cst.CSTNode, anchor: Anchor) -> Place:
        if self._whole is None:
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._whole = dict(wrapper.resolve(PositionProvider))
        code_range = self._whole.get(node) or self._whole.get(anchor.statement)
        statement_range = self._whole.get(anchor.statement, code_range)
        if code_range is None or statement_range is None:
            return Place(1, 1, 1, 1)
        return Place(
            code_range.start.line,
            code_range.start.column + 1,
            statement_range.start.line,
            statement_range.end.line,
        )
