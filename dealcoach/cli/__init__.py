"""The command line: typer apps per command group, prompts and drawing. Nothing imports it."""

from . import deal, history, playbooks, reviews  # importing them registers their commands on the app
from .app import app, main, run

__all__ = ["app", "deal", "history", "main", "playbooks", "reviews", "run"]
