"""Lint rules of other packages: the example rule package in ``examples/lint_rule_package``,
installed with pip, runs beside the shipped rules with no configuration and is selected,
ignored and suppressed like them."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, write_revision

# one worker installs the rule package once for all these tests
pytestmark = pytest.mark.xdist_group("rule_package")

PACKAGE = Path(__file__).resolve().parents[1] / "examples" / "lint_rule_package"
DELETE_BODY = """
    def upgrade() -> None:
        op.execute("DELETE FROM session")


    def downgrade() -> None:
        op.execute("INSERT INTO session_archive SELECT 1 WHERE 1 = 0")
"""


@pytest.fixture(scope="module")
def rule_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example rule package, installed by pip into a directory of its own."""
    target = tmp_path_factory.mktemp("site")
    # without isolation when the build backend is at hand: no download
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            *isolation,
            "--target",
            str(target),
            str(PACKAGE),
        ],
        check=True,
        capture_output=True,
    )
    return target


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database, rule_package: Path) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    created.environment["PYTHONPATH"] = str(rule_package)
    write_revision(created, "a1", None, CLEAN_BODY)
    write_revision(created, "b2", "a1", DELETE_BODY)
    return created


def test_an_installed_rule_package_runs_with_no_configuration(project: AlembicProject) -> None:
    result = project.lback("lint", check=False)
    assert result.returncode == 1
    assert "b2_change.py:9:5: ACME101 DELETE without WHERE empties 'session'" in result.stdout


def test_an_installed_rule_is_ignored_like_a_shipped_one(project: AlembicProject) -> None:
    result = project.lback("lint", "--ignore", "ACME101", check=False)
    assert " ACME101 " not in result.stdout
    assert result.returncode == 0


def test_an_installed_rule_is_selected_like_a_shipped_one(project: AlembicProject) -> None:
    result = project.lback("lint", "--select", "ACME", check=False)
    assert {line.split(" ")[1] for line in result.stdout.splitlines()[:-1]} == {"ACME101"}


def test_an_installed_rule_is_suppressed_like_a_shipped_one(project: AlembicProject) -> None:
    revision = project.versions / "b2_change.py"
    revision.write_text(
        revision.read_text().replace(
            'op.execute("DELETE FROM session")',
            'op.execute("DELETE FROM session")  # lback: ignore[ACME101]',
        )
    )
    assert project.lback("lint").stdout == ""


def test_an_installed_rule_runs_in_the_post_write_hook(project: AlembicProject) -> None:
    template = project.root / "migrations" / "script.py.mako"
    template.write_text(
        template.read_text().replace(
            '${upgrades if upgrades else "pass"}', 'op.execute("DELETE FROM session")', 1
        )
    )
    result = project.alembic("revision", "-m", "purge sessions", check=False)
    assert result.returncode != 0
    assert " ACME101 DELETE without WHERE empties 'session'" in result.stdout
    assert "(ACME101) at or above fail_on = error" in result.stdout + result.stderr


def test_the_example_rule_s_own_examples_hold(rule_package: Path) -> None:
    check = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from acme_lint_rules.delete_without_where import DeleteWithoutWhere as R;"
        "from lback_migrations.lint.config import LintOptions;"
        "from lback_migrations.lint.engine import lint_source;"
        "codes = [[f.code for f in lint_source(e.source, 'x.py', LintOptions())] for e in"
        " (*R.VALID, *R.INVALID)];"
        "assert codes[0].count('ACME101') == 0 and codes[1].count('ACME101') == 1, codes"
    )
    subprocess.run([sys.executable, "-c", check, str(rule_package)], check=True)
