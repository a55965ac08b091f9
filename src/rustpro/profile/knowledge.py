"""What well-known crates on crates.io are for, so a dependency list can answer questions.

Keys are package names as published on crates.io; `lookup` and `member` also accept the
other spelling (`-` or `_`), since a manifest may rename or respell a dependency.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

ASYNC_RUNTIMES: dict[str, str] = {
    "tokio": "tokio",
    "async-std": "async-std",
    "smol": "smol",
    "async-executor": "smol",
    "embassy-executor": "embassy",
    "actix-rt": "tokio (actix-rt)",
    "glommio": "glommio",
    "monoio": "monoio",
    "tokio-uring": "tokio-uring",
}

# Attribute paths that start a runtime, and the runtime they mean.
RUNTIME_ATTRIBUTES: dict[str, str] = {
    "tokio::main": "tokio",
    "tokio::test": "tokio",
    "async_std::main": "async-std",
    "async_std::test": "async-std",
    "actix_web::main": "tokio (actix-rt)",
    "actix_rt::main": "tokio (actix-rt)",
    "embassy_executor::main": "embassy",
    "embassy_executor::task": "embassy",
    "smol_potat::main": "smol",
    "macro_rules_attribute::apply": "smol",
}

ERROR_CRATES: dict[str, str] = {
    "thiserror": "derive typed errors (library style)",
    "anyhow": "dynamic errors with context (application style)",
    "eyre": "dynamic errors with context (application style)",
    "color-eyre": "dynamic errors with pretty reports (application style)",
    "snafu": "typed errors with context selectors",
    "miette": "diagnostic errors with source snippets",
    "displaydoc": "Display from doc comments (typed errors)",
    "quick-error": "macro-declared typed errors (legacy)",
    "failure": "legacy error framework (superseded)",
    "error-chain": "legacy error framework (superseded)",
}

BENCH_HARNESSES: dict[str, str] = {
    "criterion": "criterion",
    "criterion2": "criterion",
    "codspeed-criterion-compat": "criterion (CodSpeed)",
    "divan": "divan",
    "codspeed-divan-compat": "divan (CodSpeed)",
    "iai": "iai",
    "iai-callgrind": "iai-callgrind",
    "gungraun": "gungraun",
    "bencher": "bencher",
}

PROPERTY_TEST_CRATES = frozenset(
    {
        "proptest",
        "quickcheck",
        "quickcheck_macros",
        "arbitrary",
        "bolero",
        "test-strategy",
        "arbtest",
        "proptest-derive",
    }
)
FUZZ_CRATES = frozenset({"libfuzzer-sys", "afl", "honggfuzz", "cargo-fuzz"})

CACHE_CRATES = frozenset(
    {
        "lru",
        "moka",
        "mini-moka",
        "cached",
        "quick_cache",
        "clru",
        "schnellru",
        "uluru",
        "stretto",
        "foyer",
    }
)
SMALL_COLLECTION_CRATES = frozenset(
    {"smallvec", "arrayvec", "tinyvec", "smallstr", "compact_str", "smol_str", "ecow", "heapless"}
)
ARENA_CRATES = frozenset(
    {
        "bumpalo",
        "typed-arena",
        "slotmap",
        "id-arena",
        "generational-arena",
        "la-arena",
        "thunderdome",
        "slab",
        "sharded-slab",
    }
)
FAST_HASH_CRATES = frozenset({"ahash", "fxhash", "rustc-hash", "foldhash", "hashbrown"})
ALLOCATOR_CRATES = frozenset(
    {"mimalloc", "jemallocator", "tikv-jemallocator", "snmalloc-rs", "rpmalloc"}
)
SIMD_CRATES = frozenset(
    {
        "wide",
        "packed_simd",
        "packed_simd_2",
        "pulp",
        "safe_arch",
        "simdeez",
        "multiversion",
        "std_detect",
        "memchr",
        "simd-json",
        "faster",
        "generic-simd",
    }
)
THREAD_CRATES: dict[str, str] = {
    "rayon": "data parallelism (work stealing)",
    "crossbeam": "threads, scoped threads and channels",
    "crossbeam-channel": "channels between threads",
    "crossbeam-utils": "scoped threads and sync primitives",
    "threadpool": "a fixed thread pool",
    "parking_lot": "faster Mutex/RwLock",
    "dashmap": "a concurrent HashMap",
    "flume": "channels (sync and async)",
    "async-channel": "async channels",
    "kanal": "channels (sync and async)",
    "arc-swap": "lock-free shared pointers",
}

# Method names Rayon adds; a call means data parallelism.
RAYON_METHODS = frozenset(
    {
        "par_iter",
        "par_iter_mut",
        "into_par_iter",
        "par_bridge",
        "par_chunks",
        "par_chunks_mut",
        "par_sort",
        "par_sort_unstable",
        "par_sort_by",
        "par_sort_by_key",
        "par_extend",
        "par_lines",
        "par_split",
        "par_windows",
    }
)

# Path calls ending in these segments build channels; the path prefix names the flavour.
CHANNEL_CONSTRUCTORS = frozenset(
    {"channel", "sync_channel", "unbounded_channel", "unbounded", "bounded"}
)
CHANNEL_MODULES = frozenset(
    {
        "mpsc",
        "crossbeam_channel",
        "channel",
        "flume",
        "async_channel",
        "broadcast",
        "watch",
        "oneshot",
        "kanal",
        "crossbeam",
        "mpmc",
    }
)

# Calls that benchmarks make but that are not the code under measurement.
GENERIC_FUNCTION_NAMES = frozenset(
    {
        "new",
        "default",
        "clone",
        "from",
        "into",
        "iter",
        "len",
        "collect",
        "unwrap",
        "expect",
        "to_string",
        "to_owned",
        "as_ref",
        "as_str",
        "map",
        "black_box",
        "iter_batched",
        "main",
        "push",
        "get",
        "insert",
        "with_capacity",
        "is_empty",
        "bench_function",
        "bench",
    }
)


def lookup(table: dict[str, T], package: str) -> T | None:
    """`table[package]` accepting either `-` or `_` spelling."""
    for candidate in (package, package.replace("_", "-"), package.replace("-", "_")):
        if candidate in table:
            return table[candidate]
    return None


def member(names: frozenset[str], package: str) -> bool:
    """`package in names`, accepting either `-` or `_` spelling."""
    return (
        package in names or package.replace("_", "-") in names or package.replace("-", "_") in names
    )
