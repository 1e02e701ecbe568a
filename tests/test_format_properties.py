"""Properties of the formatter on generated Python programs: valid, equivalent, idempotent."""

from __future__ import annotations

import ast
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lback_migrations.formatting.equivalence import difference
from lback_migrations.formatting.formatter import format_source
from lback_migrations.formatting.options import FormatOptions
from lback_migrations.formatting.results import Failed, Formatted, Unchanged

REVISION = Path("revision.py")
ALL_REWRITES = FormatOptions(strip_alembic_markers=True)
IMPORTS = st.lists(
    st.sampled_from(
        [
            "import os",
            "import os.path",
            "import sqlalchemy as sa",
            "from alembic import op",
            "from sqlalchemy.dialects import mysql, postgresql",
            "from typing import Any, TYPE_CHECKING",
            "from . import helpers",
            "from __future__ import annotations",
            "import json  # noqa",
        ]
    ),
    max_size=6,
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def check_properties(source: str) -> None:
    result = format_source(source, ALL_REWRITES, REVISION)
    if isinstance(result, Failed):
        # Only the engine may refuse a program; our own guards must never have to step in.
        assert "please report this" not in result.reason, result.reason
        return
    if isinstance(result, Unchanged):
        return
    assert isinstance(result, Formatted)
    problem = difference(ast.parse(source), ast.parse(result.after), imports_removable=True)
    assert problem is None
    assert isinstance(format_source(result.after, ALL_REWRITES, REVISION), Unchanged)


@pytest.mark.slow
@SETTINGS
@given(hypothesmith.from_node())
def test_generated_programs_format_to_equivalent_stable_code(source: str) -> None:
    check_properties(source)


@pytest.mark.slow
@SETTINGS
@given(imports=IMPORTS, program=hypothesmith.from_node())
def test_generated_import_blocks_format_to_equivalent_stable_code(
    imports: list[str], program: str
) -> None:
    source = "\n".join(imports) + "\n" + program
    try:
        compile(source, "revision.py", "exec")
    except SyntaxError:
        return
    check_properties(source)


@SETTINGS
@given(imports=IMPORTS, uses=st.sets(st.sampled_from(["os", "sa", "op", "mysql", "Any"])))
def test_import_blocks_of_revisions_format_to_equivalent_stable_code(
    imports: list[str], uses: set[str]
) -> None:
    body = "".join(f"    print({name})\n" for name in sorted(uses)) or "    pass\n"
    source = '"""Revision."""\n' + "\n".join(imports) + "\n\n\ndef upgrade() -> None:\n" + body
    check_properties(source)
