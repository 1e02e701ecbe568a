"""``lback-migrations verify``: every migration run on a shadow database, and observed.

One concept per module:

- :mod:`~lback_migrations.verify.shadow`: the throw-away database, created and dropped;
- :mod:`~lback_migrations.verify.snapshot`: the schema as the inspector sees it, compared;
- :mod:`~lback_migrations.verify.seeding`: rows generated with hypothesis, and the data read
  back and compared by primary key;
- :mod:`~lback_migrations.verify.observation`: each statement a migration runs, with the locks
  it took, the tables it rewrote and its time;
- :mod:`~lback_migrations.verify.lint_match`: the lint findings of a revision confirmed or
  refuted by what was observed;
- :mod:`~lback_migrations.verify.report`: the results, as frozen values, text and JSON;
- :mod:`~lback_migrations.verify.stairway`: the walk up and down every revision;
- :mod:`~lback_migrations.verify.command`: the ``verify`` command line.
"""
