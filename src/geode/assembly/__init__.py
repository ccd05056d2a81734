"""Where the app is assembled: the registries that name every domain.

Domains and engines never import from here; the app factory, the CLI, the
migrations and worker processes do. Adding a domain means one line in each
registry it takes part in.
"""
