"""The playbook layer: the format, its loader and validation, expressions, the bounded YAML reader,
the schema, the catalogue of layered playbook folders, diffs, pages and starters.

It imports only the small shared modules (`errors`, `config`, `files`, `text`), never `review`,
`history` or `cli`.
"""
