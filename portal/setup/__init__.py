"""Domain: setting up the service without the command line. The administrator adds
councils and suspends users; a council's admins add frameworks, lots, KPI targets and
contracts; providers keep their branches. Every change is one function that owns its
rows, its change record and its commit."""
