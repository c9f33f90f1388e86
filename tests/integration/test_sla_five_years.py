"""Five years of a contract, live: an annex, the total cap, office calendars, the first line, the
most specific contract, the monthly penalty statement, and office calendars set over the API, the
CLI, a CSV import and the web page — all agreeing with a replay of `helpdesk audit export`."""

import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.files.office_calendar import load_sla_offices
from helpdesk.bootstrap import Container
from helpdesk.cli import main
from helpdesk.services.sla.replay import replay
from helpdesk.services.sla.report import sla_report
from helpdesk.services.sla.statement import build_statement, render
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.calls import api_caller
from tests.support.world import WARSAW, make_container, populate

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sla" / "five_years"
OWN_CONTRACT = """
id: umowa-plock-ezd
contractor: wykonawca-plock
components: [EZD]
offices: [1462011]   # the office's own contract with a partner: before the regional one
period: {start: 2027-01-01, end: 2027-12-31}
calendars:
  biuro: {timezone: Europe/Warsaw, days: [mon, tue, wed, thu, fri], hours: ["08:00", "16:00"], holidays: PL}
priorities:
  normal: {calendar: biuro, targets: {reaction: 8h, workaround: 3d, fix: 10d}}
"""


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=WARSAW)


@pytest.fixture
def sla_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sla"
    shutil.copytree(FIXTURE / "contracts", folder / "contracts")
    shutil.copytree(FIXTURE / "offices", folder / "offices")
    shutil.copy(FIXTURE / "first_line.yaml", folder / "first_line.yaml")
    (folder / "contracts" / "umowa-plock-ezd.yaml").write_text(OWN_CONTRACT, encoding="utf-8")
    return folder


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(6, 28, 9))


@pytest.fixture
def desk(tmp_path: Path, sla_dir: Path, clock: ManualClock) -> Iterator[tuple[Container, dict[str, Any]]]:
    container = make_container(f"sqlite:///{tmp_path}/h.db", clock, HELPDESK_SLA_DIR=str(sla_dir))
    try:
        yield container, populate(container)
    finally:
        container.close()


def drive(container: Container, people: dict[str, Any], clock: ManualClock) -> tuple[str, str, str]:
    """T1 before the annex (1000 zł, the whole cap), T2 under it (900 zł, nothing left), T3 in Płock."""
    t = container.tickets

    def open_and_escalate(when: datetime, office: str) -> str:
        clock.set(when.replace(hour=when.hour - 1))
        ticket = t.create(people[f"urz.{office}"], NewTicket("EZD nie działa", "opis", "EZD"))["id"]
        clock.set(when)
        t.act(people[f"lider.{office}"], ticket, "escalate", priority="normal")
        return ticket

    agent = next(p for p in people.values() if p.contractor == "wykonawca-a")
    first = open_and_escalate(at(6, 29, 10), "slupno")
    clock.set(at(6, 30, 11))
    t.act(agent, first, "acknowledge")
    second = open_and_escalate(at(7, 1, 9), "slupno")
    clock.set(at(7, 1, 13, 30))
    t.act(agent, second, "acknowledge")
    third = open_and_escalate(at(7, 5, 10), "plock")
    clock.set(at(8, 2, 9))
    return first, second, third


