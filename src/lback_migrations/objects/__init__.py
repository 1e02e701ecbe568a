"""The database objects stock Alembic's autogenerate leaves out, one module per kind.

Each module holds the comparison of one kind of object and the operations it renders. The
``lback`` plugin (:mod:`lback_migrations.plugin`) registers the comparators as Alembic
autogenerate plugins of their own, so an environment turns each on or off by name
(:mod:`lback_migrations.autogenerate_plugins`); nothing here is imported until autogenerate runs.
"""
