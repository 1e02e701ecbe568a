"""Suppression comments: on the line, on a statement's first line, for the whole file; and
unused suppressions reported as LB901."""

from __future__ import annotations

import textwrap

from lback_migrations.lint.config import LintOptions
from lback_migrations.lint.engine import lint_source


def codes(source: str, **options: object) -> list[tuple[str, int]]:
    findings = lint_source(textwrap.dedent(source), "1_a.py", LintOptions(**options))  # type: ignore[arg-type]
    return [(finding.code, finding.line) for finding in findings]


ONLY = {"select": ("LB101", "LB102", "LB201", "LB901")}


def test_a_comment_on_the_line_suppresses_that_code() -> None:
    assert codes(
        """
        def upgrade():
            op.drop_table("account")  # lback: ignore[LB101]
            op.drop_table("order")
        """,
        **ONLY,
    ) == [("LB101", 4)]


def test_a_comment_on_the_first_line_of_a_multiline_statement_suppresses_it() -> None:
    assert (
        codes(
            """
            def upgrade():
                op.add_column(  # lback: ignore[LB201]
                    "account",
                    sa.Column("active", sa.Boolean(), nullable=False),
                )
            """,
            **ONLY,
        )
        == []
    )


def test_a_comment_after_the_closing_bracket_suppresses_the_statement() -> None:
    assert (
        codes(
            """
            def upgrade():
                op.add_column(
                    "account",
                    sa.Column("active", sa.Boolean(), nullable=False),
                )  # lback: ignore[LB201]
            """,
            **ONLY,
        )
        == []
    )


def test_a_comment_naming_another_code_suppresses_nothing_and_is_reported() -> None:
    assert codes(
        """
        def upgrade():
            op.drop_table("account")  # lback: ignore[LB102]
        """,
        **ONLY,
    ) == [("LB101", 3), ("LB901", 3)]


def test_ignore_file_suppresses_the_codes_everywhere() -> None:
    assert (
        codes(
            """
            # lback: ignore-file[LB101, LB102]
            def upgrade():
                op.drop_table("account")
                op.drop_column("order", "note")
            """,
            **ONLY,
        )
        == []
    )


def test_an_unused_file_suppression_is_reported_on_its_line() -> None:
    assert codes(
        """
        # lback: ignore-file[LB101]
        def upgrade():
            op.drop_column("order", "note")
        """,
        **ONLY,
    ) == [("LB901", 2), ("LB102", 4)]


def test_a_suppression_naming_no_rule_is_reported() -> None:
    findings = lint_source(
        'def upgrade():\n    op.drop_table("a")  # lback: ignore[LB101, LB999]\n',
        "1_a.py",
        LintOptions(**ONLY),  # type: ignore[arg-type]
    )
    assert [(f.code, "LB999" in f.message) for f in findings] == [("LB901", True)]


def test_a_suppression_of_a_rule_that_did_not_run_is_not_reported() -> None:
    assert (
        codes(
            """
            def upgrade():
                op.create_index("ix", "t", ["c"])  # lback: ignore[LB204]
            """,
            **ONLY,
        )
        == []
    )


def test_a_suppression_inside_a_string_is_not_a_suppression() -> None:
    assert codes(
        """
        def upgrade():
            op.drop_table("account"); note = "# lback: ignore[LB101]"
        """,
        **ONLY,
    ) == [("LB101", 3)]
