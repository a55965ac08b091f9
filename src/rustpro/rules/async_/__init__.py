"""Rules of the `async` checkpoint."""
