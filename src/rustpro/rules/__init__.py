"""rustpro's rules: one module per rule, grouped in one package per checkpoint."""
