"""Full mode: run the Rust toolchain on the audited project and turn its output into findings.

    full.py         the steps in order, their evidence, the hook `run_audit` calls
    runner.py       one cargo subprocess with a timeout, killed as a process group
    metadata.py     `cargo metadata`: the workspace root rustc's paths are relative to
    lints.py        the clippy lint profile and the lint -> checkpoint table
    messages.py     `--message-format=json` records (clippy, rustc, rustdoc) -> findings
    libtest.py      `cargo test` output -> per-binary counts and failed tests
    rustfmt.py      `cargo fmt --check` output -> one note per file
    twins.py        a clippy finding and rustpro's static twin at one place -> one finding
    progress.py     the spinner on stderr while cargo runs

Everything here executes the audited project's build scripts and proc macros (cargo does);
`--static` never imports this package.
"""
