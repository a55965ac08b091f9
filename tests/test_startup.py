"""What every run pays before its first file: start-up imports run without the cycle collector
and freeze what they made (`_startup`); the grammar is read from its binding alone (`parser`)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from rustpro._startup import collector_paused


@pytest.fixture
def unfrozen() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_it_was_after(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failed import")
    assert gc.isenabled() is enabled


@pytest.mark.usefixtures("unfrozen")
def test_only_a_block_that_imported_freezes() -> None:
    gc.unfreeze()
    with collector_paused():
        pass
    assert gc.get_freeze_count() == 0
    name = "rustpro_startup_test_module"
    sys.modules.pop(name, None)
    with collector_paused():
        sys.modules[name] = type(sys)(name)  # what an import leaves behind
    del sys.modules[name]
    assert gc.get_freeze_count() > 0


def test_the_grammar_read_from_the_binding_is_tree_sitter_rust_s() -> None:
    import tree_sitter
    import tree_sitter_rust

    from rustpro.syntax import parser

    # Languages are equal when they are the same grammar in memory.
    assert tree_sitter.Language(tree_sitter_rust.language()) == parser.RUST
    assert tree_sitter.Language(parser._rust_grammar()) == parser.RUST


def test_a_package_laid_out_otherwise_is_imported_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.machinery

    import tree_sitter
    import tree_sitter_rust  # noqa: F401  (found below without the path finder)

    from rustpro.syntax import parser

    def found_nowhere(name: str, path: object = None, target: object = None) -> None:
        return None

    monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", found_nowhere)
    assert tree_sitter.Language(parser._rust_grammar()) == parser.RUST


# The words of `rustpro audit` runs, and some that click refuses: the parser that reads short
# options straight away (`cli._short_options_first`) must read each as click's own does.
_AUDIT_WORDS = [
    ["-j", "1", "-q", "crate"],
    ["-j1", "-q"],
    ["-qj", "2", "--static"],
    ["-qj2"],
    ["-jq"],
    ["-j"],
    ["-j=3"],
    ["--jobs=3", "--no-cache"],
    ["--jobs", "3"],
    ["--jobz", "3"],
    ["-x"],
    ["-Q"],
    ["-h"],
    ["--", "-j", "1"],
    ["-", "-q"],
    ["--static", "--select", "all", "-q", "a", "b"],
    ["-f", "json"],
]
_GROUP_WORDS = [["-h"], ["--versio"], ["--version"], ["-x", "audit"], ["audit", "-j", "1"]]


def _parsed(parser: object, words: list[str]) -> object:
    import click

    try:
        opts, args, order = parser.parse_args(list(words))  # type: ignore[attr-defined]
    except click.ClickException as error:
        return type(error).__name__, error.format_message()
    return opts, args, [param.name for param in order]


@pytest.mark.parametrize(
    ("command", "words"),
    [("audit", words) for words in _AUDIT_WORDS] + [("", words) for words in _GROUP_WORDS],
)
def test_short_options_are_read_as_click_reads_them(command: str, words: list[str]) -> None:
    import click

    from rustpro import cli

    group_context = click.Context(cli.cli, info_name="rustpro")
    found = cli.cli.get_command(group_context, command) if command else cli.cli
    assert found is not None
    context = click.Context(found, info_name=command or "rustpro", parent=group_context)
    base = click.Group if isinstance(found, click.Group) else click.Command
    assert _parsed(found.make_parser(context), words) == _parsed(
        base.make_parser(found, context), words
    )


def test_a_click_without_the_parts_reads_every_word_its_own_way() -> None:
    from rustpro import cli

    class Parser:  # a parser of another click: no `_match_short_opt`
        def __init__(self) -> None:
            self.seen: list[str] = []

        def _process_opts(self, arg: str, state: object) -> None:
            self.seen.append(arg)

    parser = Parser()
    own = parser._process_opts
    cli._short_options_first(parser)
    assert parser._process_opts == own
    parser._process_opts("-j", None)
    assert parser.seen == ["-j"]


def test_every_command_reads_short_options_straight_away() -> None:
    import click

    from rustpro import cli

    def commands(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = [group]
        for command in group.commands.values():
            found += commands(command) if isinstance(command, click.Group) else [command]
        return found

    for command in commands(cli.cli):
        assert isinstance(command, cli._Command | cli._Group), command.name


def test_stop_signals_are_handled_inside_and_restored_after() -> None:
    import signal

    from rustpro import stopping

    assert stopping.EXIT_INTERRUPTED == 128 + signal.SIGINT
    assert stopping.STOP_SIGNALS == (signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.getsignal(signum) for signum in stopping.STOP_SIGNALS}
    with stopping.terminate_as_exception():
        for handled in stopping.STOP_SIGNALS:
            assert signal.getsignal(handled) is stopping._raise_terminated
    assert {signum: signal.getsignal(signum) for signum in stopping.STOP_SIGNALS} == before
    with stopping._signals_ignored():
        for ignored in stopping._STOPS:
            assert signal.getsignal(ignored) == signal.SIG_IGN
    assert {signum: signal.getsignal(signum) for signum in stopping.STOP_SIGNALS} == before
    assert stopping.Terminated(signal.SIGTERM).message == "rustpro: stopped by SIGTERM"


def test_off_the_main_thread_no_handler_is_set_and_nothing_fails() -> None:
    import signal
    import threading

    from rustpro import stopping

    before = {signum: signal.getsignal(signum) for signum in stopping._STOPS}
    seen: list[object] = []

    def work() -> None:
        with stopping.terminate_as_exception(), stopping._signals_ignored():
            seen.append({signum: signal.getsignal(signum) for signum in stopping._STOPS})

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [before]
    assert {signum: signal.getsignal(signum) for signum in stopping._STOPS} == before


def test_a_one_file_audit_imports_only_what_it_uses(tmp_path: Path) -> None:
    # What each of these cost every start, for a `--statistics` report, a stop message or
    # click's did-you-mean suggestion for `-j` that nobody saw.
    (tmp_path / "src").mkdir()
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "tiny"\nversion = "0.1.0"\n')
    (tmp_path / "src" / "lib.rs").write_text("pub fn f() {}\n")
    script = textwrap.dedent(
        f"""
        import sys
        from rustpro import cli
        try:
            cli.main(["audit", "--static", "--no-cache", "-j", "1", "-q", {str(tmp_path)!r}])
        except SystemExit:
            pass
        unused = ("signal", "difflib", "rustpro.report.statistics")
        print(sorted(name for name in unused if name in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[-1] == "[]", done.stderr


def test_importing_rustpro_freezes_its_caches_and_leaves_the_collector_on() -> None:
    # The code caches' tables are loaded while the package is imported: frozen with the
    # modules, the collector never walks them (its first collection after them did).
    script = "import gc, rustpro; print(gc.isenabled(), gc.get_freeze_count() > 0)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_a_plain_audit_never_imports_what_stdlib_modules_import_for_rare_paths(
    tmp_path: Path,
) -> None:
    # `inspect` (with `ast`, `dis`, `tokenize`) and `ipaddress` were a tenth of a one-file
    # audit's start-up: `dataclasses` and `urllib.parse` import them for paths an audit never
    # takes (`rustpro._startup.imports_deferred`).
    (tmp_path / "src").mkdir()
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "tiny"\nversion = "0.1.0"\n')
    (tmp_path / "src" / "lib.rs").write_text("pub fn f() {}\n")
    script = textwrap.dedent(
        f"""
        import sys
        from rustpro import _fastpath
        audit = _fastpath.command(["audit", "--static", "--no-cache", "-j", "1", "-q",
                                   {str(tmp_path)!r}])
        try:
            audit()
        except SystemExit:
            pass
        unused = ("inspect", "ast", "dis", "ipaddress", "click", "threading", "ntpath", "copy",
                  "zlib", "urllib.parse", "fnmatch", "glob", "shlex", "importlib.util")
        print(sorted(name for name in unused if name in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[-1] == "[]", done.stderr


def test_a_deferred_module_is_the_module_wherever_it_is_read() -> None:
    script = textwrap.dedent(
        """
        import sys, rustpro, dataclasses, pathlib
        from rustpro._startup import _Deferred
        assert "inspect" not in sys.modules and "urllib.parse" not in sys.modules
        assert type(dataclasses.inspect) is _Deferred
        signature = dataclasses.inspect.signature  # read: imported now
        import inspect
        assert type(inspect) is not _Deferred and sys.modules["inspect"] is inspect
        assert signature is inspect.signature and dataclasses.inspect.isclass is inspect.isclass
        # `pathlib` holds a function that imports `urllib.parse` at its first call.
        assert pathlib.PurePosixPath("/a b/%c").as_uri() == "file:///a%20b/%25c"
        import urllib.parse
        assert type(urllib.parse) is not _Deferred and sys.modules["urllib.parse"] is urllib.parse
        assert pathlib.urlquote_from_bytes(b"/x y") == urllib.parse.quote_from_bytes(b"/x y")
        assert urllib.parse.urlsplit("http://[::1]:80/x").hostname == "::1"
        @dataclasses.dataclass
        class NoDocstring:
            x: int
        print(NoDocstring.__doc__)
        # `ntpath` (Windows paths) and `copy` (`asdict`) are read through their stand-ins.
        import pathlib
        assert "ntpath" not in sys.modules and "copy" not in sys.modules
        backslash = chr(92)
        assert str(pathlib.PureWindowsPath("c:/a", "b")) == backslash.join(["c:", "a", "b"])
        assert pathlib.PureWindowsPath("C:/A").parts == ("C:" + backslash, "A")
        import ntpath
        assert pathlib.PureWindowsPath("c:/x").drive == ntpath.splitdrive("c:/x")[0] == "c:"
        assert dataclasses.asdict(NoDocstring([1])) == {"x": [1]}
        import copy
        assert type(copy) is not _Deferred and dataclasses.copy.deepcopy is copy.deepcopy
        # `fnmatch`, read by `match` and `glob`.
        assert "fnmatch" not in sys.modules
        assert pathlib.PurePosixPath("a/b.rs").match("*.rs")
        assert not pathlib.PurePosixPath("a/b.rs").match("a/*.py")
        here = pathlib.Path(rustpro.__file__).parent
        assert here / "_startup.py" in list(here.glob("_st*.py"))
        import fnmatch
        assert type(fnmatch) is not _Deferred and pathlib.fnmatch.translate is fnmatch.translate
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["NoDocstring(x:", "int)"]


def test_a_stand_in_read_inside_its_block_imports_the_module() -> None:
    script = textwrap.dedent(
        """
        import sys
        from rustpro._startup import _Deferred, imports_deferred
        sys.modules.pop("colorsys", None)
        with imports_deferred("colorsys", "sys"):
            import colorsys
            assert type(colorsys) is _Deferred and sys.modules["sys"] is sys
            assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
            assert type(sys.modules["colorsys"]) is not _Deferred
        assert type(sys.modules["colorsys"]) is not _Deferred
        with imports_deferred("json"):
            import json as unread
        assert "json" not in sys.modules and type(unread) is _Deferred
        sys.modules.pop("colorsys", None)
        with imports_deferred(functions={"colorsys": ("rgb_to_hsv",)}):
            from colorsys import rgb_to_hsv
            assert type(sys.modules["colorsys"]) is not type(sys)  # a stand-in, not imported
            assert "hls_to_rgb" not in vars(sys.modules["colorsys"])
        assert "colorsys" not in sys.modules
        assert rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)  # imported now
        import colorsys
        assert type(colorsys) is not _Deferred
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr


class _Recorded:
    seen: ClassVar[list[tuple[str, bool, bool]]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        # Where rules ask: in `__init_subclass__`, before `ABCMeta` has set the abstract
        # methods (`inspect.isabstract` then looks for them itself).
        super().__init_subclass__(**kwargs)
        import inspect

        from rustpro.rules.base import _is_abstract

        _Recorded.seen.append((cls.__name__, _is_abstract(cls), inspect.isabstract(cls)))


def test_a_rule_class_is_abstract_exactly_when_inspect_says_so() -> None:
    import abc

    class Plain(_Recorded):
        pass

    class WithAbstract(_Recorded, abc.ABC):
        @abc.abstractmethod
        def check(self) -> None: ...

    class Concrete(WithAbstract):
        def check(self) -> None:
            pass

    class StillAbstract(WithAbstract):
        pass

    class Flagged(_Recorded):
        pass

    Flagged.__abstractmethods__ = frozenset({"check"})  # type: ignore[attr-defined]
    import inspect

    from rustpro.rules.base import _is_abstract

    assert _Recorded.seen == [
        ("Plain", False, False),
        ("WithAbstract", True, True),
        ("Concrete", False, False),
        ("StillAbstract", True, True),
        ("Flagged", False, False),
    ]
    for cls in (Plain, WithAbstract, Concrete, StillAbstract, Flagged):
        assert _is_abstract(cls) is inspect.isabstract(cls), cls  # once made, too
    assert _is_abstract(Flagged)


def test_every_rustpro_dataclass_has_a_docstring() -> None:
    # `dataclasses` writes the signature of a class without one as its doc, importing
    # `inspect` (with `ast`, `dis`, `tokenize`) to do it: a sixth of a one-file audit's
    # start-up, paid by whichever command imports such a class.
    import dataclasses
    import importlib
    import pkgutil

    import rustpro

    undocumented = []
    for module_info in pkgutil.walk_packages(rustpro.__path__, "rustpro."):
        if module_info.name.endswith(".__main__"):
            continue  # runs the command line
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
                and "__doc__" in value.__dict__
                and (value.__doc__ or "").startswith(f"{value.__name__}(")
            ):
                undocumented.append(f"{module.__name__}.{value.__qualname__}")
    assert undocumented == []
