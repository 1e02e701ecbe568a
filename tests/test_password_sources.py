"""A password from any source of the URL never reaches an output, on a real PostgreSQL run.

Each project's revision fails with an error that carries the URL it connected with, as a
driver's error may; the commands then report that error in stderr, ``--events`` and
``ci --json``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lback_migrations.commands import MigrationCommands
from tests.databases import Database
from tests.projects import AlembicProject

PASSWORD = "Very-s3cret-pa55word"
SLASHED = "Ab/cd77x"

LEAKING_UPGRADE = """
    bind = op.get_bind()
    given = context.get_x_argument(as_dictionary=True).get("url")
    raise RuntimeError(
        "cannot reach " + bind.engine.url.render_as_string(hide_password=False)
        + " (given " + repr(given) + ")"
    )
"""


def server_url(database: Database, password: str) -> str:
    url = database.url
    return f"postgresql+psycopg://{url.username}:{password}@{url.host}:{url.port}/{url.database}"


def write_revision(project: AlembicProject, upgrade: str) -> None:
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    (project.versions / "0001_leaks.py").write_text(
        '"""leaks"""\nfrom alembic import context, op\n\n'
        "revision = '0001'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n"
    )


@dataclass
class Scenario:
    """How the URL reaches the run, and each spelling of its password that must not show."""

    ini_lines: dict[str, str] = field(default_factory=dict)
    default_section: str = ""
    pyproject: str = ""
    env: dict[str, str] = field(default_factory=dict)
    x_url: str | None = None
    spellings: tuple[str, ...] = (PASSWORD,)


def scenarios(database: Database) -> dict[str, Scenario]:
    interpolated = server_url(database, "%(db_password)s")
    return {
        "ini interpolation, same section": Scenario(
            ini_lines={"db_password": PASSWORD, "sqlalchemy.url": interpolated}
        ),
        "ini interpolation, DEFAULT": Scenario(
            ini_lines={"sqlalchemy.url": interpolated},
            default_section=f"[DEFAULT]\ndb_password = {PASSWORD}\n\n",
        ),
        "url_env in pyproject.toml": Scenario(
            pyproject='[tool.lback-migrations]\nurl_env = "APP_DB"\n',
            env={"APP_DB": server_url(database, PASSWORD)},
        ),
        "-x url= with lower-case hex": Scenario(
            x_url=server_url(database, "Ab%2fcd77x"),
            spellings=(SLASHED, "Ab%2fcd77x", "Ab%2Fcd77x"),
        ),
    }


SCENARIO_NAMES = [
    "ini interpolation, same section",
    "ini interpolation, DEFAULT",
    "url_env in pyproject.toml",
    "-x url= with lower-case hex",
]


def leaking_project(root: Path, database: Database, scenario: Scenario) -> AlembicProject:
    project = AlembicProject.create(root, database)
    for key, value in scenario.ini_lines.items():
        project.set_main_option(key, value)
    if scenario.default_section:
        project.ini_path.write_text(scenario.default_section + project.ini_path.read_text())
    if scenario.pyproject:
        (root / "pyproject.toml").write_text(scenario.pyproject)
    project.environment.update(scenario.env)
    write_revision(project, LEAKING_UPGRADE)
    return project


def x_options(scenario: Scenario) -> list[str]:
    return ["-x", f"url={scenario.x_url}"] if scenario.x_url else []


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_migrate_shows_the_error_but_not_the_password_in_stderr_or_events(
    tmp_path: Path, postgresql_database: Database, name: str
) -> None:
    scenario = scenarios(postgresql_database)[name]
    project = leaking_project(tmp_path / "project", postgresql_database, scenario)
    events = tmp_path / "events.jsonl"
    done = project.lback(*x_options(scenario), "--events", str(events), "migrate", check=False)
    assert done.returncode != 0
    assert "cannot reach postgresql+psycopg://postgres:***@" in done.stdout + done.stderr
    for text in (done.stdout, done.stderr, events.read_text()):
        for spelling in scenario.spellings:
            assert spelling not in text


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_ci_json_reports_the_failure_but_not_the_password(
    tmp_path: Path, postgresql_database: Database, name: str
) -> None:
    scenario = scenarios(postgresql_database)[name]
    project = leaking_project(tmp_path / "project", postgresql_database, scenario)
    done = project.lback(
        *x_options(scenario), "ci", "--json", "--upgrade", "--no-lint", check=False
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert not report["ok"]
    for spelling in scenario.spellings:
        assert spelling not in done.stdout + done.stderr


BARE_PERCENT = "s%retPw9"


@pytest.mark.parametrize("program", ["alembic", "lback-migrations"])
def test_a_bare_percent_in_the_ini_password_is_one_line_that_says_to_write_two(
    tmp_path: Path, postgresql_database: Database, program: str
) -> None:
    project = AlembicProject.create(tmp_path / "project", postgresql_database)
    project.set_main_option("sqlalchemy.url", server_url(postgresql_database, BARE_PERCENT))
    command = project.alembic if program == "alembic" else project.lback
    done = command("upgrade", "head", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output
    assert "%%" in output
    assert "sqlalchemy.url" in output
    assert "retPw9" not in output


def test_the_subprocess_child_gets_the_x_url_but_not_on_its_command_line(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", postgresql_database)
    url = server_url(postgresql_database, PASSWORD)
    seen = tmp_path / "seen.json"
    write_revision(
        project,
        f"""
        import json, pathlib
        pathlib.Path({str(seen)!r}).write_text(json.dumps({{
            "cmdline": pathlib.Path("/proc/self/cmdline").read_bytes().decode(),
            "x_url": context.get_x_argument(as_dictionary=True).get("url"),
        }}))
        """,
    )
    commands = MigrationCommands(
        runner="subprocess", directory=project.root, x_arguments=[f"url={url}"], echo=False
    )
    result = commands.migrate()
    assert result.success, result.stderr
    child = json.loads(seen.read_text())
    assert child["x_url"] == url
    assert PASSWORD not in child["cmdline"]
    assert "url=" not in child["cmdline"]
    assert "lback_migrations" in child["cmdline"]
    assert f"url={url.replace(PASSWORD, '***')}" in result.full_command
    assert PASSWORD not in repr(result)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_the_stock_alembic_upgrade_shows_the_error_but_not_the_password(
    tmp_path: Path, postgresql_database: Database, name: str
) -> None:
    scenario = scenarios(postgresql_database)[name]
    project = leaking_project(tmp_path / "project", postgresql_database, scenario)
    done = project.alembic(*x_options(scenario), "upgrade", "head", check=False)
    assert done.returncode != 0
    assert "cannot reach postgresql+psycopg://postgres:***@" in done.stdout + done.stderr
    for spelling in scenario.spellings:
        assert spelling not in done.stdout + done.stderr
