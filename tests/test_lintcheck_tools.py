"""The lintcheck instrument without the network: corpus file, safe unpacking, workspace
assembly, labels, the run diff, precision summary, the report's tables, and that the committed
data agree with each other (labels + last run -> precision.json -> rule pages)."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from benchmarks import lintcheck, lintcheck_corpus, lintcheck_data
from benchmarks.lintcheck_corpus import CorpusError, Package, Unit, load_corpus
from benchmarks.lintcheck_data import (
    DataError,
    Label,
    Observation,
    diff_runs,
    load_labels,
    precision_summary,
    regressions,
    run_fingerprints,
    save_labels,
)
from benchmarks.lintcheck_run import UnitRun, audit_unit

from rustpro import precision
from rustpro.catalog import DEFAULT_GROUP, catalog
from rustpro.discovery.layout import discover
from rustpro.precision import RulePrecision

HELD_OUT = {
    "atuin",
    "vaultwarden",
    "mdbook",
    "just",
    "tonic",
    "reqwest",
    "lemmy",
    "tokio",
    "rust-analyzer",
}
DAY = datetime.date(2026, 12, 4)


def _tarball(entries: list[tuple[str, bytes | None, bytes]]) -> bytes:
    """A gzipped tar; each entry is (name, file content or None for a directory, type)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content, kind in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "../../etc/passwd"
            if content is not None:
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def _package(name: str, files: dict[str, str], version: str = "1.0.0") -> tuple[Package, bytes]:
    top = f"{name}-{version}"
    entries: list[tuple[str, bytes | None, bytes]] = [(top, None, tarfile.DIRTYPE)]
    entries += [(f"{top}/{path}", text.encode(), tarfile.REGTYPE) for path, text in files.items()]
    data = _tarball(entries)
    return Package(name, version, hashlib.sha256(data).hexdigest()), data


def _serve(monkeypatch: pytest.MonkeyPatch, archives: dict[str, bytes]) -> list[str]:
    """Answer downloads from `archives` (by URL) instead of the network; returns the URLs asked."""
    asked: list[str] = []

    def fake_fetch(url: str) -> bytes:
        asked.append(url)
        return archives[url]

    monkeypatch.setattr(lintcheck_corpus, "fetch_bytes", fake_fetch)
    return asked


def _manifest(name: str) -> str:
    return f'[package]\nname = "{name}"\nversion = "1.0.0"\nedition = "2021"\n'


# -- the committed corpus and data ----------------------------------------------------------


def test_committed_corpus_is_varied_pinned_and_held_out() -> None:
    units = load_corpus()
    assert len(units) >= 30
    packages = [p for u in units for p in u.packages]
    assert not {p.name.lower() for p in packages} & HELD_OUT
    assert not any(p.name.startswith(("tokio", "tonic", "atuin", "lemmy")) for p in packages)
    assert set(lintcheck_corpus.CATEGORIES) == {u.category for u in units}
    assert sum(u.is_workspace for u in units) >= 3


def test_committed_labels_and_precision_agree() -> None:
    labels = load_labels(crates={u.name for u in load_corpus()})
    committed = precision.parse(precision.path().read_text(encoding="utf-8"))
    fresh = precision_summary(labels, lintcheck_data.load_last_run(), committed)
    stale = sorted(r for r in fresh if r not in committed or not committed[r].same_counts(fresh[r]))
    assert not stale, f"precision.json is stale for {stale}: run `lintcheck.py report --update`"


def test_every_tp_label_names_a_finding_of_the_last_run() -> None:
    # FPs may have been fixed and debatable findings may go; a TP must still fire.
    # Rows are rules, or a rule's opt-in tier (`rule [pedantic]`): a label names the rule.
    by_rule: dict[str, set[tuple[str, str]]] = {}
    for row, keys in lintcheck_data.keys_by_rule(lintcheck_data.load_last_run()).items():
        by_rule.setdefault(lintcheck_data.row_rule(row), set()).update(keys)
    for label in load_labels():
        if label.verdict == "tp":
            assert label.key in by_rule.get(label.rule, set()), label.describe()


# -- corpus file ----------------------------------------------------------------------------


