"""The JSON Schema of ``[tool.lback-migrations]``, generated from the option dataclasses.

Each option of :class:`~lback_migrations.settings.Settings`,
:class:`~lback_migrations.lint.config.LintOptions` and
:class:`~lback_migrations.formatting.options.FormatOptions` that its tool's table of
:class:`~lback_migrations.options.OptionType` reads becomes a property: the schema of its TOML
form, its default and its documentation. Both spellings of a key (``url_env``, ``url-env``) are
properties, as both are read.

The schema describes a whole ``pyproject.toml`` (any other table is allowed), so that an editor
can be pointed at it for the file. The package ships it as ``pyproject-schema.json``;
``python -m lback_migrations.options_schema`` writes it again after an option changes (a test
checks that the shipped file is the generated one).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .options import PYPROJECT_TABLE, TOOL_NAME

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .options import OptionType

SCHEMA_FILE = Path(__file__).with_name("pyproject-schema.json")
"""The schema as shipped in the package."""
DIALECT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest draft every TOML editor extension reads."""


def pyproject_schema() -> dict[str, Any]:
    """The JSON Schema of a ``pyproject.toml`` holding ``[tool.lback-migrations]``."""
    from .formatting.options import OPTION_TYPES as FORMAT_TYPES
    from .formatting.options import FormatOptions
    from .lint.config import OPTION_TYPES as LINT_TYPES
    from .lint.config import LintOptions
    from .settings import OPTION_TYPES, Settings

    table = _table_schema(Settings, OPTION_TYPES, f"[{PYPROJECT_TABLE}]: the ``lback.*`` options")
    hooks = {
        "lint": _table_schema(LintOptions, LINT_TYPES, "The options of the lback_lint hook."),
        "format": _table_schema(
            FormatOptions, FORMAT_TYPES, "The options of the lback_format hook."
        ),
    }
    table["properties"].update(hooks)
    return {
        "$schema": DIALECT,
        "title": "pyproject.toml with [tool.lback-migrations]",
        "type": "object",
        "properties": {
            "tool": {"type": "object", "properties": {TOOL_NAME: {"$ref": "#/definitions/table"}}}
        },
        "definitions": {"table": table},
    }


def _table_schema(options: type, types: Mapping[str, OptionType], title: str) -> dict[str, Any]:
    documentation = _field_documentation(options)
    defaults = _defaults(options)
    properties: dict[str, Any] = {}
    for name, option_type in types.items():
        schema = {**option_type.schema}
        if documentation.get(name):
            schema["description"] = documentation[name]
        if defaults.get(name) is not None:
            schema["default"] = _toml_value(defaults[name])
        properties[name] = schema
        if "_" in name:
            properties[name.replace("_", "-")] = schema
    return {
        "type": "object",
        "description": title,
        "properties": properties,
        "additionalProperties": False,
    }


def _defaults(options: type) -> dict[str, Any]:
    if dataclasses.is_dataclass(options):
        return {field.name: field.default for field in dataclasses.fields(options)}
    return dict(getattr(options, "_field_defaults", {}))


def _toml_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_toml_value(item) for item in value]
    return value


def _field_documentation(options: type) -> dict[str, str]:
    """Each field's documentation: the string under its annotation, else its ``:param:``
    in the class docstring."""
    documentation: dict[str, str] = {}
    for match in re.finditer(
        r":param (\w+): (.*?)(?=\n\s*:param |\Z)", options.__doc__ or "", re.S
    ):
        documentation[match.group(1)] = _one_paragraph(match.group(2))
    statements = ast.parse(textwrap.dedent(inspect.getsource(options))).body[0]
    body = statements.body if isinstance(statements, ast.ClassDef) else []
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            documentation[statement.target.id] = _one_paragraph(following.value.value)
    return documentation


def _one_paragraph(text: str) -> str:
    plain = re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("``", "`")
    return " ".join(plain.split())


def schema_text() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(pyproject_schema(), indent=2) + "\n"


def main() -> None:
    """Write the schema to :data:`SCHEMA_FILE`, or to the path given as first argument."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_FILE
    target.write_text(schema_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
