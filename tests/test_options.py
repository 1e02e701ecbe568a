"""One way to read options: every table accepts ``fail-on`` and ``fail_on`` alike, names an
unknown key with the closest known one, and layers pyproject.toml, the ini section or the hook's
keys, and the command line in that order.

The tools are driven as users drive them: ``alembic.ini`` and ``pyproject.toml`` on disk, read
by the installed package.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from alembic.config import Config

from lback_migrations.errors import ConfigurationError
from lback_migrations.formatting.options import resolve_options
from lback_migrations.lint.context import lint_options
from lback_migrations.options import hook_layer, layer
from lback_migrations.settings import load_settings

INI = "[alembic]\nscript_location = migrations\n"


def project(root: Path, pyproject: str, ini: str = INI) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    (root / "alembic.ini").write_text(ini)
    return Config(str(root / "alembic.ini"))


def test_the_environment_reads_url_env_written_with_a_dash(tmp_path: Path) -> None:
    config = project(tmp_path, '[tool.lback-migrations]\nurl-env = "APP_DB"\n')
    assert load_settings(config).url_env == "APP_DB"


def test_the_environment_reads_a_dashed_ini_key(tmp_path: Path) -> None:
    config = project(tmp_path, "", INI + "lback.version-table = service_version\n")
    assert load_settings(config).version_table == "service_version"


def test_the_format_table_reads_line_length_written_with_a_dash(tmp_path: Path) -> None:
    project(tmp_path, "[tool.lback-migrations.format]\nline-length = 60\n")
    assert resolve_options(tmp_path / "migrations" / "versions" / "r.py", {}).line_length == 60


def test_the_lint_table_reads_fail_on_written_either_way(tmp_path: Path) -> None:
    dashed = project(tmp_path / "dashed", '[tool.lback-migrations.lint]\nfail-on = "never"\n')
    underscored = project(tmp_path / "plain", '[tool.lback-migrations.lint]\nfail_on = "never"\n')
    assert lint_options(dashed).fail_on == lint_options(underscored).fail_on == "never"


def read_every_table(config: Config, revision: Path) -> None:
    """Read the options as a revision --autogenerate with both hooks does."""
    load_settings(config)
    resolve_options(revision, {})
    lint_options(config)


@pytest.mark.parametrize(
    ("table", "written", "meant"),
    [
        ("[tool.lback-migrations]", "url-evn", "url-env"),
        ("[tool.lback-migrations]", "url_evn", "url_env"),
        ("[tool.lback-migrations.lint]", "fail-of", "fail-on"),
        ("[tool.lback-migrations.format]", "line_lenght", "line_length"),
    ],
)
def test_an_unknown_key_is_named_with_the_closest_known_one_as_the_user_spells_it(
    tmp_path: Path, table: str, written: str, meant: str
) -> None:
    config = project(tmp_path, f'{table}\n{written} = "x"\n')
    with pytest.raises(ConfigurationError) as raised:
        read_every_table(config, tmp_path / "migrations" / "versions" / "r.py")
    assert raised.value.key == f"{table} {written}"
    assert raised.value.source == str(tmp_path / "pyproject.toml")
    assert f"did you mean {meant!r}?" in str(raised.value)


def test_the_ini_section_wins_over_pyproject_key_by_key(tmp_path: Path) -> None:
    config = project(
        tmp_path,
        '[tool.lback-migrations]\nversion-table = "from_pyproject"\nbatch_mode = "never"\n',
        INI + "lback.version_table = from_ini\n",
    )
    settings = load_settings(config)
    assert (settings.version_table, settings.batch_mode) == ("from_ini", "never")


def test_the_command_line_wins_over_the_hook_keys_which_win_over_pyproject(
    tmp_path: Path,
) -> None:
    config = project(
        tmp_path, '[tool.lback-migrations.lint]\nfail-on = "never"\ndialect = "mysql"\n'
    )
    hook = hook_layer({"type": "lback_lint", "fail_on": "warning", "dialect": "sqlite"}, "l", None)
    command_line = layer([("fail-on", "error")], "--", None)
    options = lint_options(config, [hook, command_line])
    assert (options.fail_on, options.dialect) == ("error", "sqlite")
