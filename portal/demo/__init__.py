"""Demo data drawn from the public council and CQC documents: what it is (data), how it
is loaded (seed) and the made-up history of returns, staff and training (history)."""
