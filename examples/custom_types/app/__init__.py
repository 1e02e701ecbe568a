"""A small application whose models use column types of its own."""
