"""The catalogue: shapes, pieces, items, variants, topics, flows, price lists (`@crystallize/schema` 6.14)."""
