"""How much of a source line a code frame shows, shared by the reports that show code.

A module of its own so that a report can cap its frames without importing another report
(the text report imports rich, which the HTML report does not need). The values are the text
report's; `tests/test_html_report.py` checks that the two never drift apart.
"""

from __future__ import annotations

# A code frame shows at most this many characters of a line, this many of them before the
# finding's column: a generated file's single 48 KB line shown whole in every frame made a
# report grow with findings x line length.
FRAME_WIDTH = 120
FRAME_LEAD = 40


def window(length: int, column: int) -> tuple[int, int]:
    """The characters `[first, last)` of a line of `length` shown around 0-based `column`."""
    if length <= FRAME_WIDTH:
        return 0, length
    first = max(0, min(column - FRAME_LEAD, length - FRAME_WIDTH))
    return first, first + FRAME_WIDTH
