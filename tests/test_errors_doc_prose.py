"""missing-errors-doc reads failures described in prose, never in code examples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rustpro.rules.docs.missing_errors_doc import _documents_errors

# Doc prose without fences, headings or backticks of its own.
PROSE = st.text(
    alphabet=st.characters(exclude_characters="`~#", exclude_categories=["Cs"]),
    max_size=300,
)
# Code that spells every failure phrase the prose check knows.
EXAMPLE_CODE = (
    'match f() {\n    Err(e) => println!("fails if it returns an error: {e}"),\n'
    "    Ok(_) => {} // an error is returned on failure; errors if bad\n}"
)


@given(PROSE, st.sampled_from(["```", "```rust", "~~~", "```no_run"]), st.booleans())
def test_code_examples_say_nothing_about_failures(prose: str, fence: str, closed: bool) -> None:
    closing = "\n" + fence[:3] + "\n" if closed else ""
    with_example = f"{prose}\n\n{fence}\n{EXAMPLE_CODE}{closing}"
    assert _documents_errors(with_example) == _documents_errors(prose)


@given(PROSE, st.sampled_from(["# Errors", "## Errors", "# Error", "# Failures"]))
def test_an_errors_heading_always_documents_them(prose: str, heading: str) -> None:
    assert _documents_errors(f"{prose}\n\n{heading}\n\nWhen the disk is full.")


@given(
    PROSE,
    st.sampled_from(
        [
            "Returns an error if the file is missing.",
            "Fails outside roughly 1677..2262 AD.",
            "`Err(WouldBlock)` is returned when nothing is ready.",
            "Building the endpoint will fail for an invalid value.",
        ]
    ),
)
def test_a_failure_sentence_documents_them_wherever_it_stands(prose: str, sentence: str) -> None:
    assert _documents_errors(f"{prose}\n\n{sentence}")
    assert _documents_errors(f"{sentence}\n\n{prose}")


def test_silent_docs_are_not_documentation_of_errors() -> None:
    assert not _documents_errors(None)
    assert not _documents_errors("Reads the configuration file.")
    assert not _documents_errors("Waits until a read that fails with `WouldBlock` is retried.")


@given(
    PROSE,
    st.sampled_from(
        [
            "The original guard is returned if the closure returns `None`.",
            "The same restrictions (panics, errors) apply as with [`add_signal`].",
            "For the errors, see [`File::open`].",
        ]
    ),
)
def test_failures_told_by_condition_or_reference_document_them(prose: str, sentence: str) -> None:
    assert _documents_errors(f"{prose}\n\n{sentence}")


def test_an_example_asserting_the_function_fails_documents_its_errors() -> None:
    example = "Sends.\n\n```\nlet s = tx();\nassert_eq!(s.send(10), Err(SendError(10)));\n```\n"
    assert _documents_errors(example, "send")
    assert _documents_errors(
        example.replace("assert_eq!(", "let _ = (")
        .replace("Err(SendError(10))", "0")
        .replace("s.send(10)", "s.send(10).unwrap_err()"),
        "send",
    )
    # Another function's failure, or this one's success, says nothing about its errors.
    assert not _documents_errors(example, "try_send")
    assert not _documents_errors(example.replace("Err(SendError(10))", "Ok(())"), "send")
    # Without a name the examples are not read at all.
    assert not _documents_errors(example)


def test_a_conditional_success_is_no_failure() -> None:
    assert not _documents_errors("The narrowed guard is returned if successful.")
