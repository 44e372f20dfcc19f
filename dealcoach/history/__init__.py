"""The history layer: many reviews read from a reviews folder. Records and their index, deals and
timelines, actions and follow-through, rescore and merge, insights.

It imports `review`, `playbook` and the shared modules, never `cli`.
"""
