"""missing-graceful-shutdown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

import ahocorasick_rs
from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding, Role
from rustpro.rules.base import CrateRule, FileRule
from rustpro.rules.concurrency import (
    aliases_at,
    argument_count,
    compact,
    method_name,
    method_receiver,
    path_segments,
    resolve,
    resolved_callee,
)
from rustpro.rules.patterns import Pattern, function_calls, method_calls
from rustpro.syntax import items

_SERVE_FACT = "async.serve-site"  # value: JSON {"line", "column", "what"}
_SHUTDOWN_FACT = "async.shutdown-handling"  # value: the name that shows shutdown handling
_SERVER_BUILDERS = frozenset({"bind", "builder", "from_tcp", "try_bind"})
_LOOPS = frozenset({"loop_expression", "while_expression", "for_expression"})
_FUNCTION_BOUNDARIES = frozenset({"function_item", "closure_expression"})
# Names that show shutdown handling, found by a byte search and confirmed on the syntax tree
# (a whole-tree query with a regex predicate over every identifier costs far more).
_EVIDENCE_NEEDLES = (
    b"hutdown",
    b"HUTDOWN",
    b"ctrl_c",
    b"signal",
    b"CancellationToken",
    b"SignalKind",
)
# One searcher per needle: alone, a needle is found by a vectorised substring search, about
# seven times faster than `bytes.find`; an automaton of several needles whose first bytes are
# common letters scans byte by byte, no faster than `bytes.find`. Each reports the needle's
# hits like a `find` loop that resumes after each hit (non-overlapping, left to right).
_EVIDENCE_SEARCHES = tuple(
    ahocorasick_rs.BytesAhoCorasick([needle]) for needle in _EVIDENCE_NEEDLES
)
_EVIDENCE_NAMES = frozenset({"ctrl_c", "signal", "signal_hook", "CancellationToken", "SignalKind"})
_NAME_KINDS = frozenset({"identifier", "field_identifier", "type_identifier"})


class MissingGracefulShutdown(FileRule, CrateRule):
    """Flags a server binary that never handles shutdown.

    ## What it does
    In a binary target (`src/main.rs`, `src/bin/*` and their modules), finds where it serves:
    `axum::serve(..)`, a hyper or tonic `Server::bind(..)` / `Server::builder()..serve(..)`,
    or a `listener.accept()` / `listener.incoming()` loop. When nothing in the whole crate's
    production code handles shutdown (no `with_graceful_shutdown`, `ctrl_c`, `signal`,
    `SignalKind`, `CancellationToken`, and no name mentioning `shutdown`), it reports once
    per crate, at the first serve site.

    ## Why is this bad?
    Deployments stop servers with SIGTERM. Without a handler the process dies at once:
    in-flight requests fail, responses are cut off half-written, and buffered work (logs,
    metrics, queued jobs) is lost on every deploy.

    ## Example
    ```rust file=src/main.rs
    #[tokio::main]
    async fn main() {
        let app = axum::Router::new();
        let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();
        axum::serve(listener, app).await.unwrap();
    }
    ```

    ## Use instead
    ```rust file=src/main.rs
    #[tokio::main]
    async fn main() {
        let app = axum::Router::new();
        let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                tokio::signal::ctrl_c().await.ok();
            })
            .await
            .unwrap();
    }
    ```

    ## References
    - axum docs, `serve::Serve::with_graceful_shutdown`
    - tokio docs, "Graceful Shutdown"; `tokio_util::sync::CancellationToken`
    """

    name = "missing-graceful-shutdown"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            function_calls("serve"),
            """
            (call_expression
              function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
              (#eq? @name "serve")) @match
            """,
        ),
        # `function: (_ ..)`: the gate finds only calls of a field_expression, and naming
        # the kind would cost tree-sitter ~1.5 ms of pattern analysis in every run.
        Pattern(
            method_calls("serve", "accept", "incoming"),
            """
            (call_expression
              function: (_ field: (field_identifier) @method)
              (#any-of? @method "serve" "accept" "incoming")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        what = _serve_site(call, ctx)
        if what is None:
            return
        # A method chain can span lines: point at the method name, not the chain's start.
        anchor = captures.get("method", [call])[0]
        line, column = ctx.lines.position(anchor.start_byte)
        site = {"line": line, "column": column, "what": what}
        ctx.add_fact(_SERVE_FACT, json.dumps(site, sort_keys=True))

    def finish(self, ctx: FileContext) -> None:
        if ctx.role is not Role.PRODUCTION or ctx.file_test_only:
            return
        name = _shutdown_handling(ctx)
        if name is not None:
            ctx.add_fact(_SHUTDOWN_FACT, name)

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        production = {result.relpath for result in crate.production_files()}
        if any(relpath in production for relpath, _ in crate.facts(_SHUTDOWN_FACT)):
            return []
        sites: list[tuple[str, int, int, str]] = []
        for relpath, value in crate.facts(_SERVE_FACT):
            info = crate.modules.get(relpath)
            if relpath not in production or info is None or info.target_kind != "bin":
                continue
            try:
                site = json.loads(value)
                sites.append((relpath, int(site["line"]), int(site["column"]), str(site["what"])))
            except (ValueError, KeyError, TypeError):
                continue
        if not sites:
            return []
        path, line, column, what = min(sites)
        return [
            crate.finding(
                self,
                f"`{what}` serves connections, but nothing in the crate handles shutdown:"
                " SIGTERM cuts off in-flight requests",
                "stop on `tokio::signal::ctrl_c()` / SIGTERM, e.g. with"
                " `.with_graceful_shutdown(..)` or a `CancellationToken`",
                path=path,
                line=line,
                column=column,
            )
        ]


def _serve_site(call: Node, ctx: FileContext) -> str | None:
    """What `call` serves with (`axum::serve`, `Server::serve`, an accept loop), if it does."""
    method = method_name(call)
    if not method:
        path = resolved_callee(call, ctx)
        return "axum::serve" if path == ("axum", "serve") else None
    if method == "serve":
        return _server_builder(call, ctx)
    receiver = method_receiver(call)
    if argument_count(call) != 0 or receiver is None:
        return None
    if "listener" not in compact(receiver).lower():
        return None
    if method == "incoming":
        loop = items.parent(call)
        return "listener.incoming()" if loop is not None and loop.type == "for_expression" else None
    return f"{compact(receiver)}.accept()" if _in_loop(call) else None


def _server_builder(serve: Node, ctx: FileContext) -> str | None:
    # `Server::bind(&addr).serve(..)` (hyper 0.14, axum 0.6) or
    # `Server::builder().add_service(..).serve(addr)` (tonic): the chain starts at `Server`.
    node = method_receiver(serve)
    while node is not None and node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            node = function.child_by_field_name("value")
            continue
        segments = path_segments(function)
        if segments is None or len(segments) < 2:
            return None
        path = resolve(segments, aliases_at(serve, ctx))
        if path[-2] == "Server" and path[-1] in _SERVER_BUILDERS:
            return f"Server::{path[-1]}(..).serve"
        return None
    return None


def _in_loop(call: Node) -> bool:
    for parent in items.ancestors(call):
        if parent.type in _LOOPS:
            return True
        if parent.type in _FUNCTION_BOUNDARIES:
            return False
    return False


def _shutdown_handling(ctx: FileContext) -> str | None:
    """A name in the file's production code that shows shutdown handling, if any.

    Only identifiers count: a needle inside a comment or string lands on a non-name node.
    """
    root = ctx.tree.root_node
    for search in _EVIDENCE_SEARCHES:  # needle by needle, each hit in order: the first wins
        for _, start, end in search.find_matches_as_indexes(ctx.source):
            node = root.descendant_for_byte_range(start, end)
            if node is not None and node.type in _NAME_KINDS:
                name = ctx.text(node)
                if _shows_shutdown(name) and not ctx.in_test_region(node):
                    return name
    return None


def _shows_shutdown(name: str) -> bool:
    return name in _EVIDENCE_NAMES or "shutdown" in name.lower()
