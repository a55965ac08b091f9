"""Rules of the `threads` checkpoint."""
