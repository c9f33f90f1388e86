"""A day's work in a real browser, role by role, from an empty ticket to a closed one: an official
asks the knowledge base while typing and opens a ticket on the web (no component, one file); the
office's leader finds it in the queue, escalates it choosing component, priority and contract; the
contractor's agent finds it in the queue ordered by the nearest breach, acknowledges and resolves it
with a note; the official sees the note and closes it; the auditor finds it in the report and
opens its events; a leader of another office neither sees nor opens it (404); the coordinator sees
the region. Every page is photographed at 1280 and 390 px (var/test-artifacts/screenshots/) and
checked with axe-core (no serious or critical violation) and for overflow at phone width."""

import re

import pytest

from helpdesk.adapters.files.articles import load_articles
from tests.browser.support import ARGS, REPO, check, free_port, login, logout, need_chromium, serving
from tests.support.world import make_container, populate

PASSWORD = "tajne-haslo-1"


@pytest.fixture
def site(tmp_path, clock):
    chromium = need_chromium()
    port = free_port()
    container = make_container(f"sqlite:///{tmp_path}/h.db", clock, HELPDESK_HTTP=f"127.0.0.1:{port}")
    people = populate(container)
    for login_ in people:
        container.people.set_password(login_, PASSWORD)
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    with serving(container, port) as base:
        yield base, container, chromium
    container.close()


