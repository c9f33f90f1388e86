"""The people section of an office's page: the representative adds, blocks and imports the officials
and leaders of their own office (never themselves), coordinators the people of any office; leaders
and officials see no form and are refused; a refused form comes back with what was typed."""

import re
from html import unescape

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.web.app import create_app
from tests.support.forms import with_token
from tests.support.world import populate

PASSWORD = "tajne-haslo-1"
PLOCK, SLUPNO = "1462011", "1419112"
HEADER = "login,name,role,office,email,telegram_id\n"


@pytest.fixture
async def web(container):
    people = populate(container)
    for login in people:
        container.people.set_password(login, PASSWORD)
    clients: list[TestClient] = []

    async def browser(login):
        client = TestClient(TestServer(create_app(container)))
        await client.start_server()
        clients.append(client)
        resp = await client.post("/login", data={"login": login, "password": PASSWORD}, allow_redirects=False)
        assert resp.status == 303
        return client

    browser.container = container
    yield browser
    for client in clients:
        await client.close()


def roster(container, office=PLOCK):
    return {p.login: (p, active) for p, active in container.people.list_people(office)}


def row_of(html, name):
    """The people table's row of the person called `name`."""
    return re.search(rf'<tr>\s*<td data-label="Osoba">{re.escape(name)}</td>.*?</tr>', html, re.S).group(0)


def text_of(html):
    return unescape(re.sub(r"<[^>]+>", " ", html))


async def post(client, path, data=None):
    return await client.post(path, data=with_token(client, data), allow_redirects=False)


async def test_the_representative_adds_an_official_and_sees_the_office_s_people(web):
    rep = await web("przedst.plock")
    html = await (await rep.get(f"/offices/{PLOCK}")).text()
    assert "Osoby urzędu w help-desku" in html and "Dodaj osobę" in html and "Importuj osoby" in html
    assert "Urzędników w help-desku:" not in html
    options = re.findall(r'<option value="(\w+)"', html.split('id="person-role"')[1].split("</select>")[0])
    assert options == ["official", "leader"]  # a representative adds no representative
    resp = await post(
        rep,
        f"/offices/{PLOCK}/people",
        {"name": "Jan Nowak", "login": "jan.nowak", "role": "official", "email": ""},
    )
    assert resp.status == 303 and resp.headers["Location"] == f"/offices/{PLOCK}?dodano=jan.nowak#osoby"
    html = await (await rep.get(resp.headers["Location"])).text()
    assert 'role="status">Dodano: Jan Nowak<' in html
    row = row_of(html, "Jan Nowak")
    assert "jan.nowak" in row and "aktywna" in row and "Zablokuj" in row
    # Every person of the office is listed with login, e-mail and state; others' offices' are not.
    assert "urz.plock@example.pl" in html and "urz.slupno" not in html
    person, active = roster(web.container)["jan.nowak"]
    assert person.role.value == "official" and person.jst == PLOCK and active


async def test_a_refused_person_comes_back_on_the_page_with_what_was_typed(web):
    rep = await web("przedst.plock")
    typed = {"name": "Ewa <b>Lis</b>", "login": "lider.plock", "role": "leader", "email": "ewa@plock.eu"}
    resp = await post(rep, f"/offices/{PLOCK}/people", {**typed, "role": "official"})
    html = await resp.text()
    assert resp.status == 400 and "login &#39;lider.plock&#39; jest już zajęty" in html
    assert 'value="Ewa &lt;b&gt;Lis&lt;/b&gt;"' in html and 'value="ewa@plock.eu"' in html
    assert re.search(r'<option value="official" selected>', html)
    # Płock allows two leaders and has two.
    resp = await post(rep, f"/offices/{PLOCK}/people", {**typed, "login": "ewa.lis"})
    html = await resp.text()
    assert resp.status == 400 and "urząd 1462011 ma już komplet liderów (2 z" in html
    assert re.search(r'<option value="leader" selected>', html)
    resp = await post(rep, f"/offices/{PLOCK}/people", {**typed, "login": "ewa.lis", "name": " "})
    assert resp.status == 400 and "imię i nazwisko nie może być puste" in await resp.text()
    # A representative of another office, or the office's second representative, is refused (403).
    resp = await post(rep, f"/offices/{SLUPNO}/people", {**typed, "login": "ewa.lis", "role": "official"})
    html = await resp.text()
    assert resp.status == 403 and "tylko urzędników i liderów własnego urzędu" in html
    resp = await post(
        rep, f"/offices/{PLOCK}/people", {**typed, "login": "ewa.lis", "role": "representative"}
    )
    assert resp.status == 403 and 'value="ewa.lis"' in await resp.text()
    assert "ewa.lis" not in roster(web.container) and "ewa.lis" not in roster(web.container, SLUPNO)


