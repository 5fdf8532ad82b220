"""Pages for care providers."""
