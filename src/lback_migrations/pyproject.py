"""Reading the ``[tool]`` tables of a ``pyproject.toml``."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:
    from pathlib import Path

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_tool_table(path: Path, key: str) -> dict[str, Any]:
    """Return the ``[tool]`` table of the ``pyproject.toml`` at ``path`` (empty when the file
    does not exist).

    :param key: the configuration key the caller reads, named when the file cannot be read.
    :raises ConfigurationError: when the file cannot be read, or is not valid TOML (naming the
        line and column).
    """
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except OSError as error:
        raise ConfigurationError(
            key, f"cannot read {path} ({error.strerror})", "make the file readable", str(path)
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(path, error) from None
    return tool if isinstance(tool, dict) else {}


def _syntax_error(path: Path, error: tomllib.TOMLDecodeError) -> ConfigurationError:
    message = str(error)
    position = _POSITION.search(message)
    problem = f"invalid TOML: {_POSITION.sub('', message)}"
    if position is None:
        where = "end of file" if "end of document" in message else "TOML"
        problem = problem.replace(" (at end of document)", "")
        return ConfigurationError(
            where, problem, "fix the TOML syntax (an unclosed bracket or string?)", str(path)
        )
    line, column = position.groups()
    return ConfigurationError(
        f"line {line}", problem, f"fix the TOML syntax at line {line}, column {column}", str(path)
    )