def test_corpus_entries_are_validated(tmp_path: Path) -> None:
    good = '{ name = "a", version = "1.0.0", sha256 = "' + "0" * 64 + '" }'
    cases = {
        "bad version": good.replace('"1.0.0"', '"^1"'),
        "bad sha256": good.replace("0" * 64, "0" * 63),
        "bad name": good.replace('"a"', '"../a"'),
    }
    for case, package in cases.items():
        path = tmp_path / "corpus.toml"
        path.write_text(
            f'[[unit]]\nname = "a"\ncategory = "library"\nwhy = "x"\npackages = [{package}]\n'
        )
        with pytest.raises(CorpusError):
            load_corpus(path)
        assert case
    twice = f'[[unit]]\nname = "a"\ncategory = "library"\nwhy = "x"\npackages = [{good}]\n'
    path.write_text(twice + twice.replace('name = "a"\ncat', 'name = "b"\ncat'))
    with pytest.raises(CorpusError, match="listed twice: a"):
        load_corpus(path)


# -- downloading and unpacking --------------------------------------------------------------


def test_download_rejects_a_checksum_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package, data = _package("a", {"Cargo.toml": _manifest("a")})
    forged = Package(package.name, package.version, "f" * 64)
    _serve(monkeypatch, {package.url: data})
    with pytest.raises(CorpusError, match="does not match the pinned"):
        lintcheck_corpus.download(forged, tmp_path)
    assert not (tmp_path / "downloads" / package.archive_name).exists()


def test_downloads_are_cached_and_reverified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package, data = _package("a", {"Cargo.toml": _manifest("a")})
    asked = _serve(monkeypatch, {package.url: data})
    first = lintcheck_corpus.download(package, tmp_path)
    assert lintcheck_corpus.download(package, tmp_path) == first and len(asked) == 1
    first.write_bytes(b"corrupted")  # a damaged cache file is fetched again
    lintcheck_corpus.download(package, tmp_path)
    assert len(asked) == 2 and first.read_bytes() == data


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("a-1.0.0/../../escape.rs", tarfile.REGTYPE, "outside"),
        ("/etc/passwd", tarfile.REGTYPE, "outside"),
        ("other-1.0.0/src/lib.rs", tarfile.REGTYPE, "outside"),
        ("a-1.0.0/link", tarfile.SYMTYPE, "not a regular file"),
        ("a-1.0.0/hard", tarfile.LNKTYPE, "not a regular file"),
        ("a-1.0.0/dev", tarfile.CHRTYPE, "not a regular file"),
        ("a-1.0.0/fifo", tarfile.FIFOTYPE, "not a regular file"),
    ],
)
def test_unsafe_archives_are_rejected_before_writing(
    tmp_path: Path, name: str, kind: bytes, message: str
) -> None:
    content = b"x" if kind == tarfile.REGTYPE else None
    if kind == tarfile.LNKTYPE:
        content = None
    entries = [("a-1.0.0/src/lib.rs", b"fn a() {}", tarfile.REGTYPE), (name, content, kind)]
    archive = tmp_path / "a-1.0.0.crate"
    archive.write_bytes(_tarball(entries))
    destination = tmp_path / "out"
    with pytest.raises(CorpusError, match=message):
        lintcheck_corpus.unpack(archive, Package("a", "1.0.0", "0" * 64), destination)
    assert not destination.exists()
    assert not (tmp_path / "escape.rs").exists()


def test_a_family_becomes_a_workspace_of_unmodified_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, lib_data = _package("fam", {"Cargo.toml": _manifest("fam"), "src/lib.rs": "//! Lib.\n"})
    macros_files = {"Cargo.toml": _manifest("fam-macros"), "src/lib.rs": "//! Macros.\n"}
    macros, macros_data = _package("fam-macros", macros_files)
    _serve(monkeypatch, {lib.url: lib_data, macros.url: macros_data})
    unit = Unit("fam", "library", "a test family", (lib, macros))
    root = lintcheck_corpus.prepare_corpus([unit], tmp_path)["fam"]
    assert (root / "fam-macros" / "src" / "lib.rs").read_text() == "//! Macros.\n"
    workspace = discover(root)
    assert workspace.is_workspace
    assert sorted(c.name for c in workspace.crates) == ["fam", "fam-macros"]
    stamp = root.parent / "fam.stamp"
    assert stamp.read_text() == unit.stamp()
    # A changed pin rebuilds the unit; an unchanged one is left alone.
    (root / "marker").write_text("kept")
    lintcheck_corpus.assemble(unit, tmp_path)
    assert (root / "marker").exists()
    bumped, bumped_data = _package("fam", {"Cargo.toml": _manifest("fam")}, version="1.0.1")
    _serve(monkeypatch, {bumped.url: bumped_data, macros.url: macros_data})
    lintcheck_corpus.prepare_corpus([Unit("fam", "library", "bumped", (bumped, macros))], tmp_path)
    assert not (root / "marker").exists() and not (root / "fam" / "src").exists()


