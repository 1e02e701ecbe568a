"""The ``lback`` templates, driven through the stock ``alembic`` command as a user drives them.

Each test states one promise of ``docs/templates.rst``: where the models and the URL come from,
what autogenerate writes (or does not), batch mode on SQLite, logging, schemas, the version table
and offline mode.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config

from lback_migrations.settings import Settings, load_settings, option_names
from tests.databases import Database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import REPOSITORY, AlembicProject
from tests.revision_files import revision_source

TEMPLATES = ("lback", "lback_async")

OTHER_MODELS = """
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class OtherThing(Base):
        __tablename__ = "other_thing"
        id: Mapped[int] = mapped_column(primary_key=True)
"""


def account_project(root: Path, database: Database, **options: str) -> AlembicProject:
    """A project whose models define the ``account`` table, found through the ini file."""
    return AlembicProject.create(
        root, database, models=ACCOUNT_MODELS, options={"target_metadata": BASE_METADATA, **options}
    )


def write_pyproject(project: AlembicProject, body: str) -> None:
    (project.root / "pyproject.toml").write_text(textwrap.dedent(body))


# --- the templates are installed where the stock command finds them -------------------------


def test_stock_list_templates_lists_both_templates(
    tmp_path: Path, sqlite_database: Database
) -> None:
    listing = AlembicProject(tmp_path, sqlite_database).alembic("list_templates").stdout
    for name in TEMPLATES:
        assert re.search(rf"^{name} - lback-migrations environment", listing, re.MULTILINE), listing


@pytest.mark.parametrize("template", TEMPLATES)
def test_stock_init_writes_the_template_files(
    tmp_path: Path, sqlite_database: Database, template: str
) -> None:
    project = AlembicProject(tmp_path, sqlite_database)
    project.alembic("init", "-t", template, "migrations")
    source = REPOSITORY / "env_templates" / template
    assert (tmp_path / "migrations" / "env.py").read_text() == (source / "env.py").read_text()
    assert (tmp_path / "migrations" / "script.py.mako").is_file()
    assert (tmp_path / "migrations" / "versions").is_dir()
    ini = project.ini_path.read_text()
    assert f'template "{template}"' in ini
    assert "script_location = %(here)s/migrations" in ini


@pytest.mark.parametrize(
    ("arguments", "template"), [((), "lback"), (("-t", "lback_async"), "lback_async")]
)
def test_lback_migrations_init_creates_the_named_template_defaulting_to_lback(
    tmp_path: Path, sqlite_database: Database, arguments: tuple[str, ...], template: str
) -> None:
    project = AlembicProject(tmp_path, sqlite_database)
    project.lback("init", *arguments, "migrations")
    source = REPOSITORY / "env_templates" / template / "env.py"
    assert (tmp_path / "migrations" / "env.py").read_text() == source.read_text()
    assert f'template "{template}"' in project.ini_path.read_text()


def test_generated_env_py_is_short() -> None:
    for template in TEMPLATES:
        lines = (REPOSITORY / "env_templates" / template / "env.py").read_text().splitlines()
        assert len(lines) <= 80, f"{template}/env.py has {len(lines)} lines"


# --- where the models come from -------------------------------------------------------------


def test_target_metadata_is_read_from_pyproject(tmp_path: Path, sqlite_database: Database) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database, models=ACCOUNT_MODELS)
    write_pyproject(
        project,
        f"""
        [tool.lback-migrations]
        target_metadata = ["{BASE_METADATA}"]
        """,
    )
    revision = project.autogenerate("create account")
    assert revision is not None
    assert "op.create_table('account'" in revision_source(revision)


def test_ini_target_metadata_wins_over_pyproject(tmp_path: Path, sqlite_database: Database) -> None:
    project = account_project(tmp_path, sqlite_database)
    project.write_models(OTHER_MODELS, module="app/other.py")
    write_pyproject(
        project,
        """
        [tool.lback-migrations]
        target_metadata = "app.other:Base.metadata"
        """,
    )
    revision = project.autogenerate("create account")
    assert revision is not None
    text = revision_source(revision)
    assert "op.create_table('account'" in text
    assert "other_thing" not in text


# --- where the database URL comes from ------------------------------------------------------


UNREACHABLE_SQLITE_URL = "sqlite:////nonexistent-directory/never.db"


def test_database_url_environment_variable_overrides_sqlalchemy_url(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    project.set_main_option("sqlalchemy.url", UNREACHABLE_SQLITE_URL)
    project.alembic("upgrade", "head", env={"DATABASE_URL": sqlite_database.url_string})
    assert "account" in sqlite_database.table_names()


def test_url_env_names_the_overriding_environment_variable(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database, url_env="APP_DATABASE_URL")
    assert project.autogenerate("create account") is not None
    project.set_main_option("sqlalchemy.url", UNREACHABLE_SQLITE_URL)
    ignored = project.alembic(
        "upgrade", "head", env={"DATABASE_URL": sqlite_database.url_string}, check=False
    )
    assert ignored.returncode != 0, "DATABASE_URL must be ignored once lback.url_env names another"
    project.alembic("upgrade", "head", env={"APP_DATABASE_URL": sqlite_database.url_string})
    assert "account" in sqlite_database.table_names()


# --- empty revisions --------------------------------------------------------------------------


def test_autogenerate_without_changes_writes_no_revision_and_says_so(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    before = project.revision_files()
    result = project.alembic("revision", "--autogenerate", "-m", "nothing")
    assert project.revision_files() == before
    assert "no revision file written" in result.stdout


def test_allow_empty_x_argument_writes_an_empty_autogenerated_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    before = set(project.revision_files())
    project.alembic("-x", "allow_empty=true", "revision", "--autogenerate", "-m", "marker")
    (created,) = set(project.revision_files()) - before
    upgrade = created.read_text().split("def upgrade()")[1].split("def downgrade()")[0]
    assert "op." not in upgrade
    assert "    pass\n" in upgrade


def test_plain_revision_always_writes_a_file(tmp_path: Path, sqlite_database: Database) -> None:
    project = account_project(tmp_path, sqlite_database)
    project.alembic("revision", "-m", "hand written")
    (created,) = project.revision_files()
    assert created.name.endswith("_hand_written.py")


# --- batch mode on SQLite ---------------------------------------------------------------------


def test_sqlite_alter_column_type_and_nullable_migrates_in_batch_mode(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(
        tmp_path,
        sqlite_database,
        models=ACCOUNT_MODELS.replace(
            "name: Mapped[str] = mapped_column(String(50))",
            "name: Mapped[str | None] = mapped_column(String(50))",
        ),
        options={"target_metadata": BASE_METADATA},
    )
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    project.write_models(ACCOUNT_MODELS.replace("String(50)", "String(200)"))
    revision = project.autogenerate("widen name")
    assert revision is not None
    text = revision_source(revision)
    assert "with op.batch_alter_table('account'" in text
    assert "existing_type=sa.VARCHAR(length=50)" in text
    assert "type_=sa.String(length=200)" in text
    assert "nullable=False" in text
    project.alembic("upgrade", "head")
    engine = sa.create_engine(sqlite_database.url)
    try:
        (column,) = (c for c in sa.inspect(engine).get_columns("account") if c["name"] == "name")
    finally:
        engine.dispose()
    assert column["nullable"] is False
    assert isinstance(column["type"], sa.String)
    assert column["type"].length == 200
    assert "No new upgrade operations detected" in project.alembic("check").stdout


# --- logging ----------------------------------------------------------------------------------


IN_PROCESS_UPGRADE = """
import json
import logging
import logging.config

