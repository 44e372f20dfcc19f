"""dealcoach: a command-line deal-review coach built on YAML playbooks."""

__version__ = "0.1.0"
