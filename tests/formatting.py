"""Formatter cases as source before and after, in the manner of LibCST's codemod tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from lback_migrations.formatting.formatter import format_source
from lback_migrations.formatting.options import FormatOptions
from lback_migrations.formatting.results import Formatted, Unchanged

REVISION = Path("migrations/versions/abc_revision.py")


def assert_formats(before: str, after: str, **options: Any) -> None:
    """Formatting ``before`` gives ``after`` (dedented); formatting ``after`` is a no-op."""
    source, expected = textwrap.dedent(before), textwrap.dedent(after)
    result = format_source(source, FormatOptions(**options), REVISION)
    if source == expected:
        assert isinstance(result, Unchanged), result
    else:
        assert isinstance(result, Formatted), result
        assert result.after == expected
    assert isinstance(format_source(expected, FormatOptions(**options), REVISION), Unchanged)
