"""The database URL of a run, and every place a URL (and so a password) of the run comes from.

A run connects with the first of these that is set:

1. ``-x url=URL`` on the command line (Alembic's documented way to pass a URL to ``env.py``);
2. the environment variable named by ``url_env`` (``lback.url_env`` in the ini section or
   ``url_env`` in ``[tool.lback-migrations]`` of the project's pyproject.toml, read as every
   option is, see :mod:`lback_migrations.options`; ``DATABASE_URL`` by default);
3. ``sqlalchemy.url`` of the ini section, read with interpolation as Alembic reads it
   (``%(name)s`` from the same section or ``[DEFAULT]``, ``%(here)s``).

A run may also *see* other URLs: ``DATABASE_URL`` when ``url_env`` names another variable, the
variables a caller sets for the run, every ``-x`` value, the connection an application hands
to Alembic in ``config.attributes["connection"]``. :class:`RunUrls` holds them all, so that
the masker (:class:`~lback_migrations.runners.redaction.Redactor`) hides every password of
the run, and :attr:`RunUrls.url` is the one URL the run connects with.

This module is imported by ``env.py``: it imports SQLAlchemy's URL parser and nothing heavier.
It imports no Alembic either (:mod:`lback_migrations.errors` is imported where an error is
raised): :func:`file_urls` must work in a process that cannot import Alembic, which then
reports ``alembic_not_found``.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL_ENV = "DATABASE_URL"
"""The environment variable read when ``url_env`` is not configured."""
URL_OPTION = "sqlalchemy.url"
X_URL = "url"
"""The ``-x`` key that gives the URL on the command line: ``-x url=...``."""
CONNECTION_ATTRIBUTE = "connection"
"""The ``config.attributes`` key of a connection (or engine) handed to ``env.py``."""


@dataclass(frozen=True)
class UrlSource:
    """One place a URL of the run comes from.

    :param origin: where, as the user would name it (``-x url``, ``$DATABASE_URL``,
        ``sqlalchemy.url in alembic.ini``).
    :param value: the URL as found (it holds the password: never show it).
    :param connects: whether the run connects with it when it is the first one set; the
        others are only seen by the run and masked.
    """

    origin: str
    value: str
    connects: bool = True


@dataclass(frozen=True)
class RunUrls:
    """The URLs of one run, in the order the run prefers them.

    :param sources: every URL found, connecting ones in precedence order.
    :param url_env: the environment variable that overrides ``sqlalchemy.url``.
    :param config_file: the ini file, for error messages.
    :param section: the ini section.
    """

    sources: tuple[UrlSource, ...]
    url_env: str = DEFAULT_URL_ENV
    config_file: str | None = None
    section: str = "alembic"

    @property
    def url(self) -> str | None:
        """The URL the run connects with, or ``None`` when none is configured."""
        return next((source.value for source in self.sources if source.connects), None)

    def require(self) -> str:
        """:attr:`url`, or an error naming what to set.

        :raises ConfigurationError: when no URL is configured.
        """
        from .errors import ConfigurationError

        url = self.url
        if url:
            return url
        raise ConfigurationError(
            URL_OPTION,
            "no database URL is configured",
            f"set {URL_OPTION} in the [{self.section}] section or the {self.url_env} "
            "environment variable",
            self.config_file,
        )

    def passwords(self) -> set[str]:
        """The password of every URL the run may see (what the masker must hide)."""
        return {password for source in self.sources if (password := url_password(source.value))}


def url_password(value: str) -> str | None:
    """The password of ``value`` when it is a database URL with one, else ``None``."""
    from sqlalchemy.engine import make_url

    if "://" not in value:
        return None
    try:
        password = make_url(value.strip()).password
    except Exception:  # not a URL: it has no password to hide
        return None
    return str(password) if password else None


def resolve_urls(
    *,
    ini_url: str | None,
    url_env: str,
    environ: Mapping[str, str],
    x_arguments: Iterable[str] = (),
    run_environment: Mapping[str, str] | None = None,
    seen: Iterable[UrlSource] = (),
    config_file: str | None = None,
    section: str = "alembic",
) -> RunUrls:
    """Put the URLs of a run in order; the one function both readers below feed.

    :param ini_url: ``sqlalchemy.url`` as Alembic reads it (interpolated), or ``None``.
    :param environ: the environment the run sees.
    :param x_arguments: the ``-x`` values, ``key=value`` each.
    :param run_environment: variables a caller sets for the run (all masked, none connects
        unless it is ``url_env``).
    :param seen: further URLs the run sees without connecting with them.
    """
    x_values = [argument.partition("=") for argument in x_arguments]
    sources = [
        UrlSource(f"-x {X_URL}", value)
        for key, _, value in x_values
        if key.strip() == X_URL and value
    ]
    if environ.get(url_env):
        sources.append(UrlSource(f"${url_env}", environ[url_env]))
    if ini_url:
        where = f" in {config_file}" if config_file else ""
        sources.append(UrlSource(f"{URL_OPTION} [{section}]{where}", ini_url))
    if url_env != DEFAULT_URL_ENV and environ.get(DEFAULT_URL_ENV):
        sources.append(UrlSource(f"${DEFAULT_URL_ENV}", environ[DEFAULT_URL_ENV], False))
    sources += [
        UrlSource(f"-x {key}", value, False)
        for key, _, value in x_values
        if key.strip() != X_URL and value
    ]
    sources += [
        UrlSource(f"${name}", value, False) for name, value in (run_environment or {}).items()
    ]
    sources += seen
    return RunUrls(tuple(sources), url_env, config_file, section)


def check_interpolation(parser: configparser.ConfigParser, section: str, source: str) -> None:
    """Read every option of ``section`` as Alembic will, and turn a ``%`` mistake into an error
    that names the option and never shows its value (a URL's password may be in it).

    :raises ConfigurationError: naming the option and how to write a literal ``%``.
    """
    from .errors import ConfigurationError

    if not parser.has_section(section):
        return
    for key in parser.options(section):
        try:
            parser.get(section, key)
        except configparser.InterpolationError as error:
            raise ConfigurationError(
                f"[{section}] {key}",
                _interpolation_problem(error),
                "write a literal % as %% in an ini file (a password with % in "
                "sqlalchemy.url too), or %(name)s to use another option",
                source,
            ) from None


def _interpolation_problem(error: configparser.InterpolationError) -> str:
    if isinstance(error, configparser.InterpolationMissingOptionError):
        return f"%({error.reference})s names no option of the section or of [DEFAULT]"
    if isinstance(error, configparser.InterpolationDepthError):
        return "its %(name)s references nest too deep (a reference to itself?)"
    return "it holds a % that is neither %% nor %(name)s"


def config_urls(config: Config) -> RunUrls:
    """The URLs of the run configured by an Alembic ``config`` (what ``env.py`` and the hooks
    see): the ini with interpolation, ``-x``, the ``url_env`` variable, ``config.attributes``.

    :raises ConfigurationError: when an option of the ini section is badly interpolated, or
        an ``lback.*`` option is invalid.
    """
    from .settings import load_settings

    section = config.config_ini_section
    if config.config_file_name:
        check_interpolation(config.file_config, section, config.config_file_name)
    settings = load_settings(config)
    x_arguments = list(getattr(config.cmd_opts, "x", None) or ())
    has_section = config.file_config.has_section(section)
    return resolve_urls(
        ini_url=config.get_main_option(URL_OPTION) if has_section else None,
        url_env=settings.url_env,
        environ=os.environ,
        x_arguments=x_arguments,
        seen=_attribute_urls(config.attributes),
        config_file=config.config_file_name,
        section=section,
    )


def _attribute_urls(attributes: Mapping[str, Any]) -> list[UrlSource]:
    connectable = attributes.get(CONNECTION_ATTRIBUTE)
    url = getattr(getattr(connectable, "engine", connectable), "url", None)
    if url is None:
        return []
    rendered = url.render_as_string(hide_password=False)
    return [UrlSource(f'config.attributes["{CONNECTION_ATTRIBUTE}"]', rendered, False)]


def file_urls(
    ini_path: Path | None,
    section: str,
    run_environment: Mapping[str, str],
    x_arguments: Iterable[str] = (),
) -> RunUrls:
    """The URLs a run of ``ini_path`` will see, read from the files before the run starts
    (what :class:`~lback_migrations.commands.MigrationCommands` masks, and the URL the linter
    takes its dialect from).

    Nothing here raises: a file that cannot be read gives what could be read, and a
    mis-interpolated ``sqlalchemy.url`` is taken as written (the run itself reports it).

    :param ini_path: the ini file, ``None`` for a project without one.
    :param run_environment: the variables set for the run, on top of :data:`os.environ`.
    """
    environ = {**os.environ, **run_environment}
    raw, interpolated = _read_ini_section(ini_path, section) if ini_path else ({}, {})
    ini_url = interpolated.get(URL_OPTION)
    seen = []
    if raw.get(URL_OPTION):
        seen.append(UrlSource(f"{URL_OPTION} as written", raw[URL_OPTION], False))
    return resolve_urls(
        ini_url=ini_url,
        url_env=_configured_url_env(ini_path, section, raw),
        environ=environ,
        x_arguments=x_arguments,
        run_environment=run_environment,
        seen=seen,
        config_file=str(ini_path) if ini_path else None,
        section=section,
    )


def _read_ini_section(ini_path: Path, section: str) -> tuple[dict[str, str], dict[str, str]]:
    """The options of ``section`` as written, and as Alembic reads them (those that
    interpolate)."""
    here = {"here": ini_path.absolute().parent.as_posix()}
    parser = configparser.ConfigParser(here)
    try:
        parser.read(ini_path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return {}, {}
    if not parser.has_section(section):
        return {}, {}
    raw = dict(parser.items(section, raw=True))
    interpolated: dict[str, str] = {}
    for key in raw:
        try:
            interpolated[key] = parser.get(section, key)
        except configparser.InterpolationError:
            continue
    return raw, interpolated


def _configured_url_env(ini_path: Path | None, section: str, ini_options: dict[str, str]) -> str:
    """``url_env`` as the environment reads it (the same pyproject.toml, the same layers and
    spellings), or :data:`DEFAULT_URL_ENV` when it is not set or cannot be read."""
    try:
        from .errors import ConfigurationError
        from .options import parse_layers, project_pyproject
        from .settings import OPTION_TYPES, settings_layers
    except ImportError:  # no Alembic: the run stops before it connects, with no URL to show
        return DEFAULT_URL_ENV
    try:
        layers = settings_layers(
            project_pyproject(ini_path),
            ini_options.items(),
            section,
            str(ini_path) if ini_path else None,
        )
        only_url_env = [
            {"url_env": each["url_env"]} if "url_env" in each else {} for each in layers
        ]
        url_env = parse_layers(only_url_env, OPTION_TYPES, "option").get("url_env")
    except ConfigurationError:
        return DEFAULT_URL_ENV
    return str(url_env) if url_env else DEFAULT_URL_ENV
