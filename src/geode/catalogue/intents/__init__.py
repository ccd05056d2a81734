"""The catalogue's intents: each kind of record (pieces, shapes, topics, items,
variants, ...) as a file declares it (`*_inputs` modules, assembled in `schema`)
and as the engine applies it (the kind modules, assembled in `family`).

Kept empty: validation worker processes import the `*_inputs` modules and
`schema` of this package, and must not import the apply side with them.
"""
