"""The profile's fact patterns: each a tree-sitter pattern and the handler that counts it.

All patterns run together in one query per file (see `collect`); a handler folds one match
into the scan's tallies under a `group:detail` fact key, in the area the match sits in.
Fact keys surface in docs/profile-json.md through the questions that read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tree_sitter import Node

from rustpro.engine.structure import plain_feature_attribute, record_mod_declaration
from rustpro.model import Role
from rustpro.profile import knowledge
from rustpro.profile.msrv_table import MACRO_FEATURES, Feature, features_of, words
from rustpro.profile.scan import FileScan, Handler, first, first_text
from rustpro.profile.tally import PRODUCTION, TESTS
from rustpro.syntax import items
from rustpro.syntax.ancestry import NodeFold
from rustpro.syntax.cfg import excluded_features

TRACKED_TYPES = (
    "Arc", "Rc", "Weak", "Box", "Cow", "Cell", "RefCell", "UnsafeCell", "Mutex", "RwLock",
    "Condvar", "OnceCell", "OnceLock", "LazyLock", "LazyCell", "SmallVec", "ArrayVec",
    "TinyVec", "LruCache", "HashMap", "BTreeMap",
)  # fmt: skip
_LOCK_METHODS = ("lock", "try_lock")
_RWLOCK_METHODS = ("read", "write", "try_read", "try_write")
_TRACKED_METHODS = (
    "clone", "reserve", "bench_function", *_LOCK_METHODS, *_RWLOCK_METHODS,
    *sorted(knowledge.RAYON_METHODS), *sorted(words("method")),
)  # fmt: skip
_CALL_LAST_SEGMENTS = (
    "clone", "with_capacity", "spawn", "scope", "spawn_blocking", "block_in_place", "join",
    "set_var", "remove_var", "new", *sorted(knowledge.CHANNEL_CONSTRUCTORS),
    *sorted({path.rsplit("::", 1)[1] for path in words("call")}),
)  # fmt: skip
_MACROS = (
    "proptest", "quickcheck", "criterion_group", "criterion_main", "main", "bail", "ensure",
    "anyhow", "eyre", "lazy_static", "thread_local", "is_x86_feature_detected",
    "is_aarch64_feature_detected", "is_arm_feature_detected", "select", "join", "try_join",
    "check", "format", "print", "println", "eprint", "eprintln", "write", "writeln",
    "panic", "format_args", "fuzz_target", *MACRO_FEATURES,
)  # fmt: skip
_FORMAT_MACROS = frozenset(
    {"format", "print", "println", "eprint", "eprintln", "write", "writeln", "panic",
     "format_args"}
)  # fmt: skip
_INLINE_FORMAT_ARG = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(:[^{}]*)?\}")
_SAFETY_COMMENT = re.compile(r"safety", re.IGNORECASE)
_TASK_SPAWN_PATHS = frozenset(
    {"tokio::spawn", "task::spawn", "tokio::task::spawn", "async_std::task::spawn",
     "smol::spawn", "task::spawn_local", "tokio::task::spawn_local", "spawn_local"}
)  # fmt: skip


def _any_of(capture: str, names: tuple[str, ...] | list[str]) -> str:
    quoted = " ".join(f'"{n}"' for n in names)
    return f"(#any-of? @{capture} {quoted})"


# --- handlers: each folds one kind of match into the scan ----------------------------------


# cfg names that describe the target or the build, not a compiler-version probe.
_STANDARD_CFGS = frozenset(
    {"all", "any", "not", "feature", "test", "doc", "docsrs", "doctest", "debug_assertions",
     "unix", "windows", "target_os", "target_arch", "target_family", "target_env",
     "target_endian", "target_pointer_width", "target_vendor", "target_has_atomic",
     "target_feature", "panic", "miri", "loom", "proc_macro", "overflow_checks", "fuzzing",
     "tokio_unstable", "tokio_taskdump"}
)  # fmt: skip
_CFG_GATED_KINDS = frozenset({*items.ITEM_KINDS, "expression_statement", "let_declaration",
                              "match_arm", "field_declaration"})  # fmt: skip


def _add_msrv(scan: FileScan, key: str, node: Node) -> None:
    # Code behind a custom cfg (set by a build script that probes the compiler, as anyhow
    # and serde do) only compiles where the feature exists: it does not raise the MSRV.
    if scan.custom_cfg_gated is None:
        scan.custom_cfg_gated = NodeFold(scan.ancestry, False, _within_custom_cfg)
    if scan.custom_cfg_gated.at(node):
        scan.add(f"msrv-gated:{key}", node)
        return
    # Code behind `#[cfg(feature = "x")]` is kept with its features: the question sets the
    # crate's default features against them (`questions/msrv.py`).
    if scan.feature_gates is None:
        scan.feature_gates = NodeFold(scan.ancestry, frozenset(), _within_features)
    features = scan.feature_gates.at(node)
    scan.add(msrv_key(key, features), node)


def msrv_key(key: str, signs: Iterable[str] = ()) -> str:
    """The tally key of MSRV feature `key` used in code that compiles only as `signs` say
    (`+x`: with Cargo feature `x`, `!x`: without it): `msrv:KEY`, or
    `msrv-feature:+a,!b:KEY`."""
    gate = ",".join(sorted(set(signs)))
    return f"msrv-feature:{gate}:{key}" if gate else f"msrv:{key}"


def feature_signs(attr: Node) -> tuple[str, ...]:
    """What a `#[cfg(..)]` attribute certainly asks of Cargo features: `+x` for a feature it
    needs on, `!x` for one it needs off (`not(feature = "std")`); () for other attributes."""
    if items.attribute_path(attr) != "cfg":
        return ()
    needed = plain_feature_attribute(attr)
    off = excluded_features(items.attribute_arguments(attr))
    return (*(f"+{f}" for f in needed), *(f"!{f}" for f in off))


def _within_features(around: frozenset[str], node: Node) -> frozenset[str]:
    """What code in `node` certainly asks of features, as `feature_signs` writes it
    (folded from the root down)."""
    if node.type not in _CFG_GATED_KINDS:
        return around
    signs = [sign for attr in items.attributes_of(node) for sign in feature_signs(attr)]
    return around.union(signs) if signs else around


def _within_custom_cfg(around: bool, node: Node) -> bool:
    """Whether code in `node` compiles only under a custom cfg (folded from the root down)."""
    if around or node.type not in _CFG_GATED_KINDS:
        return around
    return any(
        items.attribute_path(attr) == "cfg" and _custom_cfg(attr)
        for attr in items.attributes_of(node)
    )


def _custom_cfg(attr_item: Node) -> bool:
    return bool(_cfg_names(attr_item) - _STANDARD_CFGS)


def _cfg_names(attr_item: Node) -> set[str]:
    """The identifiers of a `#[cfg(..)]` predicate (`feature = "x"` gives `feature`)."""
    names: set[str] = set()
    stack = list(attr_item.named_children)
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            names.add(items.text(node))
        elif node.type != "string_literal":
            stack.extend(node.named_children)
    names.discard("cfg")
    return names


def _on_type(scan: FileScan, c: dict[str, list[Node]]) -> None:
    name = first_text(c, "type.name")
    scan.add("type:Atomic" if name.startswith("Atomic") else f"type:{name}", first(c, "type.name"))


def _on_method_call(scan: FileScan, c: dict[str, list[Node]]) -> None:
    # The pattern matches the method's name alone and the call around it is found here: a
    # pattern naming the call waits on its receiver, and a chain of calls nests every
    # receiver in the next, so the query's work grew with the square of the chain.
    name_node = first(c, "method.name")
    access = scan.ancestry.parent(name_node)
    if access is None or access.type != "field_expression":
        return
    call = scan.ancestry.parent(access)
    function = access
    if call is not None and call.type == "generic_function":  # `x.name::<T>(..)`
        function, call = call, scan.ancestry.parent(call)
    if call is None or call.type != "call_expression":
        return
    if call.child_by_field_name("function") != function:
        return  # `x.name` as a receiver or an argument, not the method called
    args = call.child_by_field_name("arguments")
    if args is not None and args.type == "arguments":
        _count_method(scan, name_node, items.text(name_node), args)


def _on_macro_method(scan: FileScan, c: dict[str, list[Node]]) -> None:
    name_node = first(c, "method.name")
    # `x.clone()` in macro arguments: tokens of a token tree, found as a run of siblings (a
    # pattern naming the token tree waits on every tree nested in it).
    parent = scan.ancestry.parent(name_node)
    if parent is not None and parent.type == "token_tree":
        _count_method(scan, name_node, items.text(name_node), first(c, "method.args"))


def _count_method(scan: FileScan, node: Node, name: str, args: Node) -> None:
    no_args = args.named_child_count == 0
    if name == "clone" and no_args:
        scan.add("method:clone", node)
    elif name in _LOCK_METHODS and no_args:
        if not _is_stdio_receiver(scan, node):
            scan.add("lock:mutex", node)
    elif name in _RWLOCK_METHODS and no_args:
        scan.add("lock:rwlock", node)
    elif name == "reserve":
        scan.add("method:reserve", node)
    elif name in knowledge.RAYON_METHODS:
        scan.add("threads:rayon", node)
    feature = words("method").get(name)
    if feature is not None and args.type == "arguments":  # a real call, not a macro token
        _add_msrv(scan, feature.key, node)


def _is_stdio_receiver(scan: FileScan, method: Node) -> bool:
    # `io::stdout().lock()` locks a standard stream, not shared program state.
    access = scan.ancestry.parent(method)
    if access is not None and access.type == "token_tree":  # inside macro arguments
        dot = items.previous(method)
        call_args = items.previous(dot) if dot is not None else None
        callee = items.previous(call_args) if call_args is not None else None
        return callee is not None and items.text(callee) in ("stdout", "stderr", "stdin")
    receiver = access.child_by_field_name("value") if access is not None else None
    if receiver is None or receiver.type != "call_expression":
        return False
    function = items.text(receiver.child_by_field_name("function")).replace(" ", "")
    return function.rsplit("::", 1)[-1] in ("stdout", "stderr", "stdin")


def _on_path_call(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "call.path")
    path = first_text(c, "call.path")
    segments = path.split("::")
    last = segments[-1]
    tail2 = "::".join(segments[-2:])
    head = segments[-2] if len(segments) >= 2 else ""
    if last == "clone" and head in ("Arc", "Rc"):
        scan.add("call:arc-clone", node)
    elif last == "with_capacity":
        scan.add("call:with-capacity", node)
    elif path in _TASK_SPAWN_PATHS or (last == "spawn" and head in ("task", "tokio", "smol")):
        scan.add("async:spawn", node)
    elif last == "spawn_blocking" or last == "block_in_place":
        scan.add("async:spawn-blocking", node)
    elif tail2 == "thread::spawn":
        scan.add("threads:spawn", node)
    elif tail2 == "thread::scope" or (last == "scope" and head == "crossbeam"):
        scan.add("threads:scope", node)
    elif head == "Builder" and "thread" in segments:
        scan.add("threads:builder", node)
    elif head == "rayon" and last in ("join", "scope", "spawn"):
        scan.add("threads:rayon", node)
    elif tail2 in ("env::set_var", "env::remove_var"):
        scan.add("edition:env-mutation", node)
    elif last in knowledge.CHANNEL_CONSTRUCTORS and head in knowledge.CHANNEL_MODULES:
        scan.add(f"channel:{tail2}", node)
    feature = words("call").get(tail2)
    if feature is not None:
        _add_msrv(scan, feature.key, node)


def _on_macro(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "macro.path")
    name = first_text(c, "macro.name")
    path = first_text(c, "macro.path")
    if name in ("proptest", "quickcheck") or (name == "check" and path.startswith("bolero::")):
        scan.add("testing:property", node)
    elif name in ("criterion_group", "criterion_main"):
        scan.add("bench:criterion", node)
    elif name == "main" and path in ("iai::main", "divan::main"):
        scan.add(f"bench:{path.split('::')[0]}", node)
    elif name in ("bail", "ensure") or (name in ("anyhow", "eyre") and path == name):
        scan.add("error:dynamic-macro", node)
    elif name in ("lazy_static", "thread_local"):
        scan.add(f"macro:{name}", node)
    elif name.endswith("_feature_detected"):
        scan.add("simd:runtime-detection", node)
    elif name in ("select", "join", "try_join"):
        scan.add("async:combinator", node)
    elif name == "fuzz_target":
        scan.add("testing:fuzz-target", node)
    elif name in _FORMAT_MACROS:
        _check_inline_format_args(scan, c)
    if name in MACRO_FEATURES:
        _add_msrv(scan, MACRO_FEATURES[name].key, node)


def _check_inline_format_args(scan: FileScan, c: dict[str, list[Node]]) -> None:
    # `format!("{name}")` captures an identifier: Rust 1.58. The format string is the first
    # string literal of the (unparsed) macro arguments.
    args = first(c, "macro.args")
    literal = next((n for n in args.named_children if n.type == "string_literal"), None)
    if literal is not None and _INLINE_FORMAT_ARG.search(items.text(literal)):
        _add_msrv(scan, "inline-format-args", literal)


def _on_attribute(scan: FileScan, c: dict[str, list[Node]]) -> None:
    item = first(c, "attr.item")
    path = first_text(c, "attr.path")
    args = items.attribute_arguments(item).replace(" ", "")
    runtime = knowledge.RUNTIME_ATTRIBUTES.get(path)
    if runtime is not None:
        scan.add(f"runtime:{runtime}", item)
        scan.add(f"runtime-attr:{path}", item)
    if items.is_test_attribute(item) and path != "bench":
        unit = scan.facts.role == Role.PRODUCTION.value
        scan.add("test-fn:unit" if unit else "test-fn:integration", item)
    if path in ("quickcheck", "proptest", "quickcheck_macros::quickcheck"):
        scan.add("testing:property", item)
    elif path in ("divan::bench", "bench", "library_benchmark", "iai_callgrind::library_benchmark"):
        scan.add(f"bench:attr:{path}", item)
    elif path == "target_feature":
        scan.add("simd:target-feature", item)
    elif path in ("no_mangle", "export_name", "link_section"):
        scan.add("edition:unsafe-attr-needed", item)
        scan.add("ffi:exported", item)
    elif path == "unsafe":
        scan.add("ffi:exported", item)
    elif path == "global_allocator":
        scan.add("memory:global-allocator", item)
    elif path == "derive":
        derived = {part.rsplit("::", 1)[-1] for part in args.strip("()").split(",")}
        if "Error" in derived:
            scan.add("error:derive-error", item)
        if "Snafu" in derived:
            scan.add("error:derive-snafu", item)
        if "Diagnostic" in derived:
            scan.add("error:derive-diagnostic", item)
    feature = words("attr").get(path)
    if feature is not None:
        _add_msrv(scan, feature.key, item)


def _on_inner_attribute(scan: FileScan, c: dict[str, list[Node]]) -> None:
    item = first(c, "inner.item")
    path = first_text(c, "inner.path")
    args = items.attribute_arguments(item).replace(" ", "")
    lints = items.lint_names(item)
    if path in ("forbid", "deny") and "unsafe_code" in lints:
        scan.add(f"unsafe:{path}-attr", item)
    elif path == "feature":
        for name in lints:
            scan.add(f"nightly-feature:{name}", item)
    elif path == "no_std":
        scan.add("crate:no_std", item)
    elif path == "cfg" and args == "(test)" and _at_file_top(scan, item):
        scan.file_test_only = True


def _at_file_top(scan: FileScan, node: Node) -> bool:
    parent = scan.ancestry.parent(node)
    return parent is not None and parent.type == "source_file"


def on_test_attribute(scan: FileScan, c: dict[str, list[Node]]) -> None:
    """Record test-only regions, and `mod name;` files that are test-only or cfg-gated."""
    attr = first(c, "test.attr")
    is_test = items.is_test_attribute(attr) or items.is_cfg_test(attr)
    gated = not is_test and items.attribute_path(attr) == "cfg" and _custom_cfg(attr)
    features = () if is_test or gated else feature_signs(attr)
    if not (is_test or gated or features):
        return
    target = items.next_named(attr)
    while target is not None and target.type in ("attribute_item", "line_comment", "block_comment"):
        target = items.next_named(target)
    if target is None:
        return
    if target.type == "mod_item" and target.child_by_field_name("body") is None:
        if items.is_cfg_test(attr):
            scan.facts.test_mods.append(items.item_name(target))
        elif gated:
            scan.facts.cfg_gated_mods.append(items.item_name(target))
        elif features:
            scan.facts.feature_gated_mods.append((items.item_name(target), features))
        return
    if is_test:
        scan.test_ranges.append((attr.start_byte, target.end_byte))


def _on_test_macro(scan: FileScan, c: dict[str, list[Node]]) -> None:
    # `rgtest!(name, |..| { .. })` at item level in test code: a test defined by a macro.
    node = first(c, "test.macro")
    if not _at_item_level(scan, first(c, "test.call")):
        return
    if scan.area_of(node) == TESTS:
        unit = scan.facts.role == Role.PRODUCTION.value
        scan.add("test-macro:unit" if unit else "test-macro:integration", node)


def _at_item_level(scan: FileScan, call: Node) -> bool:
    """A macro call written where items go: in a file or module body (a statement at the
    top of a file parses as one)."""
    parent = scan.ancestry.parent(call)
    if parent is not None and parent.type == "expression_statement":
        parent = scan.ancestry.parent(parent)
        return parent is not None and parent.type == "source_file"
    return parent is not None and parent.type in ("source_file", "declaration_list")


def _on_unsafe_block(scan: FileScan, c: dict[str, list[Node]]) -> None:
    block = first(c, "unsafe.block")
    scan.add("unsafe:block", block)
    if _has_safety_comment(scan, block):
        scan.add("unsafe:block-documented", block)


def _has_safety_comment(scan: FileScan, block: Node) -> bool:
    # A `// SAFETY:` comment on the lines right above the statement holding the block, or on
    # the block's own first line (inside it), justifies it. Each line's answer is kept: the
    # blocks of one line (or nested in one statement) share them, and a long line was read
    # again for each of its blocks.
    answers: dict[tuple[str, int], bool] = scan.ancestry.memo(_SAFETY_LINES)
    first_line = scan.line(block)
    inside = answers.get(("inside", first_line))
    if inside is None:
        text = scan.lines.line_text(first_line).split("unsafe", 1)[-1]
        inside = answers[("inside", first_line)] = bool(_SAFETY_COMMENT.search(text))
    if inside:
        return True
    statement = items.under_nearest(block, ("block", "source_file", "declaration_list"))
    above_line = scan.line(statement) - 1
    above = answers.get(("above", above_line))
    if above is None:
        above = answers[("above", above_line)] = _safety_comment_ending_at(scan, above_line)
    return above


_SAFETY_LINES = "profile/safety-comment-lines"


def _safety_comment_ending_at(scan: FileScan, line: int) -> bool:
    """True when the comment lines ending at `line` (walking up) hold `SAFETY`."""
    while line >= 1:
        text = scan.lines.line_text(line).strip()
        if not (text.startswith("//") or text.startswith("/*") or text.startswith("*")):
            return False
        if _SAFETY_COMMENT.search(text):
            return True
        line -= 1
    return False


def _on_unsafe_item(scan: FileScan, c: dict[str, list[Node]]) -> None:
    for capture, key in (
        ("unsafe.fn", "unsafe:fn"),
        ("unsafe.impl", "unsafe:impl"),
        ("unsafe.trait", "unsafe:trait"),
    ):
        if capture in c:
            scan.add(key, first(c, capture))


def _on_extern_block(scan: FileScan, c: dict[str, list[Node]]) -> None:
    block = first(c, "extern.block")
    scan.add("ffi:extern-block", block)
    if not any(child.type == "unsafe" for child in block.children):
        scan.add("edition:extern-without-unsafe", block)


def _on_extern_fn(scan: FileScan, c: dict[str, list[Node]]) -> None:
    scan.add("ffi:extern-fn", first(c, "extern.fn"))


def _on_static_mut(scan: FileScan, c: dict[str, list[Node]]) -> None:
    name = first(c, "static.name")
    scan.add("static-mut", name)
    scan.facts.static_muts.append(scan.place(items.text(name), name))


def _on_static_ref(scan: FileScan, c: dict[str, list[Node]]) -> None:
    name = first(c, "ref.name")
    scan.facts.static_refs.append(scan.place(items.text(name), name))


def _on_simple(key: str, capture: str) -> Handler:
    def handler(scan: FileScan, c: dict[str, list[Node]]) -> None:
        scan.add(key, first(c, capture))

    return handler


def _on_dyn_error(scan: FileScan, c: dict[str, list[Node]]) -> None:
    # Only `Box<dyn Error>` / `Arc<dyn Error>` carry errors around; `&(dyn Error + 'static)`
    # in `Error::source` is std's own signature.
    node = first(c, "dyn.error")
    parent = scan.ancestry.parent
    arguments = parent(node)
    while arguments is not None and arguments.type in ("dynamic_type", "bounded_type"):
        arguments = parent(arguments)  # `dyn Error + Send + Sync` nests bounded types
    generic = parent(arguments) if arguments is not None else None
    is_pointer = generic is not None and generic.type == "generic_type"
    if is_pointer and items.type_name(generic) in ("Box", "Arc"):
        scan.add("error:dyn-error", node)


def _on_error_impl(scan: FileScan, c: dict[str, list[Node]]) -> None:
    trait = first_text(c, "impl.trait")
    # `de::Error`/`ser::Error` are serde's traits; `StdError` is serde's re-export of std's.
    if trait in ("Error", "std::error::Error", "error::Error", "core::error::Error") or (
        trait.rsplit("::", 1)[-1] == "StdError"
    ):
        scan.add("error:impl-error", first(c, "impl.type"))


def _on_function(scan: FileScan, c: dict[str, list[Node]]) -> None:
    function = first(c, "fn.item")
    if scan.area_of(function) == PRODUCTION:
        scan.facts.defined_fns.add(first_text(c, "fn.name"))
    if not items.is_plain_pub(function):
        return
    scan.add("fn:pub", function)
    params = first(c, "fn.params")
    generics = _generic_names(function)
    for param in params.named_children:
        if param.type == "self_parameter":
            borrowed = any(child.type == "&" for child in param.children)
            scan.add("receiver:borrowed" if borrowed else "receiver:owned", param)
        elif param.type == "parameter":
            scan.add(f"param:{_param_kind(param.child_by_field_name('type'), generics)}", param)


def _generic_names(function: Node) -> set[str]:
    params = function.child_by_field_name("type_parameters")
    if params is None:
        return set()
    return {
        items.text(p.child_by_field_name("name"))
        for p in params.named_children
        if p.type == "type_parameter"
    }


_COPY_TYPES = frozenset({"bool", "char", "f32", "f64", "usize", "isize"})


def _param_kind(type_node: Node | None, generics: set[str]) -> str:
    if type_node is None:
        return "owned"
    kind = type_node.type
    if kind == "reference_type":
        return "borrowed"
    if kind == "primitive_type" or items.text(type_node) in _COPY_TYPES:
        return "copy"
    if kind == "abstract_type" or items.text(type_node) in generics:
        return "generic"
    return "owned"


def _on_doc_fence(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "doc.fence")
    if scan.area_of(node) == PRODUCTION:
        scan.fences.append((node.start_byte, items.text(node)))


def _on_cache_field(scan: FileScan, c: dict[str, list[Node]]) -> None:
    scan.add("cache:field", first(c, "field.name"))


def _on_msrv_name(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "msrv.name")
    feature = words("name").get(items.text(node))
    if feature is not None:
        _add_msrv(scan, feature.key, node)


def _on_msrv_path(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "msrv.path")
    feature = words("path").get(items.text(node).replace(" ", ""))
    if feature is not None:
        _add_msrv(scan, feature.key, node)


def _on_simd_path(scan: FileScan, c: dict[str, list[Node]]) -> None:
    node = first(c, "simd.path")
    module = items.text(node).replace(" ", "").split("::")[1]
    scan.add("simd:portable" if module == "simd" else "simd:arch", node)


def _msrv_syntax(feature: Feature) -> Handler:
    key, having, within = feature.key, feature.having, feature.within

    def handler(scan: FileScan, c: dict[str, list[Node]]) -> None:
        node = first(c, "msrv")
        if having is not None and node.child_by_field_name(having) is None:
            return
        if within is not None:
            parent = scan.ancestry.parent(node)
            if parent is None or parent.type != within:
                return
        _add_msrv(scan, key, node)

    return handler


# --- the combined query -----------------------------------------------------------------


def _on_mod_declaration(scan: FileScan, c: dict[str, list[Node]]) -> None:
    record_mod_declaration(first(c, "decl.mod"), scan.facts.structure, scan.places)


PATTERNS: tuple[tuple[str, Handler], ...] = (
    ("(mod_item !body) @decl.mod", _on_mod_declaration),
    (
        r"""(attribute_item (attribute [(identifier) (scoped_identifier)] @_tp
             (#match? @_tp "^(test|bench|cfg|[A-Za-z_:]+::test)$"))) @test.attr""",
        on_test_attribute,
    ),
    (f"((type_identifier) @type.name {_any_of('type.name', TRACKED_TYPES)})", _on_type),
    ('((type_identifier) @type.name (#match? @type.name "^Atomic[A-Z]"))', _on_type),
    (
        f"((scoped_identifier path: (identifier) @type.name) "
        f"{_any_of('type.name', TRACKED_TYPES)})",
        _on_type,
    ),
    # Patterns end at a node's first child where they can: a pattern that waits on a later
    # child stays open while the query walks the first one, and a chain of method calls (or
    # nested modules, token trees) nests every first child in the next.
    (
        f"((field_identifier) @method.name {_any_of('method.name', _TRACKED_METHODS)})",
        _on_method_call,
    ),
    (
        f"""("." . (identifier) @method.name . (token_tree) @method.args
              {_any_of("method.name", ["clone", *_LOCK_METHODS])})""",
        _on_macro_method,
    ),
    (
        f"""(call_expression
              function: (scoped_identifier name: (identifier) @call.last) @call.path
              {_any_of("call.last", _CALL_LAST_SEGMENTS)})""",
        _on_path_call,
    ),
    (
        f"""(macro_invocation
              macro: [(identifier) @macro.name (scoped_identifier name: (identifier) @macro.name)]
                @macro.path
              (token_tree) @macro.args
              {_any_of("macro.name", _MACROS)})""",
        _on_macro,
    ),
    (
        "(attribute_item (attribute . [(identifier) (scoped_identifier)] @attr.path)) @attr.item",
        _on_attribute,
    ),
    (
        "(inner_attribute_item (attribute . [(identifier) (scoped_identifier)] @inner.path))"
        " @inner.item",
        _on_inner_attribute,
    ),
    ("(unsafe_block) @unsafe.block", _on_unsafe_block),
    (
        '[(function_item (function_modifiers "unsafe")) '
        '(function_signature_item (function_modifiers "unsafe"))] @unsafe.fn',
        _on_unsafe_item,
    ),
    ('(impl_item "unsafe") @unsafe.impl', _on_unsafe_item),
    ('(trait_item "unsafe") @unsafe.trait', _on_unsafe_item),
    ("(foreign_mod_item) @extern.block", _on_extern_block),
    ("(function_item (function_modifiers (extern_modifier))) @extern.fn", _on_extern_fn),
    ("(static_item (mutable_specifier) name: (identifier) @static.name)", _on_static_mut),
    (
        "(reference_expression value: (identifier) @ref.name"
        ' (#match? @ref.name "^[A-Z][A-Z0-9_]*$"))',
        _on_static_ref,
    ),
    ('(function_item (function_modifiers "async")) @async.fn', _on_simple("async:fn", "async.fn")),
    ("(await_expression) @await", _on_simple("async:await", "await")),
    ("(async_block) @async.block", _on_simple("async:block", "async.block")),
    ("(try_expression) @try", _on_simple("error:try", "try")),
    (
        """(dynamic_type trait: [(type_identifier) (scoped_type_identifier)] @dyn.error
             (#match? @dyn.error "Error$"))""",
        _on_dyn_error,
    ),
    (
        """(impl_item trait: [(type_identifier) (scoped_type_identifier)] @impl.trait
             type: (_) @impl.type (#match? @impl.trait "Error$"))""",
        _on_error_impl,
    ),
    (
        "(function_item name: (identifier) @fn.name parameters: (parameters) @fn.params) @fn.item",
        _on_function,
    ),
    ("(lifetime_parameter) @lt", _on_simple("lifetime:param", "lt")),
    ("[(higher_ranked_trait_bound) (for_lifetimes)] @hrtb", _on_simple("lifetime:hrtb", "hrtb")),
    (
        '(trait_bounds (lifetime (identifier) @_s (#eq? @_s "static")) @sb)',
        _on_simple("lifetime:static-bound", "sb"),
    ),
    (
        '(reference_type (lifetime (identifier) @_s (#eq? @_s "static")) @sr)',
        _on_simple("lifetime:static-ref", "sr"),
    ),
    (
        """(field_declaration name: (field_identifier) @field.name
             (#match? @field.name "(^|_)(cache|memo)(d|s)?(_|$)"))""",
        _on_cache_field,
    ),
    (r'((line_comment) @doc.fence (#match? @doc.fence "^//[/!]\\s*```"))', _on_doc_fence),
    (
        '((scoped_identifier) @simd.path (#match? @simd.path "^(std|core)::(simd|arch)$"))',
        _on_simd_path,
    ),
    (
        "([(identifier) (type_identifier)] @msrv.name "
        f"{_any_of('msrv.name', sorted(words('name')))})",
        _on_msrv_name,
    ),
    (
        f"((scoped_identifier) @msrv.path {_any_of('msrv.path', sorted(words('path')))})",
        _on_msrv_path,
    ),
    (
        '(macro_invocation macro: (identifier) @test.macro (#match? @test.macro "test"))'
        " @test.call",
        _on_test_macro,
    ),
    (
        '([(identifier) (field_identifier)] @gen (#eq? @gen "gen"))',
        _on_simple("edition:gen-identifier", "gen"),
    ),
    (
        '((fragment_specifier) @frag (#eq? @frag "expr"))',
        _on_simple("edition:expr-fragment", "frag"),
    ),
    *((feature.match, _msrv_syntax(feature)) for feature in features_of("syntax")),
)
