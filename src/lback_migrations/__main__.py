"""``python -m lback_migrations``: the ``lback-migrations`` command line."""

from lback_migrations.cli import main

main()
