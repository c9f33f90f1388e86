"""The rollout end to end: an office taken from empty to EZD in production through the API and the
web, a delay the office caused shown as the office's in the regional schedule, a leader trained by
an imported attendance list, a ticket about a partner's domain system going to that partner under
its own contract, who may change what, the command line, and every change in the audited log."""

import io
import json
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import inspect

from helpdesk.adapters.db import tables
from helpdesk.services.audit import verify_log
from helpdesk.services.people import parse_offices_csv
from helpdesk.services.people_export import export_person
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.calls import api_caller, one_error_line, run
from tests.support.forms import with_token
from tests.support.world import contract_for, populate

PARTNER = "umowa-system-podatki-plock-2026"
PASSWORD = "haslo-testowe-1"


@pytest.fixture
async def api(any_container):
    container = any_container
    people = populate(container)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    call = api_caller(client, tokens, never_500=True)
    call.container = container
    call.people = people
    call.client = client
    call.tokens = tokens
    yield call
    await client.close()


def agent_of_contractor(api, contractor):
    return next(login for login, p in api.people.items() if p.contractor == contractor)


async def plan(api, code, kind, **body):
    status, result = await api("PUT", f"/api/v1/offices/{code}/milestones/{kind}", "koordynator", body)
    assert status == 200, result
    return result


async def test_an_office_goes_from_empty_to_ezd_in_production_and_its_delay_is_the_office_s(api):
    clock = api.container.clock  # Monday 2027-03-01
    status, office = await api("GET", "/api/v1/offices/1419112", "koordynator")
    assert status == 200 and office["stage"] is None and office["milestones"] == []
    assert "nie opisano stanu informatyzacji urzędu" in office["missing"]
    # The representative describes the office; the coordinator plans the year.
    status, office = await api(
        "PATCH",
        "/api/v1/offices/1419112",
        "przedst.slupno",
        {"computerisation": "papierowy", "needs": ["sprzet"]},
    )
    assert status == 200 and office["computerisation"] == "papierowy"
    for kind, planned in [
        ("gotowosc", "2027-03-10"),
        ("liderzy_przeszkoleni", "2027-04-15"),
        ("prezentacja", "2027-05-15"),
        ("esb_podlaczona", "2027-06-01"),
        ("ezd_produkcja", "2027-07-01"),
    ]:
        await plan(api, "1419112", kind, planned=planned)
    # Readiness is checked on time.
    clock.advance(days=9)
    await plan(api, "1419112", "gotowosc", done="2027-03-10")
    # The EZD go-live waits on the office: it has not delivered its data (from 2027-06-10 to 2027-07-06).
    clock.advance(days=92)  # 2027-06-10
    for kind, done in [
        ("liderzy_przeszkoleni", "2027-04-15"),
        ("prezentacja", "2027-05-14"),
        ("esb_podlaczona", "2027-06-01"),
    ]:
        await plan(api, "1419112", kind, done=done)
    status, waiting = await api(
        "POST",
        "/api/v1/offices/1419112/milestones/ezd_produkcja/waits",
        "koordynator",
        {"reason": "dane", "note": "brak wykazu JRWA"},
    )
    assert status == 201 and waiting["status"] == "waiting"
    clock.advance(days=26)  # 2027-07-06: the go-live date has passed while the office was late
    status, plan_now = await api("GET", "/api/v1/rollout", "koordynator")
    slupno = next(o for o in plan_now["offices"] if o["code"] == "1419112")
    assert slupno["late"] and slupno["waiting_on_office"] and slupno["late_by"] == "urzad"
    assert slupno["why"] == ["EZD w produkcji: Wykonawca czeka na urząd"]
    # The office delivers (its representative records it); the contractor goes live two days later.
    status, ended = await api(
        "POST", "/api/v1/offices/1419112/milestones/ezd_produkcja/waits/end", "przedst.slupno", {}
    )
    assert status == 200 and ended["waits"][0]["end"] == "2027-07-06"
    clock.advance(days=2)
    done = await plan(api, "1419112", "ezd_produkcja", done="2027-07-08")
    assert (done["delay_days"], done["office_days"], done["contractor_days"]) == (7, 7, 0)
    assert done["attributed_to"] == "urzad" and done["attributed_label"] == "po stronie urzędu"
    status, plan_now = await api("GET", "/api/v1/rollout", "audytor")
    slupno = next(o for o in plan_now["offices"] if o["code"] == "1419112")
    assert slupno["stage"] == "ezd_produkcja" and not slupno["late"]
    assert (slupno["office_days"], slupno["contractor_days"]) == (7, 0)
    assert plan_now["totals"]["in_production"] == 1 and plan_now["months"][0] == "2027-03"
    assert slupno["by_month"]["2027-07"] == ["ezd_produkcja"]
    # The office's page says the wait as people read dates and days.
    api.container.people.set_password("koordynator", PASSWORD)
    resp = await api.client.post("/login", data={"login": "koordynator", "password": PASSWORD})
    html = await (await api.client.get("/offices/1419112")).text()
    assert "czeka na urząd od 10.06.2027 do 06.07.2027" in html and "(26 dni)" in html
    # The same schedule as CSV and XLSX, for the Marshal's Office.
    resp = await api.client.get(
        "/api/v1/rollout?format=csv", headers={"Authorization": f"Bearer {api.tokens['koordynator']}"}
    )
    text = (await resp.read()).decode("utf-8-sig")
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert "Urząd Gminy Słupno,1419112,EZD w produkcji,2027-07-01,2027-07-08,wykonany,7,7,0" in text
    resp = await api.client.get(
        "/api/v1/rollout?format=xlsx", headers={"Authorization": f"Bearer {api.tokens['koordynator']}"}
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(await resp.read()))
    assert book.sheetnames == ["Harmonogram", "Urzędy"]
    # Every change is an event of the one hash-chained log, and the log still verifies.
    verdict = verify_log(api.container.db)
    assert verdict.ok
    events = api.container.db.read(lambda tx: tx.office_events("1419112"))
    types = {e["type"] for e in events}
    assert {
        "office_profile_changed",
        "milestone_changed",
        "milestone_waiting",
        "milestone_wait_ended",
    } <= types
    assert all(e["ticket"] == "T-000000" for e in events)


