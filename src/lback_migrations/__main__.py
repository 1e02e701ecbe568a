"""``python -m lback_migrations``: the ``lback-migrations`` command line."""

from lback_migrations.launcher import main

main()
