"""The SLA report from the database: agreement with a replay of `helpdesk audit export`, the CLI
and the HTTP endpoint with role scopes and formats."""

import io
import json
import zipfile
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from helpdesk.cli import main
from helpdesk.services.sla.replay import replay
from helpdesk.services.sla.report import sla_report
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.world import REPO, WARSAW, populate


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=WARSAW)


def drive(container, people, clock):
    """Tickets across nights, weekends, pauses, a priority change and a period boundary."""
    t, act = container.tickets, container.tickets.act
    lider, agent_ezd, agent_esb = people["lider.plock"], people["agent2"], people["agent1"]

    def escalated(title, component, when, priority=None, office="plock"):
        clock.set(when)
        ticket = t.create(people[f"urz.{office}"], NewTicket(title, "opis", component))["id"]
        act(people[f"lider.{office}"], ticket, "take")
        act(people[f"lider.{office}"], ticket, "escalate", priority=priority)
        return ticket

    a = escalated("EZD nie wysyła pism", "EZD", at(3, 1, 15, 30))
    clock.set(at(3, 2, 9, 10))
    act(agent_ezd, a, "acknowledge")
    clock.set(at(3, 3, 10, 0))
    act(agent_ezd, a, "wait_for_office")
    clock.set(at(3, 8, 12, 0))  # across the weekend
    act(lider, a, "resume")
    clock.set(at(3, 9, 17, 45))
    act(agent_ezd, a, "workaround")
    clock.set(at(3, 12, 11, 0))
    act(agent_ezd, a, "resolve")

    b = escalated("Awaria EZD w nocy", "EZD", at(3, 5, 22, 0), priority="critical")
    clock.set(at(3, 6, 1, 30))  # Saturday night, a 24/7 calendar: reaction breached
    act(agent_ezd, b, "acknowledge")

    c = escalated("ESB gubi komunikaty", "ESB", at(3, 19, 15, 0), office="slupno")
    clock.set(at(3, 22, 8, 30))
    act(people["lider.slupno"], c, "set_priority", priority="high")
    clock.set(at(3, 22, 9, 0))
    act(agent_esb, c, "acknowledge")

    d = escalated("Po okresie", "EZD", at(4, 1, 0, 5))  # April: outside the March report
    clock.set(at(4, 2, 12, 0))
    return a, b, c, d


