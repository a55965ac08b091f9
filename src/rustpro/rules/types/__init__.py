"""Rules of the `types` checkpoint."""
