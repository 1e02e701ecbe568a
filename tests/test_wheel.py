"""The built wheel, installed with pip into a fresh virtual environment, works with stock Alembic.

The editable install of the development environment cannot prove this: Alembic reads templates
only from its own package directory, so the wheel must place them there, and the stock
``alembic`` of a venv that never saw the source tree must find them and the plugin.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import fresh_database
from tests.models import ACCOUNT_MODELS, BASE_METADATA
from tests.projects import REPOSITORY, AlembicProject
from tests.revision_files import revision_source

# one worker builds and installs the wheel once for all these tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

TEMPLATE_FILES = ("README", "alembic.ini.mako", "env.py", "script.py.mako")


@dataclass(frozen=True)
class InstalledWheel:
    """The wheel built from this repository and the venv it was installed into."""

    wheel: Path
    bin: Path

    def command(self, name: str) -> str:
        return str(self.bin / name)


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"},
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, argv))} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result


def build_wheel(directory: Path) -> Path:
    # without isolation when the build backend is at hand: no download, and the same result
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    run(sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", directory, REPOSITORY)
    (wheel,) = directory.glob("lback_migrations-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    root = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(root / "dist")
    venv.create(root / "venv", with_pip=True)
    bin_directory = root / "venv" / "bin"
    run(
        bin_directory / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel
    )
    return InstalledWheel(wheel=wheel, bin=bin_directory)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[AlembicProject]:
    with fresh_database("sqlite", tmp_path) as database:
        yield AlembicProject(tmp_path / "project", database)


def test_wheel_places_both_templates_in_alembics_template_directory(
    installed: InstalledWheel,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for template in ("lback", "lback_async"):
        for file_name in TEMPLATE_FILES:
            assert f"alembic/templates/{template}/{file_name}" in names


def test_venv_runs_its_own_alembic_not_the_source_tree(installed: InstalledWheel) -> None:
    printed = run(
        installed.bin / "python",
        "-c",
        "import alembic, lback_migrations as m; print(alembic.__file__); print(m.__file__)",
    ).stdout.split()
    venv_root = installed.bin.parent
    assert all(Path(path).is_relative_to(venv_root) for path in printed), printed


def test_stock_list_templates_of_the_venv_lists_both_templates(installed: InstalledWheel) -> None:
    listing = run(installed.command("alembic"), "list_templates").stdout
    assert "\nlback - lback-migrations environment (sync engine)" in listing
    assert "\nlback_async - lback-migrations environment (async engine)" in listing


@pytest.mark.parametrize(
    ("command", "arguments", "template"),
    [
        ("alembic", ("-t", "lback"), "lback"),
        ("lback-migrations", (), "lback"),
        ("lback-migrations", ("-t", "lback_async"), "lback_async"),
    ],
)
def test_init_from_the_venv_writes_the_template(
    installed: InstalledWheel,
    tmp_path: Path,
    command: str,
    arguments: tuple[str, ...],
    template: str,
) -> None:
    run(installed.command(command), "init", *arguments, "migrations", cwd=tmp_path)
    for file_name in ("env.py", "script.py.mako", "README"):
        written = (tmp_path / "migrations" / file_name).read_text()
        assert written == (REPOSITORY / "env_templates" / template / file_name).read_text()
    assert f'template "{template}"' in (tmp_path / "alembic.ini").read_text()


def test_venv_autogenerates_upgrades_and_checks_on_sqlite(
    installed: InstalledWheel, project: AlembicProject
) -> None:
    alembic = installed.command("alembic")
    project.root.mkdir()
    project.write_models(ACCOUNT_MODELS)
    project.run(alembic, "init", "-t", "lback", "migrations")
    project.set_main_option("lback.target_metadata", BASE_METADATA)
    project.set_main_option("sqlalchemy.url", project.database.url_string)
    created = project.run(alembic, "revision", "--autogenerate", "-m", "create account")
    assert "Detected added table 'account'" in created.stderr
    (revision,) = project.revision_files()
    assert "op.create_table('account'" in revision_source(revision)
    project.run(alembic, "upgrade", "head")
    assert "account" in project.database.table_names()
    assert "No new upgrade operations detected" in project.run(alembic, "check").stdout
    empty = project.run(alembic, "revision", "--autogenerate", "-m", "nothing")
    assert "no revision file written" in empty.stdout
    assert project.revision_files() == [revision]


def test_import_alembic_in_the_venv_loads_the_plugin_but_neither_libcst_nor_black(
    installed: InstalledWheel,
) -> None:
    probe = (
        "import alembic, json, sys; "
        "print(json.dumps(sorted(name for name in sys.modules "
        "if name.split('.')[0] in ('libcst', 'black', 'lback_migrations'))))"
    )
    loaded = json.loads(run(installed.bin / "python", "-c", probe).stdout)
    assert "lback_migrations.plugin" in loaded
    assert not [name for name in loaded if name.split(".")[0] in ("libcst", "black")], loaded