from alembic import command
from alembic.config import Config

logging.config.dictConfig(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"app": {"format": "APP %(name)s %(message)s"}},
        "handlers": {
            "app": {"class": "logging.StreamHandler", "formatter": "app", "level": "DEBUG"}
        },
        "root": {"level": "ERROR", "handlers": ["app"]},
        "loggers": {
            "myapp": {"level": "DEBUG"},
            "alembic": {"level": "ERROR"},
            "sqlalchemy.engine": {"level": "CRITICAL"},
        },
    }
)
logging.getLogger("myapp.db")
logging.getLogger("third_party.client").setLevel(logging.INFO)


def snapshot():
    loggers = {"": logging.getLogger()}
    loggers.update(
        (name, logger)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    )
    return {
        name: {
            "level": logger.level,
            "disabled": logger.disabled,
            "propagate": logger.propagate,
            "handlers": [id(handler) for handler in logger.handlers],
        }
        for name, logger in loggers.items()
    }


before = snapshot()
command.upgrade(Config("alembic.ini"), "head")
print(json.dumps({"before": before, "after": snapshot()}))
"""


def test_in_process_upgrade_keeps_the_application_logging_intact(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    result = project.run(sys.executable, "-c", IN_PROCESS_UPGRADE)
    assert "account" in sqlite_database.table_names()
    states = json.loads(result.stdout)
    before, after = states["before"], states["after"]
    assert {name: after[name] for name in before} == before
    assert {"myapp.db", "third_party.client", "alembic"} <= before.keys()
    assert not [name for name, state in after.items() if state["disabled"]]
    assert "Running upgrade" not in result.stderr, "the application silenced alembic"


UPGRADE_WITHOUT_LOGGING = """
import logging

