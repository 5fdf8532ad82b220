"""The returns portal for care-market commissioning.

The app is made by ``portal.app.create_app``; only the entry points import it
(``wsgi.py``, ``python -m workers``, ``python -m workers.reminders`` and the tests), which
an import-linter contract checks. This package module imports nothing, so no import of
``portal.<anything>`` can reach the app factory by the back door.
"""
