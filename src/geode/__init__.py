"""Geode: a commerce data platform for moving a lot of data safely."""

__version__ = "0.1.0"
