"""The web workspace through a real aiohttp server with web sessions: security headers and form
tokens, Polish 403/404 pages, deep links through login, the queue's filters, saved views and
errors, escalation that sets the component (a ticket that came without one), notes required for
resolve, attachments up and down, Markdown sanitised, the region and the offices registry, the
report page's errors, and the API's new action and filters."""

import hashlib
import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import quote, unquote

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.kb.article import Article
from helpdesk.services.texts import plural_pl
from helpdesk.services.tickets import File, NewTicket
from helpdesk.settings import load_settings
from helpdesk.web.app import create_app
from helpdesk.web.common import STATIC
from helpdesk.web.middlewares import CSP
from tests.support.forms import with_token
from tests.support.world import populate

PASSWORD = "tajne-haslo-1"


@pytest.fixture
async def web(container):
    people = populate(container)
    for login in people:
        container.people.set_password(login, PASSWORD)
    mail_ticket = container.tickets.create(
        people["urz.plock"], NewTicket("Nie działa zapis w EZD", "Z e-maila, bez komponentu", channel="email")
    )
    clients: list[TestClient] = []

    async def browser(login=None):
        client = TestClient(TestServer(create_app(container)))
        await client.start_server()
        clients.append(client)
        if login:
            resp = await client.post(
                "/login", data={"login": login, "password": PASSWORD}, allow_redirects=False
            )
            assert resp.status == 303
        return client

    browser.container = container
    browser.people = people
    browser.ticket = mail_ticket["id"]
    yield browser
    for client in clients:
        await client.close()


async def test_pages_carry_the_security_headers_and_forms_need_the_sessions_token(web):
    leader = await web("lider.plock")
    resp = await leader.get("/")
    assert resp.headers["Content-Security-Policy"] == CSP and "unsafe-inline" not in CSP
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    html = await resp.text()
    assert '<script src="/static/app.js?v=' in html and "<script>" not in html and "style=" not in html
    ticket_page = await (await leader.get(f"/tickets/{web.ticket}")).text()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", ticket_page, re.S)
    assert forms and all('name="csrf"' in f for f in forms)
    resp = await leader.post(f"/tickets/{web.ticket}/act", data={"action": "take"}, allow_redirects=False)
    assert resp.status == 403 and "formularz wygasł" in await resp.text()
    resp = await leader.post(
        f"/tickets/{web.ticket}/act", data=with_token(leader, {"action": "take"}), allow_redirects=False
    )
    assert resp.status == 303
    resp = await leader.post(
        "/login", data={"login": "x", "password": "y"}, headers={"Origin": "http://evil.example"}
    )
    assert resp.status == 403


async def test_static_files_are_linked_by_their_contents_hash_so_an_upgrade_reaches_every_browser(web):
    # deploy/nginx.conf lets browsers keep /static/ for days: the address must change with the file.
    html = await (await (await web("lider.plock")).get("/")).text()
    for name in ("app.css", "app.js"):
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        address = f"/static/{name}?v={digest}"
        assert address in html
        resp = await (await web()).get(address)
        assert resp.status == 200 and await resp.read() == (STATIC / name).read_bytes()


async def test_unknown_pages_and_other_offices_tickets_are_polish_404s_and_a_deep_link_survives_login(web):
    anonymous = await web()
    resp = await anonymous.get(f"/tickets/{web.ticket}?x=1", allow_redirects=False)
    assert (
        resp.status == 303 and unquote(resp.headers["Location"]) == f"/login?next=/tickets/{web.ticket}?x=1"
    )
    login_page = await (await anonymous.get(resp.headers["Location"])).text()
    assert f'name="next" value="/tickets/{web.ticket}?x=1"' in login_page
    resp = await anonymous.post(
        "/login",
        data={"login": "lider.plock", "password": PASSWORD, "next": f"/tickets/{web.ticket}"},
        allow_redirects=False,
    )
    assert resp.headers["Location"] == f"/tickets/{web.ticket}"
    resp = await anonymous.post(
        "/login",
        data={"login": "lider.plock", "password": PASSWORD, "next": "//evil.example/"},
        allow_redirects=False,
    )
    assert resp.headers["Location"] == "/"
    other = await web("lider.slupno")
    resp = await other.get(f"/tickets/{web.ticket}")
    assert resp.status == 404 and "Nie znaleziono" in await resp.text()
    resp = await other.get("/nie-ma-takiej-strony")
    assert resp.status == 404 and "Nie znaleziono" in await resp.text() and resp.content_type == "text/html"
    resp = await other.get("/tickets/new-ticket")
    assert resp.status == 400 and "niepoprawny numer" in await resp.text()
    official = await web("urz.plock")
    resp = await official.get("/region")
    assert resp.status == 403 and "Brak uprawnień" in await resp.text()


async def test_a_mail_ticket_without_component_is_escalated_choosing_it_and_resolved_only_with_a_note(web):
    leader = await web("lider.plock")
    page = await (await leader.get(f"/tickets/{web.ticket}")).text()
    assert 'id="esc-component"' in page and "– wybierz –" in page
    data = {"action": "escalate", "component": "EZD", "priority": "high", "contract": "umowa-ezd-2026"}
    resp = await leader.post(
        f"/tickets/{web.ticket}/act", data=with_token(leader, data), allow_redirects=False
    )
    assert resp.status == 303, await resp.text()
    ticket = web.container.tickets.get(web.people["lider.plock"], web.ticket)
    assert (ticket["component"], ticket["priority"], ticket["contract"]) == ("EZD", "high", "umowa-ezd-2026")
    assert [e["type"] for e in ticket["events"]][-2:] == ["component_changed", "escalated"]
    agent = await web("agent2")
    resp = await agent.post(f"/tickets/{web.ticket}/act", data=with_token(agent, {"action": "resolve"}))
    html = await resp.text()
    assert resp.status == 400 and "wpisz notatkę" in html
    note = {"action": "resolve", "text": "Poprawiono uprawnienia <b>zapisu</b>."}
    resp = await agent.post(f"/tickets/{web.ticket}/act", data=with_token(agent, note))
    html = await resp.text()
    assert "rozwiązane" in html and "&lt;b&gt;zapisu&lt;/b&gt;" in html and "<b>zapisu" not in html
    assert "reakcja:" in html and "dotrzymana" in html
    assert "termin: —" not in html  # a stopped clock shows no empty deadline
    # The contract by its title with the id beside it (auditors work with the ids), then its contractor.
    assert (
        '<dt>Umowa</dt><dd>Utrzymanie EZD, podpisu i skanowania w JST województwa <span class="muted">'
        "(umowa-ezd-2026)</span></dd>" in html
    )
    assert "<dt>Wykonawca</dt><dd>Obieg Dokumentów Systemy S.A.</dd>" in html


