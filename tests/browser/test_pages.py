"""The web pages in a real browser (Debian's chromium driven by Playwright): log in as a leader,
see the office's queue, open a ticket, take it; a wrong password gets a clear Polish message."""

import asyncio
import shutil
import socket
import threading

import pytest

from helpdesk.server import run_server
from helpdesk.services.tickets import NewTicket
from tests.support.world import populate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(tmp_path, clock):
    from tests.support.world import make_container

    port = free_port()
    container = make_container(f"sqlite:///{tmp_path}/h.db", clock, HELPDESK_HTTP=f"127.0.0.1:{port}")
    people = populate(container)
    container.people.set_password("lider.plock", "tajne-haslo-1")
    ticket = container.tickets.create(people["urz.plock"], NewTicket("Skaner nie zapisuje plików", "Od rana", "SKANOWANIE"))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=lambda: loop.run_until_complete(run_server(container, stop)), daemon=True)
    thread.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}", ticket["id"]
    loop.call_soon_threadsafe(stop.set)
    thread.join(timeout=10)
    container.close()


def test_a_leader_logs_in_sees_the_queue_and_takes_a_ticket(site, tmp_path):
    from playwright.sync_api import sync_playwright

    base, ticket_id = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("#login", "lider.plock")
        page.fill("#password", "zle-haslo")
        page.click("button[type=submit]")
        assert "Niepoprawny login lub hasło" in page.inner_text("main")
        page.fill("#login", "lider.plock")
        page.fill("#password", "tajne-haslo-1")
        page.click("button[type=submit]")
        assert "Kolejka zgłoszeń urzędu" in page.inner_text("h1")
        page.click(f"text={ticket_id}")
        assert "Skaner nie zapisuje plików" in page.inner_text("h1")
        page.click("text=przejmij")
        assert "w realizacji w urzędzie" in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "ticket.png"))
        browser.close()
