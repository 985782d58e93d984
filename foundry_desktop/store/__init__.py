"""Persistence: one project = one SQLite file plus a content-addressed media folder."""
