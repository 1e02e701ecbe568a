"""``lback-migrations verify`` as a user runs it: exit codes, options, the shadow database's
lifecycle (interrupted, refused), its signals through both runners, and ``ci --verify``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lback_migrations.commands import MigrationCommands
from tests.databases import SERVER_URLS, Database, fresh_database
from tests.projects import AlembicProject, command_path
from tests.shadows import shadow_leftovers

CREATE_ACCOUNT = """
op.create_table(
    "account",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(50), nullable=False),
    sa.Column("nickname", sa.String(30)),
)
"""
DROP_NICKNAME = """
with op.batch_alter_table("account") as batch:
    batch.drop_column("nickname")
"""
ADD_NICKNAME = 'op.add_column("account", sa.Column("nickname", sa.String(30)))'
MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(50), nullable=False),
    sa.Column("nickname", sa.String(30)),
)
"""


def project_with_history(root: Path, database: Database, *, models: bool = False) -> AlembicProject:
    """``0001`` creates ``account``, ``0002`` drops its ``nickname`` column."""
    options = {"target_metadata": "app.models:metadata"} if models else {}
    project = AlembicProject.create(
        root, database, models=MODELS if models else None, options=options
    )
    project.write_revision(
        "0001", CREATE_ACCOUNT, down_revision=None, downgrade='op.drop_table("account")'
    )
    project.write_revision("0002", DROP_NICKNAME, down_revision="0001", downgrade=ADD_NICKNAME)
    return project


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    return project_with_history(tmp_path / "project", sqlite_database)


def verify_json(project: AlembicProject, *args: str) -> tuple[int, dict[str, object]]:
    done = project.lback("verify", "--output-format", "json", *args, check=False)
    return done.returncode, json.loads(done.stdout)


def test_a_revision_losing_data_is_reported_without_failing_the_run(
    project: AlembicProject,
) -> None:
    code, report = verify_json(project)
    assert code == 0
    assert report["ok"] is True
    assert report["revisions"][1]["data_lost_on_upgrade"] == ["account.nickname"]


def test_fail_on_data_loss_fails_the_run(project: AlembicProject) -> None:
    code, report = verify_json(project, "--fail-on", "data-loss")
    assert code == 1
    assert report["ok"] is False


def test_fail_on_rewrite_fails_on_a_batch_recreation(project: AlembicProject) -> None:
    code, report = verify_json(project, "--fail-on", "rewrite")
    assert code == 1
    rewrites = [s["rewrites"] for s in report["revisions"][1]["statements"] if s["rewrites"]]
    assert rewrites == [["account"]]


def test_no_data_seeds_nothing_and_checks_no_data(project: AlembicProject) -> None:
    code, report = verify_json(project, "--no-data")
    assert code == 0
    assert report["revisions"][1]["data_lost_on_upgrade"] == []
    assert report["revisions"][1]["rows_refused"] == {}


def test_from_and_to_choose_the_revisions(project: AlembicProject) -> None:
    project.write_revision(
        "0003", ADD_NICKNAME.replace("nickname", "bio"), down_revision="0002", downgrade="pass"
    )
    _, report = verify_json(project, "--from", "0002", "--to", "0002")
    assert [item["revision"] for item in report["revisions"]] == ["0002"]


def test_values_a_revision_above_lost_are_not_counted_against_the_downgrade_below(
    project: AlembicProject,
) -> None:
    # 0003 comes down first and gives nickname back empty; 0002's downgrade, which runs after
    # it, lost nothing itself
    add_bio = ADD_NICKNAME.replace("nickname", "bio")
    drop_bio = DROP_NICKNAME.replace("nickname", "bio")
    project.write_revision("0002", add_bio, down_revision="0001", downgrade=drop_bio)
    project.write_revision("0003", DROP_NICKNAME, down_revision="0002", downgrade=ADD_NICKNAME)
    done = project.lback("verify", "--output-format", "json", check=False)
    revisions = {item["revision"]: item for item in json.loads(done.stdout)["revisions"]}
    assert revisions["0003"]["data_lost_on_downgrade"] == ["account.nickname"]
    assert revisions["0002"]["data_lost_on_downgrade"] == []


