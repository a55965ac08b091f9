"""lock-order-inversion."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding, Location
from rustpro.rules.base import CrateRule, FileRule
from rustpro.rules.concurrency import (
    LockCall,
    between,
    enclosing_impl_type,
    guard_binding,
    imports_plain_locks,
    lock_call,
    lock_calls,
    node_index,
)
from rustpro.rules.patterns import Pattern, method_calls
from rustpro.syntax import items

_PAIR_FACT = "threads.lock-order"  # value: JSON of one ordered pair, see `_record`
# Lock calls examined while one guard is held (in document order).
_MAX_HELD_LOCKS = 64
_BOUNDARIES = frozenset({"function_item", "closure_expression", "async_block"})


class LockOrderInversion(FileRule, CrateRule):
    """Flags two locks taken in opposite orders by two code paths of the crate.

    ## What it does
    Records, in every function of the crate, which lock is taken while another lock's guard
    is held: a guard bound with `let` (`let users = self.users.lock().unwrap();`) is held
    until its block ends or `drop(users)`, and any other `.lock()` / `.read()` / `.write()`
    in that stretch is taken under it. Locks are identified by their receiver path
    (`self.users` within one `impl` type and file, `state.db`, a `STATIC`); plain local
    variables are too ambiguous and are left out. When one path holds A while taking B and
    another holds B while taking A, the pair is reported once, at one site, naming the other.

    ## Why is this bad?
    Two threads running the two paths at once can each take their first lock and then wait
    forever for the other's: a deadlock that shows up only under load, never in tests.
    Taking locks in one global order everywhere rules it out.

    ## Example
    ```rust
    use std::sync::Mutex;

    pub struct Bank {
        users: Mutex<Vec<u64>>,
        audit: Mutex<Vec<String>>,
    }

    impl Bank {
        pub fn add(&self, id: u64) {
            let mut users = self.users.lock().unwrap();
            let mut audit = self.audit.lock().unwrap();
            users.push(id);
            audit.push(format!("add {id}"));
        }

        pub fn report(&self) -> usize {
            let audit = self.audit.lock().unwrap();
            let users = self.users.lock().unwrap();
            audit.len() + users.len()
        }
    }
    ```

    ## Use instead
    ```rust
    use std::sync::Mutex;

    pub struct Bank {
        users: Mutex<Vec<u64>>,
        audit: Mutex<Vec<String>>,
    }

    impl Bank {
        pub fn add(&self, id: u64) {
            let mut users = self.users.lock().unwrap();
            let mut audit = self.audit.lock().unwrap();
            users.push(id);
            audit.push(format!("add {id}"));
        }

        pub fn report(&self) -> usize {
            // Same order as `add`: users, then audit.
            let users = self.users.lock().unwrap();
            let audit = self.audit.lock().unwrap();
            audit.len() + users.len()
        }
    }
    ```

    ## References
    - The Rust Book, "Shared-State Concurrency" (deadlocks)
    - parking_lot docs, `deadlock` detection feature
    """

    name = "lock-order-inversion"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # No query: the gate finds exactly these calls, and `check` reads only the call
        # (each query pattern costs milliseconds of tree-sitter analysis per run).
        Pattern(method_calls("lock", "read", "write")),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        first = _lock(call, ctx)
        if first is None:
            return
        binding = guard_binding(first)
        first_id = _identity(first, ctx.relpath)
        if binding is None or first_id is None:
            return
        held = between(
            node_index(binding.scope, "lock calls", lock_calls),
            binding.declaration.end_byte,
            binding.held_until,
        )
        # Locks nested in locks pair each with all the others: only the first few taken
        # while the guard is held count, so a file of thousands of nested guards stays linear.
        for node in held[:_MAX_HELD_LOCKS]:
            if not _runs_in(node, binding.scope):
                continue
            second = _lock(node, ctx)
            second_id = _identity(second, ctx.relpath) if second is not None else None
            if second is None or second_id is None or second_id == first_id:
                continue
            _record(ctx, first, first_id, second, second_id)

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        production = {result.relpath for result in crate.production_files()}
        sites: dict[tuple[str, str], list[tuple[str, dict[str, object]]]] = {}
        for relpath, value in crate.facts(_PAIR_FACT):
            if relpath not in production:
                continue
            import json  # only once a pair was recorded: most runs never need it

            try:
                pair = json.loads(value)
                key = (str(pair["a"]), str(pair["b"]))
            except (ValueError, KeyError, TypeError):
                continue  # a fact from another version of this rule (stale cache)
            sites.setdefault(key, []).append((relpath, pair))
        findings: list[Finding] = []
        for (a, b), here in sorted(sites.items()):
            there = sites.get((b, a))
            if a > b or not there:
                continue  # each unordered pair once, and only when inverted
            one, other = min(here, key=_site), min(there, key=_site)
            if _site(other) < _site(one):
                one, other = other, one  # report at the site that comes first in the crate
            findings.append(self._inversion(crate, one, other))
        return findings

    def _inversion(
        self,
        crate: CrateView,
        here: tuple[str, dict[str, object]],
        there: tuple[str, dict[str, object]],
    ) -> Finding:
        path, pair = here
        other_path, other = there
        held, taken = pair["a_text"], pair["b_text"]
        finding = crate.finding(
            self,
            f"`{taken}` is locked while `{held}` is held here, but {other_path}:{other['line']}"
            f" locks `{held}` while holding `{taken}`: two threads can deadlock",
            "take the two locks in the same order on every path (or merge them into one lock)",
            path=path,
            line=int(str(pair["line"])),
            column=int(str(pair["column"])),
        )
        related = Location(
            other_path,
            int(str(other["line"])),
            int(str(other["column"])),
            f"`{taken}` held while locking `{held}`",
        )
        return dataclasses.replace(finding, related=(related,))


def _site(entry: tuple[str, dict[str, object]]) -> tuple[str, int]:
    return entry[0], int(str(entry[1]["line"]))


def _lock(call: Node, ctx: FileContext) -> LockCall | None:
    lock = lock_call(call, plain_rwlocks=True)
    if lock is not None and lock.method != "lock" and lock.style == "bare":
        return lock if imports_plain_locks(call, ctx) else None
    return lock


def _identity(lock: LockCall, relpath: str) -> str | None:
    """A crate-wide name for the lock: `file::Type::self.users`, `state.db` or `STATIC`.

    `self.` locks are qualified by file and impl type: big crates reuse names such as
    `Inner` or `Shared` for unrelated types, and mixing their locks would invent inversions.
    """
    receiver = lock.receiver
    if "(" in receiver or "[" in receiver:
        return None  # a call result or an index: not one fixed lock
    if receiver == "self" or receiver.startswith("self."):
        return f"{relpath}::{enclosing_impl_type(lock.call)}::{receiver}"
    if "." in receiver:
        return receiver
    last = receiver.rsplit("::", 1)[-1]
    return receiver if last.isupper() else None  # statics are SCREAMING_CASE


def _runs_in(node: Node, scope: Node) -> bool:
    # Code in a nested closure, async block or fn may run later, without the guard: `node`
    # (inside `scope`) runs in it when no such boundary lies between them.
    boundary = items.enclosing(node, _BOUNDARIES)
    return boundary is None or not (
        scope.start_byte <= boundary.start_byte and boundary.end_byte <= scope.end_byte
    )
    return False


def _record(
    ctx: FileContext, first: LockCall, first_id: str, second: LockCall, second_id: str
) -> None:
    a_line, a_column = ctx.lines.position(first.call.start_byte)
    line, column = ctx.lines.position(second.call.start_byte)
    pair = {
        "a": first_id,
        "b": second_id,
        "a_text": first.receiver,
        "b_text": second.receiver,
        "a_line": a_line,
        "a_column": a_column,
        "line": line,
        "column": column,
    }
    import json  # only once a pair is recorded: most runs never need it

    ctx.add_fact(_PAIR_FACT, json.dumps(pair, sort_keys=True))
