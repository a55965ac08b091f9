"""Data files shipped inside the rustpro package (catalog.toml, the lint list, precision)."""

from __future__ import annotations

from pathlib import Path


def read_text(*parts: str) -> str:
    """The text of a data file under rustpro's package directory (`parts` of its path, such
    as `"report", "html_assets", "report.css"`).

    Read as a plain file when the package is one on disk (always, once installed):
    `importlib.resources` costs about 9 ms of imports at every start. A package imported from
    a zip archive has no such file; there, `importlib.resources` reads it.
    """
    try:
        return Path(__file__).parent.joinpath(*parts).read_text(encoding="utf-8")
    except OSError:
        from importlib import resources

        return resources.files("rustpro").joinpath(*parts).read_text(encoding="utf-8")