def test_pin_takes_the_checksum_from_the_sparse_index(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [
        {"name": "abc", "vers": v, "cksum": c * 64, "yanked": v == "0.2.0"}
        for v, c in [("0.1.0", "a"), ("0.2.0", "b")]
    ]
    index = "\n".join(json.dumps(r) for r in records) + "\n"
    asked = _serve(monkeypatch, {"https://index.crates.io/3/a/abc": index.encode()})
    assert lintcheck_corpus.pin_line("abc", "0.1.0") == (
        '  { name = "abc", version = "0.1.0", sha256 = "' + "a" * 64 + '" },'
    )
    assert asked == ["https://index.crates.io/3/a/abc"]
    with pytest.raises(CorpusError, match="yanked"):
        lintcheck_corpus.pin_line("abc", "0.2.0")
    with pytest.raises(CorpusError, match=r"not in the crates\.io index"):
        lintcheck_corpus.pin_line("abc", "9.9.9")
    paths = [lintcheck_corpus.index_path(n) for n in ("a", "ab", "Syn", "serde")]
    assert paths == ["1/a", "2/ab", "3/s/syn", "se/rd/serde"]


def test_unreachable_network_is_unavailable_not_an_error() -> None:
    with pytest.raises(lintcheck_corpus.CorpusUnavailable):
        lintcheck_corpus.fetch_bytes("http://127.0.0.1:9/nothing-listens-here")


# -- labels, diff, regressions, precision ---------------------------------------------------


def _obs(crate: str, rule: str, fingerprint: str, line: int = 1) -> Observation:
    return Observation(crate, rule, "src/lib.rs", line, 1, "msg", fingerprint, "library")


def _label(obs: Observation, verdict: str) -> Label:
    return Label.of(obs, verdict, f"because {verdict}")


def test_labels_round_trip_sorted_one_per_line(tmp_path: Path) -> None:
    a = _obs("b", "unwrap-in-production", "1" * 16)
    b = _obs("a", "static-mut", "2" * 16)
    path = tmp_path / "labels.jsonl"
    save_labels([_label(a, "tp"), _label(b, "fp")], path)
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["crate"] == "a"
    assert load_labels(path, crates={"a", "b"}) == [_label(b, "fp"), _label(a, "tp")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verdict": "maybe"}, "verdict"),
        ({"reason": ""}, "reason"),
        ({"reason": "two\nlines"}, "reason"),
        ({"fingerprint": "xyz"}, "fingerprint"),
        ({"rule": "no-such-rule"}, "rule"),
        ({"crate": "elsewhere"}, "not in the corpus"),
    ],
)
def test_malformed_labels_are_refused(tmp_path: Path, change: dict[str, str], message: str) -> None:
    entry = {
        "crate": "a",
        "rule": "static-mut",
        "path": "src/lib.rs",
        "line": 3,
        "fingerprint": "0" * 16,
        "verdict": "tp",
        "reason": "a real one",
    }
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(entry | change) + "\n")
    with pytest.raises(DataError, match=message):
        load_labels(path, crates={"a"})


def test_a_finding_is_labelled_once(tmp_path: Path) -> None:
    obs = _obs("a", "static-mut", "3" * 16)
    path = tmp_path / "labels.jsonl"
    line = json.dumps({k: getattr(_label(obs, "tp"), k) for k in lintcheck_data._LABEL_FIELDS})
    path.write_text(line + "\n" + line + "\n")
    with pytest.raises(DataError, match="again"):
        load_labels(path)


def test_diff_and_regressions_name_the_findings() -> None:
    kept = _obs("a", "static-mut", "1" * 16)
    gone = _obs("a", "static-mut", "2" * 16, line=5)
    new = _obs("b", "static-mut", "3" * 16, line=7)
    before = run_fingerprints([kept, gone])
    after = run_fingerprints([kept, new])
    (diff,) = diff_runs(before, after)
    assert diff.new == [(new.key, "src/lib.rs:7")]
    assert diff.gone == [(gone.key, "src/lib.rs:5")]
    assert diff_runs(after, after) == []
    labels = [_label(kept, "fp"), _label(gone, "tp"), _label(new, "debatable")]
    # `kept` was fixed (absent from the last run) and fires again; `gone` is a TP that went.
    found = regressions(labels, {kept.key, new.key}, {gone.key}, crates={"a", "b"})
    assert found.fp_back == [labels[0]] and found.tp_gone == [labels[1]]
    assert "labelled FP fires again: a static-mut src/lib.rs:1" in found.lines()[0]
    # An open FP (still in the last run) is no regression; nor are crates that were not run.
    assert not regressions(labels[:1], {kept.key}, {kept.key}, crates={"a"})
    assert not regressions(labels, {kept.key}, set(), crates={"b"})


