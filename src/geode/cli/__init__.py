"""The `geode` command: a thin front door over the services."""
