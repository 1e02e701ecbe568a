"""The libcst rewrites of the ``lback_format`` hook.

Each rewrite is switched by one option of :class:`~.options.FormatOptions`; the decisions (which
names are unused, what the canonical import block is) come from :mod:`.imports`.

libcst parses only the lines the rewrites can touch. The import rewrites change nothing but the
module-level import statements, which a revision writes at its top, so the lines from the
first to the end of the last such statement are parsed and rewritten, and the rest of the file
follows as it was. A concrete syntax tree costs far more memory than the text it holds (libcst's
parser peaks at about 30 MiB on a 40 KB revision, memory the process keeps), so this is what
keeps a bulk ``format`` about as light as black alone. Stripping Alembic's markers, which sit
in the function bodies, parses the whole file.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .imports import ImportStatement, binds_a_name_twice, canonical_sections
from .markers import MARKER_COMMENT, has_markers
from .options import FormatOptions


def rewrite(source: str, tree: ast.Module, options: FormatOptions, unused: frozenset[str]) -> str:
    """Apply the rewrites ``options`` switch on to ``source`` and return the new source.

    :param tree: the :mod:`ast` of ``source``, which says how far the rewrites reach.
    :param unused: the names whose module-level imports are removed (when that rewrite is on).
    :raises libcst.ParserSyntaxError: when the lines the rewrites reach do not parse.
    """
    head, rest = _split_after(source, _last_line_rewritten(source, tree, options))
    module = cst.parse_module(head)
    if options.strip_alembic_markers:
        module = module.visit(_MarkerRemover())
    if options.remove_unused_imports != "false" and unused:
        module = _remove_unused_imports(module, unused)
    if options.sort_imports:
        module = _sort_import_block(module)
    return module.code + rest


def _last_line_rewritten(source: str, tree: ast.Module, options: FormatOptions) -> int | None:
    """The number of the last line a rewrite can change, or ``None`` for the whole file.

    The line closes a module-level statement: one that starts on it after a semicolon is
    followed to its end, and a backslash continuing it onto the next line takes the whole
    file. ``ast`` also ends lines at a lone carriage return, which the split does not.
    """
    if (options.strip_alembic_markers and has_markers(source)) or "\r" in source.replace(
        "\r\n", ""
    ):
        return None
    last = 0
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)) or statement.lineno <= last:
            last = max(last, statement.end_lineno or statement.lineno)
    lines = source.split("\n", last)
    if last == 0 or len(lines) <= last or lines[last - 1].rstrip("\r").endswith("\\"):
        return None
    return last


def _split_after(source: str, line: int | None) -> tuple[str, str]:
    """``source`` up to the end of ``line`` (with its line break), and the rest."""
    if line is None:
        return source, ""
    lines = source.split("\n", line)
    head = "\n".join(lines[:line]) + "\n"
    return head, lines[line]


class _MarkerRemover(cst.CSTTransformer):
    def leave_EmptyLine(
        self, original_node: cst.EmptyLine, updated_node: cst.EmptyLine
    ) -> cst.EmptyLine | cst.RemovalSentinel:
        comment = updated_node.comment
        if comment is not None and MARKER_COMMENT.match(comment.value):
            return cst.RemoveFromParent()
        return updated_node


def _bound_name(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> str:
    if alias.evaluated_alias is not None:
        return alias.evaluated_alias
    name = alias.evaluated_name
    return name if isinstance(node, cst.ImportFrom) else name.partition(".")[0]


def _is_future(node: cst.ImportFrom) -> bool:
    return node.module is not None and get_full_name_for_node(node.module) == "__future__"


def _without_unused(
    node: cst.BaseSmallStatement, unused: frozenset[str]
) -> cst.BaseSmallStatement | None:
    if not isinstance(node, (cst.Import, cst.ImportFrom)) or isinstance(node.names, cst.ImportStar):
        return node
    if isinstance(node, cst.ImportFrom) and _is_future(node):
        return node
    kept = [alias for alias in node.names if _bound_name(node, alias) not in unused]
    if len(kept) == len(node.names):
        return node
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(comma=node.names[-1].comma)
    return node.with_changes(names=kept)


def _remove_unused_imports(module: cst.Module, unused: frozenset[str]) -> cst.Module:
    """Drop the unused imports; the comment lines above a line that goes stay where they were,
    above whatever follows it."""
    body: list[cst.BaseStatement] = []
    orphaned: list[cst.EmptyLine] = []
    for line in module.body:
        if orphaned:
            line = line.with_changes(leading_lines=[*orphaned, *line.leading_lines])
            orphaned = []
        if not isinstance(line, cst.SimpleStatementLine):
            body.append(line)
            continue
        statements = [
            statement
            for statement in (_without_unused(node, unused) for node in line.body)
            if statement is not None
        ]
        if not statements:
            orphaned = _after_first_comment(line.leading_lines)
            continue
        if len(statements) < len(line.body):
            statements[-1] = statements[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        body.append(line.with_changes(body=statements))
    if orphaned:
        return module.with_changes(body=body, footer=[*orphaned, *module.footer])
    return module.with_changes(body=body)


def _statement(node: cst.Import | cst.ImportFrom) -> ImportStatement:
    if isinstance(node, cst.Import):
        names = tuple((alias.evaluated_name, alias.evaluated_alias) for alias in node.names)
        return ImportStatement(names[0][0], 0, names, from_form=False)
    module = get_full_name_for_node(node.module) if node.module is not None else ""
    if isinstance(node.names, cst.ImportStar):
        imported: tuple[tuple[str, str | None], ...] = (("*", None),)
    else:
        imported = tuple((alias.evaluated_name, alias.evaluated_alias) for alias in node.names)
    return ImportStatement(module or "", len(node.relative), imported, from_form=True)


def _is_import_line(line: cst.BaseStatement) -> bool:
    return isinstance(line, cst.SimpleStatementLine) and all(
        isinstance(node, (cst.Import, cst.ImportFrom)) for node in line.body
    )


def _after_first_comment(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    for index, line in enumerate(lines):
        if line.comment is not None:
            return list(lines[index:])
    return []


def _sort_import_block(module: cst.Module) -> cst.Module:
    body = list(module.body)
    start = (
        1
        if body
        and isinstance(body[0], cst.SimpleStatementLine)
        and isinstance(body[0].body[0], cst.Expr)
        else 0
    )
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    block = [line for line in body[start:end] if isinstance(line, cst.SimpleStatementLine)]
    if not block or binds_a_name_twice(
        _statement(node)
        for line in block
        for node in line.body
        if isinstance(node, (cst.Import, cst.ImportFrom))
    ):
        return module
    free: list[ImportStatement] = []
    kept: list[tuple[int, ImportStatement]] = []
    as_written: dict[ImportStatement, cst.SimpleStatementLine] = {}
    for index, line in enumerate(block):
        statements = [
            _statement(node) for node in line.body if isinstance(node, (cst.Import, cst.ImportFrom))
        ]
        if "#" in module.code_for_node(line):
            kept.append((index, statements[0]))
            continue
        free.extend(statements)
        if len(statements) == 1:
            as_written[statements[0]] = line
    first = block[0]
    first_blank_lines = list(first.leading_lines)[
        : len(first.leading_lines) - len(_after_first_comment(first.leading_lines))
    ]
    lines: list[cst.BaseStatement] = []
    for number, section in enumerate(canonical_sections(free, kept)):
        for position, item in enumerate(section):
            if not lines:
                separator = first_blank_lines
            else:
                separator = [cst.EmptyLine()] if position == 0 and number > 0 else []
            if isinstance(item, int):
                line = block[item]
                own = _after_first_comment(line.leading_lines)
            else:
                line = as_written.get(item) or _parse_line(item.render())
                own = []
            lines.append(line.with_changes(leading_lines=[*separator, *own]))
    return module.with_changes(body=[*body[:start], *lines, *body[end:]])


def _parse_line(code: str) -> cst.SimpleStatementLine:
    return cst.ensure_type(cst.parse_statement(code), cst.SimpleStatementLine)