def test_annex_cap_first_line_and_the_most_specific_contract_agree_with_a_replay(
    desk: tuple[Container, dict[str, Any]], clock: ManualClock, sla_dir: Path, monkeypatch, capsys
) -> None:
    container, people = desk
    first, second, third = drive(container, people, clock)
    detail = container.tickets.get(people["koordynator"], third)
    # Płock's own contract names the office and the component: it wins over the regional one.
    assert (detail["contract"], detail["contractor"]) == ("umowa-plock-ezd", "wykonawca-plock")
    assert detail["first_line"]["calendar"] == "1462011"
    assert detail["sla"]["contract_version"] == "umowa-plock-ezd"

    report = sla_report(
        container.db,
        container.contracts,
        clock.now(),
        WARSAW,
        "2027-06-01",
        "2027-07-31",
        offices=container.sla.book(),
    )
    rows = {r["ticket"]: r for r in report["tickets"]}
    assert rows[first]["contract_version"] == "umowa-a-2027"
    assert rows[second]["contract_version"] == "aneks-1"
    assert (rows[first]["penalty_pln"], rows[first]["penalty_due_pln"]) == (1000, 1000)
    assert (rows[second]["penalty_pln"], rows[second]["penalty_due_pln"]) == (900, 0)
    # The first line of T1 (defaults, 08:00–16:00): created 09:00, escalated 10:00 without a take;
    # the contractor's fix clock still runs: 29 Jun 6 h + 30 Jun 8 h + 22 July working days × 8 h.
    assert rows[first]["lines_min"] == {
        "office": 0.0,
        "leaders": 60.0,
        "contractor": 11400.0,
        "waiting_for_office": 0.0,
    }
    months = [(m["month"], m["accrued_pln"], m["due_pln"]) for m in report["penalties"]["by_month"]]
    assert months == [("2027-06", 1000, 1000), ("2027-07", 900, 0)]
    assert report["first_line"]["by_office"]["1419112"]["tickets"] == 2
    assert report["first_line"]["by_office"]["1462011"]["metrics"]["take"]["running"] == 0
    assert report["as_of"] == "2027-08-01T00:00:00+02:00"

    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(sla_dir))
    assert main(["audit", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    replayed = {
        r["ticket"]: r
        for r in replay(
            lines, container.contracts, datetime.fromisoformat(report["as_of"]), load_sla_offices(sla_dir)
        )
    }
    for ticket, row in rows.items():
        assert {k: row[k] for k in replayed[ticket]} == replayed[ticket], ticket


def test_the_monthly_statement_reads_as_the_marshals_office_sends_it(
    desk: tuple[Container, dict[str, Any]], clock: ManualClock
) -> None:
    container, people = desk
    first, second, _ = drive(container, people, clock)
    statement = build_statement(
        container.db, container.contracts, clock.now(), WARSAW, "umowa-a-2027", "2027-07"
    )
    [row] = statement["penalties"]
    assert (row["ticket"], row["metric"], row["breached_at"]) == (
        second,
        "reaction",
        "2027-07-01T11:00+02:00",
    )
    assert (row["accrued_pln"], row["due_pln"], row["delay_min"]) == (900, 0, 150.0)
    assert row["rule"].replace("\xa0", " ") == "300,00 zł za każde rozpoczęte 1 h zwłoki"
    assert statement["totals"] == {
        "accrued_pln": 900,
        "due_pln": 0,
        "cap_used_before_pln": 1000,
        "cap_used_after_pln": 1000,
        "cap_left_pln": 0,
    }
    page = render(statement, "html").decode("utf-8").replace("\xa0", " ")
    assert "Zestawienie kar umownych za lipiec 2027" in page
    assert "art. 436 pkt 3" in page and "20% wartości umowy (1 000,00 zł) w całym okresie umowy" in page
    assert "900,00 zł" in page and "aneks-1" in page
    # A formal letter: dates as Polish readers write them; the replay command keeps its ISO argument.
    assert "<td>01.07.2027 11:00</td>" in page and "okres obowiązywania 01.01.2027 – " in page
    assert not re.search(r"Wystawiono: \d{4}-", page) and "--as-of 20" in page
    book = load_workbook(io.BytesIO(render(statement, "xlsx")))
    assert book.active["A1"].value == "Zestawienie kar umownych za lipiec 2027"
    # The spreadsheet keeps numbers as numbers (the HTML page writes them the Polish way).
    [penalty_row] = [r for r in book.active.iter_rows(values_only=True) if r and r[0] == 1]
    assert penalty_row[8] == 150 and isinstance(penalty_row[6], int | float)
    june = build_statement(container.db, container.contracts, clock.now(), WARSAW, "umowa-a-2027", "2027-06")
    assert [(p["ticket"], p["due_pln"]) for p in june["penalties"]] == [(first, 1000)]


def test_the_statement_command_and_route(
    desk: tuple[Container, dict[str, Any]], clock: ManualClock, sla_dir: Path, monkeypatch, capsys, tmp_path
) -> None:
    container, people = desk
    drive(container, people, clock)
    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(sla_dir))
    out = tmp_path / "kary.xlsx"
    args = ["report", "statement", "--contract", "umowa-a-2027", "--month", "2027-07"]
    assert main([*args, "--format", "xlsx", "--out", str(out)]) == 0
    assert load_workbook(out).active["A1"].value.startswith("Zestawienie kar umownych")
    assert main(["report", "statement", "--contract", "umowa-a-2027", "--month", "2027-13"]) == 2
    assert "niepoprawny miesiąc" in capsys.readouterr().err


async def test_statement_route_is_for_coordinators_and_the_contractor(
    desk: tuple[Container, dict[str, Any]], clock: ManualClock
) -> None:
    container, people = desk
    drive(container, people, clock)
    tokens = {login: container.people.issue_token(login, clock.now()) for login in people}
    agent = next(login for login, p in people.items() if p.contractor == "wykonawca-a")
    other = next(login for login, p in people.items() if p.contractor == "wykonawca-b")
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    try:
        call = api_caller(client, tokens)
        path = "/api/v1/reports/statement?contract=umowa-a-2027&month=2027-07&format=json"
        for who, status in (("koordynator", 200), (agent, 200), (other, 403), ("urz.plock", 403)):
            got, body = await call("GET", path, who)
            assert got == status, (who, body)
        got, body = await call("GET", path.replace("2027-07", "lipiec"), "koordynator")
        assert got == 400 and "RRRR-MM" in body["error"]
    finally:
        await client.close()


async def test_office_calendars_over_the_api_the_page_and_the_cli(
    desk: tuple[Container, dict[str, Any]], clock: ManualClock, sla_dir: Path, monkeypatch, capsys, tmp_path
) -> None:
    container, people = desk
    # Before the system clock the commands below run on, so the log's times only move forward.
    clock.set(datetime(2026, 1, 5, 9, tzinfo=WARSAW))
    tokens = {login: container.people.issue_token(login, clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    try:
        call = api_caller(client, tokens)
        status, shown = await call("GET", "/api/v1/offices/1419112/calendar", "urz.slupno")
        assert (status, shown["own"], shown["file"]) == (200, False, "first_line.yaml")
        body = {
            "calendar": {
                "timezone": "Europe/Warsaw",
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "hours": ["07:00", "15:00"],
                "holidays": "PL",
                "closed": ["2027-11-12"],
                "open": [],
            },
            "first_line": {"normal": {"take": "1h"}},
        }
        status, err = await call("PUT", "/api/v1/offices/1419112/calendar", "przedst.plock", body)
        assert status == 403 and "przedstawiciel" in err["error"]
        bad = {**body, "calendar": {**body["calendar"], "hours": ["15:00", "07:00"]}}
        status, err = await call("PUT", "/api/v1/offices/1419112/calendar", "przedst.slupno", bad)
        assert status == 400 and "godzina końca" in err["error"]
        assert not (sla_dir / "offices" / "1419112.yaml").exists()  # nothing written, nothing logged
        status, shown = await call("PUT", "/api/v1/offices/1419112/calendar", "przedst.slupno", body)
        assert status == 200 and shown["own"] and shown["first_line"]["normal"]["take"] == "1h"
        written = yaml.safe_load((sla_dir / "offices" / "1419112.yaml").read_text(encoding="utf-8"))
        assert written["calendar"]["hours"] == ["07:00", "15:00"]
        # The live clocks use it at once: first_line_due of a new normal ticket is 1 h of 07:00–15:00.
        assert container.sla.first_line_due("1419112", at(7, 2, 14, 30), "normal") == at(7, 5, 7, 30)

        # The page: everyone sees it, the representative edits; a bad value keeps what was typed.
        headers = {"Authorization": f"Bearer {tokens['przedst.slupno']}"}
        page = await client.get("/offices/1419112/calendar", headers=headers)
        text = await page.text()
        assert page.status == 200 and "Kalendarz urzędu: Urząd Gminy Słupno (1419112)" in text
        assert "Zmień kalendarz" in text
        # What is in force reads as people say it; the form keeps the values the files take.
        assert "ustawowe dni wolne w Polsce" in text and "12.11.2027" in text and 'value="2027-11-12"' in text
        form = {
            "day_mon": "1",
            "day_tue": "1",
            "start": "8:00",
            "end": "25:00",
            "holidays": "PL",
            "closed": "2027-11-12",
        }
        page = await client.post(
            "/offices/1419112/calendar", data=form, headers=headers, allow_redirects=False
        )
        text = await page.text()
        assert page.status == 400 and "niepoprawna godzina" in text and "25:00" in text
        viewer = await client.get(
            "/offices/1419112/calendar", headers={"Authorization": f"Bearer {tokens['urz.slupno']}"}
        )
        assert "Zmień kalendarz" not in await viewer.text()
    finally:
        await client.close()

    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(sla_dir))
    csv_file = tmp_path / "kalendarze.csv"
    csv_file.write_text(
        "office,timezone,days,hours,holidays,closed,open\n"
        "1462011,Europe/Warsaw,mon;tue;wed;thu;fri,07:30-15:30,PL,2027-11-12;2027-12-24,\n"
        "1419112,,mon;tue;wed;thu;fri,08:00-16:00,PL,,2027-12-18\n",
        encoding="utf-8",
    )
    assert main(["offices", "calendar", "import", str(csv_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"offices": ["1419112", "1462011"]}
    kept = yaml.safe_load((sla_dir / "offices" / "1419112.yaml").read_text(encoding="utf-8"))
    assert kept["first_line"] == {"normal": {"take": "1h"}}  # the import keeps the targets
    assert main(["offices", "calendar", "show", "1462011", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calendar"]["closed"] == ["2027-11-12", "2027-12-24"]
    csv_file.write_text(
        "office,timezone,days,hours,holidays,closed,open\n99,,mon,8-16,PL,,\n", encoding="utf-8"
    )
    assert main(["offices", "calendar", "import", str(csv_file)]) == 2
    assert "wiersz 2" in capsys.readouterr().err
    # Every change is an event of the hash-chained log with the file's whole text.
    assert main(["audit", "export"]) == 0
    changes = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if '"office_calendar_changed"' in line
    ]
    assert [c["office"] for c in changes] == ["1419112", "1462011", "1419112"]
    for change in changes[1:]:
        assert change["content"] == (sla_dir / change["file"]).read_text(encoding="utf-8")
    assert changes[0]["actor"] == "przedst.slupno"
    assert main(["audit", "verify"]) == 0
