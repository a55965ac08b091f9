"""Property tests of the small text judgements rules make: justifying comments, contract
docs, and integer literals."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rustpro.rules.memory.safety_comments import argues_soundness
from rustpro.rules.memory.unsafe_fn_missing_safety_doc import _states_contract
from rustpro.rules.perf.vec_push_without_capacity import _integer
from rustpro.syntax.parser import parse

_PROSE = st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=200)
# Prefixed so that no name is a word of contract prose (`contract`, `unsafe as` ..).
_NAMES = st.from_regex(r"f_[a-z0-9_]{0,12}", fullmatch=True)


@given(before=_PROSE, after=_PROSE)
def test_a_safety_keyword_always_justifies(before: str, after: str) -> None:
    assert argues_soundness(f"{before} SAFETY: {after}")


@given(text=_PROSE)
def test_an_admitted_defect_never_justifies(text: str) -> None:
    if "safety" in text.lower():
        return  # a `SAFETY:` note wins whatever else the comment says
    assert not argues_soundness(f"// FIXME: {text}")


@given(name=_NAMES, other=_NAMES, path=_NAMES)
def test_a_link_justifies_only_the_item_of_its_name(name: str, other: str, path: str) -> None:
    docs = f"See [`{path}::Trait::{other}`](https://example.org/trait.Trait.html)"
    assert _states_contract(docs, name) == (name == other)


@given(
    value=st.integers(min_value=0, max_value=10**12),
    suffix=st.sampled_from(["", "u8", "usize", "i64", "u128"]),
    grouped=st.booleans(),
)
def test_decimal_literals_read_as_their_value(value: int, suffix: str, grouped: bool) -> None:
    digits = f"{value:_}" if grouped else str(value)
    source = f"const N: u128 = {digits}{suffix};".encode()
    literal = parse(source).root_node.named_children[0].child_by_field_name("value")
    assert literal is not None
    assert _integer(literal) == value


def test_non_decimal_literals_are_not_read() -> None:
    literal = parse(b"const N: u8 = 0x10;").root_node.named_children[0]
    value = literal.child_by_field_name("value")
    assert value is not None and _integer(value) is None
