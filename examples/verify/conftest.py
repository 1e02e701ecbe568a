"""Turns on lback-migrations' ready-made migration tests."""

pytest_plugins = ["lback_migrations.pytest_tests"]
