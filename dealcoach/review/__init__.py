"""The review layer: one review of one deal. Inputs (answers files, `--set`), the interview,
scoring, the review document and its rendering, sessions and a playbook's self-tests.

It imports `playbook` and the shared modules, never `history` or `cli`.
"""
