"""The pytest plugin: the example project's ready-made tests, run with pytest as its users run
them, turned on by one line, failing for a broken revision, and the shadow database fixture."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.databases import Database
from tests.projects import EXAMPLES
from tests.shadows import shadow_leftovers

READY_MADE = (
    "test_single_head",
    "test_upgrade_downgrade_each_step",
    "test_models_match_head",
    "test_no_data_lost_on_upgrade",
)


def example(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "verify", root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def pytest_in(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return done.stdout + done.stderr


def test_the_example_project_passes_the_ready_made_tests(tmp_path: Path) -> None:
    output = pytest_in(example(tmp_path))
    for name in READY_MADE:
        assert f"PASSED lback-migrations::{name}" in output, output
    assert "4 passed" in output


def test_the_ini_option_turns_the_ready_made_tests_on_instead_of_conftest(
    tmp_path: Path,
) -> None:
    root = example(tmp_path)
    (root / "conftest.py").unlink()
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("# lback_migrations_tests", "lback_migrations_tests")
    )
    assert "4 passed" in pytest_in(root)


def test_without_either_line_no_ready_made_test_is_collected(tmp_path: Path) -> None:
    root = example(tmp_path)
    (root / "conftest.py").unlink()
    assert "no tests ran" in pytest_in(root)


def test_a_revision_with_an_empty_downgrade_fails_the_stairway_test(tmp_path: Path) -> None:
    root = example(tmp_path)
    revision = (root / "migrations/versions/0003_longer_email.py").read_text()
    broken = revision.replace('revision = "0003"', 'revision = "0004"').replace(
        'down_revision = "0002"', 'down_revision = "0003"'
    )
    broken = broken[: broken.index("def downgrade")] + "def downgrade() -> None:\n    pass\n"
    (root / "migrations/versions/0004_broken.py").write_text(broken)
    output = pytest_in(root)
    assert "FAILED lback-migrations::test_upgrade_downgrade_each_step" in output
    assert "0004: not reversible" in output
    assert "PASSED lback-migrations::test_single_head" in output


def test_the_shadow_url_fixture_gives_a_database_dropped_after_the_test(
    tmp_path: Path, database: Database
) -> None:
    root = example(tmp_path)
    ini = root / "alembic.ini"
    ini.write_text(
        "\n".join(
            f"sqlalchemy.url = {database.url_string}" if line.startswith("sqlalchemy.url") else line
            for line in ini.read_text().splitlines()
        )
    )
    (root / "test_shadow.py").write_text(
        textwrap.dedent(
            f"""
            import sqlalchemy as sa


            def test_shadow(lback_shadow_url):
                assert lback_shadow_url.database != {database.url.database!r}
                engine = sa.create_engine(lback_shadow_url)
                with engine.begin() as connection:
                    connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
                engine.dispose()
            """
        )
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    output = pytest_in(root, "test_shadow.py", "-k", "shadow", env={"TMPDIR": str(temporary)})
    assert "PASSED test_shadow.py::test_shadow" in output, output
    assert shadow_leftovers(database, temporary) == []
    assert database.table_names() == set()


def test_loading_the_plugin_imports_neither_alembic_nor_sqlalchemy() -> None:
    probe = (
        "import sys, lback_migrations.pytest_plugin; "
        "print(sorted({'alembic', 'sqlalchemy', 'hypothesis'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
