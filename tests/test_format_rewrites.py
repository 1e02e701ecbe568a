"""Each rewrite of the ``lback_format`` hook, as source before and after."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from lback_migrations.formatting.formatter import format_file, format_source
from lback_migrations.formatting.options import FormatOptions
from lback_migrations.formatting.results import Failed, Formatted, Unchanged

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


def test_unused_imports_are_removed() -> None:
    assert_formats(
        """\
        import os
        import sqlalchemy as sa
        from alembic import op
        from sqlalchemy.dialects import mysql, postgresql


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", postgresql.JSONB()))
        """,
        """\
        import sqlalchemy as sa
        from alembic import op
        from sqlalchemy.dialects import postgresql


        def upgrade() -> None:
            op.add_column("t", sa.Column("c", postgresql.JSONB()))
        """,
    )


def test_imports_used_in_string_annotations_all_or_kept_by_noqa_stay() -> None:
    assert_formats(
        """\
        from __future__ import annotations

        import json  # noqa: F401
        from typing import Any

        import myapp.types
        from myapp import exported

        __all__ = ["exported"]


        def helper(value: "Any") -> None:
            myapp.types.check(value)
        """,
        """\
        from __future__ import annotations

        import json  # noqa: F401
        from typing import Any

        import myapp.types
        from myapp import exported

        __all__ = ["exported"]


        def helper(value: "Any") -> None:
            myapp.types.check(value)
        """,
    )


def test_unused_import_removal_can_be_switched_off() -> None:
    assert_formats(
        """\
        import os
        from alembic import op
        """,
        """\
        import os

        from alembic import op
        """,
        remove_unused_imports="false",
    )


def test_the_import_block_is_merged_sorted_and_sectioned() -> None:
    assert_formats(
        '''\
        """Add accounts."""
        from alembic import op
        import sqlalchemy as sa
        from sqlalchemy.dialects import postgresql
        import os, sys
        from collections.abc import Sequence
        from sqlalchemy.dialects import mysql
        from __future__ import annotations
        from . import helpers
        from sqlalchemy.dialects import mysql

        revision: str = "abc"
        down_revision: str | Sequence[str] | None = None


        def upgrade() -> None:
            op.execute(os.sep + sys.prefix)
            helpers.run(sa, postgresql, mysql)
        ''',
        '''\
        """Add accounts."""

        from __future__ import annotations

        import os
        import sys
        from collections.abc import Sequence

        import sqlalchemy as sa
        from alembic import op
        from sqlalchemy.dialects import mysql, postgresql

        from . import helpers

        revision: str = "abc"
        down_revision: str | Sequence[str] | None = None


        def upgrade() -> None:
            op.execute(os.sep + sys.prefix)
            helpers.run(sa, postgresql, mysql)
        ''',
    )


def test_imported_names_are_ordered_constants_classes_then_functions() -> None:
    assert_formats(
        """\
        from sqlalchemy import text, Column, TIMESTAMP, func

        print(text, Column, TIMESTAMP, func)
        """,
        """\
        from sqlalchemy import TIMESTAMP, Column, func, text

        print(text, Column, TIMESTAMP, func)
        """,
    )


def test_an_import_line_with_a_comment_moves_whole_and_keeps_its_comment() -> None:
    assert_formats(
        """\
        import sqlalchemy as sa
        # the dialect the column types come from
        from sqlalchemy.dialects import postgresql  # noqa: F401
        import os

        print(sa, os)
        """,
        """\
        import os

        import sqlalchemy as sa

        # the dialect the column types come from
        from sqlalchemy.dialects import postgresql  # noqa: F401

        print(sa, os)
        """,
    )


def test_import_sorting_can_be_switched_off() -> None:
    assert_formats(
        """\
        from alembic import op
        import os

        print(op, os)
        """,
        """\
        from alembic import op
        import os

        print(op, os)
        """,
        sort_imports=False,
    )


MARKED = '''\
    from alembic import op


    def upgrade() -> None:
        """Upgrade schema."""
        # ### commands auto generated by Alembic - please adjust! ###
        op.drop_table("account")
        # ### end Alembic commands ###
    '''


def test_alembic_markers_are_kept_by_default() -> None:
    assert_formats(MARKED, MARKED)


def test_alembic_markers_are_dropped_when_asked() -> None:
    assert_formats(
        MARKED,
        '''\
        from alembic import op


        def upgrade() -> None:
            """Upgrade schema."""
            op.drop_table("account")
        ''',
        strip_alembic_markers=True,
    )


def test_black_options_apply_after_the_rewrites() -> None:
    assert_formats(
        """\
        op.create_index('ix_account_name', 'account', ['name'], unique=False)
        """,
        """\
        op.create_index(
            'ix_account_name', 'account', ['name'], unique=False
        )
        """,
        line_length=60,
        skip_string_normalization=True,
    )


def test_a_file_that_does_not_parse_fails_with_its_line() -> None:
    result = format_source("import os\ndef upgrade(:\n    pass\n", FormatOptions(), REVISION)
    assert isinstance(result, Failed)
    assert result.line == 2
    assert "does not parse" in result.reason


def test_a_file_that_does_not_parse_is_left_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    content = b"import os  \r\ndef upgrade(:\r\n    pass\r\n"
    path.write_bytes(content)
    assert isinstance(format_file(path, FormatOptions()), Failed)
    assert path.read_bytes() == content


def test_windows_line_endings_and_permission_bits_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "revision.py"
    path.write_bytes(b"x = 'a'\r\ny = 2\r\n")
    path.chmod(0o600)
    assert isinstance(format_file(path, FormatOptions()), Formatted)
    assert path.read_bytes() == b'x = "a"\r\ny = 2\r\n'
    assert path.stat().st_mode & 0o777 == 0o600


def test_checking_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "revision.py"
    path.write_text("x = 'a'\n")
    result = format_file(path, FormatOptions(), write=False)
    assert isinstance(result, Formatted)
    assert result.after == 'x = "a"\n'
    assert path.read_text() == "x = 'a'\n"


@pytest.mark.parametrize("engine", ["black", "ruff"])
def test_both_engines_format_after_the_rewrites(engine: str) -> None:
    assert_formats(
        """\
        import os
        x = {  'a':37,'b':42}
        """,
        """\
        x = {"a": 37, "b": 42}
        """,
        engine=engine,
    )
