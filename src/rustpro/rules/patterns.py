"""Gated patterns: where the engine tries a rule's query pattern.

A whole-file query pattern costs something on every node of every file, whether it matches or
not, and most rule patterns are about a handful of names (`.unwrap()`, `spawn(..)`, `panic!`).
So a rule names the nodes its pattern is about (`method_calls("unwrap")`), the engine finds
those candidates for all rules in one cheap pass (a byte search for the words that begin or
name them, checked against the tree: `rustpro.engine.finder`), and runs the rule's pattern
only on each candidate, rooted there.
The rule's `check` receives the same captures as if the pattern had run over the whole file.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

# The captures of one match, by capture name (as `QueryCursor.matches` gives them).
Captures = dict[str, list[Node]]
# A Python stand-in for a query pattern: the captures of each match rooted at a candidate.
Matcher = Callable[[Node], list[Captures]]


class Channel(enum.Enum):
    """A family of candidate nodes the engine finds in its own pass."""

    # Nodes of the given kinds.
    KIND = "kind"
    # `x.name(..)`: a call_expression whose function is a field_expression named `name`.
    METHOD_CALL = "method_call"
    # `name(..)`, `a::b::name(..)`, `name::<T>(..)`: a call_expression by its last segment.
    FUNCTION_CALL = "function_call"
    # `a::name::f(..)`: a call_expression by the last segment of its path's qualifier.
    QUALIFIED_CALL = "qualified_call"
    # `name!(..)`, `a::name!(..)`: a macro_invocation by the last segment of its name.
    MACRO_CALL = "macro_call"
    # `#[name]`, `#[a::name(..)]`: an attribute_item by the last segment of its path.
    ATTRIBUTE = "attribute"
    # Nodes of a kind found from a byte search: the nearest node of the kind around each hit
    # of a regular expression (`let _ =` -> its let_declaration). For shapes too rare to be
    # worth a gate pattern on every node of a common kind.
    TEXT = "text"
    # Inside macro arguments (unparsed token trees), the token_tree holding `. name (..)`,
    # `name ! (..)` or the identifier `name`.
    MACRO_ARG_METHOD = "macro_arg_method"
    MACRO_ARG_MACRO = "macro_arg_macro"
    MACRO_ARG_IDENT = "macro_arg_ident"


@dataclass(frozen=True, slots=True)
class On:
    """The candidates of one channel a pattern is tried on.

    `names` filters by name (empty: every node of the channel; only the macro-call channel
    allows that, calls are too many); `matching` is a regular expression the name may match
    instead (a name in `names` or a `matching` one qualifies). `kinds` is for `Channel.KIND`.
    """

    channel: Channel
    names: frozenset[str] = frozenset()
    matching: str | None = None
    kinds: tuple[str, ...] = ()
    text: bytes = b""  # the regular expression of `Channel.TEXT`
    # `Channel.TEXT`: every match of `text` lies within one line that spells these bytes
    # (empty: no such promise); the engine then searches only those lines.
    line_needs: bytes = b""

    def wants(self, name: str) -> bool:
        """True when a candidate of this channel called `name` is for this pattern."""
        if not self.names and self.matching is None:
            return True
        if name in self.names:
            return True
        return self.matching is not None and _regex(self.matching).search(name) is not None


@dataclass(frozen=True, slots=True)
class Pattern:
    """A rule's query pattern and the candidates it is tried on.

    An empty `query` hands each candidate itself to `check` as `{"match": [node]}`. Otherwise
    the pattern runs rooted at the candidate (it must start with the candidate's node kind:
    `call_expression` for call channels, `macro_invocation`, `token_tree` for macro
    arguments, one of `kinds`), and each of its matches goes to `check`. `needs` lets the
    engine skip candidates whose text cannot match without running the pattern;
    `file_needs` skips every candidate of a file that holds none of its byte strings.
    """

    on: On
    query: str = ""
    # A cheap pre-test: the pattern can only match a candidate whose source holds one of
    # these byte strings (`(b"unsafe",)` for `unsafe impl`); others skip the query.
    needs: tuple[bytes, ...] = ()
    # Search `needs` only before the candidate's `body` (a function's signature, an impl's
    # header), for patterns that look nowhere else: a body is most of a function's bytes.
    needs_before_body: bool = False
    # The same, asked once per file of the whole file's bytes: for a rule that can only
    # fire in a file that spells a word somewhere (an import, a crate name).
    file_needs: tuple[bytes, ...] = ()
    # Instead of `query`: the same matches found in Python (`token_method_calls`). For
    # shapes whose query pattern costs tree-sitter milliseconds of analysis in every run
    # while matching them on a candidate at hand takes a few lines.
    matcher: Matcher | None = None
    # The rule reports on a match only when `ctx.public_gate` of the candidate (an item) is
    # not None, and nothing else it does with the match changes what it reports: the engine
    # skips the candidates whose bytes prove they are no public API (`ctx.may_be_public`),
    # before the byte pre-tests and the pattern (most functions are private or trait impl
    # members).
    public_only: bool = False
    # The rule does nothing with a match once the file has recorded this fact (a rule that
    # asks one yes-or-no question per file, `testing.has-tests`): the engine skips the
    # pattern's candidates from then on, and does not run its text search at all.
    until_fact: str = ""


def nodes(*kinds: str) -> On:
    """Every node of these kinds."""
    return On(Channel.KIND, kinds=kinds)


def method_calls(*names: str) -> On:
    """Method calls `recv.name(..)` with one of these method names."""
    return On(Channel.METHOD_CALL, frozenset(names))


def function_calls(*names: str) -> On:
    """Function calls whose path ends in one of these names (`f(..)`, `a::f(..)`, `f::<T>(..)`)."""
    return On(Channel.FUNCTION_CALL, frozenset(names))


def qualified_calls(*qualifiers: str) -> On:
    """Function calls `..::qualifier::f(..)`: the path's segment before the function name."""
    return On(Channel.QUALIFIED_CALL, frozenset(qualifiers))


