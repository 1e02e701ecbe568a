"""The code formatters behind ``lback_format``: black in-process, or ``ruff format``.

black is imported on first use, so that a run answered entirely from the result cache (or one
using ruff) never pays for it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .options import FormatOptions

if TYPE_CHECKING:
    import black

RUFF_TIMEOUT = 60
"""Seconds ``ruff format`` may take on one revision."""


class EngineError(Exception):
    """The engine could not format the source; the message says why."""


def engine_version(options: FormatOptions) -> str:
    """The name and version of the engine ``options`` select, for result caches.

    :raises EngineError: when the engine is ``ruff`` and no ruff executable is found.
    """
    if options.engine == "ruff":
        return _ruff_version(_ruff_executable())
    return f"black {metadata.version('black')}"


def format_with_engine(source: str, path: Path, options: FormatOptions) -> str:
    """Format ``source`` (the content of ``path``) with the engine ``options`` select.

    :raises EngineError: when the engine rejects the source or cannot run.
    """
    if options.engine == "ruff":
        return _format_with_ruff(source, path, options)
    return _format_with_black(source, options)


def black_mode(options: FormatOptions) -> black.Mode:
    """The :class:`black.Mode` for ``options``; options left unset keep black's defaults.

    :raises KeyError: for a target version black does not know.
    """
    import black
    from black.mode import TargetVersion

    settings: dict[str, Any] = {
        "target_versions": {TargetVersion[version.upper()] for version in options.target_version}
    }
    if options.line_length is not None:
        settings["line_length"] = options.line_length
    if options.skip_string_normalization is not None:
        settings["string_normalization"] = not options.skip_string_normalization
    if options.skip_magic_trailing_comma is not None:
        settings["magic_trailing_comma"] = not options.skip_magic_trailing_comma
    if options.preview is not None:
        settings["preview"] = options.preview
    return black.Mode(**settings)


def _format_with_black(source: str, options: FormatOptions) -> str:
    import black

    try:
        mode = black_mode(options)
    except KeyError as error:
        raise EngineError(f"black does not know the target version {error}") from error
    try:
        return black.format_str(source, mode=mode)
    except black.parsing.InvalidInput as error:
        raise EngineError(f"black cannot parse the file: {error}") from error


@functools.lru_cache(maxsize=1)
def _ruff_executable() -> str:
    beside_python = Path(sys.executable).with_name("ruff")
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("ruff")
    if found is None:
        raise EngineError(
            "engine = ruff but no ruff executable was found beside Python or on PATH; "
            "install it (pip install ruff) or set engine = black"
        )
    return found


@functools.lru_cache(maxsize=4)
def _ruff_version(executable: str) -> str:
    result = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False, timeout=RUFF_TIMEOUT
    )
    return result.stdout.strip()


def _ruff_arguments(path: Path, options: FormatOptions) -> list[str]:
    arguments = ["format", "--stdin-filename", str(path.absolute())]
    if options.line_length is not None:
        arguments.append(f"--line-length={options.line_length}")
    if options.target_version:
        arguments.append(f"--target-version={min(options.target_version, key=_version_number)}")
    if options.skip_string_normalization:
        arguments += ["--config", 'format.quote-style="preserve"']
    if options.skip_magic_trailing_comma is not None:
        value = str(options.skip_magic_trailing_comma).lower()
        arguments += ["--config", f"format.skip-magic-trailing-comma={value}"]
    if options.preview is not None:
        arguments.append("--preview" if options.preview else "--no-preview")
    return [*arguments, "-"]


def _version_number(version: str) -> int:
    return int(version[3:])


def _format_with_ruff(source: str, path: Path, options: FormatOptions) -> str:
    command = [_ruff_executable(), *_ruff_arguments(path, options)]
    try:
        result = subprocess.run(
            command,
            input=source,
            capture_output=True,
            text=True,
            check=False,
            timeout=RUFF_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EngineError(f"ruff format could not run: {error}") from error
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        raise EngineError(f"ruff format failed: {message[0] if message else result.returncode}")
    return result.stdout
