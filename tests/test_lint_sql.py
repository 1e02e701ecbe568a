"""The SQL of ``op.execute``, read with sqlglot: what it amounts to, and that reading it never
crashes (property tests, as for the Python side in test_lint_properties.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lback_migrations.lint.config import LintOptions
from lback_migrations.lint.engine import lint_source
from lback_migrations.lint.sql import read_sql

DIALECTS = st.sampled_from([None, "postgresql", "mysql", "sqlite"])
SQL_WORDS = st.sampled_from(
    [
        "ALTER",
        "TABLE",
        "ADD",
        "COLUMN",
        "DROP",
        "NOT",
        "NULL",
        "DEFAULT",
        "CREATE",
        "INDEX",
        "CONCURRENTLY",
        "ON",
        "(",
        ")",
        ",",
        ";",
        "'",
        '"',
        "`",
        "$$",
        "--",
        "/*",
        "*/",
        "x",
        "TYPE",
        "RENAME",
        "TO",
        "VALUE",
        "SCHEMA",
        "TRUNCATE",
        "CASCADE",
        "REINDEX",
        "SET",
        "UPDATE",
        "INSERT",
        "SELECT",
        "INTO",
        "CHECK",
        "CONSTRAINT",
        "PRIMARY",
        "KEY",
        "0",
    ]
)
SQLISH = st.lists(SQL_WORDS, max_size=25).map(" ".join)


def revision(sql: str) -> str:
    return f"def upgrade():\n    op.execute({sql!r})\n\ndef downgrade():\n    pass\n"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=200), SQLISH), dialect=DIALECTS)
def test_reading_any_sql_never_raises(text: str, dialect: str | None) -> None:
    read = read_sql(text, dialect)
    assert read.problem is None or isinstance(read.problem, str)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(max_size=200), SQLISH), dialect=DIALECTS)
def test_linting_a_revision_with_any_sql_never_raises(text: str, dialect: str | None) -> None:
    findings = lint_source(revision(text), "x.py", LintOptions(dialect=dialect))
    assert all(finding.line >= 1 for finding in findings)


def codes(sql: str, dialect: str = "postgresql") -> set[str]:
    return {
        finding.code for finding in lint_source(revision(sql), "x.py", LintOptions(dialect=dialect))
    }


def test_raw_sql_is_judged_like_the_python_operation_it_amounts_to() -> None:
    assert "LB201" in codes("ALTER TABLE account ADD COLUMN active boolean NOT NULL")
    assert "LB201" not in codes(
        "ALTER TABLE account ADD COLUMN active boolean NOT NULL DEFAULT false"
    )
    assert "LB101" in codes("DROP TABLE legacy")
    assert "LB102" in codes("ALTER TABLE account DROP COLUMN age")
    assert "LB202" in codes("ALTER TABLE account ALTER COLUMN age SET NOT NULL")
    assert "LB203" in codes("ALTER TABLE account ALTER COLUMN age TYPE bigint")
    assert "LB204" in codes("CREATE INDEX ix_a ON account (email)")
    assert "LB205" in codes("CREATE INDEX CONCURRENTLY ix_a ON account (email)")
    assert "LB204" in codes("DROP INDEX ix_a")
    assert "LB206" in codes("ALTER TABLE post ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id)")
    assert "LB206" not in codes(
        "ALTER TABLE post ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id) NOT VALID"
    )
    assert "LB301" in codes("ALTER TABLE account RENAME TO member")
    assert "LB302" in codes("ALTER TABLE account RENAME COLUMN name TO full_name")


def test_several_statements_in_one_call_are_each_judged() -> None:
    assert {"LB101", "LB102"} <= codes("DROP TABLE legacy; ALTER TABLE account DROP COLUMN age")


def test_sql_that_cannot_be_parsed_is_reported_once_as_information() -> None:
    findings = lint_source(
        revision("UPDATE account SET plan = 'free"), "x.py", LintOptions(dialect="postgresql")
    )
    [unparsable] = [finding for finding in findings if finding.code == "LB902"]
    assert unparsable.severity.value == "info"
    assert not LintOptions(fail_on="warning").fails(unparsable.severity)


def test_sql_built_at_run_time_is_not_parsed() -> None:
    source = "def upgrade():\n    op.execute(f'DROP TABLE {name}')\n\ndef downgrade():\n    pass\n"
    found = {finding.code for finding in lint_source(source, "x.py", LintOptions())}
    assert "LB101" not in found
    assert "LB902" not in found