from alembic import command
from alembic.config import Config

logging.getLogger("myapp").addHandler(logging.NullHandler())
config = Config("alembic.ini")
config.attributes["lback.configure_logging"] = False
command.upgrade(config, "head")
print(len(logging.getLogger().handlers), logging.getLogger("alembic").level)
"""


def test_configure_logging_attribute_false_keeps_the_ini_logging_out(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    result = project.run(sys.executable, "-c", UPGRADE_WITHOUT_LOGGING)
    assert "account" in sqlite_database.table_names()
    assert result.stdout.split() == ["0", str(logging.NOTSET)]
    assert "Running upgrade" not in result.stderr


@pytest.mark.parametrize("template", TEMPLATES)
def test_uncommenting_the_type_rules_example_of_the_template_works(
    tmp_path: Path, sqlite_database: Database, template: str
) -> None:
    project = AlembicProject.create(
        tmp_path / "project", sqlite_database, models=ACCOUNT_MODELS, template=template
    )
    project.set_main_option("lback.target_metadata", BASE_METADATA)
    example = re.search(r"^# (lback\.type_rules = .+)$", project.ini_path.read_text(), re.MULTILINE)
    assert example is not None
    key, _, value = example.group(1).partition(" = ")
    project.set_main_option(key, value)
    project.autogenerate("create account")
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout


def test_alembic_info_lines_are_shown_but_plugin_set_up_lines_are_not(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = account_project(tmp_path, sqlite_database)
    result = project.alembic("revision", "--autogenerate", "-m", "create account")
    assert "INFO  [alembic.autogenerate.compare.tables] Detected added table 'account'" in (
        result.stderr
    )
    assert "alembic.runtime.plugins" not in result.stderr
    upgrade = project.alembic("upgrade", "head")
    assert "INFO  [alembic.runtime.migration] Running upgrade" in upgrade.stderr


# --- schemas and the version table (PostgreSQL) -----------------------------------------------


SCHEMA_MODELS = (
    ACCOUNT_MODELS
    + """
    class Event(Base):
        __tablename__ = "event"
        __table_args__ = {"schema": "audit"}
        id: Mapped[int] = mapped_column(primary_key=True)