async def test_who_may_change_what_in_an_office(api):
    await plan(api, "1462011", "ezd_produkcja", planned="2027-06-01")
    profile = {"computerisation": "mieszany"}
    cases = [
        ("PATCH", "/api/v1/offices/1462011", "przedst.plock", profile, 200),
        ("PATCH", "/api/v1/offices/1419112", "przedst.plock", profile, 403),
        ("PATCH", "/api/v1/offices/1462011", "lider.plock", profile, 403),
        ("PATCH", "/api/v1/offices/1462011", "audytor", profile, 403),
        ("PATCH", "/api/v1/offices/1462011", "koordynator", profile, 200),
        (
            "PUT",
            "/api/v1/offices/1462011/milestones/ezd_produkcja",
            "przedst.plock",
            {"planned": "2027-07-01"},
            403,
        ),
        (
            "PUT",
            "/api/v1/offices/1462011/milestones/ezd_produkcja",
            "przedst.plock",
            {"office_note": "Gotowi."},
            200,
        ),
        (
            "PUT",
            "/api/v1/offices/1462011/milestones/ezd_produkcja",
            "przedst.slupno",
            {"office_note": "x"},
            403,
        ),
        (
            "PUT",
            "/api/v1/offices/1462011/milestones/ezd_produkcja",
            agent_of_contractor(api, "wykonawca-ezd"),
            {"office_note": "x"},
            403,
        ),
        (
            "POST",
            "/api/v1/offices/1462011/milestones/ezd_produkcja/waits",
            "przedst.plock",
            {"reason": "dane"},
            403,
        ),
        (
            "POST",
            "/api/v1/offices/1462011/milestones/ezd_produkcja/waits",
            "koordynator",
            {"reason": "dane"},
            201,
        ),
        ("POST", "/api/v1/offices/1462011/milestones/ezd_produkcja/waits/end", "lider.plock", {}, 403),
        ("POST", "/api/v1/offices/1462011/milestones/ezd_produkcja/waits/end", "przedst.plock", {}, 200),
        (
            "PUT",
            "/api/v1/offices/1462011/standins/lider.plock",
            "przedst.plock",
            {"standin": "lider2.plock"},
            200,
        ),
        (
            "PUT",
            "/api/v1/offices/1462011/standins/lider.plock",
            "lider2.plock",
            {"standin": "lider2.plock"},
            403,
        ),
        (
            "POST",
            "/api/v1/trainings",
            "przedst.plock",
            {"id": "a", "kind": "elearning", "component": "EZD", "held_on": "2027-01-01"},
            403,
        ),
        (
            "PUT",
            "/api/v1/systems/podatki",
            "przedst.plock",
            {"name": "a", "supplier": "b", "supporter": "c"},
            403,
        ),
    ]
    for method, path, who, body, expected in cases:
        status, result = await api(method, path, who, body)
        assert status == expected, (method, path, who, result)
        if expected == 403:
            assert "może wprowadzić tylko" in result["error"]
    for who in ("lider.plock", "przedst.slupno", agent_of_contractor(api, "wykonawca-ezd"), "audytor"):
        assert (await api("GET", "/api/v1/offices/1462011", who))[0] == 200
        assert (await api("GET", "/api/v1/rollout", who))[0] == 200
    for path in ("/api/v1/offices", "/api/v1/offices/1462011", "/api/v1/rollout", "/api/v1/systems"):
        assert (await api("GET", path, "urz.plock"))[0] == 403
    status, office = await api("GET", "/api/v1/offices/1462011", "przedst.plock")
    assert office["people"]["leaders"][0]["standin"]["login"] == "lider2.plock"
    assert office["can_edit"] == {"profile": True, "people": True, "plan": False, "office_side": True}


