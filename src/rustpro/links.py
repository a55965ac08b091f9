"""Where rustpro's documentation lives on the web, for reports that link to it (SARIF's
`helpUri`, the rule pages a code-scanning alert points at).

Neither README nor the package metadata named a public repository before reports needed
one, so this module is the one place that does: `[project.urls]` in pyproject.toml states
the same address and a test keeps the two equal. A fork that publishes elsewhere changes
`REPOSITORY_URL` (and the pyproject entry); every link follows.
"""

from __future__ import annotations

REPOSITORY_URL = "https://github.com/rustpro/rustpro"
# The branch whose documentation links point at: rule pages change with the rules, and the
# default branch holds the pages of the newest rules.
DOCS_BRANCH = "main"


def doc_url(path: str) -> str:
    """The web address of a file of the repository (`docs/ci.md`)."""
    return f"{REPOSITORY_URL}/blob/{DOCS_BRANCH}/{path}"


def rule_page_url(rule: str) -> str:
    """The web address of a rustpro rule's page, generated into `docs/rules/` by `make docs`."""
    return doc_url(f"docs/rules/{rule}.md")
