"""Rules of the `perf` checkpoint."""
