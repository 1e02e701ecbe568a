"""Lint options: select / ignore / severity / fail_on / dialect, from pyproject.toml and hook
keys, and the ConfigurationError each bad value raises."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lback_migrations.errors import ConfigurationError
from lback_migrations.lint.config import parse_lint_options
from lback_migrations.lint.findings import Severity
from lback_migrations.options import Layer, hook_layer, read_tool_table


def hook(**options: str) -> list[Layer]:
    return [hook_layer(options, "lint", "alembic.ini")]


def read_lint_table(path: Path) -> list[Layer]:
    return [read_tool_table(path, "lint")]


def test_select_and_ignore_take_code_prefixes_and_the_longer_prefix_wins() -> None:
    options = parse_lint_options(hook(select="LB1, LB401", ignore="LB10"))
    assert not options.selects("LB101")
    assert options.selects("LB401")
    assert not options.selects("LB201")
    assert parse_lint_options(hook(select="LB1", ignore="LB")).selects("LB101")


def test_severity_overrides_a_rule_and_fail_on_decides_failure() -> None:
    options = parse_lint_options(hook(severity="LB403=error", fail_on="error"))
    assert options.severity_of("LB403", Severity.WARNING) is Severity.ERROR
    assert options.fails(Severity.ERROR)
    assert not options.fails(Severity.WARNING)
    assert parse_lint_options(hook(fail_on="warning")).fails(Severity.WARNING)
    assert not parse_lint_options(hook(fail_on="never")).fails(Severity.ERROR)


@pytest.mark.parametrize(
    ("options", "key", "problem"),
    [
        ({"select": "LB7"}, "[post_write_hooks] lint.select", "'LB7' is not a rule code"),
        ({"ignore": "E501"}, "[post_write_hooks] lint.ignore", "'E501' is not a rule code"),
        ({"severity": "LB201=fatal"}, "[post_write_hooks] lint.severity", "unknown severity"),
        ({"severity": "LB999=error"}, "[post_write_hooks] lint.severity", "'LB999'"),
        ({"severity": "LB201"}, "[post_write_hooks] lint.severity", "not CODE=severity"),
        ({"fail_on": "sometimes"}, "[post_write_hooks] lint.fail_on", "unknown value"),
        ({"dialect": "postgres"}, "[post_write_hooks] lint.dialect", "unknown dialect"),
        ({"naming_convention": "maybe"}, "[post_write_hooks] lint.naming_convention", "true"),
        ({"fail_of": "error"}, "[post_write_hooks] lint.fail_of", "did you mean 'fail_on'"),
    ],
)
def test_a_bad_option_is_a_configuration_error_naming_the_key(
    options: dict[str, str], key: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_lint_options(hook(**options))
    assert raised.value.key == key
    assert problem in str(raised.value)
    assert raised.value.source == "alembic.ini"


def test_the_pyproject_table_is_read_with_lists_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        textwrap.dedent(
            """
            [tool.lback-migrations.lint]
            select = ["LB1", "LB2"]
            fail-on = "warning"
            severity = { LB202 = "error" }
            dialect = "postgresql+psycopg"
            """
        )
    )
    options = parse_lint_options(read_lint_table(path))
    assert options.select == ("LB1", "LB2")
    assert options.fail_on == "warning"
    assert options.severity == (("LB202", Severity.ERROR),)
    assert options.dialect == "postgresql"


def test_a_bad_pyproject_value_names_the_table_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.lback-migrations.lint]\nselect = ["XX1"]\n')
    with pytest.raises(ConfigurationError) as raised:
        parse_lint_options(read_lint_table(path))
    assert raised.value.key == "[tool.lback-migrations.lint] select"
    assert raised.value.source == str(path)


def test_hook_keys_alembic_adds_are_not_lint_options() -> None:
    options = parse_lint_options(
        [hook_layer({"type": "lback_lint", "_hook_name": "lint"}, "lint", None)]
    )
    assert options.fail_on == "error"


def test_the_fingerprint_changes_with_the_findings_options_only() -> None:
    base = parse_lint_options(hook())
    assert base.fingerprint() == parse_lint_options(hook(fail_on="warning")).fingerprint()
    assert base.fingerprint() != parse_lint_options(hook(dialect="sqlite")).fingerprint()
    assert base.fingerprint() != parse_lint_options(hook(ignore="LB4")).fingerprint()
