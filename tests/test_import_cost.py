"""What every Alembic command pays for lback-migrations: no formatter, no linter at import time.

Alembic imports the ``lback`` plugin on every ``import alembic``, and every command runs
``env.py``; only the post-write hooks may import libcst and black, and only when they run.
Timings live in ``benchmarks/import_alembic.py``; these tests pin down the imports themselves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import AlembicProject

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
