"""Accounts: a disabled person or a revoked token is refused at once on every channel
and in every worker, tokens expire, logout ends the session at once, login rotates the session, and
wrong passwords and link codes are throttled in the database (shared by workers)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.errors import InvalidInput, TooManyRequests
from helpdesk.services.people import hash_password
from helpdesk.settings import SettingsError, load_settings
from helpdesk.web.app import create_app
from helpdesk.web.common import SESSION_COOKIE
from tests.support.forms import with_token
from tests.support.world import make_container

PASSWORD = "tajne-haslo-1"


@pytest.fixture
async def web(container, world):
    for login in ("urz.plock", "lider.plock"):
        person = world[login]
        container.db.write(
            lambda tx, p=person: tx.set_person(p.id, {"password_hash": hash_password(PASSWORD)})
        )
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    client.container = container
    yield client
    await client.close()


async def login(client, who, password=PASSWORD, headers=None):
    resp = await client.post(
        "/login", data={"login": who, "password": password}, allow_redirects=False, headers=headers or {}
    )
    return resp


async def tickets(client, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = await client.get("/api/v1/tickets", headers=headers)
    return resp.status


async def test_a_disabled_person_is_refused_at_once_by_token_session_mail_and_telegram(web, world, capsys):
    container = web.container
    token = container.people.issue_token("urz.plock", container.clock.now())
    assert (await login(web, "urz.plock")).status == 303
    assert await tickets(web, token) == 200 and await tickets(web) == 200
    container.db.write(lambda tx: tx.set_person(world["urz.plock"].id, {"telegram_id": 4242}))
    container.people.set_enabled("urz.plock", False)
    assert await tickets(web, token) == 401  # no cache lets the very next request through
    assert await tickets(web) == 401
    assert container.people.find(telegram_id=4242) is None
    assert container.people.find(email="urz.plock@example.pl") is None
    assert (await login(web, "urz.plock")).status == 401
    container.people.set_enabled("urz.plock", True)
    assert await tickets(web, token) == 200  # tokens come back; the sessions ended for good
    assert await tickets(web) == 401


async def test_a_revoked_token_is_refused_by_another_worker_at_once(web, tmp_path, clock):
    container = web.container
    token = container.people.issue_token("lider.plock", container.clock.now())
    other = make_container(str(container.db.engine.url), clock)  # a second worker on the same database
    client = TestClient(TestServer(create_app(other)))
    await client.start_server()
    try:
        assert await tickets(client, token) == 200
        [listed] = container.people.tokens("lider.plock")
        assert container.people.revoke_tokens("lider.plock", listed.short_id) == 1
        assert await tickets(client, token) == 401
    finally:
        await client.close()
        other.close()


async def test_tokens_expire_and_list_their_use(web, clock):
    container = web.container
    token = container.people.issue_token("lider.plock", container.clock.now())
    assert await tickets(web, token) == 200
    [listed] = container.people.tokens("lider.plock")
    assert listed.last_used_at is not None and listed.expires_at - listed.created_at == timedelta(days=365)
    clock.advance(days=366)
    assert await tickets(web, token) == 401


async def test_logout_ends_the_session_at_once_and_login_rotates_it(web):
    first = (await login(web, "lider.plock")).cookies[SESSION_COOKIE].value
    second = (await login(web, "lider.plock")).cookies[SESSION_COOKIE].value  # sent with the first cookie
    assert first != second
    web.session.cookie_jar.clear()
    assert await tickets(web, first) == 401  # the old session ended when the new one began
    assert await tickets(web, second) == 200
    web.session.cookie_jar.update_cookies({SESSION_COOKIE: second})
    assert (await web.post("/logout", data=with_token(web), allow_redirects=False)).status == 303
    assert await tickets(web, second) == 401


async def test_wrong_passwords_block_the_login_even_for_the_right_one(web):
    for _ in range(5):
        assert (await login(web, "lider.plock", "zle-haslo")).status == 401
    resp = await login(web, "lider.plock")
    page = await resp.text()
    assert resp.status == 429 and int(resp.headers["Retry-After"]) > 0
    assert "Zbyt wiele nieudanych prób logowania" in page
    resp = await login(web, "lider.plock", headers={"Accept": "application/json"})
    assert resp.status == 429 and "Retry-After" in resp.headers


async def test_wrong_passwords_from_one_address_block_every_login_from_it(web, monkeypatch):
    web.container.people.throttles = type(web.container.people.throttles)(
        address=web.container.people.throttles.address.__class__(3, timedelta(minutes=15))
    )
    for name in ("a.b", "c.d", "e.f"):
        assert (await login(web, name, "x")).status == 401
    assert (await login(web, "urz.plock")).status == 429


def test_the_throttle_is_shared_by_workers_through_the_database(container, world, clock):
    container.db.write(
        lambda tx: tx.set_person(world["lider.plock"].id, {"password_hash": hash_password(PASSWORD)})
    )
    other = make_container(str(container.db.engine.url), clock)
    try:
        for _ in range(5):
            with pytest.raises(Exception, match="niepoprawny"):
                container.people.login("lider.plock", "zle", clock.now())
        with pytest.raises(TooManyRequests):
            other.people.login("lider.plock", PASSWORD, clock.now())
        clock.advance(minutes=16)
        assert other.people.login("lider.plock", PASSWORD, clock.now())[0].login == "lider.plock"
    finally:
        other.close()


def test_telegram_link_codes_are_throttled_per_chat(container, world, clock):
    code = container.people.issue_link_code("urz.plock", clock.now())
    for _ in range(5):
        with pytest.raises(InvalidInput):
            container.people.link_telegram("DEADBEEF", 777, clock.now(), chat=777)
    with pytest.raises(TooManyRequests, match="Zbyt wiele błędnych kodów"):
        container.people.link_telegram(code, 777, clock.now(), chat=777)  # even the right one, while blocked
    assert container.people.link_telegram(code, 778, clock.now(), chat=778).login == "urz.plock"


def test_the_users_commands_disable_enable_and_revoke(tmp_path, monkeypatch, capsys):
    import json

    from tests.support.calls import one_error_line, run
    from tests.support.world import REPO

    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/h.db")
    monkeypatch.setenv("HELPDESK_SLA_DIR", str(REPO / "sla"))
    monkeypatch.setenv("HELPDESK_KB_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("HELPDESK_SMTP_LISTEN", "")
    monkeypatch.setenv("HELPDESK_TOKEN_TTL_DAYS", "30")
    assert run(capsys, "init", "--demo")[0] == 0
    run(capsys, "users", "token", "lider.plock")
    run(capsys, "users", "token", "lider.plock")
    code, out, _ = run(capsys, "users", "tokens", "lider.plock", "--json")
    listed = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(listed) == 2 and {"id", "created", "expires", "last_used"} <= set(listed[0])
    code, out, _ = run(capsys, "users", "tokens", "lider.plock", "--revoke", listed[0]["id"], "--json")
    assert code == 0 and json.loads(out)["revoked"] == 1
    code, _, err = run(capsys, "users", "tokens", "lider.plock", "--revoke", "ffffff")
    assert code == 2 and "ffffff" in one_error_line(err)
    code, out, _ = run(capsys, "users", "tokens", "lider.plock", "--all", "--json")
    assert json.loads(out)["revoked"] == 1
    assert run(capsys, "users", "disable", "lider.plock")[0] == 0
    assert run(capsys, "users", "enable", "lider.plock")[0] == 0
    code, _, err = run(capsys, "users", "disable", "nikt")
    assert code == 2 and "nikt" in one_error_line(err)


async def _client_behind(container, proxies):
    """A test server whose settings trust `proxies` (comma-separated) as reverse proxies."""
    container.settings = replace(container.settings, trusted_proxies=proxies)
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    return client


async def test_behind_a_trusted_proxy_the_throttle_counts_each_real_client(container, world):
    client = await _client_behind(container, "127.0.0.1")
    try:
        container.people.throttles = type(container.people.throttles)(
            address=container.people.throttles.address.__class__(3, timedelta(minutes=15))
        )
        attacker = {"X-Forwarded-For": "198.51.100.7"}
        for name in ("a.b", "c.d", "e.f"):
            assert (await login(client, name, "x", headers=attacker)).status == 401
        assert (await login(client, "urz.plock", "x", headers=attacker)).status == 429
        # Another office behind the same proxy is not locked out by the attacker's failures.
        other = {"X-Forwarded-For": "203.0.113.9"}
        assert (await login(client, "urz.plock", "x", headers=other)).status == 401
        # A client cannot choose its address by adding its own entry: the proxy appends the real one.
        spoofed = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        assert (await login(client, "urz.plock", "x", headers=spoofed)).status == 429
        bad = await login(client, "urz.plock", "x", headers={"X-Forwarded-For": "nie-adres"})
        assert bad.status == 400 and "niepoprawny nagłówek X-Forwarded-For" in await bad.text()
    finally:
        await client.close()


async def test_without_trusted_proxies_the_header_is_ignored(container, world):
    client = await _client_behind(container, "")
    try:
        container.people.throttles = type(container.people.throttles)(
            address=container.people.throttles.address.__class__(3, timedelta(minutes=15))
        )
        for i, name in enumerate(("a.b", "c.d", "e.f")):
            headers = {"X-Forwarded-For": f"198.51.100.{i}"}  # a fresh address each time would evade
            assert (await login(client, name, "x", headers=headers)).status == 401
        assert (
            await login(client, "urz.plock", "x", headers={"X-Forwarded-For": "203.0.113.1"})
        ).status == 429
    finally:
        await client.close()


def test_a_proxy_that_is_not_an_address_stops_start_up():
    with pytest.raises(SettingsError, match="HELPDESK_TRUSTED_PROXIES"):
        load_settings({"HELPDESK_TRUSTED_PROXIES": "127.0.0.1, nginx"})


async def test_pages_and_api_answers_are_never_stored_but_static_files_may_be(web):
    for path in ("/login", "/api/v1/tickets"):
        assert (await web.get(path)).headers.get("Cache-Control") == "no-store", path
    assert (await web.get("/static/app.css")).headers.get("Cache-Control") != "no-store"


async def test_the_session_cookie_is_secure_when_people_come_over_https(container, world):
    container.db.write(
        lambda tx: tx.set_person(world["lider.plock"].id, {"password_hash": hash_password(PASSWORD)})
    )
    client = await _client_behind(container, "127.0.0.1")
    try:
        plain = await login(client, "lider.plock")
        assert plain.status == 303 and "Secure" not in plain.headers["Set-Cookie"]
        proxied = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
        tls = await login(client, "lider.plock", headers=proxied)
        assert tls.status == 303 and "Secure" in tls.headers["Set-Cookie"]
    finally:
        await client.close()