async def test_bad_rollout_input_is_a_clear_polish_400_and_nothing_changes(api):
    bad = [
        ("PATCH", "/api/v1/offices/1462011", {"computerisation": "cyfrowy"}, "stan informatyzacji"),
        ("PATCH", "/api/v1/offices/1462011", {"needs": ["kawa"]}, "nieznane potrzeby"),
        ("PATCH", "/api/v1/offices/1462011", {"colour": "red"}, "nieznane pola"),
        ("PUT", "/api/v1/offices/1462011/milestones/ezd_produkcja", {"planned": "1 lipca"}, "RRRR-MM-DD"),
        (
            "PUT",
            "/api/v1/offices/1462011/milestones/nowy",
            {"planned": "2027-07-01"},
            "nieznany kamień milowy",
        ),
        ("PUT", "/api/v1/offices/1462011/milestones/ezd_produkcja", {"done": "2030-01-01"}, "z przyszłości"),
        (
            "POST",
            "/api/v1/trainings",
            {"id": "Zły Id", "kind": "elearning", "component": "EZD", "held_on": "2027-01-01"},
            "id szkolenia",
        ),
        (
            "PUT",
            "/api/v1/systems/podatki",
            {"name": "a", "supplier": "b", "supporter": "c", "contract": "brak"},
            "nieznana umowa",
        ),
    ]
    for method, path, body, words in bad:
        status, result = await api(method, path, "koordynator", body)
        assert status == 400 and words in result["error"], (path, result)
    assert (await api("GET", "/api/v1/offices/9999999", "koordynator"))[0] == 404
    status, result = await api(
        "POST", "/api/v1/offices/1462011/milestones/gotowosc/waits", "koordynator", {"reason": "dane"}
    )
    assert status == 404
    status, office = await api("GET", "/api/v1/offices/1462011", "koordynator")
    assert office["computerisation"] is None and office["milestones"] == []


def test_a_ticket_and_its_leaders_trainings_are_read_in_one_transaction(any_container, monkeypatch):
    """One snapshot and one trip to the pool per ticket read: the trainings are not a second read."""
    container = any_container
    people = populate(container)
    ticket = container.tickets.create(
        people["urz.plock"], NewTicket(title="Nie widzę pism", description="", component="EZD", channel="api")
    )
    reads = []
    real_read = container.db.read

    def counted(fn):
        reads.append(fn)
        return real_read(fn)

    monkeypatch.setattr(container.db, "read", counted)
    detail = container.tickets.get(people["lider.plock"], ticket["id"])
    assert len(reads) == 1
    assert detail["leaders_trained"]["component"] == "EZD"
    assert {r["login"] for r in detail["leaders_trained"]["leaders"]} == {"lider.plock", "lider2.plock"}


