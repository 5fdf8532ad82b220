"""Background jobs. Jobs take ids, reload state and are safe to run twice.

With ``REDIS_URL`` set they go to RQ queues (``make worker`` runs a worker); without it
they run in-process, at once, so the laptop default needs no Redis.
"""
