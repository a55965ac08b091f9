"""The audit pipeline: file passes, crate passes, suppression, scoring."""
