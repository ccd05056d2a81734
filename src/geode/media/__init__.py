"""Media: files uploaded to Geode and served back by it.

An image may also be registered by key alone (`image/register`, in the
catalogue): such a key needs no file here. A file uploaded to Geode is kept in
a content-addressed store on disk (`store`), its type decided from its first
bytes (`sniff`), and recorded in the catalogue's `images` table by `service`,
which the HTTP upload, `geode media upload` and (later) GraphQL's
`fileUpload` share.
"""