def test_report_and_replay_of_the_audit_export_agree_to_the_minute(
    container, world, clock, monkeypatch, capsys
):
    a, b, c, _april = drive(container, world, clock)
    report = sla_report(container.db, container.contracts, clock.now(), WARSAW, "2027-03-01", "2027-03-31")
    assert report["as_of"] == "2027-04-01T00:00:00+02:00"
    rows = {r["ticket"]: r for r in report["tickets"]}
    assert sorted(rows) == sorted([a, b, c])
    head = container.db.read(lambda tx: tx.head())
    assert report["event_log"] == {"head": head[0], "events": head[1]}

    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(REPO / "sla"))
    assert main(["audit", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    replayed = {
        r["ticket"]: r for r in replay(lines, container.contracts, datetime.fromisoformat(report["as_of"]))
    }
    for ticket, row in rows.items():
        assert {k: row[k] for k in replayed[ticket]} == replayed[ticket]
    # Spot checks by hand: A's reaction ran Mon 15:30–16:00 and Tue 08:00–09:10 = 100 min.
    assert rows[a]["metrics"]["reaction"] == {"elapsed_min": 100.0, "target_min": 480.0, "state": "met"}
    # Paused Wed 10:00 → Mon 12:00: Wed 6 h + Thu 8 h + Fri 8 h + Mon 4 h = 26 h.
    assert rows[a]["paused_min"] == 1560.0
    assert rows[b]["metrics"]["reaction"]["state"] == "breached"
    # Reaction 2.5 h late: 3 started hours × 200 zł; workaround and fix still running on April 1
    # are far over and stop at their caps (30 000 and 100 000 zł).
    assert rows[b]["penalty_pln"] == 600 + 30_000 + 100_000
    assert report["by_contract"]["umowa-ezd-2026"]["penalty_uncapped_pln"] > 130_600
    assert rows[c]["priority"] == "high"
    assert report["by_office"]["1462011"]["paused_min"] == 1560.0
    assert report["by_office"]["1419112"]["tickets"] == 1
    assert report["total"]["tickets"] == 3 and report["by_month"].keys() == {"2027-03"}


def test_cli_report_formats_and_errors(container, world, clock, monkeypatch, capsys, tmp_path):
    drive(container, world, clock)
    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(REPO / "sla"))
    out = tmp_path / "r.html"
    assert (
        main(
            [
                "report",
                "sla",
                "--from",
                "2027-03-01",
                "--to",
                "2027-03-31",
                "--format",
                "html",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    page = out.read_text(encoding="utf-8")
    # The CLI runs on the system clock, before these 2027 tickets: the report is empty but whole.
    assert "Raport SLA" in page and "Dziennik zdarzeń" in page and "Brak danych" in page
    assert main(["report", "sla", "--from", "2027-03-01", "--to", "2027-03-31", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.lstrip("\ufeff").startswith("wymiar,wartość,zgłoszenia")
    assert main(["report", "sla", "--from", "2027-03-01", "--to", "2027-02-01", "--format", "json"]) == 2
    assert main(["report", "sla", "--from", "2027-13-01", "--to", "2027-02-01"]) == 2
    assert main(["report", "sla", "--from", "2027-03-01", "--to", "2027-03-31", "--contract", "nie-ma"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("helpdesk: błąd:") for line in err)
    assert "nieznana umowa 'nie-ma'" in err[-1]


@pytest.fixture
async def client(container, clock):
    people = populate(container)
    tickets = drive(container, people, clock)
    tokens = {login: container.people.issue_token(login, clock.now()) for login in people}
    server = TestClient(TestServer(create_app(container)))
    await server.start_server()

    async def get(who, query):
        resp = await server.get(
            f"/api/v1/reports/sla?{query}", headers={"Authorization": f"Bearer {tokens[who]}"}
        )
        return resp, await resp.read()

    get.tickets = tickets
    yield get
    await server.close()


MARCH = "from=2027-03-01&to=2027-03-31"


async def test_api_scopes_and_formats(client):
    a, b, c, _ = client.tickets
    resp, body = await client("audytor", MARCH)
    assert resp.status == 200 and resp.content_type == "application/json"
    assert sorted(t["ticket"] for t in json.loads(body)["tickets"]) == sorted([a, b, c])
    resp, body = await client("lider.slupno", MARCH)
    assert [t["ticket"] for t in json.loads(body)["tickets"]] == [c]
    resp, body = await client("agent2", MARCH)  # the EZD contractor
    assert sorted(t["ticket"] for t in json.loads(body)["tickets"]) == sorted([a, b])
    resp, _ = await client("urz.plock", MARCH)
    assert resp.status == 403
    resp, body = await client("koordynator", MARCH + "&format=csv")
    assert resp.content_type == "text/csv"
    assert (
        resp.headers["Content-Disposition"] == 'attachment; filename="raport-sla-2027-03-01-2027-03-31.csv"'
    )
    resp, body = await client("koordynator", MARCH + "&format=xlsx&contract=umowa-ezd-2026")
    assert resp.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(body))
    assert (
        book.sheetnames[:3] == ["Podsumowanie", "Wykresy", "Zgłoszenia"] and book["Zgłoszenia"].max_row == 3
    )
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(io.BytesIO(body)).namelist())
    resp, body = await client("koordynator", MARCH + "&format=html")
    assert resp.content_type == "text/html" and b"<svg" in body
    for query in (
        "from=2027-03-01",
        "from=x&to=2027-03-31",
        MARCH + "&format=pdf",
        MARCH + "&contract=nie-ma",
        MARCH + "&foo=1",
    ):
        resp, body = await client("koordynator", query)
        assert resp.status == 400 and "error" in json.loads(body)


async def test_the_report_narrows_to_an_office_a_component_or_a_priority_in_every_format(client):
    """What the report page filters, the files hold too: totals, groups and rows of those tickets only."""
    a, b, c, _ = client.tickets
    resp, body = await client("audytor", MARCH + "&office=1419112")
    report = json.loads(body)
    assert resp.status == 200 and [t["ticket"] for t in report["tickets"]] == [c]
    assert report["total"]["tickets"] == 1 and report["filters"] == {"office": "1419112"}
    assert set(report["by_office"]) == {"1419112"}

    resp, body = await client("audytor", MARCH + "&component=ezd")  # the code, in any case
    report = json.loads(body)
    assert sorted(t["ticket"] for t in report["tickets"]) == sorted([a, b])
    assert report["total"]["tickets"] == 2 and report["filters"] == {"component": "EZD"}

    resp, body = await client("koordynator", MARCH + "&priority=critical&format=csv")
    text = body.decode("utf-8-sig")
    assert b in text and a not in text and c not in text

    resp, body = await client("koordynator", MARCH + "&priority=high&format=xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book["Zgłoszenia"].max_row == 2  # the header and ticket C (raised to high)

    # A leader may narrow only to their own office; filters are checked like every other parameter.
    resp, body = await client("lider.slupno", MARCH + "&office=1462011")
    assert resp.status == 403 and "Twój urząd" in json.loads(body)["error"]
    resp, body = await client("lider.slupno", MARCH + "&office=1419112")
    assert resp.status == 200 and [t["ticket"] for t in json.loads(body)["tickets"]] == [c]
    for query in ("&office=abc", "&component=XYZ", "&priority=pilne"):
        resp, body = await client("koordynator", MARCH + query)
        assert resp.status == 400 and json.loads(body)["error"]
