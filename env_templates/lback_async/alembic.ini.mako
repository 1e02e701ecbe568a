# Alembic configuration written by lback-migrations (template "lback_async").

[alembic]
# path to migration scripts, relative to this file (%(here)s)
script_location = ${script_location}

# add the project directory to sys.path so that lback.target_metadata can be imported
prepend_sys_path = .
path_separator = os

# file name of new revisions: %%(rev)s and %%(slug)s are replaced
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# the database, through an async driver; the environment variable named by lback.url_env overrides it when set
sqlalchemy.url = sqlite+aiosqlite:///%(here)s/app.db

# ---- lback-migrations options (also accepted under [tool.lback-migrations] in pyproject.toml)

# MetaData of your models, as module:attribute; several separated by commas
# lback.target_metadata = myapp.models:Base.metadata

# environment variable that overrides sqlalchemy.url when it is set
# lback.url_env = DATABASE_URL

# schemas compared besides the default one (turns on include_schemas)
# lback.schemas = audit, reporting

# glob patterns of tables to compare (default: all) and to never compare
# lback.include_tables = app_*
# lback.exclude_tables = tmp_*, celery_*

# reflect only the tables your metadata defines (true) or every table (false)
# lback.only_metadata_tables = true

# propose dropping tables that exist in the database but not in the metadata
# lback.drop_unknown_tables = false

# object types autogenerate leaves alone: index, unique_constraint, foreign_key_constraint
# lback.exclude_object_types =

# compare column types, with the type rules listed (default: every rule)
# lback.compare_type = true
# lback.type_rules = string_length_default, boolean_tinyint, enum_check, json_jsonb

# compare server defaults, normalised so identical defaults are not reported
# lback.compare_server_default = true

# render user-defined types from a stable module: module.Type=import.path, comma-separated
# lback.type_modules = myapp.types.GUID=myapp.migration_types

# a fixed prefix for every user-defined type (Alembic's user_module_prefix)
# lback.user_module_prefix =

# Alembic's version table and its schema
# lback.version_table = alembic_version
# lback.version_table_schema =

# batch mode ("move and copy" ALTER): auto (SQLite only), always, never
# lback.batch_mode = auto

# write no revision when autogenerate finds nothing (-x allow_empty=true writes one anyway)
# lback.skip_empty_revisions = true

# run each migration in its own transaction
# lback.transaction_per_migration = false

# rename candidates found by autogenerate: ask (on a terminal), warn, off
# lback.rename_detection = ask

# named CHECK constraints compared (Alembic's checkconstraint_byname), expressions normalised
# lback.compare_check_constraints = false

# more Alembic autogenerate plugins by name (myproject.alembic_plugin), or ~name to turn one
# off (~lback.postgresql_enums)
# lback.autogenerate_plugins =

# alembic-utils views, functions, triggers, policies (PostgreSQL): module:attribute lists such
# as myapp.db:ENTITIES
# lback.entities =


[post_write_hooks]
# Every new revision is formatted, then linted (see the Hooks page of the lback-migrations docs).
hooks = lback_format, lback_lint

# lback_format: libcst rewrites, then black in-process; black reads [tool.black] from the
# nearest pyproject.toml, and the keys below override it
lback_format.type = lback_format
# lback_format.remove_unused_imports = true
# lback_format.sort_imports = true
# lback_format.strip_alembic_markers = false
# lback_format.engine = black
# lback_format.line_length = 88
# lback_format.target_version = py310, py311
# lback_format.skip_string_normalization = false
# lback_format.skip_magic_trailing_comma = false
# lback_format.preview = false

# lback_lint: the lback-migrations rules, reported (and failing the command) on each revision
lback_lint.type = lback_lint


# Logging: applied only when the application has not configured logging itself.
[loggers]
keys = root,sqlalchemy,alembic,alembic_plugins

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

# Alembic announces every autogenerate plugin it sets up at INFO: keep those lines quiet
[logger_alembic_plugins]
level = WARNING
handlers =
qualname = alembic.runtime.plugins

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