async def test_an_imported_attendance_list_makes_a_leader_trained_and_tickets_show_it(api):
    for tid, kind in (("ezd-el", "elearning"), ("ezd-in", "instruktaz")):
        status, _ = await api(
            "POST",
            "/api/v1/trainings",
            "koordynator",
            {
                "id": tid,
                "kind": kind,
                "component": "EZD",
                "held_on": "2027-02-0" + ("1" if kind == "elearning" else "9"),
            },
        )
        assert status == 201
    status, ticket = await api(
        "POST", "/api/v1/tickets", "urz.slupno", {"title": "Nie widzę pism", "component": "EPUAP"}
    )
    status, detail = await api("GET", f"/api/v1/tickets/{ticket['id']}", "lider.slupno")
    assert detail["leaders_trained"]["component"] == "EZD" and not detail["leaders_trained"]["all_trained"]
    # A list with one bad line stores nothing and names the line.
    status, result = await api(
        "POST",
        "/api/v1/rollout/attendance",
        "koordynator",
        {"csv": "training,login\nezd-el,lider.slupno\nezd-in,nikt\n"},
    )
    assert status == 400 and result["error"].startswith("linia 3:")
    status, coverage = await api("GET", "/api/v1/rollout/coverage", "koordynator")
    slupno = next(o for o in coverage["items"] if o["office"] == "1419112")
    assert slupno["components"]["EZD"] == {"leaders": 1, "trained": 0}
    # The e-learning alone does not make a leader; the instruction completes it.
    status, result = await api(
        "POST", "/api/v1/rollout/attendance", "koordynator", {"csv": "training,login\nezd-el,lider.slupno\n"}
    )
    assert status == 200 and result == {"added": 1, "already": 0, "trained_now": []}
    status, result = await api(
        "POST",
        "/api/v1/rollout/attendance",
        "koordynator",
        {"csv": "training,login,completed_on\nezd-el,lider.slupno,\nezd-in,lider.slupno,2027-02-10\n"},
    )
    assert result["added"] == 1 and result["already"] == 1
    assert result["trained_now"] == [
        {
            "login": "lider.slupno",
            "name": "Osoba lider.slupno",
            "office": "1419112",
            "component": "EZD",
            "on": "2027-02-10",
        }
    ]
    status, detail = await api("GET", f"/api/v1/tickets/{ticket['id']}", "lider.slupno")
    assert (
        detail["leaders_trained"]["all_trained"]
        and detail["leaders_trained"]["leaders"][0]["on"] == "2027-02-10"
    )
    status, office = await api("GET", "/api/v1/offices/1419112", "koordynator")
    assert not any("nie jest przeszkolony" in m for m in office["missing"])
    status, training = await api("GET", "/api/v1/trainings/ezd-in", "audytor")
    assert training["attended"] == [{"login": "lider.slupno", "completed_on": "2027-02-10"}]
    status, result = await api(
        "POST",
        "/api/v1/trainings/ezd-el/participants",
        "koordynator",
        {"participants": [{"login": "lider.plock"}]},
    )
    assert status == 200 and result["added"] == 1
    # What the help-desk holds about a person includes the trainings they completed.
    exported = export_person(api.container.db, "lider.slupno", api.container.settings.tz)
    assert [(t["id"], t["completed_on"]) for t in exported["trainings"]] == [
        ("ezd-el", "2027-02-01"),
        ("ezd-in", "2027-02-10"),
    ]


