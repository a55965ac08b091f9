"""A headless Chromium driven over the DevTools protocol, for the HTML report's tests.

Chromium talks the protocol over a pair of pipes (`--remote-debugging-pipe`: commands on
its fd 3, replies and events on its fd 4, each message JSON ending in NUL), so the tests
need no WebDriver, no websocket library and no open port. One browser serves a whole test
module; each test opens its own page (`Browser.page`), which records console errors,
exceptions and every request the page makes.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Debian's package and its usual names elsewhere.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEBIAN_PACKAGE = "chromium"
COMMAND_TIMEOUT = 30.0


def find_browser() -> str | None:
    """The Chromium executable (`$RUSTPRO_CHROMIUM`, else the first on PATH), or None."""
    override = os.environ.get("RUSTPRO_CHROMIUM")
    if override:
        return override if shutil.which(override) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(Exception):
    """The browser died, timed out, or answered a command with an error."""


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions, requests it made."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium process; use as a context manager."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 900) -> None:
        self.executable = executable
        self.width = width
        self.height = height
        self._profile = tempfile.TemporaryDirectory(prefix="rustpro-chromium-")
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Browser:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # The child must find the pipes at fds 3 and 4: move ours to free fds above them
        # first, so that the dup2 calls in the child never overwrite one with the other.
        high_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
        high_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_browser_read, from_browser_write):
            os.close(fd)

        def pipes_at_3_and_4() -> None:
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        args = [
            self.executable,
            "--headless=new",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile.name}",
            f"--window-size={self.width},{self.height}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--hide-scrollbars",
            "--mute-audio",
            "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=pipes_at_3_and_4,
        )
        os.close(high_read)
        os.close(high_write)
        return self

    def __exit__(self, *exc: object) -> None:
        process = self._process
        if process is not None:
            with suppress(BrowserError):
                self.send("Browser.close")
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for fd in (self._to_browser, self._from_browser):
            with suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    # The protocol

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and wait for its reply; events received meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe (did it crash?)")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def events(self, session: str) -> list[dict[str, Any]]:
        """Take the events of `session` received so far."""
        mine = [e for e in self._events if e.get("sessionId") == session]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    @contextmanager
    def page(self, *, dark: bool = False) -> Iterator[Page]:
        """A new tab, in the dark colour scheme when `dark`; closed afterwards."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        try:
            page.start(dark=dark)
            yield page
        finally:
            self.send("Target.closeTarget", {"targetId": target})


class Page:
    """One tab: navigate, evaluate, click, type, screenshot; its log records what it did."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.log = PageLog()

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        result = self.browser.send(method, params, self.session)
        self._collect()
        return result

    def start(self, *, dark: bool) -> None:
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        scheme = "dark" if dark else "light"
        self.send(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": self.browser.width,
                "height": self.browser.height,
                "deviceScaleFactor": 1,
                "mobile": False,
            },
        )

    def _collect(self) -> None:
        for event in self.browser.events(self.session):
            method = event.get("method")
            params = event.get("params", {})
            if method == "Network.requestWillBeSent":
                self.log.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                self.log.errors.append(f"exception: {text}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                values = [a.get("value", a.get("description", "")) for a in params["args"]]
                self.log.errors.append(f"console.{params['type']}: {values}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                self.log.errors.append(f"log: {params['entry'].get('text')}")

    def open(self, path: Path, *, ready: str = "document.documentElement.dataset.ready") -> float:
        """Load a file and wait until `ready` is truthy; returns the page's own figure, the
        milliseconds from navigation start to the end of the report script's first render."""
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        value = self.wait_for(ready)
        return float(value)

    def wait_for(self, expression: str, timeout: float = COMMAND_TIMEOUT) -> Any:
        """Poll `expression` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(
                f"(() => {{ try {{ return {expression}; }} catch (e) {{ return null; }} }})()"
            )
            if value:
                return value
            time.sleep(0.02)
        raise BrowserError(f"timed out waiting for {expression}; page errors: {self.log.errors}")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element matching `selector`."""
        box = self.evaluate(
            "(() => { const e = document.querySelector(" + json.dumps(selector) + ");"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise BrowserError(f"nothing matches {selector}")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def type_into(self, selector: str, text: str) -> None:
        """Focus the element and type `text` as a user would."""
        self.click(selector)
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path, *, full_height_limit: int = 2600) -> Path:
        """A PNG of the page from the top, as tall as its content (up to a limit)."""
        self.evaluate("window.scrollTo(0, 0)")
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        clip = {
            "x": 0,
            "y": 0,
            "width": self.browser.width,
            "height": min(height, full_height_limit),
            "scale": 1,
        }
        shot = self.send(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def settle(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `check()` holds (after a debounced input, say)."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise BrowserError("the page did not settle")
            time.sleep(0.03)
