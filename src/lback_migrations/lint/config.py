"""The linter's options: which rules run, how severe they are, and when the linter fails.

Options come from ``[tool.lback-migrations.lint]`` in ``pyproject.toml`` and, winning over it,
from the hook's own keys in ``[post_write_hooks]`` (``lint.select = LB1``) or the command line.
Every value is validated here; a bad one is a :class:`~lback_migrations.errors.ConfigurationError`
naming the key and the file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import ConfigurationError
from ..options import BOOLEAN, Layer, OptionType, choice, parse_layers, parse_list
from .dependants import EntityDependants, dependants_json
from .findings import FAIL_ON, Severity
from .rules import all_rules, plugin_versions, shipped_modules

if TYPE_CHECKING:
    from collections.abc import Iterable

DIALECTS = ("sqlite", "postgresql", "mysql", "mariadb", "mssql", "oracle")
OLDEST_SUPPORTED: dict[str, tuple[int, ...]] = {"postgresql": (14,), "mysql": (10, 6)}
"""The release the version-dependent rules judge by when none is given or reachable: the
oldest PostgreSQL and MariaDB releases their developers still support (``mysql`` is
SQLAlchemy's backend name for both MySQL and MariaDB)."""
ENGINE = "ast-2"
"""Names the engine's results in the cache: changed whenever the same options and file could
give different findings (a rule's behaviour, the order of stored findings)."""


class LintOptions(NamedTuple):
    """The validated options of one lint run.

    :param select: code prefixes of the rules to run (the empty prefix, the default, is every
        rule, shipped or installed; ``LB`` is every shipped rule).
    :param ignore: code prefixes of the rules not to run; the longer matching prefix wins.
    :param severity: per-rule severities replacing the rules' own, as ``(code, severity)``.
    :param fail_on: ``error``, ``warning`` or ``never``: the least severe finding that fails.
    :param dialect: the target dialect; ``None`` means "from the configured URL".
    :param naming_convention: the MetaData has a naming convention (unnamed constraints are
        then named by it).
    :param server_version: the target server's release (``(15, 4)``); ``None`` means "from the
        database when reachable, else :data:`OLDEST_SUPPORTED`".
    :param lock_timeout: the environment sets ``lback.lock_timeout`` (read from the
        environment's settings, not a lint option).
    :param dependants: what depends on each view, materialized view and function (read from
        the database or the declared entities, not a lint option); ``None`` when unknown.
    """

    select: tuple[str, ...] = ("",)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: str = "error"
    dialect: str | None = None
    naming_convention: bool = False
    server_version: tuple[int, ...] | None = None
    lock_timeout: bool = False
    dependants: tuple[EntityDependants, ...] | None = None

    def selects(self, code: str) -> bool:
        """Whether the rule ``code`` runs."""
        chosen = max((len(prefix) for prefix in self.select if code.startswith(prefix)), default=-1)
        if chosen < len(code) and code in _opt_in_codes():
            return False
        dropped = max(
            (len(prefix) for prefix in self.ignore if code.startswith(prefix)), default=-1
        )
        return chosen > dropped

    @property
    def release(self) -> tuple[int, ...] | None:
        """The server release the rules judge by: ``server_version``, else the oldest
        supported release of the dialect (``None`` for a dialect without one)."""
        if self.server_version is not None:
            return self.server_version
        dialect = "mysql" if self.dialect == "mariadb" else self.dialect
        return OLDEST_SUPPORTED.get(dialect or "")

    def severity_of(self, code: str, default: Severity) -> Severity:
        """The severity of rule ``code``: configured, else the rule's ``default``."""
        return dict(self.severity).get(code, default)

    def fails(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the run fail."""
        if self.fail_on == "never":
            return False
        return severity.rank >= Severity(self.fail_on).rank

    def fingerprint(self) -> str:
        """A stable string of every option that changes the findings (not ``fail_on``)."""
        document = {
            "select": sorted(self.select),
            "ignore": sorted(self.ignore),
            "severity": sorted((code, value.value) for code, value in self.severity),
            "dialect": self.dialect,
            "naming_convention": self.naming_convention,
            "server_version": self.server_version,
            "lock_timeout": self.lock_timeout,
            "dependants": dependants_json(self.dependants),
            "rules": shipped_modules(),
            "packages": plugin_versions(),
            "engine": ENGINE,
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@functools.cache
def _opt_in_codes() -> frozenset[str]:
    """The codes of the rules that run only when selected by code (:attr:`Rule.default`)."""
    return frozenset(rule.code for rule in all_rules() if not rule.default)


def _words(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    """A list of codes, separated by commas or white space."""
    return parse_list(re.sub(r"\s+", ",", value) if isinstance(value, str) else value, key, source)


def _codes(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    codes = tuple(item.upper() for item in _words(value, key, source))
    known = [rule.code for rule in all_rules()]
    for code in codes:
        if not any(known_code.startswith(code) for known_code in known) or len(code) < 2:
            raise ConfigurationError(
                key,
                f"{code!r} is not a rule code or code prefix",
                f"use codes or prefixes such as LB1 or LB101; known codes: {', '.join(known)}",
                source,
            )
    return codes


def _severity_value(text: str, key: str, source: str | None) -> Severity:
    try:
        return Severity(text.strip().lower())
    except ValueError:
        raise ConfigurationError(
            key, f"unknown severity {text!r}", "use error, warning or info", source
        ) from None


def _severities(value: Any, key: str, source: str | None) -> tuple[tuple[str, Severity], ...]:
    if isinstance(value, dict):
        pairs = [(str(code), item) for code, item in value.items()]
    else:
        pairs = []
        for item in _words(value, key, source):
            code, equals, level = item.partition("=")
            if not equals:
                raise ConfigurationError(
                    key, f"{item!r} is not CODE=severity", "write it as LB201=error", source
                )
            pairs.append((code, level))
    known = {rule.code for rule in all_rules()}
    result: list[tuple[str, Severity]] = []
    for code, level in pairs:
        code = code.strip().upper()
        if code not in known:
            raise ConfigurationError(
                key,
                f"{code!r} is not a rule code",
                f"name one rule per entry, as LB201=error; known codes: {', '.join(sorted(known))}",
                source,
            )
        if not isinstance(level, str):
            raise ConfigurationError(
                key, f"{level!r} is not a severity", "use error, warning or info", source
            )
        result.append((code, _severity_value(level, key, source)))
    return tuple(result)


def _dialect(value: Any, key: str, source: str | None) -> str | None:
    text = value.strip().lower().partition("+")[0] if isinstance(value, str) else None
    if text not in DIALECTS:
        raise ConfigurationError(
            key, f"unknown dialect {value!r}", f"use one of: {', '.join(DIALECTS)}", source
        )
    return text


def _server_version(value: Any, key: str, source: str | None) -> tuple[int, ...]:
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if match is None:
        raise ConfigurationError(
            key,
            f"{value!r} is not a server release",
            "write the release as digits and dots, as 15, 15.4 or 10.11.6",
            source,
        )
    return tuple(int(part) for part in match.groups() if part is not None)


CODES = OptionType(_codes, {"type": ["array", "string"], "items": {"type": "string"}})
SEVERITY_NAMES = [severity.value for severity in Severity]
SEVERITIES = OptionType(
    _severities,
    {
        "type": ["object", "array", "string"],
        "additionalProperties": {"type": "string", "enum": SEVERITY_NAMES},
        "items": {"type": "string"},
    },
)
DIALECT = OptionType(_dialect, {"type": "string", "pattern": f"^({'|'.join(DIALECTS)})(\\+.*)?$"})
SERVER_VERSION = OptionType(
    _server_version, {"type": ["string", "integer", "number"], "pattern": r"^\d+(\.\d+){0,2}$"}
)

OPTION_TYPES: dict[str, OptionType] = {
    "select": CODES,
    "ignore": CODES,
    "severity": SEVERITIES,
    "fail_on": choice(FAIL_ON),
    "dialect": DIALECT,
    "naming_convention": BOOLEAN,
    "server_version": SERVER_VERSION,
}
"""How each option of :class:`LintOptions` is read (``lock_timeout`` is no lint option)."""


def option_names() -> tuple[str, ...]:
    """The names of the linter's options."""
    return tuple(OPTION_TYPES)


def parse_lint_options(layers: Iterable[Layer]) -> LintOptions:
    """Validate option layers (the later winning) into :class:`LintOptions`.

    :raises ConfigurationError: on an unknown option, code or value, naming the key.
    """
    return LintOptions(**parse_layers(layers, OPTION_TYPES, "lint option"))
