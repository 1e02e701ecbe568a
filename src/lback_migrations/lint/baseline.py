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
from .findings import Finding

DEFAULT_NAME = "lint-baseline.json"
OPTION = "--baseline"
_FORMAT = 1

Key = tuple[str, str, str]
"""``(file relative to the baseline, code, message)``."""


def write_baseline(path: Path, findings: Sequence[Finding]) -> int:
    """Write every one of ``findings`` to ``path``; return how many were written."""
    counts = Counter(_key(finding, path.parent) for finding in findings)
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


def new_findings(path: Path, accepted: Counter[Key], findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` less those ``accepted`` covers."""
    left = Counter(accepted)
    kept: list[Finding] = []
    for finding in findings:
        key = _key(finding, path.parent)
        if left[key] > 0:
            left[key] -= 1
        else:
            kept.append(finding)
    return kept


def _key(finding: Finding, directory: Path) -> Key:
    file = Path(os.path.relpath(os.path.abspath(finding.path), directory.absolute())).as_posix()
    return file, finding.code, finding.message