def test_precision_counts_labelled_findings_that_still_fire() -> None:
    findings = [_obs("a", "static-mut", f"{i:016x}") for i in range(6)]
    labels = [_label(findings[0], "tp"), _label(findings[1], "tp"), _label(findings[2], "fp")]
    labels += [_label(findings[3], "debatable")]
    labels += [_label(_obs("a", "static-mut", "f" * 16), "fp")]  # fixed: fires no more
    summary = precision_summary(labels, run_fingerprints(findings), {}, today=DAY)
    entry = summary["static-mut"]
    assert (entry.fired, entry.labelled, entry.tp, entry.fp, entry.debatable) == (6, 4, 2, 1, 1)
    assert entry.precision == pytest.approx(2 / 3)
    assert summary["unwrap-in-production"].fired == 0  # every catalog rule has an entry
    later = precision_summary(labels, run_fingerprints(findings), summary, today=DAY.replace(day=9))
    assert later["static-mut"].date == "2026-12-04"  # unchanged counts keep their date


def test_precision_sentence_on_rule_pages() -> None:
    assert precision.describe(None) == "not yet measured."
    silent = RulePrecision(fired=0, labelled=0, tp=0, fp=0, debatable=0, date="2026-12-04")
    assert "does not fire" in precision.describe(silent)
    unlabelled = RulePrecision(fired=4, labelled=0, tp=0, fp=0, debatable=0, date="2026-12-04")
    assert "none labelled" in precision.describe(unlabelled)
    debatable = RulePrecision(fired=4, labelled=2, tp=0, fp=0, debatable=2, date="2026-12-04")
    assert "all 2 labelled" in precision.describe(debatable)
    measured = RulePrecision(fired=40, labelled=10, tp=6, fp=2, debatable=2, date="2026-12-04")
    assert precision.describe(measured) == (
        "75% (6 TP, 2 FP, 2 debatable; 10 labelled of 40 findings on the lintcheck corpus "
        "of real crates, 2026-12-04)."
    )
    assert precision.parse(precision.dumps({"static-mut": measured})) == {"static-mut": measured}


# -- the report and the audit of one unit ---------------------------------------------------


def test_report_tables() -> None:
    findings = [_obs("a", "static-mut", f"{i:016x}") for i in range(20)]
    labels = [_label(findings[0], "tp"), _label(findings[1], "fp"), _label(findings[2], "tp")]
    table = lintcheck.rule_table(findings, labels)
    group = catalog()["static-mut"].group
    want = ["12"] if group == DEFAULT_GROUP else []
    assert table[1].split() == ["static-mut", group, "20", "3", "2", "1", "0", "67%", "0%", *want]
    run = UnitRun("a", "library", findings, {"": ("a", "library", 4000)}, 1.0)
    roles = lintcheck.role_table([run])
    assert roles[1].split() == ["library", "1", "4.0", "20", "5.0"]
    diff = lintcheck.diff_report(diff_runs({}, run_fingerprints(findings)), limit=2)
    assert diff[0] == "20 new, 0 gone since the last committed run"
    assert diff[-1] == "    + ... and 18 more"


def test_audit_unit_fingerprints_findings_and_assigns_roles(tmp_path: Path) -> None:
    root = tmp_path / "fam"
    (root / "lib" / "src").mkdir(parents=True)
    (root / "app" / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["lib", "app"]\n')
    (root / "lib" / "Cargo.toml").write_text(_manifest("lib"))
    (root / "lib" / "src" / "lib.rs").write_text("pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n")
    (root / "app" / "Cargo.toml").write_text(_manifest("app"))
    (root / "app" / "src" / "main.rs").write_text("fn main() { Some(1).unwrap(); }\n")
    unit = Unit("fam", "application", "test", (Package("lib", "1.0.0", "0" * 64),))
    run = audit_unit(unit, root)
    assert {name: role for name, role, _ in run.packages.values()} == {
        "lib": "library",
        "app": "application",
    }
    unwraps = {o.path: o for o in run.observations if o.rule == "unwrap-in-production"}
    assert unwraps["lib/src/lib.rs"].role == "library"
    assert all(len(o.fingerprint) == 16 for o in run.observations)
    assert run.lines == 4  # counted as the engine counts: newlines + 1 per file
