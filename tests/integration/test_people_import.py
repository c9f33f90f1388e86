"""Importing people from CSV on a real database: `helpdesk users import` and
`POST /api/v1/people/import` — all lines or none, every error naming its line, the office limits
counted over the database and the file, and a representative limited to their own office."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.web.app import create_app
from tests.support.calls import api_caller, one_error_line, run
from tests.support.world import populate

HEADER = "login,name,role,office,email,telegram_id\n"


def people(container, office=None):
    return {p.login: (p, active) for p, active in container.people.list_people(office)}


def test_the_command_imports_a_file_and_says_what_it_did_in_polish(
    container, world, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", container.settings.sla_dir)
    path = tmp_path / "ludzie.csv"
    path.write_text(
        "\ufefflogin;name;role;office;email;telegram_id\n"
        "jan.nowak;Jan Nowak;official;1462011;Jan.Nowak@Plock.eu;\n"
        "ewa.lis;Ewa Lis;official;1419112;;4711\n"
        "urz.plock;Osoba urz.plock;official;1462011;urz.plock@example.pl;\n"
        "lider.plock;Anna Żak;leader;1462011;;\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "users", "import", str(path))
    assert code == 0 and out.strip() == "Dodano 2 osoby, zaktualizowano 1 osobę, bez zmian: 1 osoba."
    found = people(container)
    assert found["jan.nowak"][0].email == "jan.nowak@plock.eu" and found["jan.nowak"][1]
    assert found["ewa.lis"][0].telegram_id == 4711 and found["lider.plock"][0].name == "Anna Żak"
    code, out, _ = run(capsys, "users", "import", str(path), "--json")
    assert code == 0 and json.loads(out) == {"added": 0, "updated": 0, "unchanged": 4}


def test_a_wrong_line_stops_the_command_with_one_polish_line_and_nothing_is_written(
    container, world, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("HELPDESK_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("HELPDESK_SLA_DIR", container.settings.sla_dir)
    before = people(container)
    path = tmp_path / "ludzie.csv"
    # Płock allows two leaders and has two: a third in the file is refused, and so is the whole file.
    path.write_text(
        HEADER + "nowy.urz,Nowy Urzędnik,official,1462011,,\n"
        "nowy.lider,Nowy Lider,leader,1462011,,\n"
        "jeszcze.jeden,Ktoś,official,1462099,,\n"
    )
    code, _, err = run(capsys, "users", "import", str(path))
    line = one_error_line(err)
    assert code == 2 and f"{path}: linia 3: urząd 1462011 ma już komplet liderów (2 z 2)" in line
    assert "linia 4: nieznany urząd '1462099'" in line and "linia 2" not in line
    assert people(container) == before
    path.write_bytes(HEADER.encode() + "ł.x,Zła,official,1462011,,\n".encode("cp1250"))
    code, _, err = run(capsys, "users", "import", str(path))
    assert code == 2 and "UTF-8" in one_error_line(err)
    code, _, err = run(capsys, "users", "import", str(tmp_path / "brak.csv"))
    assert code == 2 and "nie ma takiego pliku" in one_error_line(err)
    big = tmp_path / "duzy.csv"
    big.write_text(HEADER + "x" * (5 * 1024 * 1024))
    code, _, err = run(capsys, "users", "import", str(big))
    assert code == 2 and "za duży (limit 5 MB)" in one_error_line(err)
    assert people(container) == before


@pytest.fixture
async def api(any_container):
    container = any_container
    world = populate(container)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in world}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    call = api_caller(client, tokens, never_500=True)
    call.container = container
    yield call
    await client.close()


async def test_the_api_imports_for_coordinators_and_limits_a_representative_to_their_office(api):
    path = "/api/v1/people/import"
    plock = HEADER + "a.plock,Anna Płocka,official,1462011,anna@plock.eu,\n"
    status, body = await api("POST", path, "przedst.plock", {"csv": plock})
    assert status == 200 and body == {"added": 1, "updated": 0, "unchanged": 0}
    # Another office's line, or a representative, is refused with the line: nothing is written.
    status, body = await api(
        "POST",
        path,
        "przedst.plock",
        {
            "csv": HEADER
            + "b.plock,B,official,1462011,,\nb.slupno,B,official,1419112,,\nr.plock,R,representative,1462011,,\n"
        },
    )
    assert status == 403
    assert (
        "linia 3: urząd 1419112, rola 'official': przedstawiciel dodaje, zmienia i blokuje tylko"
        in body["error"]
    )
    assert "linia 4: urząd 1462011, rola 'representative'" in body["error"] and "linia 2" not in body["error"]
    assert "b.plock" not in people(api.container)
    status, body = await api(
        "POST",
        path,
        "koordynator",
        {"csv": HEADER + "b.slupno,Bogdan,official,1419112,,\n" + plock[len(HEADER) :]},
    )
    assert status == 200 and body == {"added": 1, "updated": 0, "unchanged": 1}
    for who in ("urz.plock", "lider.plock", "audytor", "agent1"):
        status, body = await api("POST", path, who, {"csv": plock})
        assert status == 403 and "import osób jest dla przedstawicieli" in body["error"], who


async def test_bad_import_bodies_are_polish_400s_and_never_500s(api):
    path = "/api/v1/people/import"
    for body, needle in [
        ({}, "oczekiwano pola 'csv'"),
        ({"csv": 5}, "oczekiwano pola 'csv'"),
        ({"csv": "", "x": 1}, "oczekiwano pola 'csv'"),
        ({"csv": ""}, "plik CSV jest pusty"),
        ({"csv": "a,b\n"}, "linia 1: oczekiwano nagłówka"),
        ({"csv": HEADER + "x\0y,A,official,1462011,,\n"}, "linia 2: niepoprawny login"),
        ({"csv": HEADER + "xy,A\0B,official,14620\u0000,,\n"}, "linia 2: niepoprawny kod urzędu"),
        (
            {"csv": HEADER + "urz.plock,A,leader,1462011,,\n"},
            "linia 2: login 'urz.plock' ma już rolę 'official'",
        ),
    ]:
        status, answer = await api("POST", path, "koordynator", body)
        assert status == 400 and needle in answer["error"], (body, answer)
    status, _ = await api("POST", path, None, {"csv": HEADER})
    assert status == 401
