"""What a test body checks: its assertions and their expected values, its early returns, its
lint suppressions, and a fingerprint of its code that formatting and comments do not change.

One query, run in C over the body, finds every candidate; Python only judges the few nodes
it returns. Macro arguments are unparsed token trees, so an assertion's operands are split
at its top-level commas (and `==` / `!=` for `assert!(a == b)`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from rustpro.rules.testing.assertions import (
    is_asserting_macro,
    is_checking_helper,
    is_panicking_method,
    last_segment,
)
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query
from rustpro.verify.facts import Assertion, Suppression

_BODY_QUERY = r"""
(macro_invocation macro: (identifier) @name) @macro
(macro_invocation macro: (scoped_identifier name: (identifier) @name)) @macro
(token_tree (identifier) @token_name . "!" . (token_tree) @token_arguments)
(try_expression) @try
(call_expression function: (field_expression field: (field_identifier) @method)) @method_call
(call_expression
  function: (generic_function function: (field_expression field: (field_identifier) @method)))
  @method_call
(call_expression function: (identifier) @callee) @call
(call_expression function: (scoped_identifier name: (identifier) @callee)) @call
(return_expression) @return
(array_expression) @table
(let_declaration pattern: (identifier) @binding value: (_) @bound)
(attribute_item) @attribute
(inner_attribute_item) @attribute
(line_comment) @comment
"""

# Macros that run a harness around checks rather than check: their checks are read inside.
_HARNESS_MACROS = frozenset({"proptest", "quickcheck", "bolero", "arbtest"})
# Checks on a boolean: the first operand is the condition, later ones the message.
_BOOLEAN_CHECKS = frozenset(
    {"assert", "debug_assert", "prop_assert", "ensure", "check", "verify", "assert_that"}
)
# Checks with no operand to compare: they fail when reached.
_FAILING_CHECKS = frozenset({"panic", "unreachable", "todo", "unimplemented", "bail"})
# Words a literal-like expected value may contain (`Some(3)`, `vec![1]`, `"a".to_string()`).
_VALUE_WORDS = frozenset(
    {
        "true",
        "false",
        "vec",
        "Some",
        "None",
        "Ok",
        "Err",
        "to_string",
        "to_owned",
        "into",
        "from",
        "new",
        "as_str",
        "as_bytes",
        "to_vec",
        "b",
    }
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Nodes a `return` inside of which returns from something other than the test.
_OWN_SCOPES = frozenset({"closure_expression", "function_item", "async_block", "const_block"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
_CLOSERS = frozenset({")", "]", "}"})
_OPENERS = frozenset({"(", "[", "{"})
# One Rust token per match: comments and blanks (skipped), strings (raw ones too), char
# literals before lifetimes, words, numbers, multi-character operators, any other character.
_TOKEN = re.compile(
    r"""(?:\s+|//[^\n]*|/\*.*?\*/)
    |(
        [bc]?r"[^"]*"|[bc]?r\#".*?"\#|[bc]?r\#\#".*?"\#\#|[bc]?r\#\#\#".*?"\#\#\#
        |[bc]?"(?:[^"\\]|\\.)*"
        |b?'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F_]*\}|x[0-9a-fA-F]{2}|.))'
        |r\#[A-Za-z_]\w*|'?[A-Za-z_]\w*
        |\d\w*(?:\.\d\w*)?
        |<<=|>>=|::|==|!=|<=|>=|&&|\|\||->|=>|\.\.=|\.\.\.|\.\.|[-+*/%^&|]=|<<|>>
        |.
    )""",
    re.VERBOSE | re.DOTALL,
)
_MASK = "$fn"
# How `join` spaces tokens: none before these, none after these, none after a unary operator.
_GLUE_BEFORE = frozenset({")", "]", ",", ".", "?", ";", ":", "::", "..", "..="})
_GLUE_AFTER = frozenset({"(", "[", ".", "::", "#", "!", "..", "..="})
_UNARY = frozenset({"&", "&&", "*", "-"})
# `// rustpro: allow(rules) -- reason`, the project's suppression comment (README).
_RUSTPRO_ALLOW = re.compile(r"^//\s*rustpro:\s*allow\(\s*[^)]*\)\s*(?:--\s*(?P<reason>.*\S))?\s*$")
_LINT_ATTRIBUTES = frozenset({"allow", "expect"})


@dataclass(slots=True)
class BodyFacts:
    """What one function body does, before helpers of the same file are followed."""

    assertions: list[Assertion] = field(default_factory=list)
    local_calls: list[str] = field(default_factory=list)  # callees defined in the same file
    early_returns: list[int] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    rows: list[Assertion] = field(default_factory=list)  # rows of tables of cases


def normal(node: Node, masked: frozenset[str] = frozenset()) -> str:
    """The node's text rebuilt from its tokens (`join`): formatting, comments and trailing
    commas gone, so a reformatted test reads the same. Identifiers in `masked` read `$fn`."""
    return join(tokens(node, masked))


def join(words: list[str]) -> str:
    """Tokens as one line of code, spaced the way rustfmt would mostly space them.

    The spacing depends on the tokens alone, never on the source's layout.
    """
    out: list[str] = []
    glue = True  # no space before the next token
    previous = ""
    for word in words:
        if not glue and not _glued_before(word, previous):
            out.append(" ")
        out.append(word)
        glue = word in _GLUE_AFTER or (word in _UNARY and not _ends_operand(previous))
        previous = word
    return "".join(out)


def _glued_before(word: str, previous: str) -> bool:
    if word in _GLUE_BEFORE:
        return True
    if word in ("(", "[") and (_ends_operand(previous) or previous == "!"):
        return True
    return word == "!" and _is_word(previous)


def _ends_operand(word: str) -> bool:
    return bool(word) and (_is_word(word) or word in (")", "]", ">", "?"))


def _is_word(word: str) -> bool:
    first = word[0]
    return first.isalnum() or first in "_\"'$" or ord(first) > 127


def tokens(node: Node, masked: frozenset[str] = frozenset()) -> list[str]:
    """The node's tokens (a string literal is one), without comments or trailing commas."""
    return lex(items.text(node), masked)


