"""tree-sitter parsing and position conversion: the only place that knows grammar details."""
