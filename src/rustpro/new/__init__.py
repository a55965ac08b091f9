"""`rustpro new`: projects that start out passing every gate rustpro enforces.

`kinds` reads what each kind is and needs, `names` checks package names, `render` fills the
Jinja2 templates shipped in `rustpro/templates/`, `workspace` finds an enclosing cargo
workspace, and `create` puts the project in place atomically.
"""