async def test_a_ticket_about_a_partner_s_domain_system_goes_to_that_partner_under_its_contract(api):
    status, system = await api(
        "PUT",
        "/api/v1/systems/podatki-plock",
        "koordynator",
        {
            "name": "System podatkowy",
            "supplier": "Sigma",
            "supporter": "Sigma (umowa Płocka)",
            "contract": PARTNER,
            "offices": ["1462011"],
            "bus_services": ["podatki.wplaty"],
        },
    )
    assert status == 201 and system["contractor"] == "dostawca-podatki"
    status, _own = await api(
        "PUT",
        "/api/v1/systems/ewidencja",
        "koordynator",
        {"name": "Ewidencja", "supplier": "urząd", "supporter": "informatyk urzędu", "offices": ["1462011"]},
    )
    assert status == 201
    status, ticket = await api(
        "POST", "/api/v1/tickets", "urz.plock", {"title": "Wpłaty nie spływają", "system": "podatki-plock"}
    )
    assert (
        status == 201 and ticket["system"] == "podatki-plock" and ticket["component"] == "SYSTEMY_DZIEDZINOWE"
    )
    # The ticket page names the system; the link to the systems page only for those who may open it.
    for login, linked in (("urz.plock", False), ("lider.plock", True)):
        api.container.people.set_password(login, PASSWORD)
        await api.client.post("/login", data={"login": login, "password": PASSWORD})
        html = await (await api.client.get(f"/tickets/{ticket['id']}")).text()
        assert "System dziedzinowy: " in html and ("href='/systems'" in html) is linked, login
        assert re.search(r"System dziedzinowy: (<a href='/systems'>)?System podatkowy(</a>)?[ <]", html), (
            login
        )
    status, escalated = await api(
        "POST",
        f"/api/v1/tickets/{ticket['id']}/actions",
        "lider.plock",
        {"action": "escalate", "priority": "high"},
    )
    assert status == 200, escalated
    assert escalated["contract"] == PARTNER and escalated["contractor"] == "dostawca-podatki"
    core = contract_for(api.container, "SYSTEMY_DZIEDZINOWE")
    assert core.id != PARTNER
    # The partner's supplier sees it, the core contractor does not; SLA clocks run under the partner's contract.
    status, detail = await api(
        "GET", f"/api/v1/tickets/{ticket['id']}", agent_of_contractor(api, "dostawca-podatki")
    )
    assert status == 200 and detail["sla"]["contract"] == PARTNER
    assert (await api("GET", f"/api/v1/tickets/{ticket['id']}", agent_of_contractor(api, core.contractor)))[
        0
    ] == 404
    # A ticket that names a system at escalation goes there too; one without a system goes to the core contract.
    status, plain = await api(
        "POST",
        "/api/v1/tickets",
        "urz.plock",
        {"title": "Szyna nie działa", "component": "SYSTEMY_DZIEDZINOWE"},
    )
    status, later = await api(
        "POST", "/api/v1/tickets", "urz.plock", {"title": "Podatki", "component": "SYSTEMY_DZIEDZINOWE"}
    )
    status, result = await api(
        "POST", f"/api/v1/tickets/{plain['id']}/actions", "lider.plock", {"action": "escalate"}
    )
    assert result["contract"] == core.id
    status, result = await api(
        "POST",
        f"/api/v1/tickets/{later['id']}/actions",
        "lider.plock",
        {"action": "escalate", "system": "podatki-plock"},
    )
    assert result["contract"] == PARTNER and result["system"] == "podatki-plock"
    # A system whose supporter has no contract here is not escalated; the message names the supporter.
    status, mine = await api(
        "POST", "/api/v1/tickets", "urz.plock", {"title": "Ewidencja", "system": "ewidencja"}
    )
    status, result = await api(
        "POST", f"/api/v1/tickets/{mine['id']}/actions", "lider.plock", {"action": "escalate"}
    )
    assert status == 409 and "informatyk urzędu" in result["error"]
    # Not every office uses every system; a system is named only when escalating.
    status, result = await api(
        "POST", "/api/v1/tickets", "urz.slupno", {"title": "x", "system": "podatki-plock"}
    )
    assert status == 400 and "nie korzysta" in result["error"]
    status, result = await api(
        "POST",
        f"/api/v1/tickets/{plain['id']}/actions",
        "lider.plock",
        {"action": "comment", "text": "a", "system": "ewidencja"},
    )
    assert status == 400
    # The coordinator sees the tickets per system.
    status, systems = await api("GET", "/api/v1/systems", "koordynator")
    counts = {s["id"]: s["tickets"] for s in systems["items"]}
    assert counts["podatki-plock"] == {"total": 2, "open": 2, "escalated": 2}
    # The systems page names the offices and the contract, not their codes.
    api.container.people.set_password("koordynator", PASSWORD)
    await api.client.post("/login", data={"login": "koordynator", "password": PASSWORD})
    html = await (await api.client.get("/systems")).text()
    row = html[html.index("System podatkowy") :].split("</tr>")[0]
    assert "Urząd Miasta Płocka" in row and "1462011" not in row
    assert api.container.contracts[PARTNER].title in row
    status, page = await api("GET", "/api/v1/systems/podatki-plock/tickets", "koordynator")
    assert {t["id"] for t in page["items"]} == {ticket["id"], later["id"]}
    assert verify_log(api.container.db).ok


