"""The ``lback_format`` post-write hook and the ``format`` command.

A revision is first rewritten with libcst (unused imports removed, the import block merged and
sorted, Alembic's comment markers dropped), then formatted by black in-process (or by
``ruff format``). The result is checked to parse, to be equivalent to the input and to be stable
before the file is replaced, atomically.

The modules of this package import libcst and black; import them only when formatting.
"""
