"""One full-mode run's shared state: how to call cargo, and the evidence collected so far."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rustpro.cachedir import cache_root
from rustpro.discovery.layout import Workspace
from rustpro.errors import ToolError, WorkDirError
from rustpro.model import Checkpoint, Finding, Role
from rustpro.toolchain.paths import ReportPaths
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.runner import ToolRun, current_epoch, run_tool
from rustpro.toolchain.workcopy import WorkCopy, mark_cache, project_top, sync_work_copy

STEPS = ("metadata", "clippy", "test", "fmt", "doc")

# Generous defaults: a cold build of a large workspace takes many minutes on a laptop.
DEFAULT_TIMEOUTS: Mapping[str, float] = {
    "metadata": 120.0,
    "clippy": 1800.0,
    "test": 1800.0,
    "fmt": 300.0,
    "doc": 900.0,
}

# Written where clippy looks when the project has no clippy.toml of its own: rustpro's
# production rules leave tests alone, and so should their clippy twins.
CLIPPY_TEST_ALLOWANCES = """\
allow-unwrap-in-tests = true
allow-expect-in-tests = true
allow-panic-in-tests = true
allow-dbg-in-tests = true
"""


@dataclass(frozen=True, slots=True)
class FullModeOptions:
    """What the command line says about full mode."""

    skip: frozenset[str] = frozenset()
    target_dir: Path | None = None
    # Overrides every step's default timeout when set.
    timeout: float | None = None
    progress: bool = True
    # Per-step timeouts that win over both `timeout` and the defaults.
    step_timeouts: Mapping[str, float] = field(default_factory=dict)
    # cargo's feature flags, passed to every step that builds (clippy, test, doc).
    features: tuple[str, ...] = ()
    all_features: bool = False
    no_default_features: bool = False

    def feature_args(self) -> list[str]:
        """`--features a,b`, `--all-features`, `--no-default-features`, as asked."""
        args: list[str] = []
        if self.features:
            args += ["--features", ",".join(self.features)]
        if self.all_features:
            args.append("--all-features")
        if self.no_default_features:
            args.append("--no-default-features")
        return args

    def timeout_for(self, step: str) -> float:
        """Seconds `step` may run before it is killed."""
        if step in self.step_timeouts:
            return self.step_timeouts[step]
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUTS[step]


def work_copy_dir(root: Path) -> Path:
    """Where full mode keeps its copy of the tree at `root` (`rustpro.toolchain.workcopy`)."""
    return cache_root() / "work" / _key(root)


def _key(root: Path) -> str:
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return f"{root.name}-{digest}"


def writable_directory(path: Path, what: str, hint: str) -> Path:
    """`path`, created when missing, once a file could be written in it; raises
    `WorkDirError` (one line, with `hint`) otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(dir=path, prefix=".rustpro-probe-")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise WorkDirError(f"full mode cannot write its {what} {path}: {reason}; {hint}") from None
    return path.resolve()


@dataclass(slots=True)
class StepReport:
    """Findings, per-checkpoint evidence and warnings gathered by the steps (thread-safe)."""

    findings: list[Finding] = field(default_factory=list)
    evidence: dict[Checkpoint, list[str]] = field(default_factory=dict)
    # Finer evidence (one line per test binary): in the JSON report, not in the text table.
    details: dict[Checkpoint, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, other: StepReport) -> None:
        """Add everything `other` gathered (a step that reported apart)."""
        with other._lock:
            findings = list(other.findings)
            evidence = {key: list(lines) for key, lines in other.evidence.items()}
            details = {key: list(lines) for key, lines in other.details.items()}
            warnings = list(other.warnings)
        with self._lock:
            self.findings.extend(findings)
            for checkpoint, lines in evidence.items():
                self.evidence.setdefault(checkpoint, []).extend(lines)
            for checkpoint, lines in details.items():
                self.details.setdefault(checkpoint, []).extend(lines)
            self.warnings.extend(warnings)

    def add(self, findings: Sequence[Finding]) -> None:
        """Record tool findings."""
        with self._lock:
            self.findings.extend(findings)

    def note(self, checkpoint: Checkpoint, text: str) -> None:
        """Record one line of evidence for a checkpoint."""
        with self._lock:
            self.evidence.setdefault(checkpoint, []).append(text)

    def detail(self, checkpoint: Checkpoint, text: str) -> None:
        """Record one line of detailed evidence (shown in the JSON report only)."""
        with self._lock:
            self.details.setdefault(checkpoint, []).append(text)

    def warn(self, text: str) -> None:
        """Record a warning for stderr."""
        with self._lock:
            self.warnings.append(text)