def macro_calls(*names: str, matching: str | None = None) -> On:
    """Macro calls by the last segment of the macro's name; no names and no regex: all."""
    return On(Channel.MACRO_CALL, frozenset(names), matching)


def attributes(*names: str) -> On:
    """Outer attributes `#[..name..]` whose path ends in one of these names."""
    return On(Channel.ATTRIBUTE, frozenset(names))


def text_matches(regex: bytes, kind: str, *, line_needs: bytes = b"") -> On:
    """The `kind` node at each hit of `regex` in the file's bytes: the hit's token or one of
    its nearest ancestors. Start the regex with a literal: `re` finds those fast.

    `line_needs`: a promise that every match lies within one line (and is found by a search
    of that line alone) that spells these bytes; only such lines are searched. For a regex
    that reads whole lines (`//[/!][^\n]*\bassert` backtracks over every doc comment line).
    """
    return On(Channel.TEXT, kinds=(kind,), text=regex, line_needs=line_needs)


def macro_arg_methods(*names: str) -> On:
    """Token trees (macro arguments) holding a method call `. name (..)`."""
    return On(Channel.MACRO_ARG_METHOD, frozenset(names))


def macro_arg_macros(*names: str) -> On:
    """Token trees (macro arguments) holding a macro call `name ! (..)`."""
    return On(Channel.MACRO_ARG_MACRO, frozenset(names))


def macro_arg_idents(*names: str) -> On:
    """Token trees (macro arguments) holding the identifier `name`."""
    return On(Channel.MACRO_ARG_IDENT, frozenset(names))


_REGEXES: dict[str, re.Pattern[str]] = {}


def _regex(text: str) -> re.Pattern[str]:
    compiled = _REGEXES.get(text)
    if compiled is None:
        compiled = _REGEXES[text] = re.compile(text)
    return compiled


def token_method_calls(*names: str) -> Matcher:
    """The matches of the pattern
    `((token_tree "." . (identifier) @method . (token_tree) @args) (#any-of? @method names..))
    @match` rooted at a token tree: each `.name(..)` among its own tokens.

    tree-sitter's analysis of that pattern costs ~2.5 ms per run (a token tree's parse states
    are many). Its anchors (`.`) skip anonymous tokens but no named node (a comment breaks
    the chain), and every `.` starts a match: the same here.
    """
    wanted = frozenset(name.encode() for name in names)

    def matches(tree: Node) -> list[Captures]:
        found: list[Captures] = []
        children = tree.children
        for index, child in enumerate(children):
            if child.type != "." or child.is_named:
                continue
            method_at = _next_named(children, index)
            if method_at < 0:
                continue
            method = children[method_at]
            if method.type != "identifier" or method.text not in wanted:
                continue
            args_at = _next_named(children, method_at)
            if args_at < 0 or children[args_at].type != "token_tree":
                continue
            found.append({"method": [method], "args": [children[args_at]], "match": [tree]})
        return found

    return matches


