"""The catalogue: shapes, pieces, items, variants and topics (`@crystallize/schema` 6.14)."""