class CargoSession:
    """Runs cargo for one audited workspace: in a copy of the tree, with its own target dir,
    a scope that covers exactly the audited crates, plain output, and progress on stderr."""

    def __init__(
        self,
        workspace: Workspace,
        options: FullModeOptions,
        progress: StepProgress,
        report: StepReport,
    ) -> None:
        self.workspace = workspace
        self.options = options
        self.progress = progress
        self.report = report
        # The audited tree, and where cargo runs: the tree itself until `prepare` has
        # made the copy.
        self.source_root = workspace.root.resolve()
        self.root = self.source_root
        # cargo's workspace root for the audited tree (an ancestor when a member is audited).
        self.cargo_root = self.source_root
        self.work: WorkCopy | None = None
        self.paths = ReportPaths(self.root, self.root)
        self.cargo = os.environ.get("CARGO", "cargo")
        # Once rustpro is stopped (Ctrl-C), no cargo command of this audit starts.
        self.epoch = current_epoch()
        # Set, the running command is killed and no other starts (verify stops its steps).
        self.cancelled = threading.Event()
        # cargo's build directory: `--target-dir`, else `target/` at cargo's workspace root
        # in the copy (set by `prepare`), where the project's own would be.
        self.target_dir: Path | None = options.target_dir
        # cargo's build-dir (`CARGO_BUILD_BUILD_DIR`: intermediate artifacts, the build lock
        # and cargo's rustc probe cache) when a step keeps them apart; None: the target dir.
        self.build_dir: Path | None = None
        # `-p NAME` (or files named on the command line): only those packages are built.
        self.scope = _package_args(workspace.selected) if workspace.selected else ["--workspace"]
        self.roles = {
            entry.relpath: entry.role for crate in workspace.crates for entry in crate.files
        }

    def prepare(self) -> None:
        """Make the copy of the tree that cargo runs in and cargo's build directory; raises
        `WorkDirError` when either cannot be written."""
        if self.options.target_dir is not None:
            self.target_dir = writable_directory(
                self.options.target_dir, "build directory", "choose another with --target-dir DIR"
            )
        self.cargo_root = self._locate_cargo_root()
        base = writable_directory(
            work_copy_dir(self.source_root),
            "copy of the project",
            "set RUSTPRO_CACHE_DIR to a writable directory, or use --static",
        )
        top = project_top(self.source_root, self.cargo_root)
        # The build directory sits where the project's own would: tests that find the
        # workspace above `CARGO_TARGET_TMPDIR` (mdBook's) still do.
        build = WorkCopy(base).local(self.cargo_root) / "target"
        # Never copy the cache into itself when it lies inside the audited tree.
        skip = cache_root().resolve()
        with self.progress.step("copying the project"):
            try:
                work = sync_work_copy(self.source_root, top, base, skip, keep=build)
            except OSError as err:
                where = err.filename or base
                reason = err.strerror or type(err).__name__
                raise WorkDirError(
                    f"full mode cannot copy the project to {base}: {where}: {reason}"
                ) from None
        if work.unreadable:
            self.report.warn(
                f"{len(work.unreadable)} file(s) or directories could not be read into full "
                f"mode's copy of the project, so cargo does not see them "
                f"(first: {work.unreadable[0]})"
            )
        self.work = work
        self.root = work.local(self.source_root)
        self.cargo_root = work.local(self.cargo_root)
        self.paths = ReportPaths(self.root, self.root)
        if self.target_dir is None:
            self.target_dir = writable_directory(
                build,
                "build directory",
                "set RUSTPRO_CACHE_DIR or --target-dir to a writable directory",
            )
            mark_cache(self.target_dir)

    def _locate_cargo_root(self) -> Path:
        """The root of the cargo workspace the audited tree belongs to (`cargo
        locate-project --workspace` reads manifests only); the tree itself when cargo
        cannot tell (the metadata step then says why)."""
        if self.workspace.enclosing is None:
            # Discovery looked for a workspace above the tree as cargo does and found none
            # that claims it: the tree is cargo's workspace root. Asking cargo would only
            # confirm it, at the cost of a cargo start-up before anything else can begin.
            return self.source_root
        args = ["locate-project", "--workspace", "--message-format", "plain"]
        try:
            run = self.run("metadata", args, description="cargo locate-project")
        except ToolError:
            return self.source_root
        located = Path(run.stdout.strip()).parent if run.returncode == 0 else None
        if located is None or not located.is_absolute():
            return self.source_root
        return located.resolve()

    def local(self, path: Path) -> Path:
        """Where cargo sees the audited file or directory `path`: its place in the copy."""
        resolved = path.resolve()
        return self.work.local(resolved) if self.work is not None else resolved

    @property
    def in_larger_workspace(self) -> bool:
        """True when the audited tree is one member of a larger cargo workspace."""
        return self.cargo_root != self.root

    def anchor_at(self, cargo_root: Path, packages: Sequence[str]) -> None:
        """Use cargo's workspace root for paths; when the audited crate is one member of a
        larger workspace, build only the audited packages, not all of its siblings."""
        self.paths = ReportPaths(self.root, cargo_root.resolve())
        if self.workspace.selected:
            packages = [name for name in packages if name in self.workspace.selected]
        if cargo_root.resolve() != self.root and packages:
            self.scope = _package_args(packages)

    def build_args(self, command: str, *extra: str) -> list[str]:
        """`cargo COMMAND` over the audited packages with the requested features."""
        return [command, *self.scope, *self.options.feature_args(), *extra]

    def role_of(self, relpath: str) -> Role | None:
        """The role discovery gave a file, when it knows the file."""
        return self.roles.get(relpath)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for cargo: the user's, with rustpro's target dir and plain output."""
        env = dict(os.environ)
        env.update(CARGO_TERM_COLOR="never", CARGO_TERM_PROGRESS_WHEN="never")
        if self.target_dir is not None:
            env["CARGO_TARGET_DIR"] = str(self.target_dir)
        if self.build_dir is not None:
            env["CARGO_BUILD_BUILD_DIR"] = str(self.build_dir)
        env.update(extra)
        return env

    def clippy_conf_dir(self) -> Path | None:
        """A directory holding rustpro's clippy.toml, or None when the project has its own
        (clippy reads the nearest one above each crate; the project's choice wins)."""
        for directory in (self.root, *self.root.parents):
            if (directory / "clippy.toml").is_file() or (directory / ".clippy.toml").is_file():
                return None
        if self.target_dir is None:
            return None
        conf = self.target_dir / "rustpro-clippy-conf"
        conf.mkdir(parents=True, exist_ok=True)
        path = conf / "clippy.toml"
        if not path.is_file() or path.read_text(encoding="utf-8") != CLIPPY_TEST_ALLOWANCES:
            path.write_text(CLIPPY_TEST_ALLOWANCES, encoding="utf-8")
        return conf

    def run(
        self,
        step: str,
        args: Sequence[str],
        *,
        description: str,
        env: Mapping[str, str] | None = None,
        merge_stderr: bool = False,
        timeout: float | None = None,
    ) -> ToolRun:
        """Run `cargo ARGS` for `step` where cargo runs (the copy), with the step's timeout
        unless `timeout` says less is left."""
        with self.progress.step(description):
            return run_tool(
                [self.cargo, *args],
                cwd=self.root,
                env=env if env is not None else self.env(),
                timeout=timeout if timeout is not None else self.options.timeout_for(step),
                merge_stderr=merge_stderr,
                epoch=self.epoch,
                cancel=self.cancelled,
            )


def _package_args(packages: Sequence[str]) -> list[str]:
    return [arg for name in packages for arg in ("--package", name)]
