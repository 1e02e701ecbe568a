"""Reading the ``[tool]`` tables of a ``pyproject.toml``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:
    from pathlib import Path


def load_tool_table(path: Path, key: str) -> dict[str, Any]:
    """Return the ``[tool]`` table of the ``pyproject.toml`` at ``path`` (empty when the file
    does not exist).

    :param key: the configuration key the caller reads, named in the error.
    :raises ConfigurationError: when the file cannot be read or is not valid TOML.
    """
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(
            key, f"cannot read {path}: {error}", "fix the TOML syntax", str(path)
        ) from error
    return tool if isinstance(tool, dict) else {}
