"""The review layer: one review of one deal. Inputs (answers files, `--set`), the interview,
scoring, the review document and its rendering, sessions, a playbook's self-tests, and the
use-cases the CLI calls (usecases.py).

It imports `playbook` and the shared modules, never `history` or `cli`.
"""
