"""Rules of the `project` checkpoint."""
