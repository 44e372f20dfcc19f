"""dealcoach: a command-line deal-review coach built on YAML playbooks."""

from .version import __version__

__all__ = ["__version__"]
