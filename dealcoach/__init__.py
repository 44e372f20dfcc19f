"""dealcoach: a command-line deal-review coach built on YAML playbooks.

The Python API, for scripts and notebooks that want reviews without the terminal:

    import dealcoach

    playbook = dealcoach.load_playbook("resistant-end-user")        # an id, or a path to a file
    review = dealcoach.make_review(playbook, "Acme", {"fear": "strong"})
    print(review.result.recommended, review.result.confidence)
    print(dealcoach.render_markdown(review))
    scan = dealcoach.read_reviews("reviews")                         # every review in a folder
    print(len(scan.records), "reviews,", len(scan.skipped), "damaged")

Names are loaded on first use, so `import dealcoach` (and the command line, which imports this
package first) stays cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .history.records import Scan
    from .playbook.model import Playbook

# name -> module that defines it; imported lazily by __getattr__ below.
_LAZY = {
    "score": "dealcoach.review.scoring",
    "make_review": "dealcoach.review.document",
    "render_markdown": "dealcoach.review.render",
    "render_json": "dealcoach.review.render",
    "Playbook": "dealcoach.playbook.model",
    "Review": "dealcoach.review.model",
    "Result": "dealcoach.review.scoring",
    "DealcoachError": "dealcoach.errors",
    "InputError": "dealcoach.errors",
}

__all__ = ["__version__", "load_playbook", "read_reviews", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dealcoach' has no attribute {name!r}")


def load_playbook(source: str | Path, folders: list[Path] | None = None) -> Playbook:
    """A checked playbook, from a file path or an id looked up through the playbook layers
    (built-in, user, project, then `folders`). Raises `DealcoachError` with file:line problems."""
    from .playbook.catalogue import catalogue
    from .playbook.loader import load

    path = Path(source)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load(path)
    return load(catalogue(folders).find(str(source)).path)


def read_reviews(folder: str | Path) -> Scan:
    """Every review in a reviews folder, read from its front matter; damaged files come back as
    problems rather than exceptions."""
    from .history.records import scan

    return scan(Path(folder))
