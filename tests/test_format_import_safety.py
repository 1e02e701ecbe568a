"""``format`` never changes what a name binds, never drops a comment, and removes by default only
the unused imports that cannot have a side effect."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from lback_migrations.formatting.formatter import format_source
from lback_migrations.formatting.options import FormatOptions
from lback_migrations.formatting.results import Formatted, Unchanged
from tests.formatting import REVISION, assert_formats


def test_an_import_shadowing_another_keeps_its_place() -> None:
    assert_formats(
        """\
        import sqlalchemy as sa
        from sqlalchemy.dialects.postgresql import JSON
        from sqlalchemy import JSON

        COLUMN = sa.Column("c", JSON())
        """,
        """\
        import sqlalchemy as sa
        from sqlalchemy.dialects.postgresql import JSON
        from sqlalchemy import JSON

        COLUMN = sa.Column("c", JSON())
        """,
    )


def test_a_module_alias_shadowing_another_keeps_its_place() -> None:
    assert_formats(
        """\
        from sqlalchemy.sql import sqltypes as t
        from sqlalchemy import types as t

        KIND = t.Integer
        """,
        """\
        from sqlalchemy.sql import sqltypes as t
        from sqlalchemy import types as t

        KIND = t.Integer
        """,
    )


def test_the_equivalence_check_refuses_a_reordering_that_changes_a_binding() -> None:
    import ast

    from lback_migrations.formatting.equivalence import difference

    before = ast.parse("from a import X\nfrom b import X\n")
    after = ast.parse("from b import X\nfrom a import X\n")
    assert difference(before, after, imports_removable=True) == (
        "an import now binds 'X' to another object"
    )


def test_a_comment_above_a_removed_import_stays_where_it_was() -> None:
    assert_formats(
        """\
        import sqlalchemy as sa

        # registers the custom operations used below
        import json
        from alembic import op


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", sa.Integer()))
        """,
        """\
        import sqlalchemy as sa

        # registers the custom operations used below
        from alembic import op


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", sa.Integer()))
        """,
    )


def test_a_comment_above_a_removed_last_statement_stays() -> None:
    source = "import sqlalchemy as sa\n\nX = sa\n\n# the end\nimport json\n"
    result = format_source(source, FormatOptions(), REVISION)
    assert isinstance(result, Formatted), result
    assert "# the end" in result.after
    assert "import json" not in result.after


SIDE_EFFECTS = """\
    import json
    import sqlalchemy as sa
    import myapp.operations
    from alembic import op
    from myapp import types


    def upgrade() -> None:
        op.add_column("t", sa.Column("c", sa.Integer()))
    """


def test_by_default_only_imports_without_side_effects_are_removed() -> None:
    assert_formats(
        SIDE_EFFECTS,
        """\
        import myapp.operations
        import sqlalchemy as sa
        from alembic import op
        from myapp import types


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", sa.Integer()))
        """,
    )


def test_remove_unused_imports_all_removes_any_module() -> None:
    assert_formats(
        SIDE_EFFECTS,
        """\
        import sqlalchemy as sa
        from alembic import op


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", sa.Integer()))
        """,
        remove_unused_imports="all",
    )


def test_remove_unused_imports_false_removes_none() -> None:
    result = format_source(
        textwrap.dedent(SIDE_EFFECTS), FormatOptions(remove_unused_imports="false"), REVISION
    )
    assert isinstance(result, (Formatted, Unchanged))
    after = result.after if isinstance(result, Formatted) else textwrap.dedent(SIDE_EFFECTS)
    assert "import json" in after
    assert "import myapp.operations" in after


@pytest.mark.parametrize("written", ["all", "ALL", "true", "false", True, False, "no"])
def test_remove_unused_imports_accepts_true_all_false(tmp_path: Path, written: object) -> None:
    from lback_migrations.formatting.options import resolve_options

    options = resolve_options(tmp_path / "r.py", {"remove_unused_imports": written})
    assert options.remove_unused_imports in ("true", "all", "false")


def test_remove_unused_imports_names_its_values_when_wrong(tmp_path: Path) -> None:
    from lback_migrations.errors import ConfigurationError
    from lback_migrations.formatting.options import resolve_options

    with pytest.raises(ConfigurationError, match="true, all or false"):
        resolve_options(tmp_path / "r.py", {"remove_unused_imports": "some"})


# -- the differential fuzz: run each program before and after formatting ------------------------

IMPORTS = [
    "from sqlalchemy import JSON",
    "from sqlalchemy.dialects.postgresql import JSON",
    "from sqlalchemy.dialects.mysql import JSON",
    "from sqlalchemy import types as t",
    "from sqlalchemy.sql import sqltypes as t",
    "import json as t",
    "from os import path as p",
    "import os.path as p",
    "import posixpath as p",
    "from collections import OrderedDict as D",
    "from typing import Dict as D",
    "import sqlalchemy as sa",
    "import alembic as sa",
    "from alembic import op",
    "from sqlalchemy import Integer",
    "from sqlalchemy.types import Integer",
    "from sqlalchemy.dialects.postgresql import INTEGER as Integer",
    "import os",
    "from os import sep as os",
    "import collections.abc",
    "import collections",
]
PROGRAMS = 3000


def _bound(line: str) -> str:
    last = line.split()[-1]
    return last.partition(".")[0]


def _program(generator: random.Random) -> str:
    lines = generator.choices(IMPORTS, k=generator.randint(2, 8))
    written: list[str] = []
    for line in lines:
        roll = generator.random()
        if roll < 0.1 and written:
            written[-1] += f"; {line}"
        else:
            written.append(line)
    written = [f"{line}  # kept" if generator.random() < 0.1 else line for line in written]
    names = sorted({_bound(line) for line in lines})
    used = generator.sample(names, k=generator.randint(1, len(names)))
    return "\n".join(written) + f"\n\nUSED = ({', '.join(used)},)\n"


def _bindings(source: str) -> dict[str, object]:
    """What each module-level name is bound to once ``source`` ran (``USED`` element-wise)."""
    namespace: dict[str, object] = {}
    exec(compile(source, "<revision>", "exec"), namespace)  # noqa: S102 - they only import
    used = namespace.pop("USED")
    assert isinstance(used, tuple)
    bindings: dict[str, object] = {
        name: id(value) for name, value in namespace.items() if name != "__builtins__"
    }
    bindings["USED"] = tuple(map(id, used))
    return bindings


def test_formatting_random_import_blocks_with_shadowing_changes_no_binding() -> None:
    generator = random.Random(20261202)
    changed = []
    formatted = 0
    for _ in range(PROGRAMS):
        source = _program(generator)
        result = format_source(source, FormatOptions(remove_unused_imports="all"), REVISION)
        if not isinstance(result, Formatted):  # unchanged, or refused and left as it was
            continue
        formatted += 1
        before, after = _bindings(source), _bindings(result.after)
        if any(before[name] != value for name, value in after.items()):
            changed.append(source)
    assert changed == []
    assert formatted > PROGRAMS // 2
