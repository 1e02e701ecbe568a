"""The rules shipped with lback-migrations, one per module.

:func:`all_rules` finds them: every :class:`~lback_migrations.lint.rule.Rule` subclass defined in
a module of this package, ordered by code.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re

from ..rule import Rule

_CODE = re.compile(r"LB\d{3}")
_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*")


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Return every shipped rule class, ordered by code.

    :raises TypeError: when a rule's code or name is malformed or used twice (a bug in the
        package, caught by the test suite).
    """
    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if not isinstance(value, type):
                continue
            if (
                issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                _check(value, found)
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


def _check(rule: type[Rule], found: dict[str, type[Rule]]) -> None:
    if not _CODE.fullmatch(rule.code):
        raise TypeError(f"{rule.__name__}: code {rule.code!r} is not LB and three digits")
    if not _NAME.fullmatch(rule.name):
        raise TypeError(f"{rule.__name__}: name {rule.name!r} is not kebab-case")
    if rule.code in found or any(other.name == rule.name for other in found.values()):
        raise TypeError(f"{rule.__name__}: code {rule.code} or name {rule.name} is used twice")
