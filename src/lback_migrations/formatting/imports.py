"""Imports of a revision as data: which are unused, and the canonical order of the import block.

Everything here works on the standard :mod:`ast` (fast, in C) so that the formatter can decide
whether a revision needs any rewrite before paying for libcst (importing it alone costs more
than formatting a revision). :mod:`.rewrites` applies the
decisions with libcst, using the same :class:`ImportStatement` model.

The import block is the run of import lines at the top of a module, after its docstring. Its
canonical form follows isort's defaults (as ruff's ``I`` rules do): sections ``__future__``,
standard library, third party, relative, separated by one blank line; in each section plain
``import x`` lines before ``from x import y`` lines, by module name; one line per plain import;
``from`` imports of one module merged into one line, names ordered constants, classes, then
the rest. A line carrying a comment is never merged or split: it moves as it is, comments
included.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NOQA = re.compile(r"#\s*noqa\b", re.IGNORECASE)
_STDLIB = frozenset(sys.stdlib_module_names)
WITHOUT_SIDE_EFFECTS = _STDLIB | {"sqlalchemy", "alembic"}
"""Top-level packages whose unused imports ``remove_unused_imports = true`` removes: the
standard library, ``sqlalchemy`` and ``alembic``, all that the revision template and
autogenerate write. Any other import may be there for its side effect (a module registering
custom operations, types or a dialect) and is kept unless the option is ``all``."""

Alias = tuple[str, "str | None"]
"""An imported name and its ``as`` name."""


@dataclass(frozen=True)
class ImportStatement:
    """One import statement: ``import module [as x]`` or ``from .module import a, b as c``.

    :param module: the dotted module name (``""`` for ``from . import x``).
    :param level: the number of leading dots of a relative import.
    :param names: the imported names; for a plain import, one alias whose name is the module.
    :param from_form: ``from ... import ...`` rather than ``import ...``.
    """

    module: str
    level: int
    names: tuple[Alias, ...]
    from_form: bool

    @property
    def section(self) -> int:
        """0 ``__future__``, 1 standard library, 2 third party, 3 relative."""
        if self.level:
            return 3
        if self.module == "__future__":
            return 0
        return 1 if self.module.partition(".")[0] in _STDLIB else 2

    def sort_key(self) -> tuple[int, bool, int, str, str, tuple[tuple[int, str, str, str], ...]]:
        """Section, plain before ``from``, farthest relative first, module, then names."""
        return (
            self.section,
            self.from_form,
            -self.level,
            self.module.lower(),
            self.module,
            tuple(_name_key(alias) for alias in self.names),
        )

    def render(self) -> str:
        """The statement as Python source, on one line."""
        names = ", ".join(
            name if asname is None else f"{name} as {asname}" for name, asname in self.names
        )
        if self.from_form:
            return f"from {'.' * self.level}{self.module} import {names}"
        return f"import {names}"

    def bound_names(self) -> list[str]:
        """The names this statement binds in the module namespace."""
        return [name for name, _ in self.bindings()]

    def bindings(self) -> list[tuple[str, tuple[str | int, ...]]]:
        """Each name this statement binds, with what it binds it to."""
        if self.from_form:
            return [
                (asname or name, ("from", self.level, self.module, name))
                for name, asname in self.names
                if name != "*"
            ]
        return [
            (asname, ("import", name)) if asname else (top, ("import", top))
            for name, asname in self.names
            for top in [name.partition(".")[0]]
        ]

    @property
    def without_side_effects(self) -> bool:
        """Whether the module imported is one of :data:`WITHOUT_SIDE_EFFECTS`."""
        return not self.level and self.module.partition(".")[0] in WITHOUT_SIDE_EFFECTS


def _name_key(alias: Alias) -> tuple[int, str, str, str]:
    name, asname = alias
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name, asname or ""


def statement_of(node: ast.Import | ast.ImportFrom) -> ImportStatement:
    """The :class:`ImportStatement` of an :mod:`ast` import, as written (not yet canonical)."""
    names = tuple((alias.name, alias.asname) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return ImportStatement(node.module or "", node.level or 0, names, from_form=True)
    return ImportStatement(names[0][0], 0, names, from_form=False)


def binds_a_name_twice(statements: Iterable[ImportStatement]) -> bool:
    """Whether two of ``statements`` bind one name to different things (``JSON`` from
    ``sqlalchemy`` and from a dialect): their order decides which one wins, so the block must
    not be reordered."""
    targets: dict[str, tuple[str | int, ...]] = {}
    for statement in statements:
        for name, target in statement.bindings():
            if targets.setdefault(name, target) != target:
                return True
    return False


def canonical_sections(
    statements: Iterable[ImportStatement], kept: Sequence[tuple[int, ImportStatement]]
) -> list[list[ImportStatement | int]]:
    """Return the canonical import block, as sections of items.

    :param statements: the statements of the lines that may be merged and split.
    :param kept: ``(index, first statement)`` of each line that carries a comment; the line is
        placed by its first statement and returned as its index.
    """
    plain: set[ImportStatement] = set()
    merged: dict[tuple[int, str], set[Alias]] = {}
    stars: set[ImportStatement] = set()
    for statement in statements:
        if not statement.from_form:
            plain.update(
                ImportStatement(name, 0, ((name, asname),), from_form=False)
                for name, asname in statement.names
            )
        elif any(name == "*" for name, _ in statement.names):
            stars.add(statement)
        else:
            merged.setdefault((statement.level, statement.module), set()).update(statement.names)
    items: list[tuple[ImportStatement, ImportStatement | int]] = [(s, s) for s in plain | stars]
    for (level, module), aliases in merged.items():
        statement = ImportStatement(module, level, tuple(sorted(aliases, key=_name_key)), True)
        items.append((statement, statement))
    items.extend((first, index) for index, first in kept)
    items.sort(key=lambda pair: (pair[0].sort_key(), isinstance(pair[1], int)))
    sections: list[list[ImportStatement | int]] = []
    current = -1
    for statement, item in items:
        if statement.section != current:
            sections.append([])
            current = statement.section
        sections[-1].append(item)
    return sections


def used_names(tree: ast.Module) -> set[str]:
    """Every name the module reads, writes or deletes anywhere, plus the names in string
    annotations and in ``__all__``: a name used in any scope keeps its import (conservative).
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation is not None:
            names.update(_string_annotation_names(node.annotation))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            names.update(_string_annotation_names(node.returns))
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            names.update(_strings(node.value))
    return names


