"""Parsing option values written by users: ini strings or TOML values.

Every option reader of lback-migrations (the ``lback.*`` environment options, the
``lback_format`` and ``lback_lint`` hook options, ``-x`` arguments) reads booleans and lists
the same way, and names the key it could not read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable

TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})


def is_true(text: str) -> bool:
    """Whether ``text`` (an ``-x`` argument, say) is one of :data:`TRUE_WORDS`."""
    return text.strip().lower() in TRUE_WORDS


def parse_bool(value: Any, key: str, source: str | None) -> bool:
    """Read a boolean: a TOML boolean or one of the true / false words.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return is_true(value)
    raise ConfigurationError(
        key, f"expected true or false, got {value!r}", "write true or false", source
    )


def parse_text(value: Any, key: str, source: str | None) -> str:
    """Read a string, without surrounding white space.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, str):
        return value.strip()
    raise ConfigurationError(key, f"expected a string, got {value!r}", "write a string", source)


def choice_parser(choices: tuple[str, ...]) -> Callable[[Any, str, str | None], str]:
    """Build a reader of one of ``choices`` (case-insensitive).

    The reader raises :class:`ConfigurationError` naming the key and the choices.
    """

    def parse(value: Any, key: str, source: str | None) -> str:
        text = parse_text(value, key, source).lower()
        if text not in choices:
            raise ConfigurationError(
                key, f"unknown value {value!r}", f"use one of: {', '.join(choices)}", source
            )
        return text

    return parse


def parse_list(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    """Read a list of names: a TOML array of strings, or a string separated by commas or
    new lines.

    :raises ConfigurationError: naming ``key`` (in ``source``) for anything else.
    """
    if isinstance(value, str):
        items = value.replace("\n", ",").split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ConfigurationError(
            key,
            f"expected a comma-separated list, got {value!r}",
            "write the names separated by commas",
            source,
        )
    return tuple(item.strip() for item in items if item.strip())