"""
)


def create_schemas(database: Database, *names: str) -> None:
    with database.connect() as connection:
        for name in names:
            connection.execute(sa.text(f"CREATE SCHEMA {name}"))


@pytest.mark.postgresql
def test_schemas_option_compares_tables_in_the_named_schemas(
    tmp_path: Path, postgresql_database: Database
) -> None:
    create_schemas(postgresql_database, "audit", "elsewhere")
    with postgresql_database.connect() as connection:
        connection.execute(sa.text("CREATE TABLE elsewhere.foreign_table (id integer)"))
    project = AlembicProject.create(
        tmp_path,
        postgresql_database,
        models=SCHEMA_MODELS,
        options={"target_metadata": BASE_METADATA, "schemas": "audit"},
    )
    revision = project.autogenerate("create tables")
    assert revision is not None
    text = revision_source(revision)
    assert "schema='audit'" in text
    assert "foreign_table" not in text
    project.alembic("upgrade", "head")
    assert postgresql_database.table_names(schema="audit") == {"event"}
    assert "No new upgrade operations detected" in project.alembic("check").stdout


@pytest.mark.postgresql
def test_version_table_and_its_schema_are_configurable(
    tmp_path: Path, postgresql_database: Database
) -> None:
    create_schemas(postgresql_database, "meta")
    project = account_project(
        tmp_path, postgresql_database, version_table="app_version", version_table_schema="meta"
    )
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    assert postgresql_database.table_names(schema="meta") == {
        "app_version",
        "app_version_checksums",
    }
    assert postgresql_database.table_names() == {"account"}
    assert "(head)" in project.alembic("current").stdout
    assert "No new upgrade operations detected" in project.alembic("check").stdout


# --- offline mode -----------------------------------------------------------------------------


def test_offline_sql_prints_the_sql_and_touches_no_database(
    tmp_path: Path, database: Database
) -> None:
    project = account_project(tmp_path, database)
    assert project.autogenerate("create account") is not None
    sqlite_file = Path(str(database.url.database))
    if database.backend == "sqlite":
        sqlite_file.unlink()
    # autogenerate created the empty version table on the servers; --sql must add nothing
    tables_before = set() if database.backend == "sqlite" else database.table_names()
    result = project.alembic("upgrade", "head", "--sql")
    assert "CREATE TABLE account" in result.stdout
    assert "INSERT INTO alembic_version" in result.stdout
    if database.backend == "sqlite":
        assert not sqlite_file.exists()
    else:
        assert database.table_names() == tables_before


def test_offline_sql_never_connects(tmp_path: Path, sqlite_database: Database) -> None:
    project = account_project(tmp_path, sqlite_database)
    assert project.autogenerate("create account") is not None
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere"
    result = project.alembic("upgrade", "head", "--sql", env={"DATABASE_URL": unreachable})
    assert "CREATE TABLE account" in result.stdout


# --- every option is documented everywhere ----------------------------------------------------


OPTION_DOCUMENTS = (
    REPOSITORY / "alembic.ini.sample",
    REPOSITORY / "env_templates" / "lback" / "alembic.ini.mako",
    REPOSITORY / "env_templates" / "lback_async" / "alembic.ini.mako",
    REPOSITORY / "docs" / "templates.rst",
)


@pytest.mark.parametrize(
    "document", OPTION_DOCUMENTS, ids=lambda path: str(path.relative_to(REPOSITORY))
)
def test_every_option_is_named_in_the_sample_the_templates_and_the_docs(document: Path) -> None:
    text = document.read_text()
    missing = [name for name in option_names() if f"lback.{name}" not in text]
    assert not missing, f"{document} does not mention: {', '.join(missing)}"


@pytest.mark.parametrize(
    "document", OPTION_DOCUMENTS[:3], ids=lambda path: str(path.relative_to(REPOSITORY))
)
def test_every_option_line_in_the_ini_files_has_a_comment_above_it(document: Path) -> None:
    lines = document.read_text().splitlines()
    option = re.compile(r"^#?\s*lback\.(\w+)\s*=")
    documented: set[str] = set()
    for number, line in enumerate(lines):
        match = option.match(line)
        if not match:
            continue
        block = []
        for previous in reversed(lines[:number]):
            if not previous.strip():
                break
            block.append(previous)
        assert any(text.startswith("#") and not option.match(text) for text in block), (
            f"{document.name}: no comment explains line {number + 1}: {line}"
        )
        documented.add(match.group(1))
    assert documented == set(option_names())


def test_docs_option_table_has_one_row_per_option() -> None:
    table = (REPOSITORY / "docs" / "templates.rst").read_text()
    rows = re.findall(r"^\s*\* - ``lback\.(\w+)``", table, re.MULTILINE)
    assert sorted(rows) == sorted(option_names())


def test_alembic_ini_sample_shows_the_real_default_values(tmp_path: Path) -> None:
    shown = re.findall(
        r"^# (lback\.\w+ = \S.*)$", (REPOSITORY / "alembic.ini.sample").read_text(), re.MULTILINE
    )
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\n" + "\n".join(shown) + "\n")
    settings = load_settings(Config(str(ini)))
    assert settings.target_metadata == ("myapp.models:Base.metadata",)
    assert dataclasses.replace(settings, target_metadata=()) == Settings()
    assert len(shown) >= len(option_names()) // 2, shown


def test_alembic_ini_sample_is_a_working_alembic_ini(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database, models=ACCOUNT_MODELS)
    project.ini_path.write_text((REPOSITORY / "alembic.ini.sample").read_text())
    project.set_main_option("lback.target_metadata", BASE_METADATA)
    project.set_main_option("sqlalchemy.url", sqlite_database.url_string)
    assert project.autogenerate("create account") is not None
    project.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in project.alembic("check").stdout
