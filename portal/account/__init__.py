"""Pages every user has, whatever their organisation: home (the redirect to their own
home page, the accessibility statement, the health check) and their notifications."""
