"""A day's work in a real browser, role by role, from an empty ticket to a closed one: an official
asks on "Zapytaj" (the bot's dialogue) and while typing, then opens a ticket on the web (no
component, one file); the office's leader finds it in the queue, escalates it choosing component,
priority and contract; the contractor's agent finds it in the queue ordered by the nearest breach,
acknowledges and resolves it with a note; the official sees the note and closes it; the auditor
finds it in the report and opens its events with the chain status; a leader of another office
neither sees nor opens it (404); the coordinator sees the region filled by a seeded fortnight
(ageing, breach flags, drill-down). Every step is photographed at 1280 and 390 px
(var/test-artifacts/screenshots/), and each page is checked with axe-core (no serious or critical
violation) and for overflow at phone width."""

import re

import pytest

from helpdesk.adapters.files.articles import load_articles
from helpdesk.services.people import parse_offices_csv
from helpdesk.services.tickets import NewTicket
from tests.browser.support import ARGS, REPO, check, free_port, login, logout, need_chromium, serving
from tests.support.world import make_container, populate

PASSWORD = "tajne-haslo-1"


REGION = """code,name,type,employees,components,leaders_max
1419032,Urząd Gminy Gąbin,gmina_miejsko_wiejska,60,EZD;EPUAP;KONTO,1
1419072,Urząd Gminy Radzanowo,gmina_wiejska,30,EZD;EPUAP;KONTO,1
1419102,Urząd Gminy Stara Biała,gmina_wiejska,35,EZD;EPUAP;KONTO,1
1419000,Starostwo Powiatowe w Płocku,powiat_ziemski,180,EZD;ESB;EPUAP;KONTO,2
"""


def seed_region(container, people) -> None:
    """A region with work in it before the day starts: tickets in six offices opened over the past
    days (so the overview has ageing), some untaken, some escalated long enough ago to breach."""
    container.people.import_offices(parse_offices_csv(REGION))
    now = container.clock.now()
    for code in ("1419032", "1419072", "1419102", "1419000"):
        for role in ("official", "leader"):
            login = f"{'urz' if role == 'official' else 'lider'}.{code}"
            people[login] = container.people.add_person(
                login=login, name=f"Osoba {login}", role=role, now=now, jst=code
            )
    plan = [  # (office's official, its leader, title, escalate?) per day, oldest first
        ("urz.1419000", "lider.1419000", "Nie działa podpis kwalifikowany w EZD", True),
        ("urz.1419032", None, "Brak dostępu do skrzynki ePUAP", False),
        ("urz.slupno", "lider.slupno", "EZD nie generuje UPO", True),
        ("urz.1419072", None, "Prośba o nowe konto w systemie", False),
        ("urz.1419102", "lider.1419102", "Skaner nie zapisuje do EZD", False),
        ("urz2.plock", "lider2.plock", "Wolne działanie EZD po aktualizacji", True),
    ]
    for official, leader, title, escalate in plan:
        ticket = container.tickets.create(people[official], NewTicket(title, f"{title}. Od rana."))
        if leader:
            container.tickets.act(people[leader], ticket["id"], "take")
        if escalate:
            container.tickets.act(people[leader], ticket["id"], "escalate", component="EZD", priority="high")
        container.clock.advance(days=2)
        container.sla_sweep.sweep(container.clock.now())
    container.clock.advance(days=2)  # the day itself: Monday, 15 March 2027, 9:00
    container.sla_sweep.sweep(container.clock.now())


