"""Alembic projects built the way a user builds them, driven through the installed commands.

An :class:`AlembicProject` is a directory holding a copy of one of ``examples/`` (or just the
models a test writes), initialised with the stock ``alembic init -t lback`` and run with the
stock ``alembic`` command of the interpreter running the tests.

``alembic init`` writes the same files wherever it runs (the ini file names the script location
relative to ``%(here)s``), so each test process runs it once per template and every project
copies what it wrote; the tests of ``init`` itself run the command.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.databases import Database

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
BIN = Path(sys.executable).parent
URL_ENVIRONMENT_VARIABLES = ("DATABASE_URL",)


def command_path(name: str) -> str:
    """The console script ``name`` installed beside the running interpreter."""
    path = BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: install the package with pip first")
    return str(path)


_INITIALISED = tempfile.TemporaryDirectory(prefix="lback-init-")
_initialised: dict[str, Path] = {}


def initialised_environment(template: str) -> Path:
    """A directory holding what the stock ``alembic init -t <template> migrations`` wrote: an
    ``alembic.ini`` and ``migrations/``, made on the first call in this process."""
    if template not in _initialised:
        directory = Path(_INITIALISED.name) / template
        directory.mkdir()
        init = [command_path("alembic"), "init", "-t", template, "migrations"]
        done = subprocess.run(init, cwd=directory, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(init)} exited {done.returncode}\n{done.stderr}")
        _initialised[template] = directory
    return _initialised[template]


@dataclass
class AlembicProject:
    """A user's project directory with an Alembic environment in ``migrations/``.

    :param root: the project directory; commands run from here.
    :param database: the database ``sqlalchemy.url`` points at.
    """

    root: Path
    database: Database
    environment: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        root: Path,
        database: Database,
        *,
        example: str | None = None,
        models: str | None = None,
        template: str = "lback",
        options: dict[str, str] | None = None,
    ) -> AlembicProject:
        """Copy ``examples/<example>`` (or write ``models`` as ``app/models.py``) into ``root``,
        run ``alembic init -t <template> migrations`` and point it at ``database``.

        :param options: ``lback.*`` keys (without the prefix) written into ``alembic.ini``.
        """
        root.mkdir(parents=True, exist_ok=True)
        if example is not None:
            shutil.copytree(EXAMPLES / example, root, dirs_exist_ok=True, ignore=_ignored)
            shutil.rmtree(root / "migrations", ignore_errors=True)
            (root / "alembic.ini").unlink(missing_ok=True)
        project = cls(root=root, database=database)
        if models is not None:
            project.write_models(models)
        shutil.copytree(initialised_environment(template), root, dirs_exist_ok=True)
        url = database.async_url_string if template.endswith("async") else database.url_string
        project.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        for key, value in (options or {}).items():
            project.set_main_option(f"lback.{key}", value)
        return project

    @property
    def ini_path(self) -> Path:
        return self.root / "alembic.ini"

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"

    def revision_files(self) -> list[Path]:
        return sorted(self.versions.glob("*.py"))

    def write_models(self, source: str, module: str = "app/models.py") -> None:
        """Write (or replace) a models module, dedenting ``source``."""
        path = self.root / module
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source))
        shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)

    def set_main_option(self, key: str, value: str) -> None:
        """Set ``key`` in the ``[alembic]`` section of ``alembic.ini``, keeping the comments."""
        text = self.ini_path.read_text()
        line = f"{key} = {value}"
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(lambda _: line, text, count=1)
        else:
            text = text.replace("[alembic]\n", f"[alembic]\n{line}\n", 1)
        self.ini_path.write_text(text)

    def run(
        self,
        *argv: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project directory and return what it printed.

        :param check: raise with the output when the exit code is not zero.
        """
        environment = {
            key: value for key, value in os.environ.items() if key not in URL_ENVIRONMENT_VARIABLES
        }
        environment.update(self.environment)
        environment.update(env or {})
        result = subprocess.run(
            list(argv),
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def alembic(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run the stock ``alembic`` command."""
        return self.run(command_path("alembic"), *args, **kwargs)  # type: ignore[arg-type]

    def lback(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run the ``lback-migrations`` command."""
        return self.run(command_path("lback-migrations"), *args, **kwargs)  # type: ignore[arg-type]

    def write_revision(
        self,
        revision: str,
        upgrade: str,
        *,
        down_revision: str | None = None,
        downgrade: str = "pass",
        header: str = "",
    ) -> Path:
        """Write a revision file by hand, as a user edits one: ``upgrade`` and ``downgrade`` are
        the bodies of the two functions, ``header`` module-level lines after the identifiers."""
        path = self.versions / f"{revision}.py"
        self.versions.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(
            f"""\
            import sqlalchemy as sa
            from alembic import op

            revision = {revision!r}
            down_revision = {down_revision!r}
            branch_labels = None
            depends_on = None
            """
        )
        body += textwrap.dedent(header) + "\n\ndef upgrade():\n"
        body += textwrap.indent(textwrap.dedent(upgrade).strip() or "pass", "    ")
        body += "\n\n\ndef downgrade():\n"
        body += textwrap.indent(textwrap.dedent(downgrade).strip() or "pass", "    ") + "\n"
        path.write_text(body)
        return path

    def version_table(self) -> set[str]:
        """The revisions the database's version table holds (empty when it has none)."""
        if "alembic_version" not in self.database.table_names():
            return set()
        with self.database.connect() as connection:
            return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))

    def autogenerate(self, message: str = "change") -> Path | None:
        """Run ``alembic revision --autogenerate`` and return the new file (None when skipped)."""
        before = set(self.revision_files())
        self.alembic("revision", "--autogenerate", "-m", message)
        created = set(self.revision_files()) - before
        assert len(created) <= 1, created
        return created.pop() if created else None


def set_hooks(project: AlembicProject, hooks: dict[str, dict[str, str]]) -> None:
    """Replace the ``[post_write_hooks]`` section of the project's alembic.ini."""
    lines = [f"hooks = {', '.join(hooks)}"] + [
        f"{name}.{key} = {value}"
        for name, options in hooks.items()
        for key, value in options.items()
    ]
    text = re.sub(
        r"^\[post_write_hooks\]\n(?:(?!\[).*\n)*",
        lambda _: "[post_write_hooks]\n" + "\n".join(lines) + "\n\n",
        project.ini_path.read_text(),
        count=1,
        flags=re.MULTILINE,
    )
    project.ini_path.write_text(text)


def _ignored(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {"__pycache__", "app.db", ".venv"}}
