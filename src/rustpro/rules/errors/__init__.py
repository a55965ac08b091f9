"""Rules of the `errors` checkpoint."""