async def test_the_office_pages_show_the_profile_and_take_the_representative_s_forms(api):
    container = api.container
    for login in ("przedst.plock", "koordynator"):
        container.people.set_password(login, PASSWORD)
    await plan(api, "1462011", "ezd_produkcja", planned="2027-06-01")
    client = api.client
    resp = await client.post(
        "/login", data={"login": "przedst.plock", "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 303
    html = await (await client.get("/offices/1462011")).text()
    assert "Urząd Miasta Płocka" in html and "Brakuje:" in html and "nie opisano stanu informatyzacji" in html
    assert "Zapisz profil" in html and "Zapisz daty" not in html  # no plan for the representative
    resp = await client.post(
        "/offices/1462011/profile",
        data=with_token(
            client,
            {
                "computerisation": "elektroniczny",
                "needs": "skanery",
                "notes": "<b>pilne</b>",
                "workstations": "12",
            },
        ),
        allow_redirects=False,
    )
    assert resp.status == 303 and resp.headers["Location"] == "/offices/1462011?zapisano=1"
    html = await (await client.get("/offices/1462011?zapisano=1")).text()
    assert (
        "elektroniczny obieg dokumentów" in html
        and "&lt;b&gt;pilne&lt;/b&gt;" in html
        and "<b>pilne" not in html
    )
    # Refused changes come back as a page with the Polish reason.
    resp = await client.post(
        "/offices/1419112/profile",
        data=with_token(client, {"computerisation": "papierowy"}),
        headers={"Referer": f"http://{client.host}:{client.port}/offices/1419112?x=1"},
    )
    refused = await resp.text()
    assert resp.status == 403 and "może wprowadzić tylko" in refused
    assert 'href="/offices/1419112?x=1">Wróć' in refused  # back to the page the form was on
    resp = await client.post(
        "/offices/1419112/profile",
        data=with_token(client, {"computerisation": "papierowy"}),
        headers={"Referer": "http://evil.example/offices/1419112"},
    )
    assert resp.status == 403 and 'href="/offices">Wróć' in await resp.text()  # never elsewhere
    resp = await client.get("/offices/9999999")
    assert resp.status == 404 and 'href="/offices">Wróć' in await resp.text()
    for path in ("/offices", "/rollout/offices", "/rollout", "/trainings", "/systems"):
        resp = await client.get(path)
        assert resp.status == 200, path
    await client.post("/logout", data=with_token(client))
    resp = await client.post(
        "/login", data={"login": "koordynator", "password": PASSWORD}, allow_redirects=False
    )
    resp = await client.post(
        "/trainings/attendance", data=with_token(client, {"csv": "training,login\nnieznane,lider.plock\n"})
    )
    assert "linia 2" in await resp.text()
    html = await (await client.get("/rollout")).text()
    assert "Harmonogram wdrożenia w regionie" in html and "format=xlsx" in html
    assert re.search(
        r'<th class="m">(styczeń|luty|marzec|kwiecień|maj|czerwiec|lipiec|sierpień|wrzesień|październik|listopad|grudzień) \d{4}</th>',
        html,
    )
    assert not re.search(r'<th class="m">\d{4}-\d\d</th>', html)
    # Dates and working days as a Polish reader writes them, not as the files store them.
    assert re.search(r"Stan na \d\d\.\d\d\.\d{4}:", html)
    html = await (await client.get("/offices/1462011")).text()
    assert "Kalendarz urzędu: pon.–pt." in html and "mon, tue" not in html
    assert not re.search(r"<td>\d{4}-\d\d-\d\d</td>", html)
    html = await (await client.get("/trainings")).text()
    assert not re.search(r"<td>\d{4}-\d\d-\d\d</td>", html)


async def test_the_rollout_pages_escape_what_offices_and_people_wrote_and_their_forms_carry_the_token(api):
    container = api.container
    hostile = "Urząd <script>alert(1)</script>"
    container.people.import_offices(
        parse_offices_csv(
            f"code,name,type,employees,components,leaders_max\n1499011,{hostile},gmina_wiejska,10,EZD;EPUAP,1\n"
        )
    )
    container.people.add_person(
        login="lider.x", name="Lider <b>x</b>", role="leader", now=container.clock.now(), jst="1499011"
    )
    container.people.set_password("koordynator", PASSWORD)
    await plan(api, "1499011", "gotowosc", planned="2027-03-10")
    status, _ = await api(
        "POST",
        "/api/v1/offices/1499011/milestones/gotowosc/waits",
        "koordynator",
        {"reason": "dane", "note": "<img src=x onerror=alert(1)>"},
    )
    assert status == 201
    client = api.client
    resp = await client.post(
        "/login", data={"login": "koordynator", "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 303
    for path in ("/rollout/offices", "/offices/1499011", "/rollout", "/trainings"):
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == 200, path
        assert "Urząd &lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html, path
    html = await (await client.get("/offices/1499011")).text()
    assert "Lider &lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    # Every form that posts carries the session's form token from the template itself.
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
    token = with_token(client)["csrf"]
    assert len(forms) > 5 and all(f'name="csrf" value="{token}"' in f for f in forms)
    assert 'role="status">Zapisano.' in await (await client.get("/offices/1499011?zapisano=1")).text()
    # A refusal is said on the rollout's own frame, with its links, not as a traceback.
    html = await (await client.get("/offices/9999999")).text()
    assert 'role="alert">nie ma urzędu o kodzie' in html and 'class="subnav"' in html


def test_offices_show_import_and_attendance_on_the_command_line(
    container, world, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", container.settings.sla_dir)
    old = tmp_path / "old.csv"
    old.write_text(
        "code,name,type,employees,components,leaders_max\n1419112,Urząd Gminy Słupno,gmina_wiejska,42,EZD;EPUAP,1\n"
    )
    code, out, _ = run(capsys, "offices", "import", str(old), "--json")
    assert code == 0 and json.loads(out) == {"added": 0, "updated": 1, "profiles": 0}
    new = tmp_path / "new.csv"
    new.write_text(
        "code,name,type,employees,components,leaders_max,computerisation,needs,notes\n"
        "1419112,Urząd Gminy Słupno,gmina_wiejska,42,EZD;EPUAP,1,papierowy,sprzet;lacze,Łącze 10 Mb/s\n"
    )
    code, out, _ = run(capsys, "offices", "import", str(new))
    assert code == 0 and "profili: 1" in out
    code, out, _ = run(capsys, "offices", "show", "1419112")
    assert code == 0 and "Stan informatyzacji: obieg papierowy" in out and "łącze internetowe" in out
    assert "Brakuje:" in out and "lider Osoba lider.slupno nie jest przeszkolony z: EZD" in out
    code, out, _ = run(capsys, "offices", "show", "1419112", "--json")
    assert json.loads(out)["needs"][0]["code"] == "sprzet"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,type,employees,components,leaders_max,kolor\n")
    code, _, err = run(capsys, "offices", "import", str(bad))
    assert code == 2 and "kolumn profilu" in one_error_line(err)
    code, _, err = run(capsys, "offices", "show", "0000000")
    assert code == 2 and "nie ma urzędu" in one_error_line(err)
    code, _, err = run(capsys, "offices", "show", "1419112", "--as", "urz.slupno")
    assert code == 2 and one_error_line(err)
    container.rollout.put_training(
        world["koordynator"],
        {"id": "ezd-el", "kind": "elearning", "component": "EZD", "held_on": "2025-02-01"},
    )
    container.rollout.put_training(
        world["koordynator"],
        {"id": "ezd-in", "kind": "instruktaz", "component": "EZD", "held_on": "2025-02-02"},
    )
    attendance = tmp_path / "lista.csv"
    attendance.write_text("training,login,name\nezd-el,lider.slupno,Osoba\nezd-in,lider.slupno,Osoba\n")
    code, out, _ = run(capsys, "offices", "attendance", str(attendance))
    assert code == 0 and "lider.slupno (1419112) przeszkolony z EZD od 2025-02-02" in out
    code, out, _ = run(capsys, "offices", "rollout", "--format", "csv")
    assert code == 0 and out.lstrip("\ufeff").startswith("urząd,kod,kamień milowy")


def test_the_rollout_tables_and_their_migration_agree(container):
    db_tables = inspect(container.db.engine)
    for row in (
        tables.OfficeProfileRow,
        tables.OfficeStandinRow,
        tables.MilestoneRow,
        tables.MilestoneWaitRow,
        tables.TrainingRow,
        tables.TrainingAttendanceRow,
        tables.DomainSystemRow,
        tables.TicketRow,
    ):
        table = row.__table__
        migrated = {c["name"]: c["nullable"] for c in db_tables.get_columns(table.name)}
        modelled = {c.name: c.nullable for c in table.columns}
        assert migrated == modelled, table.name
