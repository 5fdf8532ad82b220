"""Job handlers registered with workers.jobs."""
