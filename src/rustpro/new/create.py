"""`rustpro new`: render a kind's templates into a new project directory, atomically.

Everything is made in a temporary directory beside the target (the files, `Cargo.lock`, the
git repository), then put in place:

- a target that does not exist is created by one `rename` of that directory: it appears
  whole or not at all;
- an existing, empty target (or any target with `force`) receives the files one `rename`
  each. With `force`, a file of the user's that a template file would replace is first moved
  to a backup directory beside the target (`NAME.rustpro-backup-YYYYMMDD-HHMMSS/`, same
  relative paths), and listed; identical files are left alone, and nothing else in the
  directory is touched. If a step fails, what was moved is moved back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rustpro.errors import CrateNameError, NewProjectError, ToolError
from rustpro.new.kinds import DEFAULT_EDITION, choose_rust_version, kind_named, parse_rust_version
from rustpro.new.names import MAX_LENGTH, check_name
from rustpro.new.render import ProjectSpec, render, used_dependencies
from rustpro.new.workspace import WorkspaceHint, workspace_hint

# `cargo generate-lockfile` resolves against crates.io (falling back to cargo's offline
# cache); a slow index should not hold `rustpro new` for long.
LOCKFILE_TIMEOUT = 180.0
GIT_TIMEOUT = 30.0
RUSTFMT_TIMEOUT = 60.0
# The workspace kind's library member is NAME-core (templates/workspace/crates/core).
LIBRARY_SUFFIX = "-core"


@dataclass(frozen=True, slots=True)
class NewRequest:
    """What the user asked `rustpro new` for."""

    kind: str
    name: str
    path: Path | None = None
    edition: str = DEFAULT_EDITION
    msrv: str | None = None
    git: bool = True
    force: bool = False


@dataclass(slots=True)
class Outcome:
    """What `rustpro new` did."""

    spec: ProjectSpec
    directory: Path
    files: list[str]
    # With --force: the user's files that were replaced, and where they went.
    replaced: list[str] = field(default_factory=list)
    backup: Path | None = None
    git: str = ""
    lockfile: str = ""
    rustfmt: str = ""
    workspace: WorkspaceHint | None = None


def plan(request: NewRequest) -> tuple[ProjectSpec, Path]:
    """Check the request before anything is written: the kind, the name, the edition and
    MSRV, and the target directory. Raises `UsageError`, `CrateNameError` or
    `NewProjectError`."""
    kind = kind_named(request.kind)
    used = set(used_dependencies(kind))
    check_name(request.name, used)
    if kind.name == "workspace" and len(request.name) > MAX_LENGTH - len(LIBRARY_SUFFIX):
        # The workspace's library is NAME-core, held to the same limit.
        raise CrateNameError(
            request.name,
            f"the workspace's library is named NAME{LIBRARY_SUFFIX}, which must fit in "
            f"{MAX_LENGTH} characters too",
            request.name[: MAX_LENGTH - len(LIBRARY_SUFFIX)].rstrip("-_"),
        )
    msrv = parse_rust_version(request.msrv) if request.msrv is not None else None
    rust_version = choose_rust_version(kind, request.edition, used, msrv)
    directory = Path(os.path.abspath(request.path if request.path else Path(request.name)))
    _check_target(directory, request.force)
    return ProjectSpec(kind, request.name, request.edition, rust_version), directory


def _check_target(directory: Path, force: bool) -> None:
    if directory.is_symlink() and not directory.exists():
        raise NewProjectError(f"{directory} is a dangling symbolic link", directory)
    if not directory.exists():
        return
    if not directory.is_dir():
        raise NewProjectError(f"{directory} exists and is not a directory", directory)
    try:
        entries = sorted(entry.name for entry in directory.iterdir())
    except OSError as err:
        raise NewProjectError(f"{directory} cannot be read: {err.strerror}", directory) from None
    if entries and not force:
        shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise NewProjectError(
            f"{directory} is not empty ({shown}): choose another --path, or pass --force "
            "to write into it (files it would replace are moved to a backup directory "
            "beside it first)",
            directory,
        )


def create(request: NewRequest) -> Outcome:
    """Create the project `request` asks for and say what was done."""
    spec, directory = plan(request)
    files = render(spec)
    created_parents = _make_parents(directory.parent)
    enclosing = workspace_hint(directory, spec.kind.name)
    try:
        with _staging(directory) as staging:
            _write(staging, files)
            formatting = _format(staging, spec)
            lockfile = _lockfile(staging, spec, enclosing)
            git = _git_init(staging, directory, request.git)
            outcome = Outcome(
                spec, directory, sorted(files), git=git, lockfile=lockfile, rustfmt=formatting
            )
            if directory.exists():
                _merge(staging, directory, outcome)
            else:
                os.rename(staging, directory)
    except BaseException as err:
        # Whatever stopped it (an I/O error, Ctrl-C), leave no directory it made behind.
        for parent in reversed(created_parents):
            with contextlib.suppress(OSError):
                parent.rmdir()
        if not isinstance(err, OSError):
            raise
        where = err.filename or directory
        raise NewProjectError(
            f"cannot create {directory}: {where}: {err.strerror or err}", directory
        ) from None
    outcome.workspace = workspace_hint(directory, spec.kind.name) if enclosing else None
    return outcome


def _make_parents(parent: Path) -> list[Path]:
    """Create `parent` and its missing ancestors; return those created, outermost first."""
    missing = [p for p in (parent, *parent.parents) if not p.exists()]
    missing.reverse()
    for path in missing:
        try:
            path.mkdir()
        except OSError as err:
            raise NewProjectError(f"cannot create {path}: {err.strerror or err}", path) from None
    return missing


@contextlib.contextmanager
def _staging(directory: Path) -> Iterator[Path]:
    """A fresh directory beside `directory` (same file system, so a rename moves it), with
    the permissions a new directory gets; removed on the way out unless renamed away."""
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.rustpro-new-", dir=directory.parent))
    umask = os.umask(0)
    os.umask(umask)
    try:
        staging.chmod(0o777 & ~umask)
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)


def _format(staging: Path, spec: ProjectSpec) -> str:
    """Run rustfmt over the generated code. The templates are formatted already; this
    re-flows the lines a long package name makes too long. One line saying what happened."""
    rustfmt = shutil.which("rustfmt")
    if rustfmt is None:
        return "not run: rustfmt is not installed"
    sources = sorted(str(path.relative_to(staging)) for path in staging.rglob("*.rs"))
    from rustpro.toolchain.runner import run_tool

    try:
        run = run_tool(
            [rustfmt, "--edition", spec.edition, *sources],
            cwd=staging,
            env=dict(os.environ),
            timeout=RUSTFMT_TIMEOUT,
        )
    except ToolError as err:
        return f"failed: {err}"
    return "formatted" if run.returncode == 0 else f"failed: {run.last_error_line()}"


def _lockfile(staging: Path, spec: ProjectSpec, enclosing: WorkspaceHint | None) -> str:
    """Generate Cargo.lock for kinds that build binaries; one line saying what happened."""
    if not spec.kind.lockfile:
        return "not generated: a library's dependents resolve their own versions"
    if enclosing is not None and enclosing.owns_lockfile:
        return f"not generated: the workspace at {enclosing.root} keeps the lock file"
    cargo = shutil.which(os.environ.get("CARGO", "cargo"))
    if cargo is None:
        return "not generated: cargo is not installed (run `cargo generate-lockfile`)"
    from rustpro.toolchain.runner import run_tool

    # Versions that support the project's rust-version, whatever resolver the edition has.
    env = {**os.environ, "CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS": "fallback"}
    env.update(CARGO_TERM_COLOR="never", CARGO_TERM_PROGRESS_WHEN="never")
    failure = ""
    for extra in ([], ["--offline"]):
        try:
            run = run_tool(
                [cargo, "generate-lockfile", *extra],
                cwd=staging,
                env=env,
                timeout=LOCKFILE_TIMEOUT,
            )
        except ToolError as err:
            failure = str(err)
            continue
        if run.returncode == 0:
            return "generated offline, from cargo's cache" if extra else "generated"
        failure = run.last_error_line()
    return f"not generated ({failure}): run `cargo generate-lockfile` in the project"


def _inside_repository(path: Path) -> bool:
    probe = path if path.is_dir() else path.parent
    try:
        run = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=probe,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0 and run.stdout.strip() == "true"


def _git_init(staging: Path, directory: Path, wanted: bool) -> str:
    """`git init` in the staging directory unless asked not to, git is missing, or the
    target already lies in a repository; one line saying what happened."""
    if not wanted:
        return "not initialised (--no-git)"
    if shutil.which("git") is None:
        return "not initialised: git is not installed"
    if _inside_repository(directory if directory.exists() else directory.parent):
        return "not initialised: the directory is already inside a git repository"
    try:
        run = subprocess.run(
            ["git", "init", "--quiet"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"not initialised: git init failed ({err})"
    if run.returncode != 0:
        reason = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode
        return f"not initialised: git init failed ({reason})"
    return "initialised a new repository"


def _backup_dir(directory: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = directory.parent / f"{directory.name}.rustpro-backup-{stamp}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = directory.parent / f"{directory.name}.rustpro-backup-{stamp}-{number}"
    return candidate


def _staged_entries(staging: Path) -> list[str]:
    """The staged files as relative paths, with a `.git` directory as one entry."""
    entries: list[str] = []
    for root, dirs, names in os.walk(staging):
        here = Path(root).relative_to(staging)
        if ".git" in dirs and here == Path("."):
            dirs.remove(".git")
            entries.append(".git")
        entries.extend((here / name).as_posix() for name in names)
    return sorted(entries)


def _same_file(new: Path, old: Path) -> bool:
    if not old.is_file() or old.is_symlink() or new.is_dir():
        return False
    return new.read_bytes() == old.read_bytes()


def _merge(staging: Path, directory: Path, outcome: Outcome) -> None:
    """Move the staged files into the existing `directory`, backing up what they replace;
    undo every move when one fails."""
    undo: list[tuple[Path, Path]] = []  # (from, to): move `from` back to `to`
    backup: Path | None = None

    def keep_aside(path: Path) -> None:
        nonlocal backup
        if backup is None:
            backup = _backup_dir(directory)
        relpath = path.relative_to(directory)
        saved = backup / relpath
        saved.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, saved)
        undo.append((saved, path))
        outcome.replaced.append(relpath.as_posix())

    try:
        for relpath in _staged_entries(staging):
            source, target = staging / relpath, directory / relpath
            # A file of the user's where the template needs a directory goes aside too.
            for ancestor in reversed(target.relative_to(directory).parents):
                folder = directory / ancestor
                if folder != directory and (folder.is_symlink() or folder.is_file()):
                    keep_aside(folder)
            if _same_file(source, target):
                continue
            if target.exists() or target.is_symlink():
                keep_aside(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)
            undo.append((target, source))
    except OSError:
        for moved, origin in reversed(undo):
            with contextlib.suppress(OSError):
                origin.parent.mkdir(parents=True, exist_ok=True)
                os.rename(moved, origin)
        outcome.replaced.clear()
        if backup is not None:
            _remove_empty_dirs(backup)
        raise
    outcome.backup = backup


def _remove_empty_dirs(root: Path) -> None:
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: len(entry[0]), reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(folder)
