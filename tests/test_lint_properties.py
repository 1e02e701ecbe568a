"""The linter never crashes: on any program Python's grammar allows, it returns findings."""

from __future__ import annotations

import textwrap

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from lback_migrations.lint.config import LintOptions
from lback_migrations.lint.engine import lint_source
from lback_migrations.lint.rule import RevisionContext

# hypothesmith compiles every program it generates to check it; what the compiler says about a
# random program ("'int' object is not callable; perhaps you missed a comma?") is no warning
# of the linter's.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning:<string>")

OPTIONS = [
    LintOptions(dialect="postgresql"),
    LintOptions(dialect="sqlite"),
]
CONTEXT = RevisionContext(file_name="ae1027a6acf_x.py", known_revisions=frozenset({"x"}))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hypothesmith.from_grammar())
def test_any_module_lints_without_raising(source: str) -> None:
    for options in OPTIONS:
        for finding in lint_source(source, "x.py", options, CONTEXT):
            assert finding.line >= 1
            assert finding.column >= 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hypothesmith.from_grammar())
def test_any_body_of_upgrade_lints_without_raising(body: str) -> None:
    source = "def upgrade():\n" + textwrap.indent(body or "pass", "    ") + "\n"
    for options in OPTIONS:
        lint_source(source, "x.py", options, CONTEXT)
