"""The returns portal for care-market commissioning.

``portal.app.create_app`` makes the app; only the entry points import it (``wsgi.py``,
``python -m workers``, the ``flask`` CLI through ``wsgi.py``, and the tests), which an
import-linter contract checks. It is re-exported here so ``from portal import create_app``
keeps working for them.
"""

from portal.app import REPO_ROOT, create_app

__all__ = ["REPO_ROOT", "create_app"]