def token_macro_calls(*names: str) -> Matcher:
    """The matches of the pattern
    `((token_tree (identifier) @name . "!" . (token_tree)) (#any-of? @name names..)) @match`
    rooted at a token tree: each `name!(..)` among its own tokens.

    tree-sitter's analysis of that pattern costs ~2 ms per run. Its anchors skip anonymous
    tokens but no named node: after the name, the first `!` before any named node, then the
    first named node after that `!` must be a token tree (as `token_method_calls`).
    """
    wanted = frozenset(name.encode() for name in names)

    def matches(tree: Node) -> list[Captures]:
        found: list[Captures] = []
        children = tree.children
        for index, child in enumerate(children):
            if child.type != "identifier" or child.text not in wanted:
                continue
            bang_at = _next_anonymous(children, index, "!")
            if bang_at < 0:
                continue
            args_at = _next_named(children, bang_at)
            if args_at >= 0 and children[args_at].type == "token_tree":
                found.append({"name": [child], "match": [tree]})
        return found

    return matches


def _next_anonymous(children: list[Node], index: int, kind: str) -> int:
    """The index of the first `kind` token after `index` before any named node, -1 if none."""
    for after in range(index + 1, len(children)):
        if children[after].is_named:
            return -1
        if children[after].type == kind:
            return after
    return -1


def _next_named(children: list[Node], index: int) -> int:
    """The index of the first named node after `index` in `children`, -1 if none."""
    for after in range(index + 1, len(children)):
        if children[after].is_named:
            return after
    return -1


# Python stand-ins for the gated patterns of the default rules. tree-sitter analyses every
# pattern of a query against the grammar's parse table when the query is compiled: the one
# query of the default rules' patterns cost ~130 M instructions (~15 ms) of every run, more
# than its matches cost on all the candidates of a large crate. Each builder below names the
# pattern it stands for; tests/test_query_rewrites.py compares each with that pattern.


def method_calls_with_arguments(*names: str) -> Matcher:
    """The matches of the pattern
    `(call_expression function: (_ field: (field_identifier) @method)
    arguments: (arguments) @args (#any-of? @method names..)) @match` rooted at a call."""
    wanted = frozenset(name.encode() for name in names)

    def matches(call: Node) -> list[Captures]:
        function = call.child_by_field_name("function")
        if function is None or not function.is_named:
            return []
        method = function.child_by_field_name("field")
        if method is None or method.type != "field_identifier" or method.text not in wanted:
            return []
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments":
            return []
        return [{"method": [method], "args": [arguments], "match": [call]}]

    return matches


def macro_paths_matching(capture: str, regex: str) -> Matcher:
    """The matches of the pattern `(macro_invocation macro: [(identifier) (scoped_identifier)]
    @capture (#match? @capture regex)) @match` rooted at a macro invocation."""
    search = re.compile(regex).search

    def matches(invocation: Node) -> list[Captures]:
        macro = invocation.child_by_field_name("macro")
        if macro is None or macro.type not in PATH_KINDS:
            return []
        if search(predicate_text(macro)) is None:
            return []
        return [{capture: [macro], "match": [invocation]}]

    return matches


# What `[(identifier) (scoped_identifier)]` names: a path, plain or qualified.
PATH_KINDS = frozenset({"identifier", "scoped_identifier"})


def signatures_returning(regex: str, kind: str = "") -> Matcher:
    """The matches of the pattern `(function_item name: (_) @name return_type: (kind) @ret
    (#match? @ret regex)) @match` (`(_)` for an empty kind) rooted at a function item or a
    function signature item."""
    search = re.compile(regex).search

    def matches(function: Node) -> list[Captures]:
        name = function.child_by_field_name("name")
        returned = function.child_by_field_name("return_type")
        if name is None or returned is None or not name.is_named:
            return []
        if not (returned.type == kind if kind else returned.is_named):
            return []
        if search(predicate_text(returned)) is None:
            return []
        return [{"name": [name], "ret": [returned], "match": [function]}]

    return matches


def predicate_text(node: Node) -> str:
    """A node's text as a `#match?` predicate reads it (strict UTF-8, as py-tree-sitter)."""
    data = node.text
    return data.decode() if data is not None else ""


def only_named_child(node: Node) -> Node | None:
    """`node`'s one named child, else None: what `(_ . (kind) @x .)` anchors on (`.` skips
    anonymous tokens but no named node, a comment included)."""
    return node.named_children[0] if node.named_child_count == 1 else None
