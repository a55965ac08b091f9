"""Rules of the `docs` checkpoint."""