async def test_the_representative_blocks_and_unblocks_an_official_but_never_themselves(web):
    container = web.container
    official = await web("urz.plock")
    assert (await official.get("/")).status == 200
    rep = await web("przedst.plock")
    resp = await post(rep, f"/offices/{PLOCK}/people/urz.plock/block")
    assert resp.status == 303 and resp.headers["Location"] == f"/offices/{PLOCK}?zablokowano=urz.plock#osoby"
    assert not roster(container)["urz.plock"][1]
    resp = await official.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")  # refused at once
    html = await (
        await rep.get(resp.headers["Location"] if False else f"/offices/{PLOCK}?zablokowano=urz.plock")
    ).text()
    assert 'role="status">Zablokowano: Osoba urz.plock<' in html
    row = row_of(html, "Osoba urz.plock")
    assert "zablokowana" in row and "Odblokuj" in row
    resp = await post(rep, f"/offices/{PLOCK}/people/urz.plock/unblock")
    assert resp.status == 303 and roster(container)["urz.plock"][1]
    # Not themselves, not another office's people, not someone unknown.
    own_row = row_of(html, "Osoba przedst.plock")
    assert "Zablokuj" not in own_row
    resp = await post(rep, f"/offices/{PLOCK}/people/przedst.plock/block")
    assert resp.status == 403 and "własnego konta" in await resp.text()
    resp = await post(rep, f"/offices/{SLUPNO}/people/urz.slupno/block")
    assert resp.status == 403 and roster(container, SLUPNO)["urz.slupno"][1]
    resp = await post(rep, f"/offices/{PLOCK}/people/urz.slupno/block")
    assert resp.status == 404 and roster(container, SLUPNO)["urz.slupno"][1]
    assert roster(container)["przedst.plock"][1]


async def test_leaders_and_officials_see_no_form_and_are_refused(web):
    for login in ("lider.plock", "audytor"):
        client = await web(login)
        html = await (await client.get(f"/offices/{PLOCK}")).text()
        assert "Dodaj osobę" not in html and "Zablokuj" not in html and "Importuj osoby" not in html
        assert "Urzędników w help-desku: 2" in html
    for login in ("lider.plock", "urz.plock"):
        client = await web(login)
        for path, data in [
            (f"/offices/{PLOCK}/people", {"name": "X", "login": "x.y", "role": "official"}),
            (f"/offices/{PLOCK}/people/urz2.plock/block", None),
            (f"/offices/{PLOCK}/people/import", {"csv": HEADER + "x.y,X,official,1462011,,\n"}),
        ]:
            resp = await post(client, path, data)
            assert resp.status == 403, (login, path)
    assert "x.y" not in roster(web.container) and roster(web.container)["urz2.plock"][1]


async def test_coordinators_add_a_representative_and_block_in_any_office(web):
    container = web.container
    container.people.set_enabled("przedst.slupno", False)
    coordinator = await web("koordynator")
    html = await (await coordinator.get(f"/offices/{SLUPNO}")).text()
    options = re.findall(r'<option value="(\w+)"', html.split('id="person-role"')[1].split("</select>")[0])
    assert options == ["official", "leader", "representative"]
    # The blocked representative is listed (and may be unblocked) though the office lacks one now.
    assert "Odblokuj" in row_of(html, "Osoba przedst.slupno")
    resp = await post(
        coordinator,
        f"/offices/{SLUPNO}/people",
        {
            "name": "Nowa Przedstawicielka",
            "login": "np.slupno",
            "role": "representative",
            "email": "np@slupno.pl",
        },
    )
    assert resp.status == 303
    assert roster(container, SLUPNO)["np.slupno"][0].email == "np@slupno.pl"
    resp = await post(coordinator, f"/offices/{SLUPNO}/people/przedst.slupno/unblock")
    assert resp.status == 303 and roster(container, SLUPNO)["przedst.slupno"][1]
    resp = await post(coordinator, f"/offices/{PLOCK}/people/lider2.plock/block")
    assert resp.status == 303 and not roster(container)["lider2.plock"][1]


async def test_the_office_page_imports_a_pasted_or_uploaded_file_of_its_own_people(web):
    container = web.container
    rep = await web("przedst.plock")
    pasted = (
        HEADER
        + "a.plock,Anna Płocka,official,1462011,anna@plock.eu,\nurz.plock,Jan Urzędnik,official,1462011,,\n"
    )
    resp = await post(rep, f"/offices/{PLOCK}/people/import", {"csv": pasted})
    assert resp.status == 303 and resp.headers["Location"] == f"/offices/{PLOCK}?zaimportowano=1,1,0#osoby"
    html = await (await rep.get(f"/offices/{PLOCK}?zaimportowano=1,1,0")).text()
    assert 'role="status">Dodano 1 osobę, zaktualizowano 1 osobę, bez zmian: 0 osób.<' in html
    assert roster(container)["urz.plock"][0].name == "Jan Urzędnik"
    # An uploaded file (Excel's "CSV UTF-8": a BOM and semicolons).
    form = FormData()
    for key, value in with_token(rep).items():
        form.add_field(key, value)
    form.add_field("csv", "")
    body = "\ufefflogin;name;role;office;email;telegram_id\r\nb.plock;Bożena Płocka;leader;1462011;;\r\n"
    form.add_field("file", body.encode("utf-8"), filename="ludzie.csv", content_type="text/csv")
    resp = await rep.post(f"/offices/{PLOCK}/people/import", data=form, allow_redirects=False)
    assert resp.status == 400 and "linia 2: urząd 1462011 ma już komplet liderów (2 z" in await resp.text()
    form = FormData()
    for key, value in with_token(rep).items():
        form.add_field(key, value)
    form.add_field("file", body.replace("leader", "official").encode("utf-8"), filename="l.csv")
    resp = await rep.post(f"/offices/{PLOCK}/people/import", data=form, allow_redirects=False)
    assert resp.status == 303 and roster(container)["b.plock"][0].name == "Bożena Płocka"


