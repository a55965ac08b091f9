"""`rustpro verify`: is the change done? Checks the work tree against a starting point."""
