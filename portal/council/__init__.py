"""Pages for council staff: commissioners and quality-assurance officers."""
