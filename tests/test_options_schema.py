"""The JSON Schema of ``[tool.lback-migrations]`` that editors check pyproject.toml against.

It is generated from the option dataclasses and their parser tables, shipped in the package as
``pyproject-schema.json``, and agrees with the parsers: every key it allows parses, every key
the parsers read is in it, and each value it accepts is one the parsers accept.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from alembic.config import Config

from lback_migrations import options_schema
from lback_migrations.errors import ConfigurationError
from lback_migrations.formatting.options import OPTION_TYPES as FORMAT_TYPES
from lback_migrations.formatting.options import resolve_options
from lback_migrations.lint.config import OPTION_TYPES as LINT_TYPES
from lback_migrations.lint.context import lint_options
from lback_migrations.options import OptionType, normalise
from lback_migrations.settings import OPTION_TYPES, load_settings

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

TABLES: dict[str, dict[str, OptionType]] = {
    "": OPTION_TYPES,
    "lint": LINT_TYPES,
    "format": FORMAT_TYPES,
}
EXAMPLE = """
    [project]
    name = "shop"

    [tool.black]
    line-length = 100

    [tool.lback-migrations]
    target_metadata = ["shop.models:Base.metadata"]
    url-env = "SHOP_DATABASE_URL"
    schemas = "audit, billing"
    exclude_object_types = ["index"]
    lock_timeout = "2s"
    statement_timeout = "off"
    lock_timeout_retries = 5
    batch_mode = "never"
    revision_ids = "timestamp"

    [tool.lback-migrations.lint]
    select = ["LB"]
    ignore = "LB403"
    severity = { LB202 = "error" }
    fail-on = "warning"
    dialect = "postgresql+psycopg"
    server_version = "15.4"

    [tool.lback-migrations.format]
    remove_unused_imports = "all"
    line-length = 79
    target_version = ["py311"]
    engine = "black"
"""
SAMPLES: dict[str, Any] = {
    "boolean": True,
    "string": "x",
    "array": ["x"],
    "object": {},
    "integer": 3,
    "number": 2.5,
}


def table_schema(schema: dict[str, Any], table: str) -> dict[str, Any]:
    own = schema["definitions"]["table"]
    return own if not table else own["properties"][table]


def write_project(root: Path, pyproject: str) -> Config:
    (root / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    return Config(str(root / "alembic.ini"))


def read_every_table(config: Config, root: Path) -> None:
    load_settings(config)
    lint_options(config)
    resolve_options(root / "migrations" / "versions" / "r.py", {})


def test_the_shipped_schema_is_the_one_the_option_dataclasses_generate() -> None:
    shipped = options_schema.SCHEMA_FILE.read_text(encoding="utf-8")
    assert shipped == options_schema.schema_text(), (
        "run: python -m lback_migrations.options_schema src/lback_migrations/pyproject-schema.json"
    )


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(options_schema.pyproject_schema())


@pytest.mark.parametrize("table", TABLES)
def test_every_key_the_parsers_read_is_in_the_schema_in_both_spellings(table: str) -> None:
    properties = table_schema(options_schema.pyproject_schema(), table)["properties"]
    names = {name for name in properties if name not in ("lint", "format") or table}
    expected = set(TABLES[table]) | {name.replace("_", "-") for name in TABLES[table]}
    assert names == expected


@pytest.mark.parametrize("table", TABLES)
def test_every_key_the_schema_allows_has_its_schema_from_the_parser_table(table: str) -> None:
    properties = table_schema(options_schema.pyproject_schema(), table)["properties"]
    for name, schema in properties.items():
        if not table and name in ("lint", "format"):
            continue
        expected = TABLES[table][normalise(name)].schema
        assert {key: schema[key] for key in expected} == dict(expected), name


def test_a_real_pyproject_toml_validates_and_parses(tmp_path: Path) -> None:
    document = tomllib.loads(textwrap.dedent(EXAMPLE))
    jsonschema.validate(document, options_schema.pyproject_schema())
    read_every_table(write_project(tmp_path, EXAMPLE), tmp_path)


def test_the_schema_rejects_an_unknown_key_as_the_parsers_do(tmp_path: Path) -> None:
    pyproject = '[tool.lback-migrations.lint]\nfail_of = "warning"\n'
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tomllib.loads(pyproject), options_schema.pyproject_schema())
    with pytest.raises(ConfigurationError):
        read_every_table(write_project(tmp_path, pyproject), tmp_path)


def accepts(schema_types: str | list[str], json_type: str) -> bool:
    """Whether a JSON Schema ``type`` admits ``json_type`` (a number may be an integer)."""
    admitted = {schema_types} if isinstance(schema_types, str) else set(schema_types)
    return json_type in admitted or (json_type == "integer" and "number" in admitted)


def refused_types() -> list[tuple[str, str, str]]:
    schema = options_schema.pyproject_schema()
    return [
        (table, name, json_type)
        for table, types in TABLES.items()
        for name in types
        for json_type in SAMPLES
        if not accepts(table_schema(schema, table)["properties"][name]["type"], json_type)
    ]


@pytest.mark.parametrize(("table", "name", "json_type"), refused_types())
def test_a_value_of_a_type_the_schema_refuses_is_refused_by_the_parser(
    table: str, name: str, json_type: str
) -> None:
    with pytest.raises(ConfigurationError):
        TABLES[table][name].parse(SAMPLES[json_type], name, None)


def test_a_value_valid_for_the_schema_parses_for_every_key() -> None:
    """One value of each type the schema allows, checked against the schema, parses."""
    values = {
        "boolean": True,
        "string": "",
        "array": [],
        "object": {},
        "integer": 1,
        "number": 1.5,
    }
    schema = options_schema.pyproject_schema()
    validator = jsonschema.Draft7Validator(schema)
    for table, types in TABLES.items():
        properties = table_schema(schema, table)["properties"]
        for name, option_type in types.items():
            property_types = properties[name]["type"]
            for json_type in (
                [property_types] if isinstance(property_types, str) else property_types
            ):
                document = nested(table, name, values[json_type])
                if validator.is_valid(document):
                    option_type.parse(values[json_type], name, None)


def nested(table: str, name: str, value: Any) -> dict[str, Any]:
    inner = {table: {name: value}} if table else {name: value}
    return {"tool": {"lback-migrations": inner}}