def test_a_ticket_from_the_web_form_to_the_report_role_by_role(site, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, container, chromium = site
    upload = tmp_path / "zrzut ekranu.txt"
    upload.write_text("Błąd 0x80070005 przy zapisie", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="pl-PL")

        # Official: a deep link before login lands where it pointed after it.
        page.goto(f"{base}/tickets/new")
        assert "/login?next=/tickets/new" in page.url
        page.fill("#login", "urz.plock")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/tickets/new")
        # Knowledge-base suggestions while typing; "it helped" is recorded as a deflection.
        page.fill("#title", "Jak założyć profil zaufany?")
        expect(page.locator("#kb-suggestions")).to_be_visible(timeout=10_000)
        expect(page.locator("#kb-suggestions-list")).to_contain_text("Profil zaufany")
        check(page, "01-official-new-ticket-suggestions")
        page.click("text=To rozwiązało mój problem")
        expect(page.locator("#kb-deflected")).to_be_visible()
        # Then a real problem, with a file, and no component (the official does not know it).
        page.fill("#title", "Nie można zapisać pisma w EZD")
        page.fill("#description", "Przy zapisie pisma pojawia się błąd 0x80070005.")
        page.set_input_files("#files", str(upload))
        page.click("text=Wyślij zgłoszenie")
        page.wait_for_url(re.compile(r".*/tickets/T-\d+\?utworzono=1"))
        ticket_id = page.inner_text("h1").split(":")[0]
        assert "nowe" in page.inner_text("main") and "zrzut ekranu.txt" in page.inner_text("main")
        check(page, "02-official-ticket")
        logout(page)

        # Leader: the queue, search by number, the ticket, escalation choosing component etc.
        login(page, base, "lider.plock", PASSWORD)
        assert "Kolejka zgłoszeń urzędu" in page.inner_text("h1")
        assert ticket_id in page.inner_text("main")
        check(page, "03-leader-queue")
        page.fill("#q", ticket_id)
        page.click("text=Filtruj")
        assert "Znaleziono: 1" in page.inner_text("main")
        page.click(f"text={ticket_id}")
        with page.expect_download() as download:
            page.click("text=zrzut ekranu.txt")
        assert download.value.suggested_filename == "zrzut ekranu.txt"
        page.click("text=przejmij")
        assert "w realizacji w urzędzie" in page.inner_text("main")
        assert page.locator("button:text-is('przejmij')").count() == 0  # not offered again
        check(page, "04-leader-ticket")
        container.clock.advance(minutes=20)
        page.select_option("#esc-component", "EZD")
        page.select_option("#esc-priority", "high")
        page.select_option("#esc-contract", "umowa-ezd-2026")
        page.fill("#text-escalate", "Błąd zapisu u kilku osób w kancelarii.")
        page.click("button:text-is('przekaż Wykonawcy')")
        main = page.inner_text("main")
        assert "przekazane Wykonawcy" in main and "umowa-ezd-2026" in main and "awaria" in main
        assert "Terminy SLA Wykonawcy" in main and "reakcja:" in main
        logout(page)

        # Agent of the contractor: the queue by the nearest breach, acknowledge, resolve with a note.
        container.clock.advance(minutes=40)
        login(page, base, "agent2", PASSWORD)
        assert "Kolejka Wykonawcy" in page.inner_text("h1") and ticket_id in page.inner_text("main")
        check(page, "05-agent-queue")
        page.click(f"text={ticket_id}")
        page.click("button:text-is('potwierdź przyjęcie')")
        assert "reakcja:" in page.inner_text("main") and "dotrzymana" in page.inner_text("main")
        check(page, "06-agent-ticket-sla")
        page.click("button:text-is('rozwiąż')")  # without a note: refused, nothing lost
        assert "rozwiązane" not in page.locator(".badge").first.inner_text()
        page.fill("#text-resolve", "Nadano uprawnienia zapisu do katalogu kancelarii.")
        page.click("button:text-is('rozwiąż')")
        assert "rozwiązane" in page.locator(".badge").first.inner_text()
        logout(page)

        # Official: sees the resolution note and closes the ticket.
        login(page, base, "urz.plock", PASSWORD)
        page.goto(f"{base}/tickets/{ticket_id}")
        main = page.inner_text("main")
        assert "Nadano uprawnienia zapisu do katalogu kancelarii." in main
        assert "first_line_alert" not in main and "escalated" not in main
        page.click("button:text-is('zamknij')")
        assert "zamknięte" in page.locator(".badge").first.inner_text()
        check(page, "07-official-closed")
        logout(page)

        # Another office's leader: not in the queue, and the page is a Polish 404.
        login(page, base, "lider.slupno", PASSWORD)
        page.goto(f"{base}/?widok=wszystkie")
        assert ticket_id not in page.inner_text("main")
        response = page.goto(f"{base}/tickets/{ticket_id}")
        assert response is not None and response.status == 404
        assert "Nie znaleziono" in page.inner_text("h1")
        check(page, "08-other-office-404")
        logout(page)

        # Auditor: the report for the month finds the ticket, which leads to its events.
        login(page, base, "audytor", PASSWORD)
        page.goto(f"{base}/reports?from=2027-03-01&to=2027-03-31")
        assert ticket_id in page.inner_text("main")
        page.click("text=Sprawdź łańcuch zdarzeń")
        assert "Łańcuch zdarzeń nienaruszony" in page.inner_text("main")
        check(page, "09-auditor-report")
        page.goto(f"{base}/reports?from=2027-03-31&to=2027-03-01")
        assert page.locator("[role=alert]").count() == 1  # a reversed period: said on the page
        page.goto(f"{base}/reports?from=2027-03-01&to=2027-03-31")
        page.click(f"text={ticket_id}")
        assert "przekazane Wykonawcy" in page.inner_text("main")
        logout(page)

        # Coordinator: the region at a glance and the offices registry.
        login(page, base, "koordynator", PASSWORD)
        page.goto(f"{base}/region")
        assert "Region" in page.inner_text("h1")
        check(page, "10-coordinator-region")
        page.goto(f"{base}/offices")
        assert "Urząd Miasta Płocka" in page.inner_text("main")
        check(page, "11-offices")
        page.goto(f"{base}/kb/epuap-profil-zaufany")
        assert page.locator("article strong").count() >= 1  # Markdown rendered
        check(page, "12-kb-article")
        browser.close()

    # The "it helped" click was recorded against the answered question.
    report = container.kb_insights.deflection(
        container.clock.now().replace(hour=0, minute=0), container.clock.now().replace(hour=23)
    )
    assert report["total"]["helpful"] >= 1
