"""blocking-in-async."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule, FileRule
from rustpro.rules.concurrency import (
    aliases_at,
    argument_count,
    executing_async_body,
    method_name,
    method_receiver,
    path_segments,
    resolve,
    resolved_callee,
)
from rustpro.rules.patterns import (
    Pattern,
    attributes,
    function_calls,
    method_calls,
    qualified_calls,
)
from rustpro.rules.support import STD_FS_FUNCTIONS
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# A single metadata syscall (stat, chmod, unlink, rename, mkdir) takes microseconds on a local
# disk: less than handing it to `spawn_blocking` costs. Calls that move file contents stay.
_METADATA_FS_FUNCTIONS = frozenset(
    {
        "canonicalize",
        "create_dir",
        "create_dir_all",
        "exists",
        "hard_link",
        "metadata",
        "read_link",
        "remove_dir",
        "remove_file",
        "rename",
        "set_permissions",
        "soft_link",
        "symlink_metadata",
    }
)
_FS_FUNCTIONS = STD_FS_FUNCTIONS - _METADATA_FS_FUNCTIONS
_FILE_OPENERS = frozenset({"open", "create", "create_new"})
_CONNECTS = frozenset({"connect", "connect_timeout"})
_STDIN_READS = frozenset({"read_line", "read_to_string", "read_to_end", "lines", "bytes"})
_PROCESS_WAITS = frozenset({"output", "status"})
_NAME_SET = sorted(STD_FS_FUNCTIONS | _FILE_OPENERS | _CONNECTS | {"sleep", "stdin"})
_NAMES = " ".join(f'"{name}"' for name in _NAME_SET)

# Facts for the crate pass (values: JSON of a finding's place, or the name that shows it).
_BLOCKING_FACT = "async.blocking-call"  # a blocking call in production async code
_SERVES_FACT = "async.serves"  # serves connections: other clients wait on its threads
_SPAWNS_FACT = "async.spawns"  # spawns tasks that run beside the one that blocks
_CURRENT_THREAD_FACT = "async.current-thread"  # drives a current-thread runtime
_SPAWNS = frozenset({"spawn", "spawn_local"})
_THREAD_MODULES = frozenset({"thread", "rayon", "crossbeam", "scope"})
_CALLS = "(call_expression) @call"


class BlockingInAsync(FileRule, CrateRule):
    """Flags blocking std calls made directly inside async code that runs beside other tasks.

    ## What it does
    Inside an `async fn`, `async` block or `async` closure (and the iterator closures they run
    inline), finds calls that block the thread: `std::thread::sleep`, `std::fs` functions that
    read or write file contents (`read`, `read_to_string`, `write`, `copy`, `read_dir`,
    `remove_dir_all`) and `File::open`/`create`, `std::net::TcpStream::connect`, reads from
    `std::io::stdin()`, anything under `reqwest::blocking`, and `std::process::Command`'s
    `.output()` / `.status()`. Paths are resolved through the file's `use` declarations, so
    `use std::fs;` then `fs::read(..)` is caught and `use tokio::fs;` is not.

    Left alone:
    - code inside the closure given to `spawn_blocking`, `block_in_place` or a thread, and
      sync helper functions;
    - single metadata syscalls (`metadata`, `set_permissions`, `remove_file`, `rename`,
      `create_dir_all`, `canonicalize`, ...): they take microseconds on a local disk, less
      than moving them to `spawn_blocking` costs;
    - start-up work in `async fn main` (and the private async fns of its file that `main`
      calls), before anything is spawned or served: reading certificates or configuration
      while nothing else runs yet;
    - a binary crate that never spawns a task nor serves connections (a command-line tool):
      it runs one flow at a time, and a blocking call delays only that flow, as in a sync
      program. Library code is always checked: its callers may run many tasks.

    ## Why is this bad?
    An async runtime runs many tasks on a few threads. A blocking call parks one of those
    threads, so every task scheduled on it stalls: latency spikes under load, timers fire
    late, and a runtime with one worker stops entirely.

    ## Example
    ```rust
    use std::fs;

    pub async fn load(path: &str) -> std::io::Result<String> {
        fs::read_to_string(path)
    }
    ```

    ## Use instead
    ```rust
    pub async fn load(path: String) -> std::io::Result<String> {
        tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
            .await
            .expect("the blocking task panicked")
    }
    ```
    or the runtime's async API (`tokio::fs::read_to_string(path).await`).

    ## References
    - rust-clippy issue #4377, "Lint blocking calls in async contexts"
    - tokio docs, `tokio::task::spawn_blocking`
    - Alice Ryhl, "Async: What is blocking?" (no more than 10 to 100 microseconds between
      `.await`s)
    """

    name = "blocking-in-async"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            function_calls(*_NAME_SET),
            f"""
            (call_expression
              function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
              (#any-of? @name {_NAMES})) @match
            """,
        ),
        Pattern(
            qualified_calls("blocking", "Client", "ClientBuilder"),
            """
            (call_expression
              function: (scoped_identifier
                path: [(identifier) @head (scoped_identifier name: (identifier) @head)])
              (#any-of? @head "blocking" "Client" "ClientBuilder")) @match
            """,
        ),
        # `function: (_ ..)`: the gate finds only calls of a field_expression, and naming
        # the kind would cost tree-sitter ~1.5 ms of pattern analysis in every run.
        Pattern(
            method_calls("output", "status"),
            """
            (call_expression
              function: (_ field: (field_identifier) @method)
              (#any-of? @method "output" "status")) @match
            """,
        ),
        # What the crate does with its runtime (`_runtime_use`).
        Pattern(
            function_calls("spawn", "spawn_local", "serve", "new_current_thread"),
            "(call_expression) @evidence",
        ),
        Pattern(
            method_calls(
                "spawn",
                "spawn_local",
                "serve",
                "serve_with_shutdown",
                "serve_with_incoming",
                "serve_with_incoming_shutdown",
                "serve_connection",
                "launch",
            ),
            "(call_expression) @evidence",
        ),
        Pattern(qualified_calls("HttpServer"), "(call_expression) @evidence"),
        Pattern(attributes("launch", "main"), "(attribute_item) @evidence"),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if "evidence" in captures:
            use = _runtime_use(captures["evidence"][0], ctx)
            if use is not None:
                ctx.add_fact(*use)
            return
        call = captures["match"][0]
        if _is_awaited(call):
            return
        if "method" in captures:
            what = _blocking_process_wait(call, ctx)
        else:
            what = _blocking_call(call, ctx)
        if what is None or executing_async_body(call) is None or _in_startup(call, ctx):
            return
        # Whether it stands depends on the crate (a library? does it run tasks?): the crate
        # pass decides.
        line, column = ctx.lines.position(call.start_byte)
        end_line, end_column = ctx.lines.position(call.end_byte)
        site = {
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "what": what,
        }
        ctx.add_fact(_BLOCKING_FACT, json.dumps(site, sort_keys=True))

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        production = {result.relpath for result in crate.production_files()}

        def anywhere(key: str) -> bool:
            return any(relpath in production for relpath, _ in crate.facts(key))

        # A command-line tool: serves nothing, and either spawns nothing or drives one
        # current-thread runtime. A blocking call there delays only its own flow.
        one_flow = not anywhere(_SERVES_FACT) and (
            not anywhere(_SPAWNS_FACT) or anywhere(_CURRENT_THREAD_FACT)
        )
        findings: list[Finding] = []
        for relpath, value in crate.facts(_BLOCKING_FACT):
            if relpath not in production:
                continue
            info = crate.modules.get(relpath)
            if one_flow and info is not None and info.target_kind == "bin":
                continue
            try:
                site = json.loads(value)
                findings.append(self._finding(relpath, site))
            except (ValueError, KeyError, TypeError):
                continue
        return findings

    def _finding(self, relpath: str, site: dict[str, object]) -> Finding:
        return Finding(
            rule=self.name,
            checkpoint=self.checkpoint,
            severity=self.severity,
            path=relpath,
            line=int(str(site["line"])),
            column=int(str(site["column"])),
            end_line=int(str(site["end_line"])),
            end_column=int(str(site["end_column"])),
            message=f"`{site['what']}` blocks the executor thread inside async code",
            help="use the runtime's async equivalent, or move the call into"
            f" `tokio::task::spawn_blocking`; {self.help_suffix}",
        )


# ----- what the crate does with its runtime ---------------------------------------------------
def _runtime_use(node: Node, ctx: FileContext) -> tuple[str, str] | None:
    """The fact `node` shows: it serves, spawns a task, or builds a current-thread runtime."""
    if node.type == "attribute_item":
        attribute = items.attribute_path(node)
        if attribute.endswith("launch"):  # rocket's `#[launch] fn rocket() -> _`
            return (_SERVES_FACT, attribute)
        if "current_thread" in items.attribute_arguments(node):  # `#[tokio::main(flavor = ..)]`
            return (_CURRENT_THREAD_FACT, attribute)
        return None
    method = method_name(node)
    if method:
        if method in _SPAWNS:
            # Not `Command::spawn()`, `thread::Builder::spawn(|| ..)`, `scope.spawn(|s| ..)`.
            return (_SPAWNS_FACT, method) if _spawns_future(node) else None
        return (_SERVES_FACT, method)
    path = resolved_callee(node, ctx)
    if path is None or any(segment in _THREAD_MODULES for segment in path[:-1]):
        return None  # `std::thread::spawn`, `rayon::spawn`
    shown = "::".join(path)
    if path[-1] == "new_current_thread":
        return (_CURRENT_THREAD_FACT, shown)
    if path[-1] in _SPAWNS:
        return (_SPAWNS_FACT, shown) if _spawns_future(node) else None
    return (_SERVES_FACT, shown)  # `axum::serve(..)`, `HttpServer::new(..)`


def _spawns_future(call: Node) -> bool:
    # A task takes a future (an async block or a value); threads and scopes take a closure.
    if argument_count(call) != 1:
        return False
    arguments = call.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments is not None else None
    return first is not None and first.type != "closure_expression"


# ----- start-up code --------------------------------------------------------------------------
_STARTS_WORK = frozenset({"spawn", "spawn_local", "launch"})


def _in_startup(call: Node, ctx: FileContext) -> bool:
    """The call runs in `async fn main`, or in an async fn of its file that `main` awaits,
    before anything is spawned or served."""
    function = items.enclosing(call, ("function_item",))
    if function is None:
        return False
    body = function.child_by_field_name("body")
    if body is None or executing_async_body(call) != body:
        return False  # inside an async block or closure: it may run at any time
    if not _nothing_started_before(body, call.start_byte):
        return False
    name = items.item_name(function)
    return name == "main" or _awaited_first_by_main(function, name, ctx)


def _nothing_started_before(body: Node, position: int) -> bool:
    """No call in `body` before `position` spawns a task or serves."""
    cursor = QueryCursor(compile_query(_CALLS))
    cursor.set_byte_range(body.start_byte, position)
    for _, captures in cursor.matches(body):
        earlier = captures["call"][0]
        if earlier.end_byte > position:
            continue  # an enclosing call, not an earlier one
        called = method_name(earlier) or _last_segment(earlier)
        if called in _STARTS_WORK or called.startswith("serve"):
            return False
    return True


def _awaited_first_by_main(function: Node, name: str, ctx: FileContext) -> bool:
    """A private top-level async fn that the file's `async fn main` awaits itself, before it
    spawns or serves anything."""
    if items.parent(function) != ctx.tree.root_node or items.visibility(function):
        return False
    for item in ctx.tree.root_node.named_children:
        if item.type != "function_item" or items.item_name(item) != "main":
            continue
        body = item.child_by_field_name("body")
        if body is None or not items.is_async_fn(item):
            continue
        for _, captures in QueryCursor(compile_query(_CALLS)).matches(body):
            call = captures["call"][0]
            callee = call.child_by_field_name("function")
            if (
                callee is not None
                and callee.type == "identifier"
                and items.text(callee) == name
                and (awaited := items.parent(call)) is not None
                and awaited.type == "await_expression"
                and executing_async_body(call) == body
                and _nothing_started_before(body, call.start_byte)
            ):
                return True
    return False


def _last_segment(call: Node) -> str:
    segments = path_segments(call.child_by_field_name("function"))
    return segments[-1] if segments else ""


def _is_awaited(call: Node) -> bool:
    parent = items.parent(call)
    return parent is not None and parent.type == "await_expression"


def _blocking_call(call: Node, ctx: FileContext) -> str | None:
    path = resolved_callee(call, ctx)
    if path is None or len(path) < 2:
        return None
    shown = "::".join(path)
    if path[0] in ("std", "core"):
        path = ("std", *path[1:])
    if path == ("std", "thread", "sleep"):
        return shown
    if path[:2] == ("std", "fs"):
        if len(path) == 3 and path[2] in _FS_FUNCTIONS:
            return shown
        if len(path) == 4 and path[2] == "File" and path[3] in _FILE_OPENERS:
            return shown
    if path[:3] == ("std", "net", "TcpStream") and len(path) == 4 and path[3] in _CONNECTS:
        return shown
    if path[:2] == ("reqwest", "blocking"):
        return shown
    if path == ("std", "io", "stdin") and _reads_stdin(call):
        return f"{shown}().{method_name(_reader_call(call))}"
    return None


def _reader_call(stdin_call: Node) -> Node:
    # `stdin().read_line(..)` or `stdin().lock().lines()`: the call the stdin handle feeds.
    node = stdin_call
    for _ in range(2):
        field = items.parent(node)
        outer = items.parent(field) if field is not None else None
        if field is None or field.type != "field_expression" or outer is None:
            return node
        if outer.type != "call_expression":
            return node
        node = outer
        if method_name(node) != "lock":
            return node
    return node


def _reads_stdin(stdin_call: Node) -> bool:
    return method_name(_reader_call(stdin_call)) in _STDIN_READS


def _blocking_process_wait(call: Node, ctx: FileContext) -> str | None:
    """`Command::new(..)...output()` where `Command` is `std::process::Command`."""
    if method_name(call) not in _PROCESS_WAITS or argument_count(call) != 0:
        return None
    node = method_receiver(call)
    while node is not None and node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            node = function.child_by_field_name("value")
            continue
        segments = path_segments(function)
        if segments is None or segments[-1] != "new":
            return None
        path = resolve(segments, aliases_at(call, ctx))
        if path == ("std", "process", "Command", "new"):
            return f"Command::{method_name(call)}"
        return None
    return None
