"""Signal payloads as JSON values, converted the same way in every process.

The ``--events`` log, the subprocess runner's forwarding pipe and the hook signals' ``findings``
all carry these values, so a receiver sees the same payload whichever way a signal reached it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

JsonValue = Any
"""A value :func:`json.dumps` accepts: ``None``, bool, int, float, str, list, dict."""


def jsonable(value: object) -> JsonValue:
    """Convert ``value`` to JSON values, the same way in every process.

    Tuples and sets become lists, paths strings, enumerations their value, exceptions
    ``{"type", "message"}``, objects with an ``as_dict()`` method and dataclasses dicts, and
    anything else its ``str()``.
    """
    if isinstance(value, Enum):
        return jsonable(value.value)
    if value is None:
        return None
    for scalar in (bool, int, float, str):
        if isinstance(value, scalar):
            return scalar(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return jsonable(as_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)
