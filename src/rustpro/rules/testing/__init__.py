"""Rules of the `testing` checkpoint."""
