"""Background work: job rows (``jobs``), the outbox that queues them after commit
(``outbox``) and the kinds of job with the dotted names of their handlers (``kinds``).

The application records work here and never imports ``workers``: a worker process
(``python -m workers``) makes the app and imports each handler by its dotted name.
"""