def lex(text: str, masked: frozenset[str] = frozenset()) -> list[str]:
    """Rust source text as tokens; identifiers in `masked` read `$fn`.

    A regular expression in C, not a walk over the tree's leaves in Python: fingerprints
    tokenise every test body, and the walk cost about 40% of a tokio inventory.
    """
    words = [word for word in _TOKEN.findall(text) if word]
    if masked:
        words = [_MASK if word in masked else word for word in words]
    if "," not in words:
        return words
    # rustfmt adds and removes trailing commas: drop every comma before a closer.
    last = len(words) - 1
    return [
        word
        for index, word in enumerate(words)
        if word != "," or index == last or words[index + 1] not in _CLOSERS
    ]


def fingerprint(node: Node, masked: frozenset[str]) -> str:
    """A digest of the node's tokens: equal for code that differs only in layout.

    A digest, not the text: snapshots store one per test, and only equality is asked of it.
    """
    data = "\x1f".join(tokens(node, masked)).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_body(
    body: Node, *, returns_value: bool, line_offset: int, local_fns: frozenset[str]
) -> BodyFacts:
    """The checks, early returns and suppressions of `body` (a `block`).

    `line_offset` is added to tree rows (bodies parsed on their own, from a macro's tokens);
    `?` counts as a check only in a function that returns a value.
    """
    found = BodyFacts()
    macros: list[tuple[int, int, Assertion]] = []
    others: list[Assertion] = []
    returns: list[Node] = []
    bindings: dict[str, str] = {}  # variable -> the value last bound to it, in source order
    tables: list[Node] = []
    query = compile_query(_BODY_QUERY)
    for _, captures in QueryCursor(query).matches(body):
        if "binding" in captures:
            bindings[items.text(captures["binding"][0])] = normal(captures["bound"][0])
        elif "macro" in captures:
            name = items.text(captures["name"][0])
            invocation = captures["macro"][0]
            arguments = next((c for c in invocation.named_children if c.type == "token_tree"), None)
            if _is_check(name) and arguments is not None:
                macro = items.text(invocation.child_by_field_name("macro"))
                check = _macro_check(macro, arguments, invocation, line_offset, bindings)
                macros.append((invocation.start_byte, invocation.end_byte, check))
            elif name == "vec" and arguments is not None:
                tables.append(arguments)
        elif "token_name" in captures:
            name_node = captures["token_name"][0]
            arguments = captures["token_arguments"][0]
            name = items.text(name_node)
            if _is_check(name):
                check = _macro_check(name, arguments, name_node, line_offset, bindings)
                macros.append((name_node.start_byte, arguments.end_byte, check))
        elif "try" in captures:
            if returns_value:
                others.append(_plain_check(captures["try"][0], line_offset))
        elif "method_call" in captures:
            if is_panicking_method(items.text(captures["method"][0])):
                others.append(_plain_check(captures["method_call"][0], line_offset))
        elif "call" in captures:
            callee = items.text(captures["callee"][0])
            if callee in local_fns:
                found.local_calls.append(callee)
            elif is_checking_helper(callee):
                others.append(_plain_check(captures["call"][0], line_offset))
        elif "return" in captures:
            returns.append(captures["return"][0])
        elif "table" in captures:
            tables.append(captures["table"][0])
        elif "attribute" in captures:
            suppression = attribute_suppression(captures["attribute"][0], line_offset)
            if suppression is not None:
                found.suppressions.append(suppression)
        elif "comment" in captures:
            suppression = comment_suppression(captures["comment"][0], line_offset)
            if suppression is not None:
                found.suppressions.append(suppression)
    found.assertions = sorted(
        [*_outermost(macros), *others], key=lambda check: (check.line, check.text)
    )
    found.early_returns = _early_returns(body, returns, found.assertions, line_offset)
    found.rows = _rows(tables, line_offset)
    return found


