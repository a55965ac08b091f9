"""Report renderers: each takes an `AuditResult` and returns text."""
