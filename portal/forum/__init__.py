"""Pages for provider forum members: anonymised, area-wide figures only."""
