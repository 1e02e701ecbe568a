"""Formatting one revision: the rewrites, the engine, and the checks that guard the result.

:func:`format_source` and :func:`format_file` return a :data:`~.results.FormatResult` and never
raise. A result is :class:`~.results.Formatted` only when the new source parses, is equivalent
to the old one (:mod:`.equivalence`) and is stable (formatting it again changes nothing).

Stability needs a second formatting pass only in rare cases. black and ruff are stable on their
own output (black even formats twice inside ``format_str`` to be so), so formatting the result
again could only change it through the rewrites: when a rewrite took part, the same cheap reads
of the result's syntax tree that decide whether to rewrite at all say whether they would have
work on it. Only when they would (an import block whose comments keep it from the canonical
order) is the result formatted again and compared. The property tests of the suite check the
whole pipeline on generated programs.
"""

from __future__ import annotations

import ast
import codecs
from pathlib import Path

from ..atomic_write import write_atomically
from .engines import EngineError, format_with_engine
from .equivalence import difference
from .imports import block_is_canonical, unused_imports
from .markers import has_markers
from .options import FormatOptions
from .results import Failed, FormatResult, Formatted, Unchanged

MAX_NESTING_DEPTH = 100
"""The deepest syntax tree formatted: the equivalence check, libcst and black recurse, and
real revisions nest a few dozen levels at most. A deeper file fails, in every mode alike."""


def format_source(
    source: str, options: FormatOptions, path: Path, *, verify: bool = True
) -> FormatResult:
    """Format the Python ``source`` of the revision at ``path``.

    :param path: where the source comes from, for the result and for ``ruff``'s configuration.
    :param verify: check that a changed result parses, is equivalent and is stable. Only a
        caller that merely asks *whether* the source would change (``format --check``) may
        skip it: the checks cost as much as formatting again.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as error:
        return _syntax_failure(path, error)
    except RecursionError:
        return _too_deep(path)
    if _nesting_depth(tree) > MAX_NESTING_DEPTH:
        return _too_deep(path)
    formatted, rewritten = _format_once(source, tree, options, path)
    if isinstance(formatted, Failed) or formatted == source:
        return formatted if isinstance(formatted, Failed) else Unchanged(path)
    if not verify:
        return Formatted(path, source, formatted)
    try:
        result_tree = ast.parse(formatted)
    except (SyntaxError, ValueError) as error:
        return Failed(path, f"the formatted code does not parse ({error}); please report this")
    problem = difference(
        tree, result_tree, imports_removable=options.remove_unused_imports != "false"
    )
    if problem is not None:
        return Failed(path, f"formatting would change the program: {problem}; please report this")
    if rewritten and _reformats(formatted, result_tree, options, path):
        return Failed(
            path, "formatting is not stable (a second pass changes the result); please report this"
        )
    return Formatted(path, source, formatted)


def _too_deep(path: Path) -> Failed:
    return Failed(
        path,
        f"the code nests more than {MAX_NESTING_DEPTH} levels deep, deeper than the check "
        "that formatting keeps its meaning can follow; the file is left as it is",
    )


def _nesting_depth(tree: ast.AST) -> int:
    # Iterative on purpose: a recursive walk is what such a tree breaks.
    deepest = 0
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _syntax_failure(path: Path, error: SyntaxError | ValueError) -> Failed:
    if isinstance(error, SyntaxError):
        return Failed(path, f"the file does not parse: {error.msg}", error.lineno)
    return Failed(path, f"the file does not parse: {error}")


def _format_once(
    source: str, tree: ast.Module, options: FormatOptions, path: Path
) -> tuple[str | Failed, bool]:
    """Rewrite (when needed) and format ``source``; tell whether a libcst rewrite took part."""
    unused, rewritten = _rewrites_needed(source, tree, options)
    if rewritten:
        from libcst import ParserSyntaxError

        from .rewrites import rewrite

        try:
            source = rewrite(source, tree, options, unused)
        except ParserSyntaxError as error:
            failure = Failed(path, f"libcst cannot parse the file: {error.message}", error.raw_line)
            return failure, rewritten
    try:
        return format_with_engine(source, path, options), rewritten
    except EngineError as error:
        return Failed(path, str(error)), rewritten
    except Exception as error:  # the engine's own bugs must not lose the revision
        failure = Failed(path, f"{options.engine} failed: {type(error).__name__}: {error}")
        return failure, rewritten


def _rewrites_needed(
    source: str, tree: ast.Module, options: FormatOptions
) -> tuple[frozenset[str], bool]:
    """The unused imports to remove, and whether any libcst rewrite has work in ``source``."""
    lines = source.splitlines()
    removal = options.remove_unused_imports
    unused = (
        unused_imports(tree, lines, any_module=removal == "all")
        if removal != "false"
        else frozenset()
    )
    needed = bool(
        unused
        or (options.sort_imports and not block_is_canonical(tree, lines))
        or (options.strip_alembic_markers and has_markers(source))
    )
    return unused, needed


def _reformats(source: str, tree: ast.Module, options: FormatOptions, path: Path) -> bool:
    """Whether formatting ``source``, the engine's output, again would change it: only through
    the rewrites, the engine being stable on its own output."""
    if not _rewrites_needed(source, tree, options)[1]:
        return False
    again, _ = _format_once(source, tree, options, path)
    return again != source


def format_file(
    path: Path, options: FormatOptions, *, write: bool = True, verify: bool = True
) -> FormatResult:
    """Format the revision file at ``path``, replacing it atomically when ``write`` is true.

    Line endings (``\\n`` or ``\\r\\n``), a UTF-8 byte order mark, the file's permission
    bits, its hard links and a symbolic link to it are kept (see
    :func:`~lback_migrations.atomic_write.write_atomically`). A file that is not UTF-8, does
    not parse or cannot be written is left exactly as it was.

    :param write: replace the file with the formatted source; false only reports.
    :param verify: see :func:`format_source`; always on when ``write`` is.
    """
    try:
        content = path.read_bytes()
    except OSError as error:
        return Failed(path, f"cannot read the file: {error.strerror or error}")
    bom = codecs.BOM_UTF8 if content.startswith(codecs.BOM_UTF8) else b""
    try:
        text = content[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        return Failed(path, f"the file is not UTF-8: {error.reason} at byte {error.start}")
    newline = "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"
    result = format_source(text.replace("\r\n", "\n"), options, path, verify=verify or write)
    if isinstance(result, Formatted) and write:
        try:
            write_atomically(path, bom + result.after.replace("\n", newline).encode("utf-8"))
        except OSError as error:
            return Failed(path, f"cannot write the file: {error.strerror or error}")
    return result
