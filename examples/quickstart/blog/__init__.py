"""A small blog application: the models of the quickstart example."""
