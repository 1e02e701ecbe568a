"""The context a revision is linted in: its Alembic configuration, the lint options, the
target dialect and server release, and its sibling revisions.

The hook is given only the revision's path, so the configuration is found the way a user runs
Alembic (:func:`lback_migrations.options.find_ini`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from ..database_url import config_urls, file_urls
from ..errors import ConfigurationError
from ..options import Layer, find_ini, hook_layer, project_pyproject, read_tool_table
from .config import LintOptions, parse_lint_options
from .rule import DEFAULT_FILE_TEMPLATE, RevisionContext

if TYPE_CHECKING:
    from alembic.config import Config

    from .dependants import EntityDependants

VERSIONED_DIALECTS = frozenset({"postgresql", "mysql", "mariadb"})
"""The dialects whose server release some rules judge by."""
DEPENDANTS_RULE = "LB109"
"""The rule that judges replaced entities by what depends on them in the database."""
_URL_SCHEME = re.compile(r"([\w+]+)://")
_REVISION = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*(['"])([^'"\n]+)\1""", re.M)


def find_config(revision: Path) -> Config | None:
    """Return the Alembic configuration a revision file belongs to, or ``None``."""
    from alembic.config import Config

    ini = find_ini(revision)
    return Config(str(ini)) if ini is not None else None


def has_ini_section(config: Config | None) -> TypeGuard[Config]:
    """Tell whether ``config`` has its ini file, with its section: linting named files needs
    none (a history copied for review, settings kept only in ``pyproject.toml``)."""
    return config is not None and config.file_config.has_section(config.config_ini_section)


def configured_dialect(config: Config | None) -> str | None:
    """The backend name of the configured database URL, or ``None`` when there is none.

    The URL is the one the run would connect with (see :mod:`lback_migrations.database_url`).
    It is never printed: a URL that cannot be read or parsed simply gives no dialect.
    """
    url = configured_url(config)
    # The backend is the URL's scheme up to a "+driver", as SQLAlchemy reads it; read here
    # because importing SQLAlchemy would cost the lint command more than linting a cached
    # history.
    match = _URL_SCHEME.match(url.strip()) if url else None
    return match.group(1).partition("+")[0].lower() if match else None


def configured_url(config: Config | None) -> str | None:
    """The configured database URL (see :func:`configured_dialect`), or ``None``: the one the
    environment connects with (:func:`~lback_migrations.database_url.config_urls`), or for a
    project without an ini section the one its ``url_env`` names
    (:func:`~lback_migrations.database_url.file_urls`)."""
    if not has_ini_section(config):
        return file_urls(None, "alembic", {}).url
    try:
        return config_urls(config).url
    except ConfigurationError:
        return None


def lint_options(config: Config | None, overrides: Iterable[Layer] = ()) -> LintOptions:
    """Read ``[tool.lback-migrations.lint]``, apply ``overrides`` in order, fill the dialect.

    :raises ConfigurationError: naming the key and the file of a bad option.
    """
    toml = (
        project_pyproject(config.config_file_name, config.toml_file_name)
        if config is not None
        else project_pyproject(None)
    )
    options = parse_lint_options([read_tool_table(toml, "lint") if toml else {}, *overrides])
    if options.dialect is None:
        options = options._replace(dialect=configured_dialect(config))
    # only a lock_timeout the ini states counts: the linter cannot see whether env.py applies a
    # default
    if has_ini_section(config) and config.get_main_option("lback.lock_timeout"):
        options = options._replace(lock_timeout=True)
    wants_release = options.server_version is None and options.dialect in VERSIONED_DIALECTS
    wants_dependants = options.dialect == "postgresql" and options.selects(DEPENDANTS_RULE)
    if wants_release or wants_dependants:
        from .server import read_server

        facts = read_server(configured_url(config), dependants=wants_dependants)
        if wants_release:
            options = options._replace(server_version=facts.release)
        if wants_dependants:
            dependants = facts.dependants
            if dependants is None:
                dependants = declared_dependants_of(config)
            options = options._replace(dependants=dependants)
    return options


def declared_dependants_of(config: Config | None) -> tuple[EntityDependants, ...] | None:
    """What depends on what among the entities ``lback.entities`` declares, or ``None`` when
    it is not set or its lists cannot be imported (the linter then knows nothing of them)."""
    if not has_ini_section(config):
        return None
    from ..settings import load_settings

    try:
        settings = load_settings(config)
        if not settings.entities:
            return None
        from ..objects.entities import import_entities  # imports alembic-utils

        # the lists are imported as env.py imports them: with prepend_sys_path on sys.path, as
        # every Alembic command puts it
        missing = [
            entry for entry in config.get_prepend_sys_paths_list() or () if entry not in sys.path
        ]
        sys.path[:0] = missing

        entities = import_entities(settings.entities, settings.source)
    except ConfigurationError:
        return None
    from .dependants import declared_dependants

    return declared_dependants(entities)


def hook_options(config: Config | None, hook_type: str) -> list[Layer]:
    """The options of every hook of type ``hook_type`` (the linting hook's, ``lback_lint``) the
    configuration declares."""
    if config is None:
        return []
    return [
        hook_layer(hook, hook.get("_hook_name", "lint"), config.config_file_name)
        for hook in config.get_hooks_list()
        if hook.get("type") == hook_type
    ]


def file_template(config: Config | None) -> str:
    """Alembic's ``file_template`` for ``config`` (its default when unset)."""
    if config is None:
        return DEFAULT_FILE_TEMPLATE
    return config.get_alembic_option("file_template") or DEFAULT_FILE_TEMPLATE


def revision_ids(texts: Iterable[str]) -> set[str]:
    """The ``revision = '...'`` ids written in ``texts``."""
    return {match.group(2) for text in texts for match in _REVISION.finditer(text)}


def directory_revision_ids(directory: Path, skip: set[Path] | None = None) -> set[str]:
    """The revision ids written in the ``*.py`` files of ``directory``.

    :param skip: absolute paths not to read (their ids are known otherwise).
    """
    texts: list[str] = []
    for path in directory.glob("*.py"):
        if skip and path.absolute() in skip:
            continue
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return revision_ids(texts)


def sibling_revision_ids(revision: Path, wanted: Iterable[str]) -> set[str]:
    """The revision ids of ``revision``'s directory that ``wanted`` names and that exist.

    Enough for :class:`~lback_migrations.lint.rules.unknown_down_revision.UnknownDownRevision`,
    which asks only whether each ``down_revision`` exists, and far cheaper than
    :func:`directory_revision_ids` in a long history: an id is looked for first in the files
    whose name holds it (the default ``file_template`` starts with the id); only an id not
    found there makes every file be read.
    """
    wanted = set(wanted)
    if not wanted:
        return set()
    directory = revision.parent
    names = [name for name in os.listdir(directory) if name.endswith(".py")]
    texts: list[str] = []
    for name in names:
        if any(identifier in name for identifier in wanted):
            try:
                texts.append((directory / name).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    found = revision_ids(texts) & wanted
    if found != wanted:
        found = directory_revision_ids(directory) & wanted
    return found


def revision_context(
    path: Path, template: str, known_revisions: set[str] | None
) -> RevisionContext:
    """The :class:`RevisionContext` of the revision file at ``path``."""
    return RevisionContext(
        file_name=path.name,
        file_template=template,
        known_revisions=frozenset(known_revisions) if known_revisions is not None else None,
    )