def _rows(tables: list[Node], line_offset: int) -> list[Assertion]:
    """The rows of the tables of cases in a body: `&[("n", "EOF .."), ..]`, `vec![(1, 2)]`.

    A row is a tuple of two or more fields whose last fields hold a literal; the first field
    names the case, the others are what it expects. A table inside another is part of it.
    """
    rows: list[Assertion] = []
    end = -1
    for table in sorted(tables, key=lambda node: (node.start_byte, -node.end_byte)):
        if table.start_byte < end:
            continue
        end = table.end_byte
        line = table.start_point.row + 1 + line_offset
        for entry in _split(tokens(table)[1:-1]):
            if len(entry) < 2 or entry[0] != "(" or entry[-1] != ")":
                continue
            fields = _split(entry[1:-1])
            expected = [token for field in fields[1:] for token in (*field, ",")][:-1]
            if len(fields) < 2 or not any(map(_is_literal, expected)):
                continue
            case = join(fields[0])
            rows.append(Assertion(join(entry), f"row {case}", join(expected), line))
    return rows


def _split(words: list[str]) -> list[list[str]]:
    """Tokens split at their top-level commas (empty parts dropped)."""
    parts: list[list[str]] = [[]]
    depth = 0
    for token in words:
        if token in _OPENERS:
            depth += 1
        elif token in _CLOSERS:
            depth -= 1
        if token == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _is_literal(token: str) -> bool:
    first = token[0]
    return (
        first.isdigit()
        or first in "\"'"
        or token in ("true", "false")
        or (len(token) > 1 and first in "bcr" and token[1] in "\"'#")
    )


def _is_check(name: str) -> bool:
    return is_asserting_macro(name) and last_segment(name) not in _HARNESS_MACROS


def _outermost(macros: list[tuple[int, int, Assertion]]) -> list[Assertion]:
    """The checks not inside another check's arguments (`assert!(matches!(..))` is one)."""
    kept: list[Assertion] = []
    end = -1
    for start, stop, check in sorted(macros, key=lambda m: (m[0], -m[1])):
        if start >= end:
            kept.append(check)
            end = stop
    return kept


def _plain_check(node: Node, line_offset: int) -> Assertion:
    text = normal(node)
    return Assertion(text, text, "", node.start_point.row + 1 + line_offset)


def _macro_check(
    name: str, arguments: Node, start: Node, line_offset: int, bindings: dict[str, str]
) -> Assertion:
    """An assert-family macro call: its text, what it checks and the value it expects.

    An expected operand that is a variable (`assert_eq!(got, expected)`) expects the value
    last bound to it (`let expected = vec![1, 2];`): an edit there changes the expectation.
    """
    macro = name.replace(" ", "")
    text = f"{macro}!{normal(arguments)}"
    line = start.start_point.row + 1 + line_offset
    operands = _operands(arguments)
    short = last_segment(macro)
    if short in _FAILING_CHECKS or not operands:
        return Assertion(text, text, "", line)
    if short in _BOOLEAN_CHECKS:
        condition = operands[0]
        split = _comparison(condition)
        if split is None:
            pattern = _matches(condition)
            if pattern is not None:  # `assert!(matches!(value, Some(3)))`
                scrutinee, expected = pattern
                subject = f"{macro} matches {join(scrutinee)}"
                return Assertion(text, subject, join(expected), line)
            words = join(condition)
            return Assertion(text, f"{macro} {words}", "", line, trivial=_constant(condition))
        left, operator, right = split
        actual, expected = _actual_expected(left, right)
        trivial = (_constant(left) and _constant(right)) or left == right
        subject = f"{macro} {join(actual)} {operator}"
        return Assertion(text, subject, _value(expected, bindings), line, trivial=trivial)
    if len(operands) < 2:
        return Assertion(text, f"{macro} {join(operands[0])}", "", line)
    left, right = operands[0], operands[1]
    actual, expected = _actual_expected(left, right)
    trivial = (_constant(left) and _constant(right)) or left == right
    return Assertion(text, f"{macro} {join(actual)}", _value(expected, bindings), line, trivial)


def _value(expected: list[str], bindings: dict[str, str]) -> str:
    if len(expected) == 1 and expected[0] in bindings:
        return bindings[expected[0]]
    return join(expected)


def _operands(arguments: Node) -> list[list[str]]:
    """The top-level comma-separated operands of a macro's token tree, as token lists."""
    return _split(tokens(arguments)[1:-1])


