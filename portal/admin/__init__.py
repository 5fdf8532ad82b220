"""Pages for the service's administrators."""
