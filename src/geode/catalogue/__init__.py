"""The catalogue: shapes, pieces, items, variants, topics, flows, price lists."""
