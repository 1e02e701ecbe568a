"""Every lint rule's own VALID and INVALID examples, run through the linter (as Fixit does).

The examples live in the rule classes; this module only turns them into tests, so a new rule is
covered by writing its examples.
"""

from __future__ import annotations

import pytest

from lback_migrations.lint.conclusion import conclude
from lback_migrations.lint.config import LintOptions
from lback_migrations.lint.engine import analyse
from lback_migrations.lint.findings import Finding
from lback_migrations.lint.rule import Example, Invalid, Rule
from lback_migrations.lint.rules import all_rules

EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.code}-{type(example).__name__}-{number}")
    for rule in all_rules()
    for number, example in enumerate([*rule.VALID, *rule.INVALID])
]


def findings_of(rule: type[Rule], example: Example) -> list[Finding]:
    options = LintOptions(
        select=("", rule.code),
        dialect=example.dialect,
        naming_convention=example.naming_convention,
        server_version=example.server_version,
        dependants=example.dependants,
    )
    analysis = analyse(example.source, options)
    found = conclude(analysis, example.file_name, options, example.revision_context)
    return [finding for finding in found if finding.code == rule.code]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example(rule: type[Rule], example: Example) -> None:
    found = findings_of(rule, example)
    if isinstance(example, Invalid):
        assert found, f"{rule.code} reported nothing on:\n{example.source}"
        if example.line is not None:
            assert found[0].line == example.line, [finding.render() for finding in found]
    else:
        assert not found, [finding.render() for finding in found]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_is_documented_and_has_both_kinds_of_example(rule: type[Rule]) -> None:
    assert len(rule.documentation().splitlines()) >= 2
    assert rule.message
    assert rule.VALID
    assert rule.INVALID


def test_rule_codes_and_names_are_unique_and_well_formed() -> None:
    rules = all_rules()
    assert len({rule.code for rule in rules}) == len({rule.name for rule in rules}) == len(rules)
    assert [rule.code for rule in rules] == sorted(rule.code for rule in rules)
    assert len(rules) >= 20


def test_a_dialect_rule_is_silent_for_another_or_unknown_dialect() -> None:
    source = 'def upgrade():\n    op.create_index("ix_a_b", "a", ["b"])\n'
    for dialect in ("sqlite", None):
        findings = conclude(
            analyse(source, LintOptions(dialect=dialect)),
            "x.py",
            LintOptions(dialect=dialect),
            Example(source).revision_context,
        )
        assert "LB204" not in {finding.code for finding in findings}


def test_findings_point_at_the_line_and_column_of_the_operation() -> None:
    source = (
        "def upgrade():\n"
        "    x = 1\n"
        "    if x:\n"
        "        op.drop_table(\n"
        "            'account'\n"
        "        ); op.drop_column('a', 'b')\n"
    )
    options = LintOptions(select=("LB101", "LB102"))
    findings = conclude(analyse(source, options), "x.py", options, Example("").revision_context)
    assert [(f.code, f.line, f.column) for f in findings] == [
        ("LB101", 4, 9),
        ("LB102", 6, 12),
    ]


def test_a_finding_renders_as_path_line_column_code_message() -> None:
    options = LintOptions(select=("LB101",))
    source = "def upgrade():\n    op.drop_table('account')\n"
    [finding] = conclude(
        analyse(source, options), "v/1_a.py", options, Example("").revision_context
    )
    assert finding.render().startswith("v/1_a.py:2:5: LB101 op.drop_table('account')")


def test_a_file_that_does_not_parse_is_reported_where_python_stops() -> None:
    options = LintOptions()
    source = 'def upgrade():\n    op.drop_table("a"\n\ndef downgrade():\n    pass\n'
    findings = conclude(analyse(source, options), "x.py", options, Example("").revision_context)
    assert [(f.code, f.line, f.column) for f in findings] == [("LB900", 2, 18)]
    assert "'(' was never closed" in findings[0].message


def test_columns_count_characters_not_bytes() -> None:
    options = LintOptions(select=("LB101",))
    source = 'def upgrade():\n    note = "été"; op.drop_table("account")\n'
    [finding] = conclude(analyse(source, options), "x.py", options, Example("").revision_context)
    assert (finding.line, finding.column) == (2, 19)


DIALECT_BRANCHES = """
def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("only_on_sqlite")
    else:
        op.drop_table("not_on_sqlite")
    if not is_postgresql():
        op.drop_table("not_on_postgresql")
"""


@pytest.mark.parametrize(
    ("dialect", "tables"),
    [
        ("postgresql", ["not_on_sqlite"]),
        ("sqlite", ["only_on_sqlite", "not_on_postgresql"]),
        (None, ["only_on_sqlite", "not_on_sqlite", "not_on_postgresql"]),
    ],
)
def test_operations_in_a_branch_for_another_dialect_are_not_judged(
    dialect: str | None, tables: list[str]
) -> None:
    options = LintOptions(select=("LB101",), dialect=dialect)
    findings = conclude(
        analyse(DIALECT_BRANCHES, options), "x.py", options, Example("").revision_context
    )
    assert [finding.message.split("'")[1] for finding in findings] == tables
