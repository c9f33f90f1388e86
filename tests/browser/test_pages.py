"""The web pages in a real browser (Debian's chromium driven by Playwright): log in as a leader,
see the office's queue, open a ticket, take it; a wrong password gets a clear Polish message. A
coordinator reviews a draft article: opens the drafts list, edits a question, publishes under the
suggested id, lands on the article's page at that id, and the draft's old address leads there."""

import shutil

import pytest

from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.tickets import NewTicket
from tests.browser.support import free_port, serving
from tests.support.parts import missing
from tests.support.world import populate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    if CHROMIUM is None:
        missing("chromium", "apt-get install chromium (.ci/run installs it)")


NEW_ID = "sprzet-rzutnik-nie-wyswietla-obrazu"
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


@pytest.fixture
def site(tmp_path, clock):
    from tests.support.world import make_container

    port = free_port()
    container = make_container(f"sqlite:///{tmp_path}/h.db", clock, HELPDESK_HTTP=f"127.0.0.1:{port}")
    people = populate(container)
    container.people.set_password("lider.plock", "tajne-haslo-1")
    container.people.set_password("koordynator", "tajne-haslo-2")
    ticket = container.tickets.create(
        people["urz.plock"], NewTicket("Skaner nie zapisuje plików", "Od rana", "SKANOWANIE")
    )
    # A resolved ticket already drafted into an article (szkic-t-000002) for the coordinator to review.
    solved = container.tickets.create(
        people["urz.plock"], NewTicket("Rzutnik nie wyświetla obrazu", "Brak sygnału w sali narad", "SPRZET")
    )
    for action, text in (("take", None), ("resolve", "Przełączono źródło na HDMI 2.")):
        container.tickets.act(people["lider.plock"], solved["id"], action, text=text)
    KbInsights(container.db, container.clock, container.kb, container.settings.tz).draft_from_ticket(
        people["lider.plock"], solved["id"]
    )
    with serving(container, port) as base:
        yield base, ticket["id"], container
    container.close()


def test_a_leader_logs_in_sees_the_queue_and_takes_a_ticket(site, tmp_path):
    from playwright.sync_api import sync_playwright

    base, ticket_id, _container = site
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


def test_a_coordinator_edits_a_question_of_a_draft_publishes_it_and_the_article_page_shows_it(site, tmp_path):
    from playwright.sync_api import sync_playwright

    base, _ticket_id, container = site
    question = "Co zrobić, gdy rzutnik pokazuje brak sygnału?"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("#login", "koordynator")
        page.fill("#password", "tajne-haslo-2")
        page.click("button[type=submit]")
        page.click("text=Szkice artykułów")
        assert "Szkice artykułów" in page.inner_text("h1")
        assert "T-000002" in page.inner_text("main")
        page.click("text=Rzutnik nie wyświetla obrazu")
        assert "Szkic: Rzutnik nie wyświetla obrazu" in page.inner_text("h1")
        page.fill("#questions", f"Rzutnik nie wyświetla obrazu\n{question}")
        assert page.input_value("#new_id") == NEW_ID  # the suggested final id, kept as it is
        page.click("text=Zapisz i opublikuj")
        page.wait_for_url(f"{base}/kb/{NEW_ID}")
        assert "Rzutnik nie wyświetla obrazu" in page.inner_text("h1")
        assert "Przełączono źródło na HDMI 2." in page.inner_text("article")
        page.screenshot(path=str(tmp_path / "article.png"))
        page.goto(f"{base}/drafts")
        assert "Brak szkiców do przejrzenia." in page.inner_text("main")
        for old in ("/kb/szkic-t-000002", "/drafts/szkic-t-000002"):  # an old link leads to the article
            page.goto(f"{base}{old}")
            assert page.url == f"{base}/kb/{NEW_ID}", old
            assert "Rzutnik nie wyświetla obrazu" in page.inner_text("h1")
        browser.close()
    # The server's own KB (same process) answers the edited question with the new article at once.
    answer = container.kb.answer(question, record=False)
    assert answer["answered"] and answer["article"]["id"] == NEW_ID, answer
