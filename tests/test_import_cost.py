"""What every Alembic command pays for lback-migrations: no formatter, no linter at import time;
and what ``lint`` and ``format`` pay for Alembic: nothing, over files they know already.

Alembic imports the ``lback`` plugin on every ``import alembic``, and every command runs
``env.py``; only the post-write hooks may import libcst and black, and only when they run.
``lback-migrations lint`` and ``format`` answer from their cache without importing Alembic,
SQLAlchemy or the process pool. Timings live in ``benchmarks/import_alembic.py``,
``lint_history.py`` and ``format_check.py``; these tests pin down the imports themselves.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from lback_migrations.result_cache import SETTLED_NS
from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import AlembicProject, command_path

HEAVY = ("libcst", "black")

REPORT_MODULES = """
import json, sys
print(json.dumps(sorted(
    name for name in sys.modules if name.split(".")[0] in ("libcst", "black", "lback_migrations")
)))
"""


def loaded_modules(project: AlembicProject, statements: str) -> list[str]:
    """Run ``statements`` in a fresh interpreter in ``project`` and list the modules of
    interest it imported."""
    result = project.run(sys.executable, "-c", statements + REPORT_MODULES)
    modules: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return modules


def heavy(modules: list[str]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in HEAVY]


def test_import_alembic_loads_the_plugin_without_libcst_or_black(
    tmp_path: Path, sqlite_database: Database
) -> None:
    modules = loaded_modules(AlembicProject(tmp_path, sqlite_database), "import alembic\n")
    assert "lback_migrations.plugin" in modules
    assert not heavy(modules)


def test_running_the_template_env_py_imports_neither_libcst_nor_black(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path, sqlite_database, models=ACCOUNT_MODELS, options={"target_metadata": BASE_METADATA}
    )
    assert project.autogenerate("create account") is not None
    modules = loaded_modules(
        project,
        "from alembic import command\n"
        "from alembic.config import Config\n"
        "config = Config('alembic.ini')\n"
        "command.upgrade(config, 'head')\n"
        "command.check(config)\n",
    )
    assert "lback_migrations.environment" in modules
    assert "account" in sqlite_database.table_names()
    assert not heavy(modules)


def test_building_the_command_line_imports_neither_libcst_nor_black(
    tmp_path: Path, sqlite_database: Database
) -> None:
    modules = loaded_modules(
        AlembicProject(tmp_path, sqlite_database),
        "from lback_migrations.cli import LbackCommandLine\nLbackCommandLine()\n",
    )
    assert "lback_migrations.cli" in modules
    assert not heavy(modules)


IMPORT_TIME_NAME = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", re.M)


def command_imports(project: AlembicProject, *arguments: str) -> set[str]:
    """The modules ``lback-migrations ARGUMENTS`` imports with an import statement, as
    ``python -X importtime`` lists them when it runs the real command (a module loaded by
    :func:`importlib.import_module` is not listed, the modules it imports are)."""
    result = project.run(
        sys.executable, "-X", "importtime", "-m", "lback_migrations", *arguments, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    return set(IMPORT_TIME_NAME.findall(result.stderr))


def database_packages(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name.split(".")[0] in ("alembic", "sqlalchemy"))


def revised_project(tmp_path: Path, database: Database) -> AlembicProject:
    project = AlembicProject.create(
        tmp_path, database, models=ACCOUNT_MODELS, options={"target_metadata": BASE_METADATA}
    )
    assert project.autogenerate("create account") is not None
    return project


def warm_up(project: AlembicProject, *arguments: str) -> None:
    """Run ``lback-migrations ARGUMENTS`` until its cache holds everything: the results, then
    (once the files are old enough) their statuses, so that the next run writes nothing."""
    project.run(command_path("lback-migrations"), *arguments, check=False)
    time.sleep(SETTLED_NS / 1e9 + 0.2)
    project.run(command_path("lback-migrations"), *arguments, check=False)


def test_a_warm_lint_imports_neither_alembic_nor_sqlalchemy(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = revised_project(tmp_path, sqlite_database)
    warm_up(project, "lint")
    modules = command_imports(project, "lint")
    assert "lback_migrations.lint.rules" in modules
    assert database_packages(modules) == []
    assert "concurrent.futures" not in modules  # no process pool over unchanged files
    # the options' fingerprint names the shipped rules by their modules, without importing them
    program = (
        "import sys\n"
        "from lback_migrations.launcher import main\n"
        "try:\n"
        "    main(['lint'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([name for name in sys.modules if name.startswith('lback_migrations.lint.rules.')])"
    )
    assert project.run(sys.executable, "-c", program).stdout.splitlines()[-1] == "[]"


def test_a_warm_format_check_imports_neither_alembic_nor_sqlalchemy(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = revised_project(tmp_path, sqlite_database)
    warm_up(project, "format", "--check")
    modules = command_imports(project, "format", "--check")
    assert "lback_migrations.formatting.options" in modules
    assert database_packages(modules) + heavy(sorted(modules)) == []
    assert "concurrent.futures" not in modules  # no process pool over unchanged files


def test_another_command_still_runs_through_alembics_command_line(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = revised_project(tmp_path, sqlite_database)
    modules = command_imports(project, "heads")
    assert "lback_migrations.cli" in modules
    assert "alembic" in modules
