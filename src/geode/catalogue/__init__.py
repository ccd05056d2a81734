"""The catalogue: shapes, pieces, items, variants, topics, flows, price lists.

File format: `@crystallize/schema` 6.14.
"""
