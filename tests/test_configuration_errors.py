"""Bad configuration fails ``alembic revision --autogenerate`` with one line and writes nothing.

Each case runs the stock ``alembic`` command against a real database and checks the whole
contract: exit code, the exact ``FAILED:`` line (naming the key, the file and the fix), the same
message logged once on stderr with no traceback, no revision file, no table created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA, TARGET_BASE_METADATA
from tests.projects import AlembicProject

LEGACY = """
    from sqlalchemy import Column, Integer, MetaData, Table

    metadata = MetaData()
    Table("account", metadata, Column("id", Integer, primary_key=True))
"""
IMPORTS_A_BROKEN_HELPER = """
    from sqlalchemy.orm import DeclarativeBase

    from app.helpers import slugify


    class Base(DeclarativeBase):
        pass
"""
BROKEN_HELPER = """
    import re

    from app.missing_text_tools import normalise
"""


@dataclass(frozen=True)
class Case:
    """One bad configuration and the line ``alembic`` must print for it.

    ``{ini}`` and ``{pyproject}`` in ``message`` stand for the files as the error names them
    (as Alembic found them: relative to the project directory).
    """

    options: dict[str, str]
    message: str
    pyproject: str | None = None
    modules: dict[str, str] = field(default_factory=dict)


CASES = {
    "module_not_found": Case(
        {"target_metadata": "app.modelz:Base.metadata"},
        "lback.target_metadata in {ini}: cannot import 'app.modelz' (No module named "
        "'app.modelz'); check the module path and that prepend_sys_path puts your project on "
        "sys.path",
    ),
    "not_an_import_path": Case(
        {"target_metadata": "app.models.Base.metadata"},
        "lback.target_metadata in {ini}: 'app.models.Base.metadata' is not an import path; "
        "write it as module.path:attribute, e.g. myapp.models:Base.metadata",
    ),
    "attribute_missing": Case(
        {"target_metadata": "app.models:Base.metadta"},
        "lback.target_metadata in {ini}: app.models:Base has no attribute 'metadta'; "
        "name an attribute that exists, e.g. myapp.models:Base.metadata",
    ),
    "not_a_metadata": Case(
        {"target_metadata": "app.models:Base"},
        "lback.target_metadata in {ini}: app.models:Base is the class Base, not a sqlalchemy "
        "MetaData; write app.models:Base.metadata",
    ),
    "unknown_option": Case(
        {"target_metadata": BASE_METADATA, "shemas": "audit"},
        "[alembic] lback.shemas in {ini}: unknown option; did you mean 'schemas'?",
    ),
    "duplicate_table": Case(
        {"target_metadata": f"{BASE_METADATA}, app.legacy:metadata"},
        "lback.target_metadata in {ini}: table 'account' is defined by both "
        "app.models:Base.metadata and app.legacy:metadata; keep it in one MetaData or remove "
        "one of them from the list",
        modules={"app/legacy.py": LEGACY},
    ),
    "invalid_boolean": Case(
        {"target_metadata": BASE_METADATA, "drop_unknown_tables": "maybe"},
        "[alembic] lback.drop_unknown_tables in {ini}: expected true or false, got 'maybe'; "
        "write true or false",
    ),
    "invalid_boolean_in_pyproject": Case(
        {"target_metadata": BASE_METADATA},
        "[tool.lback-migrations] only_metadata_tables in {pyproject}: expected true or false, "
        "got 'yes please'; write true or false",
        pyproject='[tool.lback-migrations]\nonly_metadata_tables = "yes please"\n',
    ),
    "unknown_object_type": Case(
        {"target_metadata": BASE_METADATA, "exclude_object_types": "index, indexes"},
        "[alembic] lback.exclude_object_types in {ini}: unknown object type 'indexes'; "
        "use some of: table, column, index, unique_constraint, foreign_key_constraint",
    ),
    "import_error_inside_the_models": Case(
        {"target_metadata": BASE_METADATA},
        "app/helpers.py, line 4: No module named 'app.missing_text_tools' (while importing "
        "'app.models', named by lback.target_metadata in {ini}); fix that import or install "
        "the module it needs",
        modules={"app/models.py": IMPORTS_A_BROKEN_HELPER, "app/helpers.py": BROKEN_HELPER},
    ),
    "target_metadata_not_set": Case(
        {},
        "lback.target_metadata in {ini}: is not set, so there are no models to compare with "
        "the database; set lback.target_metadata = myapp.models:Base.metadata in the [alembic] "
        "section, or target_metadata in [tool.lback-migrations] of pyproject.toml",
    ),
    "misspelt_pyproject_table": Case(
        {},
        "[tool.lback_migrations] in {pyproject}: lback-migrations reads no such table, so none "
        "of its options apply; rename the table [tool.lback-migrations]",
        pyproject=f'[tool.lback_migrations]\ntarget_metadata = "{BASE_METADATA}"\n',
    ),
    "type_module_unresolvable": Case(
        {"target_metadata": BASE_METADATA, "type_modules": "app.models.GUID=app.types"},
        "lback.type_modules in {ini}: app.models.GUID=app.types: cannot import the type "
        "'app.models.GUID'; write module.Type=import.path or module.Type=import.path:Name, "
        "where import.path provides the type",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_configuration_fails_with_one_line_and_writes_nothing(
    tmp_path: Path, database: Database, name: str
) -> None:
    case = CASES[name]
    root = tmp_path / "project"
    root.mkdir()
    if case.pyproject is not None:
        (root / "pyproject.toml").write_text(case.pyproject)
    project = AlembicProject.create(root, database, models=ACCOUNT_MODELS, options=case.options)
    for module, source in case.modules.items():
        project.write_models(source, module)

    result = project.alembic("revision", "--autogenerate", "-m", "should not exist", check=False)

    message = case.message.format(ini="alembic.ini", pyproject="pyproject.toml")
    assert result.returncode == 255, result.stdout + result.stderr
    assert result.stdout == f"FAILED: {message}\n"
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith(f"ERROR [alembic.util.messaging] {message}\n")
    assert project.revision_files() == []
    assert database.table_names() == set()


def test_the_same_project_configured_well_writes_a_revision(
    tmp_path: Path, database: Database
) -> None:
    """The control for the cases above: with good options the same command succeeds."""
    project = AlembicProject.create(
        tmp_path / "project",
        database,
        models=ACCOUNT_MODELS,
        options=TARGET_BASE_METADATA,
    )
    project.write_models(LEGACY, "app/legacy.py")
    assert project.autogenerate("create account") is not None


@pytest.mark.parametrize("command", [["check"], ["revision", "--autogenerate", "-m", "x"]])
def test_without_target_metadata_comparing_commands_name_the_key_to_set(
    tmp_path: Path, sqlite_database: Database, command: list[str]
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS)
    result = project.alembic(*command, check=False)
    assert result.returncode == 255
    assert result.stdout.startswith("FAILED: lback.target_metadata in alembic.ini: is not set")
    assert "does not provide a MetaData" not in result.stdout + result.stderr


def test_without_target_metadata_upgrade_and_plain_revision_still_work(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS)
    project.alembic("revision", "-m", "hand written")
    project.alembic("upgrade", "head")
    assert len(project.revision_files()) == 1


def test_makemigrations_without_target_metadata_names_the_key_to_set(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS)
    result = project.lback("makemigrations", "-m", "first", check=False)
    assert result.returncode != 0
    assert "FAILED: lback.target_metadata in alembic.ini: is not set" in result.stdout
    assert project.revision_files() == []