async def test_a_wrong_import_comes_back_with_the_text_and_the_lines_and_writes_nothing(web):
    container = web.container
    before = roster(container), roster(container, SLUPNO)
    rep = await web("przedst.plock")
    pasted = HEADER + "a.plock,Anna,official,1462011,,\nb.plock,Zła <i>Linia</i>,official,1462011,nie-mail,\n"
    resp = await post(rep, f"/offices/{PLOCK}/people/import", {"csv": pasted})
    html = await resp.text()
    assert resp.status == 400 and "linia 3: niepoprawny adres e-mail" in html
    assert "Zła &lt;i&gt;Linia&lt;/i&gt;" in html and "<i>Linia" not in html  # the text kept, escaped
    resp = await post(rep, f"/offices/{PLOCK}/people/import", {"csv": HEADER + "s.x,S,official,1419112,,\n"})
    assert resp.status == 403 and "linia 2: urząd 1419112" in await resp.text()
    coordinator = await web("koordynator")
    resp = await post(
        coordinator, f"/offices/{PLOCK}/people/import", {"csv": HEADER + "s.x,S,official,1419112,,\n"}
    )
    assert (
        resp.status == 400
        and "na stronie urzędu 1462011 importuje się tylko osoby tego urzędu" in text_of(await resp.text())
    )
    assert (roster(container), roster(container, SLUPNO)) == before


async def test_the_notices_show_only_names_of_the_office_s_people_and_numbers(web):
    rep = await web("przedst.plock")
    for query in ("dodano=urz.slupno", "zablokowano=%3Cb%3E", "zaimportowano=1,2", "zaimportowano=a,b,c"):
        html = await (await rep.get(f"/offices/{PLOCK}?{query}")).text()
        assert 'role="status"' not in html, query


async def test_a_new_person_is_invited_by_mail_and_sets_a_password_from_the_link(web):
    container = web.container
    rep = await web("przedst.plock")
    data = {
        "name": "Nowa Urzędniczka",
        "login": "nowa.plock",
        "role": "official",
        "email": "nowa@plock.example.pl",
    }
    resp = await post(rep, f"/offices/{PLOCK}/people", {**data, "invite": "1"})
    assert resp.status == 303 and "zaproszono=nowa.plock" in resp.headers["Location"]
    html = await (await rep.get(resp.headers["Location"])).text()
    assert "Wysłano e-mail z linkiem do ustawienia hasła (ważnym 7 dni): Nowa Urzędniczka" in text_of(html)
    [mail] = [m for m in container.outbox.claim("email") if m.recipient == "nowa@plock.example.pl"]
    assert mail.subject == "Zaproszenie do help-desku e-Urzędu"
    assert "Dzień dobry, Nowa Urzędniczka" in mail.body and "Twój login: nowa.plock" in mail.body
    secret = re.search(r"/haslo/nowe\?t=(\S+)", mail.body)[1]
    container.clock.advance(days=6)  # a week to start, not an hour
    fresh = TestClient(TestServer(create_app(container)))
    await fresh.start_server()
    try:
        form = {"new": "moje-haslo-1", "again": "moje-haslo-1"}
        resp = await fresh.post(f"/haslo/nowe?t={secret}", data=form, allow_redirects=False)
        assert resp.status == 303
        login = {"login": "nowa.plock", "password": "moje-haslo-1"}
        assert (await fresh.post("/login", data=login, allow_redirects=False)).status == 303
    finally:
        await fresh.close()


async def test_a_link_to_set_the_password_is_sent_again_from_the_people_list_within_a_limit(web):
    container = web.container
    rep = await web("przedst.plock")
    html = await (await rep.get(f"/offices/{PLOCK}")).text()
    assert "Wyślij link do hasła" in row_of(html, "Osoba urz.plock")
    assert "Wyślij link do hasła" not in row_of(html, "Osoba przedst.plock")  # not for oneself
    locations = [
        (await post(rep, f"/offices/{PLOCK}/people/urz.plock/invite")).headers["Location"] for _ in range(4)
    ]
    assert [loc.split("?")[1].split("=")[0] for loc in locations] == ["zaproszono"] * 3 + ["limit"]
    sent = [m for m in container.outbox.claim("email") if m.recipient == "urz.plock@example.pl"]
    assert len(sent) == 3
    # Only those who manage the office's people may send it.
    leader = await web("lider.plock")
    assert (await post(leader, f"/offices/{PLOCK}/people/urz.plock/invite")).status == 403
    other = await web("przedst.slupno")
    assert (await post(other, f"/offices/{PLOCK}/people/urz.plock/invite")).status in (403, 404)
