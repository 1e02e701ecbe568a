"""A billing application that shares its database with other applications."""
