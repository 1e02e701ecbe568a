"""``lback-migrations verify``: a history of revisions, each doing one thing, run on a shadow
database of every backend, and what the report says each of them really did.

The history is built once per backend (verify takes seconds on a server), run with the
installed ``lback-migrations verify --output-format json``, and each test reads one fact of the
report. Revisions in order:

``0001`` creates ``account``; ``0002`` is clean; ``0003`` drops a column; ``0004`` changes an
integer to a big integer; ``0005`` widens a ``VARCHAR``, ``0005n`` a ``NUMERIC``; ``0005t`` adds
a timestamp and gives it a time zone; ``0006`` creates an index; ``0007`` adds a ``NOT NULL``
column with a default; ``0008`` leaves a table behind after its downgrade; ``0009`` has an
empty downgrade. The revisions are upgraded from the first to the last, then downgraded from the
last to the first.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.databases import BACKENDS, fresh_database
from tests.projects import AlembicProject
from tests.shadows import shadow_leftovers


def change_type(column: str, new: str, old: str) -> str:
    """A batch ``alter_column`` of ``account.<column>`` from type ``old`` to ``new``."""
    return f"""
    with op.batch_alter_table("account") as batch:
        batch.alter_column(
            "{column}", type_={new}, existing_type={old}, existing_nullable=False
        )
    """


HISTORY: tuple[tuple[str, str, str], ...] = (
    (
        "0001",
        """
        op.create_table(
            "account",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("email", sa.String(50), nullable=False, unique=True),
            sa.Column("nickname", sa.String(30)),
            sa.Column("score", sa.Integer(), nullable=False),
            sa.Column("balance", sa.Numeric(10, 2), nullable=False),
        )
        """,
        'op.drop_table("account")',
    ),
    (
        "0002",
        'op.add_column("account", sa.Column("bio", sa.String(200)))',
        """
        with op.batch_alter_table("account") as batch:
            batch.drop_column("bio")
        """,
    ),
    (
        "0003",
        """
        with op.batch_alter_table("account") as batch:
            batch.drop_column("nickname")
        """,
        'op.add_column("account", sa.Column("nickname", sa.String(30)))',
    ),
    (
        "0004",
        change_type("score", "sa.BigInteger()", "sa.Integer()"),
        change_type("score", "sa.Integer()", "sa.BigInteger()"),
    ),
    (
        "0005",
        change_type("email", "sa.String(100)", "sa.String(50)"),
        change_type("email", "sa.String(50)", "sa.String(100)"),
    ),
    (
        "0005n",
        change_type("balance", "sa.Numeric(12, 2)", "sa.Numeric(10, 2)"),
        change_type("balance", "sa.Numeric(10, 2)", "sa.Numeric(12, 2)"),
    ),
    (
        "0005t",
        """
        op.add_column("account", sa.Column("seen", sa.DateTime()))
        with op.batch_alter_table("account") as batch:
            batch.alter_column(
                "seen", type_=sa.DateTime(timezone=True), existing_type=sa.DateTime()
            )
        """,
        """
        with op.batch_alter_table("account") as batch:
            batch.drop_column("seen")
        """,
    ),
    (
        "0006",
        'op.create_index("ix_account_score", "account", ["score"])',
        'op.drop_index("ix_account_score", table_name="account")',
    ),
    (
        "0007",
        """
        op.add_column(
            "account", sa.Column("level", sa.Integer(), nullable=False, server_default="1")
        )
        """,
        """
        with op.batch_alter_table("account") as batch:
            batch.drop_column("level")
        """,
    ),
    (
        "0008",
        """
        op.add_column("account", sa.Column("age", sa.Integer()))
        op.execute("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY)")
        """,
        """
        with op.batch_alter_table("account") as batch:
            batch.drop_column("age")
        """,
    ),
    (
        "0009",
        'op.add_column("account", sa.Column("flag", sa.Boolean()))',
        "pass",
    ),
)


def write_history(project: AlembicProject, history: tuple[tuple[str, str, str], ...]) -> None:
    down: str | None = None
    for revision, upgrade, downgrade in history:
        project.write_revision(revision, upgrade, down_revision=down, downgrade=downgrade)
        down = revision


@dataclass(frozen=True)
class Verified:
    """One verify run of :data:`HISTORY`: the report, the process, what it left behind."""

    backend: str
    report: dict[str, Any]
    process: subprocess.CompletedProcess[str]
    leftovers: list[str]
    configured_tables: set[str]

    def revision(self, revision: str) -> dict[str, Any]:
        return next(item for item in self.report["revisions"] if item["revision"] == revision)

    def statements(self, revision: str, direction: str = "upgrade") -> list[dict[str, Any]]:
        return [s for s in self.revision(revision)["statements"] if s["direction"] == direction]

    def lint(self, revision: str, code: str) -> list[str]:
        return [item["verdict"] for item in self.revision(revision)["lint"] if item["code"] == code]


# one worker runs verify once per backend for all the tests of this module
pytestmark = pytest.mark.xdist_group("verify")


@pytest.fixture(scope="module", params=BACKENDS)
def verified(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Verified]:
    root = tmp_path_factory.mktemp(f"verify_{request.param}")
    with fresh_database(request.param, root) as database:
        project = AlembicProject.create(root / "project", database)
        write_history(project, HISTORY)
        temporary = root / "tmp"
        temporary.mkdir()
        process = project.lback(
            "verify", "--output-format", "json", check=False, env={"TMPDIR": str(temporary)}
        )
        assert process.stdout.startswith("{"), process.stdout + process.stderr
        yield Verified(
            request.param,
            json.loads(process.stdout),
            process,
            shadow_leftovers(database, temporary),
            database.table_names(),
        )


def only(verified: Verified, *backends: str) -> None:
    if verified.backend not in backends:
        pytest.skip(f"the behaviour belongs to {', '.join(backends)}")


def test_the_report_names_the_shadow_dialect(verified: Verified) -> None:
    assert verified.report["dialect"] == verified.backend


def test_a_clean_revision_is_reversible_restores_its_schema_and_loses_nothing(
    verified: Verified,
) -> None:
    clean = verified.revision("0002")
    assert clean["ok"]
    assert clean["reversible"]
    assert clean["schema_restored"]
    assert clean["data_lost_on_upgrade"] == []
    assert clean["data_lost_on_downgrade"] == []
    assert [s["sql"].split()[:2] for s in verified.statements("0002")] == [["ALTER", "TABLE"]]


def test_the_seeded_rows_are_accepted(verified: Verified) -> None:
    assert verified.revision("0002")["rows_refused"] == {}


def test_a_dropped_column_loses_data_on_upgrade_and_again_on_downgrade(
    verified: Verified,
) -> None:
    dropped = verified.revision("0003")
    assert dropped["data_lost_on_upgrade"] == ["account.nickname"]
    assert dropped["data_lost_on_downgrade"] == ["account.nickname"]
    assert dropped["reversible"]
    assert dropped["ok"]


def test_the_drop_column_finding_is_confirmed_by_the_data_lost(verified: Verified) -> None:
    assert verified.lint("0003", "LB102") == ["confirmed"]


def test_an_integer_to_bigint_change_rewrites_the_table(verified: Verified) -> None:
    rewrites = {table for s in verified.statements("0004") for table in s["rewrites"]}
    assert rewrites == {"account"}
    assert verified.lint("0004", "LB203")[0] == "confirmed"


def test_a_rewriting_type_change_holds_an_access_exclusive_lock_on_postgresql(
    verified: Verified,
) -> None:
    only(verified, "postgresql")
    (statement,) = verified.statements("0004")
    assert {"relation": "account", "mode": "AccessExclusiveLock"} in statement["locks"]


def test_a_varchar_widening_rewrites_nothing_on_postgresql_and_refutes_lb203(
    verified: Verified,
) -> None:
    only(verified, "postgresql")
    (statement,) = verified.statements("0005")
    assert statement["sql"].startswith("ALTER TABLE account ALTER COLUMN email TYPE VARCHAR(100)")
    assert statement["rewrites"] == []
    # A linter that knows PostgreSQL does not report the widening; one that does not is refuted.
    # Shortening it again (the downgrade) rewrites the table and confirms the finding.
    assert verified.lint("0005", "LB203") in (["refuted", "confirmed"], ["confirmed"])


def test_a_numeric_precision_widening_rewrites_nothing_on_postgresql_and_lb203_knows_it(
    verified: Verified,
) -> None:
    only(verified, "postgresql")
    (statement,) = verified.statements("0005n")
    assert statement["sql"].startswith(
        "ALTER TABLE account ALTER COLUMN balance TYPE NUMERIC(12, 2)"
    )
    assert statement["rewrites"] == []
    # only the downgrade's narrowing is reported, and it does rewrite the table
    assert verified.lint("0005n", "LB203") == ["confirmed"]


def test_a_time_zone_change_a_utc_server_does_in_place_refutes_lb203(
    verified: Verified,
) -> None:
    # LB203 cannot know the server's time zone: timestamp -> timestamptz rewrites the table
    # unless the session runs in UTC, as the test server does
    only(verified, "postgresql")
    (_, altered) = verified.statements("0005t")
    assert "TYPE TIMESTAMP WITH TIME ZONE" in altered["sql"]
    assert altered["rewrites"] == []
    assert verified.lint("0005t", "LB203") == ["refuted"]


def test_an_index_built_without_concurrently_holds_a_share_lock_on_postgresql(
    verified: Verified,
) -> None:
    only(verified, "postgresql")
    (statement,) = verified.statements("0006")
    assert {"relation": "account", "mode": "ShareLock"} in statement["locks"]
    assert statement["rewrites"] == []
    assert verified.lint("0006", "LB204")[0] == "confirmed"


def test_a_not_null_column_with_a_default_is_added_without_a_rewrite(
    verified: Verified,
) -> None:
    only(verified, "postgresql", "mariadb")
    (statement,) = verified.statements("0007")
    assert "ADD COLUMN level" in statement["sql"]
    assert statement["rewrites"] == []


def test_a_downgrade_that_leaves_a_table_behind_does_not_restore_the_schema(
    verified: Verified,
) -> None:
    trace = verified.revision("0008")
    assert trace["reversible"]
    assert not trace["schema_restored"]
    assert "+ table audit" in trace["schema_differences"]
    assert not trace["ok"]


def test_an_empty_downgrade_is_not_reversible(verified: Verified) -> None:
    empty = verified.revision("0009")
    assert verified.statements("0009", "downgrade") == []
    assert not empty["reversible"]
    assert verified.lint("0009", "LB105") == ["confirmed"]


def test_a_revision_below_an_empty_downgrade_is_judged_on_its_own_schema(
    verified: Verified,
) -> None:
    # 0009's column is still there when 0008 comes down: 0008 is judged from the schema its
    # own upgrade left, and only its own trace is reported
    assert verified.revision("0008")["schema_differences"] == ["+ table audit"]
    assert verified.revision("0007")["ok"]


def test_every_revision_of_the_history_is_reported_in_order(verified: Verified) -> None:
    reported = [item["revision"] for item in verified.report["revisions"]]
    assert reported == [revision for revision, _, _ in HISTORY]
    assert all(verified.statements(revision, "downgrade") for revision in reported[:-1])


def test_the_run_fails_with_exit_code_1(verified: Verified) -> None:
    assert verified.report["ok"] is False
    assert verified.process.returncode == 1


def test_every_statement_reports_its_time_and_revision_line(verified: Verified) -> None:
    statements = [s for item in verified.report["revisions"] for s in item["statements"]]
    assert all(s["seconds"] > 0 for s in statements)
    assert all(isinstance(s["line"], int) for s in statements)


def test_the_shadow_database_is_gone_after_the_run(verified: Verified) -> None:
    assert verified.leftovers == []


def test_the_configured_database_is_never_touched(verified: Verified) -> None:
    assert verified.configured_tables == set()