@pytest.fixture
def site(tmp_path, clock):
    chromium = need_chromium()
    port = free_port()
    container = make_container(f"sqlite:///{tmp_path}/h.db", clock, HELPDESK_HTTP=f"127.0.0.1:{port}")
    people = populate(container)
    for login_ in people:
        container.people.set_password(login_, PASSWORD)
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    seed_region(container, people)
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
        # "Zapytaj": the bot's dialogue on a page — the answer, "Pomogło", recorded as a deflection.
        page.click("nav >> text=Zapytaj")
        page.fill("#ask-text", "Jak założyć profil zaufany?")
        page.click("button:text-is('Wyślij')")
        expect(page.locator(".bubble.desk")).to_contain_text("Profil zaufany")
        expect(page.locator(".bubble.desk button", has_text="Nie pomogło")).to_be_visible()
        check(page, "00-official-ask-answer")
        page.click(".bubble.desk button:has-text('Pomogło'):not(:has-text('Nie'))")
        expect(page.locator(".bubble.desk")).to_contain_text("Cieszę się")
        check(page, "00-official-ask-helped")
        page.goto(f"{base}/tickets/new")
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
        # The file input speaks Polish whatever the browser's language, and names what was chosen.
        expect(page.locator("label.file-pick")).to_have_text("Wybierz pliki…")
        expect(page.locator(".file-chosen")).to_have_text("Nie wybrano plików")
        other = upload.with_name("opis błędu.pdf")
        other.write_bytes(b"%PDF-1.4")
        page.set_input_files("#files", [str(upload), str(other)])
        expect(page.locator(".file-chosen")).to_have_text("2 pliki: zrzut ekranu.txt, opis błędu.pdf")
        page.set_input_files("#files", str(upload))
        expect(page.locator(".file-chosen")).to_have_text("zrzut ekranu.txt")
        assert "Choose" not in page.inner_text("main") and "No file" not in page.inner_text("main")
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
        # T-000006's running deadline is the desk's "now": said plainly, not as "zostało 0 min".
        assert "zostało 0 min" not in page.inner_text("main") and "termin mija teraz" in page.inner_text(
            "main"
        )
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
        check(page, "04-leader-escalated")
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
        assert "Nadano uprawnienia zapisu" in page.inner_text("main")
        check(page, "06-agent-resolved")
        logout(page)

        # Official: sees the resolution note and closes the ticket.
        login(page, base, "urz.plock", PASSWORD)
        page.goto(f"{base}/tickets/{ticket_id}")
        main = page.inner_text("main")
        assert "Nadano uprawnienia zapisu do katalogu kancelarii." in main
        assert "first_line_alert" not in main and "escalated" not in main
        # The question the ticket waits on, above everything else: does it work now?
        assert "Czy problem został rozwiązany?" in page.inner_text(".card.confirm")
        assert "Nadano uprawnienia zapisu" in page.inner_text(".card.confirm blockquote")
        check(page, "07-official-asked-whether-it-works")
        page.click("button:text-is('zamknij zgłoszenie')")
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
        page.click("text=Sprawdź łańcuch zdarzeń")
        page.click(f"text={ticket_id}")
        main = page.inner_text("main")
        assert "przekazane Wykonawcy" in main and "rozwiązane" in main and "zamknięte" in main
        assert "łańcuch nienaruszony" in main and "Skrót zdarzenia" in page.inner_text("main table")
        check(page, "09-auditor-ticket-events-chain")
        logout(page)

        # Coordinator: the region at a glance and the offices registry.
        login(page, base, "koordynator", PASSWORD)
        page.goto(f"{base}/region")
        assert "Region" in page.inner_text("h1")
        rows = page.locator("main tbody tr")
        assert rows.count() >= 5  # six offices had work; the day's own ticket is closed
        assert page.locator("main tbody .badge.breached").count() >= 2  # breach flags
        assert page.locator("main tbody .badge.late, main tbody .badge.risk").count() >= 2  # ageing
        assert "Starostwo Powiatowe w Płocku" in rows.first.inner_text()  # most in need first
        check(page, "10-coordinator-region")
        page.click("main tbody tr >> nth=0 >> a.badge.breached")
        assert "Wszystkie zgłoszenia" in page.inner_text("h1")
        assert "Nie działa podpis kwalifikowany w EZD" in page.inner_text("main")
        check(page, "10-coordinator-region-drill-down")
        page.goto(f"{base}/offices")
        assert "Urząd Miasta Płocka" in page.inner_text("main")
        check(page, "11-offices")
        # The rollout's pages: their wide tables scroll inside the card on a phone.
        for path, name in (
            ("/offices/1462011", "11-office-profile"),
            ("/offices/1462011/calendar", "11-office-calendar"),
            ("/rollout/offices", "11-rollout-readiness"),
            ("/trainings", "11-trainings"),
            ("/systems", "11-systems"),
            ("/drafts", "11-drafts"),
            ("/konto", "11-account"),
            ("/haslo", "11-forgotten-password"),
        ):
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            check(page, name)
        page.goto(f"{base}/kb/epuap-profil-zaufany")
        assert page.locator("article strong").count() >= 1  # Markdown rendered
        check(page, "12-kb-article")
        browser.close()

    # The "it helped" click was recorded against the answered question.
    report = container.kb_insights.deflection(
        container.clock.now().replace(hour=0, minute=0), container.clock.now().replace(hour=23)
    )
    assert report["total"]["helpful"] >= 1
