"""The market picture of one council (no Flask): risk and CQC counts, hours, cost and
rates, handbacks and capacity, for the council overview page and the packs."""