def test_an_unknown_revision_is_one_line_and_exit_code_2(project: AlembicProject) -> None:
    done = project.lback("verify", "--from", "nosuch", check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("FAILED: --from: ")


def test_the_text_output_ends_with_the_summary_line(project: AlembicProject) -> None:
    done = project.lback("verify", check=False)
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "0001: ok"
    assert "  data lost on upgrade: account.nickname" in lines
    assert lines[-1].startswith("OK: 2 revision(s) verified on sqlite, 0 failed, 1 losing data")


def git(project: AlembicProject, *args: str) -> None:
    project.run("git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args)


def test_since_git_verifies_only_the_revisions_added_since_the_ref(
    project: AlembicProject,
) -> None:
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "history")
    project.write_revision(
        "0003", ADD_NICKNAME.replace("nickname", "bio"), down_revision="0002", downgrade="pass"
    )
    code, report = verify_json(project, "--since-git", "HEAD")
    assert [item["revision"] for item in report["revisions"]] == ["0003"]
    assert code == 1  # its downgrade is empty


def test_drift_between_the_models_and_the_head_fails_the_run(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", sqlite_database, models=True)
    code, report = verify_json(project)
    assert report["drift_checked"] is True
    assert report["drift"] == ["add_column account.nickname"]
    assert code == 1


def test_models_matching_the_head_pass_and_ci_verify_reports_it(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", sqlite_database, models=True)
    project.write_revision("0003", ADD_NICKNAME, down_revision="0002", downgrade=DROP_NICKNAME)
    (project.versions / "HEADS").write_text("0003\n")  # a revision written by hand updates HEADS
    done = project.lback("ci", "--upgrade", "--no-lint", "--verify", "--json", check=False)
    checks = {check["name"]: check for check in json.loads(done.stdout)["checks"]}
    assert checks["verify"]["status"] == "ok", checks["verify"]
    assert checks["verify"]["summary"] == "3 revision(s) reversible on a shadow database"
    assert done.returncode == 0


def test_ci_verify_fails_on_a_revision_that_is_not_reversible(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", sqlite_database, models=True)
    project.write_revision("0003", ADD_NICKNAME, down_revision="0002", downgrade="pass")
    done = project.lback("ci", "--upgrade", "--no-lint", "--verify", "--json", check=False)
    checks = {check["name"]: check for check in json.loads(done.stdout)["checks"]}
    assert checks["verify"]["status"] == "failed"
    assert checks["verify"]["details"] == ["0003"]
    assert done.returncode == 1


@pytest.mark.parametrize("runner", ["inprocess", "subprocess"])
def test_both_runners_send_a_verify_step_per_revision_and_the_completed_report(
    project: AlembicProject, runner: str
) -> None:
    commands = MigrationCommands(directory=project.root, runner=runner, echo=False)
    result = commands.verify(fail_on=["data-loss"])
    names = [name for name, _ in result.events]
    assert names == ["migration_verify_step", "migration_verify_step", "migration_verify_completed"]
    steps = [kwargs for name, kwargs in result.events if name == "migration_verify_step"]
    # sent as each revision's downgrade is judged: from the last revision down
    assert [(step["revision"], step["ok"]) for step in steps] == [("0002", True), ("0001", True)]
    completed = result.events[-1][1]
    assert completed["ok"] is False
    assert completed["report"]["revisions"][1]["data_lost_on_upgrade"] == ["account.nickname"]
    assert result.returncode == 1
    assert json.loads(result.stdout) == completed["report"]


# -- the shadow database's lifecycle -----------------------------------------------------------

SLEEPING_UPGRADE = """
import os
import pathlib
import time

pathlib.Path(os.environ["LBACK_TEST_MARKER"]).touch()
time.sleep(120)
"""


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path) as created:
        yield created


def test_the_shadow_database_is_dropped_when_the_run_is_interrupted(
    tmp_path: Path, any_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", any_database)
    project.write_revision("0003", SLEEPING_UPGRADE, down_revision="0002", downgrade="pass")
    marker, temporary = tmp_path / "marker", tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary), "LBACK_TEST_MARKER": str(marker)}
    process = subprocess.Popen(
        [command_path("lback-migrations"), "verify"],
        cwd=project.root,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), process.stderr.read() if process.stderr else ""
        assert shadow_leftovers(any_database, temporary) != []
        process.send_signal(signal.SIGINT)
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert shadow_leftovers(any_database, temporary) == []


@pytest.fixture
def role_without_createdb(postgresql_database: Database) -> Iterator[str]:
    """A PostgreSQL login role that may not create databases (unique name, dropped after)."""
    name = f"lback_nocreatedb_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(
        SERVER_URLS["postgresql"], poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN NOCREATEDB")
    try:
        yield name
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {name}")
        engine.dispose()


def test_a_failing_downgrade_in_the_middle_still_lets_every_downgrade_below_run(
    tmp_path: Path, any_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", any_database)
    project.write_revision(
        "0002",
        ADD_NICKNAME.replace("nickname", "bio"),
        down_revision="0001",
        downgrade='op.drop_column("account", "no_such_column")',
    )
    project.write_revision(
        "0003",
        ADD_NICKNAME.replace("nickname", "age"),
        down_revision="0002",
        downgrade=DROP_NICKNAME.replace("nickname", "age"),
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = project.lback(
        "verify", "--output-format", "json", check=False, env={"TMPDIR": str(temporary)}
    )
    revisions = {item["revision"]: item for item in json.loads(done.stdout)["revisions"]}
    assert revisions["0003"]["ok"]
    assert revisions["0002"]["error"].startswith("downgrade: ")
    assert not revisions["0002"]["reversible"]
    assert revisions["0001"]["ok"]
    downgrades = [
        s["sql"] for s in revisions["0001"]["statements"] if s["direction"] == "downgrade"
    ]
    assert downgrades == ["DROP TABLE account"]
    assert done.returncode == 1
    assert shadow_leftovers(any_database, temporary) == []


def test_a_user_who_may_not_create_databases_is_told_to_pass_shadow_url(
    tmp_path: Path, postgresql_database: Database, role_without_createdb: str
) -> None:
    project = project_with_history(tmp_path / "project", postgresql_database)
    url = postgresql_database.url.set(username=role_without_createdb)
    project.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    done = project.lback("verify", check=False)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "may not create databases" in line
    assert "pass --shadow-url" in line


def test_shadow_url_runs_on_the_given_database_and_empties_it_after(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", postgresql_database)
    with fresh_database("postgresql", tmp_path) as shadow:
        url = shadow.url_string
        code, report = verify_json(project, "--shadow-url", url)
        assert (code, report["ok"]) == (0, True)
        assert shadow.table_names() == set()
    assert shadow_leftovers(postgresql_database, tmp_path) == []


def test_shadow_url_refuses_a_database_that_holds_tables(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = project_with_history(tmp_path / "project", sqlite_database)
    occupied = tmp_path / "occupied.db"
    engine = sa.create_engine(f"sqlite:///{occupied}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE keep (id INTEGER PRIMARY KEY)")
    engine.dispose()
    done = project.lback("verify", "--shadow-url", f"sqlite:///{occupied}", check=False)
    assert done.returncode == 2
    assert "holds 1 table(s)" in done.stderr
    assert sa.inspect(sa.create_engine(f"sqlite:///{occupied}")).get_table_names() == ["keep"]


def test_an_async_template_project_is_verified_on_a_synchronous_shadow_connection(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database, template="lback_async")
    project.write_revision(
        "0001", upgrade=CREATE_ACCOUNT, down_revision=None, downgrade='op.drop_table("account")'
    )
    code, report = verify_json(project)
    assert (code, report["ok"]) == (0, True)
    assert report["revisions"][0]["statements"][0]["sql"].startswith("CREATE TABLE account")