async def test_set_component_and_priority_from_one_form_and_through_the_api(web):
    leader = await web("lider.plock")
    data = {"action": "set_fields", "component": "KONTO", "priority": "low"}
    resp = await leader.post(
        f"/tickets/{web.ticket}/act", data=with_token(leader, data), allow_redirects=False
    )
    assert resp.status == 303
    ticket = web.container.tickets.get(web.people["lider.plock"], web.ticket)
    assert (ticket["component"], ticket["priority"]) == ("KONTO", "low")
    token = web.container.people.issue_token("lider.plock", web.container.clock.now())
    api = await web()
    headers = {"Authorization": f"Bearer {token}"}
    resp = await api.post(
        f"/api/v1/tickets/{web.ticket}/actions",
        json={"action": "set_component", "component": "EZD"},
        headers=headers,
    )
    assert resp.status == 200 and (await resp.json())["component"] == "EZD"
    resp = await api.post(
        f"/api/v1/tickets/{web.ticket}/actions", json={"action": "take", "component": "EZD"}, headers=headers
    )
    assert resp.status == 400
    resp = await api.get(
        "/api/v1/tickets?q=zapis&component=EZD&assignee=none&breached=false&sort=oldest", headers=headers
    )
    body = await resp.json()
    assert resp.status == 200 and [t["id"] for t in body["items"]] == [web.ticket]
    resp = await api.get("/api/v1/tickets?sort=losowo", headers=headers)
    assert resp.status == 400 and "nieznany porządek" in (await resp.json())["error"]
    doc = await (await api.get("/api/v1/openapi.json")).json()
    names = {p["name"] for p in doc["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert {"q", "component", "assignee", "breached", "sort"} <= names
    assert "component" in doc["components"]["schemas"]["ActionRequest"]["properties"]


async def test_the_queue_filters_pages_and_says_bad_input_in_polish(web):
    for i in range(30):
        web.container.tickets.create(
            web.people["urz.plock"], NewTicket(f"Drukarka {i}", "Nie drukuje", "SPRZET")
        )
    leader = await web("lider.plock")
    html = await (await leader.get("/")).text()
    assert "Razem: 31" in html and "strona 1 z 2" in html and "Urząd Miasta Płocka" in html
    html = await (await leader.get("/?q=Drukarka+7")).text()
    assert "Razem: 1" in html
    html = await (await leader.get(f"/?q={web.ticket}")).text()
    assert "Razem: 1" in html and web.ticket in html
    html = await (await leader.get("/?widok=zamkniete")).text()
    assert "Brak zgłoszeń." in html
    resp = await leader.get("/?priority=pilne")
    assert resp.status == 400 and "nieznany priorytet" in await resp.text()
    resp = await leader.get("/?strona=abc")
    assert resp.status == 400


async def test_attachments_go_up_and_come_down_as_downloads_and_too_big_is_refused(web):
    official = await web("urz.plock")
    form = FormData()
    form.add_field("csrf", with_token(official)["csrf"])
    form.add_field(
        "files", b"<html><script>alert(1)</script></html>", filename="strona.html", content_type="text/html"
    )
    resp = await official.post(f"/tickets/{web.ticket}/files", data=form, allow_redirects=False)
    assert resp.status == 303
    ticket = web.container.tickets.get(web.people["urz.plock"], web.ticket)
    [file] = ticket["attachments"]
    resp = await official.get(f"/tickets/{web.ticket}/files/{file['id']}")
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="strona.html"')
    other = await web("urz.slupno")
    assert (await other.get(f"/tickets/{web.ticket}/files/{file['id']}")).status == 404
    limit = web.container.settings.attachment_max_bytes
    form = FormData()
    form.add_field("csrf", with_token(official)["csrf"])
    form.add_field("files", b"x" * (limit + 1), filename="duzy.bin")
    resp = await official.post(f"/tickets/{web.ticket}/files", data=form)
    assert resp.status == 413 and "za duży" in await resp.text()
    # Sizes in the unit people read: the limit in MB, a small file in bytes, not "0,0 KB".
    assert "limit 10 MB" in await resp.text()
    page = await (await official.get(f"/tickets/{web.ticket}")).text()
    assert "Dołącz pliki (do 10 MB każdy)" in page and f"({file['size']} B)" in page


async def test_articles_are_rendered_from_markdown_and_sanitised_and_the_kb_is_browsable(web):
    body = "**Ważne:** kliknij [tu](javascript:alert(1)) albo [tam](https://example.pl).\n\n<script>alert(2)</script>"
    web.container.kb.import_articles([Article("ezd-test", "Zapis w EZD", "EZD", body=body)])
    anonymous = await web()
    html = await (await anonymous.get("/kb/ezd-test")).text()
    assert "<strong>Ważne:</strong>" in html and 'href="https://example.pl"' in html
    assert 'href="javascript' not in html and "<script>alert" not in html
    html = await (await anonymous.get("/kb?komponent=EZD")).text()
    assert "Zapis w EZD" in html
    html = await (await anonymous.get("/kb?q=zapis")).text()
    assert "Zapis w EZD" in html
    resp = await anonymous.get("/kb/nie-ma")
    assert resp.status == 404 and "Nie znaleziono" in await resp.text()


async def test_the_queue_and_the_ticket_name_the_people_not_their_logins(web):
    web.container.tickets.act(web.people["lider.plock"], web.ticket, "take")
    official = await web("urz.plock")
    queue = await (await official.get("/")).text()
    assert re.search(r'data-label="Przypisany">Osoba lider.plock<', queue)
    page = await (await official.get(f"/tickets/{web.ticket}")).text()
    assert "<dt>Przypisany</dt><dd>Osoba lider.plock</dd>" in page
    assert re.search(r'data-label="Kto">Osoba lider.plock<', page)  # the history: who took it
    assert ">lider.plock<" not in queue + page


async def test_an_official_reads_the_offices_registry_without_links_into_the_rollout_it_may_not_open(web):
    official = await web("urz.plock")
    html = await (await official.get("/offices")).text()
    assert "Urząd Miasta Płocka" in html and 'href="/offices/1462011"' not in html
    resp = await official.get("/offices/1462011")
    refused = await resp.text()
    assert resp.status == 403 and "niedostępne dla tej roli" in refused
    assert 'class="subnav"' not in refused and "/rollout" not in refused  # no more doors that refuse
    leader = await web("lider.plock")
    html = await (await leader.get("/offices")).text()
    assert 'href="/offices/1462011"' in html


async def test_the_leaders_see_their_first_line_targets_on_the_ticket_and_the_official_does_not(web):
    leader = await web("lider.plock")
    page = await (await leader.get(f"/tickets/{web.ticket}")).text()
    assert "Cele pierwszej linii (liderzy urzędu)" in page
    assert re.search(
        r"<strong>podjęcie:</strong> <span class=\"badge running\">0 min z \d+ (h|min), w toku</span>", page
    )
    assert "pierwsza odpowiedź:" in page and "rozwiązanie lub przekazanie Wykonawcy:" in page
    page = await (await (await web("urz.plock")).get(f"/tickets/{web.ticket}")).text()
    assert "Cele pierwszej linii" not in page


async def test_the_assignee_filter_suggests_people_by_name_and_takes_a_name_or_a_login(web):
    web.container.tickets.act(web.people["lider.plock"], web.ticket, "take")
    boss = await web("koordynator")
    html = await (await boss.get("/?assignee=" + quote("Osoba lider.plock"))).text()
    assert f'href="/tickets/{web.ticket}"' in html  # by the name the table shows
    html = await (await boss.get("/?assignee=lider.plock")).text()
    assert f'href="/tickets/{web.ticket}"' in html  # by the login, as before
    assert '<option value="lider.plock">Osoba lider.plock – Urząd Miasta Płocka</option>' in html
    assert "Urząd Gminy Słupno</option>" in html  # the region's people for a coordinator
    leader = await web("lider.plock")
    html = await (await leader.get("/")).text()
    assert "– Urząd Miasta Płocka</option>" in html and "Urząd Gminy Słupno</option>" not in html
    official = await web("urz.plock")
    assert 'id="f-assignee"' not in await (await official.get("/")).text()


async def test_the_region_names_the_leaders_who_carry_the_load_not_their_logins(web):
    web.container.tickets.act(web.people["lider.plock"], web.ticket, "take")
    html = await (await (await web("koordynator")).get("/region")).text()
    load = re.search(r'data-label="Obciążenie liderów">([^<]*)<', html)
    assert load and load[1] == "Osoba lider.plock: 1"


async def test_region_offices_and_report_pages(web):
    boss = await web("koordynator")
    html = await (await boss.get("/region")).text()
    assert "Urząd Miasta Płocka" in html and "Nieprzejęte" in html
    assert "brak pytań" in html and "0 pytań" not in html  # an office whose officials asked nothing yet
    # The region's totals lead to the tickets behind them, as each office's figures do.
    assert (
        '<a href="/?widok=nieprzejete"><strong>' in html and '<a href="/?widok=przekroczone"><strong>' in html
    )
    html = await (await boss.get("/offices")).text()
    assert "Urząd Gminy Słupno" in html and "Osoba lider.plock" in html
    # Kinds and components as people name them, not as the offices file spells its codes.
    assert "gmina wiejska" in html and "powiat grodzki (miasto na prawach powiatu)" in html
    assert "gmina_" not in html and "powiat grodzki<" not in html
    assert "ePUAP, podpis elektroniczny" in html and "EPUAP" not in html
    auditor = await web("audytor")
    html = await (await auditor.get("/reports")).text()
    assert "2027-02-01" in html and "2027-02-28" in html  # the last full month by default
    counted = re.search(r"Policzono z dziennika zdarzeń: (\d+) (\w+),", html)
    assert (
        counted and counted[2] == plural_pl(int(counted[1]), "zdarzenie", "zdarzenia", "zdarzeń").split()[1]
    )
    resp = await auditor.get("/reports?from=2027-03-31&to=2027-03-01")
    assert resp.status == 400 and 'role="alert"' in await resp.text()


def test_the_public_url_follows_the_http_address_unless_set():
    assert load_settings({"HELPDESK_HTTP": "127.0.0.1:9090"}).public_url == "http://127.0.0.1:9090"
    assert load_settings({"HELPDESK_HTTP": "0.0.0.0:9090"}).public_url == "http://127.0.0.1:9090"
    set_apart = {"HELPDESK_HTTP": "127.0.0.1:9090", "HELPDESK_PUBLIC_URL": "https://helpdesk.example.pl"}
    assert load_settings(set_apart).public_url == "https://helpdesk.example.pl"


async def test_the_reports_page_leads_to_the_monthly_penalty_statement_of_the_contracts_one_may_read(web):
    auditor = await web("audytor")
    html = await (await auditor.get("/reports?from=2027-02-01&to=2027-02-28")).text()
    assert (
        'action="/api/v1/reports/statement"' in html and 'name="month" type="month" value="2027-02"' in html
    )
    assert (
        '<option value="umowa-ezd-2026">Utrzymanie EZD, podpisu i skanowania w JST województwa (umowa-ezd-2026)'
        in html
    )
    # The form's GET, with the page's session: the statement itself, in the browser.
    resp = await auditor.get("/api/v1/reports/statement?contract=umowa-ezd-2026&month=2027-02&format=html")
    assert resp.status == 200 and "text/html" in resp.headers["Content-Type"]
    # Its own inline styles apply (the site's policy would strip them); no script may run.
    policy = resp.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy and "script" not in policy
    resp = await auditor.get("/api/v1/reports/statement?contract=umowa-ezd-2026&month=2027-02&format=xlsx")
    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
    # A contractor's agent is offered only the contractor's own contracts; a leader none.
    agent = await web("agent2")
    contractor = web.people["agent2"].contractor
    page = await (await agent.get("/reports")).text()
    select = page.split('id="s-contract"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]+)"', select)
    assert offered and all(web.container.contracts[c].contractor == contractor for c in offered)
    leader = await web("lider.plock")
    assert "Zestawienie kar za miesiąc" not in await (await leader.get("/reports")).text()


async def test_a_leader_gives_a_ticket_to_another_leader_of_the_office_only(web):
    leader = await web("lider.plock")
    page = await (await leader.get(f"/tickets/{web.ticket}")).text()
    assert 'id="assignee"' in page and "lider2.plock" in page and "lider.slupno" not in page
    data = {"action": "take", "assignee": "lider2.plock"}
    resp = await leader.post(
        f"/tickets/{web.ticket}/act", data=with_token(leader, data), allow_redirects=False
    )
    assert resp.status == 303
    assert web.container.tickets.get(web.people["lider.plock"], web.ticket)["assignee"] == "lider2.plock"
    data = {"action": "take", "assignee": "lider.slupno"}
    resp = await leader.post(f"/tickets/{web.ticket}/act", data=with_token(leader, data))
    assert resp.status == 400 and "nie jest liderem urzędu" in await resp.text()


async def test_report_downloads_are_polish_link_each_ticket_and_the_workbook_has_a_chart(web):
    import io

    from openpyxl import load_workbook

    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD")
    container.clock.advance(minutes=30)
    container.tickets.act(people["agent2"], web.ticket, "acknowledge")
    token = container.people.issue_token("audytor", container.clock.now())
    api = await web()
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/v1/reports/sla?from=2027-03-01&to=2027-03-31&format="
    resp = await api.get(base + "html", headers=headers)
    html = await resp.text()
    assert f'/tickets/{web.ticket}">{web.ticket}</a>' in html and "Reakcja: dotrzymany" in html
    assert "script-src" not in resp.headers["Content-Security-Policy"] and "(escalated)" not in html
    csv_text = await (await api.get(base + "csv", headers=headers)).text()
    header = csv_text.lstrip("\ufeff").splitlines()[0]
    assert "reakcja_spełnione" in header and "reaction" not in header and "\nkomponent," in csv_text
    # After the summary, the per-ticket rows: Polish names and states, and the link to the events.
    tickets_part = csv_text.split("\n\n", 1)[1].splitlines()
    assert tickets_part[0].startswith("zgłoszenie,umowa,") and "reakcja_stan" in tickets_part[0]
    row = dict(zip(tickets_part[0].split(","), tickets_part[1].split(","), strict=True))
    assert (row["zgłoszenie"], row["reakcja_stan"], row["priorytet"]) == (web.ticket, "dotrzymany", "błąd")
    assert row["zdarzenia_zgłoszenia"].endswith(f"/tickets/{web.ticket}") and row["poza_umową"] == "nie"
    english = re.compile(
        r"\b(reaction|workaround|fix|met|breached|running|take|answer|critical|high|normal|low)\b"
    )
    assert not english.search(csv_text), english.search(csv_text)
    book = load_workbook(io.BytesIO(await (await api.get(base + "xlsx", headers=headers)).read()))
    assert any(sheet._charts for sheet in book.worksheets)
    sheet = book["Zgłoszenia"]
    head = [c.value for c in sheet[1]]
    cells = [c.value for c in sheet[2]]
    assert "reakcja_stan" in head and "pierwsza_linia_podjęcie_stan" in head
    assert cells[head.index("reakcja_stan")] == "dotrzymany" and cells[0] == web.ticket
    assert sheet.cell(row=2, column=len(head)).hyperlink.target.endswith(f"/tickets/{web.ticket}")
    for sheet in book.worksheets:
        for line in sheet.iter_rows(values_only=True):
            texts = [str(v) for v in line if isinstance(v, str)]
            assert not any(english.fullmatch(t) or english.search(t.replace("_", " ")) for t in texts), texts


def test_a_changed_component_keeps_the_audit_log_whole(container):
    from helpdesk.services.audit import verify_log

    people = populate(container)
    ticket = container.tickets.create(people["urz.plock"], NewTicket("Z e-maila", "bez komponentu"))
    container.tickets.act(people["lider.plock"], ticket["id"], "set_component", component="KONTO")
    container.tickets.act(people["lider.plock"], ticket["id"], "escalate", component="EZD")
    verdict = verify_log(container.db)
    assert verdict.ok, [p.describe() for p in verdict.problems]


async def test_the_office_calendar_is_in_the_sites_layout_and_a_bad_value_comes_back_as_typed(web):
    boss = await web("koordynator")
    resp = await boss.get("/offices/1419112/calendar")
    html = await resp.text()
    assert resp.status == 200 and "<style>" not in html and html.count("<html") == 1
    # The site's menu and sign-out (base.html), as on every other page of a signed-in person.
    assert 'aria-label="Menu główne"' in html and "Osoba koordynator" in html and "Wyloguj" in html
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
    token = with_token(boss)["csrf"]
    assert len(forms) == 2 and all(f'name="csrf" value="{token}"' in f for f in forms)  # sign-out, calendar
    typed = {"day_mon": "1", "day_sat": "1", "start": "8:00", "end": "25:00", "holidays": "PL"}
    resp = await boss.post(
        "/offices/1419112/calendar", data=with_token(boss, {**typed, "normal_take": "<b>1h"})
    )
    html = await resp.text()
    assert (
        resp.status == 400
        and 'class="error">calendar.hours: niepoprawna godzina' in html
        and "Wyloguj" in html
    )
    assert (
        'name="end" size="5" value="25:00"' in html and 'value="&lt;b&gt;1h"' in html and "<b>1h" not in html
    )
    ticked = re.findall(r'name="day_(\w+)" value="1" checked', html)
    assert ticked == ["mon", "sat"]
    viewer = await web("urz.slupno")
    html = await (await viewer.get("/offices/1419112/calendar")).text()
    assert "Osoba urz.slupno" in html and "Wyloguj" in html and "Zmień kalendarz" not in html


def _buttons(html: str) -> dict[str, str]:
    """label → data of the dialogue's buttons on the page "Zapytaj"."""
    found = re.findall(
        r'name="data" value="([^"]*)">\s*<input type="hidden" name="label" value="[^"]*">\s*'
        r'<button type="submit" class="plain">([^<]*)</button>',
        html,
    )
    return {unescape(label): unescape(data) for data, label in found}


async def test_ask_is_the_bots_dialogue_answer_feedback_and_a_ticket_from_the_question(web):
    from helpdesk.adapters.files.articles import load_articles
    from tests.browser.support import REPO

    container = web.container
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    anonymous = await web()
    resp = await anonymous.get("/ask", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login?next=/ask")
    official = await web("urz.plock")
    # A question the knowledge base answers: the article, "Pomogło / Nie pomogło".
    resp = await official.post("/ask", data=with_token(official, {"text": "Jak założyć profil zaufany?"}))
    html = await resp.text()
    assert resp.status == 200 and "Profil zaufany" in html
    buttons = _buttons(html)
    helped = next(data for label, data in buttons.items() if "Pomogło" in label and "Nie" not in label)
    assert any("Nie pomogło" in label for label in buttons)
    assert f'href="{container.kb.public_url}/kb/' in html  # the article's address is a link
    # "Pomogło": a deflection, recorded as the bot records it.
    html = await (
        await official.post("/ask/button", data=with_token(official, {"data": helped, "label": "Pomogło"}))
    ).text()
    assert "Cieszę się" in html
    now = container.clock.now()
    report = container.kb_insights.deflection(now - timedelta(days=1), now + timedelta(minutes=1))
    assert report["total"]["helpful"] == 1
    # A question it cannot answer becomes a ticket in three short steps, on the web channel.
    html = await (
        await official.post("/ask", data=with_token(official, {"text": "Zxqv plmkrt wrrtg bvcx"}))
    ).text()
    create = next(data for label, data in _buttons(html).items() if "Załóż zgłoszenie" in label)
    # Coming back to the page later offers the same way on: the question and "Załóż zgłoszenie".
    html = await (await official.get("/ask")).text()
    assert "„Zxqv plmkrt wrrtg bvcx”" in html and _buttons(html)["Załóż zgłoszenie"] == create
    html = await (await official.post("/ask/button", data=with_token(official, {"data": create}))).text()
    assert "1/3" in html and "Trwa zakładanie zgłoszenia" in html
    html = await (await official.get("/ask")).text()
    assert "1/3: Co się dzieje?" in html and "Przykro mi" not in html and "Pomiń" in _buttons(html)
    what = {"text": "Ekran logowania miga i znika"}
    html = await (await official.post("/ask", data=with_token(official, what))).text()
    assert "2/3" in html
    # A reload in the middle shows the step waiting for an answer with its buttons, not just a hint.
    html = await (await official.get("/ask")).text()
    assert "Zakładamy zgłoszenie z pytania: „Zxqv plmkrt wrrtg bvcx”" in html and "2/3" in html
    assert any(label.startswith("EZD") for label in _buttons(html)) and "Anuluj" in _buttons(html)
    ezd = next(data for label, data in _buttons(html).items() if label.startswith("EZD"))
    html = await (await official.post("/ask/button", data=with_token(official, {"data": ezd}))).text()
    assert "3/3" in html
    high = _buttons(html)["Nie mogę pracować"]
    html = await (await official.post("/ask/button", data=with_token(official, {"data": high}))).text()
    ticket_id = re.search(r"<b>(T-\d+)</b>", html).group(1)
    assert f'<a href="/tickets/{ticket_id}">' in html and "odpowiedz na tę wiadomość" not in html
    ticket = container.tickets.get(web.people["urz.plock"], ticket_id)
    assert (ticket["channel"], ticket["component"], ticket["priority"]) == ("web", "EZD", "high")
    assert ticket["title"] == "Zxqv plmkrt wrrtg bvcx" and "miga i znika" in ticket["description"]
    # Forms without the session's token are refused, as everywhere.
    resp = await official.post("/ask", data={"text": "pytanie"})
    assert resp.status == 403


async def test_every_event_of_a_ticket_is_said_in_polish_on_its_page(web):
    people, container = web.people, web.container
    leader, official, agent = people["lider.plock"], people["urz.plock"], people["agent2"]
    tid = web.ticket
    container.tickets.attach(official, tid, File("zrzut.png", "image/png", b"\x89PNG"))
    container.tickets.act(leader, tid, "take")
    container.tickets.act(leader, tid, "comment", text="Sprawdzam")
    container.tickets.act(leader, tid, "set_component", component="EZD")
    container.tickets.act(leader, tid, "set_priority", priority="high")
    container.tickets.act(leader, tid, "escalate", component="EZD")
    container.tickets.act(agent, tid, "wait_for_office", text="Proszę o zrzut")
    container.tickets.act(official, tid, "comment", text="Zrzut w załączniku")  # resumes by itself
    container.clock.advance(days=5)
    container.sla_sweep.sweep(container.clock.now())
    container.tickets.act(agent, tid, "acknowledge")
    container.tickets.act(agent, tid, "workaround", text="Obejście: inny serwer")
    container.tickets.act(agent, tid, "resolve", text="Naprawione")
    container.tickets.act(official, tid, "reopen", text="Wróciło")
    container.tickets.act(agent, tid, "resolve", text="Naprawione na dobre")
    container.tickets.act(official, tid, "close")
    kinds = {e["type"] for e in container.tickets.get(leader, tid)["events"]}
    assert {"sla_breached", "resumed", "escalated", "priority_changed", "component_changed"} <= kinds
    html = await (await (await web("lider.plock")).get(f"/tickets/{tid}")).text()
    cells = re.findall(r'<td data-label="Zdarzenie">([^<]*)</td>', html)
    assert len(cells) == len(container.tickets.get(leader, tid)["events"])
    for cell in cells:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b|\b(" + "|".join(kinds) + r")\b", unescape(cell)), cell
    text = unescape(html)
    assert "przekroczony termin SLA: reakcja" in text and "termin: termin" not in text
    assert "wznowione: urząd odpowiedział" in text and "przekazane Wykonawcy: awaria, umowa" in text
    # The official does not see the desk's own clocks, and sees the rest in Polish too.
    html = await (await (await web("urz.plock")).get(f"/tickets/{tid}")).text()
    assert "przekroczony termin SLA" not in html and "obejście udostępnione" in html


async def test_the_region_shows_ageing_puts_offices_needing_someone_first_and_follows_each_change(web):
    people, container = web.people, web.container
    container.tickets.create(people["urz.slupno"], NewTicket("Drukarka", "nie drukuje"))
    container.clock.advance(days=4)
    boss = await web("koordynator")
    html = await (await boss.get("/region")).text()
    assert "od 4 dni" in html and 'class="badge risk"' in html
    # The office whose ticket nobody took comes first; taking it shows at once (no stale figures).
    first = re.search(r'<td data-label="Urząd">([^<]*)</td>', html).group(1)
    assert first in ("Urząd Miasta Płocka", "Urząd Gminy Słupno")
    before = re.search(r'widok=nieprzejete">(\d+)</a>', html.split("Urząd Miasta Płocka")[1]).group(1)
    container.tickets.act(people["lider.plock"], web.ticket, "take")
    html = await (await boss.get("/region")).text()
    after = re.search(r'widok=nieprzejete">(\d+)</a>', html.split("Urząd Miasta Płocka")[1]).group(1)
    assert (int(before), int(after)) == (1, 0)
    assert html.index("Urząd Gminy Słupno") < html.index("Urząd Miasta Płocka")
    # A figure leads to that office's tickets, and the page says so and keeps it.
    html = await (await boss.get("/?office=1419112&widok=otwarte")).text()
    assert "Urząd: <strong>Urząd Gminy Słupno</strong>" in html and "Drukarka" in html
    assert 'href="/?widok=zamkniete&amp;office=1419112"' in html
    assert '<input type="hidden" name="office" value="1419112">' in html


async def test_the_auditor_reads_a_tickets_events_with_the_chain_status_and_changes_nothing(web):
    from helpdesk.domain.errors import Forbidden

    auditor = await web("audytor")
    html = await (await auditor.get(f"/tickets/{web.ticket}")).text()
    assert "Sprawdź łańcuch zdarzeń" in html and "Skrót zdarzenia" in html
    assert 'action="/tickets/' + web.ticket + '/files"' not in html  # no upload form
    html = await (await auditor.get(f"/tickets/{web.ticket}?lancuch=1")).text()
    assert "łańcuch nienaruszony" in html and 'role="alert"' not in html
    with pytest.raises(Forbidden):
        web.container.tickets.attach(web.people["audytor"], web.ticket, File("a.txt", "text/plain", b"x"))
    # An altered event of this ticket is named on its page.
    with web.container.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET actor = 'ktoś' WHERE ticket_no = 1 AND seq = 1")
    resp = await auditor.get(f"/tickets/{web.ticket}?lancuch=1")
    html = await resp.text()
    assert "łańcuch naruszony" in html and 'role="alert"' in html
    leader = await web("lider.plock")
    assert "Sprawdź łańcuch" not in await (await leader.get(f"/tickets/{web.ticket}")).text()


async def test_a_breached_ticket_is_flagged_in_the_queue_even_with_no_deadline_left(web):
    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD", priority="high")
    page = container.tickets.list(people["lider.plock"], {}, 1, 10)
    assert page["items"][0]["breached"] is False
    container.clock.advance(days=10)
    container.sla_sweep.sweep(container.clock.now())
    item = container.tickets.list(people["lider.plock"], {}, 1, 10)["items"][0]
    assert item["breached"] is True and item["next_deadline"] is None  # every clock ran out
    html = await (await (await web("lider.plock")).get("/?widok=przekroczone")).text()
    row = html.split(f">{web.ticket}</a>", 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge breached">przekroczony</span>' in row


async def test_an_untaken_ticket_past_the_first_lines_target_reads_overdue_in_the_queue_and_on_its_page(
    web, clock
):
    container, people = web.container, web.people
    ticket = container.tickets.create(people["urz.plock"], NewTicket("Skaner nie skanuje", "opis", "EZD"))[
        "id"
    ]

    def listed() -> dict:
        return {i["id"]: i for i in container.tickets.list(people["lider.plock"], {})["items"]}[ticket]

    due = datetime.fromisoformat(listed()["first_line_due"])
    assert listed()["first_line_overdue"] is False
    clock.set(due)
    assert (ticket, 1) in container.sla_sweep.sweep(due).first_line_alerts
    # The stored instant is now the next reminder's; the target itself is missed.
    assert listed()["first_line_overdue"] is True and listed()["first_line_due"] is not None

    leader = await web("lider.plock")
    queue = await (await leader.get("/?widok=wszystkie")).text()
    row = next(r for r in queue.split("<tr>") if f">{ticket}</a>" in r)
    assert '<td data-label="Termin 1. linii"><span class="badge breached">przekroczony</span></td>' in row
    page = unescape(await (await leader.get(f"/tickets/{ticket}")).text())
    assert "przekroczony</span> – nikt jeszcze nie przejął zgłoszenia; kolejne przypomnienie" in page
    api = await (await leader.get(f"/api/v1/tickets/{ticket}")).json()
    assert api["first_line_overdue"] is True

    container.tickets.act(people["lider.plock"], ticket, "take")
    assert listed()["first_line_overdue"] is False
    page = await (await leader.get(f"/tickets/{ticket}")).text()
    assert "nikt jeszcze nie przejął" not in page


async def test_the_ticket_names_its_contract_and_contractor_and_the_escalation_offers_contracts_by_title(web):
    people, container = web.people, web.container
    contract = container.contracts["umowa-ezd-2026"]
    assert contract.contractor_name  # the shipped file names its contractor
    leader = await web("lider.plock")
    html = unescape(await (await leader.get(f"/tickets/{web.ticket}")).text())
    options = re.search(r'<select id="esc-contract"[^>]*>(.*?)</select>', html, re.S)
    assert options and f">{contract.title} – {contract.contractor_name} (" in options[1]
    assert "umowa-ezd-2026 –" not in options[1]  # titles, not ids, before the contractor
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD")
    html = unescape(await (await leader.get(f"/tickets/{web.ticket}")).text())
    assert f'<dt>Umowa</dt><dd>{contract.title} <span class="muted">(umowa-ezd-2026)</span></dd>' in html
    assert f"<dt>Wykonawca</dt><dd>{contract.contractor_name}</dd>" in html
    assert f"umowa: {contract.title}" in html  # the history's escalation
    assert "Wykonawca: wykonawca-ezd" not in html and "umowa umowa-" not in html


async def test_the_monthly_statement_names_the_contractor_and_the_offices_not_their_codes(web):
    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD", priority="critical")
    container.clock.advance(days=10)  # every clock of a critical failure far past its target
    month = container.clock.now().strftime("%Y-%m")
    token = container.people.issue_token("audytor", container.clock.now())
    api = await web()
    resp = await api.get(
        f"/api/v1/reports/statement?contract=umowa-ezd-2026&month={month}&format=html",
        headers={"Authorization": f"Bearer {token}"},
    )
    html = unescape(await resp.text())
    contractor = container.contracts["umowa-ezd-2026"].contractor_name
    assert resp.status == 200 and f"<b>Wykonawca:</b> {contractor} (wykonawca-ezd)" in html
    assert "<td>Urząd Miasta Płocka (1462011)</td>" in html and "<td>awaria krytyczna</td>" in html
    assert "critical" not in html


async def test_the_calendar_states_the_first_line_targets_in_polish_words(web):
    html = await (await (await web("koordynator")).get("/offices/1419112/calendar")).text()
    view = html.split("Cele pierwszej linii (liderzy)")[1].split("</table>")[0]
    assert "<th>awaria krytyczna</th>" in view and "(critical)" not in html
    assert re.search(r"<td>\d+ (h|min|dzień pracy|dni pracy)</td>", view)
    assert not re.search(r"<td>\d+[mhd]</td>", view)


async def test_the_office_profile_names_the_leaders_whose_resolved_tickets_it_counts(web):
    html = await (await (await web("koordynator")).get("/offices/1462011")).text()
    back = html.split("Wiedza wracająca z urzędu")[1].split("</p>")[0]
    assert re.search(r"przez liderów: Osoba lider.plock: \d+, Osoba lider2.plock: \d+", back), back


async def test_the_reporter_of_a_resolved_ticket_is_asked_whether_it_works_with_the_resolution_above(web):
    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "take")
    container.tickets.act(people["lider.plock"], web.ticket, "resolve", text="Nadano uprawnienia do zapisu.")
    official = await web("urz.plock")
    html = await (await official.get(f"/tickets/{web.ticket}")).text()
    card = html.split('<div class="card confirm">')[1].split('<div class="card">')[0]
    assert "Czy problem został rozwiązany?" in card and "Nadano uprawnienia do zapisu." in card
    assert "Osoba lider.plock" in card  # who resolved it, by name
    assert 'value="close"' in card and 'value="reopen"' in card and "required" in card
    actions = html.split("<h2>Działania</h2>")[1]
    assert 'value="close"' not in actions and 'value="reopen"' not in actions  # asked once, above
    # Turning it down needs a reason; with one, the ticket is open again and the question is gone.
    resp = await official.post(
        f"/tickets/{web.ticket}/act",
        data=with_token(official, {"action": "reopen", "text": "Nadal nie zapisuje."}),
    )
    html = await resp.text()
    assert "ponownie otwarte" in html and 'class="card confirm"' not in html
    # Someone else on a resolved ticket (the leader) keeps the ordinary actions, without the question.
    container.tickets.act(people["lider.plock"], web.ticket, "resolve", text="Poprawione.")
    leader = await web("lider.plock")
    html = await (await leader.get(f"/tickets/{web.ticket}")).text()
    assert 'class="card confirm"' not in html and 'value="close"' in html


async def test_a_person_changes_their_own_password_and_every_other_session_ends(web):
    official = await web("urz.plock")
    elsewhere = await web("urz.plock")  # the same person in another browser
    html = await (await official.get("/konto")).text()
    assert "Moje konto" in html and "Urząd Miasta Płocka" in html and 'href="/konto"' in html

    async def change(current, new, again):
        data = with_token(official, {"current": current, "new": new, "again": again})
        return await official.post("/konto/haslo", data=data, allow_redirects=False)

    resp = await change(PASSWORD, "nowe-haslo-1", "nowe-haslo-2")
    assert resp.status == 400 and "powtórzenie się różnią" in await resp.text()
    resp = await change("zle-haslo", "nowe-haslo-1", "nowe-haslo-1")
    assert resp.status == 401 and "Obecne hasło jest niepoprawne." in await resp.text()
    resp = await change(PASSWORD, "krotkie", "krotkie")
    assert resp.status == 400 and "co najmniej 8 znaków" in await resp.text()
    resp = await change(PASSWORD, "nowe-haslo-1", "nowe-haslo-1")
    assert resp.status == 303 and resp.headers["Location"] == "/konto?zapisano=haslo"
    # This browser goes on with its new session; the other one is signed out at once.
    html = await (await official.get("/konto?zapisano=haslo")).text()
    assert "Hasło zmienione." in html
    resp = await elsewhere.get("/konto", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")
    # The new password signs in; the old one no longer does.
    fresh = await web()
    form = {"login": "urz.plock", "password": PASSWORD}
    assert (await fresh.post("/login", data=form, allow_redirects=False)).status == 401
    form["password"] = "nowe-haslo-1"
    assert (await fresh.post("/login", data=form, allow_redirects=False)).status == 303


async def test_a_wrong_current_password_counts_like_a_failed_login(web):
    official = await web("urz.plock")
    statuses = []
    for _ in range(12):
        data = with_token(official, {"current": "zle-haslo", "new": "nowe-haslo-1", "again": "nowe-haslo-1"})
        statuses.append((await official.post("/konto/haslo", data=data)).status)
    assert statuses[0] == 401 and statuses[-1] == 429  # guessing through this form is throttled too


async def test_without_a_bot_the_account_page_offers_no_telegram(web):
    official = await web("urz.plock")
    html = await (await official.get("/konto")).text()
    assert "Moje konto" in html and "Telegram" not in html
    resp = await official.post("/konto/telegram", data=with_token(official))
    assert resp.status in (404, 405)


async def test_the_queue_names_the_office_only_where_tickets_of_several_offices_can_appear(web):
    leader = await (await (await web("lider.plock")).get("/")).text()
    assert '<th scope="col">Urząd</th>' not in leader and 'data-label="Urząd"' not in leader
    boss = await (await (await web("koordynator")).get("/?widok=wszystkie")).text()
    assert '<th scope="col">Urząd</th>' in boss and '<td data-label="Urząd">Urząd Miasta Płocka</td>' in boss
    one = await (await (await web("koordynator")).get("/?office=1462011&widok=wszystkie")).text()
    assert 'data-label="Urząd"' not in one  # one office chosen: said once above the table


async def test_the_queue_shows_the_leaders_next_target_of_the_tickets_they_work_on(web):
    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "take")
    leader = await web("lider.plock")

    def cell(html):
        row = html.split(f'href="/tickets/{web.ticket}"')[1].split("</tr>")[0]
        return re.search(r'data-label="Termin 1. linii">(.*?)</td>', row, re.S)[1]

    taken = cell(await (await leader.get("/?widok=wszystkie")).text())
    assert "pierwsza odpowiedź:" in taken and "data-due=" in taken  # answer due first (8 h of 24 h)
    container.tickets.act(people["lider.plock"], web.ticket, "reply", text="Sprawdzam.")
    answered = cell(await (await leader.get("/?widok=wszystkie")).text())
    assert "rozwiązanie lub przekazanie Wykonawcy:" in answered
    container.clock.advance(days=7)  # far past a day of the office's working time
    leader = await web("lider.plock")  # signed in again: a session lasts 12 hours
    late = cell(await (await leader.get("/?widok=wszystkie")).text())
    assert 'class="badge breached">przekroczony' in late and "rozwiązanie lub przekazanie Wykonawcy" in late
    # The official is not shown the office's own targets; with the contractor they stop.
    official = cell(await (await (await web("urz.plock")).get("/?widok=wszystkie")).text())
    assert official.strip() == "—"
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD")
    assert cell(await (await leader.get("/?widok=wszystkie")).text()).strip() == "—"


async def test_a_leader_answers_with_an_article_chosen_on_the_page_and_the_question_is_proposed(web):
    from helpdesk.adapters.files.articles import load_articles
    from tests.browser.support import REPO

    people, container = web.people, web.container
    container.kb.import_articles(load_articles([REPO / "knowledge_base"]))
    question = "Czytnik nie widzi karty z podpisem kwalifikowanym"
    asked = container.kb.answer(question, people["urz.plock"], channel="web")
    ticket = container.tickets.create(people["urz.plock"], NewTicket(question, question))
    container.kb.link_ticket(asked["query_id"], int(ticket["id"].split("-")[1]))
    container.tickets.act(people["lider.plock"], ticket["id"], "take")
    leader = await web("lider.plock")
    html = unescape(await (await leader.get(f"/tickets/{ticket['id']}")).text())
    picker = re.search(r'<select id="article-reply" name="article"[^>]*>(.*?)</select>', html, re.S)
    assert picker and "Najbliższe temu zgłoszeniu" in picker[1] and "Wszystkie artykuły" in picker[1]
    # The list follows the knowledge base: an article published now is offered on the next page.
    container.kb.import_articles([Article("nowy-artykul", "Zupełnie nowy artykuł", "EZD", body="Treść.")])
    again = unescape(await (await leader.get(f"/tickets/{ticket['id']}")).text())
    assert '<option value="nowy-artykul">Zupełnie nowy artykuł</option>' in again
    closest = re.findall(r'<option value="([^"]+)">', picker[1].split("Wszystkie artykuły")[0])
    assert closest, "the articles closest to the ticket come first"
    textarea = re.search(r'<textarea id="text-reply"[^>]*>', html)[0]
    assert "required" not in textarea  # an article alone is an answer
    # The article alone is the answer: its link reaches the official and the question is proposed.
    data = with_token(leader, {"action": "reply", "text": "", "article": closest[0]})
    resp = await leader.post(f"/tickets/{ticket['id']}/act", data=data)
    assert resp.status == 200
    detail = container.tickets.get(people["lider.plock"], ticket["id"])
    replied = [e for e in detail["events"] if e["type"] == "replied"][-1]
    assert f"/kb/{closest[0]}" in replied["text"] and replied["text"].startswith("Artykuł w bazie wiedzy:")
    [proposal] = container.kb_proposals.list(people["koordynator"])
    assert (proposal["article_id"], proposal["text"]) == (closest[0], question)
    # Neither a note nor an article: refused with the reason, nothing recorded.
    data = with_token(leader, {"action": "reply", "text": " ", "article": ""})
    resp = await leader.post(f"/tickets/{ticket['id']}/act", data=data)
    assert resp.status == 400 and "wpisz notatkę" in await resp.text()
    # An agent gets no picker (the contractor answers in its own words).
    container.tickets.act(people["lider.plock"], ticket["id"], "escalate", component="PODPIS")
    agent = next(
        p
        for login, p in people.items()
        if login.startswith("agent")
        and p.contractor == container.tickets.get(people["koordynator"], ticket["id"])["contractor"]
    )
    page = await (await (await web(agent.login)).get(f"/tickets/{ticket['id']}")).text()
    assert 'name="article"' not in page


async def test_an_official_reads_when_the_contractor_must_act_not_penalties_or_the_leaders_training(web):
    people, container = web.people, web.container
    container.tickets.act(people["lider.plock"], web.ticket, "escalate", component="EZD")
    official = await (await (await web("urz.plock")).get(f"/tickets/{web.ticket}")).text()
    assert "Terminy SLA Wykonawcy" in official and "reakcja:" in official and "termin:" in official
    assert "kara" not in official.lower() and "przeszkolon" not in official
    assert "<p>Przekazano Wykonawcy: " in official
    leader = await (await (await web("lider.plock")).get(f"/tickets/{web.ticket}")).text()
    assert "Kary naliczone do tej pory" in leader and "; kara: " in leader and "przeszkolon" in leader


async def test_an_officials_queue_offers_only_the_filters_an_official_needs(web):
    official = await (await (await web("urz.plock")).get("/")).text()
    assert 'id="q"' in official and 'id="f-status"' in official
    for field in ("f-component", "f-priority", "f-assignee", "f-escalated", "f-breached"):
        assert f'id="{field}"' not in official, field
    sorts = re.search(r'<select id="f-sort" name="sort">(.*?)</select>', official, re.S)[1]
    assert "najnowsze" in sorts and "termin SLA" not in sorts and "priorytet" not in sorts
    leader = await (await (await web("lider.plock")).get("/")).text()
    assert 'id="f-component"' in leader and "najbliższy termin SLA" in leader
