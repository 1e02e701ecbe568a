"""The equivalence check that guards every formatted revision: what it lets through, what not."""

from __future__ import annotations

import ast
import textwrap

import pytest

from lback_migrations.formatting.equivalence import difference


def compare(before: str, after: str, *, imports_removable: bool = True) -> str | None:
    return difference(
        ast.parse(textwrap.dedent(before)),
        ast.parse(textwrap.dedent(after)),
        imports_removable=imports_removable,
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x = 'a'\n", 'x = "a"\n'),
        ("x = u'a'\n", 'x = "a"\n'),
        ("def f():\n    '''  Doc.\n    '''\n", 'def f():\n    """Doc."""\n'),
        ("del (a, b)\n", "del a, b\n"),
        ("import b\nimport a\nx = a.y + b.z\n", "import a\nimport b\nx = a.y + b.z\n"),
        ("import a, os\nx = a.y\n", "import a\nx = a.y\n"),
    ],
    ids=["quotes", "u-prefix", "docstring-whitespace", "del-parentheses", "import-order", "unused"],
)
def test_what_formatters_change_is_equivalent(before: str, after: str) -> None:
    assert compare(before, after) is None


@pytest.mark.parametrize(
    ("before", "after", "problem"),
    [
        ("x = 1\n", "x = 2\n", "a statement changed"),
        ("x = 1\n", "x = True\n", "a statement changed"),
        ("x = 'a b'\n", "x = 'a  b'\n", "a statement changed"),
        ("f(a, b)\n", "f(b, a)\n", "a statement changed"),
        ("x = 1\ny = 2\n", "x = 1\n", "the number of statements changed"),
        ("import a\nx = a.y\n", "x = a.y\n", "a used import was removed"),
        ("x = 1\n", "import a\nx = 1\n", "an import was added"),
    ],
    ids=["value", "type", "string-content", "argument-order", "dropped", "used-import", "added"],
)
def test_a_change_of_meaning_is_reported(before: str, after: str, problem: str) -> None:
    found = compare(before, after)
    assert found is not None
    assert found.startswith(problem)


def test_a_removed_import_is_reported_when_removal_is_off() -> None:
    found = compare("import a, os\nx = a.y\n", "import a\nx = a.y\n", imports_removable=False)
    assert found is not None
    assert found.startswith("an import was removed")
