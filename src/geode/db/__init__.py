"""Storage plumbing shared by every domain: engine, column types, migrations, bulk writes."""