def _matches(condition: list[str]) -> tuple[list[str], list[str]] | None:
    """`matches!(value, Pattern)` split into the value and the pattern it must match."""
    if len(condition) < 5 or condition[:3] != ["matches", "!", "("] or condition[-1] != ")":
        return None
    depth = 0
    inner = condition[3:-1]
    for index, token in enumerate(inner):
        if token in _OPENERS:
            depth += 1
        elif token in _CLOSERS:
            depth -= 1
        elif token == "," and depth == 0:
            return inner[:index], inner[index + 1 :]
    return None


def _comparison(condition: list[str]) -> tuple[list[str], str, list[str]] | None:
    """`a == b` split at its (first top-level) `==` or `!=`."""
    depth = 0
    for index, token in enumerate(condition):
        if token in ("(", "[", "{"):
            depth += 1
        elif token in _CLOSERS:
            depth -= 1
        elif depth == 0 and token in ("==", "!="):
            return condition[:index], token, condition[index + 1 :]
    return None


def _actual_expected(left: list[str], right: list[str]) -> tuple[list[str], list[str]]:
    """Which operand is the expected value: the literal-like one, else the right one
    (`assert_eq!(actual, expected)` is the usual order)."""
    if _value_like(left) and not _value_like(right):
        return right, left
    return left, right


def _value_like(operand: list[str]) -> bool:
    """Built from literals and constructors only: `4`, `"a"`, `Some(3)`, `Kind::Empty`."""
    for token in operand:
        if _IDENTIFIER.fullmatch(token) and token not in _VALUE_WORDS and not token[0].isupper():
            return False
    return True


def _constant(operand: list[str]) -> bool:
    """Nothing in it can change: `true`, `1`, `"a"`."""
    return all(not _IDENTIFIER.fullmatch(token) or token in ("true", "false") for token in operand)


def _early_returns(
    body: Node, returns: list[Node], checks: list[Assertion], line_offset: int
) -> list[int]:
    """Lines of the `return`s that leave the test before some of its code or checks.

    A `return` in the last statement (`return Ok(())`, `if done { return }` at the end)
    skips nothing; one in a closure or nested function leaves only that.
    """
    statements = [child for child in body.named_children if child.type not in _COMMENTS]
    last = statements[-1] if statements else None
    lines: list[int] = []
    for node in returns:
        top = _statement_of(node, body)
        if top is None:
            continue
        line = node.start_point.row + 1 + line_offset
        skips_code = last is not None and top.id != last.id
        skips_checks = any(check.line > line for check in checks)
        if skips_code or skips_checks:
            lines.append(line)
    return lines


def _statement_of(node: Node, body: Node) -> Node | None:
    """The statement of `body` that holds `node`; None when a closure or fn is in between."""
    current = node
    parent = current.parent
    while parent is not None and parent.id != body.id:
        if parent.type in _OWN_SCOPES:
            return None
        current = parent
        parent = current.parent
    return current if parent is not None else None


def attribute_suppression(attribute: Node, line_offset: int = 0) -> Suppression | None:
    """`#[allow(..)]` / `#[expect(..)]` (inner too) as a suppression, with or without a reason.

    A reason is `reason = ".."` in the attribute, a comment inside it, a comment after it on
    the same line, or a plain comment on the line just above it.
    """
    if items.attribute_path(attribute) not in _LINT_ATTRIBUTES:
        return None
    line = attribute.start_point.row + 1 + line_offset
    text = normal(attribute)
    return Suppression(text, line, _explained(attribute, text))


def _explained(attribute: Node, text: str) -> bool:
    if re.search(r"\breason\s*=", text):
        return True
    data = attribute.text or b""
    if b"//" in data or b"/*" in data:
        return True  # `#[allow(dead_code, // used by the macro` ..
    after = attribute.next_sibling
    if (
        after is not None
        and after.type in _COMMENTS
        and after.start_point.row == attribute.end_point.row
    ):
        return True
    before = attribute.prev_sibling
    return (
        before is not None
        and before.type in _COMMENTS
        and before.end_point.row == attribute.start_point.row - 1
        and not _is_doc(before)
        and _RUSTPRO_ALLOW.match(items.text(before)) is None
    )


def _is_doc(comment: Node) -> bool:
    return comment.child_by_field_name("outer") is not None or (
        comment.child_by_field_name("inner") is not None
    )


def comment_suppression(comment: Node, line_offset: int = 0) -> Suppression | None:
    """`// rustpro: allow(rule) -- reason` as a suppression; None for any other comment."""
    text = items.text(comment).strip()
    match = _RUSTPRO_ALLOW.match(text)
    if match is None:
        return None
    line = comment.start_point.row + 1 + line_offset
    return Suppression(" ".join(text.split()), line, match.group("reason") is not None)
