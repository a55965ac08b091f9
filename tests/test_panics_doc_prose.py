"""The panic rules read panics documented in prose as well as under a `# Panics` heading."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustpro.rules.errors.panic_sites import panics_text

# Doc prose that cannot spell a heading, emphasis or the word itself.
PROSE = st.text(
    alphabet=st.characters(exclude_characters="`~#*", exclude_categories=["Cs"]),
    max_size=200,
).filter(lambda text: "panic" not in text.lower())


@pytest.mark.parametrize(
    "docs",
    [
        "Splits into blocks.\n\n**Panics** if `block_size` is 0.",
        "***Panics*** if the `other` index is out of bounds.",
        "Removes the element.\n\nPanics if `index` is out of bounds.",
        "Unwraps a complete value. Panics if the status is `Partial`.",
        "*warning*: if the result is `Incomplete`, this method will panic.",
        "Only on a root matcher. This will panic otherwise.",
        "Not currently supported, always panics. Please use `dir_name2`.",
        "This function panics when the buffer is full.",
        "Reads it.\n\n# Panics\n\nWhen the lock is poisoned.",
        # tracing-subscriber's `with_ansi`: the caller's act as the subject.
        'Calling `with_ansi(true)` without the "ansi" feature flag enabled will panic if '
        "debug assertions are enabled, or print a warning otherwise.",
        "Passing an empty slice will panic.",
        "Parses the header. It panics if `raw` is empty.",
        "Grows the buffer; this also panics when the length overflows.",
    ],
)
def test_prose_that_says_the_function_panics_documents_it(docs: str) -> None:
    assert panics_text(docs)


@pytest.mark.parametrize(
    "docs",
    [
        "Takes the items. This function never panics.",
        "It will not panic, whatever the input.",
        "Takes byte slices: `IoSlice::new` panics on buffers over 4 GiB.",
        "The closure may panic; the pool survives it.",
        "Runs `f` on the pool; if it panics, the pool survives it.",
        "Using the handle from another thread is fine. The callback may panic.",
        "Calling it twice returns the same value.",
        'Shows how to recover:\n\n```\nlet r = std::panic::catch_unwind(|| panic!("x"));\n```',
        "",
    ],
)
def test_prose_about_other_panics_documents_nothing(docs: str) -> None:
    assert not panics_text(docs)


@given(PROSE, st.sampled_from(["```", "```rust", "~~~"]))
def test_code_examples_document_no_panics(prose: str, fence: str) -> None:
    example = f"{prose}\n\n{fence}\nPanics if x.\nthis method will panic\n{fence[:3]}\n"
    assert not panics_text(example)


@given(PROSE, st.sampled_from(["# Panics", "## Panics"]))
def test_a_panics_heading_always_documents_them(prose: str, heading: str) -> None:
    assert panics_text(f"{prose}\n\n{heading}\n\nWhen `n` is zero.")
