"""Is the formatted revision the same program as the original?

The comparison is on :mod:`ast` trees, with three allowances for what the formatter may change:

* module-level imports may be merged, split, reordered and deduplicated between two other
  statements, as long as every name they bind is bound to the same thing once they ran
  (``from sqlalchemy import JSON`` after ``from sqlalchemy.dialects.postgresql import JSON``
  must stay after it), and (when the rewrite is on) an import may disappear if the name it
  bound is used nowhere in the result;
* a string standing alone as a statement (a docstring) may differ in indentation and in
  leading and trailing whitespace, which black and ruff normalise;
* the targets of ``del`` may be parenthesised differently.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable

from .imports import statement_of, used_names


def difference(before: ast.Module, after: ast.Module, *, imports_removable: bool) -> str | None:
    """Return how ``after`` differs from ``before`` beyond the allowances, or ``None``.

    :param imports_removable: whether unused imports may have been removed.
    """
    before_statements, before_imports = _split(before)
    after_statements, after_imports = _split(after)
    if len(before_statements) != len(after_statements):
        return "the number of statements changed"
    for old, new in zip(before_statements, after_statements, strict=True):
        if not _same(old, new):
            return f"a statement changed: {_first_line(ast.dump(old))}"
    for old_group, new_group in zip(_final(before), _final(after), strict=True):
        for name, target in new_group.items():
            if name in old_group and old_group[name] != target:
                return f"an import now binds {name!r} to another object"
    used: set[str] | None = None
    for old_bindings, new_bindings in zip(before_imports, after_imports, strict=True):
        if new_bindings - old_bindings:
            return f"an import was added: {sorted(map(str, new_bindings - old_bindings))[0]}"
        removed = old_bindings - new_bindings
        if not removed:
            continue
        if not imports_removable:
            return f"an import was removed: {sorted(map(str, removed))[0]}"
        used = used_names(after) if used is None else used
        still_used = {binding for binding in removed if binding[-1] in used}
        if still_used:
            return f"a used import was removed: {sorted(map(str, still_used))[0]}"
    return None


def _first_line(dump: str) -> str:
    return dump if len(dump) <= 80 else dump[:77] + "..."


Binding = tuple[Hashable, ...]
"""An imported name: its form, module, level, name and the name it binds (last)."""


def _split(tree: ast.Module) -> tuple[list[ast.stmt], list[set[Binding]]]:
    """The module's other statements and, around them, its import bindings."""
    statements: list[ast.stmt] = []
    imports: list[set[Binding]] = [set()]
    for node in tree.body:
        if isinstance(node, ast.Import):
            imports[-1].update(
                ("import", alias.name, alias.asname, alias.asname or alias.name.partition(".")[0])
                for alias in node.names
            )
        elif isinstance(node, ast.ImportFrom):
            imports[-1].update(
                (
                    "from",
                    node.level,
                    node.module,
                    alias.name,
                    alias.asname,
                    alias.asname or alias.name,
                )
                for alias in node.names
            )
        else:
            statements.append(node)
            imports.append(set())
    return statements, imports


def _final(tree: ast.Module) -> list[dict[str, tuple[str | int, ...]]]:
    """For each run of imports between two other statements: what each name is bound to once
    the run is over (the last import binding it wins)."""
    groups: list[dict[str, tuple[str | int, ...]]] = [{}]
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            groups[-1].update(statement_of(node).bindings())
        else:
            groups.append({})
    return groups


def _same(old: object, new: object) -> bool:
    """Compare two trees field by field, with the docstring and ``del`` allowances.

    A direct walk rather than comparing :func:`ast.dump` strings: it builds nothing, and it is
    run by every ``lback_format`` hook.
    """
    if type(old) is not type(new):
        return False
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    if not isinstance(old, ast.AST):
        return old == new
    if isinstance(old, ast.Expr) and isinstance(new, ast.Expr):
        old_docstring, new_docstring = _docstring(old), _docstring(new)
        if old_docstring is not None or new_docstring is not None:
            return old_docstring == new_docstring
    elif isinstance(old, ast.Delete) and isinstance(new, ast.Delete):
        return _same(_flat_targets(old), _flat_targets(new))
    return all(
        _same(getattr(old, field, None), getattr(new, field, None))
        for field in old._fields
        if not (field == "kind" and isinstance(old, ast.Constant))
    )


def _docstring(node: ast.Expr) -> str | None:
    """A string standing alone as a statement, with the whitespace black and ruff normalise
    taken out."""
    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return "\n".join(line.strip() for line in node.value.value.splitlines()).strip()
    return None


def _flat_targets(node: ast.Delete) -> list[ast.expr]:
    return [element for target in node.targets for element in _unwrapped(target)]


def _unwrapped(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Tuple):
        return [element for item in node.elts for element in _unwrapped(item)]
    return [node]
