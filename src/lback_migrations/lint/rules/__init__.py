"""The rules: those shipped with lback-migrations, one per module, and those of other packages.

:func:`all_rules` finds them: every :class:`~lback_migrations.lint.rule.Rule` subclass defined in
a module of this package, and every rule an installed package declares in the entry-point group
``lback_migrations.lint_rules`` (an entry point names a rule class, or a module whose rule classes
all count), ordered by code. A rule of another package is selected, ignored, given a severity and
suppressed like a shipped one; its code is its own prefix and three digits (``ACME101``): the
prefix ``LB`` belongs to the shipped rules.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from ...errors import LintRuleError
from ..rule import Rule

ENTRY_POINT_GROUP = "lback_migrations.lint_rules"
_CODE = re.compile(r"LB\d{3}")
_PLUGIN_CODE = re.compile(r"(?!LB\d)[A-Z][A-Z0-9]{0,7}\d{3}")
_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*")


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Return every rule class, shipped or installed, ordered by code.

    :raises LintRuleError: when an installed package's rule cannot be loaded, or its code or
        name is malformed or already used.
    :raises TypeError: when a shipped rule's code or name is malformed or used twice (a bug in
        the package, caught by the test suite).
    """
    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for rule in _rules_of(module):
            problem = _problem(rule, found, _CODE)
            if problem is not None:
                raise TypeError(f"{rule.__name__}: {problem}")
            found[rule.code] = rule
    for entry_point in rule_entry_points():
        for rule in _load(entry_point):
            problem = _problem(rule, found, _PLUGIN_CODE)
            if problem is not None:
                raise LintRuleError(entry_point.name, entry_point.value, problem)
            found[rule.code] = rule
    return tuple(found[code] for code in sorted(found))


@functools.cache
def rule_entry_points() -> tuple[EntryPoint, ...]:
    """The installed entry points of the group ``lback_migrations.lint_rules``, by name."""
    return tuple(sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name))


def shipped_modules() -> tuple[str, ...]:
    """The names of the modules holding the shipped rules, found without importing them.

    With this package's version and :data:`~lback_migrations.lint.config.ENGINE`, they name the
    shipped rules in a cache key as well as the rules' codes do, for a directory listing
    instead of importing every rule (which was most of a warm run's imports)."""
    return tuple(sorted(module.name for module in pkgutil.iter_modules(__path__)))


def plugin_versions() -> tuple[tuple[str, str], ...]:
    """``(entry point, version of its distribution)`` of every installed rule package: what
    makes a cached lint result stale when a rule package is upgraded."""
    return tuple(
        (point.value, point.dist.version if point.dist is not None else "")
        for point in rule_entry_points()
    )


def _load(entry_point: EntryPoint) -> list[type[Rule]]:
    try:
        value = entry_point.load()
    except Exception as error:  # any failure of someone else's import: name the entry point
        raise LintRuleError(
            entry_point.name, entry_point.value, f"cannot be loaded ({error})"
        ) from error
    if isinstance(value, ModuleType):
        return _rules_of(value)
    if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
        return [value]
    raise LintRuleError(entry_point.name, entry_point.value, "names neither a Rule nor a module")


def _rules_of(module: ModuleType) -> list[type[Rule]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value is not Rule
        and value.__module__ == module.__name__
    ]


def _problem(rule: type[Rule], found: dict[str, type[Rule]], code: re.Pattern[str]) -> str | None:
    if not code.fullmatch(getattr(rule, "code", "")):
        expected = (
            "LB and three digits" if code is _CODE else "a prefix other than LB and three digits"
        )
        return f"code {getattr(rule, 'code', None)!r} is not {expected}"
    if not _NAME.fullmatch(getattr(rule, "name", "")):
        return f"name {getattr(rule, 'name', None)!r} is not kebab-case"
    if rule.code in found or any(other.name == rule.name for other in found.values()):
        return f"code {rule.code} or name {rule.name} is used twice"
    return None
