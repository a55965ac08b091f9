"""The async rules' messages and their crate-wide decisions (what the line fixtures cannot show)."""

from __future__ import annotations

from pathlib import Path

from rustpro.model import Finding
from tests.support import audit, make_crate

BIN_MANIFEST = """\
[package]
name = "tool"
version = "0.1.0"
edition = "2021"
"""


def _findings(root: Path, rule: str) -> list[Finding]:
    return [f for f in audit(root, select=(rule,)).findings if f.rule == rule]


# ----- sequential-await-in-loop ---------------------------------------------------------------
_CLIENT = """\
//! A client.
pub struct Client;

pub struct Cluster;

impl Client {
    pub async fn resolve<T>(&self, name: &str) -> u64 {
        let _ = std::marker::PhantomData::<T>;
        remote(name).await
    }
}

async fn remote(name: &str) -> u64 {
    name.len() as u64
}

pub async fn all(client: &Client, names: &[String]) -> Vec<u64> {
    let mut out = Vec::new();
    for name in names {
        out.push(client.resolve::<Cluster>(name).await);
    }
    out
}
"""


def test_sequential_message_names_a_turbofish_callee(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": _CLIENT})
    [finding] = _findings(root, "sequential-await-in-loop")
    assert "`.resolve(..)`" in finding.message
    assert "batched request" in finding.help


def test_sequential_quiet_when_the_callee_awaits_nothing_in_another_file(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": "//! Render.\npub mod render;\npub mod page;\n",
        "src/render.rs": (
            "//! Rendering.\n"
            "pub struct Renderer;\n"
            "impl Renderer {\n"
            "    pub async fn render(&self, id: u64) -> String {\n"
            '        format!("<p>{id}</p>")\n'
            "    }\n"
            "}\n"
        ),
        "src/page.rs": (
            "//! Pages.\n"
            "use crate::render::Renderer;\n"
            "pub async fn page(renderer: &Renderer, ids: Vec<u64>) -> Vec<String> {\n"
            "    let mut parts = Vec::new();\n"
            "    for id in ids {\n"
            "        parts.push(renderer.render(id).await);\n"
            "    }\n"
            "    parts\n"
            "}\n"
        ),
    }
    assert _findings(make_crate(tmp_path / "quiet", files), "sequential-await-in-loop") == []
    files["src/render.rs"] = files["src/render.rs"].replace(
        'format!("<p>{id}</p>")', "crate::page::fetch(id).await"
    )
    files["src/page.rs"] += "pub async fn fetch(id: u64) -> String {\n    id.to_string()\n}\n"
    loud = _findings(make_crate(tmp_path / "loud", files), "sequential-await-in-loop")
    assert [(f.path, f.line) for f in loud] == [("src/page.rs", 5)]


# ----- blocking-in-async ----------------------------------------------------------------------
def test_blocking_findings_from_the_crate_pass_keep_place_and_message(tmp_path: Path) -> None:
    body = (
        "//! Files.\n"
        "pub async fn load(path: &str) -> std::io::Result<String> {\n"
        "    std::fs::read_to_string(path)\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": body})
    [finding] = _findings(root, "blocking-in-async")
    assert (finding.line, finding.column, finding.end_line) == (3, 5, 3)
    assert finding.message == (
        "`std::fs::read_to_string` blocks the executor thread inside async code"
    )
    assert finding.help.endswith("see `rustpro explain blocking-in-async`")


def test_blocking_crate_pass_findings_honour_suppressions(tmp_path: Path) -> None:
    body = (
        "//! Files.\n"
        "pub async fn load(path: &str) -> std::io::Result<String> {\n"
        "    // rustpro: allow(blocking-in-async) -- a small local file, read once\n"
        "    std::fs::read_to_string(path)\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": body})
    result = audit(root, select=("blocking-in-async",))
    assert result.findings == []
    assert result.suppressed == 1


def test_blocking_binary_that_serves_is_checked_and_one_that_does_not_is_not(
    tmp_path: Path,
) -> None:
    handler = (
        "async fn handle(path: String) -> usize {\n"
        "    std::fs::read(path).map(|b| b.len()).unwrap_or(0)\n"
        "}\n"
    )
    tool = "fn main() {}\n" + handler
    server = (
        "#[tokio::main]\nasync fn main() {\n"
        "    let app = axum::Router::new();\n"
        '    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();\n'
        "    axum::serve(listener, app).await.unwrap();\n"
        "    handle(String::new()).await;\n"
        "}\n" + handler
    )
    quiet = make_crate(tmp_path / "tool", {"src/main.rs": tool}, BIN_MANIFEST)
    loud = make_crate(tmp_path / "server", {"src/main.rs": server}, BIN_MANIFEST)
    assert _findings(quiet, "blocking-in-async") == []
    assert [f.line for f in _findings(loud, "blocking-in-async")] == [9]


# ----- unbounded-channel ----------------------------------------------------------------------
def test_unbounded_message_names_the_static_that_holds_it(tmp_path: Path) -> None:
    body = (
        "//! Queue.\n"
        "use std::sync::OnceLock;\n"
        "static SENDER: OnceLock<tokio::sync::mpsc::UnboundedSender<u8>> = OnceLock::new();\n"
        "pub fn install() -> tokio::sync::mpsc::UnboundedReceiver<u8> {\n"
        "    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();\n"
        "    SENDER.set(tx).ok();\n"
        "    rx\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": body})
    [finding] = _findings(root, "unbounded-channel")
    assert "held by `SENDER`" in finding.message
