"""Background job handlers, one module per job family: ``imports``, ``packs``,
``feedback``, ``notifications`` (emails and receipts), ``reminders`` and ``maintenance``.

The application never imports this package: it records ``Job`` rows
(``portal.background``) whose kinds name these handlers by dotted name. ``python -m
workers`` makes the app once and runs each job in its context; without ``REDIS_URL`` the
web process imports the handler by name and runs it right after the commit.
"""