def _strings(node: ast.AST) -> Iterable[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _string_annotation_names(annotation: ast.AST) -> set[str]:
    names: set[str] = set()
    for text in _strings(annotation):
        try:
            expression = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError):
            continue
        names.update(node.id for node in ast.walk(expression) if isinstance(node, ast.Name))
    return names


def unused_imports(
    tree: ast.Module, lines: Sequence[str], *, any_module: bool = False
) -> frozenset[str]:
    """Names bound by module-level imports that the module never uses.

    ``__future__`` and star imports are never unused; a statement whose lines carry a
    ``# noqa`` comment keeps every name it binds, and so does one of a module that may have a
    side effect (see :data:`WITHOUT_SIDE_EFFECTS`) unless ``any_module``.

    :param lines: the module's source lines, to find ``# noqa`` comments.
    :param any_module: remove unused imports of any module (``remove_unused_imports = all``).
    """
    bound: set[str] = set()
    kept: set[str] = set()
    for node in tree.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        statement = statement_of(node)
        names = statement.bound_names()
        end = node.end_lineno or node.lineno
        removable = any_module or statement.without_side_effects
        if not removable or any(NOQA.search(line) for line in lines[node.lineno - 1 : end]):
            kept.update(names)
        else:
            bound.update(names)
    return frozenset(bound - kept - used_names(tree))


def import_block(tree: ast.Module) -> list[list[ast.Import | ast.ImportFrom]]:
    """The import block of ``tree``: its lines, each the list of statements written on it.

    The block starts at the first statement, or the second when the first is an expression
    (the docstring), and ends at the first statement that is not an import.
    """
    body = tree.body
    start = 1 if body and isinstance(body[0], ast.Expr) else 0
    block: list[list[ast.Import | ast.ImportFrom]] = []
    previous_end = 0
    for node in body[start:]:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        if block and node.lineno == previous_end:
            block[-1].append(node)
        else:
            block.append([node])
        previous_end = node.end_lineno or node.lineno
    return block


def block_is_canonical(tree: ast.Module, lines: Sequence[str]) -> bool:
    """Whether the import block of ``tree`` is already merged, sorted and sectioned.

    :param lines: the module's source lines, to see comments and blank lines.
    """
    block = import_block(tree)
    if not block or binds_a_name_twice(statement_of(node) for line in block for node in line):
        return True
    free: list[ImportStatement] = []
    kept: list[tuple[int, ImportStatement]] = []
    written: list[tuple[bool, ImportStatement | int]] = []
    first = block[0][0]
    previous_end = (tree.body[0].end_lineno or 0) if tree.body[0] is not first else first.lineno - 1
    for index, line in enumerate(block):
        start = line[0].lineno
        end = line[-1].end_lineno or line[-1].lineno
        gap = lines[previous_end : start - 1]
        has_comment = any("#" in text for text in [*gap, *lines[start - 1 : end]])
        separated = index > 0 and bool(gap) and not gap[0].strip()
        statements = [statement_of(node) for node in line]
        if has_comment:
            kept.append((index, statements[0]))
            written.append((separated, index))
        else:
            free.extend(statements)
            written.extend(
                (separated and n == 0, statement) for n, statement in enumerate(statements)
            )
        previous_end = end
    expected = [
        (position == 0 and number > 0, item)
        for number, section in enumerate(canonical_sections(free, kept))
        for position, item in enumerate(section)
    ]
    return written == expected
