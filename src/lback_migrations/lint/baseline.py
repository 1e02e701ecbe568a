"""A baseline of accepted findings: ``lint --write-baseline``, then only new findings count.

The baseline is a JSON file (``lint-baseline.json`` beside ``alembic.ini`` unless
``--baseline FILE`` names another) listing each accepted finding by the file it is in (relative
to the baseline's directory), its code and its message, and how many times it occurs there.
Lines are left out on purpose: editing a revision moves its findings without making them new.
A finding beyond the count written for its file, code and message is new, and is shown.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigurationError
from .conclusion import Shown, parse_text

DEFAULT_NAME = "lint-baseline.json"
OPTION = "--baseline"
_FORMAT = 1

Key = tuple[str, str, str]
"""``(file relative to the baseline, code, message)``."""


def write_baseline(path: Path, results: Sequence[tuple[str, Shown]]) -> int:
    """Write every finding of ``results`` to ``path``; return how many were written."""
    counts = Counter(_keys(path, results))
    document = {
        "format": _FORMAT,
        "findings": [
            {"path": file, "code": code, "message": message, "count": count}
            for (file, code, message), count in sorted(counts.items())
        ],
    }
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return sum(counts.values())


def read_baseline(path: Path) -> Counter[Key]:
    """The accepted findings written in ``path``.

    :raises ConfigurationError: naming ``--baseline`` and the file when it is not a baseline.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Counter(
            {
                (item["path"], item["code"], item["message"]): int(item["count"])
                for item in document["findings"]
            }
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(
            OPTION,
            f"{path} is not a lint baseline ({error})",
            "write it again with lback-migrations lint --write-baseline",
            str(path),
        ) from error


def new_findings(
    path: Path, accepted: Counter[Key], results: Sequence[tuple[str, Shown]]
) -> list[tuple[str, Shown]]:
    """``results`` less the findings ``accepted`` covers."""
    left = Counter(accepted)
    kept: list[tuple[str, Shown]] = []
    directory = path.parent
    for shown_path, shown in results:
        file = _relative(shown_path, directory)
        texts = []
        for text in shown.texts:
            _, _, code, message = parse_text(text)
            key = (file, code, message)
            if left[key] > 0:
                left[key] -= 1
            else:
                texts.append(text)
        kept.append((shown_path, Shown(texts, {text.split(" ", 2)[1] for text in texts})))
    return kept


def _keys(path: Path, results: Sequence[tuple[str, Shown]]) -> list[Key]:
    keys: list[Key] = []
    for shown_path, shown in results:
        file = _relative(shown_path, path.parent)
        for text in shown.texts:
            _, _, code, message = parse_text(text)
            keys.append((file, code, message))
    return keys


def _relative(shown_path: str, directory: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(shown_path), directory.absolute())).as_posix()
