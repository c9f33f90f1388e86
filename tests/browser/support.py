"""What the browser tests share: a served site on a loopback port (the real server, a manual clock),
Debian's chromium driven by Playwright, screenshots at desktop and phone width kept under
var/test-artifacts/screenshots/, and the axe-core accessibility check."""

import asyncio
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from helpdesk.bootstrap import Container
from helpdesk.server import run_server
from tests.support.parts import missing

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = REPO / "var" / "test-artifacts" / "screenshots"
AXE = (REPO / "tests" / "fixtures" / "axe" / "axe.min.js").read_text(encoding="utf-8")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def need_chromium() -> str:
    if CHROMIUM is None:
        missing("chromium", "apt-get install chromium (.ci/run installs it)")
    assert CHROMIUM is not None
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(container: Container, port: int) -> Iterator[str]:
    """The container served on 127.0.0.1:`port` in a thread until the block ends."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(run_server(container, stop)), daemon=True
    )
    thread.start()
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)


def shoot(page: Any, name: str) -> None:
    """Screenshots of the page at 1280 and 390 px wide (full height)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def check(page: Any, name: str) -> None:
    """Screenshots, no page overflowing a phone's width, and no serious accessibility violation."""
    shoot(page, name)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow} px wider than a 390 px screen"
    violations = axe_violations(page)
    assert not violations, f"{name}: {violations}"


def login(page: Any, base: str, who: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#login", who)
    page.fill("#password", password)
    page.click("button[type=submit]")


def logout(page: Any) -> None:
    page.click("text=Wyloguj")


__all__ = ["ARGS", "check", "free_port", "login", "logout", "need_chromium", "pytest", "serving", "shoot"]
